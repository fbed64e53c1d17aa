/**
 * The first step's check: what the person typed, against the verifier's own rules for each field
 * (protocol/otp-fields.ts), before anything is sent. Pure: values in, problems out; the form
 * marks the fields and moves the focus.
 */
import { BIRTH_DATE_PATTERN, GENDER_DIGIT_PATTERN, OPERATORS, PHONE_PATTERN } from '../../protocol/otp-fields.js';
import type { FormMessages } from './form-text.js';

export type Method = 'SMS' | 'APP';

/** The person's details as `/v1/otp/send` takes them (identity_number: the resident number's first 7 digits, for SMS). */
export interface Details {
  name: string;
  phone_number: string;
  operator: string;
  method: Method;
  identity_number?: string;
}

/** The first step's fields by their `name`, in the order the form shows them (the first in error takes the focus). */
export const DETAIL_FIELDS = ['name', 'phone', 'operator', 'birth', 'gender', 'agree'] as const;
export type DetailField = (typeof DETAIL_FIELDS)[number];

/** What the fields hold, as typed. */
export type DetailsTyped = Record<Exclude<DetailField, 'agree'>, string> & { agreed: boolean; method: Method };

/** Each field in error, with the message that says why. */
export type DetailProblems = Partial<Record<DetailField, keyof FormMessages>>;

/** The details ready to send, or the problems of the fields in error (at least one). */
export function checkDetails(typed: DetailsTyped): { details: Details } | { problems: DetailProblems } {
  const name = typed.name.trim();
  const phone = typed.phone.replace(/[\s-]/g, '');
  const birth = typed.birth.trim();
  const gender = typed.gender.trim();
  // The PASS app asks no resident number.
  const needsIdentity = typed.method === 'SMS';
  const problems: DetailProblems = {};
  if (!name) problems.name = 'nameMissing';
  if (!PHONE_PATTERN.test(phone)) problems.phone = 'phoneInvalid';
  if (!(OPERATORS as readonly string[]).includes(typed.operator)) problems.operator = 'operatorMissing';
  if (needsIdentity && !BIRTH_DATE_PATTERN.test(birth)) problems.birth = 'birthInvalid';
  if (needsIdentity && !GENDER_DIGIT_PATTERN.test(gender)) problems.gender = 'genderInvalid';
  if (!typed.agreed) problems.agree = 'agreeMissing';
  if (Object.keys(problems).length > 0) return { problems };
  return {
    details: {
      name, phone_number: phone, operator: typed.operator, method: typed.method,
      ...(needsIdentity ? { identity_number: birth + gender } : {}),
    },
  };
}
