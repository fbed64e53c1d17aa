/**
 * The form mode's abuse limits, in SQLite-backed Durable Objects (one per hash bucket of the
 * key, as the ledger): each code sent costs the merchant and lands on a person's phone, and each
 * confirm is a guess at a 6-digit code. It keeps, never personal data:
 * - `verifications`: per identity verification (one per challenge): how many codes were asked
 *   for, when the last one went out, when it expires, how many confirms were tried, the keyed
 *   hash of the phone it is bound to (resends go there) and a fingerprint of the challenge that
 *   sent it (only that challenge resends or confirms); forgotten once the challenge is unusable;
 * - `phones`: per keyed hash of a phone number (HMAC under the challenge secret, so the number
 *   cannot be read back or guessed from a list without the secret): the codes that reached it in
 *   the current window; forgotten when the window ends;
 * - `budgets`: per allowed origin, the codes PortOne was asked to send in the current hour and
 *   day (the site's send budget); forgotten when the window ends.
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
 * one needs more, and it stops the verifier being used to flood a person's phone. Only codes
 * that may have reached the phone count: a send the carrier refused did not, and counting it
 * would let anyone who knows the number lock its owner out with wrong names.
 */
export const MAX_CODES_PER_PHONE = 10;
/**
 * The window of that count. A number over its limit is told to wait the whole window, whatever
 * its history: the wait is then never short of the truth, and says nothing about when or how
 * many codes went to the number before (which a stranger could otherwise read from it).
 */
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

/** The site budget's windows: the clock hour, and the day in Korea (where the PGs bill). */
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const SEOUL_OFFSET_MS = 9 * HOUR_MS;
export type BudgetWindow = 'hour' | 'day';

/** How many objects the guard is spread over (see LEDGER_BUCKETS for why buckets). */
export const OTP_GUARD_BUCKETS = 64;

export type Method = 'SMS' | 'APP';

/** A refusal: the wait, in seconds, that `Retry-After` gives. */
export interface Limited { limited: true; retryAfterSeconds: number }

/** What a send may be told besides a limit: the verification is held by another challenge, or bound to another number. */
export type SendBegun = Limited | { limited: false; otherChallenge?: true; otherPhone?: true; rebound?: boolean; sentBefore?: boolean };

/** A site's budget spent: the window that ran out, and whether this is its first refusal (the one that is logged). */
export type BudgetSpent = Limited & { window: BudgetWindow; first: boolean };

/** The columns the verifications table gained after its first release, added to objects made before. */
const ADDED_VERIFICATION_COLUMNS = {
  challenge_key: 'TEXT',
  sends_in_flight: 'INTEGER NOT NULL DEFAULT 0',
  outcome_unknown: 'INTEGER NOT NULL DEFAULT 0',
};

export class OtpGuard extends DurableObject<unknown> {
  readonly #alarm = new AlarmClock(this.ctx.storage, [
    { table: 'verifications', column: 'forget_at' }, { table: 'phones', column: 'window_ends_at' }, { table: 'budgets', column: 'window_ends_at' },
  ]);

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS verifications (
      id TEXT PRIMARY KEY, codes INTEGER NOT NULL, attempts INTEGER NOT NULL, method TEXT, phone_key TEXT,
      last_sent_at INTEGER, code_expires_at INTEGER, forget_at INTEGER NOT NULL)`);
    const columns = new Set(sql.exec<{ name: string }>('PRAGMA table_info(verifications)').toArray().map((column) => column.name));
    for (const [name, type] of Object.entries(ADDED_VERIFICATION_COLUMNS)) {
      if (!columns.has(name)) sql.exec(`ALTER TABLE verifications ADD COLUMN ${name} ${type}`);
    }
    sql.exec('CREATE TABLE IF NOT EXISTS phones (phone_key TEXT PRIMARY KEY, codes INTEGER NOT NULL, window_ends_at INTEGER NOT NULL)');
    sql.exec(`CREATE TABLE IF NOT EXISTS budgets (
      origin TEXT NOT NULL, span TEXT NOT NULL, window_ends_at INTEGER NOT NULL, codes INTEGER NOT NULL, refused INTEGER NOT NULL,
      PRIMARY KEY (origin, span))`);
  }

  /**
   * Begin a send (first code) for `id` under the challenge `challengeKey` to the phone `phoneKey`.
   * The verification is bound to the challenge and the number here, before the send goes out,
   * and stays bound while a send is under way, may have gone out, or went out: then another
   * challenge is `otherChallenge` and another number `otherPhone` (nothing counted), whatever
   * the timing, so resends go to, and are counted against, the number PortOne sent to. A
   * verification whose sends were all refused for sure may be sent again to a corrected number
   * (`rebound`). Refused past MAX_CODES_PER_VERIFICATION or within the cooldown. End each begun
   * send with `sent`, `sendRefused` or `sendOutcomeUnknown`.
   */
  async beginSend(id: string, challengeKey: string, phoneKey: string, nowMs: number, forgetAtMs: number): Promise<SendBegun> {
    const row = this.#verification(id);
    const sentBefore = !!row && row.last_sent_at !== null;
    const bound = !!row && (sentBefore || row.sends_in_flight > 0 || row.outcome_unknown === 1);
    if (bound && row.challenge_key !== challengeKey) return { limited: false, otherChallenge: true };
    if (bound && row.phone_key !== phoneKey) return { limited: false, otherPhone: true };
    const refusal = row && this.#codeRefusal(row, nowMs);
    if (refusal) return refusal;
    this.ctx.storage.sql.exec(
      `INSERT INTO verifications (id, codes, attempts, phone_key, challenge_key, sends_in_flight, forget_at) VALUES (?, 1, 0, ?, ?, 1, ?)
       ON CONFLICT (id) DO UPDATE SET codes = codes + 1, phone_key = excluded.phone_key, challenge_key = excluded.challenge_key,
         sends_in_flight = sends_in_flight + 1`,
      id, phoneKey, challengeKey, forgetAtMs,
    );
    await this.#alarm.wakeBy(forgetAtMs);
    const rebound = !!row && (row.phone_key !== phoneKey || row.challenge_key !== challengeKey);
    return { limited: false, rebound, sentBefore };
  }

  /** A begun send was refused for sure (no code went out): when none other is under way or went out, the number may change. */
  async sendRefused(id: string): Promise<void> {
    this.ctx.storage.sql.exec('UPDATE verifications SET sends_in_flight = MAX(sends_in_flight - 1, 0) WHERE id = ?', id);
  }

  /** A begun send's answer was lost (a timeout): the code may be on the phone, so the verification stays bound to it. */
  async sendOutcomeUnknown(id: string): Promise<void> {
    this.ctx.storage.sql.exec('UPDATE verifications SET sends_in_flight = MAX(sends_in_flight - 1, 0), outcome_unknown = 1 WHERE id = ?', id);
  }

  /**
   * Count a resend for `id` under the challenge `challengeKey`: refused as for a send; `notSent`
   * when no code went out under this challenge (none at all, or under another challenge: the
   * answer is the same, so another challenge learns nothing of the send), `app` for an APP push
   * (resend is for SMS codes). Returns the key of the phone the code went to.
   */
  async beginResend(id: string, challengeKey: string, nowMs: number): Promise<Limited | { limited: false; notSent?: true; app?: true; phoneKey?: string }> {
    const row = this.#verification(id);
    if (!row || row.last_sent_at === null || row.challenge_key !== challengeKey) return { limited: false, notSent: true };
    if (row.method === 'APP') return { limited: false, app: true };
    const refusal = this.#codeRefusal(row, nowMs);
    if (refusal) return refusal;
    // The cooldown starts now, not when PortOne answers: resends sent at once cannot all pass it.
    this.ctx.storage.sql.exec('UPDATE verifications SET codes = codes + 1, last_sent_at = ? WHERE id = ?', nowMs, id);
    return { limited: false, phoneKey: row.phone_key ?? undefined };
  }

  /** A code went out (`firstSend`: the end of a begun send): the cooldown and the code's life start now. */
  async sent(id: string, method: Method, nowMs: number, firstSend: boolean): Promise<{ resendAvailableAtMs: number; codeExpiresAtMs: number }> {
    const codeExpiresAtMs = nowMs + CODE_LIFETIME_SECONDS * 1000;
    this.ctx.storage.sql.exec(
      `UPDATE verifications SET method = ?, last_sent_at = ?, code_expires_at = ?, outcome_unknown = 0,
         sends_in_flight = MAX(sends_in_flight - ?, 0) WHERE id = ?`,
      method, nowMs, codeExpiresAtMs, firstSend ? 1 : 0, id,
    );
    return { resendAvailableAtMs: nowMs + RESEND_COOLDOWN_SECONDS * 1000, codeExpiresAtMs };
  }

  /** Count a code to `phoneKey` in its window: refused past MAX_CODES_PER_PHONE, with the whole window to wait. */
  async countPhone(phoneKey: string, nowMs: number): Promise<Limited | { limited: false }> {
    const row = this.ctx.storage.sql.exec<{ codes: number; window_ends_at: number }>(
      'SELECT codes, window_ends_at FROM phones WHERE phone_key = ?', phoneKey,
    ).toArray()[0];
    if (row && row.window_ends_at > nowMs) {
      if (row.codes >= MAX_CODES_PER_PHONE) return { limited: true, retryAfterSeconds: PHONE_WINDOW_SECONDS };
      this.ctx.storage.sql.exec('UPDATE phones SET codes = codes + 1 WHERE phone_key = ?', phoneKey);
      return { limited: false };
    }
    const windowEndsAt = nowMs + PHONE_WINDOW_SECONDS * 1000;
    this.ctx.storage.sql.exec('INSERT OR REPLACE INTO phones (phone_key, codes, window_ends_at) VALUES (?, 1, ?)', phoneKey, windowEndsAt);
    await this.#alarm.wakeBy(windowEndsAt);
    return { limited: false };
  }

  /** A code counted for a number did not reach it (the carrier refused it, a limit stopped it): it does not count. */
  async giveBackPhone(phoneKey: string): Promise<void> {
    this.ctx.storage.sql.exec('UPDATE phones SET codes = codes - 1 WHERE phone_key = ? AND codes > 0', phoneKey);
  }

  /**
   * Count a code PortOne is about to be asked for, against `origin`'s budget for the hour and
   * the day (`perHour`, `perDay`). Past either: refused until that window ends, counting nothing;
   * `first` for the window's first refusal, so that the site's alert fires once, not per request.
   */
  async spendBudget(origin: string, nowMs: number, perHour: number, perDay: number): Promise<BudgetSpent | { limited: false }> {
    const windows = [
      { window: 'hour' as const, limit: perHour, endsAt: Math.floor(nowMs / HOUR_MS) * HOUR_MS + HOUR_MS },
      { window: 'day' as const, limit: perDay, endsAt: Math.floor((nowMs + SEOUL_OFFSET_MS) / DAY_MS) * DAY_MS + DAY_MS - SEOUL_OFFSET_MS },
    ];
    const sql = this.ctx.storage.sql;
    for (const { window, endsAt } of windows) {
      // A window that ended starts again from nothing.
      sql.exec('DELETE FROM budgets WHERE origin = ? AND span = ? AND window_ends_at <= ?', origin, window, nowMs);
      sql.exec('INSERT OR IGNORE INTO budgets (origin, span, window_ends_at, codes, refused) VALUES (?, ?, ?, 0, 0)', origin, window, endsAt);
    }
    for (const { window, limit, endsAt } of windows) {
      const { codes, refused } = sql.exec<{ codes: number; refused: number }>(
        'SELECT codes, refused FROM budgets WHERE origin = ? AND span = ?', origin, window,
      ).one();
      if (codes >= limit) {
        sql.exec('UPDATE budgets SET refused = 1 WHERE origin = ? AND span = ?', origin, window);
        return { limited: true, retryAfterSeconds: Math.ceil((endsAt - nowMs) / 1000), window, first: refused === 0 };
      }
    }
    sql.exec('UPDATE budgets SET codes = codes + 1 WHERE origin = ?', origin);
    await this.#alarm.wakeBy(windows[0]!.endsAt);
    return { limited: false };
  }

  /**
   * Count a confirm for `id` under the challenge `challengeKey`. Refused once MAX_CONFIRM_ATTEMPTS
   * were tried: the challenge is spent. Nothing is counted when no code went out through us under
   * this challenge (`notSent`: another challenge cannot spend the person's attempts), or when an
   * SMS code is confirmed without one (`codeMissing`); otherwise returns when the current code expires.
   */
  async beginConfirm(id: string, challengeKey: string, withCode: boolean): Promise<Limited | { limited: false; notSent?: true; codeMissing?: true; codeExpiresAtMs?: number }> {
    const row = this.#verification(id);
    if (!row || row.last_sent_at === null || row.challenge_key !== challengeKey) return { limited: false, notSent: true };
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
    return ['verifications', 'phones', 'budgets'].flatMap((table) => this.ctx.storage.sql.exec(`SELECT * FROM ${table}`).toArray());
  }

  /** Forget what has expired, and wake again for the next. */
  override alarm(): Promise<void> {
    return this.#alarm.sweep();
  }

  #verification(id: string) {
    return this.ctx.storage.sql.exec<{
      codes: number; attempts: number; method: string | null; phone_key: string | null; challenge_key: string | null;
      last_sent_at: number | null; code_expires_at: number | null; sends_in_flight: number; outcome_unknown: number;
    }>(`SELECT codes, attempts, method, phone_key, challenge_key, last_sent_at, code_expires_at, sends_in_flight, outcome_unknown
        FROM verifications WHERE id = ?`, id).toArray()[0];
  }

  #codeRefusal(row: { codes: number; last_sent_at: number | null }, nowMs: number): Limited | undefined {
    if (row.codes >= MAX_CODES_PER_VERIFICATION) return { limited: true, retryAfterSeconds: SPENT_RETRY_AFTER_SECONDS };
    const cooldownEnds = (row.last_sent_at ?? 0) + RESEND_COOLDOWN_SECONDS * 1000;
    if (cooldownEnds > nowMs) return { limited: true, retryAfterSeconds: Math.ceil((cooldownEnds - nowMs) / 1000) };
    return undefined;
  }
}

type GuardBinding = { OTP_GUARD: DurableObjectNamespace<OtpGuard> };

/** The guard object for a verification's counts, a phone key's, or a site's budget. */
export function otpGuardFor(env: GuardBinding, kind: 'verification' | 'phone' | 'site', key: string) {
  return env.OTP_GUARD.get(env.OTP_GUARD.idFromName(`${kind}-${bucketOf(`${kind}:${key}`, OTP_GUARD_BUCKETS)}`));
}
