/**
 * CPU per verification, in process. Inside workerd the clocks stand still between I/O, so
 * this runs the verifier's own modules in Node (bundled by esbuild, `cloudflare:workers`
 * replaced by a shim) on the same V8 and a BoringSSL-like WebCrypto, and reads
 * process.cpuUsage() (every thread, so WebCrypto's worker threads count) over many iterations.
 *
 * Two views:
 *  - decisions: the pure checks, the upstream answer's mapping, the pairwise subject and the
 *    ES256 signature, called directly;
 *  - request: a whole POST /v1/attestations through the Hono app (routing, body parsing,
 *    origin, settings, logging, the JSON response), with the upstream answered in memory by the
 *    one stand-in (worker/sandbox/standin, a test person's certification) and the ledger an
 *    in-memory map. Not included: the Durable Object round trip and the
 *    network, which are I/O waits, not the Worker's CPU.
 * Prints one JSON object. Type-checked by `npm run test:worker` (bench/tsconfig.json), so a
 * change to the modules it calls shows there rather than in a broken bench.
 */
import { generateKeyPair, exportJWK } from 'jose';
import { app } from '../../worker/app.ts';
import { issueChallenge, verifyChallenge } from '../../worker/checks/challenge.ts';
import { checkVerification } from '../../worker/checks/verification.ts';
import { buildClaims, pairwiseSubject } from '../../worker/checks/claims.ts';
import { signAttestation } from '../../worker/signing/attestation.ts';
import { keyRing } from '../../worker/signing/keys.ts';
import { IamportClient } from '../../worker/upstream/iamport.ts';
import { UpstreamStandIn } from '../../worker/sandbox/standin/stand-in.ts';
import { memoryState } from '../../worker/sandbox/standin/state.ts';
import type { Env } from '../../worker/env.ts';
import type { ImpUidLedger, LedgerAnswer } from '../../worker/ledger/ledger.ts';
import { parseSettings, settingsFrom } from '../../worker/settings.ts';

const ITERATIONS = Number(process.env.BENCH_CPU_ITERATIONS ?? 3000);
const WARMUP = 300;
const ORIGIN = 'http://bench.local';
/** What the measured challenges are for. */
const BENCH_SUBJECT = { provider: 'iamport' as const, merchantUid: 'm_bench', origin: ORIGIN };
const UPSTREAM = 'http://upstream.bench.invalid';

interface Sample { cpu_us: number; wall_us: number }

async function measure(iterations: number, task: (i: number) => Promise<unknown> | unknown): Promise<Sample> {
  let call = 0; // one index across warm-up and measurement, so a one-time input is never reused
  for (let i = 0; i < WARMUP; i++) await task(call++);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  for (let i = 0; i < iterations; i++) await task(call++);
  const wall = performance.now() - wallBefore;
  const cpu = process.cpuUsage(cpuBefore);
  const round = (value: number) => Math.round(value * 10) / 10;
  return { cpu_us: round((cpu.user + cpu.system) / iterations), wall_us: round((wall * 1000) / iterations) };
}

async function once(task: () => Promise<unknown>): Promise<number> {
  const before = performance.now();
  await task();
  return Math.round((performance.now() - before) * 1000) / 1000;
}

const API_KEY = 'k';
const API_SECRET = 's';
/** The upstream: the one stand-in, in memory, accepting the bench's credentials. */
const standIn = new UpstreamStandIn({ state: memoryState(), credentials: { iamport: { key: API_KEY, secret: API_SECRET }, portone: { secret: '' } } });

/** An adult's verification for `merchantUid`, certified now on the bench's page; its imp_uid. */
async function makeCertification(merchantUid: string): Promise<string> {
  return (await standIn.certify('adult', merchantUid, { origin: `${ORIGIN}/` })).imp_uid;
}

/** The upstream's answer: Iamport V1 at `UPSTREAM`. */
function upstreamAnswer(request: Request): Promise<Response> {
  return standIn.iamport(request, new URL(request.url).pathname);
}

/** The ledger as the app sees it (a namespace of ImpUidLedger objects), its answers kept in a Map. */
function memoryLedger() {
  const answers = new Map<string, LedgerAnswer>();
  const ledger = (object: string): Pick<ImpUidLedger, 'claim' | 'answerTo' | 'isClaimed'> => ({
    claim: async (key, answer) => {
      const earlier = answers.get(`${object}\n${key}`);
      if (!earlier) answers.set(`${object}\n${key}`, answer);
      return earlier ? (earlier.requestHash === answer.requestHash ? earlier.token : undefined) : answer.token;
    },
    answerTo: async (key, requestHash) => {
      const earlier = answers.get(`${object}\n${key}`);
      return earlier?.requestHash === requestHash ? earlier.token : undefined;
    },
    isClaimed: async (key) => answers.has(`${object}\n${key}`),
  });
  return { idFromName: (name: string) => name, get: ledger };
}

async function main() {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'dev-bench', alg: 'ES256' };
  const env = {
    ENVIRONMENT: 'development', SANDBOX: 'false', IAMPORT_API_BASE: UPSTREAM, IAMPORT_API_KEY: API_KEY, IAMPORT_API_SECRET: API_SECRET,
    ALLOWED_ORIGINS: ORIGIN, SIGNING_KEYS: JSON.stringify([jwk]), SUBJECT_SECRET: 'subject-secret-for-bench-0123456789',
    CHALLENGE_SECRET: 'challenge-secret-for-bench-0123456789', LEDGER: memoryLedger(),
  } as unknown as Env;
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    return request.url.startsWith(UPSTREAM) ? upstreamAnswer(request) : realFetch(input, init);
  }) as typeof fetch;
  let logLines = 0;
  console.log = () => { logLines++; };

  // Costs paid once per isolate, the first time (cold start).
  const cold = {
    settings_parse_ms: await once(async () => parseSettings(env)),
    signing_key_import_ms: await once(() => keyRing(settingsFrom(env))),
  };
  const settings = settingsFrom(env);
  const client = new IamportClient(settings.iamport, upstreamAnswer, 5000);
  await client.getCertification(await makeCertification('warm')); // caches the token

  // Per-piece costs, to see where a verification's CPU goes.
  const now = () => Math.floor(Date.now() / 1000);
  const issued = await issueChallenge(settings.challengeSecret, BENCH_SUBJECT, now(), 600);
  const pieceImp = await makeCertification('m_bench');
  const record = await client.getCertification(pieceImp);
  const claimsInput = (subject: string) => ({
    issuer: 'http://127.0.0.1', audience: ORIGIN, subject, nowSeconds: now(), ttlSeconds: 600, merchantUid: 'm_bench',
    age: { rule: 'age' as const, min: 19 }, verifiedAt: record.verifiedAt!, provider: 'iamport' as const, upstreamId: pieceImp, nonce: undefined, foreigner: undefined,
  });
  const pieces = {
    verify_challenge: await measure(ITERATIONS, () => verifyChallenge(settings.challengeSecret, issued.challenge, BENCH_SUBJECT, now(), 600)),
    upstream_answer_mapping: await measure(ITERATIONS, () => client.getCertification(pieceImp)),
    check_verification: await measure(ITERATIONS, () => checkVerification(record, { merchantUid: 'm_bench', audience: ORIGIN, acceptTestChannels: false, challengeIssuedAt: issued.issued_at, challengeTtlSeconds: 600, nowMs: Date.now(), maxCertAgeSeconds: 600, age: { rule: 'age', min: 19 } })),
    pairwise_subject: await measure(ITERATIONS, () => pairwiseSubject(settings.subjectSecret, ORIGIN, record.ci!)),
    build_claims: await measure(ITERATIONS, () => buildClaims(claimsInput('s'))),
    es256_sign: await measure(ITERATIONS, () => signAttestation(settings, buildClaims(claimsInput('s')))),
    settings_parse_if_not_cached: await measure(ITERATIONS, () => parseSettings(env)),
  };
  const decisions = await measure(ITERATIONS, async () => {
    const issuedAt = await verifyChallenge(settings.challengeSecret, issued.challenge, BENCH_SUBJECT, now(), 600);
    const fresh = await client.getCertification(pieceImp);
    const { verifiedAt } = checkVerification(fresh, { merchantUid: 'm_bench', audience: ORIGIN, acceptTestChannels: false, challengeIssuedAt: issuedAt, challengeTtlSeconds: 600, nowMs: Date.now(), maxCertAgeSeconds: 600, age: { rule: 'age', min: 19 } });
    const subject = await pairwiseSubject(settings.subjectSecret, ORIGIN, fresh.ci!);
    return signAttestation(settings, buildClaims({ ...claimsInput(subject), verifiedAt }));
  });

  // Whole requests through the app. Bodies are made beforehand, so only the request is timed.
  const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
  const post = (path: string, body: unknown) => new Request(`http://127.0.0.1${path}`, {
    method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const total = ITERATIONS + WARMUP;
  const bodies: unknown[] = [];
  for (let i = 0; i < total; i++) {
    const challenge = await (await app.fetch(post('/v1/challenges', {}), env, ctx)).json() as { merchant_uid: string; challenge: string };
    bodies.push({ imp_uid: await makeCertification(challenge.merchant_uid), merchant_uid: challenge.merchant_uid, challenge: challenge.challenge, min_age: 19 });
  }
  let failures = 0;
  const request = await measure(ITERATIONS, async (i) => {
    const response = await app.fetch(post('/v1/attestations', bodies[i]), env, ctx);
    if (response.status !== 201) failures++;
    await response.arrayBuffer();
  });
  const challengeRequest = await measure(ITERATIONS, async () => {
    const response = await app.fetch(post('/v1/challenges', {}), env, ctx);
    await response.arrayBuffer();
  });
  const healthz = await measure(ITERATIONS, async () => {
    await (await app.fetch(new Request('http://127.0.0.1/healthz'), env, ctx)).arrayBuffer();
  });

  // Numbers from failing requests would measure the error path: refuse them.
  if (failures > 0) throw new Error(`${failures} of ${ITERATIONS + WARMUP} attestation requests failed in process; the harness no longer matches the worker`);
  process.stdout.write(JSON.stringify({
    iterations: ITERATIONS, cold, pieces, decisions, attestation_request: request, attestation_failures: failures,
    challenge_request: challengeRequest, healthz_request: healthz, log_lines: logLines,
  }) + '\n');
}

main().catch((error) => {
  process.stderr.write(String(error?.stack ?? error) + '\n');
  process.exit(1);
});
