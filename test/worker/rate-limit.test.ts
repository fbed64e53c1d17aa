/**
 * The rate limit under a burst: the client over the limit gets 429 with Retry-After and
 * nothing else changes. Other clients keep completing whole verifications meanwhile, and the
 * verification the limited client could not exchange is still there to exchange.
 * (keys-and-introspection.test.ts checks the 429 itself; the limit's period is 60 s, so the
 * limited client's own recovery is not waited for here.)
 */
import { SELF } from 'cloudflare:test';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ledgerFor } from '../../worker/ledger/ledger.ts';
import { RATE_LIMIT_PERIOD_SECONDS } from '../../worker/middleware/rate-limit.ts';
import { captureLogs, figures, postDirect } from './hardening.ts';
import { bindings, certify, randomClientIp, SITE, VERIFIER, verifiedBody } from './support.ts';

/** RATE_LIMITER in test/worker/vitest.config.ts: 20 requests per 60 s per client. */
const TEST_LIMIT = 20;

beforeAll(() => { captureLogs(); });
afterAll(() => vi.restoreAllMocks());

/** The limiter counts in windows aligned to the minute: keep the burst and what follows inside one. */
async function awayFromWindowEdge() {
  const left = RATE_LIMIT_PERIOD_SECONDS * 1000 - (Date.now() % (RATE_LIMIT_PERIOD_SECONDS * 1000));
  if (left < 5000) await scheduler.wait(left + 100);
}

describe('a burst over the rate limit', () => {
  it('limits that client only: others complete whole verifications, and the refused exchange used nothing up', async () => {
    const waiting = await verifiedBody();
    await awayFromWindowEdge();
    const burster = randomClientIp();
    const burst: number[] = [];
    for (let i = 0; i < TEST_LIMIT + 10; i++) burst.push((await postDirect('/v1/challenges', {}, { clientIp: burster })).status);
    expect(burst.slice(0, TEST_LIMIT).every((status) => status === 201)).toBe(true);
    expect(burst.slice(TEST_LIMIT).every((status) => status === 429)).toBe(true);

    // The limited client's exchange is refused before anything is read or claimed.
    const refused = await postDirect('/v1/attestations', waiting, { clientIp: burster });
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBe(RATE_LIMIT_PERIOD_SECONDS);
    expect(await ledgerFor(bindings, 'iamport', String(waiting.imp_uid)).isClaimed()).toBe(false);
    // Introspection has its own, higher limit (a site's backend calls it for all its users).
    expect((await postDirect('/v1/introspect', { token: 'a.b.c', audience: SITE }, { clientIp: burster })).status).toBe(200);
    // The public documents are not limited.
    expect((await SELF.fetch(`${VERIFIER}/.well-known/jwks.json`, { headers: { 'cf-connecting-ip': burster } })).status).toBe(200);

    // Meanwhile, ten other clients complete whole verifications at once.
    const others = await Promise.all(Array.from({ length: 10 }, async () => {
      const client = randomClientIp();
      const issued = await postDirect('/v1/challenges', {}, { clientIp: client });
      const callback = await certify('adult', issued.body.merchant_uid);
      const body = { imp_uid: callback.imp_uid, merchant_uid: issued.body.merchant_uid, challenge: issued.body.challenge };
      return (await postDirect('/v1/attestations', body, { clientIp: client })).status;
    }));
    expect(others).toEqual(Array(10).fill(201));

    // And the verification the limited client could not exchange still exchanges, from a client within its limit.
    expect((await postDirect('/v1/attestations', waiting, { clientIp: randomClientIp() })).status).toBe(201);
    figures(`rate limit: burst of ${burst.length} from one client -> ${burst.filter((s) => s === 201).length} x 201, ${burst.filter((s) => s === 429).length} x 429 (Retry-After ${RATE_LIMIT_PERIOD_SECONDS} s); 10 other clients meanwhile -> 10 tokens; the limited client's verification exchanged afterwards`);
  }, 30_000);
});
