// The two age rules and the under-14 guardian step end to end: a site's page in Chromium with
// the tag set as the site would set it, the sandbox dialog's test persons, and the real verifier
// under `wrangler dev` deciding.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { verifyAttestation } from 'iamport-verify/server';
import { PHONE, iamportEvents, launchBrowser, recordEvents, serve, startVerifier, verifyAs, waitForState } from './support.mjs';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let verifier;
let browser;
let site;

/** The tag's attributes on each of the site's pages (the provider's come from `provider=` in the query). */
const PAGES = {
  '/year-rule': 'min-year-age="19"',
  '/age-rule': 'min-age="19"',
  '/guardian': 'guardian-under="14"',
};
const PROVIDERS = {
  iamport: (origin) => `imp-code="imp00000000" sdk-src="${origin}/sandbox/iamport.js"`,
  portone: (origin) => `provider="portone" store-id="store-sandbox" channel-key="channel-key-sandbox" sdk-src="${origin}/sandbox/portone.js"`,
};

before(async () => {
  // The site is another origin: its pages load the tag from the verifier, which allows that origin.
  site = await serve((request, response) => {
    const url = new URL(request.url, 'http://site');
    const attributes = PAGES[url.pathname];
    if (!attributes) return response.writeHead(404).end();
    // Back from the V2 redirect the query names no provider: the id it carries says V2.
    const provider = url.searchParams.get('provider') ?? (url.searchParams.has('identityVerificationId') ? 'portone' : 'iamport');
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Age rules</title>
<script type="module" src="${verifier.origin}/iamport-verify.js"></script></head>
<body><main><iamport-verify ${attributes} endpoint="${verifier.origin}" lang="en" ${PROVIDERS[provider](verifier.origin)}></iamport-verify></main></body></html>`);
  });
  verifier = await startVerifier({ origins: [site.origin] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await verifier?.stop();
});

/** The site's page at `path` in a fresh English context; closed whatever happens. */
async function onPage(path, contextOptions, scenario) {
  const context = await browser.newContext({ locale: 'en-US', ...contextOptions });
  await recordEvents(context);
  try {
    const page = await context.newPage();
    await page.goto(site.origin + path);
    await waitForState(page, 'ready');
    await scenario(page);
  } finally {
    await context.close();
  }
}

const claimsOf = (page) => page.evaluate(() => document.querySelector('iamport-verify').claims);
const tokenOf = (page) => page.evaluate(() => document.querySelector('iamport-verify').token);
const errorCodes = async (page) => (await iamportEvents(page, 'iamport-error')).map((event) => event.detail.code);
/** The site's backend: the kit checks the token offline against the verifier's keys. */
const backendCheck = (token, options) => verifyAttestation(token, { issuer: verifier.origin, audience: site.origin, ...options });

/** Korea's date today (the sandbox makes its persons' birthdays from it). */
function koreanToday() {
  const now = new Date(Date.now() + 9 * 3_600_000);
  return { month: now.getUTCMonth() + 1, day: now.getUTCDate() };
}

describe('the age rules in Chromium against wrangler dev', () => {
  test('min-year-age="19" verifies a person born on 31 December nineteen years ago, with year_age_over: 19 and no age_over', async () => {
    await onPage('/year-rule', {}, async (page) => {
      await verifyAs(page, 'year_age_19');
      await waitForState(page, 'verified');
      await page.locator('iamport-verify').getByText('Verified: 19 or older by birth year').waitFor();
      const claims = await claimsOf(page);
      assert.equal(claims.year_age_over, 19);
      assert.equal(claims.age_over, undefined);
      const checked = await backendCheck(await tokenOf(page), { minYearAge: 19 });
      assert.equal(checked.sub, claims.sub);
    });
  });

  test('min-age="19" refuses the same person (만 18) with age_requirement_not_met, except on 31 December when they turn 19', async () => {
    await onPage('/age-rule', {}, async (page) => {
      await verifyAs(page, 'year_age_19');
      const { month, day } = koreanToday();
      if (month === 12 && day === 31) {
        await waitForState(page, 'verified');
        assert.equal((await claimsOf(page)).age_over, 19);
        return;
      }
      await waitForState(page, 'error');
      assert.deepEqual(await errorCodes(page), ['age_requirement_not_met']);
      assert.equal(await tokenOf(page), '');
    });
  });
});

describe('the guardian step (guardian-under="14") in Chromium against wrangler dev', () => {
  /** The child verifies, the tag asks for a guardian, the next click verifies `guardian`. */
  async function childThenGuardian(page, guardian) {
    await verifyAs(page, 'child_10');
    await waitForState(page, 'guardian');
    await page.locator('iamport-verify').getByText('a parent or legal guardian must consent', { exact: false }).waitFor();
    await page.locator('iamport-verify').getByRole('button', { name: 'Guardian: verify with your phone' }).waitFor();
    assert.deepEqual(await errorCodes(page), [], 'waiting for the guardian is no error');
    assert.equal(await tokenOf(page), '');
    await verifyAs(page, guardian);
  }

  /** A verified child with an adult guardian: the claims say so, and the kit's requireGuardianUnder accepts them. */
  async function assertGuardianClaims(page) {
    await waitForState(page, 'verified');
    await page.locator('iamport-verify').getByText('Verified, with a guardian\'s consent').waitFor();
    const claims = await claimsOf(page);
    assert.equal(claims.age_under, 14);
    assert.equal(claims.guardian.age_over, 19);
    assert.equal(typeof claims.guardian.verified_at, 'number');
    assert.match(claims.guardian.sub, /\S/);
    assert.notEqual(claims.guardian.sub, claims.sub, 'the guardian is another person');
    const checked = await backendCheck(await tokenOf(page), { requireGuardianUnder: 14 });
    assert.deepEqual(checked.guardian, claims.guardian);
    return claims;
  }

  test('in the popup flow a child of 10 verifies, the tag waits for a guardian, the adult guardian verifies, and the token carries guardian claims', async () => {
    await onPage('/guardian', {}, async (page) => {
      await childThenGuardian(page, 'guardian');
      const claims = await assertGuardianClaims(page);
      assert.match(claims.imp_uid, /^imp_/);
    });
  });

  test('in the redirect flow (a phone) the child and then the guardian each leave and come back, and the tag completes with guardian claims', async () => {
    await onPage('/guardian', PHONE, async (page) => {
      let navigation = page.waitForURL(/[?&]imp_uid=imp_/);
      await verifyAs(page, 'child_10');
      await navigation;
      assert.equal(await page.evaluate(() => document.querySelector('iamport-verify').popup), false);
      await waitForState(page, 'guardian');
      const childUrl = page.url();

      navigation = page.waitForURL((url) => url.href !== childUrl && url.searchParams.has('imp_uid'));
      await verifyAs(page, 'guardian');
      await navigation;
      await assertGuardianClaims(page);
      assert.equal(new URL(page.url()).searchParams.has('imp_uid'), false, 'no imp_uid left in the address bar');
    });
  });

  /** The guardian's refusal comes as an iamport-error while the tag waits, still, for a guardian. */
  async function guardianRefused(page, code) {
    await page.waitForFunction(() => (window.iamportEvents ?? []).some((event) => event.type === 'iamport-error'));
    await waitForState(page, 'guardian');
    assert.deepEqual(await errorCodes(page), [code]);
    assert.equal(await tokenOf(page), '');
  }

  test('a guardian under 19 is refused with guardian_not_adult, and an adult guardian then verifies for the same child', async () => {
    await onPage('/guardian', {}, async (page) => {
      await childThenGuardian(page, 'minor_17');
      await guardianRefused(page, 'guardian_not_adult');
      // The child's verification was not used up: another guardian finishes it.
      await verifyAs(page, 'guardian');
      await assertGuardianClaims(page);
    });
  });

  test('the child verifying again as their own "guardian" is refused with guardian_same_person, and no token', async () => {
    await onPage('/guardian', {}, async (page) => {
      await childThenGuardian(page, 'child_10');
      await guardianRefused(page, 'guardian_same_person');
    });
  });

  test('through PortOne V2 the guardian verifies under the child\'s id with -guardian, and the token carries guardian claims', async () => {
    await onPage('/guardian?provider=portone', {}, async (page) => {
      const exchanges = [];
      page.on('request', (request) => request.url().endsWith('/v1/attestations') && exchanges.push(request.postDataJSON()));
      await childThenGuardian(page, 'guardian');
      const claims = await assertGuardianClaims(page);
      assert.equal(claims.provider, 'portone');
      assert.equal(claims.identity_verification_id, claims.merchant_uid);
      const last = exchanges.at(-1);
      assert.equal(last.identity_verification_id, claims.identity_verification_id);
      assert.equal(last.guardian_identity_verification_id, `${claims.identity_verification_id}-guardian`);
    });
  });
});

describe('the demo\'s age rule switch in Chromium against wrangler dev', () => {
  /** Press the demo's rule switch and wait until the tag is ready under that rule. */
  async function switchRule(page, name, attribute) {
    await page.click(`[data-rule="${name}"]`);
    assert.equal(await page.locator(`[data-rule="${name}"]`).getAttribute('aria-pressed'), 'true');
    await page.waitForFunction((wanted) => document.querySelector('#age').hasAttribute(wanted), attribute);
    await waitForState(page, 'ready', '#age');
  }

  test('the same person passes the year rule and not 만 나이, a child passes with a guardian, and the page stays accessible (axe)', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    await recordEvents(context);
    try {
      const page = await context.newPage();
      await page.goto(`${verifier.origin}/?lang=en`);
      await waitForState(page, 'ready', '#age');

      await switchRule(page, 'year', 'min-year-age');
      assert.equal(await page.locator('#age-label').textContent(), 'Age check (19 or older by birth year)');
      await verifyAs(page, 'year_age_19', '#age');
      await waitForState(page, 'verified', '#age');
      assert.equal((await page.evaluate(() => document.querySelector('#age').claims)).year_age_over, 19);
      // The demo's introspection asks under the same rule.
      await page.fill('#nickname', 'yeonmal');
      await page.click('#submit');
      await page.locator('#introspection[data-result="active"]').waitFor();
      await page.locator('#introspection').getByText('Accepted: a valid attestation for this site, 19 or older by birth year.', { exact: false }).waitFor();

      await switchRule(page, 'age', 'min-age');
      assert.equal(await page.evaluate(() => document.querySelector('#age').hasAttribute('min-year-age')), false, 'one rule at a time');
      await verifyAs(page, 'year_age_19', '#age');
      const { month, day } = koreanToday();
      await waitForState(page, month === 12 && day === 31 ? 'verified' : 'error', '#age');

      await switchRule(page, 'guardian', 'guardian-under');
      await verifyAs(page, 'child_10', '#age');
      await waitForState(page, 'guardian', '#age');
      await verifyAs(page, 'guardian', '#age');
      await waitForState(page, 'verified', '#age');
      const claims = await page.evaluate(() => document.querySelector('#age').claims);
      assert.equal(claims.age_under, 14);
      assert.equal(claims.guardian.age_over, 19);
      await page.locator('#claims th', { hasText: /^guardian$/ }).waitFor();
      await page.locator('#signature[data-result="valid"]').waitFor();

      await page.addScriptTag({ content: AXE_SOURCE });
      const violations = await page.evaluate(async () => (await window.axe.run(document)).violations
        .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`));
      assert.deepEqual(violations, []);
    } finally {
      await context.close();
    }
  });
});
