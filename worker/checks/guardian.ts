/**
 * Under-14 consent (개인정보 보호법 제22조의2, 시행령 제17조의2): a service that collects a child's
 * personal data needs a legal guardian's consent, and the decree accepts the guardian's own phone
 * verification as the way to confirm it. A site asks with `guardian_under` (14): a person under
 * that age gets an attestation only together with a second verification, in the same flow, of
 * someone else who is an adult. The verifier checks what it can check (another person, an adult,
 * verified for the same challenge, after the child); it does not and cannot check a family
 * relation, so the token says only what was checked.
 */
import { VerifyError } from '../errors.ts';
import { GUARDIAN_MIN_AGE } from '../../protocol/guardian.ts';
import { internationalAge, seoulDate } from './age.ts';
import { checkVerification, type Expectation, type UpstreamVerification, type Verified } from './verification.ts';


/** Whether the person (already checked as any person is) is under `under` by 만 나이 today in Seoul. */
export function isUnder(record: UpstreamVerification, under: number, nowMs: number): boolean {
  if (!record.birthDate) {
    throw new VerifyError('age_requirement_not_met', 'The certification has no birth date, so the age cannot be checked.');
  }
  return internationalAge(record.birthDate, seoulDate(nowMs)) < under;
}

/**
 * Check the guardian's verification for `child`: a verification like any other (same challenge,
 * fresh, certified, a CI) of an adult by 만 나이, of someone else, made after the child's.
 * Each failure has its own code, so the tag can say what to do.
 */
export function checkGuardian(record: UpstreamVerification, child: Verified, expect: Expectation): Verified {
  // First, as the clearest answer: the child verifying again is no guardian, whatever else is wrong.
  if (record.ci !== undefined && record.ci === child.ci) {
    throw new VerifyError('guardian_same_person', 'The guardian must be someone other than the person.');
  }
  let guardian: Verified;
  try {
    guardian = checkVerification(record, { ...expect, age: { rule: 'age', min: GUARDIAN_MIN_AGE } });
  } catch (error) {
    if (!(error instanceof VerifyError)) throw error;
    if (error.code === 'age_requirement_not_met') {
      throw new VerifyError('guardian_not_adult', `The guardian must be an adult (만 ${GUARDIAN_MIN_AGE} or older).`);
    }
    throw new VerifyError('guardian_invalid', `The guardian's verification was refused (${error.code}): ${error.detail}`);
  }
  if (guardian.verifiedAt < child.verifiedAt) {
    // The guardian consents to this child's verification: theirs comes after it, in one flow.
    throw new VerifyError('guardian_invalid', 'The guardian verified before the person did; verify the guardian again.');
  }
  return guardian;
}
