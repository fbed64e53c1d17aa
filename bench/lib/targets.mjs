// What the bench measures, side by side: the verifier and the baselines, each with the way it
// prepares one verification (untimed) and the one request that is timed.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BENCH_ORIGIN } from './verifier.mjs';

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

/** bench/lib/challenges.ts, bundled for Node: `mintChallenges(secret, origin, ttlSeconds, count)`. */
export async function loadChallengeMinter(repoRoot, workDir) {
  const outfile = join(workDir, 'challenges.mjs');
  await build({
    entryPoints: [join(repoRoot, 'bench/lib/challenges.ts')],
    bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'warning',
  });
  return (await import(pathToFileURL(outfile).href)).mintChallenges;
}

/**
 * The verifier: a challenge (minted with its CHALLENGE_SECRET), the certification for its
 * merchant_uid, then the timed POST /v1/attestations.
 */
export function verifierTarget(verifierBase, upstreamBase, mintChallenges, challengeSecret) {
  return {
    name: 'verifier',
    label: 'verifier',
    url: `${verifierBase}/v1/attestations`,
    headers: { origin: BENCH_ORIGIN, 'content-type': 'application/json' },
    okStatus: 201,
    upstreamCallsAtLeast: 1,
    maxPool: 8_000, // 600 verifications/s for 10 s is more than twice the most this machine has done
    async prepare(count) {
      const challenges = await mintChallenges(challengeSecret, BENCH_ORIGIN, 600, count);
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
