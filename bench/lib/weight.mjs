// The tag's weight: its module gzipped and brotli'd, and what a page really loads before anyone
// touches it, in Chromium (playwright-core and the system's /usr/bin/chromium): the page is
// served from loopback, the module and the challenge come from the verifier under wrangler dev,
// and any request off loopback is blocked and listed (there should be none before interaction:
// the provider's SDK loads on the first pointer or focus). Beside it: jQuery 1.12.4, which the
// Iamport guide's integration loads first (its iamport.payment-1.1.x.js comes on top).
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { assetsDirectory } from './verifier.mjs';

const CHROMIUM = process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium';
const QUIET_AFTER_LOAD_MS = 1000;

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

async function firstPaintLoad(pageOrigin) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const blocked = [];
    await tab.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      blocked.push(url.href);
      return route.abort();
    });
    const loaded = [];
    tab.on('requestfinished', async (request) => {
      const response = await request.response();
      const body = response ? await response.body().catch(() => Buffer.alloc(0)) : Buffer.alloc(0);
      const sizes = await request.sizes();
      loaded.push({ request, body, sizes });
    });
    await tab.goto(`${pageOrigin}/`, { waitUntil: 'networkidle' });
    await tab.waitForTimeout(QUIET_AFTER_LOAD_MS);
    const state = await tab.evaluate(() => document.querySelector('iamport-verify')?.state ?? null);
    const resources = loaded
      .filter(({ request }) => request.url() !== `${pageOrigin}/`)
      .map(({ request, body, sizes }) => ({
        url: request.url().replace(/^http:\/\/127\.0\.0\.1:\d+/, ''),
        method: request.method(),
        type: request.resourceType(),
        body_bytes: body.length,
        headers_bytes: sizes.responseHeadersSize + sizes.requestHeadersSize + sizes.requestBodySize,
        body_gzip: compressedSizes(body).gzip,
      }));
    const sum = (key) => resources.reduce((total, resource) => total + resource[key], 0);
    return {
      tag_state_after_load: state,
      requests: resources,
      blocked_off_loopback: blocked,
      total_body_bytes: sum('body_bytes'),
      total_body_gzip_bytes: sum('body_gzip'),
      total_headers_bytes: sum('headers_bytes'),
    };
  } finally {
    await browser.close();
  }
}

export async function measureTagWeight({ repoRoot, workDir, build, page, verifierBase }) {
  // The same snapshot of dist/site the verifier serves to the page.
  const tagPath = join(assetsDirectory(repoRoot, workDir), 'iamport-verify.js');
  const jquery = compressedSizes(readFileSync(join(repoRoot, 'node_modules/jquery/dist/jquery.min.js')));
  const comparison = { jquery_1_12_4_min: jquery, note: 'the guide loads jQuery, then iamport.payment-1.1.x.js (not available offline, not counted)' };
  if (!existsSync(tagPath)) return { built: false, status: 'not built', build, comparison };
  const module = compressedSizes(readFileSync(tagPath));
  let beforeInteraction;
  if (!existsSync(CHROMIUM)) {
    beforeInteraction = { error: `no Chromium at ${CHROMIUM} (apt-get install -y chromium)` };
  } else if (!page || !verifierBase) {
    beforeInteraction = { error: 'no verifier to serve the page' };
  } else {
    try {
      beforeInteraction = await firstPaintLoad(page.origin);
    } catch (error) {
      beforeInteraction = { error: String(error?.message ?? error).slice(0, 300) };
    }
  }
  return { built: true, build, module, before_first_interaction: beforeInteraction, comparison };
}
