/**
 * The attestation: an ES256 JWT with `typ: iamport-verify+jwt` (RFC 8725 §3.11: explicit
 * typing, so it cannot be confused with another kind of JWT) and nothing else in its header.
 */
import { SignJWT, jwtVerify, type JWTPayload } from 'jose';
import { ALGORITHM, keyRing } from './keys.ts';
import type { Settings } from '../settings.ts';
import type { AttestationClaims } from '../checks/claims.ts';
import { fromBase64url } from '../crypto.ts';

export const TOKEN_TYPE = 'iamport-verify+jwt';

export async function signAttestation(settings: Settings, claims: AttestationClaims): Promise<string> {
  const ring = await keyRing(settings);
  return new SignJWT(claims as unknown as JWTPayload)
    .setProtectedHeader({ alg: ALGORITHM, typ: TOKEN_TYPE, kid: ring.signingKid })
    .sign(ring.signingKey);
}

/** Our own verification of one of our tokens (for `/v1/introspect`); undefined when it is not valid now. */
export async function verifyAttestation(settings: Settings, issuer: string, token: string): Promise<AttestationClaims | undefined> {
  // Cheap checks first: only a compact JWS whose header names our type, alg and a kid of ours is worth a signature check.
  const header = compactHeader(token);
  if (!header || header.alg !== ALGORITHM || header.typ !== TOKEN_TYPE || typeof header.kid !== 'string') return undefined;
  const ring = await keyRing(settings);
  if (!ring.verifyKeys.has(header.kid)) return undefined;
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

function compactHeader(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => part.length === 0)) return undefined;
  const bytes = fromBase64url(parts[0]!);
  if (!bytes || !parts.slice(1).every((part) => fromBase64url(part))) return undefined;
  try {
    const header: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
    return typeof header === 'object' && header !== null && !Array.isArray(header) ? header as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}
