/** Every reason a token is refused, as the backend kit reports it (the README's table comes from here). */

/** Each stable `code` and when it is given. */
export const ATTESTATION_ERRORS = {
  invalid_token: 'not a JWS, a bad signature, `alg` other than ES256, `typ` other than iamport-verify+jwt, a header member other than alg, typ and kid (such as jku, jwk, x5u, crit), or a missing claim',
  token_expired: '`exp` has passed (beyond the clock tolerance)',
  token_not_yet_valid: '`nbf` is in the future (beyond the clock tolerance)',
  wrong_issuer: '`iss` is not the `issuer` option',
  wrong_audience: '`aud` is not the `audience` option (or one of them): a token for another site',
  age_too_low: '`age_over` is missing or lower than the `minAge` option, or `year_age_over` than the `minYearAge` option (a token attests only the rule it was asked for)',
  guardian_missing: 'the `requireGuardianUnder` option is set and the token attests neither `age_over` of at least that age nor `age_under` with a `guardian` verified as an adult',
  nonce_mismatch: '`nonce` is missing or not the `nonce` option',
  unknown_key: 'no published key has the token\'s `kid`, even after refetching the JWKS (at most once a minute)',
  jwks_unavailable: 'the JWKS could not be fetched or read (network, status, JSON); retry later (the kit tries again at most once a minute)',
} as const;

export type AttestationErrorCode = keyof typeof ATTESTATION_ERRORS;

/** The one error a token check throws. Its message is safe to log; it never holds the token. */
export class AttestationError extends Error {
  readonly code: AttestationErrorCode;

  constructor(code: AttestationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AttestationError';
    this.code = code;
  }
}
