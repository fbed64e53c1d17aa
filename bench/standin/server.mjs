// The upstream stand-in for benchmarks: the verifier's own stand-in core
// (worker/sandbox/standin, the one the sandbox and the tests use), served over HTTP on loopback
// after a fixed delay per call (the network and the upstream's own time), counting every call.
// The Iamport V1 REST API answers at the root (/users/getToken, /certifications/{imp_uid}),
// PortOne V2 under /portone (/portone/identity-verifications/{id}).
//
//   node bench/standin/server.mjs [--delay-ms 20] [--port 0] [--key K] [--secret S] [--v2-secret S]
//
// Run as a child of bench/run.mjs it reports its port over IPC; alone it prints it.
// Bench-only admin endpoints live under /__bench/ and answer at once (no delay, not counted):
//   POST /__bench/certifications {merchant_uids: [...], origin?} -> {imp_uids: [...]} one adult certification each
//   GET  /__bench/stats, POST /__bench/stats/reset              -> calls per endpoint
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { values: options } = parseArgs({
  options: {
    'delay-ms': { type: 'string', default: process.env.BENCH_UPSTREAM_DELAY_MS ?? '20' },
    port: { type: 'string', default: '0' },
    key: { type: 'string', default: 'bench_api_key' },
    secret: { type: 'string', default: 'bench_api_secret' },
    'v2-secret': { type: 'string', default: 'bench_v2_secret' },
  },
});
const delayMs = Number(options['delay-ms']);
/** The page every bench certification ran on: the bench's allowed origin (bench/lib/verifier.mjs). */
const BENCH_PAGE = 'http://bench.local/';
const BENCH_PERSON = 'adult';

/** The core is TypeScript with no I/O: bundled for Node at start (esbuild, as bench/lib/cpu.mjs does). */
async function loadStandIn() {
  const entry = fileURLToPath(new URL('../../worker/sandbox/standin/stand-in.ts', import.meta.url));
  const state = fileURLToPath(new URL('../../worker/sandbox/standin/state.ts', import.meta.url));
  const bundled = await build({
    stdin: { contents: `export * from ${JSON.stringify(entry)}; export * from ${JSON.stringify(state)};`, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'warning',
  });
  return import(`data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].contents).toString('base64')}`);
}

const { UpstreamStandIn, memoryState } = await loadStandIn();
const standIn = new UpstreamStandIn({
  state: memoryState(),
  credentials: { iamport: { key: options.key, secret: options.secret }, portone: { secret: options['v2-secret'] } },
});

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function sendResponse(res, response) {
  const body = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'application/json', 'content-length': body.length });
  res.end(body);
}

async function benchAdmin(req, res, path) {
  if (req.method === 'POST' && path === '/__bench/certifications') {
    let body = {};
    try {
      body = JSON.parse((await readBody(req)).toString('utf8') || '{}');
    } catch {
      return sendJson(res, 400, { error: 'send JSON' });
    }
    const merchantUids = Array.isArray(body.merchant_uids) ? body.merchant_uids : [body.merchant_uid];
    const origin = typeof body.origin === 'string' ? body.origin : BENCH_PAGE;
    const impUids = [];
    for (const uid of merchantUids) {
      const { imp_uid: impUid } = await standIn.certify(BENCH_PERSON, String(uid), { origin });
      // Each bench verification is another person, as sign-ups are: a CI and DI of its own, so the
      // baselines' one-account-per-person check (the guide's) lets every one through.
      const record = await standIn.certification(impUid);
      await standIn.putCertification({ ...record, unique_key: randomBytes(64).toString('base64'), unique_in_site: randomBytes(32).toString('hex') });
      impUids.push(impUid);
    }
    return sendJson(res, 201, { imp_uids: impUids });
  }
  if (req.method === 'GET' && path === '/__bench/stats') return sendJson(res, 200, standIn.calls);
  if (req.method === 'POST' && path === '/__bench/stats/reset') return sendJson(res, 200, standIn.resetCalls());
  return sendJson(res, 404, { error: 'no such bench endpoint' });
}

const delay = () => new Promise((resolve) => setTimeout(resolve, delayMs));

async function handle(req, res) {
  const url = new URL(req.url, 'http://standin');
  if (url.pathname.startsWith('/__bench/')) return benchAdmin(req, res, url.pathname);
  const body = await readBody(req);
  await delay();
  const request = new Request(url, {
    method: req.method,
    headers: Object.entries(req.headers).flatMap(([name, value]) => (Array.isArray(value) ? value.map((v) => [name, v]) : [[name, value]])),
    body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
  });
  const response = url.pathname.startsWith('/portone/')
    ? await standIn.portone(request, url.pathname.slice('/portone'.length))
    : await standIn.iamport(request, url.pathname);
  return sendResponse(res, response);
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => sendJson(res, 500, { code: -1, message: 'stand-in error', response: null }));
});
server.keepAliveTimeout = 60_000;
server.listen(Number(options.port), '127.0.0.1', () => {
  const { port } = server.address();
  if (process.send) process.send({ port });
  else console.log(`upstream stand-in on http://127.0.0.1:${port} (delay ${delayMs} ms)`);
});
// Stop with the parent, whatever happens to it.
process.on('disconnect', () => process.exit(0));
