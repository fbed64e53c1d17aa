/**
 * The single-use ledger: SQLite-backed Durable Objects, one per hash bucket of the exchanged
 * id. A Durable Object runs one call at a time and each claim below is one synchronous
 * transaction, so of any number of concurrent claims of one id exactly one wins. It keeps,
 * never personal data:
 * - `claims`: the id and two times, until its certification could no longer pass the
 *   freshness check under any setting (about a day);
 * - `answers`: the attestation the id was exchanged for (a token that holds no personal data)
 *   and a fingerprint of the request that earned it, only until the token expires, so that
 *   the very same request sent again (its answer lost on the way) gets the very same token.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Provider } from '../checks/verification.ts';
import { AlarmClock } from './alarm-clock.ts';

/**
 * How many objects the ledger is spread over. Buckets, not one object per id: a claim in an
 * object that exists is a row insert, while a new object per id costs its creation (storage,
 * table, alarm) on every verification (bench/RESULTS.md of 2026-11-22). Each object takes hundreds of
 * claims a second, so 64 carry far more than any one site's sign-ups, and no object is a
 * global bottleneck. Changing this moves ids between buckets: only do it with no exchange
 * younger than MAX_CERT_AGE_SECONDS in flight.
 */
export const LEDGER_BUCKETS = 64;

export class ImpUidLedger extends DurableObject<unknown> {
  readonly #alarm = new AlarmClock(this.ctx.storage, [{ table: 'answers', column: 'expires_at' }, { table: 'claims', column: 'forget_at' }]);

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    ctx.storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS claims (id TEXT PRIMARY KEY, claimed_at INTEGER NOT NULL, forget_at INTEGER NOT NULL)',
    );
    ctx.storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS answers (id TEXT PRIMARY KEY, request_hash TEXT NOT NULL, token TEXT NOT NULL, expires_at INTEGER NOT NULL)',
    );
  }

  /**
   * Claim `key` for `answer`, until `forgetAtMs`. Returns the token to answer with: the
   * answer's own for the first claim; for a later one, the token the first kept, when the
   * later request is the same one (same fingerprint) and that token is still valid;
   * otherwise undefined (already used).
   */
  async claim(key: string, answer: LedgerAnswer, forgetAtMs: number): Promise<string | undefined> {
    const now = Date.now();
    const won = this.ctx.storage.transactionSync(() => {
      const inserted = this.ctx.storage.sql.exec(
        'INSERT INTO claims (id, claimed_at, forget_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING', key, now, forgetAtMs,
      ).rowsWritten > 0;
      if (inserted) {
        this.ctx.storage.sql.exec(
          'INSERT OR REPLACE INTO answers (id, request_hash, token, expires_at) VALUES (?, ?, ?, ?)',
          key, answer.requestHash, answer.token, answer.expiresAtMs,
        );
      }
      return inserted;
    });
    if (!won) return this.#answerTo(key, answer.requestHash, now);
    await this.#alarm.wakeBy(Math.min(answer.expiresAtMs, forgetAtMs));
    return answer.token;
  }

  /**
   * Undo a claim this request made (the fingerprint must match): the guardian step claims two
   * ids, and when the second turns out used, the first is given back rather than spent.
   */
  async release(key: string, requestHash: string): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      const ours = this.ctx.storage.sql.exec('DELETE FROM answers WHERE id = ? AND request_hash = ?', key, requestHash).rowsWritten > 0;
      if (ours) this.ctx.storage.sql.exec('DELETE FROM claims WHERE id = ?', key);
    });
  }

  /** The token `key` was exchanged for, if the request with this fingerprint earned it and it is still valid. */
  async answerTo(key: string, requestHash: string): Promise<string | undefined> {
    return this.#answerTo(key, requestHash, Date.now());
  }

  /** Whether `key` is claimed: for tests and operators. */
  async isClaimed(key: string): Promise<boolean> {
    return this.ctx.storage.sql.exec('SELECT 1 FROM claims WHERE id = ?', key).toArray().length > 0;
  }

  /** Forget what has expired, and wake again for the next entry to expire. */
  override alarm(): Promise<void> {
    return this.#alarm.sweep();
  }

  #answerTo(key: string, requestHash: string, now: number): string | undefined {
    return this.ctx.storage.sql.exec<{ token: string }>(
      'SELECT token FROM answers WHERE id = ? AND request_hash = ? AND expires_at > ?', key, requestHash, now,
    ).toArray()[0]?.token;
  }
}

/** What an exchange leaves in the ledger besides its claim, to answer the same request again. */
export interface LedgerAnswer {
  /** Fingerprint of the request (exchange.ts): which repeat is "the same request". */
  requestHash: string;
  /** The signed attestation: claims only, no personal data. */
  token: string;
  /** When the token expires: the answer is kept, and given, until then only. */
  expiresAtMs: number;
}

/** The key an id is claimed under: ids of the two providers never collide. */
export function ledgerKey(provider: Provider, id: string): string {
  return `${provider}:${id}`;
}

/** The binding the ledger is reached through (a structural type: no import of the Worker's Env). */
type LedgerBinding = { LEDGER: DurableObjectNamespace<ImpUidLedger> };

/** The bucket object that holds an id's claim. */
export function ledgerBucket(env: LedgerBinding, provider: Provider, id: string) {
  return env.LEDGER.get(env.LEDGER.idFromName(`bucket-${bucketOf(ledgerKey(provider, id))}`));
}

/** The ledger for one upstream id. */
export function ledgerFor(env: LedgerBinding, provider: Provider, id: string) {
  const key = ledgerKey(provider, id);
  const stub = ledgerBucket(env, provider, id);
  return {
    /** The token to answer with (see ImpUidLedger.claim); undefined: already used. */
    claim: (answer: LedgerAnswer, forgetAtMs: number) => stub.claim(key, answer, forgetAtMs),
    answerTo: (requestHash: string) => stub.answerTo(key, requestHash),
    /** Give back a claim this request made (the guardian step, when the person's turns out used). */
    release: (requestHash: string) => stub.release(key, requestHash),
    isClaimed: () => stub.isClaimed(key),
  };
}

/** FNV-1a: a stable, even spread of keys over `buckets` (the ledger's, or the OTP guard's). */
export function bucketOf(key: string, buckets = LEDGER_BUCKETS): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return hash % buckets;
}
