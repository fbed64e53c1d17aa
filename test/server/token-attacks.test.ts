/**
 * Forged and misused tokens, each tried against the backend kit and against the verifier's
 * POST /v1/introspect. Every forgery starts from a real token the verifier issued.
 */
import { SELF } from 'cloudflare:test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, exportSPKI, generateKeyPair, importJWK } from 'jose';
import { AttestationError, verifyAttestation, type AttestationErrorCode, type VerifyAttestationOptions } from '../../server/index.ts';
import {
  ISSUER, JWKS_URI, OTHER_SITE, SITE, TOKEN_TYPE,
  base64url, countedFetch, introspect, issueToken, partsOf, privateKey, signES256, signHS256, signingJwks,
} from './verifier.ts';

const figures = { tried: 0, wronglyAccepted: 0, introspectTried: 0, introspectWronglyActive: 0 };

const jwks = countedFetch();
const kitOptions: VerifyAttestationOptions = { issuer: ISSUER, audience: SITE, fetch: jwks.fetch };

/** The kit must refuse `token` with `code`, whatever it was asked. */
async function kitRefuses(token: string, code: AttestationErrorCode, options: Partial<VerifyAttestationOptions> = {}) {
  figures.tried++;
  const outcome = await verifyAttestation(token, { ...kitOptions, ...options }).then(() => undefined, (e: unknown) => e);
  if (!(outcome instanceof AttestationError)) figures.wronglyAccepted++;
  expect(outcome).toBeInstanceOf(AttestationError);
  expect((outcome as AttestationError).code).toBe(code);
}

/** POST /v1/introspect must answer exactly { active: false }. */
async function introspectionRefuses(token: string, wants: Parameters<typeof introspect>[1] = {}) {
  figures.introspectTried++;
  const answer = await introspect(token, wants);
  if (answer.active !== false) figures.introspectWronglyActive++;
  expect(answer).toEqual({ active: false });
}

let real: { token: string; header: Record<string, unknown>; claims: Record<string, unknown> };
let ourKey: { kid: string; key: CryptoKey };
let attacker: { privateKey: CryptoKey; publicJwk: Record<string, unknown> };

beforeAll(async () => {
  const token = await issueToken({ minAge: 19 });
  real = { token, ...partsOf(token) };
  const jwk = signingJwks()[0]!;
  ourKey = { kid: jwk.kid!, key: await privateKey(jwk) };
  const pair = await generateKeyPair('ES256', { extractable: true });
  attacker = { privateKey: pair.privateKey, publicJwk: { ...(await exportJWK(pair.publicKey)), kid: 'attacker' } };
});

afterAll(() => {
  console.log(
    `token attacks: kit ${figures.tried} tried, ${figures.wronglyAccepted} wrongly accepted; ` +
    `/v1/introspect ${figures.introspectTried} tried, ${figures.introspectWronglyActive} wrongly active`,
  );
});

const header = (extra: Record<string, unknown> = {}) => ({ alg: 'ES256', typ: TOKEN_TYPE, kid: ourKey.kid, ...extra });
const now = () => Math.floor(Date.now() / 1000);

describe('the real token, as a baseline', () => {
  it('is accepted by the kit and reported active by introspection', async () => {
    expect(real.header).toEqual({ alg: 'ES256', typ: TOKEN_TYPE, kid: signingJwks()[0]!.kid });
    await expect(verifyAttestation(real.token, kitOptions)).resolves.toMatchObject({ aud: SITE });
    expect(await introspect(real.token)).toMatchObject({ active: true, aud: SITE, sub: real.claims.sub });
  });
});

describe('header attacks', () => {
  it('refuses alg "none" with no signature', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      const unsigned = `${base64url(JSON.stringify(header({ alg })))}.${base64url(JSON.stringify(real.claims))}.`;
      await kitRefuses(unsigned, 'invalid_token');
      await introspectionRefuses(unsigned);
    }
  });

  it('refuses HS256 signed with our public key as the HMAC secret', async () => {
    const published = (await (await SELF.fetch(JWKS_URI)).json() as { keys: Array<Record<string, unknown>> }).keys[0]!;
    const publicKey = await importJWK({ ...published, alg: 'ES256' }, 'ES256', { extractable: true }) as CryptoKey;
    const pem = await exportSPKI(publicKey);
    const der = new Uint8Array(await crypto.subtle.exportKey('spki', publicKey) as ArrayBuffer);
    const encoder = new TextEncoder();
    // The secrets a confused verifier might use for "the key": its PEM, DER, JWK JSON and the JWKS's own text.
    for (const secret of [encoder.encode(pem), der, encoder.encode(JSON.stringify(published)), encoder.encode(JSON.stringify({ keys: [published] }))]) {
      const forged = await signHS256(header({ alg: 'HS256' }), real.claims, secret);
      await kitRefuses(forged, 'invalid_token');
      await introspectionRefuses(forged);
    }
  });

  it('refuses a token whose typ is wrong or missing', async () => {
    for (const typ of ['JWT', 'at+jwt', 'application/iamport-verify+jwt', 'IAMPORT-VERIFY+JWT', undefined]) {
      const forged = await signES256({ alg: 'ES256', kid: ourKey.kid, ...(typ === undefined ? {} : { typ }) }, real.claims, ourKey.key);
      await kitRefuses(forged, 'invalid_token');
      await introspectionRefuses(forged);
    }
  });

  it('refuses a token whose kid is not published', async () => {
    const forged = await signES256(header({ kid: 'attacker' }), real.claims, attacker.privateKey);
    await kitRefuses(forged, 'unknown_key');
    await introspectionRefuses(forged);
  });

  it('refuses a token with no kid', async () => {
    const forged = await signES256({ alg: 'ES256', typ: TOKEN_TYPE }, real.claims, ourKey.key);
    await kitRefuses(forged, 'invalid_token');
    await introspectionRefuses(forged);
  });

  it('refuses a jku header pointing to the attacker\'s key set, and never fetches it', async () => {
    const elsewhere = countedFetch(async () => Response.json({ keys: [attacker.publicJwk] }));
    for (const kid of [ourKey.kid, 'attacker']) {
      const forged = await signES256(header({ kid, jku: 'https://evil.example/jwks.json' }), real.claims, attacker.privateKey);
      await kitRefuses(forged, 'invalid_token', { fetch: elsewhere.fetch });
      await introspectionRefuses(forged);
    }
    expect(elsewhere.calls).toEqual([]);
  });

  it('refuses a jwk header carrying the attacker\'s own key that signed the token', async () => {
    for (const kid of [ourKey.kid, 'attacker']) {
      const forged = await signES256(header({ kid, jwk: attacker.publicJwk }), real.claims, attacker.privateKey);
      await kitRefuses(forged, 'invalid_token');
      await introspectionRefuses(forged);
    }
  });

  it('refuses an x5u header pointing elsewhere', async () => {
    for (const kid of [ourKey.kid, 'attacker']) {
      const forged = await signES256(header({ kid, x5u: 'https://evil.example/cert.pem' }), real.claims, attacker.privateKey);
      await kitRefuses(forged, 'invalid_token');
      await introspectionRefuses(forged);
    }
  });

  it('refuses any header member beyond alg, typ and kid, even under our own signature', async () => {
    for (const extra of [
      { jku: 'https://evil.example/jwks.json' }, { jwk: attacker.publicJwk }, { x5u: 'https://evil.example/cert.pem' },
      { x5c: ['MIIB'] }, { crit: ['exp'] }, { crit: ['policy'], policy: 'x' }, { b64: false, crit: ['b64'] }, { cty: 'JWT' },
    ]) {
      const forged = await signES256(header(extra), real.claims, ourKey.key);
      await kitRefuses(forged, 'invalid_token');
      await introspectionRefuses(forged);
    }
  });
});

describe('claim attacks, under our own signature', () => {
  const resigned = async (changes: Record<string, unknown>) => signES256(header(), { ...real.claims, ...changes }, ourKey.key);

  it('refuses an expired token', async () => {
    const forged = await resigned({ iat: now() - 3600, nbf: now() - 3600, exp: now() - 3000 });
    await kitRefuses(forged, 'token_expired');
    await introspectionRefuses(forged);
  });

  it('refuses a token whose nbf is in the future', async () => {
    const forged = await resigned({ iat: now() + 3600, nbf: now() + 3600, exp: now() + 4200 });
    await kitRefuses(forged, 'token_not_yet_valid');
    await introspectionRefuses(forged);
  });

  it('refuses a token from another issuer', async () => {
    const forged = await resigned({ iss: 'https://evil.example' });
    await kitRefuses(forged, 'wrong_issuer');
    await introspectionRefuses(forged);
  });

  it('refuses a token for an audience that is not one of the verifier\'s sites', async () => {
    const forged = await resigned({ aud: 'https://evil.example' });
    await kitRefuses(forged, 'wrong_audience');
    await introspectionRefuses(forged);
  });
});

describe('tampering', () => {
  it('refuses a token whose payload was changed after signing', async () => {
    const [encodedHeader, , signature] = real.token.split('.');
    for (const changes of [{ age_over: 99 }, { sub: 'someone-else' }, { aud: OTHER_SITE }, { exp: now() + 86_400 }]) {
      const forged = `${encodedHeader}.${base64url(JSON.stringify({ ...real.claims, ...changes }))}.${signature}`;
      await kitRefuses(forged, 'invalid_token');
      await introspectionRefuses(forged);
    }
  });

  it('refuses a token whose signature was changed', async () => {
    const [encodedHeader, payload, signature] = real.token.split('.') as [string, string, string];
    const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
    for (const bad of [flipped, signature.slice(0, -4), signature + 'AAAA', '', base64url(new Uint8Array(64))]) {
      const forged = `${encodedHeader}.${payload}.${bad}`;
      await kitRefuses(forged, 'invalid_token');
      await introspectionRefuses(forged);
    }
  });

  it('refuses things that are not a JWS at all', async () => {
    const oversized = `${real.token.split('.')[0]}.${base64url('x'.repeat(8000))}.${real.token.split('.')[2]}`;
    for (const junk of ['', 'not a token', 'a.b', 'a.b.c.d.e', real.token + '.', ' ' + real.token, oversized]) {
      await kitRefuses(junk, 'invalid_token');
    }
  });
});

// The site's own policy: real tokens the verifier issued for a purpose other than this one.
describe('real tokens used against the site\'s policy', () => {
  it('refuses a real token issued for another site', async () => {
    const forOtherSite = await issueToken({ origin: OTHER_SITE });
    await kitRefuses(forOtherSite, 'wrong_audience');
    // Without `audience`, introspection answers with the token's own aud for the caller to compare;
    // with it, a token for another site is inactive.
    expect(await introspect(forOtherSite)).toMatchObject({ active: true, aud: OTHER_SITE });
    await introspectionRefuses(forOtherSite, { audience: SITE });
  });

  it('refuses a real token whose age_over is below the age the site wants', async () => {
    const over14 = await issueToken({ minAge: 14 });
    await kitRefuses(over14, 'age_too_low', { minAge: 19 });
    expect(await introspect(over14)).toMatchObject({ active: true, age_over: 14 });
    await introspectionRefuses(over14, { min_age: 19 });
  });

  it('refuses a real token with no age_over when the site wants an age', async () => {
    const noAge = await issueToken({ minAge: null });
    expect(partsOf(noAge).claims).not.toHaveProperty('age_over');
    await kitRefuses(noAge, 'age_too_low', { minAge: 14 });
  });

  it('refuses a real token whose nonce is not the one the site expects', async () => {
    const withNonce = await issueToken({ nonce: 'session-a' });
    await kitRefuses(withNonce, 'nonce_mismatch', { nonce: 'session-b' });
    await kitRefuses(await issueToken(), 'nonce_mismatch', { nonce: 'session-b' });
    expect(await introspect(withNonce)).toMatchObject({ active: true, nonce: 'session-a' });
    await introspectionRefuses(withNonce, { nonce: 'session-b' });
    expect(await introspect(withNonce, { audience: SITE, min_age: 19, nonce: 'session-a' })).toMatchObject({ active: true });
  });
});

describe('after all the attacks', () => {
  it('fetched only the verifier\'s JWKS, and only once', () => {
    expect(jwks.calls).toEqual([JWKS_URI]);
  });
});
