import { SELF } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { attest, challenge, fetchWith, randomClientIp, SITE, v2Body, VERIFIER, verifiedBody, verifyV2, type Json } from './support.ts';

/** A challenge for a PortOne V2 verification (a challenge is for one provider). */
const v2Challenge = () => challenge(undefined, SITE, 'portone');

const V2_SECRET = 'sandbox_portone_secret';

async function getV2(id: string, secret = V2_SECRET) {
  const response = await SELF.fetch(`${VERIFIER}/sandbox/portone/identity-verifications/${id}`, {
    headers: { authorization: `PortOne ${secret}` },
  });
  return { status: response.status, body: (await response.json()) as Json };
}

afterEach(() => vi.restoreAllMocks());

describe('POST /v1/attestations with PortOne V2', () => {
  it('issues the same kind of attestation, naming the provider and the identity verification id', async () => {
    const body = await v2Body('adult', { min_age: 19, nonce: 'v2-nonce' });
    const { status, body: attestation } = await attest(body);
    expect(status).toBe(201);
    expect(attestation.claims).toMatchObject({
      provider: 'portone', identity_verification_id: body.identity_verification_id, merchant_uid: body.identity_verification_id,
      age_over: 19, nonce: 'v2-nonce', aud: SITE,
    });
    expect(attestation.claims).not.toHaveProperty('imp_uid');
  });

  it('gives one person the same sub through V1 and through V2 on one site', async () => {
    const v1 = await attest(await verifiedBody('adult'));
    const v2 = await attest(await v2Body('adult'));
    expect(v2.body.claims.sub).toBe(v1.body.claims.sub);
  });

  it('attests a KG Inicis verification that has no DI, with the foreigner flag it knows', async () => {
    const { status, body } = await attest(await v2Body('inicis_no_di'));
    expect(status).toBe(201);
    expect(body.claims.foreigner).toBe(false);
  });

  it.each([
    ['a cancelled (READY) verification', 'cancel', 'not_certified'],
    ['a FAILED verification', 'pg_error', 'not_certified'],
    ['a 17-year-old when 19 is asked', 'minor_17', 'age_requirement_not_met'],
    ['a verification without a CI', 'no_ci', 'identity_key_missing'],
  ])('refuses %s', async (_, person, code) => {
    const { body } = await attest(await v2Body(person, { min_age: 19 }));
    expect(body.code).toBe(code);
  });

  it('answers certification_not_found for an id PortOne does not know', async () => {
    const issued = await v2Challenge();
    const { status, body } = await attest({ provider: 'portone', identity_verification_id: issued.merchant_uid, challenge: issued.challenge });
    expect(status).toBe(404);
    expect(body.code).toBe('certification_not_found');
  });

  it('refuses an id whose challenge was issued for another id', async () => {
    const mine = await v2Body();
    const other = await v2Challenge();
    expect((await attest({ ...mine, challenge: other.challenge })).body.code).toBe('challenge_invalid');
  });

  it('answers certification_stale for a verification older than the freshness limit', async () => {
    const issued = await v2Challenge();
    await verifyV2('adult', issued.merchant_uid, { certified_at: Math.floor(Date.now() / 1000) - 601 });
    const { body } = await attest({ provider: 'portone', identity_verification_id: issued.merchant_uid, challenge: issued.challenge });
    expect(body.code).toBe('certification_stale');
  });

  it('gives exactly one token to concurrent exchanges of one id that differ, and already_used to the rest', async () => {
    const body = await v2Body();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => attest({ ...body, nonce: `n-${i}` })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.body.code === 'already_used')).toHaveLength(19);
  });

  it('gives one and the same attestation to concurrent identical exchanges of one id', async () => {
    const body = await v2Body();
    const results = await Promise.all(Array.from({ length: 20 }, () => attest(body)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(results.map((r) => r.body.claims.jti)).size).toBe(1);
  });

  it('refuses a V2 body without identity_verification_id', async () => {
    const issued = await v2Challenge();
    expect((await attest({ provider: 'portone', challenge: issued.challenge })).body.code).toBe('invalid_request');
  });
});

describe('PortOne V2 upstream answers', () => {
  async function attestAgainst(answer: () => Response) {
    const body = await v2Body();
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => answer());
    const response = await fetchWith({ PORTONE_API_BASE: 'https://portone.test' }, new Request(`${VERIFIER}/v1/attestations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: SITE, 'cf-connecting-ip': randomClientIp() },
      body: JSON.stringify(body),
    }));
    return { status: response.status, body: (await response.json()) as Json, sent: vi.mocked(globalThis.fetch).mock.calls };
  }

  it('asks GET /identity-verifications/{id} with the PortOne authorization scheme, once', async () => {
    const { sent } = await attestAgainst(() => Response.json({ type: 'IDENTITY_VERIFICATION_NOT_FOUND' }, { status: 404 }));
    expect(sent).toHaveLength(1);
    const request = sent[0]![0] as Request;
    expect(request.url).toMatch(/^https:\/\/portone\.test\/identity-verifications\/[A-Za-z0-9_]+$/);
    expect(request.headers.get('authorization')).toBe(`PortOne ${V2_SECRET}`);
  });

  it.each([
    [401, 'upstream_auth_failed', 502],
    [403, 'upstream_auth_failed', 502],
    [404, 'certification_not_found', 404],
    [400, 'invalid_request', 400],
    [500, 'upstream_unavailable', 503],
  ])('maps an HTTP %i from PortOne to %s', async (upstreamStatus, code, status) => {
    const result = await attestAgainst(() => Response.json({ type: 'X', message: 'm' }, { status: upstreamStatus }));
    expect(result.body.code).toBe(code);
    expect(result.status).toBe(status);
  });

  it('answers upstream_unavailable for a VERIFIED record with a malformed verifiedAt', async () => {
    const result = await attestAgainst(() => Response.json({ status: 'VERIFIED', id: 'whatever', verifiedCustomer: { name: 'x' }, verifiedAt: 'yesterday' }));
    expect(result.body.code).toBe('upstream_unavailable');
  });
});

describe('the sandbox V2 stand-in', () => {
  it('answers a verified record with every field the OpenAPI extract requires', async () => {
    const issued = await v2Challenge();
    await verifyV2('adult', issued.merchant_uid);
    const { status, body } = await getV2(issued.merchant_uid);
    expect(status).toBe(200);
    for (const field of ['status', 'id', 'verifiedCustomer', 'requestedAt', 'updatedAt', 'statusChangedAt', 'verifiedAt', 'pgTxId', 'pgRawResponse', 'version']) {
      expect(body).toHaveProperty(field);
    }
    expect(body.status).toBe('VERIFIED');
    expect(body.verifiedCustomer.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(['MALE', 'FEMALE', 'OTHER']).toContain(body.verifiedCustomer.gender);
    expect(['SKT', 'KT', 'LGU', 'SKT_MVNO', 'KT_MVNO', 'LGU_MVNO']).toContain(body.verifiedCustomer.operator);
  });

  it('answers READY for a cancelled verification and FAILED, with its failure, for a PG error', async () => {
    const [ready, failed] = [await v2Challenge(), await v2Challenge()];
    expect((await verifyV2('cancel', ready.merchant_uid)).code).toBe('IDENTITY_VERIFICATION_CANCELLED');
    expect((await verifyV2('pg_error', failed.merchant_uid)).code).toBeTypeOf('string');
    expect((await getV2(ready.merchant_uid)).body).toMatchObject({ status: 'READY', requestedCustomer: {}, version: 'V2' });
    expect((await getV2(failed.merchant_uid)).body).toMatchObject({ status: 'FAILED', failure: { pgCode: '9015' } });
  });

  it('lets an id succeed once only', async () => {
    const issued = await v2Challenge();
    expect((await verifyV2('adult', issued.merchant_uid)).code).toBeUndefined();
    expect((await verifyV2('adult', issued.merchant_uid)).code).toBe('IDENTITY_VERIFICATION_ALREADY_VERIFIED');
  });

  it('answers 401 { type: UNAUTHORIZED } for a wrong secret and 404 { type: IDENTITY_VERIFICATION_NOT_FOUND }', async () => {
    expect(await getV2('nope', 'wrong')).toMatchObject({ status: 401, body: { type: 'UNAUTHORIZED' } });
    expect(await getV2('nope')).toMatchObject({ status: 404, body: { type: 'IDENTITY_VERIFICATION_NOT_FOUND' } });
  });
});
