/**
 * The body of `POST /v1/attestations` (and of the form mode's confirm, which exchanges the same
 * way), read into an `ExchangeRequest`: each field's shape, the one age rule asked for, and the
 * guardian's verification. Nothing here does I/O; exchange.ts acts on what this returns.
 */
import type { AgeRequirement } from '../checks/age.ts';
import type { Provider } from '../checks/verification.ts';
import { VerifyError } from '../errors.ts';
import type { Settings } from '../settings.ts';
import { CHALLENGE_PATTERN, field, IMP_UID_PATTERN, MERCHANT_UID_PATTERN, NONCE_PATTERN } from './fields.ts';
import { GUARDIAN_ID_SUFFIX } from '../../server/guardian.ts';

export interface ExchangeRequest {
  provider: Provider;
  /** imp_uid, or the V2 identityVerificationId. */
  upstreamId: string;
  merchantUid: string;
  challenge: string;
  /** `min_age` (만 나이) or `min_year_age` (the year rule): the one rule the site asked for. */
  age: AgeRequirement | undefined;
  /** `guardian_under`: a person under this age (만 나이) needs an adult guardian's verification too. */
  guardianUnder: number | undefined;
  /** The guardian's verification (V1 `guardian_imp_uid`, V2 `guardian_identity_verification_id`), sent once the person was found to need one. */
  guardianId: string | undefined;
  nonce: string | undefined;
}

/**
 * Validate the body's shape. V1: `{ imp_uid, merchant_uid, challenge, … }`.
 * V2: `{ provider: "portone", identity_verification_id, challenge, … }`, where the id is
 * the challenge's merchant_uid. The challenge is read last: a missing or malformed one is
 * `challenge_invalid` (not ours, as a forged one is), once the other fields are well formed.
 */
export function parseExchangeRequest(body: Record<string, unknown>, settings: Settings): ExchangeRequest {
  const provider = parseProvider(body);
  const { age, guardianUnder } = parseAges(body, settings);
  const nonce = field.optionalString(body, 'nonce', NONCE_PATTERN);
  let upstreamId: string, merchantUid: string, guardianId: string | undefined;
  if (provider === 'iamport') {
    upstreamId = field.string(body, 'imp_uid', IMP_UID_PATTERN);
    merchantUid = field.string(body, 'merchant_uid', MERCHANT_UID_PATTERN);
    guardianId = field.optionalString(body, 'guardian_imp_uid', IMP_UID_PATTERN);
  } else {
    upstreamId = merchantUid = field.string(body, 'identity_verification_id', MERCHANT_UID_PATTERN);
    guardianId = field.optionalString(body, 'guardian_identity_verification_id', /^[A-Za-z0-9_-]{1,64}$/);
    if (guardianId !== undefined && guardianId !== merchantUid + GUARDIAN_ID_SUFFIX) {
      throw new VerifyError('invalid_request', `\`guardian_identity_verification_id\` must be the person's id with "${GUARDIAN_ID_SUFFIX}".`);
    }
  }
  if (guardianId !== undefined && (guardianUnder === undefined || guardianId === upstreamId)) {
    throw new VerifyError('invalid_request', 'A guardian\'s verification goes with `guardian_under`, and is not the person\'s own.');
  }
  const challenge = body.challenge;
  if (typeof challenge !== 'string' || !CHALLENGE_PATTERN.test(challenge)) {
    throw new VerifyError('challenge_invalid', '`challenge` is missing or malformed: ask for one at /v1/challenges.');
  }
  return { provider, upstreamId, merchantUid, challenge, age, guardianUnder, guardianId, nonce };
}

/** The body's `provider`: `iamport` (PortOne V1) when absent, or `portone` (V2). */
export function parseProvider(body: Record<string, unknown>): Provider {
  const provider = body.provider ?? 'iamport';
  if (provider === 'iamport' || provider === 'portone') return provider;
  throw new VerifyError('invalid_request', '`provider` must be "iamport" or "portone".');
}

/**
 * The age the site asks about: `min_age` (만 나이), `min_year_age` (the Youth Protection Act's
 * year rule) or `guardian_under` (the under-14 guardian step), at most one, each an age the
 * deployment allows (ALLOWED_AGES).
 */
function parseAges(body: Record<string, unknown>, settings: Settings): { age?: AgeRequirement; guardianUnder?: number } {
  const given = (['min_age', 'min_year_age', 'guardian_under'] as const).filter((name) => body[name] !== undefined && body[name] !== null);
  if (given.length > 1) {
    throw new VerifyError('invalid_request', `Ask for one of min_age, min_year_age and guardian_under, not ${given.join(' and ')}: a token attests one rule.`);
  }
  const [name] = given;
  if (name === undefined) return {};
  const value = body[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || !settings.allowedAges.includes(value)) {
    throw new VerifyError('invalid_request', `\`${name}\` must be one of ${settings.allowedAges.join(', ')}.`);
  }
  if (name === 'guardian_under') return { guardianUnder: value };
  return { age: { rule: name === 'min_age' ? 'age' : 'year_age', min: value } };
}
