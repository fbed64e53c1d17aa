// The tag's tests (test/widget/) in real, headless Chromium. `npm run test:widget`.
// The platform edges (fetch, window.open, the IMP global) are stubbed in the tests; the tag runs from source.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { CHROMIUM_ARGS, ensureChromium } from './scripts/ensure-chromium.mjs';

// Some tests load the built bundle (dist/site), as a page that pastes the snippet would.
if (!existsSync(new URL('./dist/site/iamport-verify.js', import.meta.url))) {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

/**
 * dist/site served from a second origin (another port), with CORS, as the verifier serves it:
 * a page on one site, the tag from another.
 */
const site = new URL('./dist/site/', import.meta.url);
const otherOrigin = await new Promise((resolve) => {
  const server = createServer((request, response) => {
    const file = new URL(`.${new URL(request.url, 'http://x').pathname}`, site);
    if (!file.href.startsWith(site.href) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/javascript', 'access-control-allow-origin': '*' });
    response.end(readFileSync(file));
  });
  server.unref();
  server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
});

/**
 * Requests the tests can hold back (`executeServerCommand('hold', path)`, then `'release'`):
 * a module that has not arrived yet when the person clicks. Each test file's page runs with the
 * browser's cache off (see createPage): the runner lets it keep modules a year, and a module an
 * earlier file's page had loaded would then never reach the server to be held.
 */
const held = new Map();
function holdRequests() {
  return {
    name: 'hold-requests',
    async serve(context) {
      await held.get(context.path)?.promise;
    },
    executeCommand({ command, payload }) {
      if (command === 'other-origin') return otherOrigin;
      if (command === 'hold') {
        let release;
        const promise = new Promise((resolve) => (release = resolve));
        held.set(payload, { promise, release });
        return true;
      }
      if (command === 'release') {
        held.get(payload)?.release();
        held.delete(payload);
        return true;
      }
      return undefined;
    },
  };
}

export default {
  files: 'test/widget/**/*.test.ts',
  nodeResolve: true,
  plugins: [holdRequests(), esbuildPlugin({ ts: true, target: 'es2022', tsconfig: new URL('./tsconfig.json', import.meta.url).pathname })],
  browsers: [
    chromeLauncher({
      launchOptions: { executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS },
      async createPage({ context }) {
        const page = await context.newPage();
        await page.setCacheEnabled(false);
        return page;
      },
    }),
  ],
  concurrency: 1,
  testFramework: { config: { timeout: 10_000 } },
};
