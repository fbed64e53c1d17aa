// The one upstream stand-in (worker/sandbox/standin), on its own: the rules shared/reference
// gives the real APIs, on a clock the test moves. The sandbox, the fakes and the bench serve it.
import { describe, expect, it } from 'vitest';
import { UpstreamStandIn } from '../../worker/sandbox/standin/stand-in.ts';
import { memoryState } from '../../worker/sandbox/standin/state.ts';
import { COMMAND_PHONES, OTP_LIFETIME_SECONDS, SANDBOX_OTP } from '../../worker/sandbox/standin/portone-v2-api-flow.ts';

const CREDENTIALS = { iamport: { key: 'key', secret: 'secret' }, portone: { secret: 'v2-secret' } };
const START_MS = Date.parse('2026-12-01T00:00:00Z');

function standInAt(clock: { ms: number }) {
  return new UpstreamStandIn({ state: memoryState(), credentials: CREDENTIALS, now: () => clock.ms });
}

async function getToken(standIn: UpstreamStandIn, body: BodyInit = JSON.stringify({ imp_key: 'key', imp_secret: 'secret' }), type = 'application/json') {
  const response = await standIn.iamport(new Request('https://api.test/users/getToken', { method: 'POST', headers: { 'content-type': type }, body }), '/users/getToken');
  return { status: response.status, body: (await response.json()) as { code: number; response: { access_token: string; expired_at: number; now: number } | null } };
}

async function lookUp(standIn: UpstreamStandIn, impUid: string, authorization: string) {
  const response = await standIn.iamport(new Request(`https://api.test/certifications/${impUid}`, { headers: { authorization } }), `/certifications/${impUid}`);
  return { status: response.status, body: (await response.json()) as { code: number; message: string | null; response: Record<string, unknown> | null } };
}

describe('the stand-in\'s V1 access token', () => {
  it('lives 30 minutes, with expired_at and now on the stand-in\'s clock', async () => {
    const { status, body } = await getToken(standInAt({ ms: START_MS }));
    expect(status).toBe(200);
    expect(body.code).toBe(0);
    expect(body.response!.now).toBe(START_MS / 1000);
    expect(body.response!.expired_at - body.response!.now).toBe(30 * 60);
  });

  it('is the same token when asked again, extended by 5 minutes only when asked in its last minute', async () => {
    const clock = { ms: START_MS };
    const standIn = standInAt(clock);
    const first = (await getToken(standIn)).body.response!;
    clock.ms += 10 * 60_000;
    const again = (await getToken(standIn)).body.response!;
    expect(again.access_token).toBe(first.access_token);
    expect(again.expired_at).toBe(first.expired_at);
    clock.ms = (first.expired_at - 30) * 1000;
    const extended = (await getToken(standIn)).body.response!;
    expect(extended.access_token).toBe(first.access_token);
    expect(extended.expired_at).toBe(first.expired_at + 5 * 60);
  });

  it('is refused once expired (401), and a new token is issued after that', async () => {
    const clock = { ms: START_MS };
    const standIn = standInAt(clock);
    await standIn.certify('adult', 'order-1');
    const first = (await getToken(standIn)).body.response!;
    clock.ms = first.expired_at * 1000;
    expect((await lookUp(standIn, 'imp_000000000000', `Bearer ${first.access_token}`)).status).toBe(401);
    const next = (await getToken(standIn)).body.response!;
    expect(next.access_token).not.toBe(first.access_token);
  });

  it('is issued for a form body as for JSON, and refused (401, code -1) for a wrong secret', async () => {
    const standIn = standInAt({ ms: START_MS });
    expect((await getToken(standIn, 'imp_key=key&imp_secret=secret', 'application/x-www-form-urlencoded')).status).toBe(200);
    const refused = await getToken(standIn, JSON.stringify({ imp_key: 'key', imp_secret: 'wrong' }));
    expect(refused).toMatchObject({ status: 401, body: { code: -1, response: null } });
  });
});

describe('the stand-in\'s V1 certifications', () => {
  it('answers a test person\'s certification with the bearer token or the bare one, and the 404 envelope for an unknown id', async () => {
    const standIn = standInAt({ ms: START_MS });
    const { imp_uid: impUid } = await standIn.certify('adult', 'order-1', { origin: 'https://shop.example/signup' });
    const token = (await getToken(standIn)).body.response!.access_token;
    const bearer = await lookUp(standIn, impUid, `Bearer ${token}`);
    expect(bearer.body.response).toMatchObject({ imp_uid: impUid, merchant_uid: 'order-1', certified: true, certified_at: START_MS / 1000, origin: 'https://shop.example/signup' });
    expect((await lookUp(standIn, impUid, token)).status).toBe(200);
    expect(await lookUp(standIn, 'imp_999999999999', token)).toEqual({ status: 404, body: { code: -1, message: '인증결과가 존재하지 않습니다.', response: null } });
  });

  it('counts every call, the 401s among them, and lets an injected fault answer instead', async () => {
    const faults: Array<() => Response> = [];
    const standIn = new UpstreamStandIn({ state: memoryState(), credentials: CREDENTIALS, inject: () => faults.shift()?.() });
    await getToken(standIn);
    await lookUp(standIn, 'imp_000000000001', 'Bearer nothing');
    faults.push(() => Response.json({ code: -1, message: 'down', response: null }, { status: 503 }));
    expect((await lookUp(standIn, 'imp_000000000001', 'Bearer nothing')).status).toBe(503);
    expect(standIn.calls).toEqual({
      getToken: 1, getCertification: 2, deleteCertification: 0, getIdentityVerification: 0,
      sendIdentityVerification: 0, resendIdentityVerification: 0, confirmIdentityVerification: 0, unauthorized: 1,
    });
  });
});

describe('the stand-in\'s PortOne V2 identity verifications', () => {
  async function get(standIn: UpstreamStandIn, id: string, secret = 'v2-secret') {
    const response = await standIn.portone(new Request(`https://api.test/identity-verifications/${id}`, { headers: { authorization: `PortOne ${secret}` } }), `/identity-verifications/${id}`);
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  it('answers a test person\'s verification as VERIFIED on a TEST channel, as PortOne does for test channels', async () => {
    const standIn = standInAt({ ms: START_MS });
    await standIn.verifyIdentity('adult', 'iv_1');
    const { status, body } = await get(standIn, 'iv_1');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'VERIFIED', id: 'iv_1', version: 'V2', verifiedAt: new Date(START_MS).toISOString() });
    expect(body.channel).toMatchObject({ type: 'TEST', pgProvider: 'DANAL' });
  });

  it('answers { type, message } errors: 401 for a wrong secret, 404 for an unknown id', async () => {
    const standIn = standInAt({ ms: START_MS });
    expect(await get(standIn, 'iv_1', 'wrong')).toMatchObject({ status: 401, body: { type: 'UNAUTHORIZED' } });
    expect(await get(standIn, 'iv_unknown')).toMatchObject({ status: 404, body: { type: 'IDENTITY_VERIFICATION_NOT_FOUND' } });
  });
});

describe('the stand-in\'s PortOne V2 API flow (send, resend, confirm)', () => {
  async function call(standIn: UpstreamStandIn, step: string, id: string, body?: unknown, secret = 'v2-secret') {
    const path = `/identity-verifications/${id}/${step}`;
    const response = await standIn.portone(new Request(`https://api.test${path}`, {
      method: 'POST', headers: { authorization: `PortOne ${secret}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    }), path);
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }
  const send = (phoneNumber: string, extra: Record<string, unknown> = {}) => ({
    channelKey: 'channel-key-sandbox', operator: 'SKT', method: 'SMS',
    customer: { name: '김테스트', phoneNumber, identityNumber: '9001011', ipAddress: '203.0.113.9' }, ...extra,
  });

  it('sends a code, answers {} and leaves a READY record; confirm with the sandbox code answers the VERIFIED record GET returns', async () => {
    const clock = { ms: START_MS };
    const standIn = standInAt(clock);
    expect(await call(standIn, 'send', 'iv-1', send('01000000001'))).toEqual({ status: 200, body: {} });
    expect((await standIn.identityVerification('iv-1'))!.status).toBe('READY');
    clock.ms += 60_000;
    const confirmed = await call(standIn, 'confirm', 'iv-1', { otp: SANDBOX_OTP });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.identityVerification).toEqual(await standIn.identityVerification('iv-1'));
    expect(confirmed.body.identityVerification).toMatchObject({ status: 'VERIFIED', verifiedAt: new Date(START_MS + 60_000).toISOString(), verifiedCustomer: { name: '김테스트' } });
    expect(standIn.calls).toMatchObject({ sendIdentityVerification: 1, confirmIdentityVerification: 1 });
  });

  it('answers each error type with PortOne\'s status', async () => {
    const clock = { ms: START_MS };
    const standIn = standInAt(clock);
    expect((await call(standIn, 'send', 'iv-2', send('01000000001'), 'wrong')).body.type).toBe('UNAUTHORIZED');
    const invalid = await call(standIn, 'send', 'iv-2', send('01000000001', { customer: { name: 'x', phoneNumber: '01000000001', ipAddress: '203.0.113.9' } }));
    expect([invalid.status, invalid.body.type]).toEqual([400, 'INVALID_REQUEST']);
    for (const [phone, { status, type }] of Object.entries(COMMAND_PHONES)) {
      expect(Object.values(await call(standIn, 'send', 'iv-2', send(phone))).map((v) => (typeof v === 'object' ? v.type : v))).toEqual([status, type]);
    }
    const pg = await call(standIn, 'send', 'iv-2', send('01055550000'));
    expect([pg.status, pg.body.type, typeof pg.body.pgCode, typeof pg.body.pgMessage]).toEqual([502, 'PG_PROVIDER', 'string', 'string']);
    expect((await call(standIn, 'confirm', 'iv-none', { otp: SANDBOX_OTP })).body.type).toBe('IDENTITY_VERIFICATION_NOT_FOUND');
    await standIn.verifyIdentity('cancel', 'iv-window');
    expect(await call(standIn, 'resend', 'iv-window')).toMatchObject({ status: 404, body: { type: 'IDENTITY_VERIFICATION_NOT_SENT' } });
    await call(standIn, 'send', 'iv-3', send('01000000002'));
    expect(await call(standIn, 'send', 'iv-3', send('01000000002'))).toMatchObject({ status: 409, body: { type: 'IDENTITY_VERIFICATION_ALREADY_SENT' } });
    expect(await call(standIn, 'confirm', 'iv-3', { otp: '123456' })).toMatchObject({ status: 502, body: { type: 'PG_PROVIDER' } });
    clock.ms += (OTP_LIFETIME_SECONDS + 1) * 1000;
    expect(await call(standIn, 'confirm', 'iv-3', { otp: SANDBOX_OTP })).toMatchObject({ status: 502, body: { type: 'PG_PROVIDER', pgCode: 'SANDBOX_OTP_EXPIRED' } });
    expect((await call(standIn, 'resend', 'iv-3')).status).toBe(200);
    expect((await call(standIn, 'confirm', 'iv-3', { otp: SANDBOX_OTP })).status).toBe(200);
    expect(await call(standIn, 'confirm', 'iv-3', { otp: SANDBOX_OTP })).toMatchObject({ status: 409, body: { type: 'IDENTITY_VERIFICATION_ALREADY_VERIFIED' } });
    expect(await call(standIn, 'send', 'iv-3', send('01000000002'))).toMatchObject({ status: 409, body: { type: 'IDENTITY_VERIFICATION_ALREADY_VERIFIED' } });
  });

  it('verifies an APP push without a code once approved, and resends SMS codes only', async () => {
    const standIn = standInAt({ ms: START_MS });
    expect((await call(standIn, 'send', 'iv-app', send('01000000012', { method: 'APP', customer: { name: '조보호', phoneNumber: '01000000012', ipAddress: '203.0.113.9' } }))).status).toBe(200);
    expect((await call(standIn, 'confirm', 'iv-app', {})).body.type).toBe('PG_PROVIDER');
    expect((await call(standIn, 'resend', 'iv-app')).body.type).toBe('INVALID_REQUEST');
    const approved = await standIn.sandbox(new Request('https://api.test/admin/otp/approve', { method: 'POST', body: JSON.stringify({ identity_verification_id: 'iv-app' }) }), '/otp/approve');
    expect(approved.status).toBe(200);
    expect((await call(standIn, 'confirm', 'iv-app', {})).body.identityVerification.status).toBe('VERIFIED');
  });
});
