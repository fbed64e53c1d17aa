// The production Worker holds none of the sandbox: what `wrangler deploy` would upload from
// wrangler.toml (its dry-run bundle and the source map beside it) has no module of
// worker/sandbox/ and no sandbox Durable Object, and its config binds none. The sandbox's Worker
// (wrangler.sandbox.toml) is production's with the sandbox beside it: the same bindings and
// numbers, plus the stand-in's object, and the same migrations up to the one that deletes it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { unstable_readConfig as readConfig } from 'wrangler';

const root = new URL('../../', import.meta.url).pathname;
const SANDBOX_CLASS = 'SandboxUpstream';
const SANDBOX_SOURCES = /(^|\/)worker\/sandbox\//;

let workDir;
before(() => {
  workDir = mkdtempSync(join(tmpdir(), 'iamport-verify-bundle-'));
  mkdirSync(join(root, 'dist/site'), { recursive: true }); // both configs point their assets here
});
after(() => rmSync(workDir, { recursive: true, force: true }));

/** `wrangler deploy --dry-run` of one config: the script, and the sources its source map names. */
function dryRun(configName) {
  const outdir = join(workDir, configName);
  const run = spawnSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir, '--config', configName], {
    cwd: root, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' },
  });
  assert.equal(run.status, 0, `wrangler deploy --dry-run --config ${configName} failed:\n${run.stderr}`);
  // Named after the config's main module (index.js, entry.js).
  const [name] = readdirSync(outdir).filter((file) => file.endsWith('.js'));
  const script = readFileSync(join(outdir, name));
  const { sources } = JSON.parse(readFileSync(join(outdir, `${name}.map`), 'utf8'));
  return { script, text: script.toString('utf8'), sources };
}

const config = (name) => readConfig({ config: join(root, name) });
const classesBound = (parsed) => parsed.durable_objects.bindings.map((binding) => binding.class_name).sort();

/** The classes a migration history leaves alive: created and not deleted (renames and transfers are not used here). */
function classesAlive(migrations) {
  const alive = new Set();
  for (const migration of migrations) {
    for (const name of [...(migration.new_classes ?? []), ...(migration.new_sqlite_classes ?? [])]) alive.add(name);
    for (const name of migration.deleted_classes ?? []) alive.delete(name);
    assert.ok(!migration.renamed_classes && !migration.transferred_classes, 'a rename or transfer migration: teach this test about it');
  }
  return [...alive].sort();
}

describe('the production Worker (wrangler.toml)', () => {
  test('bundles no module of worker/sandbox/ and exports no sandbox Durable Object', () => {
    const { script, text, sources } = dryRun('wrangler.toml');
    assert.ok(sources.some((source) => source.endsWith('worker/app.ts')), `the source map names the app: ${sources.length} sources`);
    assert.deepEqual(sources.filter((source) => SANDBOX_SOURCES.test(source)), [], 'sandbox modules in the production bundle');
    assert.ok(!text.includes(SANDBOX_CLASS), `the production bundle names ${SANDBOX_CLASS}`);
    for (const name of classesBound(config('wrangler.toml'))) assert.ok(text.includes(name), `the bundle exports no ${name}`);
    console.log(`figures: production bundle ${(script.length / 1024).toFixed(2)} KiB, gzip ${(gzipSync(script).length / 1024).toFixed(2)} KiB`);
  });

  test('sends every file of the demo to the Worker first, which has no route for it: production\'s assets never serve the demo', () => {
    const first = config('wrangler.toml').assets.run_worker_first;
    for (const file of readdirSync(join(root, 'demo'))) assert.ok(first.includes(`/${file}`), `/${file} is served from the assets, not refused by the Worker`);
  });

  test('binds no sandbox object, and its migrations leave alive exactly the classes it binds', () => {
    const production = config('wrangler.toml');
    assert.ok(!classesBound(production).includes(SANDBOX_CLASS));
    // A deployment made before the sandbox left has the class: deploying without it needs its deletion.
    assert.deepEqual(classesAlive(production.migrations), classesBound(production));
  });
});

describe('the sandbox\'s Worker (wrangler.sandbox.toml)', () => {
  test('bundles the sandbox (the production check above would see it)', () => {
    const { text, sources } = dryRun('wrangler.sandbox.toml');
    assert.ok(sources.some((source) => SANDBOX_SOURCES.test(source)));
    assert.ok(text.includes(SANDBOX_CLASS));
  });

  test('is production\'s Worker with the stand-in\'s object beside it: the same bindings and numbers, migrations up to its deletion', () => {
    const production = config('wrangler.toml');
    const sandbox = config('wrangler.sandbox.toml');
    assert.notEqual(sandbox.name, production.name, 'deploying the sandbox must not replace the production Worker');
    assert.deepEqual(classesBound(sandbox), [...classesBound(production), SANDBOX_CLASS].sort());
    assert.deepEqual(classesAlive(sandbox.migrations), classesBound(sandbox));
    assert.deepEqual(sandbox.migrations, production.migrations.slice(0, sandbox.migrations.length), 'the sandbox\'s migrations are production\'s history before the deletion');
    for (const key of ['compatibility_date', 'compatibility_flags', 'ratelimits', 'assets', 'vars', 'minify', 'observability']) {
      assert.deepEqual(sandbox[key], production[key], `${key} differs between wrangler.toml and wrangler.sandbox.toml`);
    }
  });
});
