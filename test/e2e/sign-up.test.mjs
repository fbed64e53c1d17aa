// The whole chain as a person and a site live it: the demo page in Chromium, the tag, the
// sandbox dialog, the real verifier under `wrangler dev`, and a site backend that trusts the
// attestation through the backend kit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { AttestationError, verifyAttestation } from 'iamport-verify/server';
import {
  PHONE, iamportEvents, launchBrowser, readBody, recordEvents, serve, startVerifier, verifyAs, waitForState,
} from './support.mjs';

const MIN_AGE = 19;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** Claims that would be personal data; none may ever be in an attestation. */
const PERSONAL_CLAIMS = ['name', 'phone', 'birthday', 'birth', 'gender', 'ci', 'di', 'unique_key', 'unique_in_site', 'carrier'];

let verifier;
let browser;
let backend;
/** The site's accounts: one per person (`sub`). */
const accounts = new Map();
const stats = { passed: 0, started: Date.now() };

before(async () => {
  verifier = await startVerifier();
  browser = await launchBrowser();
  // The site's backend: form posts in, the backend kit decides, one account per person.
  backend = await serve(async (request, response) => {
    const form = new URLSearchParams(await readBody(request));
    const reply = (status, body) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    try {
      const claims = await verifyAttestation(form.get('age_token') ?? '', {
        issuer: verifier.origin, audience: verifier.origin, minAge: MIN_AGE,
      });
      if (accounts.has(claims.sub)) return reply(409, { error: 'account_exists' });
      accounts.set(claims.sub, form.get('nickname'));
      return reply(201, { account: claims.sub, nickname: form.get('nickname') });
    } catch (error) {
      if (error instanceof AttestationError) return reply(400, { error: error.code });
      throw error;
    }
  });
});

after(async () => {
  await browser?.close();
  await backend?.close();
  await verifier?.stop();
  console.log(`e2e sign-up: ${stats.passed} scenarios passed against wrangler dev in ${((Date.now() - stats.started) / 1000).toFixed(1)} s`);
});

/**
 * Run `scenario` on the demo in a fresh browser context (English unless `lang` says otherwise),
 * with the form's submissions forwarded to the site backend; the context is closed whatever happens.
 */
async function onDemo({ lang = 'en', ...contextOptions }, scenario) {
  const context = await browser.newContext({ locale: 'en-US', ...contextOptions });
  await recordEvents(context);
  const submissions = [];
  const waiters = [];
  await context.exposeFunction('postToSiteBackend', async (body) => {
    const response = await fetch(`${backend.origin}/signup`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body,
    });
    const answer = { status: response.status, body: await response.json() };
    submissions.push(answer);
    waiters.filter((waiter) => submissions.length >= waiter.count).forEach((waiter) => waiter.resolve(submissions[waiter.count - 1]));
    return answer;
  });
  /** The backend's answer to the page's `count`-th submission, once it has come. */
  const submitted = (count) => submissions.length >= count
    ? Promise.resolve(submissions[count - 1])
    : new Promise((resolve) => waiters.push({ count, resolve }));
  // What a native form post would carry (FormData of the form), sent to the site's backend.
  // Capturing on the document: it runs before the demo's own submit handler, and only for a
  // submission the browser allowed (a `required` field that is invalid stops it).
  await context.addInitScript(() => {
    window.siteSubmissions = 0;
    document.addEventListener('submit', (event) => {
      window.siteSubmissions++;
      window.postToSiteBackend(new URLSearchParams(new FormData(event.target)).toString());
    }, true);
  });
  try {
    const page = await context.newPage();
    await page.goto(`${verifier.origin}/?lang=${lang}`);
    await waitForState(page, 'ready');
    await scenario({ page, submitted });
    stats.passed++;
  } finally {
    await context.close();
  }
}

const formValue = (page) => page.evaluate(() => new FormData(document.querySelector('#signup')).get('age_token'));

describe('the sandbox demo in Chromium against wrangler dev', () => {
  test('the demo loads with no failed request and no error in the console (no 404 for its icon)', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    try {
      const page = await context.newPage();
      const failed = [];
      page.on('response', (response) => response.status() >= 400 && failed.push(`${response.status()} ${response.url()}`));
      page.on('console', (message) => message.type() === 'error' && failed.push(`console: ${message.text()}`));
      await page.goto(`${verifier.origin}/?lang=en`);
      await waitForState(page, 'ready');
      // Headless Chromium may not ask for the icon by itself: ask as a headed one would.
      assert.equal(await page.evaluate(() => fetch('/favicon.ico').then((response) => response.status)), 200);
      assert.deepEqual(failed, []);
    } finally {
      await context.close();
    }
  });

  test('an adult verifies in the sandbox dialog, the page checks the signature, and the site backend opens one account per person', async () => {
    await onDemo({}, async ({ page, submitted }) => {
      await page.fill('#nickname', 'haneul');
      await verifyAs(page, 'adult');
      await waitForState(page, 'verified');
      await page.locator('#age').getByText(`Verified: ${MIN_AGE} or older`).waitFor();

      const { token, claims } = await page.evaluate(() => ({ token: document.querySelector('#age').token, claims: document.querySelector('#age').claims }));
      assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      assert.equal(await formValue(page), token, 'the token is the form value under name="age_token"');
      assert.equal(claims.iss, verifier.origin);
      assert.equal(claims.aud, verifier.origin);
      assert.equal(claims.age_over, MIN_AGE);
      assert.match(claims.imp_uid, /^imp_\d{9,15}$/);
      assert.match(claims.merchant_uid, /^demo_[A-Za-z0-9]{24}$/, 'the verification ran under the page\'s own merchant-uid');
      for (const claim of PERSONAL_CLAIMS) assert.ok(!(claim in claims), `no ${claim} claim`);
      const [verified] = await iamportEvents(page, 'iamport-verified');
      assert.equal(verified.detail.token, token);

      // The demo checks the ES256 signature against the JWKS with WebCrypto, and the check can fail.
      await page.locator('#signature[data-result="valid"]').waitFor();
      await page.click('#tamper');
      await page.locator('#signature[data-result="invalid"]').waitFor();

      await page.click('#submit');
      const first = await submitted(1);
      assert.deepEqual(first, { status: 201, body: { account: claims.sub, nickname: 'haneul' } });
      // What the demo shows for the same submission: the verifier's introspection.
      await page.locator('#introspection[data-result="active"]').waitFor();
      assert.match(await page.locator('#introspection pre').textContent(), /"age_over": 19/);

      // The same person again, with a new verification: the site refuses a second account.
      await page.click('#start-over');
      await waitForState(page, 'ready');
      assert.equal(await formValue(page), null, 'a form reset clears the token');
      await page.fill('#nickname', 'haneul-again');
      await verifyAs(page, 'adult');
      await waitForState(page, 'verified');
      const second = await page.evaluate(() => document.querySelector('#age').claims);
      assert.notEqual(second.imp_uid, claims.imp_uid);
      assert.notEqual(second.merchant_uid, claims.merchant_uid, 'each attempt runs under its own merchant_uid');
      assert.equal(second.sub, claims.sub, 'one person has one sub on one site');
      await page.click('#submit');
      assert.deepEqual(await submitted(2), { status: 409, body: { error: 'account_exists' } });
      assert.equal(accounts.get(claims.sub), 'haneul');
    });
  });

  for (const [colorScheme, lang] of [['light', 'en'], ['dark', 'ko']]) {
    test(`the verified demo page has no accessibility violations (axe) in the ${colorScheme} scheme, in ${lang}`, async () => {
      await onDemo({ colorScheme, lang }, async ({ page }) => {
        assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
        await verifyAs(page, 'adult');
        await waitForState(page, 'verified');
        await page.locator('#signature[data-result="valid"]').waitFor();
        await page.addScriptTag({ content: AXE_SOURCE });
        const violations = await page.evaluate(async () => (await window.axe.run(document)).violations
          .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`));
        assert.deepEqual(violations, []);
      });
    });
  }

  test('a minor is refused with age_requirement_not_met, gets no token, and cannot submit the form', async () => {
    await onDemo({}, async ({ page }) => {
      await page.fill('#nickname', 'minor');
      await verifyAs(page, 'minor_17');
      await waitForState(page, 'error');
      const errors = await iamportEvents(page, 'iamport-error');
      assert.deepEqual(errors.map((event) => event.detail.code), ['age_requirement_not_met']);
      assert.equal(await page.locator('#age').getByRole('status').textContent(), `You must be ${MIN_AGE} or older.`);
      assert.deepEqual(await iamportEvents(page, 'iamport-verified'), []);
      assert.equal(await page.evaluate(() => document.querySelector('#age').token), '');
      assert.equal(await formValue(page), null);

      await page.click('#submit');
      // The browser stops the submission: the tag is required and has no value.
      await page.waitForFunction(() => document.querySelector('#age').validity.valueMissing);
      assert.equal(await page.evaluate(() => document.querySelector('#signup').checkValidity()), false);
      assert.equal(await page.locator('#introspection').getAttribute('data-result'), 'none');
      assert.equal(await page.evaluate(() => window.siteSubmissions), 0, 'the form was not submitted');
    });
  });

  test('cancelling the sandbox dialog ends in the error state with a cancelled event, no spinner and no leftover overlay', async () => {
    await onDemo({}, async ({ page }) => {
      await verifyAs(page, 'cancel');
      await waitForState(page, 'error');
      const errors = await iamportEvents(page, 'iamport-error');
      assert.deepEqual(errors.map((event) => event.detail.code), ['cancelled']);
      assert.equal(await page.locator('.imp-dialog').count(), 0);
      const button = page.locator('#age').getByRole('button');
      assert.equal(await button.textContent(), 'Verify again');
      assert.equal(await button.getAttribute('aria-disabled'), 'false', 'the button is usable again, not spinning');
      assert.equal(await page.locator('#age').getByRole('status').textContent(), 'Verification was cancelled.');
      const states = (await iamportEvents(page, 'iamport-state')).map((event) => event.detail.state);
      assert.equal(states.at(-1), 'error');
    });
  });

  test('a tampered browser\'s "success" for a person who is not certified is refused with not_certified', async () => {
    await onDemo({}, async ({ page }) => {
      await verifyAs(page, 'not_certified');
      await waitForState(page, 'error');
      const errors = await iamportEvents(page, 'iamport-error');
      assert.deepEqual(errors.map((event) => event.detail.code), ['not_certified']);
      assert.equal(await page.evaluate(() => document.querySelector('#age').token), '');
      assert.equal(await formValue(page), null);
    });
  });

  test('the language switch turns the page and the tag to Korean and back', async () => {
    await onDemo({}, async ({ page }) => {
      await page.click('[data-lang="ko"]');
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko');
      assert.equal(await page.locator('#signup-title').textContent(), '회원가입');
      await page.locator('#age').getByRole('button', { name: '휴대폰 본인인증' }).waitFor();
      await page.click('[data-lang="en"]');
      assert.equal(await page.locator('#signup-title').textContent(), 'Sign up');
      await page.locator('#age').getByRole('button', { name: 'Verify with your phone' }).waitFor();
    });
  });

  test('on a phone the redirect flow comes back, completes by itself, and leaves no imp_uid in the address bar', async () => {
    await onDemo(PHONE, async ({ page }) => {
      const returns = [];
      page.on('framenavigated', (frame) => frame === page.mainFrame() && returns.push(frame.url()));
      const navigation = page.waitForURL(/[?&]imp_uid=imp_/);
      await verifyAs(page, 'adult');
      await navigation;
      assert.equal(await page.evaluate(() => document.querySelector('#age').popup), false);
      await waitForState(page, 'verified');

      const back = new URL(returns.find((url) => url.includes('imp_uid=')));
      assert.equal(back.searchParams.get('success'), 'true', 'the page really came back through the redirect');
      const address = new URL(page.url());
      for (const param of ['imp_uid', 'merchant_uid', 'success']) assert.equal(address.searchParams.has(param), false, `no ${param} left`);
      assert.equal(address.searchParams.get('lang'), 'en', 'the page\'s own parameters stay');
      const claims = await page.evaluate(() => document.querySelector('#age').claims);
      assert.equal(claims.imp_uid, back.searchParams.get('imp_uid'));
      assert.equal(claims.merchant_uid, back.searchParams.get('merchant_uid'));
      // The demo kept its own challenge for that merchant_uid across the redirect: its replay still shows already_used.
      await page.click('#replay');
      await page.locator('#replay-result[data-code="already_used"]').waitFor();
    });
  });

  test('replaying a verification\'s imp_uid is refused with already_used', async () => {
    await onDemo({}, async ({ page }) => {
      // A challenge for the same merchant_uid, asked for before the person verifies: one asked for
      // later than the certification (beyond a few seconds of clock skew) is certification_stale.
      const merchantUid = await page.locator('#age').getAttribute('merchant-uid');
      const early = await post('/v1/challenges', { merchant_uid: merchantUid });
      assert.equal(early.status, 201);
      await verifyAs(page, 'adult');
      await waitForState(page, 'verified');

      // The demo's button: the page replays with the challenge it asked for at load.
      await page.click('#replay');
      await page.locator('#replay-result[data-code="already_used"]').waitFor();
      assert.match(await page.locator('#replay-result pre').textContent(), /→ 409/);

      // The same from another client: the verifier's ledger, not the page, refuses the second exchange.
      // (Its own nonce: with the tag's very challenge and fields it would be the tag's retry, answered alike.)
      const claims = await page.evaluate(() => document.querySelector('#age').claims);
      const replay = await post('/v1/attestations', { imp_uid: claims.imp_uid, merchant_uid: merchantUid, challenge: early.body.challenge, min_age: MIN_AGE, nonce: 'another-client' });
      assert.equal(replay.status, 409);
      assert.equal(replay.headers.get('content-type'), 'application/problem+json');
      assert.equal(replay.body.code, 'already_used');
      assert.equal(replay.body.token, undefined);
    });
  });

  test('a page on an origin not on the allow-list ends in an error, and the verifier answered origin_not_allowed', async (t) => {
    // A copy of the demo on another port, loading the tag from the verifier and pointing it there.
    const page = readFileSync(new URL('../../demo/index.html', import.meta.url), 'utf8')
      .replace('src="/iamport-verify.js"', `src="${verifier.origin}/iamport-verify.js"`)
      .replace('sdk-src="/sandbox/iamport.js"', `sdk-src="${verifier.origin}/sandbox/iamport.js" endpoint="${verifier.origin}"`)
      .replace('<script type="module" src="demo.js"></script>', '');
    assert.ok(page.includes(`endpoint="${verifier.origin}"`));
    const elsewhere = await serve((request, response) => (request.url === '/'
      ? response.writeHead(200, { 'content-type': 'text/html' }).end(page)
      : response.writeHead(404).end()));
    const context = await browser.newContext({ locale: 'en-US' });
    await recordEvents(context);
    try {
      const isRefusedChallenge = (line) => line.code === 'origin_not_allowed' && line.route === '/v1/challenges';
      const refusedBefore = verifier.requests().filter(isRefusedChallenge).length;
      const tab = await context.newPage();
      await tab.goto(`${elsewhere.origin}/`);
      await waitForState(tab, 'error');
      const errors = await iamportEvents(tab, 'iamport-error');
      assert.equal(errors.length, 1);
      // The refusal carries no CORS header (CORS is for allowed origins only), so the page
      // itself cannot read the code: its tag reports a network error.
      assert.equal(errors[0].detail.code, 'network_error');
      t.diagnostic(`the tag reported ${errors[0].detail.code}`);
      assert.equal(await tab.locator('.imp-dialog').count(), 0);

      // The verifier logged its refusal of the page's challenge request.
      const [refused] = (await verifier.waitForRequests(isRefusedChallenge, refusedBefore + 1)).slice(refusedBefore);
      assert.equal(refused.status, 403);
      const direct = await post('/v1/challenges', {}, elsewhere.origin);
      assert.equal(direct.status, 403);
      assert.equal(direct.body.code, 'origin_not_allowed');
      assert.equal(direct.headers.get('access-control-allow-origin'), null);
      assert.equal(direct.body.challenge, undefined);

      // The error's text is in a part of the tag fetched on demand from beside its module, at
      // the verifier: served to any site, as the module is.
      const parts = await tab.evaluate(() => performance.getEntriesByType('resource').map((entry) => entry.name)
        .filter((name) => name.includes('/iamport-verify/')));
      assert.ok(parts.length > 0, 'the tag fetched no part on demand');
      for (const part of parts) {
        assert.ok(part.startsWith(`${verifier.origin}/iamport-verify/`), part);
        const served = await fetch(part, { headers: { origin: elsewhere.origin } });
        assert.equal(served.status, 200);
        assert.equal(served.headers.get('access-control-allow-origin'), '*');
      }
      stats.passed++;
    } finally {
      await context.close();
      await elsewhere.close();
    }
  });
});

/** A request to the verifier from a server, with an Origin of our choosing (default: the allowed one). */
async function post(path, body, origin = verifier.origin) {
  const response = await fetch(verifier.origin + path, {
    method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}
