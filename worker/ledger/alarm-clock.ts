/**
 * A Durable Object's one alarm, kept at the earliest time anything it holds expires (the
 * ledger's claims and answers, the OTP guard's counts), and the sweep that alarm runs. It
 * remembers where the alarm is set, which saves a storage read per write.
 */

/** Rows that expire: the table, and its column that says when (milliseconds since the epoch). */
export interface Expiring {
  table: string;
  column: string;
}

export class AlarmClock {
  readonly #storage: DurableObjectStorage;
  readonly #expiring: readonly Expiring[];
  /** When the alarm is set for, as far as this instance knows (undefined: not read yet; null: none). */
  #at: number | null | undefined;

  /** `expiring`: every table whose rows the sweep forgets, each with its time column (names from code, never input). */
  constructor(storage: DurableObjectStorage, expiring: readonly Expiring[]) {
    if (expiring.length === 0) throw new RangeError('an alarm clock needs something that expires');
    this.#storage = storage;
    this.#expiring = expiring;
  }

  /** Make sure the alarm fires by `at`. It only ever needs to move earlier. */
  async wakeBy(at: number): Promise<void> {
    if (this.#at === undefined) this.#at = await this.#storage.getAlarm();
    if (this.#at === null || this.#at > at) {
      this.#at = at;
      await this.#storage.setAlarm(at);
    }
  }

  /** The alarm handler: forget every row whose time has come, then wake again for the next to expire (if any). */
  async sweep(now = Date.now()): Promise<void> {
    const { sql } = this.#storage;
    for (const { table, column } of this.#expiring) sql.exec(`DELETE FROM ${table} WHERE ${column} <= ?`, now);
    const earliest = this.#expiring.map(({ table, column }) => `SELECT MIN(${column}) AS at FROM ${table}`).join(' UNION ALL ');
    const next = sql.exec<{ next: number | null }>(`SELECT MIN(at) AS next FROM (${earliest})`).one().next;
    this.#at = next;
    if (next !== null) await this.#storage.setAlarm(next);
  }
}
