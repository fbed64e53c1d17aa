// The form mode as a person uses it: the sandbox demo switched to "V2, no popup" in Chromium,
// the tag's own form (no window, no PortOne SDK), the real verifier under `wrangler dev` and its
// PortOne stand-in's API flow (code 000000, persons chosen by phone number: README, "In the sandbox").
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { iamportEvents, launchBrowser, recordEvents, startVerifier, waitForState } from './support.mjs';

const SANDBOX_CODE = '000000';
const ADULT = { name: '김테스트', phone: '01000000001' };
const MINOR = { name: '이미성', phone: '01000000002' };

let verifier;
let browser;

before(async () => {
  verifier = await startVerifier();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await verifier?.stop();
});

/** The demo in a fresh English context, switched to the form mode; fails if any window opens or anything leaves loopback. */
async function onFormDemo(scenario) {
  const context = await browser.newContext({ locale: 'en-US' });
  await recordEvents(context);
  const windows = [];
  const offLoopback = [];
  context.on('page', (page) => windows.push(page));
  await context.route('**/*', (route) => {
    if (new URL(route.request().url()).hostname === '127.0.0.1') return route.continue();
    offLoopback.push(route.request().url());
    return route.abort();
  });
  try {
    const page = await context.newPage();
    await page.goto(`${verifier.origin}/?lang=en`);
    await waitForState(page, 'ready');
    await page.click('[data-provider="portone-form"]');
    await waitForState(page, 'form');
    await scenario(page);
    assert.equal(windows.length, 1, 'no window but the page itself');
    assert.deepEqual(offLoopback, [], 'no SDK, nothing fetched off loopback');
  } finally {
    await context.close();
  }
}

/** Fills the tag's form as a person would, by its labels, and asks for the code (or the app's approval). */
async function sendDetails(page, person, { method = 'SMS' } = {}) {
  await askFor(page, person, { method });
  await waitForState(page, 'code');
}

/** Fills the details step by its labels and presses its button. */
async function askFor(page, person, { method = 'SMS' } = {}) {
  const tag = page.locator('#age');
  await tag.getByLabel('Name').fill(person.name);
  await tag.getByLabel('Mobile number').fill(person.phone);
  await tag.getByLabel('Carrier').selectOption('SKT');
  if (method === 'APP') await tag.getByLabel('PASS app').check();
  else {
    await tag.getByLabel('Date of birth (YYMMDD)').fill('900101');
    await tag.getByLabel('First digit after the hyphen').fill('1');
  }
  await tag.getByLabel('I agree').check();
  await tag.getByRole('button', { name: method === 'APP' ? 'Ask the PASS app' : 'Send me a code' }).click();
}

const claimsOf = (page) => page.evaluate(() => document.querySelector('#age').claims);

describe('the form mode in the sandbox demo, in Chromium against wrangler dev', () => {
  test('an adult verifies by SMS without any window: a wrong code is marked, the right one gives the attestation', async () => {
    await onFormDemo(async (page) => {
      const tag = page.locator('#age');
      await sendDetails(page, ADULT);
      const code = tag.getByLabel('Code');
      await code.fill('123456');
      await tag.getByRole('button', { name: 'Confirm' }).click();
      await tag.getByText('That code is not right. Please enter it again.').first().waitFor();
      assert.equal(await code.getAttribute('aria-invalid'), 'true');
      await code.fill(SANDBOX_CODE);
      await tag.getByRole('button', { name: 'Confirm' }).click();
      await waitForState(page, 'verified');
      await tag.getByText('Verified: 19 or older').waitFor();
      const claims = await claimsOf(page);
      assert.equal(claims.provider, 'portone');
      assert.equal(claims.identity_verification_id, claims.merchant_uid);
      assert.equal(claims.age_over, 19);
      const token = await page.evaluate(() => new FormData(document.querySelector('#signup')).get('age_token'));
      assert.equal(token, await page.evaluate(() => document.querySelector('#age').token));
      // What the verifier logged for the whole flow: routes and outcomes, nothing the person typed.
      const logged = JSON.stringify(verifier.requests());
      for (const typed of [ADULT.name, ADULT.phone, '9001011', SANDBOX_CODE]) assert.ok(!logged.includes(typed), `the log holds ${typed}`);
    });
  });

  test('a minor is refused by the age rule, explained; "Verify again" gives an empty form under a new id, and an adult then verifies', async () => {
    await onFormDemo(async (page) => {
      const tag = page.locator('#age');
      await sendDetails(page, MINOR);
      await tag.getByLabel('Code').fill(SANDBOX_CODE);
      await tag.getByRole('button', { name: 'Confirm' }).click();
      await waitForState(page, 'error');
      await tag.getByText('You must be 19 or older.').waitFor();
      const [error] = await iamportEvents(page, 'iamport-error');
      assert.equal(error.detail.code, 'age_requirement_not_met');
      await tag.getByRole('button', { name: 'Verify again' }).click();
      await waitForState(page, 'form');
      assert.equal(await tag.getByLabel('Name').inputValue(), '');
      await sendDetails(page, ADULT);
      await tag.getByLabel('Code').fill(SANDBOX_CODE);
      await tag.getByRole('button', { name: 'Confirm' }).click();
      await waitForState(page, 'verified');
    });
  });

  test('a send the carrier refuses keeps the details to correct, and the corrected send runs under a new id and verifies', async () => {
    await onFormDemo(async (page) => {
      const tag = page.locator('#age');
      const firstId = await tag.getAttribute('merchant-uid');
      // A number the sandbox's carrier does not know.
      await askFor(page, { ...ADULT, phone: '01077770077' });
      await page.waitForFunction(() => window.iamportEvents.some((event) => event.type === 'iamport-error'));
      assert.equal((await iamportEvents(page, 'iamport-error'))[0].detail.code, 'carrier_failed');
      await waitForState(page, 'form');
      const nextId = await tag.getAttribute('merchant-uid');
      assert.notEqual(nextId, firstId);
      assert.equal(await tag.getByLabel('Name').inputValue(), ADULT.name);
      await tag.getByLabel('Mobile number').fill(ADULT.phone);
      await tag.getByRole('button', { name: 'Send me a code' }).click();
      await waitForState(page, 'code');
      await tag.getByLabel('Code').fill(SANDBOX_CODE);
      await tag.getByRole('button', { name: 'Confirm' }).click();
      await waitForState(page, 'verified');
      assert.equal((await claimsOf(page)).identity_verification_id, nextId);
    });
  });

  test('the PASS app: approved in the (sandbox) app, then "I approved" gives the attestation with no code', async () => {
    await onFormDemo(async (page) => {
      const tag = page.locator('#age');
      await sendDetails(page, ADULT, { method: 'APP' });
      await tag.getByRole('button', { name: 'I approved in the PASS app' }).click();
      await tag.getByText('Not approved in the PASS app yet.').first().waitFor();
      assert.equal(await page.evaluate(() => document.querySelector('#age').state), 'code');
      await Promise.all([page.waitForResponse('**/sandbox/otp/approve'), page.click('#approve-app')]);
      await tag.getByRole('button', { name: 'I approved in the PASS app' }).click();
      await waitForState(page, 'verified');
      assert.equal((await claimsOf(page)).age_over, 19);
    });
  });
});
