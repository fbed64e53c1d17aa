/**
 * The verification itself, loaded on the first pointer or focus (or when a redirect comes back):
 * open the provider's window with the challenge at hand, exchange what comes back for an
 * attestation, and hold it until it expires. The element keeps the state, the challenge and the
 * form; it hands them over as a `VerificationHost`. Nothing here is imported at run time from
 * the element's modules, so this file is all that a verification adds to the page.
 */
import type { ChallengeKeeper } from './challenge.js';
import { ReturnStore } from './challenge-store.js';
import type { IamportVerifyElement, VerifyState } from './iamport-verify.js';
import type { ProviderResult, VerificationProvider, VerificationRequest } from './providers/provider.js';
import type { Attestation, AttestationClaims, Challenge } from './verifier.js';
import { withAge, type AllMessages } from './verification-text.js';

export { VERIFICATION_MESSAGES, errorMessage } from './verification-text.js';

/**
 * Waits before each new try of an exchange whose answer was lost (±25 % jitter, so that many
 * phones that lost the same cell do not all come back at once): four tries over about five
 * seconds, long enough for a phone to find its network again, short enough that the person is
 * still looking at the spinner. The verifier answers the very same request with the very same
 * attestation, so a retry never uses the verification up, while giving up would make the
 * person verify, and the site pay, again.
 */
export const RETRY_DELAYS_MS = [500, 1500, 3000];

/** A failure with the stable code the tag reports in `iamport-error`. */
export interface Failure {
  code: string;
  message?: string | undefined;
}

/** What the element lends the verification. */
export interface VerificationHost {
  /** The tag, for its attributes. */
  readonly tag: IamportVerifyElement;
  readonly challenges: ChallengeKeeper;
  /** Starts a new attempt: answers that come for an older one are ignored. */
  next(): number;
  isCurrent(attempt: number): boolean;
  text(): AllMessages;
  setState(state: VerifyState, message?: string): void;
  emit(name: 'verified' | 'expired', detail?: object): void;
  setToken(token?: string, claims?: AttestationClaims): void;
  /** Ends in `error`, with the code's message and `iamport-error`; anything but a `Failure` is `network_error`. */
  fail(error: unknown): void;
  /** `POST /v1/attestations` once (verifier.ts `post`: rejects with a `Failure`, `lost` when no answer came). */
  exchangeOnce(body: Record<string, unknown>): Promise<Attestation>;
}

/** Open the provider's window: synchronously, so that it opens inside the click. */
export function open(host: VerificationHost, provider: VerificationProvider, challenge: Challenge, attempt: number): void {
  // The redirect flow leaves the page: the return finds this challenge by its merchant_uid.
  new ReturnStore(host.tag).keep(challenge);
  host.setState('verifying', host.text().verifying);
  provider.open(request(host.tag, challenge.merchant_uid), (result) => {
    if (!host.isCurrent(attempt)) return;
    provider.removeLeftovers();
    settle(host, result, challenge);
  });
}

/** Forget the challenge kept for a redirect's return (the tag was reset). */
export function forgetReturn(tag: IamportVerifyElement): void {
  new ReturnStore(tag).forget();
}

/**
 * The redirect flow's return: if the address holds a verification whose id is this tag's stored
 * challenge's, strip the provider's parameters and finish the exchange. False when it is not
 * this tag's (another tag's, or no verification at all).
 */
export function resume(host: VerificationHost, provider: VerificationProvider): boolean {
  const url = new URL(location.href);
  const back = provider.readReturn(url.searchParams);
  const returns = new ReturnStore(host.tag);
  const stored = back && returns.read();
  if (!back || stored?.merchant_uid !== back.merchantUid) return false;
  for (const param of provider.returnParams) url.searchParams.delete(param);
  // imp_uid must not linger in the address bar (history, referrers, shared links).
  history.replaceState(history.state, '', url);
  settle(host, back.result, stored);
  if (!back.result.ok) {
    returns.forget();
    // The stored challenge only finishes the verification it left with; the next try gets its own.
    host.challenges.ensure().catch(() => {});
  }
  return true;
}

function settle(host: VerificationHost, result: ProviderResult, challenge: Challenge): void {
  if (!result.ok) return host.fail({ code: result.code, message: result.detail } satisfies Failure);
  const attempt = host.next();
  new ReturnStore(host.tag).forget();
  host.setState('verifying', host.text().verifying);
  const { tag } = host;
  const body: Record<string, unknown> = { ...result.fields, challenge: challenge.challenge };
  if (tag.minAge !== undefined) body.min_age = tag.minAge;
  if (tag.nonce) body.nonce = tag.nonce;
  exchange(host, body, () => host.isCurrent(attempt)).then(
    (attestation) => host.isCurrent(attempt) && verified(host, attestation),
    (error) => {
      if (!host.isCurrent(attempt)) return;
      host.fail(error);
      // Whatever went wrong, the next try starts from a new challenge.
      host.challenges.forget();
      host.challenges.ensure().catch(() => {});
    },
  );
}

async function exchange(host: VerificationHost, body: Record<string, unknown>, stillWanted: () => boolean): Promise<Attestation> {
  for (let tries = 0; ; tries++) {
    try {
      return await host.exchangeOnce(body);
    } catch (error) {
      const delay = RETRY_DELAYS_MS[tries];
      if (!(error as { lost?: boolean }).lost || delay === undefined || !stillWanted()) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay * (0.75 + Math.random() / 2)));
      if (!stillWanted()) throw error;
    }
  }
}

function verified(host: VerificationHost, { token, claims }: Attestation): void {
  host.challenges.forget();
  host.setToken(token, claims);
  // Timed from the token's own lifetime, so a wrong clock on this device does not matter.
  // A reset, or a newer attestation, has already replaced it.
  setTimeout(() => host.tag.token === token && expire(host), (claims.exp - claims.iat) * 1000);
  const text = host.text();
  host.setState('verified', claims.age_over ? withAge(text.verifiedAge, claims.age_over) : text.verified);
  host.emit('verified', { token, claims: host.tag.claims });
}

function expire(host: VerificationHost): void {
  host.setToken();
  host.setState('expired', host.text().expired);
  host.emit('expired');
  host.challenges.ensure().catch(() => {});
}

function request(tag: IamportVerifyElement, merchantUid: string): VerificationRequest {
  return {
    impCode: tag.impCode, storeId: tag.storeId, channelKey: tag.channelKey, pg: tag.pg, merchantUid,
    minAge: tag.minAge, carrier: tag.carrier, customerName: tag.customerName, phone: tag.phone,
    company: tag.company, popup: tag.popup, redirectUrl: tag.redirectUrl || location.href,
  };
}
