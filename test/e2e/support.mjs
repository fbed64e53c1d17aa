// What the end-to-end suites share: the real verifier under `wrangler dev` (with its own
// settings and a throwaway state directory), a headless Chromium, small servers of our own,
// and waits on what the page shows (never fixed sleeps).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, ensureChromium } from '../../scripts/ensure-chromium.mjs';
import { developmentSettings, varArguments } from '../../scripts/lib/dev-settings.mjs';
import { servePortOneStandIn } from '../../scripts/lib/portone-origin.mjs';
// Process groups that are stopped even when a test fails or the run is interrupted.
import { freePort, spawnGroup, stop as stopProcess, waitForHttp } from '../../scripts/lib/processes.mjs';

export { freePort };

// Interrupted (Ctrl-C, or the runner stopping this file): exit properly, so the 'exit' hook of
// processes.mjs stops wrangler's process group instead of leaving it running.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) process.once(signal, () => process.exit(code));

const root = new URL('../../', import.meta.url).pathname;
const VERIFIER_START_TIMEOUT_MS = 90_000;

/** dist/site holds the demo, the tag and the stand-in SDK; dist/server the backend kit. Build when missing or older than demo/. */
function ensureBuilt() {
  const built = (path) => existsSync(join(root, path));
  const demoIsNewer = readdirSync(join(root, 'demo')).some((file) =>
    !built(`dist/site/${file}`) || statSync(join(root, 'demo', file)).mtimeMs > statSync(join(root, 'dist/site', file)).mtimeMs);
  if (built('dist/site/iamport-verify.js') && built('dist/site/sandbox/iamport.js') && built('dist/site/sandbox/portone.js') && built('dist/server/server/index.js') && !demoIsNewer) return;
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
}

/**
 * Start the verifier with `wrangler dev` on a free port, on the sandbox, with settings given
 * here (not a developer's .dev.vars) and state in a temporary directory. Resolves once
 * /healthz answers. `requests()` returns what the verifier has logged so far (its one JSON line per request).
 * `origins`: other sites' origins to allow besides the verifier's own (its demo); `settings`: vars to set or override.
 */
export async function startVerifier({ origins = [], settings = {} } = {}) {
  ensureBuilt();
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const directory = mkdtempSync(join(tmpdir(), 'iamport-verify-e2e-'));
  // On the way out workerd has just been sent SIGKILL and may still write to its state: retry (ENOTEMPTY).
  process.once('exit', () => rmSync(directory, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));
  // An explicit (empty) env file: wrangler then ignores .dev.vars and .env.
  const envFile = join(directory, 'none.env');
  writeFileSync(envFile, '');
  // A private copy of the static assets: another `npm run build` in this tree during the run
  // (it empties dist/site first) must not pull the page out from under the browser.
  const assets = join(directory, 'site');
  cpSync(join(root, 'dist/site'), assets, { recursive: true });
  const vars = { ...(await developmentSettings([origin, ...origins])), ...settings };
  // The sandbox's Worker (wrangler.sandbox.toml): the verifier with the stand-in upstream and the demo.
  // Its own devtools port too: wrangler's default (9229) is taken by any other verifier running on the machine.
  const inspectorPort = await freePort();
  const args = ['wrangler', 'dev', '--config', 'wrangler.sandbox.toml', '--port', String(port), '--ip', '127.0.0.1',
    '--inspector-port', String(inspectorPort), '--persist-to', join(directory, 'state'),
    '--assets', assets, '--env-file', envFile, '--show-interactive-dev-session=false',
    ...varArguments(vars)];
  let output = '';
  const log = new PassThrough();
  log.on('data', (chunk) => (output += chunk));
  // Its own process group: stopping it stops workerd and esbuild too.
  const child = spawnGroup('npx', args, {
    cwd: root, logStream: log, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' },
  });
  let portone;
  const stop = async () => {
    await portone?.close();
    await stopProcess(child);
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`${origin}/healthz`, { timeoutMs: VERIFIER_START_TIMEOUT_MS, child });
    // Ready means serving its pages too: the first asset requests of a fresh wrangler dev can be slow on a
    // loaded machine, and a browser's first page load must not pay for them inside its own timeout.
    for (const path of ['/', '/iamport-verify.js']) await (await fetch(`${origin}${path}`)).arrayBuffer();
    portone = await servePortOneStandIn(origin);
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\n${output}`);
  }

  /** The verifier's request log lines so far, parsed. */
  const requests = () => output.split('\n').flatMap((line) => {
    const start = line.indexOf('{"event":"request"');
    if (start < 0) return [];
    try {
      return [JSON.parse(line.slice(start))];
    } catch {
      return [];
    }
  });
  return {
    origin,
    /** The sandbox's PortOne V2 API at an origin of its own (scripts/lib/portone-origin.mjs), for clients that take an origin only. */
    portoneOrigin: portone.origin,
    /** The settings it runs with (its development signing key among them: the language suite forges with it). */
    settings: vars,
    stop,
    requests,
    /** Resolves once the verifier has logged `count` requests matching `predicate` (logs reach us a little after the response). */
    waitForRequests(predicate, count = 1, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const matching = requests().filter(predicate);
          if (matching.length < count) return false;
          clearTimeout(timer);
          log.off('data', check);
          resolve(matching);
          return true;
        };
        const timer = setTimeout(() => {
          log.off('data', check);
          reject(new Error(`the verifier logged ${requests().filter(predicate).length} of ${count} matching requests`));
        }, timeoutMs);
        if (!check()) log.on('data', check);
      });
    },
  };
}

/** A phone: the sandbox SDKs (like PortOne's) pick the redirect flow from the user agent. */
export const PHONE = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36',
};

/** Headless Debian Chromium; playwright gives each launch a fresh, temporary user-data-dir. */
export function launchBrowser() {
  return chromium.launch({ executablePath: ensureChromium(), args: CHROMIUM_ARGS, headless: true });
}

/** An HTTP server on a free port of 127.0.0.1 with `handler`; resolves to { origin, close }. */
export async function serve(handler) {
  const server = createServer((request, response) => {
    Promise.resolve(handler(request, response)).catch((error) => {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

export function readBody(request) {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

/**
 * Record every iamport-* event the page sees (they bubble and are composed) in
 * `window.iamportEvents`, from before any page script runs.
 */
export async function recordEvents(context) {
  await context.addInitScript(() => {
    window.iamportEvents = [];
    for (const name of ['iamport-state', 'iamport-verified', 'iamport-error', 'iamport-expired']) {
      document.addEventListener(name, (event) => window.iamportEvents.push({ type: name, detail: event.detail }));
    }
  });
}

/** Resolve once the tag (by selector) is in `state`; fails with the states it went through. */
export async function waitForState(page, state, selector = 'iamport-verify', timeout = 20_000) {
  try {
    await page.waitForFunction(([sel, wanted]) => document.querySelector(sel)?.state === wanted, [selector, state], { timeout });
  } catch (error) {
    const seen = await page.evaluate(([sel]) => ({
      defined: !!customElements.get('iamport-verify'),
      state: document.querySelector(sel)?.state,
      events: (window.iamportEvents ?? []).map((event) => `${event.type} ${JSON.stringify(event.detail)}`),
    }), [selector]);
    throw new Error(`The tag never reached "${state}" (${page.url()}; element defined: ${seen.defined}, state: ${seen.state}). `
      + `Events:\n  ${seen.events.join('\n  ')}`, { cause: error });
  }
}

/** Open the tag's sandbox dialog and pick a test person (`adult`, `minor_17`, ...) or `cancel`. */
export async function verifyAs(page, person, selector = 'iamport-verify') {
  await page.locator(selector).getByRole('button').click();
  const dialog = page.locator('.imp-dialog [role=dialog]');
  if (person === 'cancel') return dialog.locator('.imp-cancel').click();
  await dialog.locator(`[data-person="${person}"]`).click();
}

export const iamportEvents = (page, type) =>
  page.evaluate((wanted) => window.iamportEvents.filter((event) => !wanted || event.type === wanted), type);
