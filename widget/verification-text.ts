/**
 * What a verification says, and every error message (text.ts has what the tag says before
 * anyone interacts, including `network_error`, shown when this file itself cannot be fetched).
 * Error codes with no message of their own (a new verifier code, say) get `failed`, so a
 * message is never missing. `{age}` is `min-age`.
 */
import type { Lang, Messages } from './text.js';

const ko = {
  pressAgain: '준비되었습니다. 버튼을 다시 눌러 주세요.',
  verifying: '본인인증 중…',
  verified: '본인인증 완료',
  verifiedAge: '본인인증 완료 (만 {age}세 이상)',
  expired: '인증이 만료되었습니다. 다시 인증해 주세요.',
  failed: '본인인증에 실패했습니다. 다시 시도해 주세요.',
  cancelled: '본인인증이 취소되었습니다.',
  popup_blocked: '팝업이 차단되었습니다. 팝업을 허용해 주세요.',
  invalid_attribute: '본인인증 설정이 잘못되었습니다.',
  age_requirement_not_met: '만 {age}세 이상만 이용할 수 있습니다.',
  year_age_requirement_not_met: '{age}세 이상(연 나이 기준)만 이용할 수 있습니다.',
  challenge_invalid: '시간이 초과되었습니다. 다시 시도해 주세요.',
  verifiedYearAge: '본인인증 완료 ({age}세 이상, 연 나이 기준)',
  guardianNeeded: '만 {age}세 미만은 보호자(법정대리인)의 동의가 필요합니다. 보호자가 휴대폰 본인인증을 해 주세요.',
  guardianStart: '보호자 본인인증',
  verifiedWithGuardian: '본인인증 완료 (보호자 동의 확인)',
  guardian_not_adult: '보호자는 만 19세 이상이어야 합니다.',
  guardian_same_person: '보호자 인증은 본인이 아닌 보호자가 해야 합니다.',
  guardian_invalid: '보호자 인증을 확인하지 못했습니다. 처음부터 다시 시도해 주세요.',
  guardian_too_late: '보호자 인증을 시작하기에는 시간이 너무 지났습니다. 본인인증부터 다시 해 주세요.',
};

export type VerificationMessages = typeof ko;

const en: VerificationMessages = {
  pressAgain: 'Ready. Please press the button again.',
  verifying: 'Verifying…',
  verified: 'Verified',
  verifiedAge: 'Verified: {age} or older',
  expired: 'Your verification expired. Please verify again.',
  failed: 'Verification failed. Please try again.',
  cancelled: 'Verification was cancelled.',
  popup_blocked: 'The verification window was blocked. Please allow pop-ups.',
  invalid_attribute: 'This verification is set up incorrectly.',
  age_requirement_not_met: 'You must be {age} or older.',
  year_age_requirement_not_met: 'You must turn {age} this year or earlier.',
  challenge_invalid: 'This took too long. Please try again.',
  verifiedYearAge: 'Verified: {age} or older by birth year',
  guardianNeeded: 'Under {age}, a parent or legal guardian must consent: please ask them to verify with their own phone.',
  guardianStart: 'Guardian: verify with your phone',
  verifiedWithGuardian: 'Verified, with a guardian\'s consent',
  guardian_not_adult: 'The guardian must be 19 or older.',
  guardian_same_person: 'The guardian must be someone other than you.',
  guardian_invalid: 'The guardian\'s verification could not be accepted. Please start again.',
  guardian_too_late: 'Too much time has passed for the guardian to verify now. Please start again with your own verification.',
};

export const VERIFICATION_MESSAGES: Record<Lang, VerificationMessages> = { ko, en };

/**
 * A part loaded later (the form mode's form) adds its own text, error messages included, to the
 * tag's: from then on the tag's text (`host.text()`, and every failure's message) has it too.
 */
export function addMessages(more: Record<Lang, object>): void {
  for (const lang of ['ko', 'en'] as const) Object.assign(VERIFICATION_MESSAGES[lang], more[lang]);
}

/** All the tag's text: the messages shown before interaction and these. */
export type AllMessages = Messages & VerificationMessages;

/**
 * Codes that mean the same to the person as one with a message (the event still carries the
 * exact code). Refusals with nothing the person can do about them (pg_error, not_certified,
 * already_used, ...) get `failed`.
 */
const SAME_AS: Record<string, keyof AllMessages> = {
  certification_stale: 'challenge_invalid',
  sdk_load_failed: 'network_error',
  rate_limited: 'network_error',
  upstream_unavailable: 'network_error',
  upstream_auth_failed: 'invalid_attribute',
  origin_not_allowed: 'invalid_attribute',
  configuration_error: 'invalid_attribute',
  test_channel: 'invalid_attribute',
  guardian_required: 'guardianNeeded',
};

/** The message for an error code, with `{age}` filled in. */
export function errorMessage(messages: AllMessages, code: string, age: number | undefined): string {
  const key = SAME_AS[code] ?? code;
  return withAge(Object.hasOwn(messages, key) ? messages[key as keyof AllMessages] : messages.failed, age);
}

export function withAge(message: string, age: number | undefined): string {
  return message.replace('{age}', String(age));
}
