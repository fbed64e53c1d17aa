// The content gate for real: Debian's WordPress on MariaDB with the plugin, posts restricted to 19+
// in each of the ways an author can (the post's box, a category, the shortcode, the block), and
// Chromium verifying through the tag against the verifier under `wrangler dev` on the sandbox. Each
// restricted text is a marker that must never reach a visitor who has not verified: not the page,
// the REST API, the feeds, search, oEmbed or comments. One WordPress is shared by every case; the
// clock the gate's periods are measured on is the test's own (a cookie the test site reads).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startWordPress } from '../support/wordpress.mjs';
import { freePort, launchBrowser, recordEvents, startVerifier, verifyAs, waitForState } from '../e2e/support.mjs';

const DAY_SECONDS = 86_400;
const HOUR_SECONDS = 3600;
/** The test site's clock: the gate's "now" moved on by this many seconds (the plugin's iamport_verify_now filter). */
const CLOCK_COOKIE = 'iamport_test_clock';
const TEST_SITE_PLUGIN = `<?php
add_filter('iamport_verify_now', static function (int $now): int {
    return isset($_COOKIE['${CLOCK_COOKIE}']) && is_string($_COOKIE['${CLOCK_COOKIE}']) ? $now + (int) $_COOKIE['${CLOCK_COOKIE}'] : $now;
});
// As SEO plugins do: a description read from the raw post, past every content filter.
add_action('wp_head', static function (): void {
    $post = get_queried_object();
    if ($post instanceof WP_Post) {
        echo '<meta name="description" content="' . esc_attr(wp_strip_all_tags($post->post_excerpt . ' ' . $post->post_content)) . '">';
    }
});
`;
const PASS_COOKIE = 'iamport_verify_pass';

/** Restricted texts: each appears in exactly one restricted place, and must never reach a visitor who may not read it. */
const SECRET = {
  wholePost: 'whole-post-secret-7f3a',
  internationalAge: 'international-age-secret-51c2',
  category: 'category-secret-9d04',
  shortcode: 'shortcode-secret-2b88',
  block: 'block-secret-c6e1',
  page: 'page-secret-04af',
  comment: 'comment-secret-e93b',
  excerpt: 'manual-excerpt-secret-88d0',
};
/** What a search looks for: a part of the restricted text (a search page repeats its query, which must not count as a leak). */
const searchTerm = (secret) => secret.slice(secret.indexOf('-') + 1);
const PUBLIC = { control: 'public-control-text-1a2b', shortcodeIntro: 'public-intro-before-the-gate', blockIntro: 'public-paragraph-before-the-block' };

let verifier;
let wordpress;
let browser;
/** Post ids and links, by the name of what each holds. */
let posts;
const members = {
  first: { login: 'hoewon1', password: 'a-long-test-password-m1', email: 'hoewon1@example.invalid', role: 'subscriber' },
  second: { login: 'hoewon2', password: 'a-long-test-password-m2', email: 'hoewon2@example.invalid', role: 'subscriber' },
  third: { login: 'hoewon3', password: 'a-long-test-password-m3', email: 'hoewon3@example.invalid', role: 'subscriber' },
  reader: { login: 'dokja', password: 'a-long-test-password-m4', email: 'dokja@example.invalid', role: 'subscriber' },
};

before(async () => {
  const port = await freePort();
  const siteOrigin = `http://127.0.0.1:${port}`;
  verifier = await startVerifier({ origins: [siteOrigin] });
  wordpress = await startWordPress({
    port,
    settings: {
      verifier_url: verifier.origin, provider: 'iamport', imp_code: 'imp00000000', channel_key: '', store_id: '',
      age_rule: 'min_year_age', age: 19, require_on_registration: true, one_account_per_person: true, reverify_days: 365, guest_hours: 0,
    },
    users: Object.values(members),
    muPlugins: { 'test-clock': TEST_SITE_PLUGIN },
  });
  posts = JSON.parse(wordpress.php(`
    global $wp_rewrite;
    $wp_rewrite->set_permalink_structure('/%postname%/');
    flush_rewrite_rules(false);
    $category = wp_insert_term('19+ board', 'category', ['slug' => 'adult-board']);
    update_term_meta($category['term_id'], 'iamport_verify_gate', 'min_year_age:19');
    $make = static function (string $slug, string $content, array $more = []): int {
        return wp_insert_post(['post_title' => $slug, 'post_name' => $slug, 'post_content' => $content, 'post_status' => 'publish',
            'post_type' => 'post', 'comment_status' => 'open'] + $more, true);
    };
    $ids = [
        'whole' => $make('adult-story', '<p>${SECRET.wholePost}</p>', ['post_excerpt' => '${SECRET.excerpt}']),
        'internationalAge' => $make('age-19-story', '<p>${SECRET.internationalAge}</p>'),
        'category' => $make('board-post', '<p>${SECRET.category}</p>', ['post_category' => [$category['term_id']]]),
        'shortcode' => $make('partly-restricted', '<p>${PUBLIC.shortcodeIntro}</p>[iamport_verify_gate min_year_age="19"]<p>${SECRET.shortcode}</p>[/iamport_verify_gate]'),
        'block' => $make('block-restricted', '<!-- wp:paragraph --><p>${PUBLIC.blockIntro}</p><!-- /wp:paragraph --><!-- wp:iamport-verify/gate {"rule":"min_year_age","age":19} --><!-- wp:paragraph --><p>${SECRET.block}</p><!-- /wp:paragraph --><!-- /wp:iamport-verify/gate -->'),
        'control' => $make('open-story', '<p>${PUBLIC.control}</p>'),
        'page' => wp_insert_post(['post_title' => 'adult-page', 'post_name' => 'adult-page', 'post_content' => '<p>${SECRET.page}</p>', 'post_status' => 'publish', 'post_type' => 'page'], true),
    ];
    update_post_meta($ids['whole'], '_iamport_verify_gate', 'min_year_age:19');
    update_post_meta($ids['internationalAge'], '_iamport_verify_gate', 'min_age:19');
    update_post_meta($ids['page'], '_iamport_verify_gate', 'min_year_age:19');
    wp_insert_comment(['comment_post_ID' => $ids['whole'], 'comment_content' => '${SECRET.comment}', 'comment_approved' => 1, 'comment_author' => 'someone']);
    wp_insert_comment(['comment_post_ID' => $ids['control'], 'comment_content' => '${PUBLIC.control}-comment', 'comment_approved' => 1, 'comment_author' => 'someone']);
    echo wp_json_encode(array_map(static fn (int $id): array => ['id' => $id, 'link' => get_permalink($id)], $ids));
  `));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await wordpress?.stop();
  await verifier?.stop();
});

/** A fresh browser context (its own cookies: a new browser session), closed whatever happens. */
async function withPage(scenario, { cookies = [] } = {}) {
  const context = await browser.newContext({ locale: 'en-US' });
  await recordEvents(context);
  await setCookies(context, cookies);
  try {
    return await scenario(await context.newPage(), context);
  } finally {
    await context.close();
  }
}
const setCookies = (context, cookies) => cookies.length
  ? context.addCookies(cookies.map(([name, value]) => ({ name, value, url: wordpress.origin })))
  : undefined;
/** Move the test site's clock for this browser `seconds` on. */
const moveClock = (context, seconds) => setCookies(context, [[CLOCK_COOKIE, String(seconds)]]);

async function logIn(page, member) {
  await page.goto(`${wordpress.origin}/wp-login.php`);
  await page.fill('#user_login', member.login);
  await page.fill('#user_pass', member.password);
  await Promise.all([page.waitForNavigation(), page.click('#wp-submit')]);
}

/** Verify at the gate on this page as `person`; resolves once the site has opened it (the page reloads). */
async function verifyAtGate(page, person, selector = '.iamport-verify-gate iamport-verify') {
  await waitForState(page, 'ready', selector);
  const reloaded = page.waitForNavigation({ timeout: 60_000 });
  await verifyAs(page, person, selector);
  await reloaded;
}

const html = (page) => page.content();
const gateCount = (page) => page.locator('.iamport-verify-gate').count();

function sql(query) {
  const result = spawnSync('mariadb', ['--no-defaults', `--socket=${join(wordpress.directory, 'mysql.sock')}`, '-u', 'root', '-N', '-B', 'wordpress', '-e', query], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.split('\n').filter(Boolean).map((line) => line.split('\t'));
}
const userMeta = (login, key) => sql(
  `SELECT meta_value FROM wp_usermeta WHERE meta_key = '${key}' AND user_id = (SELECT ID FROM wp_users WHERE user_login = '${login}')`,
)[0]?.[0];

/** Every way out of WordPress a visitor without a pass could read a post by (as `cookie`), with each answer's text. */
async function everyAnswer(cookie = '') {
  const urls = [
    `/wp-json/wp/v2/posts?per_page=100`,
    ...Object.values(posts).map(({ id }) => `/wp-json/wp/v2/posts/${id}?_fields=content,excerpt`),
    `/wp-json/wp/v2/pages?per_page=100`,
    `/wp-json/wp/v2/pages/${posts.page.id}`,
    ...Object.values(SECRET).map((secret) => `/wp-json/wp/v2/posts?search=${searchTerm(secret)}`),
    ...Object.values(SECRET).map((secret) => `/wp-json/wp/v2/search?search=${searchTerm(secret)}`),
    ...Object.values(SECRET).map((secret) => `/?s=${searchTerm(secret)}`),
    `/wp-json/wp/v2/comments?per_page=100`,
    '/feed/', '/feed/atom/', '/comments/feed/', `/adult-story/feed/`, '/category/adult-board/feed/',
    '/?s=story', '/', '/category/adult-board/',
    ...Object.values(posts).map(({ link }) => `/wp-json/oembed/1.0/embed?url=${encodeURIComponent(link)}`),
    ...Object.values(posts).map(({ link }) => `${new URL(link).pathname}embed/`),
    ...Object.values(posts).map(({ link }) => new URL(link).pathname),
  ];
  return Promise.all(urls.map(async (url) => {
    const response = await fetch(`${wordpress.origin}${url}`, { headers: { cookie } });
    return { url, status: response.status, body: await response.text() };
  }));
}

describe('a guest and the gate', () => {
  test('a guest opening a 19+ post, page or category post sees the gate with the tag, not the text', async () => {
    await withPage(async (page) => {
      for (const [name, secret] of [['whole', SECRET.wholePost], ['page', SECRET.page], ['category', SECRET.category], ['internationalAge', SECRET.internationalAge]]) {
        await page.goto(posts[name].link);
        assert.equal(await gateCount(page), 1, `${name}: one gate`);
        assert.ok(!(await html(page)).includes(secret), `${name}: the text is not in the page`);
        const tag = page.locator('.iamport-verify-gate iamport-verify');
        assert.equal(await tag.getAttribute(name === 'internationalAge' ? 'min-age' : 'min-year-age'), '19', `${name}: the tag asks the gate's rule`);
        assert.equal(await tag.getAttribute('endpoint'), verifier.origin);
        await waitForState(page, 'ready', '.iamport-verify-gate iamport-verify');
      }
      assert.match(await page.locator('.iamport-verify-gate').innerText(), /This content is for people 19 or older/);
    });
  });

  test('a part restricted with the shortcode or the block is a gate, and the rest of the post shows', async () => {
    await withPage(async (page) => {
      for (const [name, intro, secret] of [['shortcode', PUBLIC.shortcodeIntro, SECRET.shortcode], ['block', PUBLIC.blockIntro, SECRET.block]]) {
        await page.goto(posts[name].link);
        const text = await page.locator('body').innerText();
        assert.ok(text.includes(intro), `${name}: the open part shows`);
        assert.equal(await gateCount(page), 1, `${name}: the restricted part is a gate`);
        assert.ok(!(await html(page)).includes(secret), `${name}: its text is not in the page`);
      }
    });
  });

  test('nothing restricted reaches a guest through REST (posts, pages, search), feeds, search results, oEmbed or comments', async () => {
    const answers = await everyAnswer();
    for (const { url, status, body } of answers) {
      assert.ok(status < 500, `${url}: ${status}`);
      for (const [what, secret] of Object.entries(SECRET)) assert.ok(!body.includes(secret), `${url} holds the ${what} text`);
    }
    // The control: the same ways out do carry an open post's text, so the checks above can see a leak.
    for (const url of ['/wp-json/wp/v2/posts?per_page=100', '/feed/', '/feed/atom/']) {
      assert.ok(answers.find((answer) => answer.url === url).body.includes(PUBLIC.control), `${url} carries open posts' text`);
    }
    const search = await (await fetch(`${wordpress.origin}/wp-json/wp/v2/search?search=${PUBLIC.control}`)).json();
    assert.deepEqual(search.map((result) => result.id), [posts.control.id], 'search finds open posts by their text');
    // ... and finds no restricted post by its restricted text, not even its title.
    for (const secret of Object.values(SECRET).filter((secret) => secret !== SECRET.comment && secret !== SECRET.excerpt)) {
      const found = answers.find((answer) => answer.url === `/wp-json/wp/v2/search?search=${searchTerm(secret)}`);
      assert.deepEqual(JSON.parse(found.body), [], `a search for ${searchTerm(secret)} finds nothing`);
    }
    const comments = await (await fetch(`${wordpress.origin}/comments/feed/`)).text();
    assert.ok(comments.includes(`${PUBLIC.control}-comment`), 'the comment feed carries open posts\' comments');
    const withheld = await (await fetch(`${wordpress.origin}/wp-json/wp/v2/posts/${posts.whole.id}`)).json();
    assert.match(withheld.content.rendered, /This content is for people 19 or older/, 'REST says the content is restricted');
  });

  test('an adult verifies at the gate and reads the post in place; the pass is an HttpOnly, SameSite=Lax session cookie holding no personal data', async () => {
    await withPage(async (page, context) => {
      await page.goto(posts.whole.link);
      assert.ok(!(await html(page)).includes(SECRET.wholePost));
      const gateId = await page.locator('.iamport-verify-gate').getAttribute('id');
      await verifyAtGate(page, 'adult');
      assert.ok((await page.locator('body').innerText()).includes(SECRET.wholePost), 'the text shows after the verification');
      assert.equal(await gateCount(page), 0);
      assert.equal(await page.locator('.iamport-verify-gate-opened').getAttribute('id'), gateId, 'the content is where the gate was');
      assert.ok(await page.evaluate((id) => { const box = document.getElementById(id).getBoundingClientRect(); return box.top < innerHeight && box.bottom > 0; }, gateId),
        'the page shows the place of the gate');

      const cookie = (await context.cookies()).find((candidate) => candidate.name === PASS_COOKIE);
      assert.ok(cookie, 'a pass cookie');
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Lax');
      assert.equal(cookie.expires, -1, 'a session cookie');
      assert.equal(cookie.secure, false, 'Secure only on HTTPS (this test site is http)');
      const pass = JSON.parse(Buffer.from(cookie.value.split('.')[0], 'base64url').toString());
      assert.deepEqual(Object.keys(pass).sort(), ['age', 'exp', 'iat', 'rule', 'site']);
      assert.deepEqual([pass.rule, pass.age, pass.site], ['min_year_age', 19, `${wordpress.origin}/`]);

      // The same pass opens every 19+ gate of the year rule, the category's and the parts too.
      for (const [name, secret] of [['category', SECRET.category], ['shortcode', SECRET.shortcode], ['block', SECRET.block], ['page', SECRET.page]]) {
        await page.goto(posts[name].link);
        assert.ok((await page.locator('body').innerText()).includes(secret), `${name} opens with the pass`);
      }
      // Comments of the opened post show, and the site's REST answers open to this browser too.
      await page.goto(posts.whole.link);
      const rest = await page.evaluate(async (id) => (await fetch(`/wp-json/wp/v2/posts/${id}`)).json(), posts.whole.id);
      assert.ok(rest.content.rendered.includes(SECRET.wholePost));
    });
  });

  test('a minor is refused by the verifier at the gate, and a token for a lower age is refused by the site: the text never reaches the page', async () => {
    await withPage(async (page, context) => {
      await page.goto(posts.whole.link);
      const selector = '.iamport-verify-gate iamport-verify';
      await waitForState(page, 'ready', selector);
      await verifyAs(page, 'minor_17', selector);
      await waitForState(page, 'error', selector);
      assert.ok(!(await html(page)).includes(SECRET.wholePost));

      // The minor lowers the tag's age in the browser: the verifier signs 14+, the site refuses it for its 19+ gate.
      await page.evaluate((sel) => document.querySelector(sel).setAttribute('min-year-age', '14'), selector);
      await verifyAs(page, 'minor_17', selector);
      await page.waitForFunction(() => document.querySelector('.iamport-verify-gate-status').textContent !== '', null, { timeout: 30_000 });
      assert.match(await page.locator('.iamport-verify-gate-status').innerText(), /only for people 19\+ \(year rule\)/);
      await page.reload();
      assert.equal(await gateCount(page), 1);
      assert.ok(!(await html(page)).includes(SECRET.wholePost));
      assert.equal((await context.cookies()).some((cookie) => cookie.name === PASS_COOKIE), false, 'no pass');
    });
  });

  test('a year-rule 19 (만 18) passes a year-rule 19 gate and not a 만 나이 19 gate', async () => {
    await withPage(async (page) => {
      await page.goto(posts.whole.link);
      await verifyAtGate(page, 'year_age_19');
      assert.ok((await page.locator('body').innerText()).includes(SECRET.wholePost));

      await page.goto(posts.internationalAge.link);
      assert.equal(await gateCount(page), 1, 'the year-rule pass does not open a 만 나이 gate');
      assert.ok(!(await html(page)).includes(SECRET.internationalAge));
      const selector = '.iamport-verify-gate iamport-verify';
      await waitForState(page, 'ready', selector);
      await verifyAs(page, 'year_age_19', selector);
      // Born on 31 December: 만 18 every day of the year but that one (in Seoul).
      const seoulToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Seoul', month: '2-digit', day: '2-digit' }).format(new Date());
      if (seoulToday === '12-31') return;
      await waitForState(page, 'error', selector);
      assert.ok(!(await html(page)).includes(SECRET.internationalAge));
    });
  });
});

describe('a guest\'s pass', () => {
  /** A browser with a genuine adult pass, and its cookie. */
  async function withPass(scenario) {
    return withPage(async (page, context) => {
      await page.goto(posts.whole.link);
      await verifyAtGate(page, 'adult');
      const cookie = (await context.cookies()).find((candidate) => candidate.name === PASS_COOKIE);
      return scenario(page, context, cookie.value);
    });
  }
  const opens = async (cookieValue) => {
    const body = await (await fetch(posts.whole.link, { headers: { cookie: `${PASS_COOKIE}=${cookieValue}` } })).text();
    return body.includes(SECRET.wholePost);
  };

  test('a tampered pass, a pass made for another site, one signed with other salts, and an expired one all show the gate', async () => {
    await withPass(async (page, context, genuine) => {
      assert.ok(await opens(genuine), 'the genuine pass opens the post (the control)');
      const [payload, signature] = genuine.split('.');
      const pass = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const reencoded = (changes) => Buffer.from(JSON.stringify({ ...pass, ...changes })).toString('base64url');
      assert.equal(await opens(`${reencoded({ exp: pass.exp + 30 * DAY_SECONDS })}.${signature}`), false, 'claims changed under the same signature');
      assert.equal(await opens(`${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`), false, 'a changed signature');
      assert.equal(await opens(payload), false, 'no signature');

      // Signed with this site's own salts, for another site (a multisite neighbour shares the salts).
      const foreign = wordpress.php(`echo IamportVerify\\WordPress\\Gate\\GuestPass::encode(['site' => 'http://other.example/', 'rule' => 'min_year_age', 'age' => 19, 'iat' => time(), 'exp' => time() + 3600]);`);
      assert.equal(await opens(foreign), false, 'a pass for another site');
      const sameSiteControl = wordpress.php(`echo IamportVerify\\WordPress\\Gate\\GuestPass::encode(['site' => home_url('/'), 'rule' => 'min_year_age', 'age' => 19, 'iat' => time(), 'exp' => time() + 3600]);`);
      assert.ok(await opens(sameSiteControl), 'the same made for this site opens (the control)');
      // Another site's own pass: the same shape, signed with other salts.
      const otherSalts = wordpress.php(`echo rtrim(strtr(base64_encode(hash_hmac('sha256', 'iamport-verify guest pass v1' . "\\0" . '${payload}', 'another site\\'s salt', true)), '+/', '-_'), '=');`);
      assert.equal(await opens(`${payload}.${otherSalts}`), false, 'a pass signed with another site\'s salts');

      // The session ends: the pass holds 12 hours at most, even in a browser that keeps its session.
      await moveClock(context, 11 * HOUR_SECONDS);
      await page.goto(posts.whole.link);
      assert.ok((await page.locator('body').innerText()).includes(SECRET.wholePost), '11 hours on: still open');
      await moveClock(context, 13 * HOUR_SECONDS);
      await page.goto(posts.whole.link);
      assert.equal(await gateCount(page), 1, '13 hours on: the gate again');
      assert.ok(!(await html(page)).includes(SECRET.wholePost));
    });
  });

  test('an attestation opens gates once, and only from the site\'s own pages: the same token sent again, or sent from another site, is refused', async () => {
    await withPage(async (page) => {
      await page.goto(posts.whole.link);
      const selector = '.iamport-verify-gate iamport-verify';
      await waitForState(page, 'ready', selector);
      // Keep the page from sending the token itself: the test sends it, twice.
      await page.evaluate(() => document.addEventListener('iamport-verified', (event) => event.stopImmediatePropagation(), { capture: true }));
      await verifyAs(page, 'adult', selector);
      await waitForState(page, 'verified', selector);
      const token = await page.evaluate((sel) => document.querySelector(sel).token, selector);
      const send = () => fetch(`${wordpress.origin}/wp-json/iamport-verify/v1/pass`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, rule: 'min_year_age', age: 19 }),
      });
      // From another site's page (a form post there carries its Origin): refused, no pass, the token not spent.
      const crossSite = await fetch(`${wordpress.origin}/wp-json/iamport-verify/v1/pass`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://attacker.example' },
        body: new URLSearchParams({ token, rule: 'min_year_age', age: '19' }),
      });
      assert.equal(crossSite.status, 403);
      assert.equal((await crossSite.json()).code, 'iamport_verify_cross_site');
      assert.equal(crossSite.headers.get('set-cookie'), null);
      const first = await send();
      assert.equal(first.status, 200);
      assert.match(first.headers.get('set-cookie'), /iamport_verify_pass=/);
      const second = await send();
      assert.equal(second.status, 409);
      assert.equal((await second.json()).code, 'iamport_verify_already_used');
    });
  });
});

describe('members', () => {
  test('a member verifies at the gate: the proof is kept on the account (no personal data) and holds for the re-verification period', async () => {
    await withPage(async (page, context) => {
      await logIn(page, members.first);
      await page.goto(posts.whole.link);
      assert.equal(await gateCount(page), 1);
      assert.match(await page.locator('.iamport-verify-gate').innerText(), /kept on your account for 365 days/);
      await verifyAtGate(page, 'adult');
      assert.ok((await page.locator('body').innerText()).includes(SECRET.wholePost));
      assert.equal((await context.cookies()).some((cookie) => cookie.name === PASS_COOKIE), false, 'a member gets no guest pass');

      const proof = userMeta(members.first.login, 'iamport_verify_proof');
      for (const part of ['"rule";s:12:"min_year_age"', '"age";i:19', '"verified_at";i:', '"jti";s:']) assert.ok(proof.includes(part), `${part} in ${proof}`);
      assert.ok(userMeta(members.first.login, 'iamport_verify_sub'), 'the sub is linked');

      // Verified yesterday: still open. Verified 366 days ago: the gate again (the period is 365 days).
      await moveClock(context, DAY_SECONDS);
      await page.goto(posts.whole.link);
      assert.ok((await page.locator('body').innerText()).includes(SECRET.wholePost), 'a day on: still open');
      await moveClock(context, 366 * DAY_SECONDS);
      await page.goto(posts.whole.link);
      assert.equal(await gateCount(page), 1, '366 days on: the gate again');
      assert.ok(!(await html(page)).includes(SECRET.wholePost));

      // Verifying again renews it.
      await verifyAtGate(page, 'adult');
      assert.ok((await page.locator('body').innerText()).includes(SECRET.wholePost), 'verified again: open');
      assert.equal(userMeta(members.first.login, 'iamport_verify_renewals'), '1');
    });
  });

  test('an existing member links a verification from the profile; a person already on another account is refused', async () => {
    await withPage(async (page) => {
      await logIn(page, members.second);
      await page.goto(`${wordpress.origin}/wp-admin/profile.php`);
      assert.match(await page.locator('#iamport-verify-status').innerText(), /Not verified/);
      await verifyAtGate(page, 'guardian');
      assert.match(await page.locator('#iamport-verify-status').innerText(), /19\+ \(year rule\), verified on/);
      await page.goto(posts.whole.link);
      assert.ok((await page.locator('body').innerText()).includes(SECRET.wholePost), 'linked from the profile: the gate is open');

      // The account is this person's now: someone else cannot verify on it.
      await page.goto(`${wordpress.origin}/wp-admin/profile.php`);
      await waitForState(page, 'ready', '.iamport-verify-gate iamport-verify');
      await verifyAs(page, 'foreigner', '.iamport-verify-gate iamport-verify');
      await page.waitForFunction(() => document.querySelector('.iamport-verify-gate-status').textContent !== '', null, { timeout: 30_000 });
      assert.match(await page.locator('.iamport-verify-gate-status').innerText(), /linked to another person's verification/);
    });
    await withPage(async (page) => {
      await logIn(page, members.third);
      await page.goto(`${wordpress.origin}/wp-admin/profile.php`);
      const selector = '.iamport-verify-gate iamport-verify';
      await waitForState(page, 'ready', selector);
      await verifyAs(page, 'guardian', selector);
      await page.waitForFunction(() => document.querySelector('.iamport-verify-gate-status').textContent !== '', null, { timeout: 30_000 });
      assert.match(await page.locator('.iamport-verify-gate-status').innerText(), /already linked to another account/);
      assert.equal(userMeta(members.third.login, 'iamport_verify_sub'), undefined, 'nothing linked');
      await page.goto(posts.whole.link);
      assert.equal(await gateCount(page), 1);
    });
  });

  test('an editor reads and previews restricted content without verifying; a subscriber\'s preview is the gate', async () => {
    await withPage(async (page) => {
      await logIn(page, wordpress.admin);
      await page.goto(posts.whole.link);
      assert.ok((await page.locator('body').innerText()).includes(SECRET.wholePost));
      await page.goto(`${wordpress.origin}/?p=${posts.whole.id}&preview=true`);
      assert.ok((await page.locator('body').innerText()).includes(SECRET.wholePost));
    });
    await withPage(async (page) => {
      await logIn(page, members.reader);
      await page.goto(`${wordpress.origin}/?p=${posts.whole.id}&preview=true`);
      assert.equal(await gateCount(page), 1);
      assert.ok(!(await html(page)).includes(SECRET.wholePost));
    });
  });
});

describe('authors and administrators', () => {
  test('a shortcode\'s attributes are the author\'s: only the age rule is taken, and an invalid one is still a 19+ gate', () => {
    const rendered = wordpress.php(`echo do_shortcode('[iamport_verify_gate min_age="abc" endpoint="https://evil.example" sdk_src="https://evil.example/x.js" onclick="alert(1)"]${SECRET.shortcode}[/iamport_verify_gate]');`);
    assert.ok(!rendered.includes(SECRET.shortcode), 'the inside is withheld');
    assert.match(rendered, / min-year-age="19"/, `an invalid rule is the Youth Protection Act's 19: ${rendered}`);
    assert.ok(rendered.includes(` endpoint="${verifier.origin}"`) && !rendered.includes('evil.example') && !rendered.includes('onclick'), rendered);
  });

  test('a category restricted on its page (with its nonce) gates its posts; set back to none, it opens them', async () => {
    const postId = Number(wordpress.php(`echo wp_insert_post(['post_title' => 'webtoon-episode', 'post_content' => '<p>webtoon-secret-77aa</p>', 'post_status' => 'publish'], true);`));
    await withPage(async (page) => {
      await logIn(page, wordpress.admin);
      await page.goto(`${wordpress.origin}/wp-admin/edit-tags.php?taxonomy=category`);
      await page.fill('#tag-name', 'Webtoon 19');
      await page.check('#addtag input[name="iamport_verify_gate_rule"][value="min_age"]');
      await page.fill('#addtag input[name="iamport_verify_gate_age"]', '20');
      await page.click('#submit');
      await page.waitForSelector('#the-list tr:has-text("Webtoon 19")');
      const termId = Number(sql(`SELECT term_id FROM wp_terms WHERE name = 'Webtoon 19'`)[0][0]);
      assert.equal(sql(`SELECT meta_value FROM wp_termmeta WHERE term_id = ${termId} AND meta_key = 'iamport_verify_gate'`)[0]?.[0], 'min_age:20');
      wordpress.php(`wp_set_post_categories(${postId}, [${termId}]);`);
      const link = wordpress.php(`echo get_permalink(${postId});`);
      const guestSees = async () => (await (await fetch(link)).text());
      assert.ok(!(await guestSees()).includes('webtoon-secret-77aa'), 'its post is gated');
      assert.match(await guestSees(), /min-age="20"/);

      await page.goto(`${wordpress.origin}/wp-admin/term.php?taxonomy=category&tag_ID=${termId}`);
      assert.equal(await page.isChecked('input[name="iamport_verify_gate_rule"][value="min_age"]'), true, 'the edit page shows the restriction');
      await page.check('input[name="iamport_verify_gate_rule"][value="none"]');
      await Promise.all([page.waitForNavigation(), page.click('#edittag [type=submit].button-primary')]);
      assert.equal(sql(`SELECT COUNT(*) FROM wp_termmeta WHERE term_id = ${termId} AND meta_key = 'iamport_verify_gate'`)[0][0], '0');
      assert.ok((await guestSees()).includes('webtoon-secret-77aa'), 'opened again');
    });
  });

  test('in the block editor: the post\'s box saves its restriction, and the block is there to restrict a part', async () => {
    const postId = Number(wordpress.php(`echo wp_insert_post(['post_title' => 'draft-in-editor', 'post_content' => '<!-- wp:paragraph --><p>editor-secret-31fe</p><!-- /wp:paragraph -->', 'post_status' => 'publish'], true);`));
    await withPage(async (page) => {
      await logIn(page, wordpress.admin);
      // No welcome guide over the editor.
      wordpress.php(`update_user_meta(1, 'wp_persisted_preferences', ['core/edit-post' => ['welcomeGuide' => false], '_modified' => gmdate('c')]);`);
      await page.goto(`${wordpress.origin}/wp-admin/post.php?post=${postId}&action=edit`);
      await page.waitForFunction(() => window.wp?.blocks?.getBlockType('iamport-verify/gate'), null, { timeout: 60_000 });
      assert.equal(await page.evaluate(() => wp.blocks.getBlockType('iamport-verify/gate').title), 'Age-restricted content');
      const saved = await page.evaluate(() => {
        const { createBlock } = wp.blocks;
        wp.data.dispatch('core/block-editor').insertBlocks(createBlock('iamport-verify/gate', { rule: 'min_age', age: 20 }, [createBlock('core/paragraph', { content: 'block-inner-secret-5c1d' })]));
        return wp.data.select('core/editor').getEditedPostContent();
      });
      assert.match(saved, /<!-- wp:iamport-verify\/gate {"rule":"min_age","age":20} -->[\s\S]*block-inner-secret-5c1d[\s\S]*<!-- \/wp:iamport-verify\/gate -->/);
      await page.waitForSelector('.iamport-verify-gate-editor-summary:has-text("20 or older")');

      // The box is in the post's sidebar, under its own panel.
      await page.evaluate(() => wp.data.dispatch('core/edit-post').openGeneralSidebar('edit-post/document'));
      const radio = page.locator('#iamport-verify-gate input[name="iamport_verify_gate_rule"][value="min_year_age"]');
      if (!(await radio.isVisible())) await page.getByRole('button', { name: 'Age restriction' }).click();
      await radio.check();
      const metaBoxesSent = page.waitForRequest((request) => request.url().includes('meta-box-loader=1'), { timeout: 60_000 });
      // What the Update button does: save the post, then the meta boxes' form (post.php?meta-box-loader=1).
      await page.evaluate(() => wp.data.dispatch('core/editor').savePost());
      await (await metaBoxesSent).response();
    });
    assert.equal(sql(`SELECT meta_value FROM wp_postmeta WHERE post_id = ${postId} AND meta_key = '_iamport_verify_gate'`)[0]?.[0], 'min_year_age:19');
    const guest = await (await fetch(`${wordpress.origin}/?p=${postId}`)).text();
    assert.ok(!guest.includes('editor-secret-31fe') && !guest.includes('block-inner-secret-5c1d'), 'the saved post is gated');
  });

  test('Users shows each member\'s proof (rule, age, date), the settings page counts them, and nothing personal appears', async () => {
    await withPage(async (page) => {
      await logIn(page, wordpress.admin);
      await page.goto(`${wordpress.origin}/wp-admin/users.php`);
      const row = (login) => page.locator(`#the-list tr:has(a:text-is("${login}")) td.column-iamport_verify`).innerText();
      assert.match(await row(members.first.login), /^19\+ \(year rule\), verified on /);
      assert.match(await row(members.second.login), /^19\+ \(year rule\), verified on /);
      assert.equal(await row(members.third.login), 'Not verified');
      await page.goto(`${wordpress.origin}/wp-admin/options-general.php?page=iamport-verify`);
      // hoewon1 verified and verified again, hoewon2 linked from the profile (the members tests above).
      assert.equal(await page.locator('#iamport-verify-counts').innerText(), 'Members verified: 2 (current: 2). Verified again: 1.');
      assert.equal(await page.locator('[name="iamport_verify_settings[reverify_days]"]').inputValue(), '365');
      const text = await page.locator('body').innerText();
      for (const personal of ['김테스트', '조보호', '01000000001', 'TEST FOREIGNER']) assert.ok(!text.includes(personal));
    });
  });
});

describe('screenshots', () => {
  // For the README, from the real thing: every run takes them (into test/e2e/.artifacts/screenshots/, git-ignored);
  // `UPDATE_SCREENSHOTS=1` writes the committed ones in docs/screenshots/, as test/e2e/screenshots.test.mjs does.
  const SCREENSHOTS = new URL(process.env.UPDATE_SCREENSHOTS ? '../../docs/screenshots/' : '../e2e/.artifacts/screenshots/', import.meta.url);
  const VIEWPORT = { width: 900, height: 900 };
  /** Twenty Twenty-One's background in each scheme, to prove the scheme took effect. */
  const BACKGROUND = { light: 'rgb(209, 228, 221)', dark: 'rgb(40, 48, 61)' };

  let shown;
  before(() => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    shown = JSON.parse(wordpress.php(`
      $id = wp_insert_post(['post_title' => 'Episode 12: After Midnight', 'post_author' => 1, 'post_status' => 'publish',
          'post_content' => '<p>The city was quiet when Mina closed the bar.</p><p>She counted the glasses twice, then once more.</p>'], true);
      update_post_meta($id, '_iamport_verify_gate', 'min_year_age:19');
      echo wp_json_encode(['id' => $id, 'link' => get_permalink($id)]);
    `));
    // Twenty Twenty-One follows the visitor's colour scheme once this is on (Customizer → Colors → Dark Mode support).
    wordpress.php(`set_theme_mod('respect_user_color_preference', true);`);
  });

  for (const colorScheme of ['light', 'dark']) {
    test(`a 19+ post before and after the verification, ${colorScheme}`, async () => {
      const context = await browser.newContext({ locale: 'en-US', colorScheme, viewport: VIEWPORT });
      try {
        await recordEvents(context);
        const page = await context.newPage();
        await page.goto(shown.link);
        await waitForState(page, 'ready', '.iamport-verify-gate iamport-verify');
        assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), BACKGROUND[colorScheme]);
        // The theme's own dark-mode switch floats over the post's corner.
        await page.addStyleTag({ content: '#dark-mode-toggler { display: none !important; }' });
        const article = page.locator(`#post-${shown.id}`);
        assert.ok(!(await page.content()).includes('She counted the glasses'));
        await page.mouse.move(0, 0);
        await article.screenshot({ path: new URL(`wordpress-gate-before-${colorScheme}.png`, SCREENSHOTS).pathname, animations: 'disabled', caret: 'hide' });
        await verifyAtGate(page, 'adult');
        assert.ok((await article.innerText()).includes('She counted the glasses'));
        await page.addStyleTag({ content: '#dark-mode-toggler { display: none !important; }' });
        await page.mouse.move(0, 0);
        await article.screenshot({ path: new URL(`wordpress-gate-after-${colorScheme}.png`, SCREENSHOTS).pathname, animations: 'disabled', caret: 'hide' });
      } finally {
        await context.close();
      }
    });
  }
});
