// The form mode (PortOne V2's API flow, no window) end to end: the verifier under `wrangler dev`,
// its sandbox's PortOne stand-in, and the backend kit checking what it signs; first over HTTP as
// the tag's form drives it, then the tag's own form in Chromium on a site of another origin, opening
// no window. (form-mode-demo.test.mjs drives the demo's form: a minor, the PASS app, start over.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyAttestation } from 'iamport-verify/server';
import { iamportEvents, launchBrowser, recordEvents, serve, startVerifier, waitForState } from './support.mjs';

/** The sandbox's code and persons (README, "In the sandbox"): chosen by phone number. */
const SANDBOX_OTP = '000000';
const ADULT = { name: '김테스트', phone_number: '01000000001' };
const MINOR = { name: '이미성', phone_number: '01000000002' };
const GUARDIAN = { name: '조보호', phone_number: '01000000012' };
const CARRIER_FAILURE = { name: '김테스트', phone_number: '01099990002' };

let verifier;
let browser;
let site;

before(async () => {
  // The site is another origin: its page loads the tag from the verifier, which allows that origin.
  site = await serve((request, response) => {
    const url = new URL(request.url, 'http://site');
    if (url.pathname !== '/sign-up') return response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign up</title>
<script type="module" src="${verifier.origin}/iamport-verify.js"></script></head>
<body><main><form id="sign-up"><iamport-verify name="age_token" provider="portone" mode="form" store-id="store-sandbox"
channel-key="channel-key-sandbox" endpoint="${verifier.origin}" min-age="19" lang="en" required></iamport-verify>
<button>Sign up</button></form></main></body></html>`);
  });
  verifier = await startVerifier({ origins: [site.origin] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await verifier?.stop();
});

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

/** The site's sign-up page in a fresh English context, its tag showing the form; closed whatever happens. No window may open. */
async function onSignUp(scenario) {
  const context = await browser.newContext({ locale: 'en-US' });
  await recordEvents(context);
  const windows = [];
  context.on('page', (opened) => windows.push(opened));
  try {
    const page = await context.newPage();
    await page.goto(`${site.origin}/sign-up`);
    await waitForState(page, 'form');
    await scenario(page);
    assert.equal(windows.length, 1, 'the form mode opened a window');
  } finally {
    await context.close();
  }
}

/** Fills the tag's details step as a person would (the fields are in its shadow root) and sends. */
async function sendDetails(page, { name, phone_number }, method = 'SMS') {
  const tag = page.locator('iamport-verify');
  await tag.locator('[name=name]').fill(name);
  await tag.locator('[name=phone]').fill(phone_number);
  await tag.locator('[name=operator]').selectOption('SKT');
  await tag.locator(`[name=method][value=${method}]`).check();
  if (method === 'SMS') {
    await tag.locator('[name=birth]').fill('900101');
    await tag.locator('[name=gender]').fill('1');
  }
  await tag.locator('[name=agree]').check();
  await tag.locator('[part~=form] [part~=submit]').click();
}

async function enterCode(page, code) {
  const tag = page.locator('iamport-verify');
  await tag.locator('[name=otp]').fill(code);
  await tag.locator('[name=otp]').press('Enter');
}

const errorCodes = async (page) => (await iamportEvents(page, 'iamport-error')).map((event) => event.detail.code);
const tokenOf = (page) => page.evaluate(() => new FormData(document.getElementById('sign-up')).get('age_token'));
const siteCheck = (token, options = {}) => verifyAttestation(token, { issuer: verifier.origin, audience: site.origin, minAge: 19, ...options });

describe('the tag\'s own form (mode="form") in Chromium against wrangler dev', () => {
  test('an adult verifies by SMS code with no window, and the sign-up form carries a token the site\'s backend accepts', async () => {
    await onSignUp(async (page) => {
      await sendDetails(page, ADULT);
      await waitForState(page, 'code');
      await enterCode(page, SANDBOX_OTP);
      await waitForState(page, 'verified');
      const claims = await siteCheck(await tokenOf(page));
      assert.equal(claims.provider, 'portone');
      assert.equal(claims.age_over, 19);
      // The details were read into the one send and emptied from the fields.
      assert.equal(await page.locator('iamport-verify [name=phone]').inputValue(), '');
    });
  });

  test('a wrong code three times is refused each time in the code step, then the right code verifies', async () => {
    await onSignUp(async (page) => {
      await sendDetails(page, ADULT);
      await waitForState(page, 'code');
      for (let attempt = 1; attempt <= 3; attempt++) {
        await enterCode(page, '123456');
        await page.waitForFunction((count) => window.iamportEvents.filter((event) => event.type === 'iamport-error').length === count, attempt);
        await waitForState(page, 'code');
      }
      assert.deepEqual(await errorCodes(page), ['otp_incorrect', 'otp_incorrect', 'otp_incorrect']);
      assert.equal(await page.locator('iamport-verify [name=otp]').getAttribute('aria-invalid'), 'true');
      await enterCode(page, SANDBOX_OTP);
      await waitForState(page, 'verified');
      await siteCheck(await tokenOf(page));
    });
  });

  test('the phone limit counts codes that reached the number: refusals never lock it; after 10 codes in the hour the next is otp_send_limited, the whole hour to wait, and no token', async () => {
    const codesPerPhone = 10; // README, "Limits": codes that may have reached one phone number, across challenges and sites
    // A number the sandbox's carrier does not know (README, "In the sandbox"): it refuses each code, as it
    // would a stranger's sends with a wrong name. The tag tries each again under a new challenge; none counts.
    const unknownNumber = { ...ADULT, phone_number: '01077770042' };
    await onSignUp(async (page) => {
      for (let code = 1; code <= codesPerPhone + 1; code++) {
        await sendDetails(page, unknownNumber);
        await page.waitForFunction((count) => window.iamportEvents.filter((event) => event.type === 'iamport-error').length === count, code);
        await waitForState(page, 'form');
      }
      assert.deepEqual(await errorCodes(page), Array(codesPerPhone + 1).fill('carrier_failed'));
    });
    // Ten codes reach one person's phone, each under a challenge of its own (as ten tabs would).
    const person = { name: '박외국', phone_number: '01000000005' };
    for (let code = 1; code <= codesPerPhone; code++) assert.equal((await post('/v1/otp/send', sendBody(await started(), person))).status, 200);
    await onSignUp(async (page) => {
      await sendDetails(page, person);
      await page.waitForFunction(() => window.iamportEvents.some((event) => event.type === 'iamport-error'));
      assert.deepEqual(await errorCodes(page), ['otp_send_limited']);
      assert.match(await page.locator('iamport-verify [part=status]').textContent(), /try again in 60 min/);
      assert.equal(await tokenOf(page), null, 'no value in the sign-up form');
    });
  });
});
