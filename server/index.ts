/**
 * The backend kit: `import { verifyAttestation } from 'iamport-verify/server'`.
 *
 * Checks an attestation offline against the verifier's published keys and returns its
 * claims, or throws an `AttestationError` with a stable `code`. Web standards and jose
 * only, so it runs the same on Node 20+, Workers, Deno and Bun. The check itself is
 * `checkAttestation` of the shared contract (protocol/check.ts), the same one the verifier's
 * introspection runs; the kit brings its options and its keys (jwks.ts).
 */
import { AGE_OPTIONS, type AgeRequirement } from '../protocol/age.ts';
import { checkAttestation } from '../protocol/check.ts';
import type { AttestationClaims } from '../protocol/claims.ts';
import { jwksKeyResolver } from './jwks.ts';

export type { AttestationClaims };
export { ATTESTATION_ERRORS, AttestationError, type AttestationErrorCode } from '../protocol/errors.ts';
export { TOKEN_TYPE } from '../protocol/token.ts';

export interface VerifyAttestationOptions extends AgeRequirement {
  /** The verifier's issuer URL, exactly as in `iss` (e.g. `https://verify.example.com`). */
  issuer: string;
  /** Your site's origin (or origins) the token must be for, e.g. `https://shop.example`. */
  audience: string | readonly string[];
  /** Refuse tokens whose `nonce` is not exactly this. */
  nonce?: string;
  /** Where the public keys are; default `${issuer}/.well-known/jwks.json`. */
  jwksUri?: string;
  /** A `fetch` to get the JWKS with (tests, proxies, odd runtimes); default the global one. Pass the same function each time: keys are cached per function. */
  fetch?: typeof fetch;
  /** Allowed clock skew in seconds for `exp` and `nbf`; default `CLOCK_TOLERANCE_SECONDS`. */
  clockTolerance?: number;
}

/** Small on purpose: attestations live 10 minutes. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Verify an attestation and return its claims.
 * @throws AttestationError
 */
export async function verifyAttestation(token: string, options: VerifyAttestationOptions): Promise<AttestationClaims> {
  // Mistakes in the options are the caller's bug, not a bad token: a TypeError, at once.
  const audiences = typeof options.audience === 'string' ? [options.audience] : [...(options.audience ?? [])];
  if (!options.issuer || audiences.length === 0 || audiences.some((origin) => !origin)) {
    throw new TypeError('verifyAttestation needs `issuer` and `audience` (your site\'s origin).');
  }
  for (const option of AGE_OPTIONS) {
    if (options[option] !== undefined && !Number.isInteger(options[option])) throw new TypeError(`\`${option}\` must be an integer.`);
  }

  const jwksUri = options.jwksUri ?? `${options.issuer.replace(/\/+$/, '')}/.well-known/jwks.json`;
  // Awaited here, not passed on: Workers reports a rejected promise handed on unawaited as unhandled.
  return await checkAttestation(token, jwksKeyResolver(jwksUri, options.fetch ?? globalFetch), {
    ...options, // issuer, nonce and every age option of age.ts, as given
    audiences,
    clockToleranceSeconds: options.clockTolerance ?? CLOCK_TOLERANCE_SECONDS,
  });
}

// Calling the global fetch through another object throws "Illegal invocation" on Workers.
const globalFetch: typeof fetch = (input, init) => fetch(input, init);
