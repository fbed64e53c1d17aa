// Screenshots for the README, taken from the real thing: the demo page served by the verifier
// under `wrangler dev`, in light and dark. Every run takes them (into test/e2e/.artifacts/screenshots/,
// git-ignored); `UPDATE_SCREENSHOTS=1 npm run test:e2e` writes the committed ones in docs/screenshots/.
// (Tokens, times and ports differ on every run: rewriting docs/ each time would dirty the tree.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import { launchBrowser, recordEvents, startVerifier, verifyAs, waitForState } from './support.mjs';

const SCREENSHOTS = new URL(process.env.UPDATE_SCREENSHOTS ? '../../docs/screenshots/' : '.artifacts/screenshots/', import.meta.url);
/** Room around a cropped element, so the tag sits on its page rather than at the edge. */
const MARGIN = 12;
// Tall enough that the sandbox dialog (centred) starts below the top of the sign-up card.
const VIEWPORT = { width: 1280, height: 1000 };
/** The page background of each scheme (demo.css), to prove the scheme took effect. */
const PAGE_BACKGROUND = { light: 'rgb(244, 246, 249)', dark: 'rgb(15, 17, 21)' };

let verifier;
let browser;
const saved = [];

before(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  verifier = await startVerifier();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await verifier?.stop();
  const bytes = saved.reduce((total, file) => total + statSync(new URL(file, SCREENSHOTS)).size, 0);
  console.log(`e2e screenshots: ${saved.length} PNGs in ${SCREENSHOTS.pathname} (${(bytes / 1024).toFixed(0)} KB)`);
});

async function open(colorScheme, viewport, deviceScaleFactor) {
  const context = await browser.newContext({ locale: 'en-US', colorScheme, viewport, deviceScaleFactor });
  await recordEvents(context);
  const page = await context.newPage();
  await page.goto(`${verifier.origin}/?lang=en`);
  await waitForState(page, 'ready');
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), PAGE_BACKGROUND[colorScheme]);
  return { context, page };
}

/** A PNG of the smallest box around `locators`, with a margin of the page around it. */
async function shoot(page, file, locators, options = {}) {
  const boxes = await Promise.all(locators.map((locator) => locator.boundingBox()));
  const left = Math.min(...boxes.map((box) => box.x)) - MARGIN;
  const top = Math.min(...boxes.map((box) => box.y)) - MARGIN;
  const right = Math.max(...boxes.map((box) => box.x + box.width)) + MARGIN;
  const bottom = Math.max(...boxes.map((box) => box.y + box.height)) + MARGIN;
  // Off the button: no hover tint in the picture.
  await page.mouse.move(0, 0);
  await page.screenshot({
    path: new URL(file, SCREENSHOTS).pathname, animations: 'disabled', caret: 'hide',
    clip: { x: left, y: top, width: right - left, height: bottom - top }, ...options,
  });
  saved.push(file);
}

describe('screenshots of the tag and the demo for the README', () => {
  for (const scheme of ['light', 'dark']) {
    test(`the tag's idle, verifying, verified and error states are saved in the ${scheme} scheme`, async () => {
      const { context, page } = await open(scheme, VIEWPORT, 2);
      try {
        // The tag with its label, as the form shows it.
        const field = [page.locator('#age-field .label'), page.locator('#age')];
        await shoot(page, `tag-idle-${scheme}.png`, field);

        await page.locator('#age').getByRole('button').click();
        const dialog = page.locator('.imp-dialog [role=dialog]');
        await dialog.locator('[data-person="adult"]').waitFor();
        await waitForState(page, 'verifying');
        // The form, its tag saying "Verifying…", and the sandbox's dialog; one CSS pixel per pixel keeps it small.
        await shoot(page, `tag-verifying-${scheme}.png`, [page.locator('section:has(#signup)'), dialog], { scale: 'css' });
        await dialog.locator('[data-person="adult"]').click();
        await waitForState(page, 'verified');
        await shoot(page, `tag-verified-${scheme}.png`, field);

        await page.click('#start-over');
        await waitForState(page, 'ready');
        await verifyAs(page, 'minor_17');
        await waitForState(page, 'error');
        await shoot(page, `tag-error-${scheme}.png`, field);
      } finally {
        await context.close();
      }
    });

    test(`the form mode's two steps (details with a field in error, then the code) are saved in the ${scheme} scheme`, async () => {
      const { context, page } = await open(scheme, VIEWPORT, 2);
      try {
        await page.click('[data-provider="portone-form"]');
        await waitForState(page, 'form');
        const tag = page.locator('#age');
        // Latin letters: some machines that take these have no Korean font.
        await tag.getByLabel('Name').fill('Kim Test');
        await tag.getByLabel('Mobile number').fill('0100000');
        await tag.getByLabel('Carrier').selectOption('SKT');
        await tag.getByLabel('Date of birth (YYMMDD)').fill('900101');
        await tag.getByLabel('First digit after the hyphen').fill('1');
        await tag.getByLabel('I agree').check();
        await tag.getByRole('button', { name: 'Send me a code' }).click();
        await tag.getByText('starting with 01').first().waitFor();
        // The focus went to the field in error, scrolling the page: the whole form, from the page's top.
        await page.evaluate(() => window.scrollTo(0, 0));
        await shoot(page, `form-details-${scheme}.png`, [tag], { fullPage: true });
        await tag.getByLabel('Mobile number').fill('01000000001');
        await tag.getByRole('button', { name: 'Send me a code' }).click();
        await waitForState(page, 'code');
        await tag.getByLabel('Code').fill('000000');
        await shoot(page, `form-code-${scheme}.png`, [tag]);
      } finally {
        await context.close();
      }
    });

    test(`the whole demo page, verified and submitted, is saved in the ${scheme} scheme`, async () => {
      const { context, page } = await open(scheme, VIEWPORT, 1);
      try {
        await page.fill('#nickname', 'haneul');
        await verifyAs(page, 'adult');
        await waitForState(page, 'verified');
        await page.locator('#signature[data-result="valid"]').waitFor();
        await page.click('#submit');
        await page.locator('#introspection[data-result="active"]').waitFor();
        await page.click('#replay');
        await page.locator('#replay-result[data-code="already_used"]').waitFor();
        await page.mouse.move(0, 0);
        await page.screenshot({ path: new URL(`demo-${scheme}.png`, SCREENSHOTS).pathname, fullPage: true, animations: 'disabled', caret: 'hide' });
        saved.push(`demo-${scheme}.png`);
      } finally {
        await context.close();
      }
    });
  }
});
