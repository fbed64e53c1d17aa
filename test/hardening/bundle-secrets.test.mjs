// The tag that every site's pages load must hold no secret of the verifier. Two checks:
// the shipped bundle (dist/site/iamport-verify.js and the parts it loads on demand from
// dist/site/iamport-verify/, from `npm run build`) against the shapes of secrets, the secret
// settings' names and this machine's development secrets (.dev.vars, when it has one); and a
// fresh build of the same entry with the same vite.config.ts, made with development secrets
// present in every run: a .dev.vars as `npm run dev` writes it (written for the build when this
// checkout has none), and canary values in every secret setting's environment variable and its
// VITE_ twin (which Vite would expose), in the environment and in Vite's .env files. None may
// appear in its output. The secret settings are those the settings spec marks secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { developmentSettings } from '../../scripts/lib/dev-settings.mjs';
import { importTs } from '../../scripts/lib/import-ts.mjs';

const root = new URL('../../', import.meta.url).pathname;
const TAG = join(root, 'dist/site/iamport-verify.js');
const DEV_VARS = join(root, '.dev.vars');
/** The verifier's secret settings: those its spec (worker/settings.ts) marks secret. */
const [{ SETTINGS }] = await importTs(['worker/settings.ts']);
const SECRET_SETTINGS = Object.entries(SETTINGS).filter(([, spec]) => spec.secret).map(([name]) => name);
/** Shapes no browser bundle may hold: a private JWK member, a PEM key. */
const SECRET_SHAPES = [/"d"\s*:\s*"[A-Za-z0-9_-]{40,}"/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/];

/** The values of a dotenv-style file (`NAME='value'` lines), as `npm run dev` writes .dev.vars. */
function readVars(path) {
  if (!existsSync(path)) return {};
  const vars = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^([A-Z_]+)\s*=\s*(['"]?)(.*)\2\s*$/.exec(line);
    if (match) vars[match[1]] = match[3];
  }
  return vars;
}

/** Every secret value among `vars`: the secret settings, and each signing key's private `d`. */
function secretValues(vars) {
  const values = SECRET_SETTINGS.map((name) => vars[name]).filter((value) => value && value.length >= 8);
  try {
    for (const key of [JSON.parse(vars.SIGNING_KEYS ?? '[]')].flat()) if (key?.d) values.push(key.d);
  } catch {
    // not JSON: its raw value is in the list already
  }
  return values;
}

function assertHoldsNoSecret(label, text, values) {
  for (const value of values) assert.ok(!text.includes(value), `${label} holds a secret value (${value.slice(0, 4)}…)`);
  for (const shape of SECRET_SHAPES) assert.doesNotMatch(text, shape, `${label} holds something shaped like a private key`);
  for (const name of SECRET_SETTINGS) assert.ok(!text.includes(name), `${label} names the secret setting ${name}: the verifier's settings were bundled into it`);
}

test('the spec marks the secrets secret: the keys, the HMAC secrets and the API credentials', () => {
  for (const name of ['SIGNING_KEYS', 'SUBJECT_SECRET', 'CHALLENGE_SECRET', 'IAMPORT_API_KEY', 'IAMPORT_API_SECRET', 'PORTONE_API_SECRET']) {
    assert.ok(SECRET_SETTINGS.includes(name), `${name} is not marked secret in worker/settings.ts`);
  }
});

test('the shipped tag holds no secret: no private key, no secret setting, none of this machine\'s development secrets', () => {
  assert.ok(existsSync(TAG), 'dist/site/iamport-verify.js is missing: run `npm run build` first');
  const values = secretValues({ ...readVars(DEV_VARS), ...process.env });
  assertHoldsNoSecret('dist/site/iamport-verify.js', readFileSync(TAG, 'utf8'), values);
  const parts = join(root, 'dist/site/iamport-verify');
  for (const part of existsSync(parts) ? readdirSync(parts) : []) {
    assertHoldsNoSecret(`dist/site/iamport-verify/${part}`, readFileSync(join(parts, part), 'utf8'), values);
  }
});

/** Each secret setting and its VITE_ twin with a fresh canary value. */
function canaries() {
  return Object.fromEntries(SECRET_SETTINGS.flatMap((name) => [name, `VITE_${name}`]).map((name) => [name, `canary${randomBytes(12).toString('hex')}`]));
}

const asDotenv = (vars) => Object.entries(vars).map(([name, value]) => `${name}='${value}'`).join('\n') + '\n';

test('a build made with development secrets present (.dev.vars, the environment, Vite\'s .env files) holds none of them', async () => {
  const { build } = await import('vite');
  const work = mkdtempSync(join(tmpdir(), 'iamport-verify-tag-'));
  const outDir = join(work, 'out');
  // A .dev.vars as `npm run dev` writes it, with every secret setting in it: this checkout's own, or one
  // written for this build (and removed after), so the check has secrets to look for in every run.
  const wroteDevVars = !existsSync(DEV_VARS);
  if (wroteDevVars) writeFileSync(DEV_VARS, asDotenv({ ...canaries(), ...(await developmentSettings(['http://127.0.0.1:8787'])) }));
  const devSecrets = secretValues(readVars(DEV_VARS));
  const inEnvironment = canaries();
  const inEnvFiles = canaries();
  const envDir = join(work, 'env');
  mkdirSync(envDir);
  for (const file of ['.env', '.env.local', '.env.production', '.env.production.local']) writeFileSync(join(envDir, file), asDotenv(inEnvFiles));
  const saved = { ...process.env };
  Object.assign(process.env, inEnvironment);
  try {
    await build({ root, configFile: join(root, 'vite.config.ts'), envDir, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
  } finally {
    for (const name of Object.keys(inEnvironment)) if (saved[name] === undefined) delete process.env[name];
    Object.assign(process.env, saved);
    if (wroteDevVars) rmSync(DEV_VARS, { force: true });
  }
  try {
    assert.ok(devSecrets.length > 0, '.dev.vars holds no secret to look for');
    const files = readdirSync(outDir, { recursive: true }).filter((name) => name.endsWith('.js'));
    assert.ok(files.includes('iamport-verify.js'), `the build made ${files.join(', ')}`);
    const values = [...devSecrets, ...Object.values(inEnvironment), ...Object.values(inEnvFiles)];
    for (const file of files) assertHoldsNoSecret(file, readFileSync(join(outDir, file), 'utf8'), values);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
