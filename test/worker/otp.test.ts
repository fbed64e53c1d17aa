/**
 * The form mode (PortOne V2's API flow, no window) through the verifier's HTTP face, against the
 * sandbox's PortOne stand-in and the real Durable Objects: send a code, confirm it, and get the
 * attestation `/v1/attestations` gives; every upstream error; the limits; idempotency.
 */
import { runDurableObjectAlarm, runInDurableObject, SELF } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { otpGuardFor, PHONE_WINDOW_SECONDS, CODE_LIFETIME_SECONDS, MAX_CODES_PER_PHONE, MAX_CODES_PER_VERIFICATION, MAX_CONFIRM_ATTEMPTS, RESEND_COOLDOWN_SECONDS, SPENT_RETRY_AFTER_SECONDS } from '../../worker/otp/guard.ts';
import { COMMAND_PHONES, SANDBOX_OTP } from '../../worker/sandbox/standin/portone-v2-api-flow.ts';
import { VerifyError } from '../../worker/errors.ts';
import { findPerson } from '../../worker/sandbox/persons.ts';
import { PortOneClient } from '../../worker/upstream/portone.ts';
import { FakePortOne } from './fake-upstream.ts';
import { parseSettings, type EnvVars } from '../../worker/settings.ts';
import { postDirect } from './hardening.ts';
import { attest, bindings, challenge, post, randomClientIp, SITE, VERIFIER, verifiedBody, type Json } from './support.ts';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** A `portone` challenge: the form mode's verification id is its merchant_uid. */
const otpChallenge = () => challenge(undefined, SITE, 'portone');

/** The send body for a sandbox person (chosen by phone number). The details typed are the person's own. */
function sendBody(issued: { merchant_uid: string; challenge: string }, person = 'adult', overrides: Json = {}) {
  const found = findPerson(person)!;
  return {
    challenge: issued.challenge, identity_verification_id: issued.merchant_uid, channel_key: 'channel-key-sandbox',
    name: found.name, phone_number: found.phone, identity_number: '9001011', operator: 'SKT', method: 'SMS', ...overrides,
  };
}

const ids = (issued: { merchant_uid: string; challenge: string }) => ({ challenge: issued.challenge, identity_verification_id: issued.merchant_uid });

async function sent(person = 'adult', overrides: Json = {}) {
  const issued = await otpChallenge();
  const answer = await post('/v1/otp/send', sendBody(issued, person, overrides));
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return { issued, answer };
}

async function stats() {
  return (await (await SELF.fetch(`${VERIFIER}/sandbox/stats`)).json()) as Record<string, number>;
}

async function record(id: string) {
  const response = await SELF.fetch(`${VERIFIER}/sandbox/portone/identity-verifications/${id}`, { headers: { authorization: 'PortOne sandbox_portone_secret' } });
  return (await response.json()) as Json;
}

describe('POST /v1/otp/send and /v1/otp/confirm', () => {
  it('verifies an adult by SMS code with no window, and answers the attestation /v1/attestations gives', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { issued, answer } = await sent('adult');
    expect(answer.body).toEqual({
      identity_verification_id: issued.merchant_uid, method: 'SMS',
      sent_at: expect.any(Number), resend_available_at: expect.any(Number), code_expires_at: expect.any(Number),
    });
    expect(answer.body.code_expires_at - answer.body.sent_at).toBe(CODE_LIFETIME_SECONDS);
    expect(answer.body.resend_available_at - answer.body.sent_at).toBe(RESEND_COOLDOWN_SECONDS);
    expect(answer.body.code_expires_at - before).toBeGreaterThanOrEqual(CODE_LIFETIME_SECONDS - 1);
    expect(answer.body.resend_available_at - before).toBeGreaterThanOrEqual(RESEND_COOLDOWN_SECONDS - 1);
    expect(answer.response.headers.get('access-control-allow-origin')).toBe(SITE);

    const confirmed = await post('/v1/otp/confirm', { ...ids(issued), otp: SANDBOX_OTP, min_age: 19, nonce: 'form-nonce' });
    expect(confirmed.status).toBe(201);
    expect(confirmed.body.claims).toMatchObject({
      provider: 'portone', identity_verification_id: issued.merchant_uid, merchant_uid: issued.merchant_uid,
      age_over: 19, nonce: 'form-nonce', aud: SITE,
    });
    // The upstream's record is the one GET answers: VERIFIED, the person's, on a test channel.
    const verified = await record(issued.merchant_uid);
    expect(verified).toMatchObject({ status: 'VERIFIED', channel: { type: 'TEST' }, verifiedCustomer: { name: findPerson('adult')!.name } });
    // One person, one sub: the same as through the window.
    const v1 = await attest(await verifiedBody('adult'));
    expect(confirmed.body.claims.sub).toBe(v1.body.claims.sub);
  });

  it('refuses a 17-year-old when 19 is asked, as the exchange does; the record then decides a request sent again', async () => {
    const { issued } = await sent('minor_17');
    const { status, body } = await post('/v1/otp/confirm', { ...ids(issued), otp: SANDBOX_OTP, min_age: 19 });
    expect(status).toBe(422);
    expect(body.code).toBe('age_requirement_not_met');
    // PortOne now says ALREADY_VERIFIED: the verifier reads the record instead, and the exchange decides (nothing was used up).
    const without = await post('/v1/otp/confirm', { ...ids(issued), otp: SANDBOX_OTP });
    expect(without.status).toBe(201);
    expect(without.body.claims).not.toHaveProperty('age_over');
  });

  it('honours min_year_age: the year rule passes a person 만 나이 refuses', async () => {
    const byYear = await sent('year_age_19');
    const yearly = await post('/v1/otp/confirm', { ...ids(byYear.issued), otp: SANDBOX_OTP, min_year_age: 19 });
    const today = new Date(Date.now() + 9 * 3_600_000);
    expect(yearly.status).toBe(201);
    expect(yearly.body.claims.year_age_over).toBe(19);
    if (!(today.getUTCMonth() === 11 && today.getUTCDate() === 31)) {
      const byAge = await sent('year_age_19');
      expect((await post('/v1/otp/confirm', { ...ids(byAge.issued), otp: SANDBOX_OTP, min_age: 19 })).body.code).toBe('age_requirement_not_met');
    }
  });

  it('refuses guardian_under in form mode with invalid_request, before asking PortOne', async () => {
    const { issued } = await sent('child_10');
    const before = await stats();
    const { status, body } = await post('/v1/otp/confirm', { ...ids(issued), otp: SANDBOX_OTP, guardian_under: 14 });
    expect(status).toBe(400);
    expect(body.code).toBe('invalid_request');
    expect(body.detail).toContain('guardian');
    expect((await stats()).confirmIdentityVerification).toBe(before.confirmIdentityVerification);
  });

  it('answers the very same confirm again with the same attestation, without asking PortOne or counting an attempt; another is already_used', async () => {
    const { issued } = await sent('turns_19_today');
    const body = { ...ids(issued), otp: SANDBOX_OTP, min_age: 19 };
    const first = await post('/v1/otp/confirm', body);
    expect(first.status).toBe(201);
    const before = await stats();
    const again = await Promise.all(Array.from({ length: MAX_CONFIRM_ATTEMPTS + 2 }, () => post('/v1/otp/confirm', body)));
    for (const answer of again) expect(answer.body).toEqual(first.body);
    expect((await stats()).confirmIdentityVerification).toBe(before.confirmIdentityVerification);
    // The same verification exchanged through /v1/attestations is the same request: the same answer.
    const { otp: _, ...exchangeBody } = body;
    expect((await attest({ provider: 'portone', ...exchangeBody })).body).toEqual(first.body);
    // Any other request for it is refused.
    const other = await post('/v1/otp/confirm', { ...body, nonce: 'another' });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('already_used');
  });
});

describe('wrong and expired codes', () => {
  it(`answers otp_incorrect for a wrong code until ${MAX_CONFIRM_ATTEMPTS} attempts, then spends the challenge`, async () => {
    const { issued } = await sent('foreigner');
    for (let attempt = 1; attempt <= MAX_CONFIRM_ATTEMPTS; attempt++) {
      const wrong = await post('/v1/otp/confirm', { ...ids(issued), otp: '482913' });
      expect(wrong.status).toBe(422);
      expect(wrong.body.code).toBe('otp_incorrect');
      // The PG's own words are never passed on.
      expect(wrong.body.detail).not.toContain('sandbox');
    }
    const before = await stats();
    const spent = await post('/v1/otp/confirm', { ...ids(issued), otp: SANDBOX_OTP });
    expect(spent.status).toBe(429);
    expect(spent.body.code).toBe('otp_attempts_exceeded');
    expect(spent.response.headers.get('retry-after')).toBe(String(SPENT_RETRY_AFTER_SECONDS));
    expect((await stats()).confirmIdentityVerification).toBe(before.confirmIdentityVerification);
    // The upstream was never verified: nothing to exchange either.
    expect((await record(issued.merchant_uid)).status).toBe('READY');
  });

  it('verifies with the right code after wrong ones; a confirm with no code is invalid_request and no attempt', async () => {
    const { issued } = await sent('inicis_no_di');
    const before = await stats();
    for (let i = 0; i < MAX_CONFIRM_ATTEMPTS + 1; i++) expect((await post('/v1/otp/confirm', ids(issued))).body.code).toBe('invalid_request');
    expect((await stats()).confirmIdentityVerification).toBe(before.confirmIdentityVerification);
    for (let i = 0; i < 3; i++) expect((await post('/v1/otp/confirm', { ...ids(issued), otp: '111111' })).body.code).toBe('otp_incorrect');
    expect((await post('/v1/otp/confirm', { ...ids(issued), otp: SANDBOX_OTP })).status).toBe(201);
  });

  it('answers otp_expired after the code\'s 3 minutes, and a resend gives a code that verifies', async () => {
    const { issued } = await sent('guardian');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + (CODE_LIFETIME_SECONDS + 1) * 1000);
    const expired = await post('/v1/otp/confirm', { ...ids(issued), otp: SANDBOX_OTP });
    expect(expired.status).toBe(422);
    expect(expired.body.code).toBe('otp_expired');
    const resent = await post('/v1/otp/resend', ids(issued));
    expect(resent.status).toBe(200);
    expect(resent.body.code_expires_at).toBeGreaterThan(Math.floor(Date.now() / 1000) + CODE_LIFETIME_SECONDS - 2);
    expect((await post('/v1/otp/confirm', { ...ids(issued), otp: SANDBOX_OTP })).status).toBe(201);
  });

  it('answers otp_not_sent to a confirm or resend before any code, without asking PortOne', async () => {
    const issued = await otpChallenge();
    const before = await stats();
    const confirm = await post('/v1/otp/confirm', { ...ids(issued), otp: SANDBOX_OTP });
    const resend = await post('/v1/otp/resend', ids(issued));
    expect([confirm.status, confirm.body.code, resend.status, resend.body.code]).toEqual([409, 'otp_not_sent', 409, 'otp_not_sent']);
    const after = await stats();
    expect([after.confirmIdentityVerification, after.resendIdentityVerification]).toEqual([before.confirmIdentityVerification, before.resendIdentityVerification]);
  });
});

describe('the PASS app (APP method)', () => {
  it('verifies once the person approved in the app; before that, a confirm is not accepted', async () => {
    const issued = await otpChallenge();
    const send = await post('/v1/otp/send', sendBody(issued, 'child_10', { method: 'APP', identity_number: undefined }));
    expect(send.status).toBe(200);
    expect(send.body.method).toBe('APP');
    const early = await post('/v1/otp/confirm', ids(issued));
    expect(early.body.code).toBe('otp_incorrect');
    // An APP push is not resent.
    expect((await post('/v1/otp/resend', ids(issued))).body.code).toBe('invalid_request');
    const approval = await SELF.fetch(`${VERIFIER}/sandbox/otp/approve`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identity_verification_id: issued.merchant_uid }),
    });
    expect(approval.status).toBe(200);
    const confirmed = await post('/v1/otp/confirm', ids(issued));
    expect(confirmed.status).toBe(201);
    expect(confirmed.body.claims.identity_verification_id).toBe(issued.merchant_uid);
  });
});

describe('upstream errors', () => {
  /** What PortOne (message) and the PG (pgMessage) said for a phone: the sandbox's commands, and a number no carrier knows. */
  const upstreamWords = (phone: string): string[] => {
    const command: { message: string; pgMessage?: string } | undefined = COMMAND_PHONES[phone as keyof typeof COMMAND_PHONES];
    if (!command) return ['PG사에서 오류를 전달했습니다.', '가입자 정보가 일치하지 않습니다. (sandbox)'];
    return command.pgMessage ? [command.message, command.pgMessage] : [command.message];
  };

  it.each([
    ['01099990001', 502, 'carrier_failed'],
    ['01099990002', 502, 'carrier_failed'],
    ['01099990003', 403, 'otp_not_contracted'],
    ['01099990004', 403, 'otp_not_contracted'],
    ['01055550000', 502, 'carrier_failed'],
  ])('maps the send of %s to %s %s, and never passes PortOne\'s or the PG\'s words on', async (phone, status, code) => {
    const issued = await otpChallenge();
    const answer = await post('/v1/otp/send', sendBody(issued, 'adult', { phone_number: phone }));
    expect([answer.status, answer.body.code]).toEqual([status, code]);
    for (const words of upstreamWords(phone)) expect(answer.body.detail).not.toContain(words);
    expect(answer.body.detail).not.toMatch(/[가-힣]|sandbox/);
  });

  it('lets a failed send be tried again with corrected details', async () => {
    const issued = await otpChallenge();
    expect((await post('/v1/otp/send', sendBody(issued, 'adult', { phone_number: '01099990002' }))).body.code).toBe('carrier_failed');
    expect((await post('/v1/otp/send', sendBody(issued, 'no_ci', { phone_number: '01000000006' }))).status).toBe(200);
    // The person has no CI: the exchange's own check refuses them.
    expect((await post('/v1/otp/confirm', { ...ids(issued), otp: SANDBOX_OTP })).body.code).toBe('identity_key_missing');
  });
});

describe('the PortOne client\'s API flow errors', () => {
  const portone = new FakePortOne('https://portone.test', 'live_v2_secret');
  const client = new PortOneClient({ base: portone.base, secret: portone.secret }, (request) => portone.fetch(request), 5_000);
  const refusal = (status: number, type: string) => () => Response.json({ type, message: '<b>PG says</b>', pgCode: 'X1', pgMessage: '<script>alert(1)</script>' }, { status });

  it.each([
    ['send', 400, 'INVALID_REQUEST', 'invalid_request'],
    ['send', 400, 'MAX_TRANSACTION_COUNT_REACHED', 'carrier_failed'],
    ['send', 401, 'UNAUTHORIZED', 'upstream_auth_failed'],
    ['send', 403, 'FORBIDDEN', 'otp_not_contracted'],
    ['send', 404, 'CHANNEL_NOT_FOUND', 'otp_not_contracted'],
    ['send', 404, 'IDENTITY_VERIFICATION_NOT_FOUND', 'certification_not_found'],
    ['send', 409, 'IDENTITY_VERIFICATION_ALREADY_SENT', 'otp_already_sent'],
    ['send', 409, 'IDENTITY_VERIFICATION_ALREADY_VERIFIED', 'already_used'],
    ['send', 502, 'PG_PROVIDER', 'carrier_failed'],
    ['resend', 404, 'IDENTITY_VERIFICATION_NOT_SENT', 'otp_not_sent'],
    ['resend', 502, 'PG_PROVIDER', 'carrier_failed'],
    ['confirm', 404, 'IDENTITY_VERIFICATION_NOT_SENT', 'otp_not_sent'],
    ['confirm', 409, 'IDENTITY_VERIFICATION_ALREADY_VERIFIED', 'already_used'],
    ['confirm', 502, 'PG_PROVIDER', 'otp_incorrect'],
    ['confirm', 503, undefined, 'upstream_unavailable'],
  ] as const)('maps %s\'s %i %s to %s, with a fixed detail', async (step, status, type, code) => {
    portone.script.push(type ? refusal(status, type) : () => new Response('<html>down</html>', { status }));
    const call = step === 'send'
      ? client.sendIdentityVerification('iv', { channelKey: 'k', customer: { name: 'n', phoneNumber: '01000000001', ipAddress: '203.0.113.9' }, operator: 'SKT', method: 'APP' })
      : step === 'resend' ? client.resendIdentityVerification('iv', undefined) : client.confirmIdentityVerification('iv', '000000', undefined);
    const error = await call.then(() => undefined, (thrown: unknown) => thrown as VerifyError);
    expect(error).toBeInstanceOf(VerifyError);
    expect(error!.code).toBe(code);
    expect(error!.detail).not.toMatch(/PG says|script|X1/);
  });
});

describe('limits', () => {
  it(`allows ${MAX_CODES_PER_VERIFICATION} codes per verification, then otp_send_limited with Retry-After`, async () => {
    const issued = await otpChallenge();
    for (let i = 0; i < MAX_CODES_PER_VERIFICATION; i++) {
      expect((await post('/v1/otp/send', sendBody(issued, 'adult', { phone_number: '01099990001' }))).body.code).toBe('carrier_failed');
    }
    const before = await stats();
    const limited = await post('/v1/otp/send', sendBody(issued));
    expect([limited.status, limited.body.code]).toEqual([429, 'otp_send_limited']);
    expect(Number(limited.response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await stats()).sendIdentityVerification).toBe(before.sendIdentityVerification);
  });

  it('refuses a resend within the cooldown, and the fourth code of a verification', async () => {
    const { issued } = await sent('year_age_19');
    const early = await post('/v1/otp/resend', ids(issued));
    expect([early.status, early.body.code]).toEqual([429, 'otp_send_limited']);
    expect(Number(early.response.headers.get('retry-after'))).toBeLessThanOrEqual(RESEND_COOLDOWN_SECONDS);
    vi.useFakeTimers({ toFake: ['Date'] });
    for (let code = 2; code <= MAX_CODES_PER_VERIFICATION; code++) {
      vi.setSystemTime(Date.now() + RESEND_COOLDOWN_SECONDS * 1000);
      expect((await post('/v1/otp/resend', ids(issued))).status).toBe(200);
    }
    vi.setSystemTime(Date.now() + RESEND_COOLDOWN_SECONDS * 1000);
    const limited = await post('/v1/otp/resend', ids(issued));
    expect([limited.status, limited.body.code]).toEqual([429, 'otp_send_limited']);
  });

  it('starts the cooldown when a resend begins, so resends sent at once give one code, not several', async () => {
    const { issued } = await sent('leap_day');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + RESEND_COOLDOWN_SECONDS * 1000);
    const before = await stats();
    const answers = await Promise.all([1, 2, 3].map(() => post('/v1/otp/resend', ids(issued))));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 429, 429]);
    expect((await stats()).resendIdentityVerification! - before.resendIdentityVerification!).toBe(1);
  });

  it('binds a verification to the number its code went to: a send to another number after it is refused and costs nothing', async () => {
    const { issued } = await sent('turns_19_today');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + RESEND_COOLDOWN_SECONDS * 1000);
    const before = await stats();
    // Resends go to the number PortOne has: counting them against another would dodge the phone limit.
    const other = await post('/v1/otp/send', sendBody(issued, 'adult', { phone_number: '01077770009' }));
    expect([other.status, other.body.code]).toEqual([400, 'invalid_request']);
    expect((await stats()).sendIdentityVerification).toBe(before.sendIdentityVerification);
    expect((await post('/v1/otp/confirm', { ...ids(issued), otp: SANDBOX_OTP })).status).toBe(201);
  });

  it('counts no code against a number when PortOne refused the send before any carrier (no contract, a bogus channel)', async () => {
    for (let i = 0; i <= MAX_CODES_PER_PHONE; i++) {
      expect((await post('/v1/otp/send', sendBody(await otpChallenge(), 'adult', { phone_number: '01099990003' }))).body.code).toBe('otp_not_contracted');
    }
  });

  it(`allows ${MAX_CODES_PER_PHONE} codes to one phone number an hour, across challenges, then the same wait whatever its history`, async () => {
    // A deployment of its own (another CHALLENGE_SECRET keys the numbers apart): the adult's number starts from nothing.
    const own = ownDeployment();
    for (let i = 0; i < MAX_CODES_PER_PHONE; i++) expect((await own.send('adult')).status).toBe(200);
    const before = await stats();
    const limited = await own.send('adult');
    expect([limited.status, limited.body.code]).toEqual([429, 'otp_send_limited']);
    expect((await stats()).sendIdentityVerification).toBe(before.sendIdentityVerification);
    // The wait is the whole window, now and 40 minutes later: it tells nobody when the codes went out, or how many.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 40 * 60_000);
    const later = await own.send('adult');
    for (const answer of [limited, later]) expect(answer.headers.get('retry-after')).toBe(String(PHONE_WINDOW_SECONDS));
    expect(later.body).toEqual(limited.body);
    // Another number is not affected.
    expect((await own.send('minor_17')).status).toBe(200);
  });
});

/**
 * A deployment with a CHALLENGE_SECRET of its own (through the Worker's fetch handler, with the
 * real Durable Objects): the guard's phone keys are HMACs under that secret, so its per-number
 * counts start from nothing, whatever other tests sent to the sandbox's numbers.
 */
function ownDeployment(overrides: EnvVars = {}, origin = SITE) {
  const settings = { CHALLENGE_SECRET: `otp-test-${crypto.randomUUID()}`, ...overrides };
  const ask = (path: string, body: Json, clientIp = randomClientIp()) => postDirect(path, body, { overrides: settings, clientIp, origin });
  const challengeFor = async (merchantUid?: string) => {
    const issued = await ask('/v1/challenges', { provider: 'portone', ...(merchantUid ? { merchant_uid: merchantUid } : {}) });
    expect(issued.status, issued.text).toBe(201);
    return issued.body as { merchant_uid: string; challenge: string };
  };
  return {
    settings, ask, challengeFor,
    /** A send under a new challenge (or `issued`) for a sandbox person, with `overrides` to the body. */
    async send(person: string, body: Json = {}, issued?: { merchant_uid: string; challenge: string }) {
      return ask('/v1/otp/send', sendBody(issued ?? await challengeFor(), person, body));
    },
  };
}

describe('a stranger who knows a phone number', () => {
  it('cannot lock it out: sends the carrier refused count against the challenge and the client, never the number', async () => {
    // The carrier refuses every send to a number it does not know (as to a right number with a wrong name).
    const own = ownDeployment();
    const phone = '01077770001';
    const answers = [];
    for (let i = 0; i < MAX_CODES_PER_PHONE + 3; i++) answers.push((await own.send('adult', { phone_number: phone })).body.code);
    expect(answers).toEqual(Array(MAX_CODES_PER_PHONE + 3).fill('carrier_failed'));
    // The challenge's own count still holds: its codes are spent after MAX_CODES_PER_VERIFICATION refusals.
    const issued = await own.challengeFor();
    for (let i = 0; i < MAX_CODES_PER_VERIFICATION; i++) expect((await own.send('adult', { phone_number: phone }, issued)).body.code).toBe('carrier_failed');
    expect((await own.send('adult', { phone_number: phone }, issued)).body.code).toBe('otp_send_limited');
  });

  it('cannot confirm, resend or send again under a challenge of its own for a site-chosen id: only the challenge that sent the code can', async () => {
    const own = ownDeployment();
    const orderId = `order-${crypto.randomUUID().slice(0, 8)}`;
    const person = await own.challengeFor(orderId);
    expect((await own.send('leap_day', {}, person)).status).toBe(200);
    // Later, a stranger asks for a challenge for the same id (a site-chosen id can be asked for by anyone).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + RESEND_COOLDOWN_SECONDS * 1000);
    const stranger = await own.challengeFor(orderId);
    expect(stranger.challenge).not.toBe(person.challenge);
    const strangerIds = { challenge: stranger.challenge, identity_verification_id: orderId };
    const before = await stats();
    for (let i = 0; i < MAX_CONFIRM_ATTEMPTS + 1; i++) {
      const guess = await own.ask('/v1/otp/confirm', { ...strangerIds, otp: '482913' });
      expect([guess.status, guess.body.code]).toEqual([409, 'otp_not_sent']);
    }
    const resend = await own.ask('/v1/otp/resend', strangerIds);
    expect([resend.status, resend.body.code]).toEqual([409, 'otp_not_sent']);
    const send = await own.send('leap_day', {}, stranger);
    expect([send.status, send.body.code]).toEqual([409, 'otp_already_sent']);
    const after = await stats();
    expect([after.confirmIdentityVerification, after.resendIdentityVerification, after.sendIdentityVerification])
      .toEqual([before.confirmIdentityVerification, before.resendIdentityVerification, before.sendIdentityVerification]);
    // The person's attempts and code are untouched: a resend and the right code verify.
    const personIds = { challenge: person.challenge, identity_verification_id: orderId };
    expect((await own.ask('/v1/otp/resend', personIds)).status).toBe(200);
    expect((await own.ask('/v1/otp/confirm', { ...personIds, otp: SANDBOX_OTP })).status).toBe(201);
  });
});

describe('what the guard keeps', () => {
  it('forgets a phone number\'s count when its window ends, and a verification\'s once its challenge is unusable', async () => {
    const hour = PHONE_WINDOW_SECONDS * 1000;
    const [gonePhone, keptPhone, goneId] = [`gone-${crypto.randomUUID()}`, `kept-${crypto.randomUUID()}`, `gone-${crypto.randomUUID().slice(0, 8)}`];
    await otpGuardFor(bindings, 'phone', gonePhone).countPhone(gonePhone, Date.now() - hour - 1000);
    await otpGuardFor(bindings, 'phone', keptPhone).countPhone(keptPhone, Date.now());
    await otpGuardFor(bindings, 'verification', goneId).beginSend(goneId, 'a-challenge-key', gonePhone, Date.now(), Date.now() - 1000);
    for (const [kind, key] of [['phone', gonePhone], ['phone', keptPhone], ['verification', goneId]] as const) {
      await runDurableObjectAlarm(otpGuardFor(bindings, kind, key));
    }
    const held = (kind: 'phone' | 'verification', key: string) => runInDurableObject(otpGuardFor(bindings, kind, key), (_instance, state) =>
      state.storage.sql.exec<{ n: number }>(kind === 'phone' ? 'SELECT COUNT(*) AS n FROM phones WHERE phone_key = ?' : 'SELECT COUNT(*) AS n FROM verifications WHERE id = ?', key).one().n);
    expect([await held('phone', gonePhone), await held('phone', keptPhone), await held('verification', goneId)]).toEqual([0, 1, 0]);
  });
});

describe('how long the guard keeps a phone number\'s hash (README, form mode: Privacy)', () => {
  it('beside a verification until its challenge can no longer be exchanged: 48 hours at the settings\' longest, and in the per-number count an hour', async () => {
    // The longest the settings allow: a day each (one more second is refused).
    for (const name of ['CHALLENGE_TTL_SECONDS', 'MAX_CERT_AGE_SECONDS'] as const) {
      expect(() => parseSettings({ ...bindings, [name]: '86401' })).toThrow(name);
    }
    const longest = ownDeployment({ CHALLENGE_TTL_SECONDS: '86400', MAX_CERT_AGE_SECONDS: '86400' });
    const issued = await longest.challengeFor() as { merchant_uid: string; challenge: string; issued_at: number };
    const sentAt = Date.now();
    expect((await longest.send('child_10', {}, issued)).status).toBe(200);
    const guard = otpGuardFor(bindings, 'verification', issued.merchant_uid);
    const kept = () => runInDurableObject(guard, (_instance, state) =>
      state.storage.sql.exec<{ forget_at: number; phone_key: string }>('SELECT forget_at, phone_key FROM verifications WHERE id = ?', issued.merchant_uid).toArray()[0]);
    const row = (await kept())!;
    expect(row.forget_at).toBe((issued.issued_at + 2 * 86_400) * 1000);
    const phoneGuard = otpGuardFor(bindings, 'phone', row.phone_key);
    const windowEndsAt = await runInDurableObject(phoneGuard, (_instance, state) =>
      state.storage.sql.exec<{ window_ends_at: number }>('SELECT window_ends_at FROM phones WHERE phone_key = ?', row.phone_key).one().window_ends_at);
    expect(windowEndsAt - sentAt).toBeGreaterThanOrEqual(PHONE_WINDOW_SECONDS * 1000);
    expect(windowEndsAt - sentAt).toBeLessThan(PHONE_WINDOW_SECONDS * 1000 + 60_000);
    // Then it is gone.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(row.forget_at + 1000);
    await runDurableObjectAlarm(guard);
    await runDurableObjectAlarm(phoneGuard);
    expect(await kept()).toBeUndefined();
    expect(await runInDurableObject(phoneGuard, (_instance, state) =>
      state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM phones WHERE phone_key = ?', row.phone_key).one().n)).toBe(0);
  });
});

describe('who may ask', () => {
  it('refuses another origin, with no CORS for it, and asks PortOne nothing', async () => {
    const issued = await otpChallenge();
    const before = await stats();
    const answer = await post('/v1/otp/send', sendBody(issued), { origin: 'https://evil.example' });
    expect([answer.status, answer.body.code]).toEqual([403, 'origin_not_allowed']);
    expect(answer.response.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await SELF.fetch(`${VERIFIER}/v1/otp/confirm`, { method: 'OPTIONS', headers: { origin: SITE, 'access-control-request-method': 'POST' } });
    expect([preflight.status, preflight.headers.get('access-control-allow-origin')]).toEqual([204, SITE]);
    expect((await stats()).sendIdentityVerification).toBe(before.sendIdentityVerification);
  });

  it('refuses a challenge issued for the iamport provider, or for another site, before any upstream call', async () => {
    const v1 = await challenge();
    const before = await stats();
    expect((await post('/v1/otp/send', sendBody(v1))).body.code).toBe('challenge_invalid');
    const v2 = await otpChallenge();
    expect((await post('/v1/otp/send', sendBody(v2), { origin: 'https://other.example' })).body.code).toBe('challenge_invalid');
    expect((await post('/v1/otp/confirm', { ...ids(v1), otp: SANDBOX_OTP })).body.code).toBe('challenge_invalid');
    expect((await stats()).sendIdentityVerification).toBe(before.sendIdentityVerification);
  });

  it('refuses malformed details with invalid_request naming the field, never its value', async () => {
    const issued = await otpChallenge();
    for (const [field, value] of [['phone_number', '02-123-4567'], ['identity_number', '901301'], ['operator', 'LGT'], ['method', 'VOICE'], ['name', '<b>x</b>']] as const) {
      const answer = await post('/v1/otp/send', sendBody(issued, 'adult', { [field]: value }));
      expect([answer.status, answer.body.code], field).toEqual([400, 'invalid_request']);
      expect(answer.body.detail).toContain(field);
      expect(answer.body.detail).not.toContain(value);
    }
    expect((await post('/v1/otp/send', sendBody(issued, 'adult', { identity_number: undefined }))).body.code).toBe('invalid_request');
  });
});
