/** `POST /v1/challenges`: what a challenge says about itself, and the provider it is asked for. */
import { describe, expect, it } from 'vitest';
import { attest, certify, challenge, post, SITE, verifyV2 } from './support.ts';

describe('a challenge', () => {
  it('says when the verifier issued it, on the verifier\'s clock, beside when it expires', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { status, body } = await post('/v1/challenges', {});
    expect(status).toBe(201);
    expect(Number.isInteger(body.issued_at)).toBe(true);
    expect(body.issued_at).toBeGreaterThanOrEqual(before);
    expect(body.issued_at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(body.expires_at - body.issued_at).toBe(600);
  });

  it('is issued for the provider asked for: iamport, the default, or portone', async () => {
    for (const provider of ['iamport', 'portone', undefined]) {
      expect((await post('/v1/challenges', { provider })).status).toBe(201);
    }
  });

  it('is refused with invalid_request for any other provider', async () => {
    for (const provider of ['PortOne', 'v2', '', 1, ['portone']]) {
      const { status, body } = await post('/v1/challenges', { provider });
      expect(status).toBe(400);
      expect(body.code).toBe('invalid_request');
    }
  });
});

describe('the provider a challenge binds', () => {
  it('keeps a V1 challenge from exchanging a V2 verification of its merchant_uid (challenge_invalid)', async () => {
    // Both challenges asked before the verification, so only the provider tells them apart.
    const forV1 = await challenge(undefined, SITE, 'iamport');
    const forV2 = await challenge(forV1.merchant_uid, SITE, 'portone');
    await verifyV2('adult', forV1.merchant_uid);
    const body = { provider: 'portone', identity_verification_id: forV1.merchant_uid };
    const refused = await attest({ ...body, challenge: forV1.challenge });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('challenge_invalid');
    expect((await attest({ ...body, challenge: forV2.challenge })).status).toBe(201);
  });

  it('keeps a V2 challenge from exchanging a V1 certification of its merchant_uid (challenge_invalid)', async () => {
    const forV2 = await challenge(undefined, SITE, 'portone');
    const forV1 = await challenge(forV2.merchant_uid, SITE, 'iamport');
    const callback = await certify('adult', forV2.merchant_uid);
    const body = { imp_uid: callback.imp_uid, merchant_uid: forV2.merchant_uid };
    const refused = await attest({ ...body, challenge: forV2.challenge });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('challenge_invalid');
    expect((await attest({ ...body, challenge: forV1.challenge })).status).toBe(201);
  });

  it('is iamport when the challenge request names none', async () => {
    const issued = await post('/v1/challenges', {});
    const callback = await certify('adult', issued.body.merchant_uid);
    expect((await attest({ imp_uid: callback.imp_uid, merchant_uid: issued.body.merchant_uid, challenge: issued.body.challenge })).status).toBe(201);
  });
});
