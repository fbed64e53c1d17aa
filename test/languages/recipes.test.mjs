// Backends in other languages: each recipe in examples/, written as a user would with the
// ecosystem's stock JWT library, runs against tokens the running verifier issued and against
// the shared forgeries (test/support/forgeries.mjs), and must judge each as the Node kit does.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVerifier } from '../e2e/support.mjs';
import { POLICY_MIN_AGE, attestationCases, partsOf, signEncoded } from '../support/forgeries.mjs';
import { buildGoRecipe, ensurePackages, issueToken, PHP, PHP_WITHOUT_CURL, runRecipe } from './support.mjs';

const root = new URL('../../', import.meta.url).pathname;
const buildDirectory = mkdtempSync(join(tmpdir(), 'iamport-verify-recipes-'));

/** Each recipe prints `valid <claims>` or `refused <code>` per token argument. */
const RECIPES = {
  // First the kit itself: the forgeries' expected codes are its own.
  'Node (iamport-verify/server)': ['node', 'test/languages/node-kit.mjs'],
  'PHP (AttestationVerifier; HTTP through ext-curl)': PHP,
  'PHP (AttestationVerifier; HTTP through PHP\'s streams)': PHP_WITHOUT_CURL,
  'Python (PyJWT)': ['/usr/bin/python3', 'examples/verify_attestation.py'],
  'Go (golang-jwt)': [join(buildDirectory, 'verify_attestation')],
  'Ruby (ruby-jwt)': ['ruby', 'examples/verify_attestation.rb'],
};

let verifier;
let cases;
let tokens;

before(async () => {
  ensurePackages();
  buildGoRecipe(buildDirectory);
  verifier = await startVerifier();
  tokens = {
    token: await issueToken(verifier, { minAge: POLICY_MIN_AGE }),
    over14: await issueToken(verifier, { minAge: 14 }),
    noAge: await issueToken(verifier),
    nonceA: await issueToken(verifier, { minAge: POLICY_MIN_AGE, nonce: 'session-a' }),
    nonceB: await issueToken(verifier, { minAge: POLICY_MIN_AGE, nonce: 'session-b' }),
    // 만 18 and 19 by the year rule: born on 31 December nineteen years ago.
    yearAge: await issueToken(verifier, { person: 'year_age_19', minYearAge: POLICY_MIN_AGE }),
    // Under-14 consent: a 10-year-old with an adult guardian, and a 17-year-old past the step.
    childWithGuardian: await issueToken(verifier, { person: 'child_10', guardianUnder: 14, guardian: 'guardian' }),
    over14ByGuardianRule: await issueToken(verifier, { person: 'minor_17', guardianUnder: 14 }),
  };
  const [signingKey] = JSON.parse(verifier.settings.SIGNING_KEYS);
  cases = attestationCases(tokens, signingKey);
});

after(async () => {
  await verifier?.stop();
  rmSync(buildDirectory, { recursive: true, force: true });
});

const policy = () => ({ ISSUER: verifier.origin, SITE_ORIGIN: verifier.origin, MIN_AGE: String(POLICY_MIN_AGE) });

/** Every case's verdict by name, from one run of the recipe, beside what the kit would say. */
function judge(command, env = {}) {
  const outcomes = runRecipe(command, cases.map((c) => c.token), { ...policy(), ...env });
  const got = Object.fromEntries(cases.map((c, i) => [c.name, outcomes[i].verdict]));
  const wanted = Object.fromEntries(cases.map((c) => [c.name, c.expected]));
  return { got, wanted, outcomes };
}

for (const [language, command] of Object.entries(RECIPES)) {
  describe(language, () => {
    test('accepts the verifier\'s own token and refuses every forgery, each with the kit\'s code', () => {
      const { got, wanted, outcomes } = judge(command);
      assert.deepEqual(got, wanted);
      const realSub = partsOf(tokens.token).claims.sub;
      assert.equal(outcomes[0].claims.sub, realSub);
    });

    test('asks for the nonce the site gave the tag when told to', () => {
      const outcomes = runRecipe(command, [tokens.nonceA, tokens.nonceB, tokens.token], { ...policy(), NONCE: 'session-a' });
      assert.deepEqual(outcomes.map((o) => o.verdict), ['valid', 'nonce_mismatch', 'nonce_mismatch']);
    });
  });
}

describe('the year rule (min_year_age, claim year_age_over) and 만 나이 (min_age, claim age_over)', () => {
  for (const [language, command] of Object.entries(RECIPES)) {
    test(`${language} never takes one rule for the other`, () => {
      const { MIN_AGE: _, ...withoutAge } = policy();
      const byYear = runRecipe(command, [tokens.yearAge, tokens.token], { ...withoutAge, MIN_YEAR_AGE: String(POLICY_MIN_AGE) });
      assert.deepEqual(byYear.map((o) => o.verdict), ['valid', 'age_too_low']);
      const byAge = runRecipe(command, [tokens.yearAge, tokens.token], policy());
      assert.deepEqual(byAge.map((o) => o.verdict), ['age_too_low', 'valid']);
    });
  }
});

describe('under-14 consent (guardian_under: age_over, or age_under with an adult guardian)', () => {
  /** Each token, by what it is, and what a site asking guardian_under=14 must make of it. */
  function guardianCases() {
    const [signingKey] = JSON.parse(verifier.settings.SIGNING_KEYS);
    const ours = createPrivateKey({ key: signingKey, format: 'jwk' });
    const { claims } = partsOf(tokens.childWithGuardian);
    const [header] = tokens.childWithGuardian.split('.');
    const { guardian: _, ...childAlone } = claims;
    const signed = (payload) => signEncoded(header, Buffer.from(JSON.stringify(payload)).toString('base64url'), ours);
    return {
      'a child with an adult guardian': [tokens.childWithGuardian, 'valid'],
      '17, by the same rule': [tokens.over14ByGuardianRule, 'valid'],
      '19, by 만 나이': [tokens.token, 'valid'],
      'a token with no age': [tokens.noAge, 'guardian_missing'],
      'a child without the guardian, under our signature': [signed(childAlone), 'guardian_missing'],
      'a child whose guardian is 18': [signed({ ...claims, guardian: { ...claims.guardian, age_over: 18 } }), 'guardian_missing'],
      'a guardian with an empty sub': [signed({ ...claims, guardian: { ...claims.guardian, sub: '' } }), 'guardian_missing'],
      'a child under a higher age than asked': [signed({ ...claims, age_under: 19 }), 'guardian_missing'],
    };
  }

  const runs = [
    ...Object.entries(RECIPES).map(([language, command]) => [language, command, {}]),
    ['PHP (IntrospectionVerifier, POST /v1/introspect with guardian_under)', PHP, { INTROSPECT: '1' }],
  ];
  for (const [language, command, env] of runs) {
    test(`${language} accepts a child with a guardian and anyone old enough, and refuses a child alone or with a minor as guardian`, () => {
      const candidates = guardianCases();
      const { MIN_AGE: _, ...withoutAge } = policy();
      const outcomes = runRecipe(command, Object.values(candidates).map(([token]) => token), { ...withoutAge, GUARDIAN_UNDER: '14', ...env });
      // RFC 7662: introspection says only "not active", never why.
      const expected = ([, verdict]) => (env.INTROSPECT && verdict !== 'valid' ? 'invalid_token' : verdict);
      assert.deepEqual(
        Object.fromEntries(Object.keys(candidates).map((name, i) => [name, outcomes[i].verdict])),
        Object.fromEntries(Object.entries(candidates).map(([name, candidate]) => [name, expected(candidate)])),
      );
    });
  }
});

describe('PHP\'s own parsing (no JOSE library under it)', () => {
  test('refuses non-canonical base64url, parts that are not JSON objects, and oversized tokens, all under our signature', () => {
    const [signingKey] = JSON.parse(verifier.settings.SIGNING_KEYS);
    const ours = createPrivateKey({ key: signingKey, format: 'jwk' });
    const [header, payload, signature] = tokens.token.split('.');
    const encode = (text) => Buffer.from(text).toString('base64url');
    // 64 bytes are 86 characters whose last carries 2 unused bits: setting one keeps the bytes, changes the text.
    const lastIndex = ALPHABET.indexOf(signature.at(-1));
    const odd = {
      'the signature with = padding': `${header}.${payload}.${signature}==`,
      'the signature with unused bits set': `${header}.${payload}.${signature.slice(0, -1)}${ALPHABET[lastIndex | 1]}`,
      // Six "?" hold an aligned "???", which base64 writes "Pz8/": standard base64, signed as it is.
      'a payload in standard base64': signEncoded(header, Buffer.from(JSON.stringify({ ...partsOf(tokens.token).claims, note: '??????' })).toString('base64').replace(/=+$/, ''), ours),
      'a space before the token': ` ${tokens.token}`,
      'a header that is a JSON list': signEncoded(encode('["ES256","iamport-verify+jwt"]'), payload, ours),
      'a payload that is a JSON list': signEncoded(header, encode('[]'), ours),
      'a payload that is not JSON': signEncoded(header, encode('{"sub":'), ours),
      'a payload that is JSON null': signEncoded(header, encode('null'), ours),
      'a token of 5000 characters': signEncoded(header, encode(JSON.stringify({ ...partsOf(tokens.token).claims, pad: 'x'.repeat(4000) })), ours),
    };
    const outcomes = runRecipe(PHP, Object.values(odd), policy());
    assert.deepEqual(
      Object.fromEntries(Object.keys(odd).map((name, i) => [name, outcomes[i].verdict])),
      Object.fromEntries(Object.keys(odd).map((name) => [name, 'invalid_token'])),
    );
  });
});

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

// How the recipes and PHP's HttpJwks cache the JWKS (unknown kids, withdrawn keys): jwks-cache.test.mjs.

describe('PHP without openssl (IntrospectionVerifier, POST /v1/introspect)', () => {
  for (const [http, command] of [['ext-curl', PHP], ['PHP\'s streams', PHP_WITHOUT_CURL]]) {
    test(`accepts the verifier's own token and refuses every forgery, as not active (HTTP through ${http})`, () => {
      const { got, wanted, outcomes } = judge(command, { INTROSPECT: '1' });
      // RFC 7662: the verifier says only "not active", never why.
      const inactive = Object.fromEntries(Object.entries(wanted).map(([name, code]) => [name, code === 'valid' ? 'valid' : 'invalid_token']));
      assert.deepEqual(got, inactive);
      assert.equal(outcomes[0].claims.sub, partsOf(tokens.token).claims.sub);
    });
  }

  test('the two PHP runs have and lack ext-curl, so both HTTP paths are the ones tested', () => {
    const httpPath = ([php, ...flags]) => spawnSync(php, [...flags.slice(0, -1), '-r', 'echo function_exists("curl_init") ? "curl" : "streams";'], { encoding: 'utf8' }).stdout;
    assert.deepEqual([httpPath(PHP), httpPath(PHP_WITHOUT_CURL)], ['curl', 'streams']);
  });
});

describe('any language: curl and POST /v1/introspect (examples/introspect.sh)', () => {
  test('reports the verifier\'s own token active with its claims, and every forgery not active', () => {
    const got = {};
    for (const { name, token } of cases) {
      const run = spawnSync('sh', [join(root, 'examples/introspect.sh'), token], { encoding: 'utf8', env: { ...process.env, ...policy() } });
      assert.equal(run.status, 0, `introspect.sh failed on "${name}":\n${run.stderr}`);
      const answer = JSON.parse(run.stdout);
      got[name] = answer.active ? 'active' : 'not active';
      if (answer.active) assert.equal(answer.sub, partsOf(token).claims.sub);
    }
    assert.deepEqual(got, Object.fromEntries(cases.map((c) => [c.name, c.expected === 'valid' ? 'active' : 'not active'])));
  });
});
