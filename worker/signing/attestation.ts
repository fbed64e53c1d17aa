/**
 * The attestation: an ES256 JWT with `typ: iamport-verify+jwt` (RFC 8725 §3.11: explicit
 * typing, so it cannot be confused with another kind of JWT) and nothing else in its header.
 */
import { SignJWT, jwtVerify, type JWTPayload } from 'jose';
import { ALGORITHM, keyRing } from './keys.ts';
import type { Settings } from '../settings.ts';
import type { AttestationClaims } from '../checks/claims.ts';

export const TOKEN_TYPE = 'iamport-verify+jwt';

export async function signAttestation(settings: Settings, claims: AttestationClaims): Promise<string> {
  const ring = await keyRing(settings);
  return new SignJWT(claims as unknown as JWTPayload)
    .setProtectedHeader({ alg: ALGORITHM, typ: TOKEN_TYPE, kid: ring.signingKid })
    .sign(ring.signingKey);
}

/** Our own verification of one of our tokens (for `/v1/introspect`); undefined when it is not valid now. */
export async function verifyAttestation(settings: Settings, issuer: string, token: string): Promise<AttestationClaims | undefined> {
  const ring = await keyRing(settings);
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const key = header.kid === undefined ? undefined : ring.verifyKeys.get(header.kid);
        if (!key) throw new Error('unknown kid');
        return key;
      },
      { algorithms: [ALGORITHM], typ: TOKEN_TYPE, issuer, requiredClaims: ['iat', 'exp', 'nbf', 'sub', 'aud', 'jti'] },
    );
    return payload as unknown as AttestationClaims;
  } catch {
    return undefined;
  }
}
