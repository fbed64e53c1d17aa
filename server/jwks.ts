/**
 * The verifier's public keys, fetched from its JWKS and cached at module scope, so many
 * verifications share one download.
 *
 * Our own small cache rather than jose's `createRemoteJWKSet`, for two reasons: its cooldown
 * counts from the last *successful* fetch, so with the JWKS down every token with an unknown
 * `kid` would fetch again, where ours counts from the last attempt; and it returns rejected
 * promises unawaited, which the Workers test runner reports as unhandled rejections.
 * Fetches are not shared between concurrent callers: on Workers a promise must not be awaited
 * across requests.
 */
import { importJWK, type JWK } from 'jose';

/** An unknown `kid` refetches the JWKS at most once per this long, so forged kids cannot flood the verifier. */
export const JWKS_REFETCH_COOLDOWN_MS = 60_000;
/** A cached JWKS is refetched after this long even with no unknown kid, so withdrawn keys stop verifying. */
export const JWKS_MAX_AGE_MS = 10 * 60_000;
/** A JWKS request that takes longer than this has failed. */
const JWKS_TIMEOUT_MS = 5_000;

export class JwksError extends Error {
  constructor(readonly reason: 'unknown_key' | 'jwks_unavailable', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JwksError';
  }
}

interface KeySet {
  keys: ReadonlyMap<string, CryptoKey>;
  fetchedAt: number;
  /** When we last asked, whether it worked or not: the cooldown counts from here. */
  attemptedAt: number;
}

// One cache per fetch function (tests and proxies inject their own), then per JWKS URL.
const cache = new WeakMap<typeof fetch, Map<string, KeySet>>();

/** The public key with this `kid`, from the cache or, when needed and allowed, a fresh JWKS. */
export async function publicKeyFor(kid: string, jwksUri: string, fetchImpl: typeof fetch): Promise<CryptoKey> {
  let byUri = cache.get(fetchImpl);
  if (!byUri) cache.set(fetchImpl, (byUri = new Map()));
  const cached = byUri.get(jwksUri);
  const now = Date.now();

  const stale = !cached || now - cached.fetchedAt >= JWKS_MAX_AGE_MS;
  const mayRefetch = !cached || now - cached.attemptedAt >= JWKS_REFETCH_COOLDOWN_MS;
  if (cached && !stale && (cached.keys.has(kid) || !mayRefetch)) {
    return keyOrUnknown(cached.keys, kid);
  }

  // A stale set is refreshed at most once per cooldown too, so a JWKS that is down is not hammered.
  if (cached && !mayRefetch) return keyOrUnknown(cached.keys, kid);

  if (cached) cached.attemptedAt = now;
  let keys: Map<string, CryptoKey>;
  try {
    keys = await fetchKeys(jwksUri, fetchImpl);
  } catch (error) {
    // The verifier's JWKS is unreachable: the keys we already had are still the best answer.
    if (cached?.keys.has(kid)) return cached.keys.get(kid)!;
    throw error;
  }
  byUri.set(jwksUri, { keys, fetchedAt: Date.now(), attemptedAt: Date.now() });
  return keyOrUnknown(keys, kid);
}

function keyOrUnknown(keys: ReadonlyMap<string, CryptoKey>, kid: string): CryptoKey {
  const key = keys.get(kid);
  if (!key) throw new JwksError('unknown_key', 'No published key matches the token\'s kid.');
  return key;
}

async function fetchKeys(jwksUri: string, fetchImpl: typeof fetch): Promise<Map<string, CryptoKey>> {
  let body: unknown;
  try {
    const response = await fetchImpl(jwksUri, {
      headers: { accept: 'application/jwk-set+json, application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(JWKS_TIMEOUT_MS),
    });
    if (response.status !== 200) throw new Error(`the JWKS answered ${response.status}`);
    body = await response.json();
  } catch (cause) {
    throw new JwksError('jwks_unavailable', 'The verifier\'s public keys could not be fetched.', { cause });
  }
  const listed = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(listed)) throw new JwksError('jwks_unavailable', 'The JWKS has no `keys` array.');

  const keys = new Map<string, CryptoKey>();
  for (const jwk of listed as JWK[]) {
    // Only P-256 signing keys with a kid can verify our tokens; skip anything else.
    const usable = jwk && typeof jwk.kid === 'string' && jwk.kty === 'EC' && jwk.crv === 'P-256'
      && (jwk.use === undefined || jwk.use === 'sig') && (jwk.alg === undefined || jwk.alg === 'ES256');
    if (!usable) continue;
    try {
      const { kty, crv, x, y } = jwk; // public members only, whatever else the JWK holds
      keys.set(jwk.kid!, (await importJWK({ kty, crv, x, y }, 'ES256')) as CryptoKey);
    } catch {
      // A malformed key cannot verify anything; the others still can.
    }
  }
  return keys;
}
