// What the bench measures, side by side: the verifier and the baselines, each with the way it
// prepares one verification (untimed) and the one request that is timed.
import { BENCH_ORIGIN } from './verifier.mjs';
import { mapLimit } from '../../scripts/lib/measure.mjs';

/** Challenges are fetched this many at a time while preparing (not measured). */
const PREPARE_CONCURRENCY = 32;
/** The age every bench verification asks for (the stand-in's persons are 30). */
const MIN_AGE = 19;

/** Preparing is not measured: a request that fails on a busy machine is simply asked again. */
const PREPARE_ATTEMPTS = 3;

async function postJson(url, body, headers = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${await response.text()}`);
      return await response.json();
    } catch (error) {
      if (attempt >= PREPARE_ATTEMPTS) throw error;
    }
  }
}

/** Create one adult certification at the stand-in for each merchant_uid (certified_at = now). */
export async function createCertifications(upstreamBase, merchantUids) {
  const impUids = [];
  for (let start = 0; start < merchantUids.length; start += 5000) {
    const { imp_uids: batch } = await postJson(`${upstreamBase}/__bench/certifications`, {
      merchant_uids: merchantUids.slice(start, start + 5000),
    });
    impUids.push(...batch);
  }
  return impUids;
}

/**
 * The verifier: POST /v1/challenges, the certification for its merchant_uid, then the timed POST
 * /v1/attestations. Challenges come from `challengeBase`: any verifier with the same settings.
 */
export function verifierTarget(verifierBase, upstreamBase, challengeBase = verifierBase) {
  return {
    name: 'verifier',
    label: 'verifier (wrangler dev)',
    url: `${verifierBase}/v1/attestations`,
    headers: { origin: BENCH_ORIGIN, 'content-type': 'application/json' },
    okStatus: 201,
    upstreamCallsAtLeast: 1,
    // Each needs a challenge from the verifier: preparing costs time. Enough for 600/s for 10 s,
    // twice the most this machine has done; a pool that still runs dry is reported.
    maxPool: 6_000,
    async prepare(count) {
      const challenges = await mapLimit(Array.from({ length: count }), PREPARE_CONCURRENCY, () =>
        postJson(`${challengeBase}/v1/challenges`, {}, { origin: BENCH_ORIGIN }));
      const impUids = await createCertifications(upstreamBase, challenges.map((c) => c.merchant_uid));
      return challenges.map((challenge, i) => JSON.stringify({
        imp_uid: impUids[i], merchant_uid: challenge.merchant_uid, challenge: challenge.challenge, min_age: MIN_AGE,
      }));
    },
  };
}

let baselineMerchantCounter = 0;

/** A baseline: the certification is made for a site-chosen merchant_uid, then the timed POST /certifications. */
export function baselineTarget(name, label, baselineBase, upstreamBase, upstreamCallsAtLeast) {
  return {
    name,
    label,
    url: `${baselineBase}/certifications`,
    headers: { 'content-type': 'application/json' },
    okStatus: 200,
    upstreamCallsAtLeast,
    maxPool: 40_000, // one batch call to the stand-in: cheap
    async prepare(count) {
      const merchantUids = Array.from({ length: count }, () => `bench_${++baselineMerchantCounter}`);
      const impUids = await createCertifications(upstreamBase, merchantUids);
      return impUids.map((impUid) => JSON.stringify({ imp_uid: impUid }));
    },
  };
}
