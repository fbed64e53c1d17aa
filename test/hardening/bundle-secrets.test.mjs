// The tag that every site's pages load must hold no secret of the verifier. Two checks:
// the shipped bundle (dist/site/iamport-verify.js and the parts it loads on demand from
// dist/site/iamport-verify/, from `npm run build`) against this
// machine's development secrets (.dev.vars) and the shapes of secrets; and a fresh build of
// the same entry with the same vite.config.ts, made with canary values in every secret
// setting's environment variable (and its VITE_ twin, which Vite would expose), which must
// not appear in its output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const root = new URL('../../', import.meta.url).pathname;
const TAG = join(root, 'dist/site/iamport-verify.js');
/** The verifier's secret settings (worker/settings.ts marks them secret). */
const SECRET_SETTINGS = ['SIGNING_KEYS', 'SUBJECT_SECRET', 'CHALLENGE_SECRET', 'IAMPORT_API_KEY', 'IAMPORT_API_SECRET', 'PORTONE_API_SECRET'];
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

test('the shipped tag holds no secret: none of this machine\'s development secrets, no private key, no secret setting', () => {
  assert.ok(existsSync(TAG), 'dist/site/iamport-verify.js is missing: run `npm run build` first');
  const values = secretValues({ ...readVars(join(root, '.dev.vars')), ...process.env });
  assertHoldsNoSecret('dist/site/iamport-verify.js', readFileSync(TAG, 'utf8'), values);
  const parts = join(root, 'dist/site/iamport-verify');
  for (const part of existsSync(parts) ? readdirSync(parts) : []) {
    assertHoldsNoSecret(`dist/site/iamport-verify/${part}`, readFileSync(join(parts, part), 'utf8'), values);
  }
});

test('a build made with canary secrets in the environment holds none of them', async () => {
  const { build } = await import('vite');
  const outDir = mkdtempSync(join(tmpdir(), 'iamport-verify-tag-'));
  const canaries = {};
  for (const name of SECRET_SETTINGS) {
    canaries[name] = `canary${randomBytes(12).toString('hex')}`;
    canaries[`VITE_${name}`] = `canary${randomBytes(12).toString('hex')}`;
  }
  const saved = { ...process.env };
  Object.assign(process.env, canaries);
  try {
    await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'silent', build: { outDir, emptyOutDir: true } });
  } finally {
    for (const name of Object.keys(canaries)) if (saved[name] === undefined) delete process.env[name];
    Object.assign(process.env, saved);
  }
  try {
    const files = readdirSync(outDir, { recursive: true }).filter((name) => name.endsWith('.js'));
    assert.ok(files.includes('iamport-verify.js'), `the build made ${files.join(', ')}`);
    for (const file of files) assertHoldsNoSecret(file, readFileSync(join(outDir, file), 'utf8'), Object.values(canaries));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
