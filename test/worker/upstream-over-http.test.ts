// The verifier against an upstream it reaches over the network (IAMPORT_API_BASE), here a
// scripted stand-in behind `fetch`: the Worker's HTTP face, the real client, the real ledger.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { forgetIamportTokens } from '../../worker/upstream/iamport.ts';
import type { EnvVars } from '../../worker/settings.ts';
import { FakeIamport } from './fake-upstream.ts';
import { fetchWith, randomClientIp, SITE, VERIFIER } from './support.ts';

let upstream: FakeIamport;
let overrides: EnvVars;

beforeEach(() => {
  forgetIamportTokens();
  upstream = new FakeIamport('https://upstream.test', 'live_key', 'live_secret');
  overrides = { IAMPORT_API_BASE: upstream.base, IAMPORT_API_KEY: 'live_key', IAMPORT_API_SECRET: 'live_secret' };
  vi.spyOn(globalThis, 'fetch').mockImplementation(upstream.fetch);
});
afterEach(() => vi.restoreAllMocks());

async function call(path: string, body: unknown, extra: EnvVars = {}) {
  const response = await fetchWith({ ...overrides, ...extra }, new Request(VERIFIER + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: SITE, 'cf-connecting-ip': randomClientIp() },
    body: JSON.stringify(body),
  }));
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function verification(n: number, extra: EnvVars = {}) {
  const { body: issued } = await call('/v1/challenges', {}, extra);
  // The ledger lives for the whole run: every verification needs an imp_uid of its own.
  const impUid = `imp_5${String(n).padStart(2, '0')}${String(crypto.getRandomValues(new Uint32Array(1))[0]).padStart(10, '0').slice(0, 9)}`;
  upstream.addCertification(impUid, issued.merchant_uid);
  return { imp_uid: impUid, merchant_uid: issued.merchant_uid, challenge: issued.challenge };
}

describe('the verifier against a networked upstream', () => {
  it('makes one upstream call per verification once warm', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await call('/v1/attestations', await verification(i))).status).toBe(201);
    }
    expect(upstream.calls).toEqual({ getToken: 1, getCertification: 5, deleteCertification: 0 });
  });

  it('recovers from a revoked token by renewing it once, and issues the attestation', async () => {
    expect((await call('/v1/attestations', await verification(1))).status).toBe(201);
    upstream.unauthorizedAnswers = 1;
    expect((await call('/v1/attestations', await verification(2))).status).toBe(201);
    expect(upstream.calls.getToken).toBe(2);
  });

  it('answers upstream_auth_failed (502) when the upstream refuses the API secret', async () => {
    const { status, body } = await call('/v1/attestations', await verification(1), { IAMPORT_API_SECRET: 'rotated_away' });
    expect(status).toBe(502);
    expect(body.code).toBe('upstream_auth_failed');
    expect(JSON.stringify(body)).not.toContain('rotated_away');
  });

  it('answers upstream_unavailable (503) when the upstream cannot be reached, then serves the next request', async () => {
    const body = await verification(1);
    upstream.script.push(() => { throw new TypeError('connection refused'); });
    const refused = await call('/v1/attestations', body);
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('upstream_unavailable');
    expect((await call('/v1/attestations', body)).status).toBe(201);
  });

  it('answers upstream_unavailable when the upstream is slower than UPSTREAM_TIMEOUT_MS', async () => {
    const body = await verification(1, { UPSTREAM_TIMEOUT_MS: '150' });
    upstream.script.push(() => new Promise<Response>((resolve) => setTimeout(() => resolve(new Response('late')), 400)));
    const { body: problem } = await call('/v1/attestations', body, { UPSTREAM_TIMEOUT_MS: '150' });
    expect(problem.code).toBe('upstream_unavailable');
  });

  it('deletes the certification at the upstream after signing when PURGE_AFTER_ATTEST is on', async () => {
    const body = await verification(1, { PURGE_AFTER_ATTEST: 'true' });
    const logs = vi.spyOn(console, 'log');
    expect((await call('/v1/attestations', body, { PURGE_AFTER_ATTEST: 'true' })).status).toBe(201);
    expect(upstream.calls.deleteCertification).toBe(1);
    expect(await upstream.holds(body.imp_uid)).toBe(false);
    expect(logs.mock.calls.flat().join('\n')).toMatch(/"event":"purge".*"outcome":"ok"/);
  });

  it('keeps the signed attestation when the purge fails, and reports the failure in the log', async () => {
    const body = await verification(1, { PURGE_AFTER_ATTEST: 'true' });
    const logs = vi.spyOn(console, 'log');
    // The look-up succeeds; the DELETE that follows answers 500.
    const realFetch = upstream.fetch;
    vi.mocked(globalThis.fetch).mockImplementation(async (input, init) => {
      const request = new Request(input as RequestInfo, init);
      if (request.method === 'DELETE') return new Response('DB error', { status: 500 });
      return realFetch(request);
    });
    const { status, body: attestation } = await call('/v1/attestations', body, { PURGE_AFTER_ATTEST: 'true' });
    expect(status).toBe(201);
    expect(attestation.token).toBeTypeOf('string');
    expect(logs.mock.calls.flat().join('\n')).toMatch(/"event":"purge".*"outcome":"purge_failed","code":"upstream_unavailable"/);
  });

  it('never sends the API secret anywhere but the token endpoint', async () => {
    await call('/v1/attestations', await verification(1));
    const sent = vi.mocked(globalThis.fetch).mock.calls.map(([input]) => input as Request);
    expect(sent.filter((request) => request.url.endsWith('/users/getToken'))).toHaveLength(1);
    for (const request of sent.filter((r) => !r.url.endsWith('/users/getToken'))) {
      expect([...request.headers].join(' ')).not.toContain('live_secret');
    }
  });
});
