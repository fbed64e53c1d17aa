/**
 * The verifier's public endpoints, as documented. The README's endpoint table is generated
 * from this list, and a test checks it against the app's real routes, so they cannot drift.
 */
export interface EndpointDoc {
  method: 'GET' | 'POST';
  path: string;
  request: string;
  answer: string;
  who: string;
}

export const ENDPOINTS: readonly EndpointDoc[] = [
  { method: 'POST', path: '/v1/challenges', request: '`{ merchant_uid?, provider? }` (`merchant_uid`: the site\'s own id, not starting with `iv_`; absent, the verifier mints one bound to this challenge; `provider`: `iamport`, the default, or `portone`)', answer: '`201 { merchant_uid, challenge, issued_at, expires_at }` (unix s on the verifier\'s clock: the challenge lives `expires_at - issued_at` seconds, whatever the device\'s clock says)', who: 'the tag, from an allowed origin' },
  {
    method: 'POST', path: '/v1/attestations',
    request: 'V1 `{ imp_uid, merchant_uid, challenge, min_age? | min_year_age? | guardian_under?, guardian_imp_uid?, nonce? }`; V2 `{ provider: "portone", identity_verification_id, challenge, min_age? | min_year_age? | guardian_under?, guardian_identity_verification_id?, nonce? }` (one age rule; the guardian id only with `guardian_under`, after a `guardian_required`)',
    answer: '`201 { token, expires_at, claims }`; the very same request again, while its token is valid: the same answer', who: 'the tag, from an allowed origin',
  },
  {
    method: 'POST', path: '/v1/otp/send',
    request: 'form mode: `{ challenge, identity_verification_id, channel_key, store_id?, name, phone_number, identity_number, operator, method, turnstile_token? }` (`identity_number`: the first 7 digits of the resident number, for SMS; `operator`: `SKT`, `KT`, `LGU` or their `_MVNO`; `method`: `SMS` or `APP`; the id is a `portone` challenge\'s `merchant_uid`; `turnstile_token`: the Turnstile widget\'s token, required when the verifier has `TURNSTILE_SECRET`)',
    answer: '`200 { identity_verification_id, method, sent_at, resend_available_at, code_expires_at }` (unix s, the verifier\'s clock: time countdowns as differences from `sent_at`; a code lives 3 minutes at the PGs)', who: 'the tag, from an allowed origin',
  },
  { method: 'POST', path: '/v1/otp/resend', request: 'form mode: `{ challenge, identity_verification_id, store_id? }` (SMS only)', answer: '`200 { sent_at, resend_available_at, code_expires_at }`', who: 'the tag, from an allowed origin' },
  {
    method: 'POST', path: '/v1/otp/confirm',
    request: 'form mode: `{ challenge, identity_verification_id, otp?, min_age? | min_year_age?, nonce?, store_id? }` (`otp`: the digits; absent for `APP`, once approved in the app; no `guardian_under`)',
    answer: 'as `POST /v1/attestations`: `201 { token, expires_at, claims }`, the very same request again the same answer', who: 'the tag, from an allowed origin',
  },
  { method: 'POST', path: '/v1/introspect', request: '`{ token, audience, min_age?, min_year_age?, guardian_under?, nonce? }` (JSON or form; `audience` is your site\'s origin)', answer: '`200 { active: true, ...claims }` or `200 { active: false }` (RFC 7662)', who: 'backends without a JOSE library' },
  { method: 'GET', path: '/.well-known/jwks.json', request: '', answer: 'the public signing keys (`kid`, `alg: ES256`, `use: sig`); cacheable', who: 'backends, any origin' },
  { method: 'GET', path: '/.well-known/iamport-verify', request: '', answer: 'discovery: `issuer`, `jwks_uri`, endpoints, lifetimes, allowed ages', who: 'backends, any origin' },
  { method: 'GET', path: '/healthz', request: '', answer: '`200 { ok: true }`; `500 configuration_error` when the settings, bindings or keys are unsafe', who: 'monitoring' },
];
