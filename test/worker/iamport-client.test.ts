import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { forgetIamportTokens, IamportClient, TOKEN_REFRESH_MARGIN_SECONDS } from '../../worker/upstream/iamport.ts';
import { FakeIamport, envelope } from './fake-upstream.ts';

const TIMEOUT_MS = 1000;

function clientFor(fake: FakeIamport, timeoutMs = TIMEOUT_MS) {
  return new IamportClient({ base: fake.base, key: fake.key, secret: fake.secret }, (request) => fake.fetch(request), timeoutMs);
}

beforeEach(() => forgetIamportTokens());
afterEach(() => vi.useRealTimers());

describe('the access token cache', () => {
  it('asks for one token for many look-ups, so a warm verifier makes one upstream call per verification', async () => {
    const fake = new FakeIamport();
    for (let i = 0; i < 10; i++) fake.addCertification(`imp_10000000000${i}`, `m${i}`);
    const client = clientFor(fake);
    for (let i = 0; i < 10; i++) await client.getCertification(`imp_10000000000${i}`);
    expect(fake.calls).toEqual({ getToken: 1, getCertification: 10, deleteCertification: 0 });
  });

  it('shares one getToken between concurrent cold requests', async () => {
    const fake = new FakeIamport();
    fake.addCertification('imp_100000000001', 'm');
    const client = clientFor(fake);
    await Promise.all(Array.from({ length: 8 }, () => client.getCertification('imp_100000000001')));
    expect(fake.calls.getToken).toBe(1);
  });

  it('keeps the token for expired_at - now less the margin, then asks for a new one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2026-11-22T00:00:00Z'));
    const fake = new FakeIamport();
    fake.addCertification('imp_100000000001', 'm');
    const client = clientFor(fake);
    await client.getCertification('imp_100000000001');
    vi.setSystemTime(Date.now() + (1800 - TOKEN_REFRESH_MARGIN_SECONDS - 1) * 1000);
    await client.getCertification('imp_100000000001');
    expect(fake.calls.getToken).toBe(1);
    vi.setSystemTime(Date.now() + 2000);
    await client.getCertification('imp_100000000001');
    expect(fake.calls.getToken).toBe(2);
  });

  it('measures the token\'s life on the upstream\'s clock, not ours', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2026-11-22T00:00:00Z'));
    const fake = new FakeIamport();
    fake.addCertification('imp_100000000001', 'm');
    // The upstream's clock is an hour behind ours: expired_at looks past to us, but 30 minutes remain.
    fake.script.push(() => envelope(200, 0, { access_token: 'skewed', expired_at: 1795305600 - 3600 + 1800, now: 1795305600 - 3600 }));
    await fake.acceptToken('skewed', Number.MAX_SAFE_INTEGER);
    const client = clientFor(fake);
    await client.getCertification('imp_100000000001');
    await client.getCertification('imp_100000000001');
    expect(fake.calls.getToken).toBe(1);
  });

  it('drops a token the upstream refuses, fetches a new one and retries once', async () => {
    const fake = new FakeIamport();
    fake.addCertification('imp_100000000001', 'm');
    const client = clientFor(fake);
    await client.getCertification('imp_100000000001');
    fake.unauthorizedAnswers = 1;
    const record = await client.getCertification('imp_100000000001');
    expect(record.certified).toBe(true);
    expect(fake.calls).toMatchObject({ getToken: 2, getCertification: 3 });
  });

  it('gives up with upstream_auth_failed when even a fresh token is refused', async () => {
    const fake = new FakeIamport();
    fake.addCertification('imp_100000000001', 'm');
    fake.unauthorizedAnswers = 2;
    await expect(clientFor(fake).getCertification('imp_100000000001')).rejects.toMatchObject({ code: 'upstream_auth_failed' });
    expect(fake.calls).toMatchObject({ getToken: 2, getCertification: 2 });
  });

  it('answers upstream_auth_failed when the key or secret is wrong', async () => {
    const fake = new FakeIamport();
    const client = new IamportClient({ base: fake.base, key: fake.key, secret: 'wrong' }, (r) => fake.fetch(r), TIMEOUT_MS);
    await expect(client.getCertification('imp_100000000001')).rejects.toMatchObject({ code: 'upstream_auth_failed' });
  });
});

describe('reading certifications', () => {
  it('maps a certification to the shared record without its personal fields', async () => {
    const fake = new FakeIamport();
    fake.addCertification('imp_100000000001', 'order-1', { foreigner_v2: true, birthday: '2001-02-03' });
    const record = await clientFor(fake).getCertification('imp_100000000001');
    expect(record).toEqual({
      provider: 'iamport', id: 'imp_100000000001', merchantUid: 'order-1', certified: true,
      verifiedAt: expect.any(Number), birthDate: { year: 2001, month: 2, day: 3 }, ci: 'fake-ci-imp_100000000001', foreigner: true,
      version: 'V1', liveChannel: undefined, pageUrl: undefined,
    });
  });

  it('keeps the URL of the page the certification ran on, for the origin check', async () => {
    const fake = new FakeIamport();
    fake.addCertification('imp_100000000001', 'm', { origin: 'https://shop.example/signup' });
    expect((await clientFor(fake).getCertification('imp_100000000001')).pageUrl).toBe('https://shop.example/signup');
  });

  it('falls back to the legacy `birth` when there is no `birthday`', async () => {
    const fake = new FakeIamport();
    fake.addCertification('imp_100000000001', 'm', { birthday: undefined, birth: Date.parse('2001-02-03T00:00:00+09:00') / 1000 });
    expect((await clientFor(fake).getCertification('imp_100000000001')).birthDate).toEqual({ year: 2001, month: 2, day: 3 });
  });

  it('treats an empty birthday as malformed, never falling back to the legacy `birth`', async () => {
    const fake = new FakeIamport();
    fake.addCertification('imp_100000000001', 'm', { birthday: '', birth: 0 });
    await expect(clientFor(fake).getCertification('imp_100000000001')).rejects.toMatchObject({ code: 'upstream_unavailable' });
  });

  it('reads a legacy `birth` of 0 as no birth date, not as 1 January 1970', async () => {
    const fake = new FakeIamport();
    fake.addCertification('imp_100000000001', 'm', { birthday: undefined, birth: 0 });
    expect((await clientFor(fake).getCertification('imp_100000000001')).birthDate).toBeUndefined();
  });

  it('answers certification_not_found on the upstream\'s 404', async () => {
    await expect(clientFor(new FakeIamport()).getCertification('imp_100000000009')).rejects.toMatchObject({ code: 'certification_not_found' });
  });

  it.each([
    ['a 500', () => new Response('oops', { status: 500 })],
    ['a 502 with an HTML body', () => new Response('<html>Bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } })],
    ['a 200 with malformed JSON', () => new Response('{"code":0,"response":{', { status: 200 })],
    ['a 200 with code -1', () => envelope(200, -1, null, '실패')],
    ['a 200 whose certified is a string', () => envelope(200, 0, { imp_uid: 'imp_100000000001', certified: 'true' })],
    ['a 200 for another imp_uid', () => envelope(200, 0, { imp_uid: 'imp_100000000002', certified: true })],
    ['a 200 whose birthday is not a date', () => envelope(200, 0, { imp_uid: 'imp_100000000001', certified: true, birthday: 'soon' })],
    ['a connection failure', () => { throw new TypeError('connection refused'); }],
  ])('answers upstream_unavailable for %s', async (_, fault) => {
    const fake = new FakeIamport();
    fake.addCertification('imp_100000000001', 'm');
    const client = clientFor(fake);
    await client.getCertification('imp_100000000001'); // warm: the token is cached
    fake.script.push(fault);
    await expect(client.getCertification('imp_100000000001')).rejects.toMatchObject({ code: 'upstream_unavailable' });
    // …and the next good request succeeds.
    expect((await client.getCertification('imp_100000000001')).certified).toBe(true);
  });

  it('answers upstream_unavailable when the upstream does not answer in time', async () => {
    const fake = new FakeIamport();
    fake.addCertification('imp_100000000001', 'm');
    const client = clientFor(fake, 100);
    await client.getCertification('imp_100000000001');
    fake.script.push(() => new Promise<Response>(() => {}));
    await expect(client.getCertification('imp_100000000001')).rejects.toMatchObject({ code: 'upstream_unavailable', detail: expect.stringMatching(/100 ms/) });
  });
});
