#!/usr/bin/env node
// `npm run load`: at least 10,000 whole verifications at concurrency 50 through `wrangler dev`
// on the sandbox, then proof that the ledger holds exactly the ids that got tokens.
//
// Each verification is what the tag and the PG window do: POST /v1/challenges, POST
// /sandbox/certifications (the sandbox's stand-in of the PG window: an adult, certified now),
// POST /v1/attestations (min_age 19). Every tenth is a PortOne V2 verification.
//
// The ledger is checked two ways after the load:
//   1. replay: every exchanged body is sent once more as another request (a nonce added: the
//      very same request would get its token again), and each must get 409 already_used
//      (every issued token's id is claimed: nothing lost);
//   2. the ledger's own storage: once wrangler has stopped, the claimed ids are read from the
//      Durable Objects' SQLite files under the temporary --persist-to (with the sqlite3
//      command, when installed) and must be exactly the ids that got tokens (nothing claimed
//      without a token, nothing twice).
//
// It sends traffic to 127.0.0.1 only, stops by itself at a deadline, and stops what it started,
// on success, failure or Ctrl-C. Exit code 0 only with 0 errors and a matching ledger. Nothing
// it judges is a time: the deadline follows the rate this machine shows in the warm-up (the
// whole run's estimate at that rate, times DEADLINE_SAFETY_FACTOR), so a machine several times
// slower still finishes and is judged; LOAD_DEADLINE_S sets a fixed one instead.
//
// Settings (environment): LOAD_VERIFICATIONS (default 10000), LOAD_CONCURRENCY (50),
// LOAD_DEADLINE_S (none: from the warm-up's rate), LOAD_V2_EVERY (10).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { developmentSettings, varArguments } from '../../scripts/lib/dev-settings.mjs';
import { freePort, spawnGroup, stopAll, waitForHttp } from '../../scripts/lib/processes.mjs';
import { mapLimit, summarize } from '../support/measure.mjs';
import { assetsDirectory, benchWranglerConfig } from '../../bench/lib/verifier.mjs';

const settings = {
  verifications: Number(process.env.LOAD_VERIFICATIONS ?? 10_000),
  concurrency: Number(process.env.LOAD_CONCURRENCY ?? 50),
  /** Seconds for the whole run; undefined: from the warm-up's rate. */
  deadlineS: process.env.LOAD_DEADLINE_S ? Number(process.env.LOAD_DEADLINE_S) : undefined,
  v2Every: Number(process.env.LOAD_V2_EVERY ?? 10),
};
const WARM_UP = 50;
const START_TIMEOUT_MS = 90_000;
/** Until the warm-up has shown this machine's rate: starting wrangler and the warm-up itself. */
const UNTIL_RATE_KNOWN_S = 600;
/** The deadline is this many times the run's estimate at the warm-up's rate (which is already conservative: concurrency 10, cold). */
const DEADLINE_SAFETY_FACTOR = 4;
/** Requests per verification (challenge, certification, exchange); a replay is one. */
const REQUESTS_PER_VERIFICATION = 3;
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');
const workDir = mkdtempSync(join(tmpdir(), 'iamport-verify-load-'));
const log = (message) => console.log(`[load ${new Date().toISOString().slice(11, 19)}] ${message}`);

let finished = false;
async function shutDown(code, reason) {
  if (finished) return;
  finished = true;
  if (reason) console.error(reason);
  await stopAll();
  rmSync(workDir, { recursive: true, force: true });
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => shutDown(130, `load: stopped by ${signal}`));
let deadline;
/** Stop everything `seconds` from now unless the run has finished; `why` says where the number came from. */
function setDeadline(seconds, why) {
  clearTimeout(deadline);
  deadline = setTimeout(() => shutDown(2, `load: over its deadline of ${Math.round(seconds)} s (${why}); stopped everything`), seconds * 1000);
  deadline.unref();
}
setDeadline(settings.deadlineS ?? UNTIL_RATE_KNOWN_S, settings.deadlineS ? 'LOAD_DEADLINE_S' : 'to start and warm up');

/** wrangler dev on the sandbox, from a copy of wrangler.sandbox.toml with the rate limit raised (all traffic comes from one address). */
async function startVerifier() {
  const configPath = join(workDir, 'wrangler.sandbox.toml');
  const { config, originalRateLimit } = benchWranglerConfig(repoRoot, assetsDirectory(repoRoot, workDir), undefined, 'wrangler.sandbox.toml');
  writeFileSync(configPath, config);
  const envFile = join(workDir, 'none.env'); // an explicit, empty env file: a developer's .dev.vars is not read
  writeFileSync(envFile, '');
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const vars = await developmentSettings([origin]);
  const stateDir = join(workDir, 'state');
  const child = spawnGroup('npx', [
    'wrangler', 'dev', '--config', configPath, '--port', String(port), '--ip', '127.0.0.1', '--persist-to', stateDir,
    '--env-file', envFile, '--show-interactive-dev-session=false',
    ...varArguments(vars),
  ], {
    cwd: repoRoot,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' },
    logStream: createWriteStream(join(workDir, 'wrangler.log')),
  });
  await waitForHttp(`${origin}/healthz`, { timeoutMs: START_TIMEOUT_MS, child });
  return { base: origin, origin, stateDir, originalRateLimit };
}

async function post(base, path, body, origin) {
  const started = performance.now();
  const response = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json().catch(() => undefined), ms: performance.now() - started };
}

/** One whole verification; returns the exchange body, what the exchange answered, and timings. */
async function verifyOnce(verifier, index) {
  const started = performance.now();
  const v2 = settings.v2Every > 0 && index % settings.v2Every === 0;
  const issued = await post(verifier.base, '/v1/challenges', { provider: v2 ? 'portone' : 'iamport' }, verifier.origin);
  if (issued.status !== 201) return { failure: `challenge ${issued.status}` };
  const merchantUid = issued.body.merchant_uid;
  const certification = await post(verifier.base, '/sandbox/certifications', v2
    ? { provider: 'portone', person: 'adult', identity_verification_id: merchantUid }
    : { person: 'adult', merchant_uid: merchantUid, origin: verifier.origin }, verifier.origin);
  if (certification.status !== 201) return { failure: `certification ${certification.status}` };
  const body = v2
    ? { provider: 'portone', identity_verification_id: merchantUid, challenge: issued.body.challenge, min_age: 19 }
    : { imp_uid: certification.body.imp_uid, merchant_uid: merchantUid, challenge: issued.body.challenge, min_age: 19 };
  const exchange = await post(verifier.base, '/v1/attestations', body, verifier.origin);
  const key = v2 ? `portone:${merchantUid}` : `iamport:${body.imp_uid}`;
  if (exchange.status !== 201 || typeof exchange.body?.token !== 'string') return { failure: `attestation ${exchange.status} ${exchange.body?.code ?? ''}`, key };
  return { key, body, exchangeMs: exchange.ms, totalMs: performance.now() - started };
}

/** The claimed keys in the ledger's SQLite files (wrangler stopped), or null without the sqlite3 command. */
function claimedInStorage(stateDir) {
  if (spawnSync('sqlite3', ['-version']).status !== 0) return null;
  const doRoot = join(stateDir, 'v3', 'do');
  const ledgerDirs = readdirSync(doRoot).filter((name) => name.endsWith('ImpUidLedger'));
  // One file per object, named by its id (beside them, miniflare's metadata.sqlite).
  const objectFiles = (dir) => readdirSync(join(doRoot, dir)).filter((name) => /^[0-9a-f]{64}\.sqlite$/.test(name));
  const keys = [];
  for (const dir of ledgerDirs) {
    for (const file of objectFiles(dir)) {
      const result = spawnSync('sqlite3', ['-readonly', join(doRoot, dir, file), 'SELECT id FROM claims'], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`sqlite3 could not read ${file}: ${result.stderr}`);
      keys.push(...result.stdout.split('\n').filter(Boolean));
    }
  }
  return { keys, objects: ledgerDirs.reduce((count, dir) => count + objectFiles(dir).length, 0) };
}

async function main() {
  log(`starting wrangler dev (sandbox on, state in a temporary directory)`);
  const verifier = await startVerifier();
  if (new URL(verifier.base).hostname !== '127.0.0.1') throw new Error('load: refusing to send traffic anywhere but 127.0.0.1');
  log(`verifier at ${verifier.base}; rate limits raised from ${verifier.originalRateLimit} per 60 s in a temporary wrangler.sandbox.toml`);

  const warmUpStarted = performance.now();
  const warmUp = await mapLimit(Array.from({ length: WARM_UP }, (_, i) => i), 10, (i) => verifyOnce(verifier, i + 1));
  const warmUpRate = WARM_UP / ((performance.now() - warmUpStarted) / 1000);
  if (settings.deadlineS === undefined) {
    // The load's verifications, then one replay each, at the warm-up's rate.
    const estimateS = (settings.verifications * (1 + 1 / REQUESTS_PER_VERIFICATION)) / warmUpRate;
    const seconds = DEADLINE_SAFETY_FACTOR * estimateS + START_TIMEOUT_MS / 1000;
    setDeadline(seconds, `${DEADLINE_SAFETY_FACTOR} x the ${Math.round(estimateS)} s the warm-up's ${warmUpRate.toFixed(1)} verifications/s predict; LOAD_DEADLINE_S sets one`);
    log(`warm-up rate ${warmUpRate.toFixed(1)} verifications/s: the run must finish within ${Math.round(seconds)} s`);
  }
  log(`warmed up with ${WARM_UP} verifications; now ${settings.verifications} at concurrency ${settings.concurrency}`);

  const started = performance.now();
  const results = await mapLimit(Array.from({ length: settings.verifications }, (_, i) => i), settings.concurrency, async (i) => {
    try {
      return await verifyOnce(verifier, i);
    } catch (error) {
      return { failure: `network: ${error.message}` };
    }
  });
  const elapsedS = (performance.now() - started) / 1000;
  const ok = results.filter((result) => !result.failure);
  const failures = results.filter((result) => result.failure);
  const failureKinds = {};
  for (const { failure } of failures) failureKinds[failure] = (failureKinds[failure] ?? 0) + 1;

  log(`replaying every exchanged verification once more`);
  const replays = await mapLimit(ok, settings.concurrency, async ({ body }) => {
    const answer = await post(verifier.base, '/v1/attestations', { ...body, nonce: 'replay' }, verifier.origin).catch((error) => ({ status: `network: ${error.message}` }));
    return `${answer.status} ${answer.body?.code ?? ''}`.trim();
  });
  const replayedAlreadyUsed = replays.filter((answer) => answer === '409 already_used').length;
  const replayAnswers = {};
  for (const answer of replays) replayAnswers[answer] = (replayAnswers[answer] ?? 0) + 1;

  await stopAll(); // the SQLite files are read with wrangler stopped
  const storage = claimedInStorage(verifier.stateDir);
  // Every token issued, the warm-up's too: the ledger must hold exactly these ids, once each.
  const issued = [...warmUp, ...ok].filter((result) => !result.failure);
  const issuedKeys = new Set(issued.map((result) => result.key));
  const issuedOncePerId = issuedKeys.size === issued.length;
  const stored = storage && new Set(storage.keys);
  const storageMatches = storage !== null && storage.keys.length === stored.size && stored.size === issuedKeys.size
    && [...issuedKeys].every((key) => stored.has(key));

  const exchange = summarize(ok.map((result) => result.exchangeMs));
  const whole = summarize(ok.map((result) => result.totalMs));
  const tokens = ok.length;
  const report = {
    verifications: settings.verifications,
    concurrency: settings.concurrency,
    elapsed_s: Math.round(elapsedS * 10) / 10,
    throughput_verifications_per_s: Math.round((tokens / elapsedS) * 10) / 10,
    attestation_latency_ms: { p50: exchange.p50, p99: exchange.p99 },
    whole_verification_latency_ms: { p50: whole.p50, p99: whole.p99 },
    tokens_issued: tokens,
    errors: failures.length,
    error_kinds: failureKinds,
    ids_with_more_than_one_token: issued.length - issuedKeys.size,
    replayed_already_used: `${replayedAlreadyUsed} of ${tokens}`,
    replay_answers: replayAnswers,
    ledger_in_storage: storage
      ? `${storage.keys.length} claimed ids (${stored.size} distinct) in ${storage.objects} Durable Object SQLite files; tokens issued including the warm-up: ${issuedKeys.size}; ${storageMatches ? 'the same ids' : 'NOT the same ids'}`
      : 'not read (no sqlite3 command); the replay check stands alone',
  };
  console.log(JSON.stringify(report, null, 2));

  const ledgerMatches = issuedOncePerId && replayedAlreadyUsed === tokens && (storage === null || storageMatches);
  console.log(`\nload: ${tokens} tokens at concurrency ${settings.concurrency} in ${report.elapsed_s} s = ${report.throughput_verifications_per_s} verifications/s; `
    + `POST /v1/attestations p50 ${exchange.p50} ms, p99 ${exchange.p99} ms; errors ${failures.length}; `
    + `ledger ${ledgerMatches ? 'equals' : 'DOES NOT equal'} the tokens issued (${storage ? 'replay and SQLite files' : 'replay'})`);
  await shutDown(failures.length === 0 && tokens >= settings.verifications && ledgerMatches ? 0 : 1);
}

main().catch((error) => shutDown(1, `load: ${error.stack ?? error}`));
