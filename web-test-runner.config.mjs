// The tag's tests (test/widget/) in real, headless Chromium. `npm run test:widget`.
// The platform edges (fetch, window.open, the IMP global) are stubbed in the tests; the tag runs from source.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { CHROMIUM_ARGS, ensureChromium } from './scripts/ensure-chromium.mjs';

// One test loads the built bundle twice, as a page that pastes the snippet twice would.
if (!existsSync(new URL('./dist/site/iamport-verify.js', import.meta.url))) {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

export default {
  files: 'test/widget/**/*.test.ts',
  nodeResolve: true,
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: new URL('./tsconfig.json', import.meta.url).pathname })],
  browsers: [
    chromeLauncher({
      launchOptions: { executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS },
    }),
  ],
  concurrency: 1,
  testFramework: { config: { timeout: 10_000 } },
};
