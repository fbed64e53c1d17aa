// A verifier that is down, in real WordPress: its address accepts connections and never answers (as a
// dropped route or a hung server does), so each of WordPress's requests to it waits out its timeout.
// WordPress must remember that for a short while instead of making every registration wait, and must
// still refuse every registration meanwhile (fail closed).
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, importJWK } from 'jose';
import { startWordPress } from '../support/wordpress.mjs';
import { freePort } from '../e2e/support.mjs';

const INTROSPECTION_COOKIE = 'iamport_test_introspection';
/** The test site chooses introspection (as a site without openssl would) when asked by cookie. */
const TEST_SITE_PLUGIN = `<?php
if (isset($_COOKIE['${INTROSPECTION_COOKIE}'])) {
    define('IAMPORT_VERIFY_INTROSPECTION', true);
}
`;
/** Registrations sent while the verifier is remembered unreachable. */
const WHILE_REMEMBERED = 3;

let wordpress;
/** The verifier's address: it counts the connections WordPress opens and leaves every one of them hanging. */
let silent;

before(async () => {
  const sockets = new Set();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  silent = {
    origin: `http://127.0.0.1:${server.address().port}`,
    connections: () => connections,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
  wordpress = await startWordPress({
    port: await freePort(),
    settings: {
      verifier_url: silent.origin, provider: 'iamport', imp_code: 'imp00000000', channel_key: '', store_id: '',
      age_rule: 'min_age', age: 19, require_on_registration: true, one_account_per_person: true,
    },
    muPlugins: { 'test-site': TEST_SITE_PLUGIN },
  });
});

after(async () => {
  await wordpress?.stop();
  await silent?.close();
});

/** Each test starts with a verifier WordPress has not yet found unreachable. */
beforeEach(() => forgetUnreachable());

/** As if the memory's time had passed: WordPress's transients keep their expiry in an option of their own. */
function forgetUnreachable() {
  wordpress.php(`global $wpdb; $wpdb->query($wpdb->prepare("UPDATE {$wpdb->options} SET option_value = '1' WHERE option_name LIKE %s",
    $wpdb->esc_like('_transient_timeout_iamport_verify_unreachable_') . '%'));`);
}

/** A well-formed attestation for this site from the configured verifier, under a key WordPress must fetch to check. */
async function token() {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: silent.origin, aud: wordpress.origin, sub: 'someone-0000000000000000000000000000000000', iat: now, nbf: now, exp: now + 600,
    jti: 'unreachable', merchant_uid: 'unreachable', age_over: 19, verified_at: now, provider: 'iamport', imp_uid: 'imp_000000000',
  }).setProtectedHeader({ alg: 'ES256', typ: 'iamport-verify+jwt', kid: 'a-key-never-fetched' }).sign(await importJWK(await exportJWK(privateKey), 'ES256'));
}

/** POST the registration form as a browser would; resolves to WordPress's answer and how long it took. */
async function register(login, cookie = '') {
  const started = Date.now();
  const response = await fetch(`${wordpress.origin}/wp-login.php?action=register`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ user_login: login, user_email: `${login}@example.invalid`, iamport_verify_token: await token(), 'wp-submit': 'Register' }),
  });
  return { status: response.status, body: await response.text(), milliseconds: Date.now() - started };
}

const accountExists = (login) => wordpress.php(`echo username_exists(${JSON.stringify(login)}) ? 'yes' : 'no';`) === 'yes';

/**
 * One registration finds the verifier unreachable (one connection), the next ones do not ask it again and are
 * refused all the same; once the memory has passed, it is asked again.
 */
async function rememberedAndRefused(t, mode, cookie) {
  const before = silent.connections();
  const answers = [];
  for (let index = 0; index <= WHILE_REMEMBERED; index++) {
    const login = `${mode}-${index}`;
    const answer = await register(login, cookie);
    assert.equal(answer.status, 200, `${login}: the form is shown again`);
    assert.match(answer.body, /The identity verification service could not be reached/, login);
    assert.ok(!accountExists(login), `${login}: no account`);
    answers.push(answer);
  }
  t.diagnostic(`${mode}: the first registration took ${answers[0].milliseconds} ms, the next ${answers.slice(1).map((answer) => answer.milliseconds).join(', ')} ms`);
  assert.equal(silent.connections() - before, 1, `one connection for ${WHILE_REMEMBERED + 1} registrations`);

  forgetUnreachable();
  const later = await register(`${mode}-later`, cookie);
  assert.match(later.body, /could not be reached/);
  assert.equal(silent.connections() - before, 2, 'asked again once the memory passed');
}

describe('a verifier that does not answer', () => {
  test('checking signatures: WordPress asks it for its keys once, remembers it is unreachable, and refuses every registration meanwhile', async (t) => {
    await rememberedAndRefused(t, 'signature', '');
  });

  test('with introspection: the same, for the verifier\'s POST /v1/introspect', async (t) => {
    await rememberedAndRefused(t, 'introspection', `${INTROSPECTION_COOKIE}=1`);
  });
});
