/**
 * The challenge a redirect flow leaves with, kept (sessionStorage) for the return. Loaded with
 * the verification: only a verification stores one, and only an address that holds a
 * provider's return parameter makes the tag look for one.
 */
import type { Challenge } from './verifier.js';

const STORAGE_PREFIX = 'iamport-verify:';

/**
 * The redirect flow leaves the page: the challenge it left with is kept for the return, one
 * per tag on the page (its id or name). A challenge read back is only ever used to finish the
 * verification that came back: how long it was away is not known well enough to open another.
 */
export class ReturnStore {
  constructor(private readonly tag: { readonly id: string; readonly name: string }) {}

  #key(): string {
    const { id, name } = this.tag;
    return STORAGE_PREFIX + location.pathname + '#' + (id || name);
  }

  /**
   * `openUntil`: until when (this device's `Date.now()`) a guardian's window may still open under it;
   * `person`: the verification waiting for a guardian's, when the guardian is the one who left.
   */
  keep(challenge: Challenge, openUntil: number, person?: Record<string, string>): void {
    try {
      sessionStorage.setItem(this.#key(), JSON.stringify({ ...challenge, openUntil, person }));
    } catch {
      // Storage blocked: the popup flow still works.
    }
  }

  read(): { challenge: Challenge; openUntil: number; person?: Record<string, string> } | undefined {
    try {
      const { person, openUntil, ...challenge } = JSON.parse(sessionStorage.getItem(this.#key()) ?? 'null') ?? {};
      if (typeof challenge.challenge !== 'string' || typeof challenge.merchant_uid !== 'string') return undefined;
      const personOk = person === undefined || (typeof person === 'object' && Object.values(person).every((v) => typeof v === 'string'));
      // Kept by an older tag, without the time: a guardian would have to start over.
      return personOk ? { challenge: challenge as Challenge, openUntil: typeof openUntil === 'number' ? openUntil : 0, person } : undefined;
    } catch {
      return undefined;
    }
  }

  forget(): void {
    try {
      sessionStorage.removeItem(this.#key());
    } catch {
      // Nothing was stored.
    }
  }
}
