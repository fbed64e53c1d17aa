/**
 * Signing the attestation: an ES256 JWT with `typ: iamport-verify+jwt` (RFC 8725 §3.11: explicit
 * typing, so it cannot be confused with another kind of JWT) and nothing else in its header.
 * Checking one is protocol/check.ts, for the backend kit and introspection alike.
 */
import { SignJWT, type JWTPayload } from 'jose';
import { ALGORITHM, keyRing } from './keys.ts';
import type { Settings } from '../settings.ts';
import type { AttestationClaims } from './claims.ts';
import { TOKEN_TYPE } from '../../protocol/token.ts';

export async function signAttestation(settings: Settings, claims: AttestationClaims): Promise<string> {
  const ring = await keyRing(settings);
  return new SignJWT(claims as unknown as JWTPayload)
    .setProtectedHeader({ alg: ALGORITHM, typ: TOKEN_TYPE, kid: ring.signingKid })
    .sign(ring.signingKey);
}

