/**
 * Challenges: proof, with no storage, that this verifier issued a `merchant_uid` to
 * one site, for one provider, at one time. Challenges are asked for on every page view, so
 * they cost no write.
 *
 *   challenge = "c3." + issuedAt (unix s, base 36) + "." + nonce + "." + base64url(HMAC(secret, "c3|issuedAt|nonce|provider|merchant_uid|origin"))
 *
 * The nonce is fresh randomness in every challenge: two requests never receive the same
 * challenge, even for one site-chosen merchant_uid in one second (the exchange's "very same
 * request" includes the challenge, so one client's retry is never another client's request).
 *
 * A merchant_uid the verifier mints is the nonce itself ("iv_" + nonce): it belongs to the one
 * challenge that carries that nonce, and a challenge request naming an id of that form is refused,
 * so no second challenge exists for it (someone who saw it in a redirect URL cannot ask for one).
 *
 * The provider is bound so that one verification exchanges through one provider only: a V1
 * certification read back through the V2 API (its id is its merchant_uid) must not earn a
 * second token under a V1 challenge. (c1 and c2 challenges, from before the provider and the
 * nonce were bound, are refused as malformed: a tag holding one asks for a new one.)
 */
import { base64url, fromBase64url, hmacSha256, hmacSha256Verify, randomAlphanumeric } from '../crypto.ts';
import { VerifyError } from '../errors.ts';
import type { Provider } from './verification.ts';

const VERSION = 'c3';
/** A challenge from a verifier whose clock runs a little ahead is still fine. */
const FUTURE_SKEW_SECONDS = 60;
/** Minted ids are "iv_" + the challenge's nonce: 40 characters, the upstream's maximum for a merchant_uid. */
const MINTED_PREFIX = 'iv_';
const NONCE_LENGTH = 40 - MINTED_PREFIX.length;
const NONCE_PATTERN = new RegExp(`^[A-Za-z0-9]{${NONCE_LENGTH}}$`);

export interface IssuedChallenge {
  merchant_uid: string;
  challenge: string;
  /** Unix seconds on the verifier's clock: with `expires_at`, the challenge's life whatever the device's clock says. */
  issued_at: number;
  expires_at: number;
}

/** What a challenge is for: the provider, the verification's merchant_uid, and the site (its origin). */
export interface ChallengeSubject {
  provider: Provider;
  merchantUid: string;
  origin: string;
}

/** Ids of the minted form are the verifier's own: a site cannot choose one. */
export function isMintedMerchantUid(merchantUid: string): boolean {
  return merchantUid.startsWith(MINTED_PREFIX);
}

/**
 * A new challenge, with a nonce of its own. `merchantUid` is the site's own id, or undefined for
 * one minted from the nonce; an id of the minted form is refused (`invalid_request`).
 */
export async function issueChallenge(
  secret: string, { merchantUid, ...subject }: Omit<ChallengeSubject, 'merchantUid'> & { merchantUid: string | undefined },
  nowSeconds: number, ttlSeconds: number,
): Promise<IssuedChallenge> {
  if (merchantUid !== undefined && isMintedMerchantUid(merchantUid)) {
    throw new VerifyError('invalid_request',
      `\`merchant_uid\` starting with "${MINTED_PREFIX}" is reserved for the ids the verifier mints, each bound to its own challenge: leave it out to get one, or choose another.`);
  }
  const nonce = randomAlphanumeric(NONCE_LENGTH);
  return signChallenge(secret, { ...subject, merchantUid: merchantUid ?? MINTED_PREFIX + nonce }, nowSeconds, ttlSeconds, nonce);
}

/**
 * The signing itself, for a nonce already drawn. Only `issueChallenge` draws nonces; the
 * verifier's tests sign variants of a real challenge with it (another time, site or provider).
 */
export async function signChallenge(
  secret: string, subject: ChallengeSubject, nowSeconds: number, ttlSeconds: number, nonce: string,
): Promise<IssuedChallenge> {
  const mac = await hmacSha256(secret, signedText(nowSeconds, nonce, subject));
  return {
    merchant_uid: subject.merchantUid,
    challenge: `${VERSION}.${nowSeconds.toString(36)}.${nonce}.${base64url(mac)}`,
    issued_at: nowSeconds,
    expires_at: nowSeconds + ttlSeconds,
  };
}

function signedText(issuedAt: number, nonce: string, { provider, merchantUid, origin }: ChallengeSubject): string {
  return `${VERSION}|${issuedAt}|${nonce}|${provider}|${merchantUid}|${origin}`;
}

/** The parts of a well-formed challenge; `challenge_invalid` otherwise. */
export function parseChallenge(challenge: string): { issuedAt: number; nonce: string; mac: Uint8Array } {
  const [version, issuedAtText, nonce, macText, ...rest] = challenge.split('.');
  const mac = macText === undefined ? undefined : fromBase64url(macText);
  const issuedAt = issuedAtText && /^[0-9a-z]{1,10}$/.test(issuedAtText) ? parseInt(issuedAtText, 36) : NaN;
  if (version !== VERSION || rest.length > 0 || !nonce || !NONCE_PATTERN.test(nonce) || !mac || mac.length !== 32 || !Number.isSafeInteger(issuedAt)) {
    throw new VerifyError('challenge_invalid', 'The challenge is malformed.');
  }
  return { issuedAt, nonce, mac };
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
  const { issuedAt, nonce, mac } = parseChallenge(challenge);
  // Cheap checks before the HMAC.
  if (issuedAt > nowSeconds + FUTURE_SKEW_SECONDS || nowSeconds - issuedAt > usableForSeconds) {
    throw new VerifyError('challenge_invalid', 'The challenge has expired; ask for a new one.');
  }
  // A minted id has one challenge: the one whose nonce it is.
  const notIssuedForThis = 'The challenge was not issued for this provider, merchant_uid and site.';
  if (isMintedMerchantUid(subject.merchantUid) && subject.merchantUid !== MINTED_PREFIX + nonce) {
    throw new VerifyError('challenge_invalid', notIssuedForThis);
  }
  if (!(await hmacSha256Verify(secret, signedText(issuedAt, nonce, subject), mac))) {
    throw new VerifyError('challenge_invalid', notIssuedForThis);
  }
  return issuedAt;
}
