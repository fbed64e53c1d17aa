/**
 * Every failure the verifier can answer with, in one table: its stable `code`,
 * HTTP status, title and when it happens. Routes throw `VerifyError`; `app.onError`
 * turns it into an RFC 9457 problem. The README's error table is generated from this.
 */
export const PROBLEMS = {
  invalid_request: { status: 400, title: 'Invalid request', when: 'malformed JSON, missing or malformed fields, a body over the size limit, a challenge asked for a `merchant_uid` of the minted form (`iv_…`)' },
  origin_not_allowed: { status: 403, title: 'Origin not allowed', when: 'the request\'s Origin is not on the allow-list' },
  challenge_invalid: { status: 400, title: 'Challenge invalid', when: 'missing, forged or expired `challenge`, or one issued for another `merchant_uid`, site or provider' },
  certification_not_found: { status: 404, title: 'Certification not found', when: 'the upstream has no such certification' },
  not_certified: { status: 422, title: 'Not certified', when: '`certified` is false, or a V2 status other than `VERIFIED`' },
  merchant_uid_mismatch: { status: 422, title: 'merchant_uid mismatch', when: 'the certification belongs to another challenge' },
  certification_stale: { status: 422, title: 'Certification stale', when: 'certified too long ago, before the challenge, or dated further in the future than clock skew explains' },
  age_requirement_not_met: { status: 422, title: 'Age requirement not met', when: 'younger than `min_age` (만 나이) or `min_year_age` (the year rule), or no birth date to tell' },
  guardian_required: { status: 422, title: 'Guardian required', when: 'the person is under `guardian_under` (만 나이): an adult guardian must verify too, in the same flow; nothing was used up' },
  guardian_not_adult: { status: 422, title: 'Guardian not an adult', when: 'the guardian is younger than 19 (만 나이)' },
  guardian_same_person: { status: 422, title: 'Guardian is the same person', when: 'the guardian\'s verification is of the person themselves (the same CI)' },
  guardian_invalid: { status: 422, title: 'Guardian verification refused', when: 'the guardian\'s verification failed a check: not certified, for another challenge, stale, made before the person\'s, or without a CI' },
  identity_key_missing: { status: 422, title: 'Identity key missing', when: 'no CI in the certification' },
  origin_mismatch: { status: 422, title: 'Verified on another site', when: 'the V1 certification\'s `origin` (the page it ran on) is not the requesting site' },
  test_channel: { status: 422, title: 'Test channel', when: 'production only: the PortOne V2 verification did not run on a live channel (`channel.type` is `TEST`, or the record names no channel)' },
  provider_mismatch: { status: 422, title: 'Made through the other provider', when: 'a V1 certification read through the PortOne V2 API (`version` is not `V2`): exchange it as V1' },
  already_used: { status: 409, title: 'Already used', when: 'this `imp_uid` (or V2 id) was already exchanged by another request (the very same request gets its attestation again while it is valid)' },
  otp_incorrect: { status: 422, title: 'Code incorrect', when: 'form mode: the code was not accepted (PortOne\'s `PG_PROVIDER` at confirm), or an APP push not approved yet; counts as an attempt' },
  otp_expired: { status: 422, title: 'Code expired', when: 'form mode: the code\'s 3 minutes passed; ask for a new one (`/v1/otp/resend`)' },
  otp_not_sent: { status: 409, title: 'No code sent', when: 'form mode: a resend or confirm before any code was sent for this verification' },
  otp_already_sent: { status: 409, title: 'Code already sent', when: 'form mode: a code was already sent for this verification; confirm it or resend' },
  otp_attempts_exceeded: { status: 429, title: 'Too many attempts', when: 'form mode: too many confirm attempts for this challenge; it is spent, start over with a new one (see `Retry-After`)' },
  otp_send_limited: { status: 429, title: 'Too many codes', when: 'form mode: too many codes sent for this challenge or to this phone number, or a resend too soon; see `Retry-After`' },
  otp_budget_exhausted: { status: 429, title: 'Send budget exhausted', when: 'form mode: the site\'s codes for this hour or day (`OTP_BUDGET_PER_HOUR`, `OTP_BUDGET_PER_DAY`) are spent; nothing was sent; see `Retry-After`' },
  turnstile_failed: { status: 403, title: 'Bot check failed', when: 'form mode with `TURNSTILE_SECRET`: the send had no `turnstile_token`, or Turnstile did not accept it (failed, expired, already used, or solved on another site); nothing was sent' },
  carrier_failed: { status: 502, title: 'Carrier failed', when: 'form mode: the carrier or PG could not send or check a code (PortOne `PG_PROVIDER` at send, `MAX_TRANSACTION_COUNT_REACHED`)' },
  otp_not_contracted: { status: 403, title: 'Form mode not contracted', when: 'form mode: PortOne refused the API flow for this channel (`CHANNEL_NOT_FOUND`, `FORBIDDEN`): it needs its own contract' },
  rate_limited: { status: 429, title: 'Too many requests', when: 'the client went over the rate limit; see `Retry-After`' },
  upstream_auth_failed: { status: 502, title: 'Upstream refused our credentials', when: 'the upstream refused the API key or secret' },
  upstream_unavailable: { status: 503, title: 'Upstream unavailable', when: 'the upstream timed out, failed or answered garbage' },
  not_found: { status: 404, title: 'Not found', when: 'no such endpoint' },
  method_not_allowed: { status: 405, title: 'Method not allowed', when: 'the endpoint exists but not with this method' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type', when: 'a POST body that is not `application/json`' },
  configuration_error: { status: 500, title: 'Verifier misconfigured', when: 'the deployment\'s settings or bindings are unsafe or incomplete, or a signing key cannot sign (see the log line); nothing is signed' },
  internal_error: { status: 500, title: 'Internal error', when: 'a bug; no verification was used up (the same request may be sent again)' },
} as const satisfies Record<string, { status: number; title: string; when: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

/** The one error type routes throw. `detail` is shown to the client: never put personal data or secrets in it. */
export class VerifyError extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly detail: string;
  /** Extra response headers, such as `Retry-After`. */
  readonly headers: Record<string, string>;

  constructor(code: ProblemCode, detail: string = PROBLEMS[code].when, headers: Record<string, string> = {}) {
    super(`${code}: ${detail}`);
    this.name = 'VerifyError';
    this.code = code;
    this.status = PROBLEMS[code].status;
    this.detail = detail;
    this.headers = headers;
  }
}

/** Problem `type`s are URNs: stable names that claim no web address. */
export const PROBLEM_TYPE_BASE = 'urn:iamport-verify:problem:';

/** RFC 9457 body for a code. */
export function problemBody(code: ProblemCode, detail: string) {
  const { status, title } = PROBLEMS[code];
  return { type: PROBLEM_TYPE_BASE + code, title, status, detail, code };
}

export function problemResponse(error: VerifyError, extraHeaders: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problemBody(error.code, error.detail)), {
    status: error.status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...error.headers, ...extraHeaders },
  });
}
