/**
 * The form mode's abuse limits, in SQLite-backed Durable Objects (one per hash bucket of the
 * key, as the ledger): each code sent costs the merchant and lands on a person's phone, and each
 * confirm is a guess at a 6-digit code. It keeps, never personal data:
 * - `verifications`: per identity verification (one per challenge): how many codes were asked
 *   for, when the last one went out, when it expires, how many confirms were tried, and the
 *   keyed hash of the phone it went to (for resends); forgotten once the challenge is unusable;
 * - `phones`: per keyed hash of a phone number (HMAC under the challenge secret, so the number
 *   cannot be read back or guessed from a list without the secret): the codes sent to it in the
 *   current window; forgotten when the window ends.
 * A Durable Object runs one call at a time, so each count below is exact under concurrency.
 */
import { DurableObject } from 'cloudflare:workers';
import { AlarmClock } from '../ledger/alarm-clock.ts';
import { bucketOf } from '../ledger/ledger.ts';

/**
 * Codes (sends and resends together) per verification. A person who mistyped the number tries
 * again, one whose SMS is late asks again; past this it is a script, and each one costs.
 */
export const MAX_CODES_PER_VERIFICATION = 4;
/** Between two codes to one verification: SMS takes seconds to arrive, a resend before that only costs. */
export const RESEND_COOLDOWN_SECONDS = 30;
/**
 * Codes to one phone number per window, across every challenge and site of this verifier: no
 * one needs more, and it stops the verifier being used to flood a person's phone.
 */
export const MAX_CODES_PER_PHONE = 10;
export const PHONE_WINDOW_SECONDS = 60 * 60;
/**
 * Confirms per verification. A 6-digit code guessed 5 times has a 1 in 200,000 chance; after
 * that the challenge is spent, and another try needs a new challenge and a new code, which the
 * limits above count.
 */
export const MAX_CONFIRM_ATTEMPTS = 5;
/** What `Retry-After` says for a spent challenge: a new one may start at once, within the phone's limit. */
export const SPENT_RETRY_AFTER_SECONDS = 60;
/**
 * A code lives 3 minutes at PortOne's PGs (Danal, KG Inicis send "3분 이내 입력"): the verifier
 * answers `code_expires_at` by it and tells an expired code from a wrong one on its own clock.
 */
export const CODE_LIFETIME_SECONDS = 180;

/** How many objects the guard is spread over (see LEDGER_BUCKETS for why buckets). */
export const OTP_GUARD_BUCKETS = 64;

export type Method = 'SMS' | 'APP';

/** A refusal: the wait, in seconds, that `Retry-After` gives. */
export interface Limited { limited: true; retryAfterSeconds: number }

export class OtpGuard extends DurableObject<unknown> {
  readonly #alarm = new AlarmClock(this.ctx.storage);

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS verifications (
      id TEXT PRIMARY KEY, codes INTEGER NOT NULL, attempts INTEGER NOT NULL, method TEXT, phone_key TEXT,
      last_sent_at INTEGER, code_expires_at INTEGER, forget_at INTEGER NOT NULL)`);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS phones (phone_key TEXT PRIMARY KEY, codes INTEGER NOT NULL, window_ends_at INTEGER NOT NULL)');
  }

  /**
   * Count a send (first code) for `id`: refused past MAX_CODES_PER_VERIFICATION or within the
   * cooldown. Resends go to the number PortOne has, and are counted against it: once a send of
   * ours went through, another number is `otherPhone` (nothing counted); before that, a corrected
   * number replaces the mistyped one (`phoneChanged`). `sentBefore` when a send of ours went through.
   */
  async beginSend(id: string, phoneKey: string, nowMs: number, forgetAtMs: number): Promise<Limited | {
    limited: false; otherPhone?: true; phoneChanged?: boolean; sentBefore?: boolean;
  }> {
    const row = this.#verification(id);
    const sentBefore = !!row && row.last_sent_at !== null;
    const phoneChanged = !!row && row.phone_key !== phoneKey;
    if (phoneChanged && sentBefore) return { limited: false, otherPhone: true };
    const refusal = row && this.#codeRefusal(row, nowMs);
    if (refusal) return refusal;
    this.ctx.storage.sql.exec(
      `INSERT INTO verifications (id, codes, attempts, phone_key, forget_at) VALUES (?, 1, 0, ?, ?)
       ON CONFLICT (id) DO UPDATE SET codes = codes + 1, phone_key = excluded.phone_key`,
      id, phoneKey, forgetAtMs,
    );
    await this.#alarm.wakeBy(forgetAtMs);
    return { limited: false, phoneChanged, sentBefore };
  }

  /**
   * Count a resend for `id`: refused as for a send; `notSent` when no code went out (PortOne
   * would say so too), `app` for an APP push (resend is for SMS codes). Returns the phone's key.
   */
  async beginResend(id: string, nowMs: number): Promise<Limited | { limited: false; notSent?: true; app?: true; phoneKey?: string }> {
    const row = this.#verification(id);
    if (!row || row.last_sent_at === null) return { limited: false, notSent: true };
    if (row.method === 'APP') return { limited: false, app: true };
    const refusal = this.#codeRefusal(row, nowMs);
    if (refusal) return refusal;
    // The cooldown starts now, not when PortOne answers: resends sent at once cannot all pass it.
    this.ctx.storage.sql.exec('UPDATE verifications SET codes = codes + 1, last_sent_at = ? WHERE id = ?', nowMs, id);
    return { limited: false, phoneKey: row.phone_key ?? undefined };
  }

  /** A code went out: the cooldown and the code's life start now. */
  async sent(id: string, method: Method, nowMs: number): Promise<{ resendAvailableAtMs: number; codeExpiresAtMs: number }> {
    const codeExpiresAtMs = nowMs + CODE_LIFETIME_SECONDS * 1000;
    this.ctx.storage.sql.exec(
      'UPDATE verifications SET method = ?, last_sent_at = ?, code_expires_at = ? WHERE id = ?', method, nowMs, codeExpiresAtMs, id,
    );
    return { resendAvailableAtMs: nowMs + RESEND_COOLDOWN_SECONDS * 1000, codeExpiresAtMs };
  }

  /** Count a code to `phoneKey` in its window: refused past MAX_CODES_PER_PHONE. */
  async countPhone(phoneKey: string, nowMs: number): Promise<Limited | { limited: false }> {
    const row = this.ctx.storage.sql.exec<{ codes: number; window_ends_at: number }>(
      'SELECT codes, window_ends_at FROM phones WHERE phone_key = ?', phoneKey,
    ).toArray()[0];
    if (row && row.window_ends_at > nowMs) {
      if (row.codes >= MAX_CODES_PER_PHONE) return { limited: true, retryAfterSeconds: Math.ceil((row.window_ends_at - nowMs) / 1000) };
      this.ctx.storage.sql.exec('UPDATE phones SET codes = codes + 1 WHERE phone_key = ?', phoneKey);
      return { limited: false };
    }
    const windowEndsAt = nowMs + PHONE_WINDOW_SECONDS * 1000;
    this.ctx.storage.sql.exec('INSERT OR REPLACE INTO phones (phone_key, codes, window_ends_at) VALUES (?, 1, ?)', phoneKey, windowEndsAt);
    await this.#alarm.wakeBy(windowEndsAt);
    return { limited: false };
  }

  /** A send PortOne refused before asking a carrier sent nothing to the number: it does not count. */
  async giveBackPhone(phoneKey: string): Promise<void> {
    this.ctx.storage.sql.exec('UPDATE phones SET codes = codes - 1 WHERE phone_key = ? AND codes > 0', phoneKey);
  }

  /**
   * Count a confirm for `id`. Refused once MAX_CONFIRM_ATTEMPTS were tried: the challenge is
   * spent. Nothing is counted when no code went out through us (`notSent`), or when an SMS
   * code is confirmed without one (`codeMissing`); otherwise returns when the current code expires.
   */
  async beginConfirm(id: string, withCode: boolean): Promise<Limited | { limited: false; notSent?: true; codeMissing?: true; codeExpiresAtMs?: number }> {
    const row = this.#verification(id);
    if (!row || row.last_sent_at === null) return { limited: false, notSent: true };
    if (row.method === 'SMS' && !withCode) return { limited: false, codeMissing: true };
    if (row.attempts >= MAX_CONFIRM_ATTEMPTS) return { limited: true, retryAfterSeconds: SPENT_RETRY_AFTER_SECONDS };
    this.ctx.storage.sql.exec('UPDATE verifications SET attempts = attempts + 1 WHERE id = ?', id);
    return { limited: false, codeExpiresAtMs: row.code_expires_at ?? undefined };
  }

  /** A confirm that PortOne gave no verdict on (it was down, say) is not an attempt after all. */
  async giveBackConfirm(id: string): Promise<void> {
    this.ctx.storage.sql.exec('UPDATE verifications SET attempts = attempts - 1 WHERE id = ? AND attempts > 0', id);
  }

  /** Everything the guard holds for a key: for tests and operators (no personal data by construction). */
  async dump(): Promise<unknown[]> {
    return [
      ...this.ctx.storage.sql.exec('SELECT * FROM verifications').toArray(),
      ...this.ctx.storage.sql.exec('SELECT * FROM phones').toArray(),
    ];
  }

  /** Forget what has expired, and wake again for the next. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.ctx.storage.sql.exec('DELETE FROM verifications WHERE forget_at <= ?', now);
    this.ctx.storage.sql.exec('DELETE FROM phones WHERE window_ends_at <= ?', now);
    const next = this.ctx.storage.sql.exec<{ next: number | null }>(
      'SELECT MIN(at) AS next FROM (SELECT MIN(forget_at) AS at FROM verifications UNION ALL SELECT MIN(window_ends_at) FROM phones)',
    ).one().next;
    await this.#alarm.setNext(next);
  }

  #verification(id: string) {
    return this.ctx.storage.sql.exec<{
      codes: number; attempts: number; method: string | null; phone_key: string | null; last_sent_at: number | null; code_expires_at: number | null;
    }>('SELECT codes, attempts, method, phone_key, last_sent_at, code_expires_at FROM verifications WHERE id = ?', id).toArray()[0];
  }

  #codeRefusal(row: { codes: number; last_sent_at: number | null }, nowMs: number): Limited | undefined {
    if (row.codes >= MAX_CODES_PER_VERIFICATION) return { limited: true, retryAfterSeconds: SPENT_RETRY_AFTER_SECONDS };
    const cooldownEnds = (row.last_sent_at ?? 0) + RESEND_COOLDOWN_SECONDS * 1000;
    if (cooldownEnds > nowMs) return { limited: true, retryAfterSeconds: Math.ceil((cooldownEnds - nowMs) / 1000) };
    return undefined;
  }
}

type GuardBinding = { OTP_GUARD: DurableObjectNamespace<OtpGuard> };

/** The guard object for a verification's counts, or a phone key's. */
export function otpGuardFor(env: GuardBinding, kind: 'verification' | 'phone', key: string) {
  return env.OTP_GUARD.get(env.OTP_GUARD.idFromName(`${kind}-${bucketOf(`${kind}:${key}`, OTP_GUARD_BUCKETS)}`));
}
