/**
 * The form mode against those who would turn it on a person or a site (README, "Phone numbers,
 * codes and budgets"): one verification, one number, bound before the first send goes out,
 * proven with a PortOne stand-in that holds a send open; the site's send budget; the optional
 * Turnstile check before PortOne is asked. Through the Worker's fetch handler with the real
 * Durable Objects; PortOne is the stand-in behind `fetch`, or the sandbox's.
 */
import { runInDurableObject } from 'cloudflare:test';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { phoneKeyOf } from '../../worker/otp/flow.ts';
import { otpGuardFor, RESEND_COOLDOWN_SECONDS } from '../../worker/otp/guard.ts';
import { TURNSTILE_SITEVERIFY_URL } from '../../worker/otp/turnstile.ts';
import { findPerson } from '../../worker/sandbox/persons.ts';
import { SANDBOX_OTP } from '../../worker/sandbox/standin/portone-v2-api-flow.ts';
import { parseSettings, type EnvVars } from '../../worker/settings.ts';
import { FakePortOne } from './fake-upstream.ts';
import { postDirect } from './hardening.ts';
import { bindings, randomClientIp, SITE, type Json } from './support.ts';

const portone = new FakePortOne('https://portone.test', 'live_v2_secret');
/** Answers Turnstile's siteverify when a test runs without the sandbox: what `siteverifyAnswer` says. */
let siteverifyAnswer: Json = { success: true, hostname: new URL(SITE).hostname };
let siteverifyCalls: Json[] = [];

beforeAll(() => {
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    if (request.url.startsWith(portone.base)) return portone.fetch(request);
    if (request.url === TURNSTILE_SITEVERIFY_URL) {
      siteverifyCalls.push(await request.json());
      return Response.json(siteverifyAnswer);
    }
    return realFetch(input, init);
  });
});
afterAll(() => vi.restoreAllMocks());
beforeEach(() => {
  siteverifyCalls = [];
  siteverifyAnswer = { success: true, hostname: new URL(SITE).hostname };
});
afterEach(() => vi.useRealTimers());

/** A deployment of the verifier with `overrides`, asked from `origin`: its own CHALLENGE_SECRET keys its phone counts apart. */
function deployment(overrides: EnvVars = {}, origin = SITE) {
  const settings: EnvVars = { CHALLENGE_SECRET: `otp-abuse-${crypto.randomUUID()}`, ...overrides };
  const ask = (path: string, body: Json) => postDirect(path, body, { overrides: settings, clientIp: randomClientIp(), origin });
  return {
    settings, ask,
    async challenge() {
      const issued = await ask('/v1/challenges', { provider: 'portone' });
      expect(issued.status, issued.text).toBe(201);
      return issued.body as { merchant_uid: string; challenge: string };
    },
    send(issued: { merchant_uid: string; challenge: string }, person: string, extra: Json = {}) {
      const found = findPerson(person)!;
      return ask('/v1/otp/send', {
        challenge: issued.challenge, identity_verification_id: issued.merchant_uid, channel_key: 'channel-key-live',
        name: found.name, phone_number: found.phone, identity_number: '9001011', operator: 'SKT', method: 'SMS', ...extra,
      });
    },
    /** The codes the guard counts for a number (under this deployment's secret). */
    async codesTo(person: string) {
      const key = await phoneKeyOf(parseSettings({ ...bindings, ...settings }), findPerson(person)!.phone!);
      return runInDurableObject(otpGuardFor(bindings, 'phone', key), (_instance, state) =>
        state.storage.sql.exec<{ codes: number }>('SELECT codes FROM phones WHERE phone_key = ?', key).toArray()[0]?.codes ?? 0);
    },
  };
}

/** The verifier with the PortOne stand-in behind `fetch` (which a test can hold open). */
const withStandIn = (overrides: EnvVars = {}) => deployment({ PORTONE_API_BASE: portone.base, PORTONE_API_SECRET: portone.secret, ...overrides });
const sends = () => portone.standIn.calls.sendIdentityVerification;

describe('one verification, one number, bound before its first send goes out', () => {
  it('refuses a send to another number while the first is still with PortOne, and counts the resends against the number that got the code', async () => {
    const verifier = withStandIn();
    const issued = await verifier.challenge();
    const before = sends();
    const held = portone.holdNext();
    const toA = verifier.send(issued, 'adult');
    await held.arrived;
    // The send to A is with the carrier (a real one takes most of a second): B comes meanwhile.
    const toB = await verifier.send(issued, 'minor_17');
    expect([toB.status, toB.body.code]).toEqual([400, 'invalid_request']);
    held.release();
    expect((await toA).status).toBe(200);
    expect(sends() - before).toBe(1);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + RESEND_COOLDOWN_SECONDS * 1000);
    expect((await verifier.ask('/v1/otp/resend', { challenge: issued.challenge, identity_verification_id: issued.merchant_uid })).status).toBe(200);
    expect([await verifier.codesTo('adult'), await verifier.codesTo('minor_17')]).toEqual([2, 0]);
    const confirmed = await verifier.ask('/v1/otp/confirm', { challenge: issued.challenge, identity_verification_id: issued.merchant_uid, otp: SANDBOX_OTP });
    expect(confirmed.status, confirmed.text).toBe(201);
  });

  it('lets a corrected number be sent once the first send was refused for sure, and gives the refused code back to its number', async () => {
    const verifier = withStandIn();
    const issued = await verifier.challenge();
    const held = portone.holdNext();
    const toA = verifier.send(issued, 'adult');
    await held.arrived;
    expect((await verifier.send(issued, 'minor_17')).status).toBe(400);
    held.release(Response.json({ type: 'PG_PROVIDER', message: 'x', pgCode: 'X', pgMessage: 'x' }, { status: 502 }));
    expect((await toA).body.code).toBe('carrier_failed');
    expect((await verifier.send(issued, 'minor_17')).status).toBe(200);
    expect([await verifier.codesTo('adult'), await verifier.codesTo('minor_17')]).toEqual([0, 1]);
  });

  it('keeps the verification bound to the first number when its send timed out (the code may be on that phone)', async () => {
    const verifier = withStandIn({ UPSTREAM_TIMEOUT_MS: '300' });
    const issued = await verifier.challenge();
    const held = portone.holdNext();
    const toA = await verifier.send(issued, 'adult');
    expect(toA.body.code).toBe('upstream_unavailable');
    const before = sends();
    const toB = await verifier.send(issued, 'minor_17');
    expect([toB.status, toB.body.code]).toEqual([400, 'invalid_request']);
    expect(sends()).toBe(before);
    held.release();
    expect(await verifier.codesTo('adult')).toBe(1);
  });
});

describe('a site\'s send budget', () => {
  const budgetSite = () => `https://budget-${crypto.randomUUID().slice(0, 8)}.example`;

  it('counts every code PortOne was asked for, carrier refusals and resends included, then answers otp_budget_exhausted with Retry-After and one log line', async () => {
    const site = budgetSite();
    const verifier = deployment({ ALLOWED_ORIGINS: site, OTP_BUDGET_PER_HOUR: '3' }, site);
    const logs = vi.spyOn(console, 'log');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 30_000); // half a minute into the next hour
    expect((await verifier.send(await verifier.challenge(), 'adult', { phone_number: '01077770002' })).body.code).toBe('carrier_failed');
    const issued = await verifier.challenge();
    expect((await verifier.send(issued, 'foreigner')).status).toBe(200);
    vi.setSystemTime(Date.now() + RESEND_COOLDOWN_SECONDS * 1000); // a minute into the hour
    const ids = { challenge: issued.challenge, identity_verification_id: issued.merchant_uid };
    expect((await verifier.ask('/v1/otp/resend', ids)).status).toBe(200);
    const hourEnds = Math.ceil(Date.now() / 3_600_000) * 3_600_000;
    const spentSend = await verifier.send(await verifier.challenge(), 'guardian');
    const waitAtSend = Math.ceil((hourEnds - Date.now()) / 1000);
    vi.setSystemTime(Date.now() + RESEND_COOLDOWN_SECONDS * 1000);
    const spentResend = await verifier.ask('/v1/otp/resend', ids);
    const waitAtResend = Math.ceil((hourEnds - Date.now()) / 1000);
    for (const [answer, wait] of [[spentSend, waitAtSend], [spentResend, waitAtResend]] as const) {
      expect([answer.status, answer.body.code]).toEqual([429, 'otp_budget_exhausted']);
      expect(answer.headers.get('retry-after')).toBe(String(wait));
    }
    const alerts = logs.mock.calls.map(([line]) => JSON.parse(String(line))).filter((line) => line.event === 'otp_budget_exhausted');
    expect(alerts).toEqual([expect.objectContaining({ origin: site, window: 'hour', limit: 3, retry_after_s: waitAtSend })]);
    // The code already sent still confirms; another site's budget is its own.
    expect((await verifier.ask('/v1/otp/confirm', { ...ids, otp: SANDBOX_OTP })).status).toBe(201);
    const other = budgetSite();
    const otherVerifier = deployment({ ALLOWED_ORIGINS: other, OTP_BUDGET_PER_HOUR: '3' }, other);
    expect((await otherVerifier.send(await otherVerifier.challenge(), 'adult')).status).toBe(200);
    // A new hour, a new budget.
    vi.setSystemTime(Date.now() + 3_600_000);
    expect((await verifier.send(await verifier.challenge(), 'guardian')).status).toBe(200);
  });

  it('keeps a day\'s budget too, to midnight in Korea', async () => {
    const site = budgetSite();
    const verifier = deployment({ ALLOWED_ORIGINS: site, OTP_BUDGET_PER_DAY: '1' }, site);
    vi.useFakeTimers({ toFake: ['Date'] }); // a still clock: the wait is computed below from the same moment
    // Half a second into a second, so that a clock that still creeps (workerd's moves across I/O) crosses no boundary.
    vi.setSystemTime(Math.floor(Date.now() / 1000) * 1000 + 500);
    expect((await verifier.send(await verifier.challenge(), 'adult')).status).toBe(200);
    const spent = await verifier.send(await verifier.challenge(), 'minor_17');
    expect(spent.body.code).toBe('otp_budget_exhausted');
    const seoulMidnight = (Math.floor((Date.now() + 9 * 3_600_000) / 86_400_000) + 1) * 86_400_000 - 9 * 3_600_000;
    expect(Number(spent.headers.get('retry-after'))).toBe(Math.ceil((seoulMidnight - Date.now()) / 1000));
  });
});

describe('the Turnstile check before a send', () => {
  const send = async (verifier: ReturnType<typeof deployment>, extra: Json) => verifier.send(await verifier.challenge(), 'turns_19_today', extra);

  it('with Cloudflare\'s test secrets in the sandbox: the passing one sends, the failing and "already spent" ones refuse before PortOne is asked', async () => {
    const passing = deployment({ TURNSTILE_SECRET: '1x0000000000000000000000000000000AA' });
    expect((await send(passing, { turnstile_token: 'XXXX.DUMMY.TOKEN.XXXX' })).status).toBe(200);
    for (const secret of ['2x0000000000000000000000000000000AA', '3x0000000000000000000000000000000AA']) {
      const refused = await send(deployment({ TURNSTILE_SECRET: secret, PORTONE_API_BASE: portone.base, PORTONE_API_SECRET: portone.secret }), { turnstile_token: 'XXXX.DUMMY.TOKEN.XXXX' });
      expect([refused.status, refused.body.code], secret).toEqual([403, 'turnstile_failed']);
    }
    // Without a token: refused, nothing asked.
    const before = sends();
    const missing = await send(deployment({ TURNSTILE_SECRET: '1x0000000000000000000000000000000AA', PORTONE_API_BASE: portone.base, PORTONE_API_SECRET: portone.secret }), {});
    expect([missing.status, missing.body.code]).toEqual([403, 'turnstile_failed']);
    expect(sends()).toBe(before);
  });

  it('asks siteverify with the secret, the token and the client\'s address, and refuses a token solved on another site', async () => {
    const verifier = withStandIn({ SANDBOX: 'false', TURNSTILE_SECRET: '0x4AAAAAAAverifier-own-secret' });
    const before = sends();
    expect((await send(verifier, { turnstile_token: 'token-from-the-widget' })).status).toBe(200);
    expect(siteverifyCalls).toEqual([expect.objectContaining({ secret: '0x4AAAAAAAverifier-own-secret', response: 'token-from-the-widget', remoteip: expect.any(String) })]);
    siteverifyAnswer = { success: true, hostname: 'other.example' };
    const elsewhere = await send(verifier, { turnstile_token: 'token-from-another-site' });
    expect([elsewhere.status, elsewhere.body.code]).toEqual([403, 'turnstile_failed']);
    siteverifyAnswer = { success: false, 'error-codes': ['timeout-or-duplicate'] };
    expect((await send(verifier, { turnstile_token: 'token-used-twice' })).body.code).toBe('turnstile_failed');
    expect(sends() - before).toBe(1);
  });

  it('is refused in production with a test secret, which would check nothing', () => {
    expect(() => parseSettings({ ...bindings, ENVIRONMENT: 'production', TURNSTILE_SECRET: '1x0000000000000000000000000000000AA' }))
      .toThrow(/TURNSTILE_SECRET is one of Cloudflare's test secrets/);
  });
});
