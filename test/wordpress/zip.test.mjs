// The plugin as people install it: `npm run wordpress:zip` builds dist/wordpress/iamport-verify.zip, and
// a WordPress without the plugin installs it through Plugins → Add New → Upload Plugin in Chromium,
// activates it, and shows it in Korean to an administrator whose language is Korean (the .mo is in the zip).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { startWordPress } from '../support/wordpress.mjs';
import { freePort, launchBrowser } from '../e2e/support.mjs';

const root = new URL('../../', import.meta.url).pathname;
const ZIP = `${root}dist/wordpress/iamport-verify.zip`;
const koreanAdmin = { login: 'gwanrija', password: 'a-long-test-password-z1', email: 'gwanrija@example.invalid', role: 'administrator', locale: 'ko_KR' };

let wordpress;
let browser;

before(async () => {
  const built = spawnSync('npm', ['run', '--silent', 'wordpress:zip'], { cwd: root, encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  wordpress = await startWordPress({ port: await freePort(), settings: {}, users: [koreanAdmin], withPlugin: false, pluginUploads: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await wordpress?.stop();
});

test('the built zip holds one iamport-verify/ folder with readme.txt, the Update URI header and the compiled Korean translation', () => {
  const listing = spawnSync('unzip', ['-Z1', ZIP], { encoding: 'utf8' });
  assert.equal(listing.status, 0, listing.stderr);
  const names = listing.stdout.split('\n').filter(Boolean);
  assert.ok(names.every((name) => name.startsWith('iamport-verify/')), names.join('\n'));
  for (const name of ['iamport-verify.php', 'readme.txt', 'uninstall.php', 'languages/iamport-verify-ko_KR.mo', 'src/AttestationVerifier.php', 'assets/gate.js', 'assets/gate-block.js']) {
    assert.ok(names.includes(`iamport-verify/${name}`), name);
  }
  const header = spawnSync('unzip', ['-p', ZIP, 'iamport-verify/iamport-verify.php'], { encoding: 'utf8' }).stdout;
  assert.match(header, /^ \* Update URI: +https:\/\//m);
  const readme = spawnSync('unzip', ['-p', ZIP, 'iamport-verify/readme.txt'], { encoding: 'utf8' }).stdout;
  const version = /^ \* Version: +(\S+)/m.exec(header)[1];
  assert.match(readme, new RegExp(`^Stable tag: ${version.replaceAll('.', '\\.')}$`, 'm'), 'readme.txt\'s stable tag is the plugin\'s version');
  for (const section of ['== Description ==', '== Installation ==', '== Frequently Asked Questions ==', '== Changelog ==']) assert.ok(readme.includes(section), section);
  assert.equal(readme, readFileSync(`${root}plugins/wordpress/iamport-verify/readme.txt`, 'utf8'));
});

test('installs through "Upload Plugin", activates, and speaks Korean to a Korean administrator', async () => {
  assert.ok(existsSync(ZIP));
  const context = await browser.newContext({ locale: 'en-US' });
  try {
    const page = await context.newPage();
    await page.goto(`${wordpress.origin}/wp-login.php`);
    await page.fill('#user_login', koreanAdmin.login);
    await page.fill('#user_pass', koreanAdmin.password);
    await Promise.all([page.waitForNavigation(), page.click('#wp-submit')]);
    await page.goto(`${wordpress.origin}/wp-admin/plugin-install.php?tab=upload`);
    await page.setInputFiles('#pluginzip', ZIP);
    await Promise.all([page.waitForNavigation({ timeout: 60_000 }), page.click('#install-plugin-submit')]);
    const activate = page.locator('a[href*="action=activate"][href*="iamport-verify"]');
    assert.equal(await activate.count(), 1, await page.locator('#wpbody-content').innerText());
    await Promise.all([page.waitForNavigation(), activate.click()]);
    assert.ok(existsSync(`${wordpress.site}/wp-content/plugins/iamport-verify/languages/iamport-verify-ko_KR.mo`), 'installed from the zip, with its .mo');

    await page.goto(`${wordpress.origin}/wp-admin/options-general.php?page=iamport-verify`);
    assert.equal(await page.locator('label[for="iamport-verify-verifier_url"]').innerText(), '검증 서버 URL');
    assert.match(await page.locator('#wpbody-content').innerText(), /재인증 주기/);
  } finally {
    await context.close();
  }
});
