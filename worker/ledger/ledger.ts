/**
 * The single-use ledger. One SQLite-backed object per exchanged id (sharded by the id
 * itself, so no object is a global bottleneck). A Durable Object runs one call at a time
 * and the check-and-insert below is synchronous, so of any number of concurrent claims
 * of one id exactly one wins. It keeps only the id and two times, never personal data.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Provider } from '../checks/verification.ts';
import type { Env } from '../settings.ts';

export class ImpUidLedger extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#createTable();
  }

  #createTable(): void {
    this.ctx.storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS claims (id TEXT PRIMARY KEY, claimed_at INTEGER NOT NULL, forget_at INTEGER NOT NULL)',
    );
  }

  /**
   * Claim `id` for good, or until `forgetAtMs`, when its certification could no longer pass
   * the freshness check anyway. True for the first claim, false for every later one.
   */
  async claim(id: string, forgetAtMs: number): Promise<boolean> {
    const inserted = this.ctx.storage.sql.exec(
      'INSERT INTO claims (id, claimed_at, forget_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING',
      id, Date.now(), forgetAtMs,
    ).rowsWritten > 0;
    if (inserted) await this.ctx.storage.setAlarm(forgetAtMs);
    return inserted;
  }

  /** Whether `id` is claimed: for tests and operators. */
  async isClaimed(id: string): Promise<boolean> {
    return this.ctx.storage.sql.exec('SELECT 1 FROM claims WHERE id = ?', id).toArray().length > 0;
  }

  override async alarm(): Promise<void> {
    this.ctx.storage.sql.exec('DELETE FROM claims WHERE forget_at <= ?', Date.now());
    if (this.ctx.storage.sql.exec('SELECT 1 FROM claims').toArray().length === 0) {
      await this.ctx.storage.deleteAll(); // an empty object costs nothing to keep
      this.#createTable();
    }
  }
}

/** The ledger object for one upstream id. */
export function ledgerFor(env: Env, provider: Provider, id: string) {
  return env.LEDGER.get(env.LEDGER.idFromName(`${provider}:${id}`));
}
