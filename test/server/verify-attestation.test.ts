import { afterEach, describe, expect, it, vi } from 'vitest';
import { SELF } from 'cloudflare:test';
import { generateKeyPair } from 'jose';
import { AttestationError, CLOCK_TOLERANCE_SECONDS, verifyAttestation, type AttestationClaims } from '../../server/index.ts';
import {
  ISSUER, JWKS_URI, OTHER_SITE, SITE, TOKEN_TYPE,
  countedFetch, issueToken, partsOf, privateKey, signES256, signingJwks,
} from './verifier.ts';

const nowSeconds = () => Math.floor(Date.now() / 1000);

async function refusal(promise: Promise<unknown>): Promise<AttestationError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AttestationError);
  return error as AttestationError;
}

/** A token with these claims, signed by the verifier's own key `index` (so only the claims can be wrong). */
async function signedByVerifier(claims: Record<string, unknown>, index = 0): Promise<string> {
  const jwk = signingJwks()[index]!;
  return signES256({ alg: 'ES256', typ: TOKEN_TYPE, kid: jwk.kid }, claims, await privateKey(jwk));
}

describe('verifyAttestation with tokens from the real verifier', () => {
  it('returns the claims of a token the verifier issued for this site', async () => {
    const { fetch } = countedFetch();
    const token = await issueToken({ minAge: 19, nonce: 'order-42' });
    const claims: AttestationClaims = await verifyAttestation(token, { issuer: ISSUER, audience: SITE, minAge: 19, nonce: 'order-42', fetch });
    expect(claims).toMatchObject({ iss: ISSUER, aud: SITE, age_over: 19, nonce: 'order-42', provider: 'iamport' });
    expect(claims.sub).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(claims.imp_uid).toMatch(/^imp_\d+$/);
    expect(claims.exp - claims.iat).toBe(600);
  });

  it('accepts a token for any one of several audiences', async () => {
    const { fetch } = countedFetch();
    const token = await issueToken({ origin: OTHER_SITE });
    const claims = await verifyAttestation(token, { issuer: ISSUER, audience: [SITE, OTHER_SITE], fetch });
    expect(claims.aud).toBe(OTHER_SITE);
  });

  it('gives one person the same sub on one site and a different one on another', async () => {
    const { fetch } = countedFetch();
    const options = { issuer: ISSUER, audience: [SITE, OTHER_SITE], fetch };
    const first = await verifyAttestation(await issueToken({ person: 'adult' }), options);
    const again = await verifyAttestation(await issueToken({ person: 'adult' }), options);
    const elsewhere = await verifyAttestation(await issueToken({ person: 'adult', origin: OTHER_SITE }), options);
    expect(again.sub).toBe(first.sub);
    expect(elsewhere.sub).not.toBe(first.sub);
  });

  it('accepts a token that expired within the clock tolerance, and refuses one just past it', async () => {
    const { fetch } = countedFetch();
    const { claims } = partsOf(await issueToken());
    const now = nowSeconds();
    const options = { issuer: ISSUER, audience: SITE, fetch };
    const justExpired = await signedByVerifier({ ...claims, iat: now - 600, nbf: now - 600, exp: now - (CLOCK_TOLERANCE_SECONDS - 5) });
    await expect(verifyAttestation(justExpired, options)).resolves.toMatchObject({ aud: SITE });
    const pastTolerance = await signedByVerifier({ ...claims, iat: now - 700, nbf: now - 700, exp: now - (CLOCK_TOLERANCE_SECONDS + 5) });
    expect((await refusal(verifyAttestation(pastTolerance, options))).code).toBe('token_expired');
  });

  it('refuses a token with a missing required claim', async () => {
    const { fetch } = countedFetch();
    const { claims } = partsOf(await issueToken());
    for (const claim of ['sub', 'jti', 'exp', 'iat']) {
      const { [claim]: _dropped, ...rest } = claims;
      const token = await signedByVerifier(rest);
      expect((await refusal(verifyAttestation(token, { issuer: ISSUER, audience: SITE, fetch }))).code, claim).toBe('invalid_token');
    }
  });

  it('throws a TypeError, not an AttestationError, when the options are wrong', async () => {
    const token = await issueToken();
    await expect(verifyAttestation(token, { issuer: '', audience: SITE })).rejects.toThrow(TypeError);
    await expect(verifyAttestation(token, { issuer: ISSUER, audience: [] })).rejects.toThrow(TypeError);
    await expect(verifyAttestation(token, { issuer: ISSUER, audience: '' })).rejects.toThrow(TypeError);
    await expect(verifyAttestation(token, { issuer: ISSUER, audience: SITE, minAge: '19' as unknown as number })).rejects.toThrow(TypeError);
  });
});

describe('the JWKS cache', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fetches the JWKS once for many verifications', async () => {
    const { fetch, calls } = countedFetch();
    const tokens = await Promise.all(Array.from({ length: 5 }, () => issueToken()));
    for (const token of [...tokens, ...tokens]) {
      await verifyAttestation(token, { issuer: ISSUER, audience: SITE, fetch });
    }
    expect(calls).toEqual([JWKS_URI]);
  });

  it('fetches the keys from an explicit jwksUri', async () => {
    const elsewhere = 'https://keys.example/jwks.json';
    const { fetch, calls } = countedFetch(verifierJwks);
    await verifyAttestation(await issueToken(), { issuer: ISSUER, audience: SITE, jwksUri: elsewhere, fetch });
    expect(calls).toEqual([elsewhere]);
  });

  it('refetches on an unknown kid, but not more than once a minute', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { fetch, calls } = countedFetch();
    const options = { issuer: ISSUER, audience: SITE, fetch };
    await verifyAttestation(await issueToken(), options);
    expect(calls).toHaveLength(1);

    const { privateKey: stranger } = await generateKeyPair('ES256');
    const { claims } = partsOf(await issueToken());
    const unknownKid = await signES256({ alg: 'ES256', typ: TOKEN_TYPE, kid: 'not-published' }, claims, stranger);

    // Within the minute after the last fetch: refused from the cache, no request.
    for (let i = 0; i < 5; i++) {
      expect((await refusal(verifyAttestation(unknownKid, options))).code).toBe('unknown_key');
    }
    expect(calls).toHaveLength(1);

    // A minute later: one refetch, then quiet again.
    vi.setSystemTime(Date.now() + 61_000);
    for (let i = 0; i < 5; i++) {
      expect((await refusal(verifyAttestation(unknownKid, options))).code).toBe('unknown_key');
    }
    expect(calls).toHaveLength(2);
  });

  it('picks up a key published after the cache was filled, once the cooldown has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const [first, second] = signingJwks();
    // The JWKS first lists only the first key, as before a rotation, then both.
    let published = [first!];
    const { fetch, calls } = countedFetch(async () =>
      Response.json({ keys: published.map(({ kty, crv, x, y, kid }) => ({ kty, crv, x, y, kid, alg: 'ES256', use: 'sig' })) }));
    const options = { issuer: ISSUER, audience: SITE, fetch };
    const { claims } = partsOf(await issueToken());
    await verifyAttestation(await signedByVerifier(claims, 0), options);

    const fromSecondKey = await signedByVerifier(claims, 1);
    expect((await refusal(verifyAttestation(fromSecondKey, options))).code).toBe('unknown_key');

    published = [first!, second!];
    vi.setSystemTime(Date.now() + 61_000);
    await expect(verifyAttestation(fromSecondKey, options)).resolves.toMatchObject({ sub: claims.sub });
    expect(calls).toHaveLength(2);
  });

  it('verifies a token signed by the second key in SIGNING_KEYS (rotation)', async () => {
    const { fetch } = countedFetch();
    const { claims } = partsOf(await issueToken());
    const fromSecondKey = await signedByVerifier(claims, 1);
    expect(partsOf(fromSecondKey).header.kid).toBe(signingJwks()[1]!.kid);
    await expect(verifyAttestation(fromSecondKey, { issuer: ISSUER, audience: SITE, fetch })).resolves.toMatchObject({ aud: SITE });
  });

  it('reports jwks_unavailable when the keys cannot be fetched', async () => {
    const token = await issueToken();
    const failures: Array<() => Promise<Response>> = [
      async () => { throw new TypeError('network down'); },
      async () => new Response('oops', { status: 500 }),
      async () => new Response('<html>not json</html>', { status: 200 }),
      async () => Response.json({ not: 'a key set' }),
    ];
    for (const failure of failures) {
      const { fetch } = countedFetch(failure);
      expect((await refusal(verifyAttestation(token, { issuer: ISSUER, audience: SITE, fetch }))).code).toBe('jwks_unavailable');
    }
  });
});

/** Serves the verifier's JWKS whatever the URL, as a key server elsewhere would. */
function verifierJwks(request: Request): Promise<Response> {
  return SELF.fetch(JWKS_URI, { headers: request.headers });
}

// The kit must hold no personal data: it only ever sees what the token carries.
describe('what the kit returns', () => {
  it('returns no name, phone, birthday, gender, CI or DI', async () => {
    const { fetch } = countedFetch();
    const claims = await verifyAttestation(await issueToken(), { issuer: ISSUER, audience: SITE, fetch });
    for (const personal of ['name', 'phone', 'birthday', 'gender', 'unique_key', 'unique_in_site', 'ci', 'di']) {
      expect(claims).not.toHaveProperty(personal);
    }
  });
});

describe('the age rules a backend can require', () => {
  const { fetch } = countedFetch();
  const base = () => {
    const now = nowSeconds();
    return { iss: ISSUER, aud: SITE, sub: 'child-sub', iat: now, nbf: now, exp: now + 600, jti: crypto.randomUUID(),
      merchant_uid: 'mu_1', verified_at: now, provider: 'iamport', imp_uid: 'imp_123456789012' };
  };
  const verify = async (claims: Record<string, unknown>, wants: Record<string, number>) =>
    verifyAttestation(await signedByVerifier(claims), { issuer: ISSUER, audience: SITE, fetch, ...wants });

  it('never takes a year-rule token for a 만 나이 one, nor the other way', async () => {
    expect((await refusal(verify({ ...base(), year_age_over: 19 }, { minAge: 19 }))).code).toBe('age_too_low');
    expect((await refusal(verify({ ...base(), age_over: 19 }, { minYearAge: 19 }))).code).toBe('age_too_low');
    expect((await verify({ ...base(), year_age_over: 19 }, { minYearAge: 19 })).year_age_over).toBe(19);
  });

  it('refuses a year-rule token that attests a lower age than the site wants', async () => {
    expect((await refusal(verify({ ...base(), year_age_over: 14 }, { minYearAge: 19 }))).code).toBe('age_too_low');
  });

  it('with requireGuardianUnder, accepts a person proven old enough, or a younger one with an adult guardian', async () => {
    expect((await verify({ ...base(), age_over: 14 }, { requireGuardianUnder: 14 })).age_over).toBe(14);
    const guardian = { sub: 'guardian-sub', age_over: 19, verified_at: nowSeconds() };
    const child = await verify({ ...base(), age_under: 14, guardian }, { requireGuardianUnder: 14 });
    expect(child.guardian).toEqual(guardian);
  });

  it('with requireGuardianUnder, refuses a child without a guardian, or with one not verified as an adult', async () => {
    const guardianMissing = async (claims: Record<string, unknown>) =>
      expect((await refusal(verify(claims, { requireGuardianUnder: 14 }))).code).toBe('guardian_missing');
    await guardianMissing({ ...base(), age_under: 14 });
    await guardianMissing({ ...base(), age_under: 14, guardian: { sub: 'g', age_over: 17, verified_at: nowSeconds() } });
    await guardianMissing({ ...base(), age_under: 14, guardian: { age_over: 19, verified_at: nowSeconds() } });
    await guardianMissing({ ...base(), age_over: 12 });
    await guardianMissing({ ...base() });
    // Under 16 does not say under 14: the site's rule asks about 14.
    await guardianMissing({ ...base(), age_under: 16, guardian: { sub: 'g', age_over: 19, verified_at: nowSeconds() } });
  });

  it('never lets a child\'s token pass a plain minAge', async () => {
    const guardian = { sub: 'guardian-sub', age_over: 19, verified_at: nowSeconds() };
    expect((await refusal(verify({ ...base(), age_under: 14, guardian }, { minAge: 14 }))).code).toBe('age_too_low');
  });
});
