import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { LEDGER_BUCKETS, ledgerBucket, ledgerFor, ledgerKey } from '../../worker/ledger/ledger.ts';
import { bindings } from './support.ts';

const id = () => `imp_9${String(crypto.getRandomValues(new Uint32Array(1))[0]).padStart(11, '0')}`;

describe('the single-use ledger', () => {
  it('grants the first claim of an id and refuses every later one', async () => {
    const ledger = ledgerFor(bindings, 'iamport', id());
    expect(await ledger.claim(Date.now() + 60_000)).toBe(true);
    expect(await ledger.claim(Date.now() + 60_000)).toBe(false);
    expect(await ledger.isClaimed()).toBe(true);
  });

  it('keeps the two providers\' ids apart, even when they are the same string', async () => {
    const shared = id();
    expect(await ledgerFor(bindings, 'iamport', shared).claim(Date.now() + 60_000)).toBe(true);
    expect(await ledgerFor(bindings, 'portone', shared).claim(Date.now() + 60_000)).toBe(true);
  });

  it('forgets an id once its time has passed, and keeps the others', async () => {
    // Two ids in the same bucket: one already past its time, one not.
    const expired = id();
    let kept = id();
    while (ledgerBucket(bindings, 'iamport', kept).id.toString() !== ledgerBucket(bindings, 'iamport', expired).id.toString()) kept = id();
    await ledgerFor(bindings, 'iamport', expired).claim(Date.now() - 1);
    await ledgerFor(bindings, 'iamport', kept).claim(Date.now() + 600_000);
    // The runtime may already have run the alarm by itself (it was due at once); either way,
    // once it has run, the expired id is gone and the other is kept.
    await runDurableObjectAlarm(ledgerBucket(bindings, 'iamport', expired));
    expect(await ledgerFor(bindings, 'iamport', expired).isClaimed()).toBe(false);
    expect(await ledgerFor(bindings, 'iamport', kept).isClaimed()).toBe(true);
  });

  it('spreads ids over its buckets', () => {
    const buckets = new Set<string>();
    for (let i = 0; i < 2000; i++) buckets.add(ledgerBucket(bindings, 'iamport', id()).id.toString());
    expect(buckets.size).toBe(LEDGER_BUCKETS);
    expect(ledgerKey('portone', 'x')).toBe('portone:x');
  });
});
