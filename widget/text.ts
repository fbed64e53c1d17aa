/**
 * What the tag says before anyone interacts with it, in Korean and English; everything else
 * (the verification's steps, every error but a lost connection) is in verification-text.ts,
 * loaded with the verification or with the first error.
 */
export type Lang = 'ko' | 'en';

const ko = {
  start: '휴대폰 본인인증',
  again: '다시 인증하기',
  loading: '준비 중…',
  required: '휴대폰 본인인증을 완료해 주세요.',
  network_error: '연결하지 못했습니다. 잠시 후 다시 시도해 주세요.',
};

export type Messages = typeof ko;

const en: Messages = {
  start: 'Verify with your phone',
  again: 'Verify again',
  loading: 'Getting ready…',
  required: 'Please verify with your phone.',
  network_error: 'Could not connect. Please try again later.',
};

export const MESSAGES: Record<Lang, Messages> = { ko, en };

/** `lang` of the tag or its nearest ancestor, else the page's, else the browser's; Korean or English. */
export function languageOf(element: HTMLElement, explicit: string | undefined): Lang {
  const tag = explicit || element.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang || navigator.language;
  return tag.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}
