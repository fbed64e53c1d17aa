/**
 * Korean age law through the verifier's HTTP face: the Youth Protection Act's year rule beside
 * 만 나이, and the under-14 guardian step (both providers).
 */
import { decodeJwt } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { checkVerification, type UpstreamVerification } from '../../worker/checks/verification.ts';
import { VerifyError } from '../../worker/errors.ts';
import { ledgerFor } from '../../worker/ledger/ledger.ts';
import { postDirect } from './hardening.ts';
import { attest, bindings, certify, challenge, SITE, v2Body, verifiedBody, verifyV2, type Json } from './support.ts';


describe('the year rule (min_year_age)', () => {
  it('attests year_age_over, never age_over, for someone 19 by the year rule and 18 by 만 나이', async () => {
    const { status, body } = await attest(await verifiedBody('year_age_19', { min_year_age: 19 }));
    expect(status).toBe(201);
    expect(body.claims.year_age_over).toBe(19);
    expect(body.claims).not.toHaveProperty('age_over');
    expect(decodeJwt(body.token).year_age_over).toBe(19);
  });

  // The clock is set (noon in Seoul), not read: each day's answer is checked on every run.
  it.each([
    ['1 January', '2027-01-01T03:00:00Z', 422, 'age_requirement_not_met'],
    ['30 December', '2026-12-30T03:00:00Z', 422, 'age_requirement_not_met'],
    ['31 December, when both rules say 19', '2026-12-31T03:00:00Z', 201, undefined],
  ])('judges the same person by 만 나이 on %s', async (_, instant, status, code) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.parse(instant));
      const answer = await attest(await verifiedBody('year_age_19', { min_age: 19 }));
      expect([answer.status, answer.body.code]).toEqual([status, code]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a minor by the year rule too, and works through PortOne V2', async () => {
    expect((await attest(await verifiedBody('minor_17', { min_year_age: 19 }))).body.code).toBe('age_requirement_not_met');
    const { status, body } = await attest(await v2Body('year_age_19', { min_year_age: 19 }));
    expect(status).toBe(201);
    expect(body.claims.year_age_over).toBe(19);
  });

  it('refuses min_age and min_year_age together, and an age the deployment does not allow, using nothing up', async () => {
    const body = await verifiedBody('adult');
    expect((await attest({ ...body, min_age: 19, min_year_age: 19 })).body.code).toBe('invalid_request');
    expect((await attest({ ...body, min_year_age: 20 })).body.code).toBe('invalid_request');
    expect((await attest({ ...body, min_year_age: '19' })).body.code).toBe('invalid_request');
    expect((await attest({ ...body, min_year_age: 19 })).status).toBe(201);
  });

  it('refuses either rule for a record with no birth date', () => {
    const now = Date.now();
    const record: UpstreamVerification = {
      provider: 'iamport', id: 'imp_123456789012', merchantUid: 'mu', certified: true, verifiedAt: Math.floor(now / 1000),
      birthDate: undefined, ci: 'ci', foreigner: undefined, version: 'V1', liveChannel: undefined, pageUrl: undefined,
    };
    for (const rule of ['age', 'year_age'] as const) {
      const refusal = (() => {
        try {
          checkVerification(record, {
            merchantUid: 'mu', audience: SITE, acceptTestChannels: true, challengeIssuedAt: record.verifiedAt! - 10,
            challengeTtlSeconds: 600, nowMs: now, maxCertAgeSeconds: 600, age: { rule, min: 19 },
          });
        } catch (error) {
          return error;
        }
      })();
      expect(refusal).toBeInstanceOf(VerifyError);
      expect((refusal as VerifyError).code).toBe('age_requirement_not_met');
    }
  });
});

/** A challenge, the child's verification and (optionally) another person's as the guardian, V1. */
async function childAndGuardian(guardian: string | undefined, { guardianFirst = false, guardianPage = `${SITE}/signup` } = {}) {
  const issued = await challenge();
  const at = Math.floor(Date.now() / 1000);
  // Seconds apart, in the order asked for (both after the challenge, within the upstream clock's allowed lead).
  const child = await certify('child_10', issued.merchant_uid, { certified_at: guardianFirst ? at + 2 : at });
  const body: Json = { imp_uid: child.imp_uid, merchant_uid: issued.merchant_uid, challenge: issued.challenge, guardian_under: 14 };
  if (guardian) body.guardian_imp_uid = (await certify(guardian, issued.merchant_uid, { certified_at: guardianFirst ? at : at + 2, origin: guardianPage })).imp_uid;
  return body;
}

describe('the under-14 guardian step (guardian_under)', () => {
  it('answers guardian_required for a child alone, and uses nothing up', async () => {
    const body = await childAndGuardian(undefined);
    const { status, body: problem } = await attest(body);
    expect([status, problem.code]).toEqual([422, 'guardian_required']);
    expect(await ledgerFor(bindings, 'iamport', body.imp_uid).isClaimed()).toBe(false);
  });

  it('attests a child with an adult guardian: the child\'s sub, age_under, and the guardian\'s own sub and checked age', async () => {
    const body = await childAndGuardian('guardian');
    const { status, body: answer } = await attest(body);
    expect(status).toBe(201);
    const claims = answer.claims;
    expect(claims.age_under).toBe(14);
    expect(claims).not.toHaveProperty('age_over');
    expect(claims.guardian).toEqual({ sub: expect.any(String), age_over: 19, verified_at: expect.any(Number) });
    expect(claims.guardian.sub).not.toBe(claims.sub);
    // Nothing claims a relation, and no personal data rides along.
    expect(Object.keys(claims.guardian).sort()).toEqual(['age_over', 'sub', 'verified_at']);
    // The same subs the two get verifying on their own on this site.
    const alone = async (person: string) => (await attest(await verifiedBody(person))).body.claims.sub;
    expect(claims.sub).toBe(await alone('child_10'));
    expect(claims.guardian.sub).toBe(await alone('guardian'));
    // Both verifications are used up.
    expect(await ledgerFor(bindings, 'iamport', body.imp_uid).isClaimed()).toBe(true);
    expect(await ledgerFor(bindings, 'iamport', body.guardian_imp_uid).isClaimed()).toBe(true);
  });

  it('purges the guardian\'s certification at the upstream too, when PURGE_AFTER_ATTEST is on', async () => {
    const body = await childAndGuardian('guardian');
    const purging = { overrides: { PURGE_AFTER_ATTEST: 'true' } };
    expect((await postDirect('/v1/attestations', body, purging)).status).toBe(201);
    // Another request for either verification finds nothing left upstream.
    const alone = (imp_uid: string) => postDirect('/v1/attestations', { imp_uid, merchant_uid: body.merchant_uid, challenge: body.challenge, nonce: 'other' }, purging);
    expect((await alone(body.guardian_imp_uid)).body.code).toBe('certification_not_found');
    expect((await alone(body.imp_uid)).body.code).toBe('certification_not_found');
  });

  it('answers the very same guardian exchange again with the very same token', async () => {
    const body = await childAndGuardian('guardian');
    const first = await attest(body);
    const again = await attest(body);
    expect(again.status).toBe(201);
    expect(again.body.token).toBe(first.body.token);
  });

  it('attests a person not under the age as age_over, with no guardian step', async () => {
    const { status, body } = await attest(await verifiedBody('adult', { guardian_under: 14 }));
    expect(status).toBe(201);
    expect(body.claims.age_over).toBe(14);
    expect(body.claims).not.toHaveProperty('guardian');
  });

  it('refuses a guardian under 19, and uses neither verification up', async () => {
    const body = await childAndGuardian('minor_17');
    expect((await attest(body)).body.code).toBe('guardian_not_adult');
    expect(await ledgerFor(bindings, 'iamport', body.imp_uid).isClaimed()).toBe(false);
    expect(await ledgerFor(bindings, 'iamport', body.guardian_imp_uid).isClaimed()).toBe(false);
  });

  it('refuses a "guardian" who is the child again', async () => {
    expect((await attest(await childAndGuardian('child_10'))).body.code).toBe('guardian_same_person');
  });

  it('refuses, as the child\'s would be, a guardian\'s V1 certification that ran on another site\'s page, and uses neither up', async () => {
    const body = await childAndGuardian('guardian', { guardianPage: 'https://elsewhere.example/verify?order=1' });
    const { status, body: problem } = await attest(body);
    expect([status, problem.code]).toEqual([422, 'guardian_invalid']);
    expect(problem.detail).toContain('origin_mismatch');
    expect(await ledgerFor(bindings, 'iamport', body.imp_uid).isClaimed()).toBe(false);
    expect(await ledgerFor(bindings, 'iamport', body.guardian_imp_uid).isClaimed()).toBe(false);
  });

  it('refuses a guardian who verified before the child', async () => {
    expect((await attest(await childAndGuardian('guardian', { guardianFirst: true }))).body.code).toBe('guardian_invalid');
  });

  it('refuses a guardian verification made for another challenge', async () => {
    const body = await childAndGuardian(undefined);
    const other = await challenge();
    body.guardian_imp_uid = (await certify('guardian', other.merchant_uid)).imp_uid;
    expect((await attest(body)).body.code).toBe('guardian_invalid');
  });

  it('refuses a guardian verification that was already used, and leaves the child\'s unused', async () => {
    const body = await childAndGuardian('guardian');
    // The guardian's verification exchanged on its own first (a different request for it).
    expect((await attest({ imp_uid: body.guardian_imp_uid, merchant_uid: body.merchant_uid, challenge: body.challenge })).status).toBe(201);
    expect((await attest(body)).body.code).toBe('already_used');
    expect(await ledgerFor(bindings, 'iamport', body.imp_uid).isClaimed()).toBe(false);
  });

  it('gives the guardian\'s verification back when the child\'s turns out used', async () => {
    const body = await childAndGuardian('guardian');
    expect((await attest({ imp_uid: body.imp_uid, merchant_uid: body.merchant_uid, challenge: body.challenge })).status).toBe(201);
    expect((await attest(body)).body.code).toBe('already_used');
    expect(await ledgerFor(bindings, 'iamport', body.guardian_imp_uid).isClaimed()).toBe(false);
  });

  it('refuses a guardian id without guardian_under, or with another age rule', async () => {
    const body = await childAndGuardian('guardian');
    const { guardian_under: _, ...withoutRule } = body;
    expect((await attest(withoutRule)).body.code).toBe('invalid_request');
    expect((await attest({ ...body, min_age: 14 })).body.code).toBe('invalid_request');
  });

  it('runs the guardian step through PortOne V2 under the -guardian id of the same challenge', async () => {
    const body = await v2Body('child_10', { guardian_under: 14 });
    expect((await attest(body)).body.code).toBe('guardian_required');
    const guardianId = `${body.identity_verification_id}-guardian`;
    await verifyV2('guardian', guardianId);
    const { status, body: answer } = await attest({ ...body, guardian_identity_verification_id: guardianId });
    expect(status).toBe(201);
    expect(answer.claims).toMatchObject({ age_under: 14, guardian: { age_over: 19 } });
    // Any other id for the guardian is not bound to this challenge.
    expect((await attest({ ...body, guardian_identity_verification_id: 'someone-else' })).body.code).toBe('invalid_request');
  });
});
