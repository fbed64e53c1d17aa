/**
 * Challenges: proof, with no storage, that this verifier issued a `merchant_uid` to
 * one site, for one provider, at one time. Challenges are asked for on every page view, so
 * they cost no write.
 *
 *   challenge = "c2." + issuedAt (unix s, base 36) + "." + base64url(HMAC(secret, "c2|issuedAt|provider|merchant_uid|origin"))
 *
 * The provider is bound so that one verification exchanges through one provider only: a V1
 * certification read back through the V2 API (its id is its merchant_uid) must not earn a
 * second token under a V1 challenge. (c1 challenges, from before the provider was bound, are
 * refused as malformed.)
 */
import { base64url, fromBase64url, hmacSha256, hmacSha256Verify, randomAlphanumeric } from '../crypto.ts';
import { VerifyError } from '../errors.ts';
import type { Provider } from './verification.ts';

const VERSION = 'c2';
/** A challenge from a verifier whose clock runs a little ahead is still fine. */
const FUTURE_SKEW_SECONDS = 60;
/** Length of the `merchant_uid`s we mint: 40 characters, the upstream's maximum. */
const MINTED_MERCHANT_UID_LENGTH = 40;
const MINTED_PREFIX = 'iv_';

export interface IssuedChallenge {
  merchant_uid: string;
  challenge: string;
  /** Unix seconds on the verifier's clock: with `expires_at`, the challenge's life whatever the device's clock says. */
  issued_at: number;
  expires_at: number;
}

export function mintMerchantUid(): string {
  return MINTED_PREFIX + randomAlphanumeric(MINTED_MERCHANT_UID_LENGTH - MINTED_PREFIX.length);
}

/** What a challenge is for: the provider, the verification's merchant_uid, and the site (its origin). */
export interface ChallengeSubject {
  provider: Provider;
  merchantUid: string;
  origin: string;
}

function signedText(issuedAt: number, { provider, merchantUid, origin }: ChallengeSubject): string {
  return `${VERSION}|${issuedAt}|${provider}|${merchantUid}|${origin}`;
}

export async function issueChallenge(
  secret: string, subject: ChallengeSubject, nowSeconds: number, ttlSeconds: number,
): Promise<IssuedChallenge> {
  const mac = await hmacSha256(secret, signedText(nowSeconds, subject));
  return {
    merchant_uid: subject.merchantUid,
    challenge: `${VERSION}.${nowSeconds.toString(36)}.${base64url(mac)}`,
    issued_at: nowSeconds,
    expires_at: nowSeconds + ttlSeconds,
  };
}

/**
 * Returns when the challenge was issued; throws `challenge_invalid` unless it is ours, for
 * this provider, merchant_uid and origin, and recent enough for its verification to be exchanged
 * (`usableForSeconds`: its lifetime plus the certification's freshness limit). Whether the
 * verification itself finished while the challenge lived is checked against the upstream's
 * answer (checks/verification.ts), so a slow SMS does not outlive a challenge it began under.
 */
export async function verifyChallenge(
  secret: string, challenge: string, subject: ChallengeSubject, nowSeconds: number, usableForSeconds: number,
): Promise<number> {
  const [version, issuedAtText, macText, ...rest] = challenge.split('.');
  const mac = macText === undefined ? undefined : fromBase64url(macText);
  const issuedAt = issuedAtText && /^[0-9a-z]{1,10}$/.test(issuedAtText) ? parseInt(issuedAtText, 36) : NaN;
  if (version !== VERSION || rest.length > 0 || !mac || mac.length !== 32 || !Number.isSafeInteger(issuedAt)) {
    throw new VerifyError('challenge_invalid', 'The challenge is malformed.');
  }
  // Cheap checks before the HMAC.
  if (issuedAt > nowSeconds + FUTURE_SKEW_SECONDS || nowSeconds - issuedAt > usableForSeconds) {
    throw new VerifyError('challenge_invalid', 'The challenge has expired; ask for a new one.');
  }
  if (!(await hmacSha256Verify(secret, signedText(issuedAt, subject), mac))) {
    throw new VerifyError('challenge_invalid', 'The challenge was not issued for this provider, merchant_uid and site.');
  }
  return issuedAt;
}
