/**
 * Challenge keeping: the tag holds a challenge from the verifier so that a click can open the
 * provider's window at once, and keeps it fresh for as long as the page is open. The one a
 * redirect flow leaves with is kept for the return by challenge-store.ts.
 */
import type { ProviderName } from './providers/provider.js';
import { requestChallenge, type Challenge } from './verifier.js';

/**
 * How long a verification may take once its window is open: the person picks a carrier, types
 * their name, birthday and phone, waits for the SMS and types its code (PGs give the code alone
 * three minutes). A window is only opened with a challenge that has at least this much life
 * left, so that a person who takes their time is not refused at the end of it.
 */
export const TYPICAL_VERIFICATION_MS = 5 * 60_000;
/** However the clocks disagree, challenges are not refreshed more often than this. */
const MIN_REFRESH_DELAY_MS = 30_000;

/** What a challenge is asked for with; a held challenge serves only the same. */
export interface ChallengeSource {
  endpoint: string;
  provider: ProviderName;
  merchantUid: string | undefined;
}

interface Held {
  challenge: Challenge;
  source: string;
  /** Its whole life, on the verifier's clock (expires_at - issued_at): right whatever this device's clock says. */
  lifetimeMs: number;
  /** When it arrived, on the monotonic clock (cannot be set back) and on the wall clock (keeps counting while a laptop sleeps). */
  receivedAt: number;
  receivedAtWall: number;
}

const sourceKey = ({ endpoint, provider, merchantUid }: ChallengeSource) => `${endpoint} ${provider} ${merchantUid ?? ''}`;

/** Time left before the verifier refuses it, measured only on this device since it arrived. */
function remainingMs(held: Held): number {
  // Whichever clock says more time has passed wins: refreshing early costs a request,
  // refreshing late costs the person's verification.
  const elapsed = Math.max(performance.now() - held.receivedAt, Date.now() - held.receivedAtWall);
  return held.lifetimeMs - elapsed;
}

/** A deployment with short-lived challenges gets half of each one's life for the verification. */
const neededMs = (held: Held) => Math.min(TYPICAL_VERIFICATION_MS, held.lifetimeMs / 2);

export class ChallengeKeeper {
  #held: Held | undefined;
  #request: { source: string; promise: Promise<Challenge> } | undefined;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param source what to ask for, read at each use (the tag's attributes may change)
   * @param keepFresh whether a refresh is still wanted when its timer fires
   */
  constructor(private readonly source: () => ChallengeSource, private readonly keepFresh: () => boolean) {}

  /** The held challenge, if it is for the current attributes and has life enough left for a verification. */
  fresh(): Challenge | undefined {
    const held = this.#held;
    return held && held.source === sourceKey(this.source()) && remainingMs(held) >= neededMs(held) ? held.challenge : undefined;
  }

  /**
   * How much longer a verification's window may be opened under `challenge` (the held one) with
   * life enough left for it; 0 for any other. The guardian step opens a second window under the
   * person's challenge, and measures its own time against this.
   */
  openableForMs(challenge: Challenge): number {
    const held = this.#held;
    return held?.challenge === challenge ? Math.max(0, remainingMs(held) - neededMs(held)) : 0;
  }

  /** A fresh challenge: the held one, or a new one from the verifier (one request at a time). */
  ensure(): Promise<Challenge> {
    const fresh = this.fresh();
    if (fresh) return Promise.resolve(fresh);
    const source = this.source();
    const key = sourceKey(source);
    if (this.#request?.source !== key) {
      const promise = requestChallenge(source.endpoint, source.provider, source.merchantUid).then((challenge) => {
        this.#hold(challenge, key);
        return challenge;
      }).finally(() => {
        if (this.#request?.promise === promise) this.#request = undefined;
      });
      this.#request = { source: key, promise };
    }
    return this.#request.promise;
  }

  /** Drop the held challenge (used, or refused) and stop refreshing it. */
  forget(): void {
    this.#held = undefined;
    this.stop();
  }

  stop(): void {
    clearTimeout(this.#refreshTimer);
  }

  #hold(challenge: Challenge, source: string): void {
    // A verifier that does not say when it issued the challenge: its expiry against our clock, as before.
    const lifetimeSeconds = challenge.expires_at - (challenge.issued_at ?? Date.now() / 1000);
    const held = { challenge, source, lifetimeMs: lifetimeSeconds * 1000, receivedAt: performance.now(), receivedAtWall: Date.now() };
    this.#held = held;
    // Keep a fresh challenge at hand, so the click can open the window at once.
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => {
      if (this.keepFresh()) this.ensure().catch(() => {
        // A click asks again and reports the failure.
      });
    }, Math.max(MIN_REFRESH_DELAY_MS, remainingMs(held) - neededMs(held)));
  }
}
