/**
 * What the kit's tests need from the real verifier (running in this workerd as SELF):
 * real tokens through the whole sandbox flow, its JWKS over a counted fetch, its
 * introspection, and hand-made JWSs (signed with any key and any header).
 */
import { SELF, env } from 'cloudflare:test';
import { base64url, importJWK, type JWK } from 'jose';

export const ISSUER = 'https://verify.example';
export const SITE = 'https://shop.example';
export const OTHER_SITE = 'https://other.example';
export const JWKS_URI = `${ISSUER}/.well-known/jwks.json`;
export const TOKEN_TYPE = 'iamport-verify+jwt';

/** A fresh token from the verifier: challenge, a sandbox person's certification, exchange. `minAge: null` asks for no age. */
export async function issueToken(
  { origin = SITE, person = 'adult', minAge = 19, nonce }: { origin?: string; person?: string; minAge?: number | null; nonce?: string } = {},
): Promise<string> {
  const headers = { origin, 'content-type': 'application/json' };
  const { merchant_uid, challenge } = await post<{ merchant_uid: string; challenge: string }>('/v1/challenges', {}, headers, 201);
  const { imp_uid } = await post<{ imp_uid: string }>('/sandbox/certifications', { person, merchant_uid, origin }, headers, 201);
  const { token } = await post<{ token: string }>(
    '/v1/attestations', { imp_uid, merchant_uid, challenge, min_age: minAge ?? undefined, nonce }, headers, 201,
  );
  return token;
}

async function post<T>(path: string, body: unknown, headers: Record<string, string>, expectedStatus: number): Promise<T> {
  const response = await SELF.fetch(ISSUER + path, { method: 'POST', headers, body: JSON.stringify(body) });
  if (response.status !== expectedStatus) {
    throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  }
  return response.json() as Promise<T>;
}

/** POST /v1/introspect, as a backend with no JOSE library would: for SITE unless `wants` names another audience. */
export async function introspect(
  token: string, wants: { audience?: string; min_age?: number; nonce?: string } = {},
): Promise<{ active: boolean } & Record<string, unknown>> {
  const response = await SELF.fetch(ISSUER + '/v1/introspect', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, audience: SITE, ...wants }),
  });
  if (response.status !== 200) throw new Error(`/v1/introspect answered ${response.status}: ${await response.text()}`);
  return response.json() as Promise<{ active: boolean } & Record<string, unknown>>;
}

/** A fetch for the kit that sends every request to the verifier, and counts them. */
export function countedFetch(serve: (request: Request) => Promise<Response> = (request) => SELF.fetch(request)) {
  const calls: string[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    calls.push(request.url);
    return await serve(request);
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

/** The verifier's private signing keys (from this run's bindings): forging with them makes a token only a claim check can refuse. */
export function signingJwks(): JWK[] {
  return JSON.parse((env as { SIGNING_KEYS: string }).SIGNING_KEYS) as JWK[];
}

export async function privateKey(jwk: JWK): Promise<CryptoKey> {
  return (await importJWK({ ...jwk, alg: 'ES256' }, 'ES256')) as CryptoKey;
}

export { partsOf } from '../support/forgeries.mjs';

const encodeJson = (value: object) => base64url.encode(JSON.stringify(value));

/** A compact JWS with exactly this header and payload, signed ES256 (P-256, raw r||s as JWS wants). */
export async function signES256(header: object, payload: object, key: CryptoKey): Promise<string> {
  const input = `${encodeJson(header)}.${encodeJson(payload)}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, new TextEncoder().encode(input));
  return `${input}.${base64url.encode(new Uint8Array(signature))}`;
}
