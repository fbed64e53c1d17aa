/**
 * The attestation: an ES256 JWT with `typ: iamport-verify+jwt` (RFC 8725 §3.11: explicit
 * typing, so it cannot be confused with another kind of JWT) and nothing else in its header.
 */
import { SignJWT, jwtVerify, type JWTPayload } from 'jose';
import { ALGORITHM, keyRing } from './keys.ts';
import type { Settings } from '../settings.ts';
import type { AttestationClaims } from '../checks/claims.ts';
import { fromBase64url } from '../crypto.ts';
import { HEADER_MEMBERS, REQUIRED_CLAIMS, TOKEN_TYPE } from '../../server/token.ts';

export { TOKEN_TYPE };

export async function signAttestation(settings: Settings, claims: AttestationClaims): Promise<string> {
  const ring = await keyRing(settings);
  return new SignJWT(claims as unknown as JWTPayload)
    .setProtectedHeader({ alg: ALGORITHM, typ: TOKEN_TYPE, kid: ring.signingKid })
    .sign(ring.signingKey);
}


/** What an introspecting backend may also require; a mismatch answers inactive. */
export interface IntrospectionExpectation {
  audiences: ReadonlySet<string>;
  minAge?: number | undefined;
  nonce?: string | undefined;
}

/** Our own verification of one of our tokens (for `/v1/introspect`); undefined when it is not valid now. */
export async function verifyAttestation(
  settings: Settings, issuer: string, token: string, expect: IntrospectionExpectation,
): Promise<AttestationClaims | undefined> {
  // Cheap checks first: only a compact JWS whose header is exactly ours is worth a signature check.
  const header = compactHeader(token);
  if (!header || header.alg !== ALGORITHM || header.typ !== TOKEN_TYPE || typeof header.kid !== 'string') return undefined;
  if (Object.keys(header).sort().join() !== HEADER_MEMBERS.join()) return undefined;
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
      {
        algorithms: [ALGORITHM], typ: TOKEN_TYPE, issuer, audience: [...expect.audiences],
        requiredClaims: [...REQUIRED_CLAIMS],
      },
    );
    const claims = payload as unknown as AttestationClaims;
    if (expect.minAge !== undefined && !(typeof claims.age_over === 'number' && claims.age_over >= expect.minAge)) return undefined;
    if (expect.nonce !== undefined && claims.nonce !== expect.nonce) return undefined;
    return claims;
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
