// The WordPress plugin for real: Debian's WordPress on MariaDB behind PHP's built-in server,
// the plugin active, and Chromium registering through the tag against the verifier under
// `wrangler dev` on the sandbox. WordPress checks every attestation on its own server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair, importJWK } from 'jose';
import { startWordPress } from '../support/wordpress.mjs';
import { freePort, launchBrowser, recordEvents, startVerifier, verifyAs, waitForState } from '../e2e/support.mjs';

const MIN_AGE = 19;
const SLOW_REGISTRATION_COOKIE = 'iamport_test_slow_registration';
const INTROSPECTION_COOKIE = 'iamport_test_introspection';
/**
 * The test site's own hooks, asked for by cookie: hold a registration open between the plugin's check and its
 * account's user meta (without a lock, a second registration of the same person would pass in that gap), and
 * choose introspection as a site without openssl would have it (Debian's PHP has openssl built in).
 */
const TEST_SITE_PLUGIN = `<?php
add_action('user_register', static function (): void {
    if (isset($_COOKIE['${SLOW_REGISTRATION_COOKIE}'])) {
        sleep(1);
    }
}, 1);
if (isset($_COOKIE['${INTROSPECTION_COOKIE}'])) {
    define('IAMPORT_VERIFY_INTROSPECTION', true);
}
`;

let verifier;
let wordpress;
let browser;
const koreanAdmin = { login: 'gwanrija', password: 'a-long-test-password-1', email: 'gwanrija@example.invalid', role: 'administrator', locale: 'ko_KR' };
const subscriber = { login: 'gudokja', password: 'a-long-test-password-2', email: 'gudokja@example.invalid', role: 'subscriber' };

before(async () => {
  const port = await freePort();
  const siteOrigin = `http://127.0.0.1:${port}`;
  verifier = await startVerifier({ origins: [siteOrigin] });
  wordpress = await startWordPress({
    port,
    settings: {
      verifier_url: verifier.origin, provider: 'iamport', imp_code: 'imp00000000', channel_key: '', store_id: '',
      age_rule: 'min_age', age: MIN_AGE, require_on_registration: true, one_account_per_person: true,
    },
    users: [koreanAdmin, subscriber],
    muPlugins: { 'test-site': TEST_SITE_PLUGIN },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await wordpress?.stop();
  await verifier?.stop();
});

/** A fresh browser context (its own cookies), closed whatever happens. */
async function withPage(scenario, { cookies = [] } = {}) {
  const context = await browser.newContext({ locale: 'en-US' });
  await recordEvents(context);
  if (cookies.length) await context.addCookies(cookies.map(([name, value]) => ({ name, value, url: wordpress.origin })));
  try {
    return await scenario(await context.newPage(), context);
  } finally {
    await context.close();
  }
}

/** The registration form, filled in and verified as `person` (a sandbox test person); not yet sent. */
async function openRegistration(page, login, person) {
  await page.goto(`${wordpress.origin}/wp-login.php?action=register`);
  await waitForState(page, 'ready');
  await page.fill('#user_login', login);
  await page.fill('#user_email', `${login}@example.invalid`);
  if (person) {
    await verifyAs(page, person);
    await waitForState(page, 'verified');
  }
}

/** Send the form and wait for WordPress's answer page. */
async function submit(page) {
  await Promise.all([page.waitForNavigation(), page.click('#wp-submit')]);
}

const loginError = (page) => page.locator('#login_error').innerText();
const registered = (page) => new URL(page.url()).searchParams.get('checkemail') === 'registered';

/** Rows of a query on the site's database (tab-separated columns). */
function sql(query) {
  const result = spawnSync('mariadb', ['--no-defaults', `--socket=${join(wordpress.directory, 'mysql.sock')}`, '-u', 'root', '-N', '-B', 'wordpress', '-e', query], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.split('\n').filter(Boolean).map((line) => line.split('\t'));
}
const accountMeta = (login) => Object.fromEntries(sql(
  `SELECT meta_key, meta_value FROM wp_usermeta WHERE user_id = (SELECT ID FROM wp_users WHERE user_login = '${login}')`,
));
const accountExists = (login) => sql(`SELECT COUNT(*) FROM wp_users WHERE user_login = '${login}'`)[0][0] === '1';
function databaseDump() {
  const result = spawnSync('mariadb-dump', ['--no-defaults', `--socket=${join(wordpress.directory, 'mysql.sock')}`, '-u', 'root', 'wordpress'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

/** POST the registration form by hand, as a script would, with this token. */
async function postRegistration(login, token, { cookie = '' } = {}) {
  const response = await fetch(`${wordpress.origin}/wp-login.php?action=register`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ user_login: login, user_email: `${login}@example.invalid`, iamport_verify_token: token, 'wp-submit': 'Register' }),
  });
  return { status: response.status, location: response.headers.get('location'), body: await response.text() };
}

/** A token made as the verifier makes them, signed with `key` (a private JWK), with `claims` changed. */
async function signToken(key, claims) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: verifier.origin, aud: wordpress.origin, sub: 'hand-made-subject-0000000000000000000000000', iat: now, nbf: now, exp: now + 600,
    jti: 'hand-made', merchant_uid: 'hand-made', age_over: MIN_AGE, verified_at: now, provider: 'iamport', imp_uid: 'imp_000000000', ...claims,
  }).setProtectedHeader({ alg: 'ES256', typ: 'iamport-verify+jwt', kid: key.kid }).sign(await importJWK(key, 'ES256'));
}

describe('registering on WordPress through the tag, against wrangler dev on the sandbox', () => {
  test('an adult registers: the account keeps the pairwise sub and nothing else from the token', async () => {
    await withPage(async (page) => {
      await openRegistration(page, 'haneul', 'adult');
      const { token, claims } = await page.evaluate(() => ({ token: document.querySelector('iamport-verify').token, claims: document.querySelector('iamport-verify').claims }));
      assert.equal(claims.aud, wordpress.origin, 'the tag verified for this site\'s origin');
      assert.equal(claims.age_over, MIN_AGE, 'the tag asked for the settings\' age');
      await submit(page);
      assert.ok(registered(page), `registration complete (${page.url()})`);

      const meta = accountMeta('haneul');
      assert.equal(meta.iamport_verify_sub, claims.sub);
      const dump = databaseDump();
      for (const [what, value] of [['token', token], ['imp_uid', claims.imp_uid], ['merchant_uid', claims.merchant_uid], ['signature', token.split('.')[2]]]) {
        assert.ok(!dump.includes(value), `the database holds no ${what}`);
      }
      assert.equal(dump.split(claims.sub).length - 1, 1, 'the sub is stored once, in the account\'s user meta');
      // The account's first proof of age, for the content gates: the rule and age attested, when, and the attestation's id.
      assert.match(meta.iamport_verify_proof, new RegExp(`"rule";s:7:"min_age";s:3:"age";i:${MIN_AGE};s:11:"verified_at";i:\\d+;s:3:"jti";s:\\d+:"${claims.jti}"`));
      assert.equal(dump.split(claims.jti).length - 1, 1, 'the jti is stored once, in the account\'s proof');
    });
  });

  test('the same person\'s second account is refused, with a clear message', async () => {
    await withPage(async (page) => {
      await openRegistration(page, 'haneul2', 'adult');
      await submit(page);
      assert.ok(!registered(page));
      assert.match(await loginError(page), /You already have an account on this site/);
      assert.ok(!accountExists('haneul2'));
    });
  });

  test('a minor is refused by the verifier, and the tag holds the novalidate form back, saying why; sent past the browser, WordPress refuses it', async () => {
    await withPage(async (page) => {
      await openRegistration(page, 'sora', undefined);
      await verifyAs(page, 'minor_17');
      await waitForState(page, 'error');
      assert.equal(await page.evaluate(() => document.querySelector('iamport-verify').token), '');
      // wp-login.php's form is `novalidate`, so the browser would send it without the required tag's value: the tag stops it.
      assert.equal(await page.evaluate(() => document.querySelector('#registerform').noValidate), true);
      const url = page.url();
      await page.click('#wp-submit');
      await page.waitForFunction(() => document.querySelector('iamport-verify').shadowRoot.querySelector('[part=status]').textContent === 'Please verify with your phone.');
      assert.equal(page.url(), url, 'the form was not sent');
      assert.ok(!accountExists('sora'));
    });
    const answer = await postRegistration('sora', '');
    assert.match(answer.body, /Please verify your identity and age first/);
    assert.ok(!accountExists('sora'));
  });

  test('a minor who lowers the tag\'s age in the browser gets a token for 14, which WordPress refuses on its server', async () => {
    await withPage(async (page) => {
      await openRegistration(page, 'sora', undefined);
      await page.evaluate(() => document.querySelector('iamport-verify').setAttribute('min-age', '14'));
      await verifyAs(page, 'minor_17');
      await waitForState(page, 'verified');
      assert.equal(await page.evaluate(() => document.querySelector('iamport-verify').claims.age_over), 14);
      await submit(page);
      assert.match(await loginError(page), new RegExp(`You must be ${MIN_AGE} or older to register`));
      assert.ok(!accountExists('sora'));
    });
  });

  test('a registration without a token, sent past the browser, is refused', async () => {
    const answer = await postRegistration('nobody', '');
    assert.equal(answer.status, 200);
    assert.match(answer.body, /Please verify your identity and age first/);
    assert.ok(!accountExists('nobody'));
  });

  test('a forged token posted by hand is refused: wrong key, tampered claims, another site\'s, or expired', async () => {
    const realKey = JSON.parse(verifier.settings.SIGNING_KEYS)[0];
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const attackerKey = { ...(await exportJWK(privateKey)), kid: realKey.kid };
    const genuine = await signToken(realKey, {});
    const [header, , signature] = genuine.split('.');
    const tamperedPayload = Buffer.from(JSON.stringify({ ...decodeJwt(genuine), sub: 'someone-else-entirely-0000000000000000000000' })).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const cases = [
      ['signed with another key under the verifier\'s kid', await signToken(attackerKey, {}), /could not be confirmed/],
      ['a genuine signature over tampered claims', `${header}.${tamperedPayload}.${signature}`, /could not be confirmed/],
      ['signed by the verifier for another site', await signToken(realKey, { aud: verifier.origin }), /could not be confirmed/],
      ['signed by the verifier, expired', await signToken(realKey, { iat: now - 3600, nbf: now - 3600, exp: now - 3000 }), /Your verification has expired/],
      ['not a token at all', 'not-a-token', /could not be confirmed/],
    ];
    for (const [index, [what, token, message]] of cases.entries()) {
      const login = `forger${index}`;
      const answer = await postRegistration(login, token);
      assert.equal(answer.status, 200, what);
      assert.match(answer.body, message, what);
      assert.ok(!accountExists(login), `${what}: no account`);
    }
    // The control: the same hand-made request with the verifier's key, for this site, in date, passes.
    const control = await postRegistration('handmade', genuine);
    assert.equal(control.status, 302);
    assert.match(control.location, /checkemail=registered/);
  });

  test('tokens with unknown kids make WordPress fetch the verifier\'s keys at most once a minute', async () => {
    const isJwksRequest = (line) => line.route === '/.well-known/jwks.json';
    const fetchesBefore = verifier.requests().filter(isJwksRequest).length;
    for (const kid of ['unknown-1', 'unknown-2', 'unknown-3']) {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      const answer = await postRegistration(`kid-${kid}`, await signToken({ ...(await exportJWK(privateKey)), kid }, {}));
      assert.match(answer.body, /could not be confirmed/, kid);
    }
    // The verifier logs a little after it answers: wait for a request made after all of them.
    const isHealth = (line) => line.route === '/healthz';
    const healthBefore = verifier.requests().filter(isHealth).length;
    await fetch(`${verifier.origin}/healthz`);
    await verifier.waitForRequests(isHealth, healthBefore + 1);
    assert.ok(verifier.requests().filter(isJwksRequest).length - fetchesBefore <= 1, 'at most one JWKS fetch for three unknown kids');
  });

  test('with introspection chosen (as without openssl), the verifier checks each token: an adult registers, a forged token is refused', async () => {
    const isIntrospection = (line) => line.route === '/v1/introspect' && line.status === 200;
    await withPage(async (page) => {
      await openRegistration(page, 'yeoreum', 'turns_19_today');
      const before = verifier.requests().filter(isIntrospection).length;
      await submit(page);
      assert.ok(registered(page), `registration complete (${page.url()})`);
      await verifier.waitForRequests(isIntrospection, before + 1);
      assert.ok(accountMeta('yeoreum').iamport_verify_sub);
    }, { cookies: [[INTROSPECTION_COOKIE, '1']] });

    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const realKid = JSON.parse(verifier.settings.SIGNING_KEYS)[0].kid;
    const forged = await signToken({ ...(await exportJWK(privateKey)), kid: realKid }, { sub: 'forged-by-hand-000000000000000000000000000' });
    const answer = await postRegistration('introspected-forger', forged, { cookie: `${INTROSPECTION_COOKIE}=1` });
    assert.match(answer.body, /could not be confirmed/, JSON.stringify(verifier.requests().filter((line) => line.route === '/v1/introspect')));
    assert.ok(!accountExists('introspected-forger'));
  });

  test('two registrations of one person at the same moment do not both pass', async () => {
    // Two browsers, the same person (the sandbox's foreigner) verified in each, both forms sent at once; the test
    // site holds each registration open for a second between its check and its account's user meta.
    const slow = [[SLOW_REGISTRATION_COOKIE, '1']];
    await withPage(async (first) => withPage(async (second) => {
      await openRegistration(first, 'racer1', 'foreigner');
      await openRegistration(second, 'racer2', 'foreigner');
      await Promise.all([submit(first), submit(second)]);
      const outcomes = [registered(first), registered(second)];
      assert.equal(outcomes.filter(Boolean).length, 1, `exactly one registration passes (${first.url()}, ${second.url()})`);
      const refused = outcomes[0] ? second : first;
      assert.match(await loginError(refused), /You already have an account on this site/);
      assert.equal(Number(sql(`SELECT COUNT(*) FROM wp_users WHERE user_login IN ('racer1', 'racer2')`)[0][0]), 1);
    }, { cookies: slow }), { cookies: slow });
  });
});

describe('for themes and other forms', () => {
  test('the shortcode and iamport_verify_tag() print the tag with the settings, overridden by their own attributes, escaped', () => {
    const shortcode = wordpress.php(`echo do_shortcode('[iamport_verify min_year_age="19" required="true" name="age"]');`);
    assert.match(shortcode, /^<iamport-verify [^>]*><\/iamport-verify>$/);
    assert.ok(shortcode.includes(` endpoint="${verifier.origin}"`), shortcode);
    assert.ok(shortcode.includes(' imp-code="imp00000000"') && shortcode.includes(' name="age"') && shortcode.includes(' required'), shortcode);
    assert.ok(shortcode.includes(' min-year-age="19"') && !shortcode.includes('min-age'), `its age rule replaces the settings': ${shortcode}`);

    const tag = wordpress.php(`iamport_verify_tag(['nonce' => '"><script>alert(1)</script>', 'onclick' => 'alert(2)']);`);
    assert.ok(tag.includes(' nonce="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"'), tag);
    assert.ok(tag.includes(` min-age="${MIN_AGE}"`), tag);
    assert.ok(!tag.includes('onclick') && !tag.includes('<script'), `no attribute the tag does not have, nothing unescaped: ${tag}`);
  });
});

describe('the settings page', () => {
  /** Log in as `user` and open Settings → iamport-verify. */
  async function openSettings(page, user) {
    await page.goto(`${wordpress.origin}/wp-login.php`);
    await page.fill('#user_login', user.login);
    await page.fill('#user_pass', user.password);
    await Promise.all([page.waitForNavigation(), page.click('#wp-submit')]);
    await page.goto(`${wordpress.origin}/wp-admin/options-general.php?page=iamport-verify`);
  }
  const field = (page, name) => page.locator(`[name="iamport_verify_settings[${name}]"]`);

  test('shows the settings, the origin to allow and how tokens are checked; saves valid values and refuses others, escaped', async () => {
    await withPage(async (page) => {
      await openSettings(page, wordpress.admin);
      assert.equal(await field(page, 'verifier_url').inputValue(), verifier.origin);
      assert.equal(await page.locator('#iamport-verify-origin').innerText(), wordpress.origin);
      assert.match(await page.locator('#iamport-verify-mode').innerText(), /offline, with PHP's openssl extension/);

      await page.evaluate(() => { window.pwned = false; });
      const script = '<script>window.pwned = true</script>';
      await field(page, 'imp_code').fill(`imp${script}`);
      await field(page, 'age').fill('14');
      await Promise.all([page.waitForNavigation(), page.click('#submit')]);
      const error = await page.locator('#setting-error-iamport_verify_imp_code').innerText();
      assert.ok(error.includes(`Not saved: "imp${script}"`), `the refused value is shown as text: ${error}`);
      assert.equal(await page.evaluate(() => window.pwned), undefined, 'the refused value did not run as a script');
      assert.equal(await page.locator('script:text("window.pwned")').count(), 0);
      assert.equal(await field(page, 'imp_code').inputValue(), 'imp00000000', 'the old merchant code stays');
      assert.equal(await field(page, 'age').inputValue(), '14', 'the valid change is saved');

      await field(page, 'age').fill(String(MIN_AGE));
      await Promise.all([page.waitForNavigation(), page.click('#submit')]);
      assert.equal(await field(page, 'age').inputValue(), String(MIN_AGE));
    });
  });

  test('saves nothing without the page\'s nonce, and is closed to users who may not manage options', async () => {
    await withPage(async (page) => {
      await openSettings(page, wordpress.admin);
      const forged = await page.request.post(`${wordpress.origin}/wp-admin/options.php`, {
        form: { option_page: 'iamport_verify', action: 'update', _wpnonce: 'forged', 'iamport_verify_settings[age]': '14' },
        maxRedirects: 0,
      });
      assert.equal(forged.status(), 403);
      await page.reload();
      assert.equal(await field(page, 'age').inputValue(), String(MIN_AGE));
    });
    await withPage(async (page) => {
      await openSettings(page, subscriber);
      assert.equal(await field(page, 'verifier_url').count(), 0);
      assert.match(await page.locator('body').innerText(), /not allowed/);
    });
  });

  test('says when tokens are checked by the verifier (introspection) instead of on this server', async () => {
    await withPage(async (page) => {
      await openSettings(page, wordpress.admin);
      assert.match(await page.locator('#iamport-verify-mode').innerText(), /asks the verifier to check each attestation \(POST \/v1\/introspect\)/);
    }, { cookies: [[INTROSPECTION_COOKIE, '1']] });
  });

  test('speaks Korean to an administrator whose language is Korean', async () => {
    await withPage(async (page) => {
      await openSettings(page, koreanAdmin);
      assert.equal(await page.locator('label[for="iamport-verify-verifier_url"]').innerText(), '검증 서버 URL');
      assert.match(await page.locator('#iamport-verify-mode').innerText(), /openssl/);
      assert.match(await page.locator('#iamport-verify-mode').innerText(), /[가-힣]/);
    });
  });
});
