/**
 * The backend kit: `import { verifyAttestation } from 'iamport-verify/server'`.
 *
 * Checks an attestation offline against the verifier's published keys and returns its
 * claims, or throws an `AttestationError` with a stable `code`. Web standards and jose
 * only, so it runs the same on Node 20+, Workers, Deno and Bun.
 */
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { ALGORITHM, HEADER_MEMBERS, MAX_TOKEN_LENGTH, REQUIRED_CLAIMS, TOKEN_TYPE } from './token.ts';
import type { AttestationClaims } from './claims.ts';
import { JwksError, publicKeyFor } from './jwks.ts';

export type { AttestationClaims };

export interface VerifyAttestationOptions {
  /** The verifier's issuer URL, exactly as in `iss` (e.g. `https://verify.example.com`). */
  issuer: string;
  /** Your site's origin (or origins) the token must be for, e.g. `https://shop.example`. */
  audience: string | readonly string[];
  /** Refuse tokens whose `age_over` is missing or lower than this. */
  minAge?: number;
  /** Refuse tokens whose `nonce` is not exactly this. */
  nonce?: string;
  /** Where the public keys are; default `${issuer}/.well-known/jwks.json`. */
  jwksUri?: string;
  /** A `fetch` to get the JWKS with (tests, proxies, odd runtimes); default the global one. Pass the same function each time: keys are cached per function. */
  fetch?: typeof fetch;
  /** Allowed clock skew in seconds for `exp` and `nbf`; default `CLOCK_TOLERANCE_SECONDS`. */
  clockTolerance?: number;
}

/** Every reason `verifyAttestation` refuses a token: its stable `code` and when (the README's table comes from here). */
export const ATTESTATION_ERRORS = {
  invalid_token: 'not a JWS, a bad signature, `alg` other than ES256, `typ` other than iamport-verify+jwt, a header member other than alg, typ and kid (such as jku, jwk, x5u, crit), or a missing claim',
  token_expired: '`exp` has passed (beyond the clock tolerance)',
  token_not_yet_valid: '`nbf` is in the future (beyond the clock tolerance)',
  wrong_issuer: '`iss` is not the `issuer` option',
  wrong_audience: '`aud` is not the `audience` option (or one of them): a token for another site',
  age_too_low: '`age_over` is missing or lower than the `minAge` option',
  nonce_mismatch: '`nonce` is missing or not the `nonce` option',
  unknown_key: 'no published key has the token\'s `kid`, even after refetching the JWKS (at most once a minute)',
  jwks_unavailable: 'the JWKS could not be fetched or read (network, status, JSON); retry later',
} as const;

export type AttestationErrorCode = keyof typeof ATTESTATION_ERRORS;

/** The one error `verifyAttestation` throws. Its message is safe to log; it never holds the token. */
export class AttestationError extends Error {
  readonly code: AttestationErrorCode;

  constructor(code: AttestationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AttestationError';
    this.code = code;
  }
}

export { TOKEN_TYPE } from './token.ts';
/** Small on purpose: attestations live 10 minutes. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Verify an attestation and return its claims.
 * @throws AttestationError
 */
export async function verifyAttestation(token: string, options: VerifyAttestationOptions): Promise<AttestationClaims> {
  // Mistakes in the options are the caller's bug, not a bad token: a TypeError, at once.
  const audience = typeof options.audience === 'string' ? [options.audience] : [...(options.audience ?? [])];
  if (!options.issuer || audience.length === 0 || audience.some((origin) => !origin)) {
    throw new TypeError('verifyAttestation needs `issuer` and `audience` (your site\'s origin).');
  }
  if (options.minAge !== undefined && !Number.isInteger(options.minAge)) {
    throw new TypeError('`minAge` must be an integer.');
  }
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) {
    throw new AttestationError('invalid_token', 'The token is not a string of a plausible length.');
  }

  // Cheap checks first. RFC 8725 §3.1 and §3.11: pin the algorithm and the explicit type,
  // and refuse headers that would let the token choose its own key.
  const kid = checkHeader(token);

  let payload: Record<string, unknown>;
  try {
    const jwksUri = options.jwksUri ?? `${options.issuer.replace(/\/+$/, '')}/.well-known/jwks.json`;
    const key = await publicKeyFor(kid, jwksUri, options.fetch ?? globalFetch);
    ({ payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      issuer: options.issuer,
      audience,
      clockTolerance: options.clockTolerance ?? CLOCK_TOLERANCE_SECONDS,
      requiredClaims: [...REQUIRED_CLAIMS],
    }));
  } catch (error) {
    throw asAttestationError(error);
  }

  const claims = payload as unknown as AttestationClaims;
  if (typeof claims.sub !== 'string' || claims.sub === '') {
    throw new AttestationError('invalid_token', 'The token has no subject.');
  }
  if (options.minAge !== undefined && !(typeof claims.age_over === 'number' && claims.age_over >= options.minAge)) {
    throw new AttestationError('age_too_low', `The token does not attest an age of at least ${options.minAge}.`);
  }
  if (options.nonce !== undefined && claims.nonce !== options.nonce) {
    throw new AttestationError('nonce_mismatch', 'The token\'s nonce is not the one expected.');
  }
  return claims;
}

/** Checks the header and returns its kid. */
function checkHeader(token: string): string {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>;
  } catch (cause) {
    throw new AttestationError('invalid_token', 'The token is not a JWS.', { cause });
  }
  const members = Object.keys(header).sort();
  if (members.join() !== HEADER_MEMBERS.join()) {
    throw new AttestationError('invalid_token', `The token's header must hold exactly ${HEADER_MEMBERS.join(', ')}.`);
  }
  if (header.alg !== ALGORITHM) throw new AttestationError('invalid_token', `The token's alg is not ${ALGORITHM}.`);
  if (header.typ !== TOKEN_TYPE) throw new AttestationError('invalid_token', `The token's typ is not ${TOKEN_TYPE}.`);
  if (typeof header.kid !== 'string' || header.kid === '') {
    throw new AttestationError('invalid_token', 'The token has no kid.');
  }
  return header.kid;
}

function asAttestationError(error: unknown): AttestationError {
  if (error instanceof AttestationError) return error;
  if (error instanceof errors.JWTExpired) return new AttestationError('token_expired', 'The token has expired.', { cause: error });
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss': return new AttestationError('wrong_issuer', 'The token is from another issuer.', { cause: error });
      case 'aud': return new AttestationError('wrong_audience', 'The token is for another site.', { cause: error });
      case 'nbf': return new AttestationError('token_not_yet_valid', 'The token is not valid yet.', { cause: error });
      default: return new AttestationError('invalid_token', `The token's ${error.claim} claim is missing or malformed.`, { cause: error });
    }
  }
  if (error instanceof JwksError) return new AttestationError(error.reason, error.message, { cause: error });
  return new AttestationError('invalid_token', 'The token is malformed or its signature is invalid.', { cause: error });
}

// Calling the global fetch through another object throws "Illegal invocation" on Workers.
const globalFetch: typeof fetch = (input, init) => fetch(input, init);
