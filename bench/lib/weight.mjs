// The tag's weight: every file it has in dist/site, gzipped and brotli'd, and what a page really
// loads in Chromium (playwright-core and the Chromium scripts/ensure-chromium.mjs finds) before anyone touches it,
// then on the first pointer and focus. The page is served from loopback, the tag's files and the
// challenge come from the verifier, and any request off loopback is blocked and listed (the
// provider's SDK, which loads on the first pointer or focus). Beside it: jQuery 1.12.4, which the
// Iamport guide's integration loads first (its iamport.payment-1.1.x.js comes on top).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { assetsDirectory } from './verifier.mjs';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/ensure-chromium.mjs';
import { TAG_BUDGET_GZIP_BYTES } from '../../scripts/lib/tag-budget.mjs';

/** How long the page must stay quiet for a phase to count as over. */
const QUIET_MS = 1500;
const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');

export const compressedSizes = (bytes) => ({
  bytes: bytes.length,
  gzip: gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length,
  brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});

/** The page a site would write: the README's snippet. */
function snippetPage(verifierBase) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title>
<script type="module" src="${verifierBase}/iamport-verify.js"></script></head><body>
<form action="/signup" method="post">
  <iamport-verify name="age_token" endpoint="${verifierBase}" imp-code="imp12345678" min-age="19" required></iamport-verify>
  <button>Sign up</button>
</form></body></html>`;
}

/** A server for the snippet page, started before the verifier so it can be put on ALLOWED_ORIGINS. */
export function startPageServer() {
  let html = '';
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    origin: `http://127.0.0.1:${server.address().port}`,
    setVerifier: (verifierBase) => { html = snippetPage(verifierBase); },
    close: () => new Promise((done) => server.close(done)),
  })));
}

/** What Chromium fetched for one phase of the page's life, each body gzipped as a server would send it. */
async function describe(requests) {
  const resources = [];
  for (const request of requests) {
    const response = await request.response().catch(() => null);
    if (!response) continue; // blocked off loopback or failed: listed apart
    const body = await response.body().catch(() => Buffer.alloc(0));
    resources.push({
      url: request.url().replace(/^http:\/\/127\.0\.0\.1:\d+/, ''),
      method: request.method(),
      type: request.resourceType(),
      status: response.status(),
      body_bytes: body.length,
      body_gzip: compressedSizes(body).gzip,
    });
  }
  const sum = (key) => resources.reduce((total, resource) => total + resource[key], 0);
  return { requests: resources, total_body_bytes: sum('body_bytes'), total_body_gzip_bytes: sum('body_gzip') };
}

/**
 * The snippet page in Chromium: every request from navigation until the page has been quiet for a
 * while (before the first interaction), then every request the first pointer over the tag and the
 * first focus on it bring (the provider's SDK and whatever loads on intent). Requests off loopback
 * are blocked and listed.
 */
async function loadInChromium(pageOrigin, executablePath) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath,
    args: CHROMIUM_ARGS,
  });
  try {
    const tab = await (await browser.newContext()).newPage();
    const phases = { before: [], after: [] };
    const blocked = { before: [], after: [] };
    let phase = 'before';
    await tab.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      blocked[phase].push(url.href);
      return route.abort();
    });
    tab.on('request', (request) => {
      if (request.url() !== `${pageOrigin}/`) phases[phase].push(request);
    });
    await tab.goto(`${pageOrigin}/`, { waitUntil: 'networkidle' });
    await tab.waitForTimeout(QUIET_MS);
    const state = await tab.evaluate(() => document.querySelector('iamport-verify')?.state ?? null);
    phase = 'after';
    await tab.hover('iamport-verify');
    await tab.keyboard.press('Tab');
    await tab.waitForTimeout(QUIET_MS);
    return {
      tag_state_after_load: state,
      before_first_interaction: { ...await describe(phases.before), blocked_off_loopback: blocked.before },
      on_first_pointer_and_focus: { ...await describe(phases.after), blocked_off_loopback: blocked.after },
    };
  } finally {
    await browser.close();
  }
}

/** Every script the build put in dist/site for the tag (the demo and the sandbox's stand-ins aside). */
function tagFiles(assets) {
  return readdirSync(assets, { recursive: true })
    .filter((name) => name.endsWith('.js') && !name.startsWith('sandbox') && !name.startsWith('demo'))
    .sort()
    .map((name) => ({ file: name, ...compressedSizes(readFileSync(join(assets, name))) }));
}

export async function measureTagWeight({ repoRoot, workDir, page }) {
  // The same snapshot of dist/site the verifier serves to the page.
  const assets = assetsDirectory(repoRoot, workDir);
  const jquery = compressedSizes(readFileSync(join(benchDir, 'node_modules/jquery/dist/jquery.min.js')));
  const comparison = { jquery_1_12_4_min: jquery, note: 'the guide loads jQuery, then iamport.payment-1.1.x.js (not available offline, not counted)' };
  if (!existsSync(join(assets, 'iamport-verify.js'))) return { error: 'the tag is not built (npm run build)', comparison };
  const chromium = findChromium();
  if (!chromium) return { error: 'no Chromium (node scripts/ensure-chromium.mjs installs it)', files: tagFiles(assets), comparison };
  return { budget_gzip_bytes: TAG_BUDGET_GZIP_BYTES, files: tagFiles(assets), ...await loadInChromium(page.origin, chromium), comparison };
}
