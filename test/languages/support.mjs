// What the language suite needs besides the verifier: the Debian packages the recipes run on
// (installed here, as the browser suites install Chromium), real tokens got over HTTP as the
// tag and the PG window would get them, and each recipe run as a subprocess.
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';

const root = new URL('../../', import.meta.url).pathname;
/** A recipe checks some sixty tokens; far longer means it hangs (on a network call, say). */
const RECIPE_TIMEOUT_MS = 120_000;

/** What the recipes run on. ruby-jwt does not pull in Ruby itself. */
const PACKAGES = ['php-cli', 'php-curl', 'python3-jwt', 'ruby', 'ruby-jwt', 'golang-go', 'golang-github-golang-jwt-jwt-dev', 'curl'];
/** Others may be installing at the same time: wait for apt's lock instead of failing. */
const APT_LOCK_TIMEOUT_S = '300';

function installed(name) {
  const status = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return status.status === 0 && status.stdout.includes('install ok installed');
}

/** apt-get install what is missing (idempotent); `apt-get update` only when the lists are missing. */
export function ensurePackages() {
  const missing = PACKAGES.filter((name) => !installed(name));
  if (missing.length === 0) return;
  const apt = (...args) => spawnSync('apt-get', ['-o', `DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT_S}`, ...args], {
    stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  console.log(`Installing the recipes' Debian packages: ${missing.join(' ')}`);
  if (apt('install', '-y', '--no-install-recommends', ...missing).status !== 0) {
    assert.equal(apt('update').status, 0, 'apt-get update failed');
    assert.equal(apt('install', '-y', '--no-install-recommends', ...missing).status, 0, `apt-get install ${missing.join(' ')} failed (run as root)`);
  }
}

/**
 * A real attestation from the running verifier, with no browser: a challenge, the sandbox's
 * stand-in of the PG window (a test person certified now), the exchange. `origin` is the site.
 * With `guardianUnder` and a `guardian` person, the under-14 step as the tag runs it: the
 * exchange answers `guardian_required`, the guardian verifies under the same merchant_uid, and
 * both are exchanged.
 */
export async function issueToken(verifier, { person = 'adult', minAge, minYearAge, guardianUnder, guardian, nonce } = {}) {
  const post = async (path, body, expectedStatus) => {
    const response = await fetch(verifier.origin + path, {
      method: 'POST', headers: { origin: verifier.origin, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const answer = await response.text();
    assert.equal(response.status, expectedStatus, `${path} answered ${response.status}: ${answer}`);
    return JSON.parse(answer);
  };
  const { merchant_uid, challenge } = await post('/v1/challenges', {}, 201);
  const certify = async (who) => (await post('/sandbox/certifications', { person: who, merchant_uid, origin: verifier.origin }, 201)).imp_uid;
  const exchange = { imp_uid: await certify(person), merchant_uid, challenge, min_age: minAge, min_year_age: minYearAge, guardian_under: guardianUnder, nonce };
  if (guardian) {
    assert.equal((await post('/v1/attestations', exchange, 422)).code, 'guardian_required');
    exchange.guardian_imp_uid = await certify(guardian);
  }
  const { token } = await post('/v1/attestations', exchange, 201);
  return token;
}

/**
 * Run a recipe on these tokens (all in one process, as a site verifies many with one key cache)
 * and read its verdict per token: `valid` or the refusal's code.
 */
export function runRecipe(command, tokens, env) {
  const [program, ...args] = command;
  const run = spawnSync(program, [...args, ...tokens], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, timeout: RECIPE_TIMEOUT_MS });
  assert.ok(run.status === 0 || run.status === 1, `${command.join(' ')} failed (${run.status ?? run.signal}):\n${run.stderr}${run.stdout}`);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, tokens.length, `one line per token expected:\n${run.stdout}\n${run.stderr}`);
  return lines.map((line) => {
    const [verdict, rest] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
    if (verdict === 'valid') return { verdict, claims: JSON.parse(rest) };
    assert.equal(verdict, 'refused', `unexpected line: ${line}`);
    return { verdict: rest };
  });
}
