import { SELF } from 'cloudflare:test';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TEST_PERSONS } from '../../worker/sandbox/persons.ts';
import { OTP_GUARD_BUCKETS } from '../../worker/otp/guard.ts';
import { SANDBOX_OTP } from '../../worker/sandbox/standin/portone-v2-api-flow.ts';
import { expectNoLeaks } from './hardening.ts';
import { attest, bindings, challenge, personalData, post, SITE, v2Body, VERIFIER, verifiedBody } from './support.ts';

afterEach(() => vi.restoreAllMocks());

describe('personal data', () => {
  it('never appears in a response or a log line, whatever the outcome', async () => {
    const logs = vi.spyOn(console, 'log');
    const errors = vi.spyOn(console, 'error');
    const answers: string[] = [];
    for (const person of TEST_PERSONS) {
      for (const [provider, minAge] of [['iamport', undefined], ['iamport', 19], ['portone', 19]] as const) {
        const extra = minAge ? { min_age: minAge } : {};
        const body = provider === 'iamport' ? await verifiedBody(person.id, extra) : await v2Body(person.id, extra);
        const first = await attest(body);
        const replay = await attest(body);
        answers.push(JSON.stringify(first.body), JSON.stringify(replay.body));
        if (first.body.token) {
          answers.push(JSON.stringify(decodeJwt(first.body.token)));
          answers.push(JSON.stringify((await post('/v1/introspect', { token: first.body.token, audience: SITE }, { origin: null })).body));
        }
      }
    }
    const written = [...logs.mock.calls, ...errors.mock.calls].flat().map(String);
    expect(written.length).toBeGreaterThan(TEST_PERSONS.length * 4);
    for (const secretValue of personalData()) {
      for (const text of [...answers, ...written]) expect(text).not.toContain(secretValue);
    }
  });

  it('in form mode: the name, phone number, resident digits and code are in no response, log line or Durable Object', async () => {
    const logs = vi.spyOn(console, 'log');
    const errors = vi.spyOn(console, 'error');
    const typedDigits = ['9001011', '482913']; // the resident digits and a wrong code the person typed
    const answers: string[] = [];
    const say = async (path: string, body: Record<string, unknown>) => {
      const { response, body: answer } = await post(path, body);
      answers.push(JSON.stringify(answer), JSON.stringify([...response.headers]));
      return answer;
    };
    for (const person of TEST_PERSONS.filter((p) => p.phone)) {
      const issued = await challenge(undefined, SITE, 'portone');
      const ids = { challenge: issued.challenge, identity_verification_id: issued.merchant_uid };
      const details = { ...ids, channel_key: 'channel-key-sandbox', name: person.name, phone_number: person.phone, operator: 'SKT' };
      await say('/v1/otp/send', { ...details, method: 'SMS', identity_number: '9001011', name: `${person.name}!` }); // refused: malformed name
      await say('/v1/otp/send', { ...details, method: 'SMS', identity_number: typedDigits[0] });
      await say('/v1/otp/send', { ...details, method: 'SMS', identity_number: typedDigits[0] }); // refused: too soon
      await say('/v1/otp/resend', ids); // refused: too soon
      await say('/v1/otp/confirm', { ...ids, otp: typedDigits[1] });
      await say('/v1/otp/confirm', { ...ids, otp: SANDBOX_OTP, min_age: 19 });
      await say('/v1/otp/confirm', { ...ids, otp: SANDBOX_OTP, min_age: 19 });
    }
    const issued = await challenge(undefined, SITE, 'portone');
    await say('/v1/otp/send', { challenge: issued.challenge, identity_verification_id: issued.merchant_uid, channel_key: 'k', name: '김테스트', phone_number: '01099990002', identity_number: typedDigits[0], operator: 'KT', method: 'SMS' });

    // What the verifier's own Durable Objects keep: the guard's every bucket.
    for (const kind of ['verification', 'phone']) {
      for (let bucket = 0; bucket < OTP_GUARD_BUCKETS; bucket++) {
        answers.push(JSON.stringify(await bindings.OTP_GUARD.get(bindings.OTP_GUARD.idFromName(`${kind}-${bucket}`)).dump()));
      }
    }
    const written = [...logs.mock.calls, ...errors.mock.calls].flat().map(String);
    expect(written.length).toBeGreaterThan(30);
    expect(answers.some((text) => text.includes('"token"'))).toBe(true);
    expectNoLeaks([...answers, ...written], [...typedDigits, '01099990002']);
  }, 120_000); // many verifications end to end: slow on a loaded machine, never a timing claim

  it('is not in the claims: no name, phone, birthday, gender, CI or DI', async () => {
    const { body } = await attest(await verifiedBody('adult', { min_age: 19 }));
    for (const claim of ['name', 'phone', 'birthday', 'birth', 'gender', 'ci', 'di', 'unique_key', 'unique_in_site', 'carrier']) {
      expect(body.claims).not.toHaveProperty(claim);
    }
  });

  it('writes one structured line per request with its id, route, outcome and duration', async () => {
    const logs = vi.spyOn(console, 'log');
    const response = await SELF.fetch(`${VERIFIER}/healthz`);
    const lines = logs.mock.calls.map(([line]) => JSON.parse(String(line)));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual({
      event: 'request', request_id: response.headers.get('x-request-id'), method: 'GET', route: '/healthz',
      status: 200, code: 'ok', duration_ms: expect.any(Number),
    });
  });
});
