// What the language suite needs besides the verifier: the Debian packages the recipes run on
// (installed here, as the browser suites install Chromium), real tokens got over HTTP as the
// tag and the PG window would get them, and each recipe run as a subprocess.
import { spawn, spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = new URL('../../', import.meta.url).pathname;
/** A recipe checks some sixty tokens; far longer means it hangs (on a network call, say). */
const RECIPE_TIMEOUT_MS = 120_000;

// The PHP class speaks HTTP through ext-curl when PHP has it, else through PHP's streams: one run each.
// `php -n` reads no php.ini, so loads no shared extension such as curl (openssl and json are built in).
export const PHP = ['php', 'examples/verify_attestation.php'];
export const PHP_WITHOUT_CURL = ['php', '-n', 'examples/verify_attestation.php'];

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
  return lines.map(verdictOf);
}

/** A recipe's answer line: `valid <claims>` or `refused <code>`. */
function verdictOf(line) {
  const [verdict, rest] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
  if (verdict === 'valid') return { verdict, claims: JSON.parse(rest) };
  assert.equal(verdict, 'refused', `unexpected line: ${line}`);
  return { verdict: rest };
}

/**
 * A recipe as a long-running worker: tokens go in on its stdin one at a time, and `check`
 * resolves with the verdict of each, so a test can change the world (the JWKS, the time) between two.
 */
export function startRecipe(command, env) {
  const [program, ...args] = command;
  const child = spawn(program, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const answers = [];
  const waiting = [];
  createInterface({ input: child.stdout }).on('line', (line) => (waiting.length > 0 ? waiting.shift()(line) : answers.push(line)));
  const exited = new Promise((resolve) => child.on('close', resolve));
  // A recipe that dies answers every check still waiting with what it said on stderr.
  void exited.then((status) => waiting.splice(0).forEach((answer) => answer(`died (${status}): ${stderr}`)));
  return {
    async check(token) {
      child.stdin.write(`${token}\n`);
      const line = answers.length > 0 ? answers.shift() : await new Promise((resolve) => waiting.push(resolve));
      return verdictOf(line).verdict;
    },
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}

/**
 * Build the Go recipe offline into `directory`, as a module whose golang-jwt comes from Debian's
 * package (a user's `go get github.com/golang-jwt/jwt/v4` gives the same module): `directory/verify_attestation`.
 */
export function buildGoRecipe(directory) {
  const module = join(directory, 'go');
  mkdirSync(module);
  copyFileSync(join(root, 'examples/verify_attestation.go'), join(module, 'main.go'));
  writeFileSync(join(module, 'go.mod'), [
    'module verify_attestation', '', 'go 1.19', '',
    'require github.com/golang-jwt/jwt/v4 v4.4.3', '',
    'replace github.com/golang-jwt/jwt/v4 => /usr/share/gocode/src/github.com/golang-jwt/jwt', '',
  ].join('\n'));
  const build = spawnSync('go', ['build', '-o', join(directory, 'verify_attestation'), '.'], {
    cwd: module, encoding: 'utf8', env: { ...process.env, GOPROXY: 'off', GOFLAGS: '-mod=mod', GO111MODULE: 'on' },
  });
  assert.equal(build.status, 0, `go build failed:\n${build.stderr}`);
}
