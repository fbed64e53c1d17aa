// How the recipes in other languages keep the verifier's public keys: each runs as a long-running
// worker (tokens on stdin) against a JWKS server this test controls, with tokens signed here by
// keys made here. Unknown kids must not make a recipe hammer the JWKS; a key the JWKS stops
// listing must stop verifying once the recipe's cache time (shortened by JWKS_MAX_AGE_SECONDS) has passed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { signES256 } from '../support/forgeries.mjs';
import { buildGoRecipe, ensurePackages, PHP, PHP_WITHOUT_CURL, startRecipe } from './support.mjs';

const SITE = 'https://shop.example';
/** The cache time the tests give the recipes, instead of their default of ten minutes. */
const SHORT_MAX_AGE_SECONDS = 1;
/** How many tokens with kids the JWKS does not list a test sends in a row. */
const UNKNOWN_KID_TOKENS = 5;

const buildDirectory = mkdtempSync(join(tmpdir(), 'iamport-verify-jwks-cache-'));

/** A signing key of the verifier's kind, with its kid. */
function makeKey(kid) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, privateKey, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' } };
}

/** The JWKS the recipes fetch: which keys it lists is the test's to change; it counts its requests. */
const jwks = { listed: [], requests: 0, down: false, server: undefined, issuer: '' };

/** A token as the verifier at `jwks.issuer` would sign it for SITE, under `key`. */
function tokenFrom(key) {
  const now = Math.floor(Date.now() / 1000);
  return signES256(
    { alg: 'ES256', typ: 'iamport-verify+jwt', kid: key.kid },
    { iss: jwks.issuer, aud: SITE, sub: 'pairwise-subject', iat: now, nbf: now, exp: now + 600, jti: randomUUID(), provider: 'iamport' },
    key.privateKey,
  );
}

const RECIPES = {
  'PHP (HttpJwks; HTTP through ext-curl)': PHP,
  'PHP (HttpJwks; HTTP through PHP\'s streams)': PHP_WITHOUT_CURL,
  'Python (PyJWT)': ['/usr/bin/python3', 'examples/verify_attestation.py'],
  'Go (golang-jwt)': [join(buildDirectory, 'verify_attestation')],
  'Ruby (ruby-jwt)': ['ruby', 'examples/verify_attestation.rb'],
};

before(async () => {
  ensurePackages();
  buildGoRecipe(buildDirectory);
  jwks.server = createServer((request, response) => {
    if (request.url !== '/.well-known/jwks.json') return response.writeHead(404).end();
    jwks.requests++;
    if (jwks.down) return response.writeHead(503).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: jwks.listed.map((key) => key.publicJwk) }));
  });
  await new Promise((resolve) => jwks.server.listen(0, '127.0.0.1', resolve));
  jwks.issuer = `http://127.0.0.1:${jwks.server.address().port}`;
});

after(() => {
  jwks.server?.close();
  rmSync(buildDirectory, { recursive: true, force: true });
});

for (const [language, command] of Object.entries(RECIPES)) {
  describe(language, () => {
    test('fetches the JWKS once, however many tokens carry kids it does not list (at most one refetch a minute)', async () => {
      const published = makeKey(`published-${randomUUID()}`);
      jwks.listed = [published];
      const requestsBefore = jwks.requests;
      const recipe = startRecipe(command, { ISSUER: jwks.issuer, SITE_ORIGIN: SITE });
      try {
        assert.equal(await recipe.check(tokenFrom(published)), 'valid');
        for (let i = 0; i < UNKNOWN_KID_TOKENS; i++) {
          assert.equal(await recipe.check(tokenFrom(makeKey(`made-up-${i}`))), 'unknown_key');
        }
        assert.equal(await recipe.check(tokenFrom(published)), 'valid');
      } finally {
        await recipe.stop();
      }
      assert.equal(jwks.requests - requestsBefore, 1);
    });

    test('stops verifying a key the JWKS no longer lists once its cache time has passed, and takes up the new one', async () => {
      const [withdrawn, successor] = [makeKey(`withdrawn-${randomUUID()}`), makeKey(`successor-${randomUUID()}`)];
      jwks.listed = [withdrawn];
      const recipe = startRecipe(command, { ISSUER: jwks.issuer, SITE_ORIGIN: SITE, JWKS_MAX_AGE_SECONDS: String(SHORT_MAX_AGE_SECONDS) });
      try {
        assert.equal(await recipe.check(tokenFrom(withdrawn)), 'valid');
        // A rotation: the verifier signs with the successor and no longer publishes the withdrawn key.
        jwks.listed = [successor];
        await sleep(SHORT_MAX_AGE_SECONDS * 1000 + 200);
        assert.equal(await recipe.check(tokenFrom(withdrawn)), 'unknown_key');
        assert.equal(await recipe.check(tokenFrom(successor)), 'valid');
      } finally {
        await recipe.stop();
      }
    });
  });
}

// PHP serves each request with fresh objects: a site shares one download through a JwksCache on its own cache
// (the WordPress plugin: transients; the Gnuboard add-on: its file cache). Here each check is its own PHP
// process, with HttpJwks on a cache in a file, as a framework's would be.
const PHP_REQUEST_WITH_SHARED_CACHE = `
require 'plugins/wordpress/iamport-verify/src/autoload.php';
final class FileCache implements IamportVerify\\JwksCache {
    public function get(): mixed { return is_file(getenv('CACHE_FILE')) ? unserialize(file_get_contents(getenv('CACHE_FILE'))) : null; }
    public function set(array $entry): void { file_put_contents(getenv('CACHE_FILE'), serialize($entry)); }
}
$keys = new IamportVerify\\HttpJwks(getenv('ISSUER'), maxAgeSeconds: (int) getenv('JWKS_MAX_AGE_SECONDS'), cache: new FileCache());
try {
    (new IamportVerify\\AttestationVerifier(getenv('ISSUER'), getenv('SITE_ORIGIN'), $keys))->verify($argv[1]);
    echo 'valid';
} catch (IamportVerify\\AttestationError $error) {
    echo $error->getCode();
}`;

describe('PHP (HttpJwks on a JwksCache shared by requests)', () => {
  /** One PHP request checking one token, with the cache in `cacheFile`; answers `valid` or the error code. */
  async function checkInOwnRequest(token, cacheFile, maxAgeSeconds = 600) {
    // Asynchronously: the JWKS server PHP asks runs in this process.
    const { stdout, stderr } = await promisify(execFile)('php', ['-r', PHP_REQUEST_WITH_SHARED_CACHE, '--', token], {
      env: { ...process.env, ISSUER: jwks.issuer, SITE_ORIGIN: SITE, CACHE_FILE: cacheFile, JWKS_MAX_AGE_SECONDS: String(maxAgeSeconds) },
    });
    assert.equal(stderr, '', 'PHP printed no error');
    return stdout.trim();
  }

  test('requests share one download, and unknown kids in other requests refetch at most once a minute', async () => {
    const cacheFile = join(buildDirectory, `cache-${randomUUID()}`);
    const published = makeKey(`published-${randomUUID()}`);
    jwks.listed = [published];
    const requestsBefore = jwks.requests;
    assert.equal(await checkInOwnRequest(tokenFrom(published), cacheFile), 'valid');
    assert.equal(await checkInOwnRequest(tokenFrom(published), cacheFile), 'valid');
    for (let i = 0; i < UNKNOWN_KID_TOKENS; i++) {
      assert.equal(await checkInOwnRequest(tokenFrom(makeKey(`made-up-${i}`)), cacheFile), 'unknown_key');
    }
    assert.equal(await checkInOwnRequest(tokenFrom(published), cacheFile), 'valid');
    // The first request fetched; the unknown kids came within a minute of that fetch, so none refetched.
    assert.equal(jwks.requests - requestsBefore, 1, `JWKS requests for ${UNKNOWN_KID_TOKENS + 3} PHP requests`);
  });

  test('the last keys fetched still answer in a later request while the JWKS is down, past their cache time', async () => {
    const cacheFile = join(buildDirectory, `cache-${randomUUID()}`);
    const published = makeKey(`published-${randomUUID()}`);
    jwks.listed = [published];
    assert.equal(await checkInOwnRequest(tokenFrom(published), cacheFile, SHORT_MAX_AGE_SECONDS), 'valid');
    jwks.down = true;
    try {
      await sleep(SHORT_MAX_AGE_SECONDS * 1000 + 200);
      const requestsBefore = jwks.requests;
      assert.equal(await checkInOwnRequest(tokenFrom(published), cacheFile, SHORT_MAX_AGE_SECONDS), 'valid');
      assert.equal(jwks.requests - requestsBefore, 1, 'the stale set was asked for again, once');
    } finally {
      jwks.down = false;
    }
  });

  test('with no keys ever fetched, a JWKS that is down refuses the token as jwks_unavailable (fail closed)', async () => {
    const cacheFile = join(buildDirectory, `cache-${randomUUID()}`);
    jwks.down = true;
    try {
      assert.equal(await checkInOwnRequest(tokenFrom(makeKey(`any-${randomUUID()}`)), cacheFile), 'jwks_unavailable');
    } finally {
      jwks.down = false;
    }
  });
});
