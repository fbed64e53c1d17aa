/**
 * The decisions about an upstream's answer, as plain functions with no I/O.
 * Both providers' records are first mapped to one `UpstreamVerification`, so the
 * checks, the ledger and the signing are shared; only the clients differ.
 */
import { VerifyError } from '../errors.ts';
import { ageByRule, seoulDate, type AgeRequirement, type CalendarDate } from './age.ts';

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
  /**
   * The API generation that made the record: PortOne V2 also answers for V1 certifications
   * (`version: "V1"`, id = the V1 merchant_uid). Always `V1` for the Iamport client.
   */
  version: 'V1' | 'V2' | undefined;
  /** V2 only: whether the record says it ran on a live channel (`channel.type === "LIVE"`); V1 records do not say. */
  liveChannel: boolean | undefined;
  /** V1 only: the URL of the page the certification ran on, when the upstream says. */
  pageUrl: string | undefined;
}

/**
 * The upstream's clock and ours may differ a little: a certification stamped up to this
 * many seconds before its challenge still counts as made after it. Kept small on purpose:
 * for a merchant_uid the site chose, the "not before its challenge" rule is what stops someone
 * who saw an `imp_uid` (in a redirect URL, say) from asking for a fresh challenge and exchanging
 * it themselves (a minted merchant_uid has no second challenge: checks/challenge.ts), and a
 * real verification takes far longer than this (typing the phone number, the SMS code).
 */
export const UPSTREAM_CLOCK_BEHIND_SECONDS = 5;

/**
 * An upstream clock ahead of ours makes its times look later: a certification made just now
 * can be stamped a few seconds (NTP drift) to a minute (a badly kept server) in our future.
 * Allowing that much costs nothing: a time in the future buys no extra freshness that the
 * ledger, the challenge and the freshness limit do not already bound. Beyond it, the record's
 * time is not believable and the exchange is refused as stale, not blamed on availability.
 */
export const UPSTREAM_CLOCK_AHEAD_SECONDS = 60;

export interface Expectation {
  merchantUid: string;
  /** The requesting site's origin: the token's audience. */
  audience: string;
  /** Development and the sandbox use PortOne's test channels; production must not sign them. */
  acceptTestChannels: boolean;
  challengeIssuedAt: number;
  challengeTtlSeconds: number;
  nowMs: number;
  maxCertAgeSeconds: number;
  /** The age the site asked for, under the rule it asked for; undefined when none. */
  age: AgeRequirement | undefined;
}

/** What a record proved once every check passed: the facts the ledger and the claims need. */
export interface Verified {
  /** Unix seconds, on the upstream's clock. */
  verifiedAt: number;
  /** The CI: the same for one person on every site. Never leaves the verifier. */
  ci: string;
}

/** Throws the first failed check, in the contract's order; returns what the record proved. */
export function checkVerification(record: UpstreamVerification, expect: Expectation): Verified {
  if (record.provider === 'portone' && record.version !== 'V2') {
    // One verification, one provider: a V1 certification read back through V2 would exchange twice.
    throw new VerifyError('provider_mismatch', 'This is an Iamport (V1) certification: exchange it as V1, with its imp_uid.');
  }
  if (record.provider === 'portone' && !record.liveChannel && !expect.acceptTestChannels) {
    // A store's channel key is public: anyone can run a test channel's verification and invent a
    // person. Only a record that says LIVE signs: one that names no channel could be a test.
    throw new VerifyError('test_channel', 'The verification did not run on a PortOne live channel, and production accepts no other.');
  }
  if (!record.certified) {
    throw new VerifyError('not_certified', 'The upstream says this verification did not succeed.');
  }
  if (record.merchantUid !== expect.merchantUid) {
    throw new VerifyError('merchant_uid_mismatch', 'The certification was made for another merchant_uid.');
  }
  if (record.pageUrl && originOf(record.pageUrl) !== expect.audience) {
    // The flow ran on another site's page with this site's merchant code (and a challenge
    // asked for under a forged Origin header): the token would name the wrong audience.
    throw new VerifyError('origin_mismatch', 'The certification ran on a page of another site than the one asking.');
  }
  const nowSeconds = Math.floor(expect.nowMs / 1000);
  const verifiedAt = record.verifiedAt;
  if (verifiedAt === undefined) {
    throw new VerifyError('certification_stale', 'The certification has no time of verification.');
  }
  if (verifiedAt < expect.challengeIssuedAt - UPSTREAM_CLOCK_BEHIND_SECONDS) {
    throw new VerifyError('certification_stale', 'The certification was made before its challenge.');
  }
  if (verifiedAt > nowSeconds + UPSTREAM_CLOCK_AHEAD_SECONDS) {
    throw new VerifyError('certification_stale', 'The certification is dated further in the future than clock skew explains.');
  }
  if (verifiedAt > expect.challengeIssuedAt + expect.challengeTtlSeconds + UPSTREAM_CLOCK_AHEAD_SECONDS) {
    throw new VerifyError('challenge_invalid', 'The verification finished after its challenge had expired; ask for a new one.');
  }
  if (nowSeconds - verifiedAt > expect.maxCertAgeSeconds) {
    throw new VerifyError('certification_stale', `The certification is older than ${expect.maxCertAgeSeconds} seconds.`);
  }
  if (expect.age !== undefined) {
    if (!record.birthDate) {
      throw new VerifyError('age_requirement_not_met', 'The certification has no birth date, so the age cannot be checked.');
    }
    if (ageByRule(expect.age.rule, record.birthDate, seoulDate(expect.nowMs)) < expect.age.min) {
      const rule = expect.age.rule === 'age' ? '만 나이' : 'the year rule';
      throw new VerifyError('age_requirement_not_met', `The person is younger than ${expect.age.min} (${rule}).`);
    }
  }
  if (!record.ci) {
    throw new VerifyError('identity_key_missing', 'The certification has no CI, so the person cannot be told apart.');
  }
  return { verifiedAt, ci: record.ci };
}

/** `https://shop.example:443/signup?x` → `https://shop.example`; anything not http(s) has no origin we accept. */
function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}
