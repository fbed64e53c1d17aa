/**
 * The rate limits, with wrangler.toml's own numbers: exchanges are limited per client (an IPv4
 * address, an IPv6 /64) and the client over the limit gets 429 with Retry-After while nothing
 * else changes: other clients keep completing whole verifications, and the verification the
 * limited client could not exchange is still there to exchange. Challenges have a limit high
 * enough for a carrier address shared by many people.
 * (The limit's period is 60 s, so the limited client's own recovery is not waited for here.)
 */
import { SELF } from 'cloudflare:test';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ledgerFor } from '../../worker/ledger/ledger.ts';
import { clientKey, RATE_LIMIT_PERIOD_SECONDS } from '../../worker/middleware/rate-limit.ts';
import { captureLogs, figures, postDirect } from './hardening.ts';
import { bindings, certify, fetchWith, randomClientIp, SITE, VERIFIER, verifiedBody } from './support.ts';

const LIMITS = JSON.parse(bindings.RATE_LIMITS) as Record<string, { limit: number; period: number }>;
const EXCHANGE_LIMIT = LIMITS.EXCHANGE_RATE_LIMITER!.limit;
const CHALLENGE_LIMIT = LIMITS.CHALLENGE_RATE_LIMITER!.limit;

beforeAll(() => { captureLogs(); });
afterAll(() => vi.restoreAllMocks());

/** The limiter counts in windows aligned to the minute: keep a burst and what follows inside one (`atLeastMs` of it left). */
async function awayFromWindowEdge(atLeastMs = 15_000) {
  const left = RATE_LIMIT_PERIOD_SECONDS * 1000 - (Date.now() % (RATE_LIMIT_PERIOD_SECONDS * 1000));
  if (left < atLeastMs) await scheduler.wait(left + 100);
}

/** `count` exchanges from one client, one after another (malformed: each is refused cheaply, and counted). */
async function exchangeBurst(count: number, send: () => Promise<number>) {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push(await send());
  return statuses;
}

describe('the exchange rate limit', () => {
  it('limits the client over it only: others complete whole verifications, and the refused exchange used nothing up', async () => {
    const waiting = await verifiedBody();
    await awayFromWindowEdge();
    const burster = randomClientIp();
    const burst = await exchangeBurst(EXCHANGE_LIMIT + 5, async () => (await postDirect('/v1/attestations', {}, { clientIp: burster })).status);
    expect(burst.slice(0, EXCHANGE_LIMIT).every((status) => status === 400)).toBe(true);
    expect(burst.slice(EXCHANGE_LIMIT).every((status) => status === 429)).toBe(true);

    // The limited client's exchange is refused before anything is read or claimed, in a problem its page can read.
    const refused = await postDirect('/v1/attestations', waiting, { clientIp: burster });
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBe(RATE_LIMIT_PERIOD_SECONDS);
    expect(refused.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(await ledgerFor(bindings, 'iamport', String(waiting.imp_uid)).isClaimed()).toBe(false);
    // Challenges and introspection have limits of their own.
    expect((await postDirect('/v1/challenges', {}, { clientIp: burster })).status).toBe(201);
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
    figures(`rate limit: ${burst.length} exchanges from one client -> ${burst.filter((s) => s !== 429).length} answered, ${burst.filter((s) => s === 429).length} x 429 (Retry-After ${RATE_LIMIT_PERIOD_SECONDS} s); 10 other clients meanwhile -> 10 tokens; the limited client's verification exchanged afterwards`);
  }, 120_000);

  it('lets a carrier address shared by many people ask for a challenge on every page view, and stops a flood past the challenge limit', async () => {
    expect(CHALLENGE_LIMIT).toBeGreaterThanOrEqual(EXCHANGE_LIMIT * 2);
    // A thousand requests take a while on a loaded machine: most of a window for them.
    await awayFromWindowEdge(50_000);
    const carrier = randomClientIp();
    const statuses = await Promise.all(Array.from({ length: CHALLENGE_LIMIT }, async () => (await postDirect('/v1/challenges', {}, { clientIp: carrier })).status));
    expect(statuses.every((status) => status === 201)).toBe(true);
    const flood = await postDirect('/v1/challenges', {}, { clientIp: carrier });
    expect([flood.status, flood.body.code, flood.headers.get('retry-after')]).toEqual([429, 'rate_limited', String(RATE_LIMIT_PERIOD_SECONDS)]);
    expect((await postDirect('/v1/challenges', {}, { clientIp: randomClientIp() })).status).toBe(201);
  }, 180_000);

  it('counts clients without CF-Connecting-IP in one bucket of their own, apart from every address', async () => {
    await awayFromWindowEdge();
    const withoutAddress = async () => (await fetchWith({}, new Request(`${VERIFIER}/v1/attestations`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: SITE }, body: '{}',
    }))).status;
    const burst = await exchangeBurst(EXCHANGE_LIMIT + 1, withoutAddress);
    expect(burst.slice(0, EXCHANGE_LIMIT).every((status) => status === 400)).toBe(true);
    expect(burst[EXCHANGE_LIMIT]).toBe(429);
    // A client with an address is not in that bucket.
    expect((await postDirect('/v1/attestations', {}, { clientIp: randomClientIp() })).status).toBe(400);
  }, 120_000);
});

describe('who a client is', () => {
  it('counts an IPv6 client by its /64, however the address is spelled, and an IPv4 client by its address', () => {
    const prefix = 'v6:2001:0db8:00ab:0012::/64';
    for (const address of ['2001:db8:ab:12::1', '2001:DB8:AB:12:FFFF:1:2:3', '2001:0db8:00ab:0012:0000:0000:0000:0009', '2001:db8:ab:12::', '2001:db8:ab:12:1::1.2.3.4']) {
      expect(clientKey(address), address).toBe(prefix);
    }
    expect(clientKey('2001:db8:ab:13::1')).not.toBe(prefix);
    expect(clientKey('::1')).toBe('v6:0000:0000:0000:0000::/64');
    expect([clientKey('203.0.113.7'), clientKey('203.0.113.8')]).toEqual(['v4:203.0.113.7', 'v4:203.0.113.8']);
    // An IPv4-mapped IPv6 address is that IPv4 client.
    expect(clientKey('::ffff:203.0.113.7')).toBe('v4:203.0.113.7');
    expect(clientKey('::ffff:cb00:7107')).toBe('v4:203.0.113.7');
    // Not an address (only a local or test caller sends that): itself.
    for (const text of ['1:2:3:4:5:6:7:8:9', '1::2::3', '203.0.113.256', 'gggg::1']) expect(clientKey(text)).toBe(`other:${text}`);
  });
});

describe('the form mode\'s rate limit', () => {
  it('counts every address of one IPv6 /64 as one client, and another /64 apart', async () => {
    const limit = LIMITS.OTP_RATE_LIMITER!.limit;
    await awayFromWindowEdge();
    // A /64 of its own for this run (documentation prefix 2001:db8::/32).
    const groups = crypto.getRandomValues(new Uint16Array(2));
    const prefix = `2001:db8:${groups[0]!.toString(16)}:${groups[1]!.toString(16)}`;
    const burst = await exchangeBurst(limit + 3, async () => (await postDirect('/v1/otp/confirm', {}, { clientIp: `${prefix}:${crypto.getRandomValues(new Uint16Array(1))[0]!.toString(16)}::${Math.floor(Math.random() * 0xffff).toString(16)}` })).status);
    expect(burst.slice(0, limit).every((status) => status === 400)).toBe(true);
    expect(burst.slice(limit)).toEqual([429, 429, 429]);
    expect((await postDirect('/v1/otp/confirm', {}, { clientIp: `2001:db8:${groups[0]!.toString(16)}:${((groups[1]! + 1) & 0xffff).toString(16)}::1` })).status).toBe(400);
  }, 120_000);

  it('limits one client\'s sends, resends and confirms together, before anything is asked of PortOne or counted for the phone', async () => {
    const limit = LIMITS.OTP_RATE_LIMITER!.limit;
    await awayFromWindowEdge();
    const client = randomClientIp();
    const paths = ['/v1/otp/send', '/v1/otp/resend', '/v1/otp/confirm'];
    const burst = await exchangeBurst(limit + 3, async () => (await postDirect(paths[Math.floor(Math.random() * 3)]!, {}, { clientIp: client })).status);
    expect(burst.slice(0, limit).every((status) => status === 400)).toBe(true);
    expect(burst.slice(limit).every((status) => status === 429)).toBe(true);
    const refused = await postDirect('/v1/otp/send', {}, { clientIp: client });
    expect([refused.body.code, refused.headers.get('retry-after')]).toEqual(['rate_limited', String(RATE_LIMIT_PERIOD_SECONDS)]);
    // Exchanges have a limit of their own.
    expect((await postDirect('/v1/attestations', {}, { clientIp: client })).status).toBe(400);
  }, 120_000);
});
