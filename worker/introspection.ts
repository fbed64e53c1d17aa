/**
 * `POST /v1/introspect` (RFC 7662), for backends with no JOSE library: the one check of a token
 * (protocol/check.ts, which the backend kit runs too) with the verifier's key ring as its key
 * resolver. Any refusal answers only `{ active: false }`, never why.
 */
import { AGE_OPTIONS, AGE_RULES, type AgeRequirement } from '../protocol/age.ts';
import { checkAttestation, type KeyResolver } from '../protocol/check.ts';
import type { AttestationClaims } from '../protocol/claims.ts';
import { AttestationError } from '../protocol/errors.ts';
import { MAX_TOKEN_LENGTH } from '../protocol/token.ts';
import { VerifyError } from './errors.ts';
import { field, NONCE_PATTERN } from './request/fields.ts';
import type { Settings } from './settings.ts';
import { keyRing } from './signing/keys.ts';

/** What the calling backend asks: is this token valid now, for my site, with what I want? */
export interface IntrospectionRequest extends AgeRequirement {
  token: string;
  /** The caller's own site: a token made for any other is inactive. */
  audience: string;
  nonce?: string | undefined;
}

/** A site's origin, as the tag's page sends it (scheme and host, no path). */
const ORIGIN_PATTERN = /^https?:\/\/[^\s/]+$/;
const AGE_PATTERN = /^[0-9]{1,3}$/;

/**
 * The request from a JSON or form body. `audience` is required: without it, a token made for
 * any site on the allow-list would answer active to whoever asks (RFC 7662 §2.1 allows the
 * extra parameters `audience`, the age ones and `nonce`).
 */
export function parseIntrospectionRequest(body: Record<string, unknown>): IntrospectionRequest {
  const token = body.token;
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
    throw new VerifyError('invalid_request', '`token` is missing or malformed.');
  }
  const request: IntrospectionRequest = {
    token,
    audience: field.string(body, 'audience', ORIGIN_PATTERN),
    nonce: field.optionalString(body, 'nonce', NONCE_PATTERN),
  };
  for (const option of AGE_OPTIONS) {
    const { parameter } = AGE_RULES[option];
    // JSON gives a number; the form encoding gives digits.
    const value = typeof body[parameter] === 'number' ? String(body[parameter]) : body[parameter];
    if (value !== undefined) request[option] = Number(field.string({ [parameter]: value }, parameter, AGE_PATTERN));
  }
  return request;
}

/** The claims when the token is ours, valid now and what the caller asked for; otherwise undefined. */
export async function introspect(request: IntrospectionRequest, settings: Settings, issuer: string): Promise<AttestationClaims | undefined> {
  // A token is only ever made for a site on the allow-list; one taken off it is inactive at once.
  if (!settings.allowedOrigins.has(request.audience)) return undefined;
  const { verifyKeys } = await keyRing(settings);
  const ourKeys: KeyResolver = async (kid) => {
    const key = verifyKeys.get(kid);
    if (!key) throw new AttestationError('unknown_key', 'None of our keys has this kid.');
    return key;
  };
  try {
    return await checkAttestation(request.token, ourKeys, {
      ...request,
      issuer,
      audiences: [request.audience],
      // Our own clock set `exp` and `nbf`: there is no skew to allow for.
      clockToleranceSeconds: 0,
    });
  } catch (error) {
    if (error instanceof AttestationError) return undefined;
    throw error;
  }
}
