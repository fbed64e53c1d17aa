/**
 * Signing keys: parsed from SIGNING_KEYS and imported once per isolate (importing an
 * EC key costs far more than a signature). The first key signs; all are published.
 */
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { DEVELOPMENT_KID_PREFIX, type Settings } from '../settings.ts';

import { ALGORITHM } from '../../server/token.ts';

export { ALGORITHM };

export interface KeyRing {
  signingKid: string;
  signingKey: CryptoKey;
  /** Public keys by kid, for introspection. */
  verifyKeys: ReadonlyMap<string, CryptoKey>;
  /** What `/.well-known/jwks.json` serves: public parts only. */
  jwks: { keys: JWK[] };
}

// One ring per parsed settings (parsed once per isolate), so signing costs no key import.
const rings = new WeakMap<Settings, Promise<KeyRing>>();
// Without SIGNING_KEYS (development only), one key for the whole isolate, whatever the settings.
let ephemeral: Promise<KeyRing> | undefined;

export function keyRing(settings: Settings): Promise<KeyRing> {
  if (settings.signingKeys.length === 0) return (ephemeral ??= ephemeralRing());
  let ring = rings.get(settings);
  if (!ring) {
    ring = importRing(settings.signingKeys as JWK[]);
    ring.catch(() => rings.delete(settings));
    rings.set(settings, ring);
  }
  return ring;
}

/** Only the public members of an EC JWK, labelled for ES256 signatures. */
export function publicJwk(jwk: JWK): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid: jwk.kid, alg: ALGORITHM, use: 'sig' };
}

async function importRing(privateJwks: JWK[]): Promise<KeyRing> {
  const first = privateJwks[0]!;
  const verifyKeys = new Map<string, CryptoKey>();
  for (const jwk of privateJwks) {
    verifyKeys.set(jwk.kid!, (await importJWK(publicJwk(jwk), ALGORITHM)) as CryptoKey);
  }
  return {
    signingKid: first.kid!,
    signingKey: (await importJWK({ ...first, alg: ALGORITHM }, ALGORITHM)) as CryptoKey,
    verifyKeys,
    jwks: { keys: privateJwks.map(publicJwk) },
  };
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
