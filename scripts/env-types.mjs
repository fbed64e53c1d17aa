#!/usr/bin/env node
// `npm run types`: writes worker/worker-configuration.d.ts, the type of the Worker's bindings,
// with `wrangler types` from wrangler.toml. The settings' types come from their specs in
// worker/settings.ts, so .dev.vars is not read (--env-file /dev/null) and the runtime's types
// come from @cloudflare/workers-types (--include-runtime=false).
// `--check` regenerates beside it and fails (exit 1) when the checked-in file differs (npm test).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const target = 'worker/worker-configuration.d.ts';
const check = process.argv.includes('--check');
// Beside the target, so the generated relative imports ("./index") are the same.
const output = check ? 'worker/.worker-configuration.check.d.ts' : target;

const run = spawnSync('npx', ['wrangler', 'types', output, '--include-runtime=false', '--env-file', '/dev/null', '--env-interface', 'WorkerBindings'], {
  cwd: new URL('..', import.meta.url).pathname,
  encoding: 'utf8',
  env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
});
if (run.status !== 0) {
  process.stderr.write(run.stdout + run.stderr);
  process.exit(run.status ?? 1);
}
if (check) {
  const root = new URL('..', import.meta.url);
  // The first two lines name the command that wrote the file (its output path differs).
  const body = (path) => readFileSync(new URL(path, root), 'utf8').split('\n').slice(2).join('\n');
  const current = body(target) === body(output);
  rmSync(new URL(output, root));
  if (!current) {
    console.error(`${target} is not what wrangler.toml says: run npm run types and commit the result.`);
    process.exit(1);
  }
} else {
  console.log(`Wrote ${target} from wrangler.toml.`);
}
