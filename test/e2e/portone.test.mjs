// PortOne V2 end to end: the demo switched to V2 in Chromium, the stand-in PortOne SDK's
// dialog, the real verifier under `wrangler dev` asking its V2 stand-in, and one person who
// verifies through V1 and through V2 on the same site getting the same `sub`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PHONE, iamportEvents, launchBrowser, recordEvents, startVerifier, verifyAs, waitForState } from './support.mjs';

const MIN_AGE = 19;

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

/** The demo in a fresh English context; closed whatever happens. */
async function onDemo(contextOptions, scenario) {
  const context = await browser.newContext({ locale: 'en-US', ...contextOptions });
  await recordEvents(context);
  try {
    const page = await context.newPage();
    await page.goto(`${verifier.origin}/?lang=en`);
    await waitForState(page, 'ready');
    await scenario(page);
  } finally {
    await context.close();
  }
}

/** Press the demo's provider switch and wait until the tag is ready on that provider. */
async function switchTo(page, provider) {
  await page.click(`[data-provider="${provider}"]`);
  await page.waitForFunction((wanted) => document.querySelector('#age').provider === wanted, provider);
  await waitForState(page, 'ready');
}

const claimsOf = (page) => page.evaluate(() => document.querySelector('#age').claims);

describe('PortOne V2 in the sandbox demo, in Chromium against wrangler dev', () => {
  test('the adult verifies through V2: the tag exchanges the challenge\'s id as identity_verification_id and gets a V2 attestation', async () => {
    await onDemo({}, async (page) => {
      await switchTo(page, 'portone');
      assert.equal(await page.locator('[data-provider="portone"]').getAttribute('aria-pressed'), 'true');
      await verifyAs(page, 'adult');
      await waitForState(page, 'verified');
      await page.locator('#age').getByText(`Verified: ${MIN_AGE} or older`).waitFor();

      const claims = await claimsOf(page);
      assert.equal(claims.provider, 'portone');
      assert.equal(claims.identity_verification_id, claims.merchant_uid, 'V2 runs under the challenge\'s merchant_uid');
      assert.match(claims.merchant_uid, /^demo_[A-Za-z0-9]{24}$/);
      assert.equal(claims.imp_uid, undefined);
      assert.equal(claims.age_over, MIN_AGE);
      // The verifier, not the page, decided: it logged a V2 exchange that signed.
      await verifier.waitForRequests((line) => line.route === '/v1/attestations' && line.status === 201);
      await page.locator('#signature[data-result="valid"]').waitFor();
      // The demo's replay sends the V2 id again: the ledger refuses it.
      await page.click('#replay');
      await page.locator('#replay-result[data-code="already_used"]').waitFor();
    });
  });

  test('one person through V1 and then through V2 on the same site gets the same sub', async () => {
    await onDemo({}, async (page) => {
      await verifyAs(page, 'adult');
      await waitForState(page, 'verified');
      const v1 = await claimsOf(page);
      assert.equal(v1.provider, 'iamport');

      await page.click('#start-over');
      await waitForState(page, 'ready');
      await switchTo(page, 'portone');
      await verifyAs(page, 'adult');
      await waitForState(page, 'verified');
      const v2 = await claimsOf(page);
      assert.equal(v2.provider, 'portone');
      assert.notEqual(v2.merchant_uid, v1.merchant_uid);
      assert.equal(v2.aud, v1.aud);
      assert.equal(v2.sub, v1.sub, 'the same CI gives the same pseudonym through either provider');

      // And another person does not share it.
      await page.click('#start-over');
      await waitForState(page, 'ready');
      await verifyAs(page, 'foreigner');
      await waitForState(page, 'verified');
      assert.notEqual((await claimsOf(page)).sub, v1.sub);
    });
  });

  test('a V2 cancel ends in the error state with a cancelled event, and a minor is refused by the verifier', async () => {
    await onDemo({}, async (page) => {
      await switchTo(page, 'portone');
      await verifyAs(page, 'cancel');
      await waitForState(page, 'error');
      assert.deepEqual((await iamportEvents(page, 'iamport-error')).map((event) => event.detail.code), ['cancelled']);
      assert.equal(await page.locator('.imp-dialog').count(), 0);

      await verifyAs(page, 'minor_17');
      await page.waitForFunction(() => window.iamportEvents.filter((event) => event.type === 'iamport-error').length === 2);
      const codes = (await iamportEvents(page, 'iamport-error')).map((event) => event.detail.code);
      assert.deepEqual(codes, ['cancelled', 'age_requirement_not_met']);
      assert.equal(await page.evaluate(() => document.querySelector('#age').token), '');
    });
  });

  test('on a phone V2 redirects, comes back with identityVerificationId, completes by itself and leaves no id in the address bar', async () => {
    await onDemo(PHONE, async (page) => {
      await switchTo(page, 'portone');
      const visited = [];
      page.on('framenavigated', (frame) => frame === page.mainFrame() && visited.push(frame.url()));
      const navigation = page.waitForURL(/[?&]identityVerificationId=/);
      await verifyAs(page, 'adult');
      await navigation;
      await waitForState(page, 'verified');

      const back = new URL(visited.find((url) => url.includes('identityVerificationId=')));
      const claims = await claimsOf(page);
      assert.equal(claims.provider, 'portone');
      assert.equal(claims.identity_verification_id, back.searchParams.get('identityVerificationId'));
      const address = new URL(page.url());
      assert.equal(address.searchParams.has('identityVerificationId'), false, 'the id is scrubbed from the address bar');
      assert.equal(address.searchParams.get('lang'), 'en', 'the page\'s own parameters stay');
      assert.equal(await page.locator('[data-provider="portone"]').getAttribute('aria-pressed'), 'true', 'the demo came back on V2');
    });
  });
});
