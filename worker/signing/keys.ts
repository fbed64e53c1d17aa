/**
 * Signing keys: parsed from SIGNING_KEYS, imported and proven once per isolate (importing an
 * EC key costs far more than a signature). The first key signs; all are published.
 * Every request waits for the ring first (app.ts), so a key that cannot sign is a
 * configuration error before any verification is used up, not a failure after it.
 */
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { ConfigurationError, DEVELOPMENT_KID_PREFIX, type Settings } from '../settings.ts';

import { ALGORITHM } from '../../protocol/token.ts';

export { ALGORITHM };

export interface KeyRing {
  signingKid: string;
  signingKey: CryptoKey;
  /** Public keys by kid, for introspection. */
  verifyKeys: ReadonlyMap<string, CryptoKey>;
  /** What `/.well-known/jwks.json` serves: public parts only. */
  jwks: { keys: JWK[] };
}

// One ring per set of keys (in practice one per isolate), so signing costs no key import and
// every request's proof is a lookup, even where each request brings its own env object.
// A ring that failed its proof stays failed, like the settings: the keys will not change.
const rings = new Map<string, Promise<KeyRing>>();
// Without SIGNING_KEYS (development only), one key for the whole isolate, whatever the settings.
let ephemeral: Promise<KeyRing> | undefined;

export function keyRing(settings: Settings): Promise<KeyRing> {
  if (settings.signingKeys.length === 0) return (ephemeral ??= ephemeralRing());
  const keys = JSON.stringify(settings.signingKeys);
  let ring = rings.get(keys);
  if (!ring) {
    ring = importRing(settings.signingKeys as JWK[]);
    ring.catch((error) => {
      if (!(error instanceof ConfigurationError)) rings.delete(keys);
    });
    rings.set(keys, ring);
  }
  return ring;
}

/** Only the public members of an EC JWK, labelled for ES256 signatures. */
export function publicJwk(jwk: JWK): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid: jwk.kid, alg: ALGORITHM, use: 'sig' };
}

async function importRing(privateJwks: JWK[]): Promise<KeyRing> {
  const verifyKeys = new Map<string, CryptoKey>();
  const signingKeys = new Map<string, CryptoKey>();
  const problems: string[] = [];
  for (const jwk of privateJwks) {
    const proven = await provenKey(jwk);
    if (typeof proven === 'string') problems.push(`SIGNING_KEYS key ${jwk.kid} ${proven}`);
    else {
      signingKeys.set(jwk.kid!, proven.signingKey);
      verifyKeys.set(jwk.kid!, proven.verifyKey);
    }
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  const first = privateJwks[0]!;
  return {
    signingKid: first.kid!,
    signingKey: signingKeys.get(first.kid!)!,
    verifyKeys,
    jwks: { keys: privateJwks.map(publicJwk) },
  };
}

/** What a key's proof signs: any bytes do; these say what they are in a debugger. */
const PROBE = new TextEncoder().encode('iamport-verify key probe');
const ECDSA_P256 = { name: 'ECDSA', hash: 'SHA-256' } as const;

/**
 * Import a private key and prove it: a probe signed with its `d` must verify with its
 * published `x`/`y`. Every key, not only the signing one: a later rotation makes it sign.
 * The problem (a phrase, no key material) when it cannot.
 */
async function provenKey(jwk: JWK): Promise<{ signingKey: CryptoKey; verifyKey: CryptoKey } | string> {
  let signingKey: CryptoKey;
  let verifyKey: CryptoKey;
  try {
    signingKey = (await importJWK({ ...jwk, alg: ALGORITHM }, ALGORITHM)) as CryptoKey;
    verifyKey = (await importJWK(publicJwk(jwk), ALGORITHM)) as CryptoKey;
  } catch {
    return 'cannot be imported: its d, x or y is malformed, or its d does not match its x and y';
  }
  const signature = await crypto.subtle.sign(ECDSA_P256, signingKey, PROBE);
  if (!(await crypto.subtle.verify(ECDSA_P256, verifyKey, signature, PROBE))) {
    return 'does not sign what its x and y verify (its d does not match them)';
  }
  return { signingKey, verifyKey };
}

/**
 * Development without SIGNING_KEYS (plain `wrangler dev`): a key made for this isolate
 * alone. Settings refuse it in production; `npm run dev` writes a lasting one instead.
 */
async function ephemeralRing(): Promise<KeyRing> {
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const jwk = await exportJWK(publicKey);
  jwk.kid = `${DEVELOPMENT_KID_PREFIX}ephemeral-${crypto.randomUUID().slice(0, 8)}`;
  return {
    signingKid: jwk.kid,
    signingKey: privateKey,
    verifyKeys: new Map([[jwk.kid, publicKey]]),
    jwks: { keys: [publicJwk(jwk)] },
  };
}
