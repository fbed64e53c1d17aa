/**
 * The verification itself, loaded on the first pointer or focus (or when a redirect comes back):
 * open the provider's window with the challenge at hand, exchange what comes back for an
 * attestation, and hold it until it expires. The element keeps the state, the challenge and the
 * form; it hands them over as a `VerificationHost`. Nothing here is imported at run time from
 * the element's modules, so this file is all that a verification adds to the page.
 */
import type { ChallengeKeeper } from './challenge.js';
import { ReturnStore } from './challenge-store.js';
import type { VerifyingTag, VerifyState } from './tag.js';
import type { ProviderResult, VerificationProvider, VerificationRequest } from './providers/provider.js';
import type { Attestation, AttestationClaims, Challenge } from './verifier.js';
import { errorMessage, withAge, type AllMessages } from './verification-text.js';
import { paintStates } from './state.styles.js';
import { redirectTarget, sdkSource } from './providers/sources.js';
import { GUARDIAN_ID_SUFFIX } from '../server/guardian.js';

export { VERIFICATION_MESSAGES } from './verification-text.js';

/**
 * The message for a failure's code, with the tag's age in it. The year rule's refusal says
 * which rule it was: 만 나이 and 연 나이 differ by up to a year. Every failure's message comes
 * from here, so here the tag gets the styles of its error state, which come with this module.
 */
export function failureMessage(messages: AllMessages, code: string, tag: VerifyingTag): string {
  paintStates(tag.shadowRoot);
  const key = code === 'age_requirement_not_met' && tag.minYearAge != null ? 'year_age_requirement_not_met' : code;
  return errorMessage(messages, key, tag.minAge ?? tag.minYearAge ?? tag.guardianUnder);
}

/**
 * Waits before each new try of an exchange whose answer was lost (±25 % jitter, so that many
 * phones that lost the same cell do not all come back at once): four tries over about five
 * seconds, long enough for a phone to find its network again, short enough that the person is
 * still looking at the spinner. The verifier answers the very same request with the very same
 * attestation, so a retry never uses the verification up, while giving up would make the
 * person verify, and the site pay, again.
 */
export const RETRY_DELAYS_MS = [500, 1500, 3000];

/**
 * The verifier's own answers that a moment may mend (the upstream timed out, a passing fault),
 * tried again like a lost answer: the verification they refused is still unused.
 */
const PASSING_FAILURES = new Set(['upstream_unavailable', 'internal_error']);

/** A failure with the stable code the tag reports in `iamport-error`. */
export interface Failure {
  code: string;
  message?: string | undefined;
  /** The verifier's `Retry-After`, in seconds (0 or absent: none). */
  retryAfter?: number | undefined;
}

/**
 * The person turned out younger than `guardian-under`: their verification waits (unused) for an
 * adult guardian's, made under the same challenge, and both are exchanged together.
 */
export interface GuardianStep {
  challenge: Challenge;
  /** What identifies the person's verification in the exchange (`imp_uid`, `merchant_uid` or the V2 id). */
  person: Record<string, string>;
  /** Until when (this device's `Date.now()`) the guardian's window may open with life enough left in the challenge. */
  openUntil: number;
}

/** What the element lends the verification. */
export interface VerificationHost {
  /** The tag, for its attributes. */
  readonly tag: VerifyingTag;
  readonly challenges: ChallengeKeeper;
  /** Set while the tag waits for the guardian (state `guardian`). */
  guardianStep?: GuardianStep | undefined;
  /** Starts a new attempt: answers that come for an older one are ignored. */
  next(): number;
  isCurrent(attempt: number): boolean;
  text(): AllMessages;
  setState(state: VerifyState, message?: string): void;
  emit(name: 'verified' | 'expired' | 'error', detail?: object): void;
  setToken(token?: string, claims?: AttestationClaims): void;
  /** Ends in `error`, with the code's message and `iamport-error`; anything but a `Failure` is `network_error`. */
  fail(error: unknown): void;
  /** One request to the verifier (verifier.ts `post`): rejects with a `Failure`, `lost` when no answer came. */
  post<T>(path: string, body: object, isValid: (data: any) => boolean): Promise<T>;
}

/** What an attestation answer must look like (`POST /v1/attestations`, and the form mode's `/v1/otp/confirm`). */
export const isAttestation = (data: any): boolean => typeof data.token === 'string' && typeof data.claims?.exp === 'number';

/**
 * Open the provider's window: synchronously, so that it opens inside the click. With a
 * `guardianStep`, for the guardian: under the same challenge, with nothing of the person's prefilled.
 */
export function open(
  host: VerificationHost, provider: VerificationProvider, challenge: Challenge, attempt: number, guardianStep?: GuardianStep,
): void {
  // The guardian verifies under the person's challenge: a guardian who comes too late would verify,
  // and the site pay, only for the verifier to refuse the expired challenge. Start over instead.
  if (guardianStep && Date.now() > guardianStep.openUntil) return startOver(host, { code: 'guardian_too_late' } satisfies Failure);
  // Measured now, while the person's challenge is the one held: the guardian's window may open until then.
  const openUntil = guardianStep?.openUntil ?? Date.now() + host.challenges.openableForMs(challenge);
  let params: VerificationRequest;
  try {
    // Where the SDK came from is checked here too: a page may have loaded the provider's SDK itself.
    sdkSource(host.tag, provider.sdkSrc);
    params = request(host.tag, challenge, guardianStep);
  } catch (failure) {
    return host.fail(failure);
  }
  // The redirect flow leaves the page: the return finds this challenge (and the person waiting for a guardian) by its id.
  new ReturnStore(host.tag).keep(challenge, openUntil, guardianStep?.person);
  host.setState('verifying', host.text().verifying);
  provider.open(params, (result) => {
    if (!host.isCurrent(attempt)) return;
    provider.removeLeftovers();
    settle(host, result, challenge, openUntil, guardianStep?.person);
  });
}

/** The id a provider's verification runs under: V2 ids succeed once, so the guardian's has its own. */
function verificationId(tag: VerifyingTag, challenge: Challenge, forGuardian: boolean): string {
  return forGuardian && tag.provider === 'portone' ? challenge.merchant_uid + GUARDIAN_ID_SUFFIX : challenge.merchant_uid;
}

/** Forget the challenge kept for a redirect's return (the tag was reset). */
export function forgetReturn(tag: VerifyingTag): void {
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
  if (!back || !stored || verificationId(host.tag, stored.challenge, !!stored.person) !== back.merchantUid) return false;
  for (const param of provider.returnParams) url.searchParams.delete(param);
  // imp_uid must not linger in the address bar (history, referrers, shared links).
  history.replaceState(history.state, '', url);
  settle(host, back.result, stored.challenge, stored.openUntil, stored.person);
  if (!back.result.ok) {
    returns.forget();
    // The stored challenge only finishes the verification it left with; the next try gets its own.
    host.challenges.ensure().catch(() => {});
  }
  return true;
}

/**
 * Exchange what came back. `person` is set when this is the guardian's verification: the
 * person's, kept unused since the verifier answered `guardian_required`, goes with it.
 */
function settle(
  host: VerificationHost, result: ProviderResult, challenge: Challenge, openUntil: number, person?: Record<string, string>,
): void {
  host.guardianStep = undefined;
  if (!result.ok) {
    // The guardian cancelled, or their window failed: the person's verification still waits.
    if (person) return waitForGuardian(host, { challenge, person, openUntil }, result.code);
    return host.fail({ code: result.code, message: result.detail } satisfies Failure);
  }
  const attempt = host.next();
  new ReturnStore(host.tag).forget();
  host.setState('verifying', host.text().verifying);
  const body = {
    ...(person ?? result.fields), challenge: challenge.challenge, ...(person && guardianFields(result.fields)), ...ruleFields(host.tag),
  };
  exchange(host, body, () => host.isCurrent(attempt)).then(
    (attestation) => host.isCurrent(attempt) && verified(host, attestation),
    (error) => {
      if (!host.isCurrent(attempt)) return;
      const { code } = error as Failure;
      if (!person && code === 'guardian_required') return waitForGuardian(host, { challenge, person: result.fields, openUntil });
      if (person && ANOTHER_GUARDIAN_MAY_TRY.has(code)) return waitForGuardian(host, { challenge, person, openUntil }, code);
      startOver(host, error);
    },
  );
}

/** End in `error`, and let the next try start from a new challenge, whatever went wrong. */
function startOver(host: VerificationHost, error: unknown): void {
  host.guardianStep = undefined;
  host.fail(error);
  host.challenges.forget();
  host.challenges.ensure().catch(() => {});
}

/** What an exchange asks of the verification beyond it: the tag's age rule, and its nonce. */
export function ruleFields(tag: VerifyingTag): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  // `!= null`: a removed attribute leaves its number property null, not undefined.
  if (tag.minAge != null) fields.min_age = tag.minAge;
  if (tag.minYearAge != null) fields.min_year_age = tag.minYearAge;
  if (tag.guardianUnder != null) fields.guardian_under = tag.guardianUnder;
  if (tag.nonce) fields.nonce = tag.nonce;
  return fields;
}

/** The guardian's verification, as the exchange names it beside the person's. */
function guardianFields(fields: Record<string, string>): Record<string, string> {
  return fields.imp_uid !== undefined
    ? { guardian_imp_uid: fields.imp_uid }
    : { guardian_identity_verification_id: fields.identity_verification_id! };
}

/**
 * Refusals of the guardian alone: the person's verification stays unused, so another guardian (or
 * the same one, once more) may verify for it. Anything else (a stale or foreign verification,
 * `guardian_invalid`) starts over.
 */
const ANOTHER_GUARDIAN_MAY_TRY = new Set(['guardian_not_adult', 'guardian_same_person']);

/**
 * The person is under `guardian-under`: say so, and let the next click verify the guardian. After
 * a guardian's failure, say what went wrong too (and report it in `iamport-error`), keeping the
 * person's verification: they need not verify, nor the site pay, again.
 */
function waitForGuardian(host: VerificationHost, step: GuardianStep, failure?: string): void {
  // The person took so long that no guardian could verify in time: say so now, not after the guardian's click.
  if (Date.now() > step.openUntil) return startOver(host, { code: 'guardian_too_late' } satisfies Failure);
  host.guardianStep = step;
  const text = host.text();
  const ask = withAge(text.guardianNeeded, host.tag.guardianUnder);
  if (!failure) return host.setState('guardian', ask);
  const message = failureMessage(text, failure, host.tag);
  host.setState('guardian', `${message} ${ask}`);
  host.emit('error', { code: failure, message });
}

/** An exchange: `POST /v1/attestations`, or the form mode's `/v1/otp/confirm`, which answers the same. */
export async function exchange(
  host: VerificationHost, body: Record<string, unknown>, stillWanted: () => boolean, path = '/v1/attestations',
): Promise<Attestation> {
  for (let tries = 0; ; tries++) {
    try {
      return await host.post<Attestation>(path, body, isAttestation);
    } catch (error) {
      const delay = RETRY_DELAYS_MS[tries];
      const passing = (error as { lost?: boolean }).lost || PASSING_FAILURES.has((error as Failure).code);
      if (!passing || delay === undefined || !stillWanted()) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay * (0.75 + Math.random() / 2)));
      if (!stillWanted()) throw error;
    }
  }
}

/** Hold the attestation until it expires (the form mode's confirm ends here too). */
export function verified(host: VerificationHost, { token, claims }: Attestation): void {
  host.challenges.forget();
  host.setToken(token, claims);
  paintStates(host.tag.shadowRoot);
  // Timed from the token's own lifetime, so a wrong clock on this device does not matter.
  // A reset, or a newer attestation, has already replaced it.
  setTimeout(() => host.tag.token === token && expire(host), (claims.exp - claims.iat) * 1000);
  const text = host.text();
  host.setState('verified', claims.guardian ? text.verifiedWithGuardian
    : claims.age_over ? withAge(text.verifiedAge, claims.age_over)
    : claims.year_age_over ? withAge(text.verifiedYearAge, claims.year_age_over)
    : text.verified);
  host.emit('verified', { token, claims: host.tag.claims });
}

function expire(host: VerificationHost): void {
  host.setToken();
  host.setState('expired', host.text().expired);
  host.emit('expired');
  host.challenges.ensure().catch(() => {});
}

function request(tag: VerifyingTag, challenge: Challenge, guardianStep: GuardianStep | undefined): VerificationRequest {
  const forPerson = <T>(value: T) => (guardianStep ? undefined : value);
  return {
    impCode: tag.impCode, storeId: tag.storeId, channelKey: tag.channelKey, pg: tag.pg,
    merchantUid: verificationId(tag, challenge, !!guardianStep),
    // Danal's own limit counts 만 나이: only for min-age (the verifier checks every rule itself).
    minAge: forPerson(tag.minAge), carrier: forPerson(tag.carrier),
    customerName: forPerson(tag.customerName), phone: forPerson(tag.phone),
    company: tag.company, popup: tag.popup, redirectUrl: redirectTarget(tag),
  };
}
