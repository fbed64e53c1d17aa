// The form mode (PortOne V2's API flow, no window) end to end: the verifier under `wrangler dev`,
// its sandbox's PortOne stand-in, and the backend kit checking what it signs. Driven over HTTP as
// the tag's form drives it (the tag's own form is tested in Chromium by its suite).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyAttestation } from 'iamport-verify/server';
import { startVerifier } from './support.mjs';

/** The sandbox's code and persons (README, "In the sandbox"): chosen by phone number. */
const SANDBOX_OTP = '000000';
const ADULT = { name: '김테스트', phone_number: '01000000001' };
const MINOR = { name: '이미성', phone_number: '01000000002' };
const GUARDIAN = { name: '조보호', phone_number: '01000000012' };
const CARRIER_FAILURE = { name: '김테스트', phone_number: '01099990002' };

let verifier;
before(async () => { verifier = await startVerifier(); });
after(async () => { await verifier?.stop(); });

/** POST JSON from the verifier's own demo origin (an allowed one), as the tag's page would. */
async function post(path, body) {
  const response = await fetch(verifier.origin + path, {
    method: 'POST', headers: { 'content-type': 'application/json', origin: verifier.origin }, body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

async function started() {
  const issued = (await post('/v1/challenges', { provider: 'portone' })).body;
  return { challenge: issued.challenge, identity_verification_id: issued.merchant_uid };
}

function sendBody(ids, person, method = 'SMS') {
  return {
    ...ids, channel_key: 'channel-key-sandbox', store_id: 'store-sandbox', ...person, operator: 'SKT', method,
    ...(method === 'SMS' ? { identity_number: '9001011' } : {}),
  };
}

const kitOptions = () => ({ issuer: verifier.origin, audience: verifier.origin, jwksUri: `${verifier.origin}/.well-known/jwks.json` });

describe('the form mode against wrangler dev', () => {
  test('an adult: a code sent, confirmed with the sandbox code, and an attestation the backend kit accepts', async () => {
    const ids = await started();
    const sent = await post('/v1/otp/send', sendBody(ids, ADULT));
    assert.equal(sent.status, 200);
    assert.equal(sent.body.code_expires_at - sent.body.sent_at, 180);
    const confirmed = await post('/v1/otp/confirm', { ...ids, otp: SANDBOX_OTP, min_age: 19, nonce: 'e2e-form' });
    assert.equal(confirmed.status, 201);
    const claims = await verifyAttestation(confirmed.body.token, { ...kitOptions(), minAge: 19, nonce: 'e2e-form' });
    assert.equal(claims.provider, 'portone');
    assert.equal(claims.identity_verification_id, ids.identity_verification_id);
    // The very same confirm again (an answer lost on the way): the same attestation.
    assert.deepEqual((await post('/v1/otp/confirm', { ...ids, otp: SANDBOX_OTP, min_age: 19, nonce: 'e2e-form' })).body, confirmed.body);
  });

  test('a minor: age_requirement_not_met when 19 is asked, and no token', async () => {
    const ids = await started();
    assert.equal((await post('/v1/otp/send', sendBody(ids, MINOR))).status, 200);
    const refused = await post('/v1/otp/confirm', { ...ids, otp: SANDBOX_OTP, min_age: 19 });
    assert.deepEqual([refused.status, refused.body.code, refused.body.token], [422, 'age_requirement_not_met', undefined]);
  });

  test('a wrong code three times: otp_incorrect each time, then the right code verifies', async () => {
    const ids = await started();
    assert.equal((await post('/v1/otp/send', sendBody(ids, ADULT))).status, 200);
    for (let attempt = 0; attempt < 3; attempt++) {
      const wrong = await post('/v1/otp/confirm', { ...ids, otp: '123456' });
      assert.deepEqual([wrong.status, wrong.body.code], [422, 'otp_incorrect']);
    }
    assert.equal((await post('/v1/otp/confirm', { ...ids, otp: SANDBOX_OTP })).status, 201);
  });

  test('the resend limits: a resend within 30 s, and a fifth code for one verification, are otp_send_limited with Retry-After', async () => {
    const ids = await started();
    assert.equal((await post('/v1/otp/send', sendBody(ids, ADULT))).status, 200);
    const early = await post('/v1/otp/resend', ids);
    assert.deepEqual([early.status, early.body.code], [429, 'otp_send_limited']);
    const wait = Number(early.headers.get('retry-after'));
    assert.ok(wait > 0 && wait <= 30, `Retry-After ${wait}`);

    const other = await started();
    for (let code = 0; code < 4; code++) assert.equal((await post('/v1/otp/send', sendBody(other, CARRIER_FAILURE))).body.code, 'carrier_failed');
    const capped = await post('/v1/otp/send', sendBody(other, ADULT));
    assert.deepEqual([capped.status, capped.body.code], [429, 'otp_send_limited']);
    assert.ok(Number(capped.headers.get('retry-after')) > 0);
  });

  test('the PASS app: approved in the sandbox\'s app, then confirmed with no code', async () => {
    const ids = await started();
    const sent = await post('/v1/otp/send', sendBody(ids, GUARDIAN, 'APP'));
    assert.deepEqual([sent.status, sent.body.method], [200, 'APP']);
    const approved = await fetch(`${verifier.origin}/sandbox/otp/approve`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identity_verification_id: ids.identity_verification_id }),
    });
    assert.equal(approved.status, 200);
    const confirmed = await post('/v1/otp/confirm', { ...ids, min_age: 19 });
    assert.equal(confirmed.status, 201);
    assert.equal((await verifyAttestation(confirmed.body.token, { ...kitOptions(), minAge: 19 })).age_over, 19);
  });

  test('logs one line per request and none of what the person typed', async () => {
    await verifier.waitForRequests((line) => line.route === '/v1/otp/confirm', 8);
    const lines = JSON.stringify(verifier.requests());
    for (const typed of [ADULT.name, ADULT.phone_number, MINOR.phone_number, GUARDIAN.name, '9001011', '123456']) {
      assert.ok(!lines.includes(typed), `a log line holds ${typed}`);
    }
  });
});
