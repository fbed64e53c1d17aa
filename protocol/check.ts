/**
 * The one check of an attestation, shared by the backend kit (keys from the published JWKS)
 * and the verifier's `POST /v1/introspect` (keys from its own ring). Each caller brings only
 * its key resolver and what it expects; every refusal is an `AttestationError`.
 *
 * It lives with the contract, not in the kit, because what makes a token valid is part of the
 * token's format (RFC 8725's pinned header, the required claims, the age rules): the verifier
 * must not import its own consumer to answer introspection, and the kit keeps only its API
 * (`verifyAttestation`) and where its keys come from (jwks.ts).
 */
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { checkAgeRequirement, type AgeRequirement } from './age.ts';
import type { AttestationClaims } from './claims.ts';
import { AttestationError } from './errors.ts';
import { ALGORITHM, HEADER_MEMBERS, MAX_TOKEN_LENGTH, REQUIRED_CLAIMS, TOKEN_TYPE } from './token.ts';

/**
 * The public key with this `kid`. Throws `AttestationError` (`unknown_key`, or
 * `jwks_unavailable` when the keys cannot be had right now).
 */
export type KeyResolver = (kid: string) => Promise<CryptoKey>;

/** What the checker wants of a token beyond a valid signature. */
export interface Expectations extends AgeRequirement {
  /** `iss` must be exactly this. */
  issuer: string;
  /** `aud` must be one of these. */
  audiences: readonly string[];
  /** When given, `nonce` must be exactly this. */
  nonce?: string | undefined;
  /** Allowed skew for `exp` and `nbf`, between the verifier's clock and the checker's. */
  clockToleranceSeconds: number;
}

/**
 * The claims of `token` when it is one of ours, valid now, and what `expected` asks.
 * @throws AttestationError
 */
export async function checkAttestation(token: string, resolveKey: KeyResolver, expected: Expectations): Promise<AttestationClaims> {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) {
    throw new AttestationError('invalid_token', 'The token is not a string of a plausible length.');
  }
  // Cheap checks first: only a token whose header is exactly ours is worth a key and a signature.
  const key = await resolveKey(checkHeader(token));

  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      typ: TOKEN_TYPE,
      issuer: expected.issuer,
      audience: [...expected.audiences],
      clockTolerance: expected.clockToleranceSeconds,
      requiredClaims: [...REQUIRED_CLAIMS],
    }));
  } catch (error) {
    throw asAttestationError(error);
  }

  // We sign exactly one shape: a single audience and a non-empty subject.
  if (typeof payload.aud !== 'string') throw new AttestationError('invalid_token', 'The token\'s aud is not a single origin.');
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new AttestationError('invalid_token', 'The token has no subject.');
  const claims = payload as unknown as AttestationClaims;
  checkAgeRequirement(claims, expected);
  if (expected.nonce !== undefined && claims.nonce !== expected.nonce) {
    throw new AttestationError('nonce_mismatch', 'The token\'s nonce is not the one expected.');
  }
  return claims;
}

/**
 * RFC 8725 §3.1 and §3.11: the algorithm and the explicit type are pinned, and no header member
 * may let the token choose its own key (`jku`, `jwk`, `x5u`…) or change how it is read (`crit`,
 * `b64`). Compared exactly: jose's own `typ` option also takes `application/…` and any case.
 * Returns the `kid`.
 */
function checkHeader(token: string): string {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token);
  } catch (cause) {
    throw new AttestationError('invalid_token', 'The token is not a JWS.', { cause });
  }
  if (Object.keys(header).sort().join() !== HEADER_MEMBERS.join()) {
    throw new AttestationError('invalid_token', `The token's header must hold exactly ${HEADER_MEMBERS.join(', ')}.`);
  }
  if (header.alg !== ALGORITHM) throw new AttestationError('invalid_token', `The token's alg is not ${ALGORITHM}.`);
  if (header.typ !== TOKEN_TYPE) throw new AttestationError('invalid_token', `The token's typ is not ${TOKEN_TYPE}.`);
  if (typeof header.kid !== 'string' || header.kid === '') throw new AttestationError('invalid_token', 'The token has no kid.');
  return header.kid;
}

function asAttestationError(error: unknown): AttestationError {
  if (error instanceof errors.JWTExpired) return new AttestationError('token_expired', 'The token has expired.', { cause: error });
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss': return new AttestationError('wrong_issuer', 'The token is from another issuer.', { cause: error });
      case 'aud': return new AttestationError('wrong_audience', 'The token is for another site.', { cause: error });
      case 'nbf': return new AttestationError('token_not_yet_valid', 'The token is not valid yet.', { cause: error });
      default: return new AttestationError('invalid_token', `The token's ${error.claim} claim is missing or malformed.`, { cause: error });
    }
  }
  return new AttestationError('invalid_token', 'The token is malformed or its signature is invalid.', { cause: error });
}
