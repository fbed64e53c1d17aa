import { SELF } from 'cloudflare:test';
import { createLocalJWKSet, decodeProtectedHeader, importJWK, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseSettings } from '../../worker/settings.ts';
import { signAttestation } from '../../worker/signing/attestation.ts';
import { attest, bindings, post, SITE, VERIFIER, verifiedBody } from './support.ts';

async function jwks() {
  const response = await SELF.fetch(`${VERIFIER}/.well-known/jwks.json`);
  return { response, body: (await response.json()) as { keys: Array<Record<string, string>> } };
}

describe('GET /.well-known/jwks.json', () => {
  it('publishes every signing key with kid, alg ES256 and use sig, and never a private part', async () => {
    const { response, body } = await jwks();
    expect(body.keys.map((key) => key.kid)).toEqual(['dev-test-key-1', 'dev-test-key-2']);
    for (const key of body.keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    }
    expect(response.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('key rotation', () => {
  it('signs new tokens with the first key', async () => {
    const { body } = await attest(await verifiedBody());
    expect(decodeProtectedHeader(body.token)).toMatchObject({ kid: 'dev-test-key-1' });
  });

  it('still verifies a token signed by the second key, through the JWKS and through introspection', async () => {
    // A deployment that signed with the second key before it was rotated behind the new first one.
    const previous = parseSettings({ ...bindings, SIGNING_KEYS: bindings.SECOND_KEY_ONLY });
    const now = Math.floor(Date.now() / 1000);
    const token = await signAttestation(previous, {
      iss: VERIFIER, aud: SITE, sub: 's', iat: now, nbf: now, exp: now + 600, jti: 'j', merchant_uid: 'm',
      verified_at: now, provider: 'iamport', imp_uid: 'imp_100000000001',
    });
    const { protectedHeader } = await jwtVerify(token, createLocalJWKSet((await jwks()).body as never), {
      algorithms: ['ES256'], typ: 'iamport-verify+jwt',
    });
    expect(protectedHeader.kid).toBe('dev-test-key-2');
    expect((await post('/v1/introspect', { token, audience: SITE }, { origin: null })).body.active).toBe(true);
  });
});

describe('POST /v1/introspect', () => {
  it('answers active with the claims for a valid token', async () => {
    const { body: attestation } = await attest(await verifiedBody('adult', { min_age: 19 }));
    const { status, body } = await post('/v1/introspect', { token: attestation.token, audience: SITE }, { origin: null });
    expect(status).toBe(200);
    expect(body).toEqual({ active: true, ...attestation.claims });
  });

  it('takes the RFC 7662 form encoding too', async () => {
    const { body: attestation } = await attest(await verifiedBody());
    const { body } = await post('/v1/introspect', `token=${attestation.token}&audience=${encodeURIComponent(SITE)}`, {
      origin: null, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(body.active).toBe(true);
  });

  it('answers only { active: false } for a token that is not ours', async () => {
    const attacker = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']) as CryptoKeyPair;
    const forged = await new SignJWT({ sub: 's', aud: SITE, jti: 'j' })
      .setProtectedHeader({ alg: 'ES256', typ: 'iamport-verify+jwt', kid: 'dev-test-key-1' })
      .setIssuer(VERIFIER).setIssuedAt().setNotBefore('0s').setExpirationTime('5m')
      .sign(attacker.privateKey);
    const { body } = await post('/v1/introspect', { token: forged, audience: SITE }, { origin: null });
    expect(body).toEqual({ active: false });
  });

  it('answers { active: false } for garbage, and invalid_request for a missing token', async () => {
    expect((await post('/v1/introspect', { token: 'a.b.c', audience: SITE }, { origin: null })).body).toEqual({ active: false });
    expect((await post('/v1/introspect', { audience: SITE }, { origin: null })).body.code).toBe('invalid_request');
  });

  it('refuses a request without audience as invalid_request, so no token is active for just anyone who asks', async () => {
    const { body: attestation } = await attest(await verifiedBody());
    for (const body of [{ token: attestation.token }, { token: attestation.token, audience: '' }, { token: attestation.token, audience: 'shop.example' }]) {
      const { status, response, body: problem } = await post('/v1/introspect', body, { origin: null });
      expect(status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(problem).toMatchObject({ code: 'invalid_request', status: 400 });
      expect(problem.detail).toContain('audience');
    }
  });

  it('answers inactive for an audience that is not on the allow-list, even with a valid token', async () => {
    const { body: attestation } = await attest(await verifiedBody());
    expect((await post('/v1/introspect', { token: attestation.token, audience: 'https://evil.example' }, { origin: null })).body).toEqual({ active: false });
  });
});

describe('GET /.well-known/iamport-verify', () => {
  it('describes the deployment: issuer, keys, endpoints, lifetimes and allowed ages', async () => {
    const response = await SELF.fetch(`${VERIFIER}/.well-known/iamport-verify`);
    expect(await response.json()).toMatchObject({
      issuer: VERIFIER,
      jwks_uri: `${VERIFIER}/.well-known/jwks.json`,
      challenge_endpoint: `${VERIFIER}/v1/challenges`,
      attestation_endpoint: `${VERIFIER}/v1/attestations`,
      introspection_endpoint: `${VERIFIER}/v1/introspect`,
      otp_endpoints: { send: `${VERIFIER}/v1/otp/send`, resend: `${VERIFIER}/v1/otp/resend`, confirm: `${VERIFIER}/v1/otp/confirm` },
      token_ttl_seconds: 600,
      allowed_ages: [14, 19],
    });
  });
});

describe('POST /v1/challenges', () => {
  it('mints an unguessable alphanumeric merchant_uid of at most 40 characters when the site gives none', async () => {
    const { status, body } = await post('/v1/challenges', {});
    expect(status).toBe(201);
    expect(body.merchant_uid).toMatch(/^[A-Za-z0-9_]{1,40}$/);
    expect(body.merchant_uid).not.toBe((await post('/v1/challenges', {})).body.merchant_uid);
    expect(body.expires_at - Math.floor(Date.now() / 1000)).toBeGreaterThan(590);
  });

  it('accepts an empty body', async () => {
    expect((await post('/v1/challenges', '')).status).toBe(201);
  });

  it('refuses a merchant_uid the upstream would not take', async () => {
    for (const merchantUid of ['has space', 'x'.repeat(41), '', 42]) {
      expect((await post('/v1/challenges', { merchant_uid: merchantUid })).body.code).toBe('invalid_request');
    }
  });

  it('answers the CORS preflight for an allowed origin only', async () => {
    const preflight = (origin: string) => SELF.fetch(`${VERIFIER}/v1/challenges`, {
      method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    const allowed = await preflight(SITE);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(allowed.headers.get('access-control-allow-headers')).toBe('content-type');
    const refused = await preflight('https://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets the tag read Retry-After and the request id', async () => {
    const { response } = await post('/v1/challenges', {});
    expect(response.headers.get('access-control-expose-headers')).toBe('retry-after, x-request-id');
  });
});

// Keep the jose import used for key parsing honest: the served keys import as ES256 public keys.
describe('the served keys', () => {
  it('import as ES256 public keys', async () => {
    for (const key of (await jwks()).body.keys) {
      expect(((await importJWK(key, 'ES256')) as CryptoKey).type).toBe('public');
    }
  });
});
