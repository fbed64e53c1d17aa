#!/usr/bin/env node
// `node scripts/gnuboard/screenshots.mjs`: the README's Gnuboard screenshots (docs/screenshots/), taken in
// Chromium on a throwaway Gnuboard with the add-on against the verifier on the sandbox: the sign-up form with
// the tag verified, and Gnuboard's own refusal of a 19+ board to a member who has not verified (its alert
// page as shown without script, since a dialog is not in a screenshot). Korean text needs fonts-noto-cjk.
import { join } from 'node:path';
import { ANSWER_CAPTCHA_EXTEND, setUpForTrying, signUpByHand, startGnuboard } from '../../test/support/gnuboard.mjs';
import { ensureDebianPackages, run } from '../../test/support/php-site.mjs';
import { freePort, launchBrowser, startVerifier, verifyAs, waitForState } from '../../test/e2e/support.mjs';

const output = new URL('../../docs/screenshots/', import.meta.url).pathname;
const ADULT_BOARD = 'free';
const PASSWORD = 'test-password-1';
const VIEWPORT = { width: 1000, height: 900 };

ensureDebianPackages({
  packages: ['fonts-noto-cjk'], suite: 'The screenshots',
  ready: () => run('sh', ['-c', 'fc-list :lang=ko | grep -q .']).status === 0,
});
const port = await freePort();
const verifier = await startVerifier({ origins: [`http://127.0.0.1:${port}`] });
const gnuboard = await startGnuboard({ port, extend: { zz_demo_captcha: ANSWER_CAPTCHA_EXTEND } });
const browser = await launchBrowser();
try {
  // A member who joined before the add-on was set up.
  const joined = await signUpByHand(gnuboard.origin, { id: 'member1', password: PASSWORD });
  if (!joined.registered) throw new Error(`signing up the member failed: ${joined.alert}`);
  setUpForTrying(gnuboard, { verifierUrl: verifier.origin, adultBoard: ADULT_BOARD });

  const page = await browser.newPage({ locale: 'ko-KR', viewport: VIEWPORT });
  await page.goto(`${gnuboard.origin}/bbs/register.php`);
  await page.click('label[for=chk_all]');
  await Promise.all([page.waitForURL(/register_form\.php/), page.click('#fregister button[type=submit]')]);
  await waitForState(page, 'ready');
  await page.fill('#reg_mb_id', 'haneul');
  await page.fill('#reg_mb_name', '하늘');
  await page.fill('#reg_mb_nick', '하늘');
  await page.fill('#reg_mb_email', 'haneul@example.invalid');
  await verifyAs(page, 'adult');
  await waitForState(page, 'verified');
  await page.locator('#fregisterform').screenshot({ path: join(output, 'gnuboard-signup.png') });

  const noScript = await browser.newContext({ locale: 'ko-KR', viewport: { width: VIEWPORT.width, height: 420 }, javaScriptEnabled: false });
  const member = await noScript.newPage();
  await member.goto(`${gnuboard.origin}/bbs/login.php`);
  await member.fill('#login_id', 'member1');
  await member.fill('#login_pw', PASSWORD);
  await Promise.all([member.waitForLoadState(), member.click('#login_fs .btn_submit')]);
  await member.goto(`${gnuboard.origin}/bbs/board.php?bo_table=${ADULT_BOARD}`);
  await member.screenshot({ path: join(output, 'gnuboard-adult-board-refused.png') });
  console.log(`Screenshots in ${output}`);
} finally {
  await browser.close();
  await gnuboard.stop();
  await verifier.stop();
}
