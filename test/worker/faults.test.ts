/**
 * Upstream faults through the Worker's HTTP face, for V1 and V2: each fault ends in its
 * defined code (or in success where the design says so), issues no token, claims nothing in
 * the ledger, and the very same verification then succeeds once the upstream behaves.
 *
 * The upstream is a scripted stand-in behind `fetch` (fake-upstream.ts), except for
 * "connection refused", which is real: a port on 127.0.0.1 where nothing listens. What the
 * client does with each fault on its own is in iamport-client.test.ts; the faults already
 * driven through the HTTP face are in upstream-over-http.test.ts and portone.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { PROBLEMS, type ProblemCode } from '../../worker/errors.ts';
import { ledgerFor } from '../../worker/ledger/ledger.ts';
import type { EnvVars } from '../../worker/settings.ts';
import { forgetIamportTokens } from '../../worker/upstream/iamport.ts';
import { MAX_CONFIRM_ATTEMPTS } from '../../worker/otp/guard.ts';
import { SANDBOX_OTP } from '../../worker/sandbox/standin/portone-v2-api-flow.ts';
import { findPerson } from '../../worker/sandbox/persons.ts';
import { envelope, FakeIamport, FakePortOne, type FakeCertification } from './fake-upstream.ts';
import { captureLogs, expectNoLeaks, figures, postDirect } from './hardening.ts';
import { bindings, randomClientIp, type Json } from './support.ts';

/** Short, so "just under" and "just over" take a fraction of a second. */
const TIMEOUT_MS = 400;
const JUST_UNDER_MS = TIMEOUT_MS * 0.6;
const JUST_OVER_MS = TIMEOUT_MS * 1.5;
/** Nothing listens on port 1: the connection is refused for real. */
const REFUSING_BASE = 'http://127.0.0.1:1';

const iamport = new FakeIamport('https://iamport.test', 'live_key', 'live_secret');
const portone = new FakePortOne('https://portone.test', 'live_v2_secret');
const SETTINGS: EnvVars = {
  IAMPORT_API_BASE: iamport.base, IAMPORT_API_KEY: iamport.key, IAMPORT_API_SECRET: iamport.secret,
  PORTONE_API_BASE: portone.base, PORTONE_API_SECRET: portone.secret, UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
};

const survived = { iamport: 0, portone: 0, purge: 0 };
const said: string[] = [];
let logs: string[] = [];

beforeAll(() => {
  const realFetch = globalThis.fetch;
  logs = captureLogs();
  vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.startsWith(iamport.base)) return iamport.fetch(input, init);
    if (url.startsWith(portone.base)) return portone.fetch(input, init);
    return realFetch(input, init);
  });
});
afterAll(() => {
  // Printed whatever the outcome: on a failure they say how far the run got.
  figures(`faults survived: ${survived.iamport + survived.portone + survived.purge} (V1 ${survived.iamport}, V2 ${survived.portone}, purge ${survived.purge})`);
  vi.restoreAllMocks();
});
/** The tests above that failed, for the last test's verdict. */
const failed: string[] = [];
beforeEach(({ task, onTestFailed }) => {
  onTestFailed(() => { failed.push(task.name); });
  iamport.script.length = 0;
  iamport.unauthorizedAnswers = 0;
  portone.script.length = 0;
});

async function exchange(body: Json, overrides: EnvVars = {}) {
  const answer = await postDirect('/v1/attestations', body, { overrides: { ...SETTINGS, ...overrides }, clientIp: randomClientIp() });
  said.push(answer.text);
  return answer;
}

async function challenge(provider: 'iamport' | 'portone' = 'iamport') {
  return (await postDirect('/v1/challenges', { provider }, { overrides: SETTINGS, clientIp: randomClientIp() })).body as { merchant_uid: string; challenge: string };
}

/** A certified adult at the V1 stand-in, and the body that exchanges it. */
async function v1Verification(overrides: FakeCertification = {}) {
  const issued = await challenge();
  const impUid = `imp_7${String(crypto.getRandomValues(new Uint32Array(2)).join('')).padEnd(11, '0').slice(0, 11)}`;
  const record = iamport.addCertification(impUid, issued.merchant_uid, overrides);
  return { body: { imp_uid: impUid, merchant_uid: issued.merchant_uid, challenge: issued.challenge }, record };
}

async function v2Verification() {
  const issued = await challenge('portone');
  const record = portone.addVerification(issued.merchant_uid);
  return { body: { provider: 'portone', identity_verification_id: issued.merchant_uid, challenge: issued.challenge }, record };
}

const delayed = (ms: number, answer: () => Response) => () => scheduler.wait(ms).then(answer);

/** Exchange another verification first, so the access token is cached and a scripted fault meets the look-up, not getToken. */
async function warmToken() {
  expect((await exchange((await v1Verification()).body)).status).toBe(201);
}

/** The fault's answer: its code, no token, nothing claimed. Then the same body, with the upstream well again, gets its token. */
async function expectSurvived(provider: 'iamport' | 'portone', body: Json, code: ProblemCode, overrides: EnvVars = {}) {
  const faulty = await exchange(body, overrides);
  expect(faulty.body).toMatchObject({ code, status: PROBLEMS[code].status });
  expect(faulty.status).toBe(PROBLEMS[code].status);
  expect(faulty.body).not.toHaveProperty('token');
  const id = String(provider === 'iamport' ? body.imp_uid : body.identity_verification_id);
  expect(await ledgerFor(bindings, provider, id).isClaimed()).toBe(false);
  const good = await exchange(body);
  expect(good.status).toBe(201);
  survived[provider]++;
}

describe('V1 (Iamport) faults through the HTTP face', () => {
  const getTokenFaults: Array<[string, () => Response | Promise<Response>]> = [
    ['answers HTTP 500', () => new Response('Internal Server Error', { status: 500 })],
    ['answers an HTML 502 page', () => new Response('<html><body>502 Bad Gateway</body></html>', { status: 502, headers: { 'content-type': 'text/html' } })],
    ['answers 200 with code -1', () => envelope(200, -1, null, '일시적인 오류')],
    ['answers 200 with a token of the wrong type', () => envelope(200, 0, { access_token: 42, expired_at: '2030-01-01', now: 'now' })],
    ['answers 200 with malformed JSON', () => new Response('{"code":0,"response":{"access_token":', { status: 200 })],
    ['answers just over the timeout', delayed(JUST_OVER_MS, () => envelope(200, 0, { access_token: 'late', expired_at: 2e9, now: 1.9e9 }))],
  ];
  it.each(getTokenFaults)('survives a getToken that %s: upstream_unavailable', async (_, fault) => {
    forgetIamportTokens();
    const { body } = await v1Verification();
    iamport.script.push(fault);
    await expectSurvived('iamport', body, 'upstream_unavailable');
  });

  const lookupFaults: Array<[string, ProblemCode, () => Response | Promise<Response>]> = [
    ['HTTP 500', 'upstream_unavailable', () => new Response('DB error', { status: 500 })],
    ['an HTML 502 page', 'upstream_unavailable', () => new Response('<!doctype html><title>502</title>', { status: 502, headers: { 'content-type': 'text/html' } })],
    ['HTTP 429', 'upstream_unavailable', () => envelope(429, -1, null, 'Too Many Requests')],
    ['200 with code -1', 'upstream_unavailable', () => envelope(200, -1, null, '인증결과 조회 실패')],
    ['200 with malformed JSON', 'upstream_unavailable', () => new Response('{"code":0,"response":{"imp_uid":"imp_', { status: 200 })],
    ['200 with an empty body', 'upstream_unavailable', () => new Response('', { status: 200 })],
    ['200 with response null', 'upstream_unavailable', () => envelope(200, 0, null)],
    ['200 with a body cut off mid-stream', 'upstream_unavailable', () => new Response(new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"code":0,"response":{'));
        controller.error(new Error('connection reset'));
      },
    }), { status: 200 })],
    ['HTTP 403', 'upstream_auth_failed', () => envelope(403, -1, null, 'Forbidden')],
    ['just over the timeout', 'upstream_unavailable', delayed(JUST_OVER_MS, () => new Response('late', { status: 200 }))],
  ];
  it.each(lookupFaults)('survives a certification look-up that answers %s: %s', async (_, code, fault) => {
    const { body } = await v1Verification();
    await warmToken();
    iamport.script.push(fault);
    await expectSurvived('iamport', body, code);
  });

  it('survives an upstream that refuses every access token (401 always): upstream_auth_failed, and recovers', async () => {
    const { body } = await v1Verification();
    iamport.unauthorizedAnswers = 2; // the look-up, and its retry with a fresh token
    await expectSurvived('iamport', body, 'upstream_auth_failed');
    expect(iamport.unauthorizedAnswers).toBe(0);
  });

  it('survives a connection refused for real: upstream_unavailable, and the next request to a live upstream succeeds', async () => {
    forgetIamportTokens();
    const { body } = await v1Verification();
    await expectSurvived('iamport', body, 'upstream_unavailable', { IAMPORT_API_BASE: REFUSING_BASE });
  });

  it('attests when the look-up answers just under the timeout', async () => {
    const { body, record } = await v1Verification();
    await warmToken();
    iamport.script.push(delayed(JUST_UNDER_MS, () => envelope(200, 0, record)));
    expect((await exchange(body)).status).toBe(201);
    survived.iamport++;
  });

  // A certification whose fields are missing or of the wrong type: garbage is upstream_unavailable,
  // a missing fact the checks need is the check's own refusal.
  const recordFaults: Array<[string, ProblemCode, FakeCertification, Json?]> = [
    ['no certified (optional in the API: only an explicit true counts)', 'not_certified', { certified: undefined }],
    ['certified as a string', 'upstream_unavailable', { certified: 'true' }],
    ['certified_at as a string', 'upstream_unavailable', { certified_at: '2026-11-22T00:00:00Z' }],
    ['unique_key as a number', 'upstream_unavailable', { unique_key: 12345 }],
    ['birthday as a number', 'upstream_unavailable', { birthday: 19900101 }],
    ['birthday not a calendar date', 'upstream_unavailable', { birthday: '1990-02-30' }],
    ['merchant_uid as a number', 'upstream_unavailable', { merchant_uid: 7 }],
    ['foreigner_v2 as a string', 'upstream_unavailable', { foreigner_v2: 'N' }],
    ['another imp_uid', 'upstream_unavailable', { imp_uid: 'imp_000000000000' }],
    ['no imp_uid', 'upstream_unavailable', { imp_uid: undefined }],
    ['no certified_at', 'certification_stale', { certified_at: undefined }],
    ['no merchant_uid', 'merchant_uid_mismatch', { merchant_uid: undefined }],
    ['no unique_key (CI)', 'identity_key_missing', { unique_key: undefined }],
    ['an empty unique_key', 'identity_key_missing', { unique_key: '' }],
    ['no birthday and no birth, when an age is asked', 'age_requirement_not_met', { birthday: undefined, birth: undefined }, { min_age: 19 }],
  ];
  it.each(recordFaults)('survives a certification with %s: %s', async (_, code, broken, extra = {}) => {
    const { body, record } = await v1Verification();
    await warmToken();
    iamport.script.push(() => envelope(200, 0, { ...record, ...broken }));
    await expectSurvived('iamport', { ...body, ...extra }, code);
  });
});

describe('V2 (PortOne) faults through the HTTP face', () => {
  const faults: Array<[string, ProblemCode, () => Response | Promise<Response>]> = [
    ['an HTML 502 page', 'upstream_unavailable', () => new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } })],
    ['HTTP 429', 'upstream_unavailable', () => Response.json({ type: 'TOO_MANY_REQUESTS' }, { status: 429 })],
    ['200 with malformed JSON', 'upstream_unavailable', () => new Response('{"status":"VERIFIED","id":', { status: 200 })],
    ['200 with a JSON array', 'upstream_unavailable', () => Response.json([])],
    ['just over the timeout', 'upstream_unavailable', delayed(JUST_OVER_MS, () => Response.json({}))],
  ];
  it.each(faults)('survives PortOne answering %s: %s', async (_, code, fault) => {
    const { body } = await v2Verification();
    portone.script.push(fault);
    await expectSurvived('portone', body, code);
  });

  it('survives a connection refused for real', async () => {
    const { body } = await v2Verification();
    await expectSurvived('portone', body, 'upstream_unavailable', { PORTONE_API_BASE: REFUSING_BASE });
  });

  it('attests when PortOne answers just under the timeout', async () => {
    const { body, record } = await v2Verification();
    portone.script.push(delayed(JUST_UNDER_MS, () => Response.json(record)));
    expect((await exchange(body)).status).toBe(201);
    survived.portone++;
  });

  const recordFaults: Array<[string, ProblemCode, (record: FakeCertification) => FakeCertification, Json?]> = [
    ['a status that is not a string', 'upstream_unavailable', (r) => ({ ...r, status: 1 })],
    ['another id', 'upstream_unavailable', (r) => ({ ...r, id: 'someone-else' })],
    ['no verifiedCustomer', 'upstream_unavailable', (r) => ({ ...r, verifiedCustomer: undefined })],
    ['verifiedCustomer as a string', 'upstream_unavailable', (r) => ({ ...r, verifiedCustomer: 'x' })],
    ['no verifiedAt', 'upstream_unavailable', (r) => ({ ...r, verifiedAt: undefined })],
    ['verifiedAt as a number', 'upstream_unavailable', (r) => ({ ...r, verifiedAt: 1795305600 })],
    ['a ci that is a number', 'upstream_unavailable', (r) => ({ ...r, verifiedCustomer: { ...(r.verifiedCustomer as Json), ci: 42 } })],
    ['a birthDate that is not a date', 'upstream_unavailable', (r) => ({ ...r, verifiedCustomer: { ...(r.verifiedCustomer as Json), birthDate: '19900101' } })],
    ['isForeigner as a string', 'upstream_unavailable', (r) => ({ ...r, verifiedCustomer: { ...(r.verifiedCustomer as Json), isForeigner: 'no' } })],
    ['no ci', 'identity_key_missing', (r) => ({ ...r, verifiedCustomer: { ...(r.verifiedCustomer as Json), ci: undefined } })],
    ['no birthDate, when an age is asked', 'age_requirement_not_met', (r) => ({ ...r, verifiedCustomer: { ...(r.verifiedCustomer as Json), birthDate: undefined } }), { min_age: 19 }],
    ['status FAILED', 'not_certified', (r) => ({ ...r, status: 'FAILED', verifiedCustomer: undefined })],
  ];
  it.each(recordFaults)('survives an identity verification with %s: %s', async (_, code, broken, extra = {}) => {
    const { body, record } = await v2Verification();
    portone.script.push(() => Response.json(broken(record)));
    await expectSurvived('portone', { ...body, ...extra }, code);
  });
});

describe('the form mode, when PortOne fails', () => {
  const person = findPerson('leap_day')!;
  const sendOnce = (issued: { challenge: string; merchant_uid: string }) => postDirect('/v1/otp/send', {
    challenge: issued.challenge, identity_verification_id: issued.merchant_uid, channel_key: 'channel-key-sandbox',
    name: person.name, phone_number: person.phone, identity_number: '0002294', operator: 'SKT', method: 'SMS',
  }, { overrides: SETTINGS, clientIp: randomClientIp() });

  it('answers a send whose first answer was lost as sent, and the code already on the phone then verifies', async () => {
    const issued = await challenge('portone');
    portone.script.push(async () => {
      // PortOne sends the code, but its answer comes after the verifier gave up waiting.
      await portone.fetch(new Request(`${portone.base}/identity-verifications/${issued.merchant_uid}/send`, {
        method: 'POST', headers: { authorization: `PortOne ${portone.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channelKey: 'channel-key-sandbox', customer: { name: person.name, phoneNumber: person.phone, identityNumber: '0002294', ipAddress: '203.0.113.9' }, operator: 'SKT', method: 'SMS' }),
      }));
      return scheduler.wait(JUST_OVER_MS).then(() => Response.json({}));
    });
    const lost = await sendOnce(issued);
    said.push(lost.text);
    expect(lost.body.code).toBe('upstream_unavailable');
    const again = await sendOnce(issued);
    said.push(again.text);
    expect(again.status, again.text).toBe(200);
    const confirmed = await postDirect('/v1/otp/confirm', { challenge: issued.challenge, identity_verification_id: issued.merchant_uid, otp: SANDBOX_OTP }, { overrides: SETTINGS, clientIp: randomClientIp() });
    expect(confirmed.status, confirmed.text).toBe(201);
    survived.portone++;
  });

  it(`counts no attempt for a confirm PortOne gave no verdict on: ${MAX_CONFIRM_ATTEMPTS + 1} outages, and the code still verifies`, async () => {
    const issued = await challenge('portone');
    const send = await sendOnce(issued);
    expect(send.status, send.text).toBe(200);
    const confirm = async () => {
      const answer = await postDirect('/v1/otp/confirm', { challenge: issued.challenge, identity_verification_id: issued.merchant_uid, otp: SANDBOX_OTP }, { overrides: SETTINGS, clientIp: randomClientIp() });
      said.push(answer.text);
      return answer;
    };
    for (const fault of [() => new Response('down', { status: 503 }), delayed(JUST_OVER_MS, () => Response.json({}))]) {
      for (let outage = 0; outage < (MAX_CONFIRM_ATTEMPTS + 1) / 2; outage++) {
        portone.script.push(fault);
        expect((await confirm()).body.code).toBe('upstream_unavailable');
      }
    }
    const good = await confirm();
    expect(good.status, good.text).toBe(201);
    survived.portone++;
  });
});

describe('the purge after signing, when the DELETE fails', () => {
  const purge: EnvVars = { PURGE_AFTER_ATTEST: 'true' };
  const deleteFaults: Array<[string, string, () => void]> = [
    ['answers just over the timeout', 'upstream_unavailable', () => iamport.script.push(delayed(JUST_OVER_MS, () => envelope(200, 0, {})))],
    ['answers 401 to every token', 'upstream_auth_failed', () => { iamport.unauthorizedAnswers = 2; }],
    ['answers 404 (already gone)', 'certification_not_found', () => iamport.script.push(() => envelope(404, -1, null, '인증결과가 존재하지 않습니다.'))],
  ];
  it.each(deleteFaults)('keeps the signed attestation when the DELETE %s, and reports it as %s', async (_, code, fault) => {
    const { body, record } = await v1Verification();
    await warmToken();
    // The look-up answers well; the fault meets the DELETE that follows.
    iamport.script.push(() => envelope(200, 0, record));
    fault();
    const lines = logs.length;
    const { status, body: attestation } = await exchange(body, purge);
    expect(status).toBe(201);
    expect(attestation.token).toBeTypeOf('string');
    expect(logs.slice(lines).join('\n')).toContain(`"event":"purge","request_id"`);
    expect(logs.slice(lines).join('\n')).toMatch(new RegExp(`"outcome":"purge_failed","code":"${code}"`));
    survived.purge++;
  });
});

// Last, so it judges every answer and log line above; its sentence is printed only when it holds.
describe('the whole run', () => {
  it('survived every fault above, and no fake person\'s data or secret is in any answer or log line', () => {
    expect(failed).toEqual([]);
    expectNoLeaks([...said, ...logs], ['가짜', 'fake-ci-', 'fake-di', iamport.secret, portone.secret]);
    figures('faults: each failure gave its own code, no token and no ledger claim, and the same verification then succeeded; answers just under the timeout attested; failed purges kept the attestation and were logged');
  });
});
