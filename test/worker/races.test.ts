/**
 * Replay races: many concurrent exchanges of one verification, each a request to the Worker's
 * fetch handler (postDirect), with the real ledger Durable Objects. Exactly one gets a token; every other
 * gets already_used; the ledger holds the id once. Then many ids raced at once, for V1 and V2.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROBLEM_TYPE_BASE } from '../../worker/errors.ts';
import { ledgerFor } from '../../worker/ledger/ledger.ts';
import { captureLogs, expectNoLeaks, figures, pooledClientIp, postDirect, tally } from './hardening.ts';
import { bindings, decodePart, v2Body, verifiedBody, type Json } from './support.ts';

type Race = { provider: 'iamport' | 'portone'; id: string; body: Json };
const clientIp = pooledClientIp('races', 500);

// Kept (not printed) so hundreds of concurrent requests do not queue on the test runner's console,
// and checked for leaks at the end with every answer.
let logs: string[] = [];
const said: string[] = [];
beforeAll(() => { logs = captureLogs(); });
afterAll(() => {
  expectNoLeaks([...said, ...logs]);
  vi.restoreAllMocks();
});

async function prepare(provider: Race['provider'], count: number): Promise<Race[]> {
  const races: Race[] = [];
  for (let i = 0; i < count; i++) {
    const body: Json = provider === 'iamport' ? await verifiedBody() : await v2Body();
    races.push({ provider, id: String(provider === 'iamport' ? body.imp_uid : body.identity_verification_id), body });
  }
  return races;
}

/** Fire `concurrency` exchanges of every race's body, all at once; check and count what came back. */
async function raceAll(races: Race[], concurrency: number) {
  const answers = await Promise.all(races.flatMap((race) =>
    Array.from({ length: concurrency }, async () => ({ race, ...(await postDirect('/v1/attestations', race.body, { clientIp: clientIp() })) }))));
  said.push(...answers.map((answer) => answer.text));
  for (const race of races) {
    const mine = answers.filter((answer) => answer.race === race);
    const winners = mine.filter((answer) => answer.status === 201);
    expect(winners, `${race.provider} ${race.id}`).toHaveLength(1);
    expect(decodePart(winners[0]!.body.token, 1)).toMatchObject(race.provider === 'iamport' ? { imp_uid: race.id } : { identity_verification_id: race.id });
    for (const loser of mine.filter((answer) => answer.status !== 201)) {
      expect(loser.status).toBe(409);
      expect(loser.body).toMatchObject({ type: `${PROBLEM_TYPE_BASE}already_used`, code: 'already_used' });
      expect(loser.body).not.toHaveProperty('token');
    }
    expect(await ledgerFor(bindings, race.provider, race.id).isClaimed()).toBe(true);
  }
  const tokens = answers.filter((answer) => answer.status === 201).length;
  const statuses = tally(answers.map((answer) => answer.status));
  const ids = Object.entries(tally(races.map((race) => race.provider))).map(([provider, count]) => `${count} ${provider}`).join(' + ');
  figures(`races: ${ids} id(s) x ${concurrency} concurrent = ${answers.length} exchanges -> ${tokens} token(s), statuses ${JSON.stringify(statuses)}`);
  return { tokens, statuses };
}

describe('concurrent exchanges of one verification', () => {
  it('give exactly one token for 100 concurrent exchanges of one imp_uid, and 99 already_used', async () => {
    const { tokens, statuses } = await raceAll(await prepare('iamport', 1), 100);
    expect(tokens).toBe(1);
    expect(statuses).toEqual({ 201: 1, 409: 99 });
  }, 60_000);

  it('give exactly one token per imp_uid for 10 imp_uids raced 50 times each, all at once', async () => {
    const { tokens, statuses } = await raceAll(await prepare('iamport', 10), 50);
    expect(tokens).toBe(10);
    expect(statuses).toEqual({ 201: 10, 409: 490 });
  }, 60_000);

  it('give exactly one token for 100 concurrent exchanges of one V2 identity verification', async () => {
    const { tokens, statuses } = await raceAll(await prepare('portone', 1), 100);
    expect(tokens).toBe(1);
    expect(statuses).toEqual({ 201: 1, 409: 99 });
  }, 60_000);

  it('give exactly one token per id when V1 and V2 verifications are raced together', async () => {
    const races = [...await prepare('iamport', 5), ...await prepare('portone', 5)];
    const { tokens, statuses } = await raceAll(races, 40);
    expect(tokens).toBe(10);
    expect(statuses).toEqual({ 201: 10, 409: 390 });
  }, 60_000);
});
