// The Gnuboard add-on for real: Gnuboard 5 (from GNUBOARD_DIR) installed through its own web installer on
// MariaDB behind PHP's built-in server, the add-on copied in as the README says and set up through its admin
// page, and Chromium signing up through the tag against the verifier under `wrangler dev` on the sandbox.
// Gnuboard's own bo_use_cert gates (board.php) decide who reads an adult board.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair, importJWK } from 'jose';
import { alertText, ANSWER_CAPTCHA_EXTEND, signUpByHand, startGnuboard, TABLE_PREFIX } from '../support/gnuboard.mjs';
import { freePort, launchBrowser, recordEvents, startVerifier, verifyAs, waitForState } from '../e2e/support.mjs';
import { TEST_PERSON_SECRETS } from './persons.mjs';

const SLOW_SIGNUP_COOKIE = 'iamport_test_slow_signup';
/**
 * The test site's own extend file, asked for by cookie: it holds a sign-up open for a second between the
 * add-on's check and the member's record (without a lock, a second sign-up of the same person would pass in that gap).
 */
const SLOW_SIGNUP_EXTEND = `<?php
if (!defined('_GNUBOARD_')) exit;
add_event('register_form_update_after', static function () {
    if (isset($_COOKIE['${SLOW_SIGNUP_COOKIE}'])) {
        sleep(1);
    }
}, 1, 0);
`;
const PASSWORD = 'test-password-1';
const ADULT_BOARD = 'free';
const REVERIFY_DAYS = 365;

let verifier;
let gnuboard;
let browser;
const member = (id) => gnuboard.sql(`SELECT mb_id, mb_certify, mb_adult, mb_dupinfo, mb_name, mb_hp, mb_birth, mb_sex FROM ${TABLE_PREFIX}member WHERE mb_id = '${id}'`)
  .map(([mbId, certify, adult, dupinfo, name, hp, birth, sex]) => ({ mbId, certify, adult: Number(adult), dupinfo, name, hp, birth, sex }))[0];

before(async () => {
  const port = await freePort();
  verifier = await startVerifier({ origins: [`http://127.0.0.1:${port}`] });
  gnuboard = await startGnuboard({ port, extend: { zz_test_captcha: ANSWER_CAPTCHA_EXTEND, zz_test_slow_signup: SLOW_SIGNUP_EXTEND } });
  browser = await launchBrowser();
  // A member who joined before the add-on was set up (it does nothing until then).
  const joined = await postSignUp('olduser', '');
  assert.ok(joined.registered, `the member joined before the add-on: ${joined.alert}`);
  // What the site's administrator sets in Gnuboard itself (기본환경설정 → 본인확인, 게시판 → 본인확인 사용).
  gnuboard.sql(`UPDATE ${TABLE_PREFIX}config SET cf_cert_use = 2; UPDATE ${TABLE_PREFIX}board SET bo_use_cert = 'adult' WHERE bo_table = '${ADULT_BOARD}'`);
});

after(async () => {
  await browser?.close();
  await gnuboard?.stop();
  await verifier?.stop();
});

/** A fresh browser context (its own cookies), closed whatever happens; dialogs (Gnuboard's alerts) are accepted and kept. */
async function withPage(scenario, { cookies = [], locale = 'ko-KR' } = {}) {
  const context = await browser.newContext({ locale });
  await recordEvents(context);
  if (cookies.length) await context.addCookies(cookies.map(([name, value]) => ({ name, value, url: gnuboard.origin })));
  try {
    const page = await context.newPage();
    page.alerts = [];
    page.on('dialog', (dialog) => {
      page.alerts.push(dialog.message());
      dialog.accept().catch(() => {});
    });
    return await scenario(page, context);
  } finally {
    await context.close();
  }
}

async function logIn(page, id, password) {
  await page.goto(`${gnuboard.origin}/bbs/login.php`);
  await page.fill('#login_id', id);
  await page.fill('#login_pw', password);
  await Promise.all([page.waitForURL((url) => !url.pathname.endsWith('/login.php') && !url.pathname.endsWith('/login_check.php')), page.click('#login_fs .btn_submit')]);
}

/** The sign-up form (terms agreed), filled in for `id`; verified as `person` when given; not yet sent. */
async function openSignUp(page, id, person) {
  await page.goto(`${gnuboard.origin}/bbs/register.php`);
  await page.click('label[for=chk_all]');
  await Promise.all([page.waitForURL(/register_form\.php/), page.click('#fregister button[type=submit]')]);
  await waitForState(page, 'ready');
  await page.fill('#reg_mb_id', id);
  await page.fill('#reg_mb_password', PASSWORD);
  await page.fill('#reg_mb_password_re', PASSWORD);
  await page.fill('#reg_mb_name', '테스트');
  await page.fill('#reg_mb_nick', id);
  await page.fill('#reg_mb_email', `${id}@example.invalid`);
  await page.fill('#captcha_key', '1234');
  if (person) {
    await verifyAs(page, person);
    await waitForState(page, 'verified');
  }
}

/** Poll `condition` until it holds (or `timeoutMs` passes); resolves to whether it held. */
async function eventually(condition, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** Send the form; resolves to { registered } or { alert } (Gnuboard's refusal, or the browser's own check). */
async function submitSignUp(page, { button = '#btn_submit', done = /register_result\.php/ } = {}) {
  const alertsBefore = page.alerts.length;
  await page.click(button);
  await eventually(() => done.test(page.url()) || page.alerts.length > alertsBefore);
  if (done.test(page.url())) return { registered: true };
  // A refusal may leave the browser on the form: a required tag with no value stops the form with no alert.
  return { registered: false, alert: page.alerts.slice(alertsBefore).join('\n') };
}

/** Sign up by hand (as a script would), with this token. */
const postSignUp = (id, token, { cookie = '' } = {}) => signUpByHand(gnuboard.origin, { id, password: PASSWORD, token, cookie });

/** A token made as the verifier makes them, signed with `key` (a private JWK), with `claims` changed. */
async function signToken(key, claims) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: verifier.origin, aud: gnuboard.origin, sub: 'hand-made-subject-000000000000000000000000', iat: now, nbf: now, exp: now + 600,
    jti: 'hand-made', merchant_uid: 'hand-made', year_age_over: 19, verified_at: now, provider: 'iamport', imp_uid: 'imp_000000000', ...claims,
  }).setProtectedHeader({ alg: 'ES256', typ: 'iamport-verify+jwt', kid: key.kid }).sign(await importJWK(key, 'ES256'));
}

/** The add-on's settings, saved through its admin page as the administrator; resolves to the page's messages. */
async function saveSettings(values, { locale = 'ko-KR' } = {}) {
  return withPage(async (page) => {
    await logIn(page, gnuboard.admin.id, gnuboard.admin.password);
    await page.goto(`${gnuboard.origin}/plugin/iamport-verify/adm/settings.php`);
    for (const [name, value] of Object.entries(values)) {
      const field = page.locator(`#iamport-verify-${name}`);
      if (typeof value === 'boolean') await field.setChecked(value);
      else if (await field.evaluate((element) => element.tagName === 'SELECT')) await field.selectOption(value);
      else await field.fill(String(value));
    }
    await Promise.all([page.waitForNavigation(), page.click('#iamport-verify-save')]);
    return {
      saved: await page.locator('#iamport-verify-saved').count() === 1,
      refused: await page.locator('.iamport-verify-refused').allInnerTexts(),
      labels: await page.locator('label[for="iamport-verify-verifier_url"]').innerText(),
    };
  }, { locale });
}

describe('setting the add-on up', () => {
  test('the administrator saves the settings on the add-on\'s admin page, in Korean; an invalid value is refused and named, escaped', async () => {
    const refused = await saveSettings({ verifier_url: verifier.origin, imp_code: 'imp<b>1</b>', age_rule: 'min_year_age', age: 19 });
    assert.equal(refused.labels, '검증 서버 URL');
    assert.equal(refused.saved, false);
    assert.match(refused.refused.join('\n'), /가맹점 식별코드는 imp와 숫자 8자리입니다.*저장하지 않음: "imp<b>1<\/b>"/s);
    const saved = await saveSettings({ verifier_url: verifier.origin, provider: 'iamport', imp_code: 'imp00000000', age_rule: 'min_year_age', age: 19, require_on_signup: true, reverify_days: REVERIFY_DAYS });
    assert.deepEqual(saved.refused, []);
    assert.ok(saved.saved);
    const stored = Object.fromEntries(gnuboard.sql(`SELECT name, value FROM ${TABLE_PREFIX}iamport_verify_config`));
    assert.equal(JSON.parse(stored.verifier_url), verifier.origin);
    assert.equal(JSON.parse(stored.imp_code), 'imp00000000');
  });

  test('the admin page speaks English to a browser that asks for English', async () => {
    const { labels } = await saveSettings({}, { locale: 'en-US' });
    assert.equal(labels, 'Verifier URL');
  });

  test('the admin page is closed to everyone but the super administrator', async () => {
    await withPage(async (page) => {
      await logIn(page, 'olduser', PASSWORD);
      await page.goto(`${gnuboard.origin}/plugin/iamport-verify/adm/settings.php`);
      await page.waitForURL((url) => !url.pathname.includes('/plugin/iamport-verify/adm/'));
      assert.match(page.alerts.join("\n"), /최고관리자/, "Gnuboard's admin gate, or the page's own");
    });
  });
});

describe('signing up through the tag', () => {
  test('an adult signs up: the member passes Gnuboard\'s certification (mb_certify, mb_adult) and keeps the pairwise sub in mb_dupinfo, nothing else of the person', async () => {
    await withPage(async (page) => {
      await openSignUp(page, 'haneul', 'adult');
      const { claims } = await page.evaluate(() => ({ claims: document.querySelector('iamport-verify').claims }));
      assert.equal(claims.aud, gnuboard.origin);
      assert.equal(claims.year_age_over, 19, 'the tag asked for the settings\' year rule');
      const outcome = await submitSignUp(page);
      assert.ok(outcome.registered, outcome.alert);
      const row = member('haneul');
      assert.deepEqual({ certify: row.certify, adult: row.adult, dupinfo: row.dupinfo }, { certify: 'hp', adult: 1, dupinfo: claims.sub });
      assert.notEqual(row.dupinfo.length, 64, 'not the length Gnuboard takes for an old DI');
      assert.deepEqual([row.hp, row.birth, row.sex], ['', '', ''], 'no phone, birth date or sex from the verification');
      assert.equal(gnuboard.sql(`SELECT COUNT(*) FROM ${TABLE_PREFIX}member_cert_history`)[0][0], '0', 'no row in the certification history');
    });
  });

  test('the same person\'s second sign-up is refused', async () => {
    await withPage(async (page) => {
      await openSignUp(page, 'haneul2', 'adult');
      const outcome = await submitSignUp(page);
      assert.equal(outcome.registered, false);
      assert.match(outcome.alert, /가입된 내역이 존재합니다/);
      assert.equal(member('haneul2'), undefined);
    });
  });

  test('a minor is refused by the verifier, and the form cannot be sent without a verification', async () => {
    await withPage(async (page) => {
      await openSignUp(page, 'sora', undefined);
      await verifyAs(page, 'minor_17');
      await waitForState(page, 'error');
      assert.equal(await page.evaluate(() => document.querySelector('#fregisterform').checkValidity()), false, 'the required tag holds the form back');
      await page.click('#btn_submit');
      assert.match(page.url(), /register_form\.php/);
      assert.equal(member('sora'), undefined);
    });
  });

  test('a minor who lowers the tag\'s age in the browser gets a token for 14, which Gnuboard refuses on its server', async () => {
    await withPage(async (page) => {
      await openSignUp(page, 'sora', undefined);
      await page.evaluate(() => document.querySelector('iamport-verify').setAttribute('min-year-age', '14'));
      await verifyAs(page, 'minor_17');
      await waitForState(page, 'verified');
      const outcome = await submitSignUp(page);
      assert.equal(outcome.registered, false);
      assert.match(outcome.alert, /19세 이상만/);
      assert.equal(member('sora'), undefined);
    });
  });

  test('a sign-up without a token, sent past the browser, is refused', async () => {
    const outcome = await postSignUp('nobody', '');
    assert.equal(outcome.registered, false);
    assert.match(outcome.alert, /본인확인을 해주셔야 합니다/);
    assert.equal(member('nobody'), undefined);
  });

  test('forged, expired, other-site and other-audience tokens posted by hand are refused; the same request with a genuine token passes', async () => {
    const realKey = JSON.parse(verifier.settings.SIGNING_KEYS)[0];
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const attackerKey = { ...(await exportJWK(privateKey)), kid: realKey.kid };
    const genuine = await signToken(realKey, {});
    const [header, , signature] = genuine.split('.');
    const tamperedPayload = Buffer.from(JSON.stringify({ ...decodeJwt(genuine), sub: 'someone-else-entirely-000000000000000000000' })).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const cases = [
      ['signed with another key under the verifier\'s kid', await signToken(attackerKey, {}), /확인할 수 없습니다/],
      ['a genuine signature over tampered claims', `${header}.${tamperedPayload}.${signature}`, /확인할 수 없습니다/],
      ['signed by the verifier, expired', await signToken(realKey, { iat: now - 3600, nbf: now - 3600, exp: now - 3000 }), /시간이 지났습니다/],
      ['signed by the verifier for another site (audience)', await signToken(realKey, { aud: 'https://other-site.example' }), /확인할 수 없습니다/],
      ['signed by another issuer', await signToken(realKey, { iss: 'https://other-verifier.example' }), /확인할 수 없습니다/],
      ['a sub 64 characters long (Gnuboard\'s old DI length)', await signToken(realKey, { sub: 'a'.repeat(64) }), /확인할 수 없습니다/],
      ['not a token at all', 'not-a-token', /확인할 수 없습니다/],
    ];
    for (const [index, [what, token, message]] of cases.entries()) {
      const id = `forger${index}`;
      const outcome = await postSignUp(id, token);
      assert.equal(outcome.registered, false, what);
      assert.match(outcome.alert, message, what);
      assert.equal(member(id), undefined, `${what}: no member`);
    }
    const control = await postSignUp('handmade', genuine);
    assert.ok(control.registered, `the control passes: ${control.alert}`);
  });

  test('tokens with unknown kids make Gnuboard fetch the verifier\'s keys at most once a minute', async () => {
    const isJwksRequest = (line) => line.route === '/.well-known/jwks.json';
    const fetchesBefore = verifier.requests().filter(isJwksRequest).length;
    for (const [index, kid] of ['unknown-1', 'unknown-2', 'unknown-3'].entries()) {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      const outcome = await postSignUp(`unknownkid${index}`, await signToken({ ...(await exportJWK(privateKey)), kid }, {}));
      assert.match(outcome.alert, /확인할 수 없습니다/, kid);
    }
    // The verifier logs a little after it answers: wait for a request made after all of them.
    const isHealth = (line) => line.route === '/healthz';
    const healthBefore = verifier.requests().filter(isHealth).length;
    await fetch(`${verifier.origin}/healthz`);
    await verifier.waitForRequests(isHealth, healthBefore + 1);
    assert.ok(verifier.requests().filter(isJwksRequest).length - fetchesBefore <= 1, 'at most one JWKS fetch for three unknown kids');
  });

  test('two sign-ups of one person at the same moment make one member', async () => {
    const slow = [[SLOW_SIGNUP_COOKIE, '1']];
    await withPage(async (first) => withPage(async (second) => {
      await openSignUp(first, 'racer1', 'foreigner');
      await openSignUp(second, 'racer2', 'foreigner');
      const outcomes = await Promise.all([submitSignUp(first), submitSignUp(second)]);
      assert.equal(outcomes.filter((outcome) => outcome.registered).length, 1, JSON.stringify(outcomes));
      assert.match(outcomes.find((outcome) => !outcome.registered).alert, /가입된 내역이 존재합니다/);
      assert.equal(Number(gnuboard.sql(`SELECT COUNT(*) FROM ${TABLE_PREFIX}member WHERE mb_id IN ('racer1', 'racer2')`)[0][0]), 1);
    }, { cookies: slow }), { cookies: slow });
  });
});

describe('the age rule', () => {
  test('a year-rule 19 (만 18) signs up on a year-rule site, and not on a 만 나이 one', async () => {
    await saveSettings({ age_rule: 'min_age' });
    await withPage(async (page) => {
      await openSignUp(page, 'yeonmal', undefined);
      await verifyAs(page, 'year_age_19');
      await waitForState(page, 'error');
      assert.equal(member('yeonmal'), undefined);
      // The token of the year rule, asked for by hand, does not pass for 만 나이 on the server either.
      await page.evaluate(() => { const tag = document.querySelector('iamport-verify'); tag.removeAttribute('min-age'); tag.setAttribute('min-year-age', '19'); tag.reset(); });
      await waitForState(page, 'ready');
      await verifyAs(page, 'year_age_19');
      await waitForState(page, 'verified');
      const outcome = await submitSignUp(page);
      assert.equal(outcome.registered, false);
      assert.match(outcome.alert, /19세 이상만/);
    });
    await saveSettings({ age_rule: 'min_year_age' });
    await withPage(async (page) => {
      await openSignUp(page, 'yeonmal', 'year_age_19');
      const outcome = await submitSignUp(page);
      assert.ok(outcome.registered, outcome.alert);
      assert.equal(member('yeonmal').adult, 1, 'an adult by the year rule');
    });
  });
});

describe('Gnuboard\'s adult board (bo_use_cert = adult)', () => {
  const boardUrl = () => `${gnuboard.origin}/bbs/board.php?bo_table=${ADULT_BOARD}`;
  /** Open the board as the logged-in page; resolves to whether it was admitted (else the alert and where it went). */
  async function openBoard(page) {
    const alertsBefore = page.alerts.length;
    await page.goto(boardUrl());
    await page.waitForLoadState('load');
    await page.waitForFunction(() => !/bbs\/board\.php/.test(location.href) || document.querySelector('#bo_list'), undefined, { timeout: 15_000 });
    return { admitted: await page.locator('#bo_list').count() === 1, alert: page.alerts.slice(alertsBefore).join('\n'), url: page.url() };
  }

  test('admits the verified adult', async () => {
    await withPage(async (page) => {
      await logIn(page, 'haneul', PASSWORD);
      assert.ok((await openBoard(page)).admitted);
    });
  });

  test('refuses a member who has not verified, and sends them to verify; once verified from there, admits them', async () => {
    await withPage(async (page) => {
      await logIn(page, 'olduser', PASSWORD);
      const refused = await openBoard(page);
      assert.equal(refused.admitted, false);
      assert.match(refused.alert, /성인인증 된 회원님만/);
      await page.waitForURL(/plugin\/iamport-verify\/verify\.php/);
      await waitForState(page, 'ready');
      await verifyAs(page, 'turns_19_today');
      await waitForState(page, 'verified');
      await Promise.all([page.waitForURL(/bbs\/board\.php/), page.click('#iamport-verify-form button[type=submit]')]);
      assert.ok((await openBoard(page)).admitted);
      assert.equal(member('olduser').adult, 1);
    });
  });

  test('refuses a member whose verification is older than the period: mb_adult is cleared until they verify again', async () => {
    gnuboard.sql(`UPDATE ${TABLE_PREFIX}iamport_verify_member SET verified_at = NOW() - INTERVAL ${REVERIFY_DAYS + 1} DAY WHERE mb_id = 'haneul'`);
    await withPage(async (page) => {
      await logIn(page, 'haneul', PASSWORD);
      const refused = await openBoard(page);
      assert.equal(refused.admitted, false);
      assert.equal(member('haneul').adult, 0);
      assert.equal(member('haneul').certify, 'hp', 'still a verified member for `cert` boards');
    });
  });
});

describe('an existing member', () => {
  test('verifies from their own page (정보수정), and may not take a verification another member holds', async () => {
    await postSignUp('byeol', await signToken(JSON.parse(verifier.settings.SIGNING_KEYS)[0], { sub: 'byeol-own-subject-00000000000000000000000' }));
    gnuboard.sql(`UPDATE ${TABLE_PREFIX}member SET mb_certify = '', mb_adult = 0, mb_dupinfo = '' WHERE mb_id = 'byeol'`);
    const openMemberPage = async (page) => {
      await logIn(page, 'byeol', PASSWORD);
      await page.goto(`${gnuboard.origin}/bbs/member_confirm.php?url=register_form.php`);
      await page.fill('#confirm_mb_password', PASSWORD);
      await Promise.all([page.waitForURL(/register_form\.php/), page.click('form[name=fmemberconfirm] #btn_submit')]);
      await waitForState(page, 'ready');
      await page.fill('#captcha_key', '1234');
    };
    await withPage(async (page) => {
      await openMemberPage(page);
      await verifyAs(page, 'adult'); // haneul's person
      await waitForState(page, 'verified');
      const refused = await submitSignUp(page, { done: /\bnever\b/ });
      assert.match(refused.alert, /다른 회원이 쓰고 있습니다/);
      assert.equal(member('byeol').certify, '');
    });
    await withPage(async (page) => {
      await openMemberPage(page);
      await verifyAs(page, 'guardian');
      await waitForState(page, 'verified');
      await page.click('#btn_submit');
      assert.ok(await eventually(() => member('byeol').certify === 'hp'), 'the member is verified');
      const row = member('byeol');
      assert.equal(row.certify, 'hp');
      assert.equal(row.adult, 1);
      assert.ok(row.dupinfo.length > 0 && row.dupinfo.length !== 64);
    });
  });
});

describe('what the database holds', () => {
  test('a dump of the database holds no name, phone, birth date, CI or DI of any test person', () => {
    const dump = gnuboard.dump();
    for (const person of TEST_PERSON_SECRETS) {
      for (const [what, value] of Object.entries(person.secrets)) {
        assert.ok(!dump.includes(value), `the database holds ${person.id}'s ${what}`);
      }
    }
  });
});
