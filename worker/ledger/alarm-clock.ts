/**
 * A Durable Object's one alarm, kept at the earliest time anything it holds expires (the
 * ledger's claims and answers, the OTP guard's counts). It remembers where the alarm is set,
 * which saves a storage read per write.
 */
export class AlarmClock {
  readonly #storage: DurableObjectStorage;
  /** When the alarm is set for, as far as this instance knows (undefined: not read yet; null: none). */
  #at: number | null | undefined;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
  }

  /** Make sure the alarm fires by `at`. It only ever needs to move earlier. */
  async wakeBy(at: number): Promise<void> {
    if (this.#at === undefined) this.#at = await this.#storage.getAlarm();
    if (this.#at === null || this.#at > at) {
      this.#at = at;
      await this.#storage.setAlarm(at);
    }
  }

  /** From an alarm handler, once the expired is gone: wake again at `next` (null: nothing left). */
  async setNext(next: number | null): Promise<void> {
    this.#at = next;
    if (next !== null) await this.#storage.setAlarm(next);
  }
}
