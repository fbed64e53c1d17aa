import { SELF } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TEST_PERSONS } from '../../worker/sandbox/persons.ts';
import { attest, personalData, post, SITE, v2Body, VERIFIER, verifiedBody } from './support.ts';

afterEach(() => vi.restoreAllMocks());

describe('personal data', () => {
  it('never appears in a response or a log line, whatever the outcome', async () => {
    const logs = vi.spyOn(console, 'log');
    const errors = vi.spyOn(console, 'error');
    const answers: string[] = [];
    for (const person of TEST_PERSONS) {
      for (const [provider, minAge] of [['iamport', undefined], ['iamport', 19], ['portone', 19]] as const) {
        const extra = minAge ? { min_age: minAge } : {};
        const body = provider === 'iamport' ? await verifiedBody(person.id, extra) : await v2Body(person.id, extra);
        const first = await attest(body);
        const replay = await attest(body);
        answers.push(JSON.stringify(first.body), JSON.stringify(replay.body));
        if (first.body.token) {
          answers.push(atob(first.body.token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
          answers.push(JSON.stringify((await post('/v1/introspect', { token: first.body.token, audience: SITE }, { origin: null })).body));
        }
      }
    }
    const written = [...logs.mock.calls, ...errors.mock.calls].flat().map(String);
    expect(written.length).toBeGreaterThan(TEST_PERSONS.length * 4);
    for (const secretValue of personalData()) {
      for (const text of [...answers, ...written]) expect(text).not.toContain(secretValue);
    }
  });

  it('is not in the claims: no name, phone, birthday, gender, CI or DI', async () => {
    const { body } = await attest(await verifiedBody('adult', { min_age: 19 }));
    for (const claim of ['name', 'phone', 'birthday', 'birth', 'gender', 'ci', 'di', 'unique_key', 'unique_in_site', 'carrier']) {
      expect(body.claims).not.toHaveProperty(claim);
    }
  });

  it('writes one structured line per request with its id, route, outcome and duration', async () => {
    const logs = vi.spyOn(console, 'log');
    const response = await SELF.fetch(`${VERIFIER}/healthz`);
    const lines = logs.mock.calls.map(([line]) => JSON.parse(String(line)));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual({
      event: 'request', request_id: response.headers.get('x-request-id'), method: 'GET', route: '/healthz',
      status: 200, code: 'ok', duration_ms: expect.any(Number),
    });
  });
});
