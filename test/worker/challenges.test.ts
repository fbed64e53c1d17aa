/** `POST /v1/challenges`: what a challenge says about itself, and the provider it is asked for. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { attest, certify, challenge, post, SITE, siteChosenId, verifyV2 } from './support.ts';

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
    // Both challenges asked before the verification, so only the provider tells them apart (a
    // site-chosen id: a minted one has no second challenge at all).
    const forV1 = await challenge(siteChosenId(), SITE, 'iamport');
    const forV2 = await challenge(forV1.merchant_uid, SITE, 'portone');
    await verifyV2('adult', forV1.merchant_uid);
    const body = { provider: 'portone', identity_verification_id: forV1.merchant_uid };
    const refused = await attest({ ...body, challenge: forV1.challenge });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('challenge_invalid');
    expect((await attest({ ...body, challenge: forV2.challenge })).status).toBe(201);
  });

  it('keeps a V2 challenge from exchanging a V1 certification of its merchant_uid (challenge_invalid)', async () => {
    const forV2 = await challenge(siteChosenId(), SITE, 'portone');
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

describe('a challenge of its own for every request', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('differs for two clients asking for one site-chosen merchant_uid in the same second', async () => {
    // The verifier's clock stands still: every request below is in the same second.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now());
    const merchantUid = siteChosenId();
    const issued = await Promise.all(Array.from({ length: 10 }, () => challenge(merchantUid)));
    expect(new Set(issued.map((each) => each.challenge)).size).toBe(10);
    expect(new Set(issued.map((each) => each.merchant_uid))).toEqual(new Set([merchantUid]));
  });

  it('keeps the second client from getting the first person\'s token through the very-same-request path (already_used)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now());
    const merchantUid = siteChosenId();
    const [first, second] = [await challenge(merchantUid), await challenge(merchantUid)];
    const callback = await certify('adult', merchantUid);
    const fields = { imp_uid: callback.imp_uid, merchant_uid: merchantUid, min_age: 19 };
    const person = await attest({ ...fields, challenge: first!.challenge });
    expect(person.status).toBe(201);
    const other = await attest({ ...fields, challenge: second!.challenge });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('already_used');
    expect(other.body).not.toHaveProperty('token');
  });
});

describe('a merchant_uid the verifier minted', () => {
  // What a redirect URL shows: V1 `imp_uid` and `merchant_uid`, V2 `identityVerificationId`.
  const seenInRedirects = [
    { provider: 'iamport', verify: async (id: string, certifiedAt: number) => {
      const callback = await certify('adult', id, { certified_at: certifiedAt });
      return { imp_uid: callback.imp_uid, merchant_uid: id };
    } },
    { provider: 'portone', verify: async (id: string, certifiedAt: number) => {
      await verifyV2('adult', id, { certified_at: certifiedAt });
      return { provider: 'portone', identity_verification_id: id };
    } },
  ] as const;
  // The provider's clock on time, and 55 s ahead (its stamp then passes "not before the challenge" for longer).
  for (const { provider, verify } of seenInRedirects) for (const aheadSeconds of [0, 55]) {
    it(`gets no second challenge, so whoever saw the redirect URL cannot exchange the person's ${provider} verification (provider's clock ${aheadSeconds} s ahead)`, async () => {
      const issued = await challenge(undefined, SITE, provider);
      const seen = await verify(issued.merchant_uid, Math.floor(Date.now() / 1000) + aheadSeconds);
      const asked = await post('/v1/challenges', { merchant_uid: issued.merchant_uid, provider });
      expect(asked.status).toBe(400);
      expect(asked.body.code).toBe('invalid_request');
      expect(asked.body.detail).toMatch(/reserved for the ids the verifier mints/);
      expect(asked.body).not.toHaveProperty('challenge');
      // The person's own exchange is untouched.
      expect((await attest({ ...seen, challenge: issued.challenge })).status).toBe(201);
    });
  }

  it('is refused in a challenge request whoever chose it (invalid_request), so the form stays the verifier\'s', async () => {
    for (const merchantUid of ['iv_', 'iv_someone-chose-this', `iv_${'A'.repeat(37)}`]) {
      const { status, body } = await post('/v1/challenges', { merchant_uid: merchantUid });
      expect(status, merchantUid).toBe(400);
      expect(body.code).toBe('invalid_request');
      expect(body.detail).toMatch(/merchant_uid/);
    }
  });

  it('is exchanged only under its own challenge: another minted challenge is challenge_invalid', async () => {
    const [own, other] = [await challenge(), await challenge()];
    const callback = await certify('adult', own.merchant_uid);
    const body = { imp_uid: callback.imp_uid, merchant_uid: own.merchant_uid };
    const refused = await attest({ ...body, challenge: other.challenge });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('challenge_invalid');
    expect((await attest({ ...body, challenge: own.challenge })).status).toBe(201);
  });
});
