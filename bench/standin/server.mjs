// The upstream stand-in for benchmarks: the Iamport V1 REST endpoints the verifier and the
// baselines call, answered exactly as the OpenAPI extract in shared/reference says, on loopback,
// after a fixed delay per call (the network and the upstream's own time), counting every call.
//
//   node bench/standin/server.mjs [--delay-ms 20] [--port 0]
//
// Run as a child of bench/run.mjs it reports its port over IPC; alone it prints it.
// Bench-only admin endpoints live under /__bench/ and answer at once (no delay, not counted):
//   POST /__bench/certifications {merchant_uids: [...]}  -> {imp_uids: [...]} one adult certification each
//   GET  /__bench/stats, POST /__bench/stats/reset       -> calls per endpoint
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values: options } = parseArgs({
  options: {
    'delay-ms': { type: 'string', default: process.env.BENCH_UPSTREAM_DELAY_MS ?? '20' },
    port: { type: 'string', default: '0' },
    key: { type: 'string', default: 'bench_api_key' },
    secret: { type: 'string', default: 'bench_api_secret' },
  },
});
const delayMs = Number(options['delay-ms']);
const credentials = { key: options.key, secret: options.secret };

// The token rules of POST /users/getToken (OpenAPI description): a token lives 30 minutes;
// asking again before it expires returns the same token, extended by 5 minutes when asked in its last minute.
const TOKEN_LIFETIME_SECONDS = 30 * 60;
const TOKEN_EXTEND_WINDOW_SECONDS = 60;
const TOKEN_EXTENSION_SECONDS = 5 * 60;
const NOT_FOUND_MESSAGE = '인증결과가 존재하지 않습니다.';
const ADULT_AGE_YEARS = 30;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const certifications = new Map();
/** The one live token (one REST key), and the set of every token still valid. */
let currentToken;
const tokenExpiry = new Map();
const stats = { getToken: 0, getCertification: 0, deleteCertification: 0, unauthorized: 0 };
// imp_uids are `imp_` + 12 digits; a random start keeps two stand-ins from ever agreeing.
let nextImpNumber = 100_000_000_000 + Math.floor(Math.random() * 800_000_000_000);

function envelope(response, code = 0, message = null) {
  return { code, message, response };
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  // The API consumes JSON and form bodies alike.
  if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

function issueToken(body) {
  if (body.imp_key !== credentials.key || body.imp_secret !== credentials.secret) return undefined;
  const now = nowSeconds();
  if (currentToken && tokenExpiry.get(currentToken) > now) {
    if (tokenExpiry.get(currentToken) - now <= TOKEN_EXTEND_WINDOW_SECONDS) {
      tokenExpiry.set(currentToken, tokenExpiry.get(currentToken) + TOKEN_EXTENSION_SECONDS);
    }
  } else {
    currentToken = randomBytes(20).toString('hex');
    tokenExpiry.set(currentToken, now + TOKEN_LIFETIME_SECONDS);
  }
  return { access_token: currentToken, expired_at: tokenExpiry.get(currentToken), now };
}

/** Older guides send the bare token, newer ones `Bearer <token>`: the API takes both. */
function authorized(req) {
  const header = req.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : header;
  const expiresAt = tokenExpiry.get(token);
  return expiresAt !== undefined && expiresAt > nowSeconds();
}

function isoDate(date) {
  return date.toISOString().slice(0, 10);
}

function createCertification(merchantUid) {
  const impUid = `imp_${String(nextImpNumber++).padStart(12, '0')}`;
  const birthday = new Date();
  birthday.setUTCFullYear(birthday.getUTCFullYear() - ADULT_AGE_YEARS, 0, 15);
  certifications.set(impUid, {
    imp_uid: impUid,
    merchant_uid: merchantUid,
    pg_tid: `bench_${randomBytes(8).toString('hex')}`,
    pg_provider: 'danal',
    name: '홍길동',
    gender: 'male',
    birthday: isoDate(birthday),
    foreigner: false,
    foreigner_v2: null,
    phone: '01000000000',
    carrier: 'SKT',
    certified: true,
    certified_at: nowSeconds(),
    unique_key: randomBytes(64).toString('base64'), // CI: 88 characters
    unique_in_site: randomBytes(32).toString('hex'), // DI: 64 characters
    origin: 'http://bench.local/',
  });
  return impUid;
}

const delay = () => new Promise((resolve) => setTimeout(resolve, delayMs));

async function handle(req, res) {
  const url = new URL(req.url, 'http://standin');
  const path = url.pathname;

  if (path.startsWith('/__bench/')) {
    if (req.method === 'POST' && path === '/__bench/certifications') {
      const body = await readBody(req);
      const merchantUids = Array.isArray(body.merchant_uids) ? body.merchant_uids : [body.merchant_uid];
      return send(res, 201, { imp_uids: merchantUids.map((uid) => createCertification(String(uid))) });
    }
    if (req.method === 'GET' && path === '/__bench/stats') return send(res, 200, stats);
    if (req.method === 'POST' && path === '/__bench/stats/reset') {
      for (const name of Object.keys(stats)) stats[name] = 0;
      return send(res, 200, stats);
    }
    return send(res, 404, { error: 'no such bench endpoint' });
  }

  const body = await readBody(req);
  await delay();

  if (req.method === 'POST' && path === '/users/getToken') {
    stats.getToken++;
    const token = issueToken(body);
    if (!token) return send(res, 401, envelope(null, -1, 'imp_key, imp_secret 인증에 실패하였습니다.'));
    return send(res, 200, envelope(token));
  }

  const match = /^\/certifications\/([^/]+)$/.exec(path);
  if (match && (req.method === 'GET' || req.method === 'DELETE')) {
    stats[req.method === 'GET' ? 'getCertification' : 'deleteCertification']++;
    if (!authorized(req)) {
      stats.unauthorized++;
      return send(res, 401, envelope(null, -1, 'Unauthorized'));
    }
    const impUid = decodeURIComponent(match[1]);
    const certification = certifications.get(impUid);
    if (!certification) return send(res, 404, envelope(null, -1, NOT_FOUND_MESSAGE));
    if (req.method === 'DELETE') certifications.delete(impUid);
    return send(res, 200, envelope(certification));
  }
  return send(res, 404, envelope(null, -1, 'Not Found'));
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => send(res, 500, envelope(null, -1, 'stand-in error')));
});
server.keepAliveTimeout = 60_000;
server.listen(Number(options.port), '127.0.0.1', () => {
  const { port } = server.address();
  if (process.send) process.send({ port });
  else console.log(`upstream stand-in on http://127.0.0.1:${port} (delay ${delayMs} ms)`);
});
// Stop with the parent, whatever happens to it.
process.on('disconnect', () => process.exit(0));
