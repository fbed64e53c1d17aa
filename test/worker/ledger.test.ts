import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { LEDGER_BUCKETS, ledgerBucket, ledgerFor, ledgerKey, type LedgerAnswer } from '../../worker/ledger/ledger.ts';
import { bindings } from './support.ts';

const id = () => `imp_9${String(crypto.getRandomValues(new Uint32Array(1))[0]).padStart(11, '0')}`;
const MINUTE = 60_000;

/** What an exchange leaves: a token (here a stand-in string) for the request with this fingerprint. */
function answer(requestHash = 'request-a', expiresAtMs = Date.now() + MINUTE): LedgerAnswer {
  return { requestHash, token: `token-${crypto.randomUUID()}`, expiresAtMs };
}

/** The answers a bucket still holds for an id, read from its SQLite table. */
function keptAnswers(upstreamId: string): Promise<number> {
  return runInDurableObject(ledgerBucket(bindings, 'iamport', upstreamId), (_instance, state) =>
    state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM answers WHERE id = ?', ledgerKey('iamport', upstreamId)).one().n);
}

/** Another id that lands in the same bucket as `other`. */
function idInBucketOf(other: string): string {
  let candidate = id();
  while (ledgerBucket(bindings, 'iamport', candidate).id.toString() !== ledgerBucket(bindings, 'iamport', other).id.toString()) candidate = id();
  return candidate;
}

describe('the single-use ledger', () => {
  it('grants the first claim of an id and refuses a claim for any other request', async () => {
    const ledger = ledgerFor(bindings, 'iamport', id());
    const first = answer('request-a');
    expect(await ledger.claim(first, Date.now() + MINUTE)).toBe(first.token);
    expect(await ledger.claim(answer('request-b'), Date.now() + MINUTE)).toBeUndefined();
    expect(await ledger.isClaimed()).toBe(true);
  });

  it('answers the same request claimed again with the token it kept, not the new one', async () => {
    const ledger = ledgerFor(bindings, 'iamport', id());
    const first = answer('request-a');
    expect(await ledger.claim(first, Date.now() + MINUTE)).toBe(first.token);
    expect(await ledger.claim(answer('request-a'), Date.now() + MINUTE)).toBe(first.token);
    expect(await ledger.answerTo('request-a')).toBe(first.token);
    expect(await ledger.answerTo('request-b')).toBeUndefined();
  });

  it('gives no answer for an id it has not seen', async () => {
    expect(await ledgerFor(bindings, 'iamport', id()).answerTo('request-a')).toBeUndefined();
  });

  it('stops giving the kept token once it has expired, and still refuses the id', async () => {
    const ledger = ledgerFor(bindings, 'iamport', id());
    const expired = answer('request-a', Date.now() - 1);
    expect(await ledger.claim(expired, Date.now() + MINUTE)).toBe(expired.token);
    expect(await ledger.answerTo('request-a')).toBeUndefined();
    expect(await ledger.claim(answer('request-a'), Date.now() + MINUTE)).toBeUndefined();
  });

  it('keeps the two providers\' ids apart, even when they are the same string', async () => {
    const shared = id();
    const [v1, v2] = [answer(), answer()];
    expect(await ledgerFor(bindings, 'iamport', shared).claim(v1, Date.now() + MINUTE)).toBe(v1.token);
    expect(await ledgerFor(bindings, 'portone', shared).claim(v2, Date.now() + MINUTE)).toBe(v2.token);
  });

  it('forgets a token once it expires, and an id once its time has passed, and keeps the others', async () => {
    // Three ids in one bucket: one forgotten entirely, one whose token expired, one kept whole.
    const gone = id();
    const tokenExpired = idInBucketOf(gone);
    const kept = idInBucketOf(gone);
    await ledgerFor(bindings, 'iamport', gone).claim(answer('a', Date.now() - 1), Date.now() - 1);
    await ledgerFor(bindings, 'iamport', tokenExpired).claim(answer('b', Date.now() - 1), Date.now() + 10 * MINUTE);
    await ledgerFor(bindings, 'iamport', kept).claim(answer('c'), Date.now() + 10 * MINUTE);
    // The runtime may already have run the alarm by itself (it was due at once); either way,
    // once it has run, what has expired is gone and the rest is kept.
    await runDurableObjectAlarm(ledgerBucket(bindings, 'iamport', gone));
    expect(await ledgerFor(bindings, 'iamport', gone).isClaimed()).toBe(false);
    expect(await keptAnswers(gone)).toBe(0);
    expect(await ledgerFor(bindings, 'iamport', tokenExpired).isClaimed()).toBe(true);
    expect(await keptAnswers(tokenExpired)).toBe(0);
    expect(await ledgerFor(bindings, 'iamport', kept).isClaimed()).toBe(true);
    expect(await keptAnswers(kept)).toBe(1);
  });

  it('spreads ids over its buckets', () => {
    const buckets = new Set<string>();
    for (let i = 0; i < 2000; i++) buckets.add(ledgerBucket(bindings, 'iamport', id()).id.toString());
    expect(buckets.size).toBe(LEDGER_BUCKETS);
    expect(ledgerKey('portone', 'x')).toBe('portone:x');
  });
});
