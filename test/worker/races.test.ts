/**
 * Replay races: many concurrent exchanges of one verification, each a request to the Worker's
 * fetch handler (postDirect), with the real ledger Durable Objects. Rivals (the same id, each
 * with its own challenge): exactly one gets a token, every other gets already_used. The ids are
 * site-chosen merchant_uids, the only kind several challenges can be issued for (a minted one has
 * its own challenge alone: challenges.test.ts). The very
 * same request many times (a retrying client): every one gets the one and same token. Then many
 * ids raced at once, for V1 and V2.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { issueChallenge } from '../../worker/checks/challenge.ts';
import { PROBLEM_TYPE_BASE } from '../../worker/errors.ts';
import { ledgerFor } from '../../worker/ledger/ledger.ts';
import { captureLogs, expectNoLeaks, figures, pooledClientIp, postDirect, tally } from './hardening.ts';
import { bindings, SITE, siteChosenId, v2Body, verifiedBody, type Json } from './support.ts';

type Race = { provider: 'iamport' | 'portone'; id: string; body: Json };
/** Rivals: each request of a race with its own challenge. Identical: every request the same. */
type Kind = 'rivals' | 'identical';
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
    const body: Json = provider === 'iamport' ? await verifiedBody('adult', {}, SITE, siteChosenId()) : await v2Body('adult', {}, siteChosenId());
    races.push({ provider, id: String(provider === 'iamport' ? body.imp_uid : body.identity_verification_id), body });
  }
  return races;
}

/**
 * The `index`th request of a race. A rival carries a challenge of its own for the same
 * merchant_uid, issued `index` seconds before the race's own (so each is authentic, distinct,
 * and not newer than the certification).
 */
async function requestBody(race: Race, kind: Kind, index: number): Promise<Json> {
  if (kind === 'identical' || index === 0) return race.body;
  const merchantUid = String(race.provider === 'iamport' ? race.body.merchant_uid : race.body.identity_verification_id);
  const ownIssuedAt = parseInt(String(race.body.challenge).split('.')[1]!, 36);
  const issued = await issueChallenge(bindings.CHALLENGE_SECRET!, { provider: race.provider, merchantUid, origin: SITE }, ownIssuedAt - index, 600);
  return { ...race.body, challenge: issued.challenge };
}

/** Fire `concurrency` exchanges for every race, all at once; check and count what came back. */
async function raceAll(races: Race[], concurrency: number, kind: Kind) {
  const requests = await Promise.all(races.flatMap((race) =>
    Array.from({ length: concurrency }, async (_, index) => ({ race, body: await requestBody(race, kind, index) }))));
  const answers = await Promise.all(requests.map(async ({ race, body }) =>
    ({ race, ...(await postDirect('/v1/attestations', body, { clientIp: clientIp() })) })));
  said.push(...answers.map((answer) => answer.text));
  for (const race of races) {
    const mine = answers.filter((answer) => answer.race === race);
    const winners = mine.filter((answer) => answer.status === 201);
    const tokens = new Set(winners.map((answer) => answer.body.token as string));
    expect(tokens.size, `${race.provider} ${race.id}`).toBe(1);
    expect(winners, `${race.provider} ${race.id}`).toHaveLength(kind === 'identical' ? concurrency : 1);
    expect(decodeJwt([...tokens][0]!)).toMatchObject(race.provider === 'iamport' ? { imp_uid: race.id } : { identity_verification_id: race.id });
    for (const loser of mine.filter((answer) => answer.status !== 201)) {
      expect(loser.status).toBe(409);
      expect(loser.body).toMatchObject({ type: `${PROBLEM_TYPE_BASE}already_used`, code: 'already_used' });
      expect(loser.body).not.toHaveProperty('token');
    }
    expect(await ledgerFor(bindings, race.provider, race.id).isClaimed()).toBe(true);
  }
  const tokens = new Set(answers.filter((answer) => answer.status === 201).map((answer) => answer.body.token)).size;
  const statuses = tally(answers.map((answer) => answer.status));
  const ids = Object.entries(tally(races.map((race) => race.provider))).map(([provider, count]) => `${count} ${provider}`).join(' + ');
  figures(`races (${kind}): ${ids} id(s) x ${concurrency} concurrent = ${answers.length} exchanges -> ${tokens} distinct token(s), statuses ${JSON.stringify(statuses)}`);
  return { tokens, statuses };
}

describe('concurrent exchanges of one verification by rivals (each with its own challenge)', () => {
  it('give exactly one token for 100 concurrent exchanges of one imp_uid, and 99 already_used', async () => {
    const { tokens, statuses } = await raceAll(await prepare('iamport', 1), 100, 'rivals');
    expect(tokens).toBe(1);
    expect(statuses).toEqual({ 201: 1, 409: 99 });
  }, 60_000);

  it('give exactly one token per imp_uid for 10 imp_uids raced 50 times each, all at once', async () => {
    const { tokens, statuses } = await raceAll(await prepare('iamport', 10), 50, 'rivals');
    expect(tokens).toBe(10);
    expect(statuses).toEqual({ 201: 10, 409: 490 });
  }, 60_000);

  it('give exactly one token for 100 concurrent exchanges of one V2 identity verification', async () => {
    const { tokens, statuses } = await raceAll(await prepare('portone', 1), 100, 'rivals');
    expect(tokens).toBe(1);
    expect(statuses).toEqual({ 201: 1, 409: 99 });
  }, 60_000);

  it('give exactly one token per id when V1 and V2 verifications are raced together', async () => {
    const races = [...await prepare('iamport', 5), ...await prepare('portone', 5)];
    const { tokens, statuses } = await raceAll(races, 40, 'rivals');
    expect(tokens).toBe(10);
    expect(statuses).toEqual({ 201: 10, 409: 390 });
  }, 60_000);
});

describe('the very same exchange sent many times at once (a client retrying)', () => {
  it('gives all 100 concurrent identical exchanges of one imp_uid the one and same token', async () => {
    const { tokens, statuses } = await raceAll(await prepare('iamport', 1), 100, 'identical');
    expect(tokens).toBe(1);
    expect(statuses).toEqual({ 201: 100 });
  }, 60_000);

  it('gives one token per id, to every copy, for 5 V1 and 5 V2 ids sent 40 times each', async () => {
    const races = [...await prepare('iamport', 5), ...await prepare('portone', 5)];
    const { tokens, statuses } = await raceAll(races, 40, 'identical');
    expect(tokens).toBe(10);
    expect(statuses).toEqual({ 201: 400 });
  }, 60_000);
});
