/**
 * The form mode's fields, as the verifier takes them (`POST /v1/otp/send`) and the tag checks
 * them before sending: one rule each, so the tag never lets through what the verifier refuses.
 * Values only, no imports: the tag's form bundles this file (on demand, with the form).
 */

/** PortOne's `operator` codes, in the order the form lists them (알뜰폰: MVNOs on each network). */
export const OPERATORS = ['SKT', 'KT', 'LGU', 'SKT_MVNO', 'KT_MVNO', 'LGU_MVNO'] as const;
export type Operator = (typeof OPERATORS)[number];

/** Digits only, 10 or 11, a Korean mobile number (010, 011, 016–019). */
export const PHONE_PATTERN = /^01[016789][0-9]{7,8}$/;

/** YYMMDD: a month and a day that exist in some year. */
const BIRTH_DATE = '[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])';
/** The resident registration number's first 6 digits, the date of birth (the form's first box). */
export const BIRTH_DATE_PATTERN = new RegExp(`^${BIRTH_DATE}$`);
/** Its 7th, the gender digit (the form's second box). */
export const GENDER_DIGIT_PATTERN = /^[0-9]$/;
/** The first 7 digits of the resident registration number, as sent: YYMMDD and the gender digit. */
export const IDENTITY_NUMBER_PATTERN = new RegExp(`^${BIRTH_DATE}[0-9]$`);

/** The code the person types: digits (6 at the PGs we know), a little room either way. */
export const OTP_CODE_PATTERN = /^[0-9]{4,8}$/;
