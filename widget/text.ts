/**
 * Everything the tag says, in Korean and English. Error codes with no message of their own
 * (a new verifier code, say) get `failed`, so a message is never missing. `{age}` is `min-age`.
 */
export type Lang = 'ko' | 'en';

const ko = {
  start: '휴대폰 본인인증',
  again: '다시 인증하기',
  loading: '준비 중…',
  pressAgain: '준비되었습니다. 버튼을 다시 눌러 주세요.',
  verifying: '본인인증 중…',
  verified: '본인인증 완료',
  verifiedAge: '본인인증 완료 (만 {age}세 이상)',
  expired: '인증이 만료되었습니다. 다시 인증해 주세요.',
  required: '휴대폰 본인인증을 완료해 주세요.',
  failed: '본인인증에 실패했습니다. 다시 시도해 주세요.',
  cancelled: '본인인증이 취소되었습니다.',
  popup_blocked: '팝업이 차단되었습니다. 팝업을 허용해 주세요.',
  network_error: '연결하지 못했습니다. 잠시 후 다시 시도해 주세요.',
  invalid_attribute: '본인인증 설정이 잘못되었습니다.',
  age_requirement_not_met: '만 {age}세 이상만 이용할 수 있습니다.',
  challenge_invalid: '시간이 초과되었습니다. 다시 시도해 주세요.',
};

export type Messages = typeof ko;
type MessageKey = keyof Messages;

const en: Messages = {
  start: 'Verify with your phone',
  again: 'Verify again',
  loading: 'Getting ready…',
  pressAgain: 'Ready. Please press the button again.',
  verifying: 'Verifying…',
  verified: 'Verified',
  verifiedAge: 'Verified: {age} or older',
  expired: 'Your verification expired. Please verify again.',
  required: 'Please verify with your phone.',
  failed: 'Verification failed. Please try again.',
  cancelled: 'Verification was cancelled.',
  popup_blocked: 'The verification window was blocked. Please allow pop-ups.',
  network_error: 'Could not connect. Please try again later.',
  invalid_attribute: 'This verification is set up incorrectly.',
  age_requirement_not_met: 'You must be {age} or older.',
  challenge_invalid: 'This took too long. Please try again.',
};

export const MESSAGES: Record<Lang, Messages> = { ko, en };

/**
 * Codes that mean the same to the person as one above (the event still carries the exact
 * code). Refusals with nothing the person can do about them (pg_error, not_certified,
 * already_used, ...) get `failed`.
 */
const SAME_AS: Record<string, MessageKey> = {
  certification_stale: 'challenge_invalid',
  sdk_load_failed: 'network_error',
  rate_limited: 'network_error',
  upstream_unavailable: 'network_error',
  upstream_auth_failed: 'invalid_attribute',
  origin_not_allowed: 'invalid_attribute',
  configuration_error: 'invalid_attribute',
};

/** The message for an error code, with `{age}` filled in. */
export function errorMessage(messages: Messages, code: string, age: number | undefined): string {
  const key = SAME_AS[code] ?? code;
  return withAge(key in messages ? messages[key as MessageKey] : messages.failed, age);
}

export function withAge(message: string, age: number | undefined): string {
  return message.replace('{age}', String(age));
}

/** `lang` of the tag or its nearest ancestor, else the page's, else the browser's; Korean or English. */
export function languageOf(element: HTMLElement, explicit: string | undefined): Lang {
  const tag = explicit || element.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang || navigator.language;
  return tag.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}
