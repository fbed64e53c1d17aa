/**
 * What an upstream record must say before the verifier signs it, beyond "certified": which
 * API made it, which kind of channel, which site's page it ran on, and a believable time.
 * V1 cases use the sandbox; the production cases use a networked stand-in behind `fetch`,
 * since production refuses the sandbox.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EnvVars } from '../../worker/settings.ts';
import { FakePortOne } from './fake-upstream.ts';
import { attest, bindings, certify, challenge, fetchWith, randomClientIp, SITE, VERIFIER, type Json } from './support.ts';

const portone = new FakePortOne('https://portone.test', 'live_v2_secret');
const V2_UPSTREAM: EnvVars = { PORTONE_API_BASE: portone.base, PORTONE_API_SECRET: portone.secret };
const strongSecret = 'x'.repeat(40);
const PRODUCTION: EnvVars = {
  ...V2_UPSTREAM,
  ENVIRONMENT: 'production', SANDBOX: 'false', ISSUER: VERIFIER, ALLOWED_ORIGINS: SITE,
  SUBJECT_SECRET: strongSecret, CHALLENGE_SECRET: strongSecret, IAMPORT_API_KEY: 'key', IAMPORT_API_SECRET: 'secret',
  SIGNING_KEYS: bindings.PRODUCTION_KEYS,
};
const LIVE_CHANNEL = { type: 'LIVE', id: 'channel-id-live', key: 'channel-key-live', name: '다날', pgProvider: 'DANAL', pgMerchantId: 'A010002002' };
const TEST_CHANNEL = { ...LIVE_CHANNEL, type: 'TEST', id: 'channel-id-test', key: 'channel-key-test' };

beforeEach(() => {
  vi.spyOn(globalThis, 'fetch').mockImplementation(portone.fetch);
});
afterEach(() => vi.restoreAllMocks());

async function post(settings: EnvVars, path: string, body: Json) {
  const response = await fetchWith(settings, new Request(VERIFIER + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: SITE, 'cf-connecting-ip': randomClientIp() },
    body: JSON.stringify(body),
  }));
  return { status: response.status, body: (await response.json()) as Json };
}

/** A challenge from the deployment, a V2 record at the stand-in for its id (with `record` merged in), and the exchange. */
async function exchangeV2(settings: EnvVars, record: Json) {
  const issued = (await post(settings, '/v1/challenges', { provider: 'portone' })).body;
  portone.addVerification(issued.merchant_uid, record);
  return post(settings, '/v1/attestations', { provider: 'portone', identity_verification_id: issued.merchant_uid, challenge: issued.challenge });
}

describe('PortOne V2 test channels', () => {
  it('refuses, in production, a verification made on a TEST channel with test_channel', async () => {
    const { status, body } = await exchangeV2(PRODUCTION, { channel: TEST_CHANNEL });
    expect(status).toBe(422);
    expect(body.code).toBe('test_channel');
    expect(body).not.toHaveProperty('token');
  });

  it('signs, in production, the same verification made on a LIVE channel', async () => {
    expect((await exchangeV2(PRODUCTION, { channel: LIVE_CHANNEL })).status).toBe(201);
  });

  it('refuses, with test_channel, a V2 record that does not say which channel it ran on: only a LIVE channel signs in production', async () => {
    const { status, body } = await exchangeV2(PRODUCTION, { channel: undefined });
    expect(status).toBe(422);
    expect(body.code).toBe('test_channel');
    expect(body).not.toHaveProperty('token');
  });

  it('refuses a TEST channel under a key real backends trust, even with ENVIRONMENT=development', async () => {
    const { status, body } = await exchangeV2({ ...PRODUCTION, ENVIRONMENT: 'development' }, { channel: TEST_CHANNEL });
    expect(status).toBe(422);
    expect(body.code).toBe('test_channel');
  });

  it('accepts TEST channels in development, where the sandbox\'s own records carry one', async () => {
    expect((await exchangeV2(V2_UPSTREAM, { channel: TEST_CHANNEL })).status).toBe(201);
  });
});

describe('one verification, one provider', () => {
  it('refuses a V1 certification read back through the V2 API (version V1) with provider_mismatch', async () => {
    const { status, body } = await exchangeV2(V2_UPSTREAM, { version: 'V1', channel: LIVE_CHANNEL });
    expect(status).toBe(422);
    expect(body.code).toBe('provider_mismatch');
  });

  it('refuses a V2 record that does not say which API made it', async () => {
    expect((await exchangeV2(V2_UPSTREAM, { version: undefined })).body.code).toBe('provider_mismatch');
  });
});

describe('the page a V1 certification ran on', () => {
  async function exchangeV1(origin: string | undefined) {
    const issued = await challenge();
    const callback = await certify('adult', issued.merchant_uid, { origin });
    return attest({ imp_uid: callback.imp_uid, merchant_uid: issued.merchant_uid, challenge: issued.challenge });
  }

  it('refuses a certification that ran on another site\'s page with origin_mismatch', async () => {
    const { status, body } = await exchangeV1('https://elsewhere.example/verify?order=1');
    expect(status).toBe(422);
    expect(body.code).toBe('origin_mismatch');
  });

  it('refuses an origin that is not a web page\'s URL', async () => {
    expect((await exchangeV1('not a url')).body.code).toBe('origin_mismatch');
  });

  it('signs a certification that ran on any page of the requesting site', async () => {
    expect((await exchangeV1(`${SITE.toUpperCase()}:443/signup/step-2?x=1#top`)).status).toBe(201);
  });

  it('signs a certification whose record has no origin', async () => {
    expect((await exchangeV1('')).status).toBe(201);
  });
});

describe('an upstream clock ahead of ours', () => {
  async function exchangeStampedAhead(seconds: number) {
    const issued = await challenge();
    const callback = await certify('adult', issued.merchant_uid, { origin: SITE, certified_at: Math.floor(Date.now() / 1000) + seconds });
    return attest({ imp_uid: callback.imp_uid, merchant_uid: issued.merchant_uid, challenge: issued.challenge });
  }

  it('signs a certification stamped 30 seconds in our future', async () => {
    expect((await exchangeStampedAhead(30)).status).toBe(201);
  });

  it('refuses one stamped further ahead than clock skew explains as certification_stale, not as an outage', async () => {
    const { status, body } = await exchangeStampedAhead(300);
    expect(status).toBe(422);
    expect(body.code).toBe('certification_stale');
  });
});
