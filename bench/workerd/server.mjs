// The verifier on workerd with nothing in front: Miniflare (the `miniflare` package wrangler
// brings, so the same workerd as `wrangler dev`) runs the same dry-run bundle and the same wrangler.toml as `wrangler dev`, but clients
// talk to workerd's own socket, with no dev proxy and no file watcher. Beside `wrangler dev` in
// the bench, it tells the verifier's own cost apart from the dev server's.
//
//   node bench/workerd/server.mjs --config <wrangler.toml> --script <bundle.js> --vars <vars.json> --state <dir>
//
// --state is where the Durable Objects keep their SQLite files (a tmpfs directory keeps them in
// memory). Run as a child of bench/run.mjs it reports its port over IPC.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';

// wrangler's own Miniflare (and workerd), not the newer one another package hoists beside it.
const wranglerRequire = createRequire(createRequire(import.meta.url).resolve('wrangler/package.json'));
const { Miniflare } = wranglerRequire('miniflare');

const { values: options } = parseArgs({
  options: {
    config: { type: 'string' },
    script: { type: 'string' },
    vars: { type: 'string' },
    state: { type: 'string' },
  },
});
for (const name of ['config', 'script', 'vars', 'state']) if (!options[name]) throw new Error(`--${name} is required`);

// The bindings, compatibility settings and assets wrangler would give Miniflare for this config.
const { workerOptions } = unstable_getMiniflareWorkerOptions(options.config);
const miniflare = new Miniflare({
  host: '127.0.0.1',
  port: 0,
  defaultPersistRoot: options.state,
  ...workerOptions,
  modules: true,
  scriptPath: options.script,
  modulesRoot: dirname(options.script),
  bindings: { ...workerOptions.bindings, ...JSON.parse(readFileSync(options.vars, 'utf8')) },
});
const url = await miniflare.ready;
process.send?.({ port: Number(url.port) });
if (!process.send) console.log(`verifier on workerd at ${url.href}`);

const close = () => miniflare.dispose().finally(() => process.exit(0));
process.on('disconnect', close);
process.on('SIGTERM', close);
