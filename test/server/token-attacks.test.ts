/**
 * Forged and misused tokens, each judged by the backend kit and by the verifier's
 * POST /v1/introspect: both run the one check in protocol/check.ts. The cases are the shared list
 * every verifier of attestations is tested with (test/support/forgeries.mjs), each starting from a
 * real token the verifier issued; then junk that is not a JWS, and the site's own policy.
 */
import { SELF } from 'cloudflare:test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttestationError, verifyAttestation, type AttestationErrorCode, type VerifyAttestationOptions } from '../../server/index.ts';
import { POLICY_MIN_AGE, attestationCases, type AttestationCase } from '../support/forgeries.mjs';
import { base64url } from 'jose';
import { ISSUER, JWKS_URI, OTHER_SITE, SITE, TOKEN_TYPE, countedFetch, introspect, issueToken, partsOf, signingJwks } from './verifier.ts';

/** Some sixty cases, each a kit check and an introspection request: seconds on a busy machine, not the default 5. */
const CASES_TIMEOUT_MS = 60_000;

const figures = { tried: 0, wronglyAccepted: 0, introspectTried: 0, introspectWronglyActive: 0 };

// The kit's JWKS fetch: the verifier's keys at its JWKS, and at any other address the attacker's
// own key (the one the forgeries' `jwk` header carries), so a kit that followed a token's jku or
// x5u would accept the forgery.
let attackerJwks: { keys: unknown[] } = { keys: [] };
const jwks = countedFetch(async (request) => request.url === JWKS_URI ? SELF.fetch(request) : Response.json(attackerJwks));
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

/** The kit fetched the verifier's JWKS at most once (the cache), and never a key set a token pointed to. */
function expectOnlyTheVerifiersJwksFetched() {
  expect(jwks.calls.filter((url) => url !== JWKS_URI)).toEqual([]);
  expect(jwks.calls.length).toBeLessThanOrEqual(1);
}

let real: { token: string; header: Record<string, unknown>; claims: Record<string, unknown> };
let cases: AttestationCase[];

beforeAll(async () => {
  const token = await issueToken({ minAge: POLICY_MIN_AGE });
  real = { token, ...partsOf(token) };
  cases = attestationCases({ token, over14: await issueToken({ minAge: 14 }), noAge: await issueToken({ minAge: null }) }, signingJwks()[0]!);
  const headerOf = (token: string) => { try { return partsOf(token).header; } catch { return {}; } };
  attackerJwks = { keys: cases.map((c) => headerOf(c.token).jwk).filter((jwk) => jwk !== undefined).slice(0, 1) };
  expect(attackerJwks.keys).toHaveLength(1);
});

// Printed whatever the outcome (on a failure they say how far the run got); checked by the last test.
afterAll(() => {
  console.log(
    `token attacks: kit ${figures.tried} tried, ${figures.wronglyAccepted} wrongly accepted; ` +
    `/v1/introspect ${figures.introspectTried} tried, ${figures.introspectWronglyActive} wrongly active`,
  );
});

describe('the real token, as a baseline', () => {
  it('is accepted by the kit and reported active by introspection', async () => {
    expect(real.header).toEqual({ alg: 'ES256', typ: TOKEN_TYPE, kid: signingJwks()[0]!.kid });
    await expect(verifyAttestation(real.token, kitOptions)).resolves.toMatchObject({ aud: SITE });
    expect(await introspect(real.token)).toMatchObject({ active: true, aud: SITE, sub: real.claims.sub });
  });
});

describe('the shared forgeries (alg none, HS256 with our public key, typ, kid, jku/jwk/x5u/crit, claims, tampering, signature encodings, age)', () => {
  it('are judged as the list says: refused by the kit with its code and inactive in introspection, or valid in both', async () => {
    const policy = { kit: { minAge: POLICY_MIN_AGE }, introspection: { min_age: POLICY_MIN_AGE } };
    for (const { name, token, expected } of cases) {
      const judged = expected === 'valid'
        ? (async () => {
          await expect(verifyAttestation(token, { ...kitOptions, ...policy.kit })).resolves.toMatchObject({ sub: real.claims.sub });
          expect(await introspect(token, policy.introspection)).toMatchObject({ active: true, sub: real.claims.sub });
        })()
        : (async () => {
          await kitRefuses(token, expected as AttestationErrorCode, policy.kit);
          await introspectionRefuses(token, policy.introspection);
        })();
      await judged.catch((error: Error) => { throw new Error(`${name}: ${error.message}`); });
    }
    expect(cases.filter((c) => c.expected !== 'valid').length).toBeGreaterThan(40);
    expectOnlyTheVerifiersJwksFetched();
  }, CASES_TIMEOUT_MS);
});

/** Junk that is not a JWS, some of it made from a real token. */
function notAJws(token: string): string[] {
  const [encodedHeader, , signature] = token.split('.');
  const oversized = `${encodedHeader}.${base64url.encode('x'.repeat(8000))}.${signature}`;
  return ['', 'not a token', 'a.b', 'a.b.c.d.e', token + '.', ' ' + token, oversized];
}

describe('things that are not a JWS at all', () => {
  it('are refused by the kit as invalid_token', async () => {
    for (const junk of notAJws(real.token)) {
      await kitRefuses(junk, 'invalid_token');
    }
    expectOnlyTheVerifiersJwksFetched();
  });
});

// The site's own policy: real tokens the verifier issued for a purpose other than this one.
describe('real tokens used against the site\'s policy', () => {
  it('refuses a real token issued for another site', async () => {
    const forOtherSite = await issueToken({ origin: OTHER_SITE });
    await kitRefuses(forOtherSite, 'wrong_audience');
    // Introspection always knows the caller's site (`audience` is required), so the token is inactive for it.
    await introspectionRefuses(forOtherSite, { audience: SITE });
    expect(await introspect(forOtherSite, { audience: OTHER_SITE })).toMatchObject({ active: true, aud: OTHER_SITE });
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

// Last, so it sees every case above: the figures printed (and quoted in the README) are checked,
// not only shown. A case skipped, cut short or wrongly accepted makes them wrong, and this fail.
describe('the whole run', () => {
  it('tried every refusal above against the kit and introspection, and neither accepted one', () => {
    const refusedForgeries = cases.filter((c) => c.expected !== 'valid').length;
    const POLICY_KIT = 3; // another site's token, two wrong nonces
    const POLICY_INTROSPECTION = 2; // another site's token, a wrong nonce
    expect(figures).toEqual({
      tried: refusedForgeries + notAJws(real.token).length + POLICY_KIT, wronglyAccepted: 0,
      introspectTried: refusedForgeries + POLICY_INTROSPECTION, introspectWronglyActive: 0,
    });
  });
});
