// WordPress multisite, for real: the test site is turned into a network (as Tools → Network Setup does).
// People sign up there through wp-signup.php, which the plugin does not check, so it refuses to be
// activated on a network, and where it is active anyway (a site that became a network with it) it
// closes wp-signup.php's sign-up while verification is required.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWordPress } from '../support/wordpress.mjs';
import { freePort, launchBrowser } from '../e2e/support.mjs';
import { logIn, withPage } from './support.mjs';

const PLUGIN = 'iamport-verify/iamport-verify.php';
const NOT_ACTIVATED = /iamport-verify works on single sites only: on a multisite network people sign up through wp-signup\.php/;

let wordpress;
let browser;

before(async () => {
  wordpress = await startWordPress({
    port: await freePort(),
    network: true,
    settings: {
      verifier_url: 'https://verify.example.invalid', provider: 'iamport', imp_code: 'imp00000000', channel_key: '', store_id: '',
      age_rule: 'min_age', age: 19, require_on_registration: true, one_account_per_person: true,
    },
  });
  // Anyone may sign up for an account on the network (Network Admin → Settings → Registration).
  wordpress.php(`update_site_option('registration', 'user');`);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await wordpress?.stop();
});

/** Fill in wp-signup.php's account form as a visitor and send it. */
async function signUp(page, login) {
  await page.goto(`${wordpress.origin}/wp-signup.php`);
  await page.fill('#user_name', login);
  await page.fill('#user_email', `${login}@example.invalid`);
  await Promise.all([page.waitForNavigation(), page.click('#setupform input[type=submit]')]);
}

const signups = (login) => Number(wordpress.php(`global $wpdb; echo $wpdb->get_var($wpdb->prepare("SELECT COUNT(*) FROM {$wpdb->signups} WHERE user_login = %s", ${JSON.stringify(login)}));`));
const setRequired = (required) => wordpress.php(`$settings = get_option('iamport_verify_settings'); $settings['require_on_registration'] = ${required}; update_option('iamport_verify_settings', $settings);`);
const activeAnywhere = () => wordpress.php(`require_once ABSPATH . 'wp-admin/includes/plugin.php'; echo is_plugin_active(${JSON.stringify(PLUGIN)}) || is_plugin_active_for_network(${JSON.stringify(PLUGIN)}) ? 'active' : 'inactive';`);

describe('on a multisite network', () => {
  test('where the plugin is active anyway, wp-signup.php takes no sign-up while verification is required (and takes it when it is not)', async () => {
    assert.equal(activeAnywhere(), 'active', 'the site became a network with the plugin active');
    await withPage(browser, async (page) => {
      await signUp(page, 'newcomer1');
      assert.match(await page.locator('#wp-signup-generic-error').innerText(), /needs an identity verification that this network does not offer/);
      assert.equal(signups('newcomer1'), 0, 'no sign-up recorded, so no activation email');
    });

    setRequired(false);
    try {
      await withPage(browser, async (page) => {
        await signUp(page, 'newcomer2');
        assert.match(await page.locator('body').innerText(), /newcomer2 is your new username/);
        assert.equal(signups('newcomer2'), 1);
      });
    } finally {
      setRequired(true);
    }
  });

  test('activating it, network-wide or on the site, is refused with a notice that says why', async () => {
    wordpress.php(`require_once ABSPATH . 'wp-admin/includes/plugin.php'; deactivate_plugins(${JSON.stringify(PLUGIN)});`);
    assert.equal(activeAnywhere(), 'inactive');
    await withPage(browser, async (page) => {
      await logIn(page, wordpress.origin, wordpress.admin);
      for (const [where, path, link] of [
        ['network-wide', '/wp-admin/network/plugins.php', 'Network Activate'],
        ['on the main site', '/wp-admin/plugins.php', 'Activate'],
      ]) {
        await page.goto(`${wordpress.origin}${path}`);
        const row = page.locator(`tr[data-plugin="${PLUGIN}"]`);
        await Promise.all([page.waitForNavigation(), row.getByRole('link', { name: link, exact: false }).first().click()]);
        assert.match(await page.locator('body').innerText(), NOT_ACTIVATED, where);
        assert.equal(activeAnywhere(), 'inactive', `${where}: not activated`);
      }
    });
  });
});
