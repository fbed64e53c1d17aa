/**
 * The single-use ledger: SQLite-backed Durable Objects, one per hash bucket of the exchanged
 * id. A Durable Object runs one call at a time and the check-and-insert below is synchronous,
 * so of any number of concurrent claims of one id exactly one wins. It keeps only the id and
 * two times, never personal data, and forgets each id once its certification could no
 * longer pass the freshness check anyway.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Provider } from '../checks/verification.ts';

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
  /** When the alarm is set for, as far as this instance knows (undefined: not read yet). */
  #alarmAt: number | null | undefined;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    ctx.storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS claims (id TEXT PRIMARY KEY, claimed_at INTEGER NOT NULL, forget_at INTEGER NOT NULL)',
    );
  }

  /**
   * Claim `key` for good, or until `forgetAtMs`. True for the first claim, false for every
   * later one.
   */
  async claim(key: string, forgetAtMs: number): Promise<boolean> {
    const inserted = this.ctx.storage.sql.exec(
      'INSERT INTO claims (id, claimed_at, forget_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING',
      key, Date.now(), forgetAtMs,
    ).rowsWritten > 0;
    if (inserted) {
      // The alarm only needs to move earlier; remembering it saves a storage read per claim.
      if (this.#alarmAt === undefined) this.#alarmAt = await this.ctx.storage.getAlarm();
      if (this.#alarmAt === null || this.#alarmAt > forgetAtMs) {
        this.#alarmAt = forgetAtMs;
        await this.ctx.storage.setAlarm(forgetAtMs);
      }
    }
    return inserted;
  }

  /** Whether `key` is claimed: for tests and operators. */
  async isClaimed(key: string): Promise<boolean> {
    return this.ctx.storage.sql.exec('SELECT 1 FROM claims WHERE id = ?', key).toArray().length > 0;
  }

  /** Forget what has expired, and wake again for the next entry to expire. */
  override async alarm(): Promise<void> {
    this.ctx.storage.sql.exec('DELETE FROM claims WHERE forget_at <= ?', Date.now());
    const next = this.ctx.storage.sql.exec<{ next: number | null }>('SELECT MIN(forget_at) AS next FROM claims').one().next;
    this.#alarmAt = next;
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }
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
    /** True for the first claim of this id, false for every later one. */
    claim: (forgetAtMs: number) => stub.claim(key, forgetAtMs),
    isClaimed: () => stub.isClaimed(key),
  };
}

/** FNV-1a: a stable, even spread of ids over the buckets. */
function bucketOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return hash % LEDGER_BUCKETS;
}
