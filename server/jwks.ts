/**
 * The backend kit's key resolver: the verifier's public keys, fetched from its JWKS and cached
 * at module scope, so many verifications share one download.
 *
 * Our own small cache rather than jose's `createRemoteJWKSet`, for two reasons: its cooldown
 * counts from the last *successful* fetch, so with the JWKS down every token would fetch again,
 * where ours counts from the last attempt, whatever its outcome; and it returns rejected
 * promises unawaited, which the Workers test runner reports as unhandled rejections.
 * Fetches are not shared between concurrent callers: on Workers a promise must not be awaited
 * across requests.
 */
import { importJWK, type JWK } from 'jose';
import type { KeyResolver } from '../protocol/check.ts';
import { AttestationError } from '../protocol/errors.ts';

/**
 * The JWKS is fetched at most once per this long, whether the last attempt worked or not: an
 * unknown `kid` cannot make the kit flood the verifier, nor can a JWKS that is down.
 */
export const JWKS_REFETCH_COOLDOWN_MS = 60_000;
/** A cached JWKS is refetched after this long even with no unknown kid, so withdrawn keys stop verifying. */
export const JWKS_MAX_AGE_MS = 10 * 60_000;
/** A JWKS request that takes longer than this has failed. */
const JWKS_TIMEOUT_MS = 5_000;

interface KeySet {
  keys: ReadonlyMap<string, CryptoKey>;
  /** When `keys` were fetched; undefined while no fetch has worked yet. */
  fetchedAt: number | undefined;
  /** When we last asked, whether it worked or not: the cooldown counts from here. */
  attemptedAt: number;
  /** The last attempt failed: a kid we do not have is then unavailable rather than unknown. */
  lastAttemptFailed: boolean;
}

// One cache per fetch function (tests and proxies inject their own), then per JWKS URL.
const cache = new WeakMap<typeof fetch, Map<string, KeySet>>();

/** Resolves kids against the JWKS at `jwksUri`, through the cache. */
export function jwksKeyResolver(jwksUri: string, fetchImpl: typeof fetch): KeyResolver {
  return (kid) => publicKeyFor(kid, jwksUri, fetchImpl);
}

/** The public key with this `kid`, from the cache or, when needed and allowed, a fresh JWKS. */
async function publicKeyFor(kid: string, jwksUri: string, fetchImpl: typeof fetch): Promise<CryptoKey> {
  let byUri = cache.get(fetchImpl);
  if (!byUri) cache.set(fetchImpl, (byUri = new Map()));
  const cached = byUri.get(jwksUri);
  const now = Date.now();
  const known = cached?.keys.get(kid);

  const fresh = cached?.fetchedAt !== undefined && now - cached.fetchedAt < JWKS_MAX_AGE_MS;
  if (known && fresh) return known;
  // Asked too recently (for an unknown kid, a stale set, or after a failure): answer from what we have.
  if (cached && now - cached.attemptedAt < JWKS_REFETCH_COOLDOWN_MS) {
    if (known) return known;
    throw cached.lastAttemptFailed ? unavailable() : unknownKey();
  }

  // Concurrent callers with a cached set wait for the next cooldown rather than fetch too.
  if (cached) cached.attemptedAt = now;
  let keys: Map<string, CryptoKey>;
  try {
    keys = await fetchKeys(jwksUri, fetchImpl);
  } catch (error) {
    byUri.set(jwksUri, { keys: cached?.keys ?? new Map(), fetchedAt: cached?.fetchedAt, attemptedAt: now, lastAttemptFailed: true });
    // The verifier's JWKS is unreachable: the keys we already had are still the best answer.
    if (known) return known;
    throw error;
  }
  byUri.set(jwksUri, { keys, fetchedAt: Date.now(), attemptedAt: now, lastAttemptFailed: false });
  return keyOrUnknown(keys, kid);
}

function keyOrUnknown(keys: ReadonlyMap<string, CryptoKey>, kid: string): CryptoKey {
  const key = keys.get(kid);
  if (!key) throw unknownKey();
  return key;
}

const unknownKey = () => new AttestationError('unknown_key', 'No published key matches the token\'s kid.');
const unavailable = (cause?: unknown) =>
  new AttestationError('jwks_unavailable', 'The verifier\'s public keys could not be fetched.', { cause });

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
    throw unavailable(cause);
  }
  const listed = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(listed)) throw unavailable(new Error('the JWKS has no `keys` array'));

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
