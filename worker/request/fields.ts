/**
 * Reading a request's fields: each field has a pattern, and a value that does not match is
 * `invalid_request` naming the field. The patterns are the verifier's input contract.
 */
import { VerifyError } from '../errors.ts';

/** The upstream's limit for `merchant_uid`, and the characters it takes. */
export const MERCHANT_UID_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;
/** `imp_` and 9 to 15 digits: real ids have 12; a little slack either way. */
export const IMP_UID_PATTERN = /^imp_[0-9]{9,15}$/;
export const CHALLENGE_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
/** A nonce is the site's own value echoed in the token: printable ASCII, short. */
export const NONCE_PATTERN = /^[\x21-\x7e]{1,128}$/;

/** Field readers: each throws `invalid_request` naming the field, never echoing its value. */
export const field = {
  string(body: Record<string, unknown>, name: string, pattern: RegExp): string {
    const value = body[name];
    if (typeof value !== 'string' || !pattern.test(value)) {
      throw new VerifyError('invalid_request', `\`${name}\` is missing or malformed.`);
    }
    return value;
  },
  optionalString(body: Record<string, unknown>, name: string, pattern: RegExp): string | undefined {
    return body[name] === undefined || body[name] === null ? undefined : field.string(body, name, pattern);
  },
};
