import { SELF } from 'cloudflare:test';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { issueChallenge } from '../../worker/checks/challenge.ts';
import { ledgerFor } from '../../worker/ledger/ledger.ts';
import { postDirect } from './hardening.ts';
import { attest, bindings, certify, challenge, OTHER_SITE, post, SITE, siteChosenId, VERIFIER, verifiedBody, type Json } from './support.ts';

async function servedJwks() {
  return createLocalJWKSet(await (await SELF.fetch(`${VERIFIER}/.well-known/jwks.json`)).json());
}

describe('POST /v1/attestations with a verified adult', () => {
  it('returns a token that verifies against the served JWKS with ES256 and the iamport-verify+jwt type pinned', async () => {
    const { status, body } = await attest(await verifiedBody('adult', { min_age: 19 }));
    expect(status).toBe(201);
    const { payload, protectedHeader } = await jwtVerify(body.token, await servedJwks(), {
      algorithms: ['ES256'], typ: 'iamport-verify+jwt', issuer: VERIFIER, audience: SITE,
    });
    expect(protectedHeader.kid).toBe('dev-test-key-1');
    expect(payload.age_over).toBe(19);
    expect(body.claims).toEqual(payload);
    expect(body.expires_at).toBe(payload.exp);
  });

  it('puts exactly alg, typ and kid in the header and the contract\'s claims in the payload', async () => {
    const exchangeBody = await verifiedBody('adult', { min_age: 19, nonce: 'n-123' });
    const { body } = await attest(exchangeBody);
    expect(Object.keys(decodeProtectedHeader(body.token)).sort()).toEqual(['alg', 'kid', 'typ']);
    const claims = decodeJwt(body.token) as Json;
    expect(Object.keys(claims).sort()).toEqual(
      ['age_over', 'aud', 'exp', 'iat', 'imp_uid', 'iss', 'jti', 'merchant_uid', 'nbf', 'nonce', 'provider', 'sub', 'verified_at'],
    );
    expect(claims).toMatchObject({
      iss: VERIFIER, aud: SITE, provider: 'iamport', imp_uid: exchangeBody.imp_uid,
      merchant_uid: exchangeBody.merchant_uid, nonce: 'n-123', age_over: 19,
    });
    expect(claims.nbf).toBe(claims.iat);
    expect(claims.exp - claims.iat).toBe(600);
    expect(Math.abs(claims.verified_at - claims.iat)).toBeLessThan(60);
    expect(claims.sub).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('leaves age_over out when no minimum age was asked', async () => {
    const { body } = await attest(await verifiedBody('adult'));
    expect(body.claims).not.toHaveProperty('age_over');
    expect(body.claims).not.toHaveProperty('nonce');
  });

  it('uses the site\'s own merchant_uid when the challenge was asked for one', async () => {
    const issued = await challenge('order_2026_0001');
    expect(issued.merchant_uid).toBe('order_2026_0001');
    const callback = await certify('adult', issued.merchant_uid);
    const { status, body } = await attest({ imp_uid: callback.imp_uid, merchant_uid: issued.merchant_uid, challenge: issued.challenge });
    expect(status).toBe(201);
    expect(body.claims.merchant_uid).toBe('order_2026_0001');
  });

  it('answers CORS for the allowed origin it came from', async () => {
    const { response } = await attest(await verifiedBody('adult'));
    expect(response.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});

describe('the foreigner claim', () => {
  it('is true for a foreigner the upstream knows to be one', async () => {
    expect((await attest(await verifiedBody('foreigner'))).body.claims.foreigner).toBe(true);
  });

  it('is false when the upstream knows the person is not a foreigner', async () => {
    expect((await attest(await verifiedBody('inicis_no_di'))).body.claims.foreigner).toBe(false);
  });

  it('is absent when the upstream does not know (Danal without the option)', async () => {
    expect((await attest(await verifiedBody('adult'))).body.claims).not.toHaveProperty('foreigner');
  });
});

describe('the pairwise subject', () => {
  it('is the same for one person verified twice on one site', async () => {
    const first = await attest(await verifiedBody('adult'));
    const second = await attest(await verifiedBody('adult'));
    expect(first.body.claims.sub).toBe(second.body.claims.sub);
    expect(first.body.claims.jti).not.toBe(second.body.claims.jti);
  });

  it('differs between sites for the same person, and between persons on one site', async () => {
    const here = await attest(await verifiedBody('adult'));
    const there = await attest(await verifiedBody('adult', {}, OTHER_SITE), OTHER_SITE);
    const someoneElse = await attest(await verifiedBody('foreigner'));
    expect(there.status).toBe(201);
    expect(there.body.claims.aud).toBe(OTHER_SITE);
    expect(there.body.claims.sub).not.toBe(here.body.claims.sub);
    expect(someoneElse.body.claims.sub).not.toBe(here.body.claims.sub);
  });
});

describe('refusals', () => {
  it('refuses a body that is not JSON with invalid_request', async () => {
    const { status, body, response } = await attest('{"imp_uid":');
    expect(status).toBe(400);
    expect(body.code).toBe('invalid_request');
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(body).toMatchObject({ type: 'urn:iamport-verify:problem:invalid_request', status: 400, title: 'Invalid request' });
  });

  it.each([
    ['a missing imp_uid', { imp_uid: undefined }],
    ['an imp_uid of the wrong shape', { imp_uid: 'imp_12ab' }],
    ['a merchant_uid over 40 characters', { merchant_uid: 'x'.repeat(41) }],
    ['a min_age the deployment does not allow', { min_age: 18 }],
    ['a min_age that is not a number', { min_age: '19' }],
    ['a nonce that is too long', { nonce: 'n'.repeat(129) }],
    ['an unknown provider', { provider: 'toss' }],
  ])('refuses %s with invalid_request', async (_, change) => {
    const { status, body } = await attest({ ...(await verifiedBody('adult')), ...change });
    expect(status).toBe(400);
    expect(body.code).toBe('invalid_request');
  });

  it('refuses a body that is a JSON array', async () => {
    expect((await attest('[]')).body.code).toBe('invalid_request');
  });

  it('refuses a body sent as text/plain with unsupported_media_type', async () => {
    const { status, body } = await post('/v1/attestations', JSON.stringify(await verifiedBody()), { headers: { 'content-type': 'text/plain' } });
    expect(status).toBe(415);
    expect(body.code).toBe('unsupported_media_type');
  });

  it('refuses a body over the size limit before reading it as JSON', async () => {
    const { status, body } = await attest({ ...(await verifiedBody()), padding: 'x'.repeat(9000) });
    expect(status).toBe(400);
    expect(body.detail).toMatch(/larger than/);
  });

  it('refuses an Origin that is not on the allow-list, without CORS headers', async () => {
    const { status, body, response } = await attest(await verifiedBody(), 'https://evil.example');
    expect(status).toBe(403);
    expect(body.code).toBe('origin_not_allowed');
    expect(body).not.toHaveProperty('token');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a request with no Origin at all', async () => {
    expect((await attest(await verifiedBody(), null)).body.code).toBe('origin_not_allowed');
  });

  it('refuses a missing or malformed challenge with challenge_invalid, as the errors table says', async () => {
    const { challenge: _, ...body } = await verifiedBody();
    for (const challenge of [undefined, null, '', 42, 'c1.x'.repeat(40), 'not a challenge']) {
      const { status, body: problem } = await attest({ ...body, challenge });
      expect(status, String(challenge)).toBe(400);
      expect(problem.code).toBe('challenge_invalid');
    }
    // Malformed other fields are still invalid_request first.
    expect((await attest({ ...body, imp_uid: 'imp_x' })).body.code).toBe('invalid_request');
  });

  it('refuses a forged challenge', async () => {
    const body = await verifiedBody();
    const forged = body.challenge.slice(0, -4) + (body.challenge.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await attest({ ...body, challenge: forged })).body.code).toBe('challenge_invalid');
  });

  it('refuses a challenge issued for another merchant_uid', async () => {
    const mine = await verifiedBody();
    const other = await challenge();
    expect((await attest({ ...mine, challenge: other.challenge })).body.code).toBe('challenge_invalid');
  });

  it('refuses a challenge issued to another site', async () => {
    const issuedElsewhere = await challenge(undefined, OTHER_SITE);
    const callback = await certify('adult', issuedElsewhere.merchant_uid);
    const { status, body } = await attest({ imp_uid: callback.imp_uid, merchant_uid: issuedElsewhere.merchant_uid, challenge: issuedElsewhere.challenge });
    expect(status).toBe(400);
    expect(body.code).toBe('challenge_invalid');
  });

  it('refuses a challenge past its life and the freshness limit after it, before asking the upstream', async () => {
    const merchantUid = 'expired_challenge_1';
    const old = await issueChallenge(bindings.CHALLENGE_SECRET!, { provider: 'iamport', merchantUid: merchantUid, origin: SITE }, Math.floor(Date.now() / 1000) - 1201, 600);
    const callback = await certify('adult', merchantUid);
    const { body } = await attest({ imp_uid: callback.imp_uid, merchant_uid: merchantUid, challenge: old.challenge });
    expect(body.code).toBe('challenge_invalid');
    expect(body.detail).toMatch(/expired/);
  });

  it('refuses a verification that finished after its challenge had expired', async () => {
    const merchantUid = 'expired_challenge_2';
    const old = await issueChallenge(bindings.CHALLENGE_SECRET!, { provider: 'iamport', merchantUid: merchantUid, origin: SITE }, Math.floor(Date.now() / 1000) - 700, 600);
    const callback = await certify('adult', merchantUid);
    const { body } = await attest({ imp_uid: callback.imp_uid, merchant_uid: merchantUid, challenge: old.challenge });
    expect(body.code).toBe('challenge_invalid');
    expect(body.detail).toMatch(/after its challenge had expired/);
  });

  it('accepts a verification that began under a live challenge and is exchanged after it expired', async () => {
    // A slow SMS: the challenge was 9 minutes old when the person finished, 11 when exchanged.
    const merchantUid = 'slow_verification_1';
    const now = Math.floor(Date.now() / 1000);
    const issued = await issueChallenge(bindings.CHALLENGE_SECRET!, { provider: 'iamport', merchantUid: merchantUid, origin: SITE }, now - 660, 600);
    const callback = await certify('adult', merchantUid, { certified_at: now - 120 });
    const { status } = await attest({ imp_uid: callback.imp_uid, merchant_uid: merchantUid, challenge: issued.challenge });
    expect(status).toBe(201);
  });

  it('answers certification_not_found for an imp_uid the upstream does not know', async () => {
    const { status, body } = await attest({ ...(await verifiedBody()), imp_uid: 'imp_000000000000' });
    expect(status).toBe(404);
    expect(body.code).toBe('certification_not_found');
  });

  it('answers not_certified when the upstream says the verification failed, whatever the browser claimed', async () => {
    const issued = await challenge();
    const callback = await certify('not_certified', issued.merchant_uid);
    expect(callback.success).toBe(true); // the tampered browser's story
    const { status, body } = await attest({ imp_uid: callback.imp_uid, merchant_uid: issued.merchant_uid, challenge: issued.challenge });
    expect(status).toBe(422);
    expect(body.code).toBe('not_certified');
  });

  it('answers merchant_uid_mismatch for a certification made for another merchant_uid', async () => {
    const issued = await challenge();
    const callback = await certify('adult', 'someone_elses_order');
    const { status, body } = await attest({ imp_uid: callback.imp_uid, merchant_uid: issued.merchant_uid, challenge: issued.challenge });
    expect(status).toBe(422);
    expect(body.code).toBe('merchant_uid_mismatch');
  });

  it('answers certification_stale for a certification older than the freshness limit', async () => {
    const issued = await challenge('stale_by_age_1');
    const callback = await certify('adult', issued.merchant_uid, { certified_at: Math.floor(Date.now() / 1000) - 601 });
    const { body } = await attest({ imp_uid: callback.imp_uid, merchant_uid: issued.merchant_uid, challenge: issued.challenge });
    expect(body.code).toBe('certification_stale');
  });

  it('answers certification_stale for a certification made before its challenge', async () => {
    const merchantUid = 'stale_before_challenge';
    const now = Math.floor(Date.now() / 1000);
    const issued = await issueChallenge(bindings.CHALLENGE_SECRET!, { provider: 'iamport', merchantUid: merchantUid, origin: SITE }, now - 200, 600);
    const callback = await certify('adult', merchantUid, { certified_at: now - 300 });
    const { status, body } = await attest({ imp_uid: callback.imp_uid, merchant_uid: merchantUid, challenge: issued.challenge });
    expect(status).toBe(422);
    expect(body.code).toBe('certification_stale');
    expect(body.detail).toMatch(/before its challenge/);
  });

  it('answers age_requirement_not_met for a 17-year-old when 19 is asked, and issues nothing', async () => {
    const { status, body } = await attest(await verifiedBody('minor_17', { min_age: 19 }));
    expect(status).toBe(422);
    expect(body.code).toBe('age_requirement_not_met');
    expect(body).not.toHaveProperty('token');
  });

  it('attests a 17-year-old when only 14 is asked', async () => {
    const { status, body } = await attest(await verifiedBody('minor_17', { min_age: 14 }));
    expect(status).toBe(201);
    expect(body.claims.age_over).toBe(14);
  });

  it('attests someone who turns 19 today (in Seoul) as at least 19', async () => {
    expect((await attest(await verifiedBody('turns_19_today', { min_age: 19 }))).status).toBe(201);
  });

  it('answers identity_key_missing for a certification without a CI', async () => {
    const { status, body } = await attest(await verifiedBody('no_ci'));
    expect(status).toBe(422);
    expect(body.code).toBe('identity_key_missing');
  });

  it('answers 405 for a known endpoint with the wrong method, and 404 problems for unknown paths', async () => {
    const wrongMethod = await SELF.fetch(`${VERIFIER}/v1/attestations`);
    expect(wrongMethod.status).toBe(405);
    expect(((await wrongMethod.json()) as { code: string }).code).toBe('method_not_allowed');
    const unknown = await SELF.fetch(`${VERIFIER}/v2/nothing`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('single use', () => {
  it('answers the very same exchange sent again with the same attestation, like an idempotency key', async () => {
    const body = await verifiedBody('adult', { min_age: 19, nonce: 'n-1' });
    const first = await attest(body);
    expect(first.status).toBe(201);
    // The first answer was lost on the way: the tag sends the same request again.
    const again = await attest(body);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.body.claims.jti).toBe(first.body.claims.jti);
  });

  it('refuses any other exchange of an exchanged imp_uid with already_used', async () => {
    // A second challenge for the same (site-chosen) merchant_uid, issued before the verification finished.
    const body = await verifiedBody('adult', { min_age: 19, nonce: 'n-1' }, SITE, siteChosenId());
    const second = await issueChallenge(bindings.CHALLENGE_SECRET!, { provider: 'iamport', merchantUid: body.merchant_uid, origin: SITE }, Math.floor(Date.now() / 1000) - 60, 600);
    expect((await attest(body)).status).toBe(201);
    for (const other of [{ challenge: second.challenge }, { nonce: 'n-2' }, { nonce: undefined }, { min_age: 14 }]) {
      const replay = await attest({ ...body, ...other });
      expect(replay.status, JSON.stringify(other)).toBe(409);
      expect(replay.body.code).toBe('already_used');
      expect(replay.body).not.toHaveProperty('token');
    }
  });

  it('gives one and the same attestation to 30 concurrent identical exchanges of one imp_uid', async () => {
    const body = await verifiedBody();
    const results = await Promise.all(Array.from({ length: 30 }, () => attest(body)));
    expect(results.map((result) => result.status)).toEqual(Array(30).fill(201));
    expect(new Set(results.map((result) => result.body.token)).size).toBe(1);
  });

  it('gives exactly one token to 30 concurrent exchanges of one imp_uid that differ, and already_used to the rest', async () => {
    const body = await verifiedBody();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => attest({ ...body, nonce: `n-${i}` })));
    const statuses = results.map((result) => result.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(29);
  });

  it('does not use up a verification when the exchange is refused', async () => {
    const body = await verifiedBody('minor_17');
    expect((await attest({ ...body, min_age: 19 })).body.code).toBe('age_requirement_not_met');
    expect((await attest({ ...body, min_age: 14 })).status).toBe(201);
  });

  it('does not use up a verification when signing fails after the upstream answered', async () => {
    const body = await verifiedBody();
    // The platform's ECDSA signature fails once (HMACs still work): after the upstream call and the checks.
    const sign = crypto.subtle.sign.bind(crypto.subtle);
    const failing = vi.spyOn(crypto.subtle, 'sign').mockImplementation((algorithm, key, data) => {
      if ((typeof algorithm === 'string' ? algorithm : algorithm.name) === 'ECDSA') {
        failing.mockRestore();
        return Promise.reject(new Error('the signer is down'));
      }
      return sign(algorithm, key, data);
    });
    try {
      const failed = await postDirect('/v1/attestations', body);
      expect(failed.status).toBe(500);
      expect(failed.body.code).toBe('internal_error');
      expect(await ledgerFor(bindings, 'iamport', body.imp_uid).isClaimed()).toBe(false);
    } finally {
      failing.mockRestore();
    }
    const retried = await postDirect('/v1/attestations', body);
    expect(retried.status).toBe(201);
    expect(retried.body.claims.imp_uid).toBe(body.imp_uid);
  });

  it('answers the same exchange again after the certification was purged at the upstream', async () => {
    const body = await verifiedBody();
    const purging = { PURGE_AFTER_ATTEST: 'true' };
    const first = await postDirect('/v1/attestations', body, { overrides: purging });
    expect(first.status).toBe(201);
    // The certification is gone upstream: only the ledger can answer now.
    expect((await postDirect('/v1/attestations', { ...body, nonce: 'other' }, { overrides: purging })).body.code).toBe('certification_not_found');
    const again = await postDirect('/v1/attestations', body, { overrides: purging });
    expect(again.status).toBe(201);
    expect(again.body.token).toBe(first.body.token);
  });
});

describe('an imp_uid seen by someone else', () => {
  it('under a site-chosen merchant_uid, cannot be exchanged with a challenge asked for after the verification', async () => {
    // The victim's challenge and verification (a minted merchant_uid gets no second challenge at all: challenges.test.ts)…
    const victim = await verifiedBody('adult', {}, SITE, siteChosenId());
    // …and an attacker who read imp_uid and merchant_uid from a redirect URL a little later.
    const merchantUid = victim.merchant_uid;
    const later = await issueChallenge(bindings.CHALLENGE_SECRET!, { provider: 'iamport', merchantUid: merchantUid, origin: SITE }, Math.floor(Date.now() / 1000) + 30, 600);
    const { status, body } = await attest({ imp_uid: victim.imp_uid, merchant_uid: merchantUid, challenge: later.challenge });
    expect(status).toBe(422);
    expect(body.code).toBe('certification_stale');
    expect((await attest(victim)).status).toBe(201);
  });
});
