/**
 * The decisions about an upstream's answer, as plain functions with no I/O.
 * Both providers' records are first mapped to one `UpstreamVerification`, so the
 * checks, the ledger and the signing are shared; only the clients differ.
 */
import { VerifyError } from '../errors.ts';
import { internationalAge, seoulDate, type CalendarDate } from './age.ts';

export type Provider = 'iamport' | 'portone';

/** What the verifier needs from a certification, whichever provider answered. */
export interface UpstreamVerification {
  provider: Provider;
  /** `imp_uid` (V1) or `identityVerificationId` (V2). */
  id: string;
  /** The id the site (or we) gave the upstream: V1 `merchant_uid`; V2 the id itself. */
  merchantUid: string | undefined;
  certified: boolean;
  /** Unix seconds. */
  verifiedAt: number | undefined;
  birthDate: CalendarDate | undefined;
  /** The CI: the same for one person on every site. Never leaves the verifier. */
  ci: string | undefined;
  /** Undefined when the upstream does not actually know. */
  foreigner: boolean | undefined;
}

/**
 * The upstream's clock and ours may differ a little: a certification stamped up to this
 * many seconds before its challenge still counts as made after it. Kept small on purpose:
 * the "not before its challenge" rule is what stops someone who saw an `imp_uid` (in a
 * redirect URL, say) from asking for a fresh challenge and exchanging it themselves, and a
 * real verification takes far longer than this (typing the phone number, the SMS code).
 */
export const UPSTREAM_CLOCK_SKEW_SECONDS = 5;

export interface Expectation {
  merchantUid: string;
  challengeIssuedAt: number;
  challengeTtlSeconds: number;
  nowMs: number;
  maxCertAgeSeconds: number;
  minAge: number | undefined;
}

/** Throws the first failed check, in the contract's order; returns the facts the claims need. */
export function checkVerification(record: UpstreamVerification, expect: Expectation): { verifiedAt: number } {
  if (!record.certified) {
    throw new VerifyError('not_certified', 'The upstream says this verification did not succeed.');
  }
  if (record.merchantUid !== expect.merchantUid) {
    throw new VerifyError('merchant_uid_mismatch', 'The certification was made for another merchant_uid.');
  }
  const nowSeconds = Math.floor(expect.nowMs / 1000);
  const verifiedAt = record.verifiedAt;
  if (verifiedAt === undefined) {
    throw new VerifyError('certification_stale', 'The certification has no time of verification.');
  }
  if (verifiedAt < expect.challengeIssuedAt - UPSTREAM_CLOCK_SKEW_SECONDS) {
    throw new VerifyError('certification_stale', 'The certification was made before its challenge.');
  }
  if (verifiedAt > expect.challengeIssuedAt + expect.challengeTtlSeconds + UPSTREAM_CLOCK_SKEW_SECONDS) {
    throw new VerifyError('challenge_invalid', 'The verification finished after its challenge had expired; ask for a new one.');
  }
  if (verifiedAt > nowSeconds + UPSTREAM_CLOCK_SKEW_SECONDS) {
    throw new VerifyError('upstream_unavailable', 'The upstream dated the certification in the future.');
  }
  if (nowSeconds - verifiedAt > expect.maxCertAgeSeconds) {
    throw new VerifyError('certification_stale', `The certification is older than ${expect.maxCertAgeSeconds} seconds.`);
  }
  if (expect.minAge !== undefined) {
    if (!record.birthDate) {
      throw new VerifyError('age_requirement_not_met', 'The certification has no birth date, so the age cannot be checked.');
    }
    if (internationalAge(record.birthDate, seoulDate(expect.nowMs)) < expect.minAge) {
      throw new VerifyError('age_requirement_not_met', `The person is younger than ${expect.minAge}.`);
    }
  }
  if (!record.ci) {
    throw new VerifyError('identity_key_missing', 'The certification has no CI, so the person cannot be told apart.');
  }
  return { verifiedAt };
}
