// Making ES256 signing keys as SIGNING_KEYS wants them: private JWKs with a kid.
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';

/**
 * A new private ES256 JWK. `prefix` "dev-" marks keys the verifier refuses in production;
 * `kid` names the key outright (tests that assert which key signed).
 */
export async function makeSigningKey(prefix = '', kid = undefined) {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const date = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  jwk.kid = kid ?? `${prefix}${date}-${(await calculateJwkThumbprint(jwk)).slice(0, 12)}`;
  jwk.alg = 'ES256';
  return jwk;
}
