// The baselines: what a site writes by hand when it follows the Iamport guide
// ("인증정보 조회 및 활용하기"): an Express route `POST /certifications {imp_uid}` that looks the
// certification up at the upstream and applies the guide's checks. Two ways to reach the upstream:
//
//   --client guide     as the guide's sample: a fresh POST /users/getToken, then
//                      GET /certifications/{imp_uid}, for every verification (2 upstream calls)
//   --client library   with the `iamport` npm client (iamport/iamport-rest-client-nodejs),
//                      which caches the token per instance (1 call in steady state)
//
//   node bench/baseline/server.mjs --upstream http://127.0.0.1:PORT --client guide
//
// The guide's sample uses axios; this uses the platform's fetch (same requests, one dependency less).
// It signs nothing and keeps no single-use ledger: it does less than the verifier, on purpose.
import express from 'express';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const { values: options } = parseArgs({
  options: {
    upstream: { type: 'string' },
    client: { type: 'string', default: 'guide' },
    port: { type: 'string', default: '0' },
    key: { type: 'string', default: 'bench_api_key' },
    secret: { type: 'string', default: 'bench_api_secret' },
  },
});
if (!options.upstream) throw new Error('--upstream is required');
const ADULT_AGE = 19;

/** The guide's sample, step by step: a token every time, then the look-up. */
async function lookUpLikeTheGuide(impUid) {
  const getToken = await fetch(`${options.upstream}/users/getToken`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ imp_key: options.key, imp_secret: options.secret }),
  });
  const { access_token: accessToken } = (await getToken.json()).response;
  const getCertifications = await fetch(`${options.upstream}/certifications/${impUid}`, {
    headers: { Authorization: accessToken },
  });
  const body = await getCertifications.json();
  if (!getCertifications.ok || body.code !== 0) throw new Error(`upstream answered ${getCertifications.status}`);
  return body.response;
}

function libraryLookUp() {
  const Iamport = createRequire(import.meta.url)('iamport');
  // The client has no base-URL option; its default host is read when an instance is made.
  Iamport.DEFAULT_HOST = options.upstream;
  const iamport = new Iamport({ impKey: options.key, impSecret: options.secret });
  return (impUid) => iamport.certification.get({ imp_uid: impUid });
}

const lookUp = options.client === 'library' ? libraryLookUp() : lookUpLikeTheGuide;
/** The site's member table, by CI: the guide's "one account per person" check. */
const members = new Set();

const app = express();
app.use(express.json());

app.post('/certifications', async (request, response) => {
  const { imp_uid: impUid } = request.body ?? {};
  if (typeof impUid !== 'string') return response.status(400).json({ error: 'imp_uid missing' });
  try {
    const certification = await lookUp(impUid);
    const { unique_key: ci, birthday } = certification;
    // The guide's age check: by birth year only (wrong before the birthday; kept as the guide has it).
    if (new Date().getFullYear() - Number(birthday.slice(0, 4)) < ADULT_AGE) {
      return response.status(403).json({ error: 'too young' });
    }
    if (!ci || members.has(ci)) return response.status(409).json({ error: 'already a member' });
    members.add(ci);
    return response.json({ ok: true, imp_uid: impUid });
  } catch {
    return response.status(502).json({ error: 'upstream failed' });
  }
});

const server = app.listen(Number(options.port), '127.0.0.1', () => {
  const { port } = server.address();
  if (process.send) process.send({ port });
  else console.log(`baseline (${options.client}) on http://127.0.0.1:${port}`);
});
server.keepAliveTimeout = 60_000;
process.on('disconnect', () => process.exit(0));
