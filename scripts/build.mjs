#!/usr/bin/env node
// `npm run build`: everything the verifier serves from dist/site, and the npm entry.
//   dist/site/iamport-verify.js   the tag for <script type="module">, Lit bundled (size budget below)
//   dist/site/_headers            long-lived caching and CORS for it (Workers static assets read this file)
//   dist/site/sandbox/iamport.js  the stand-in SDKs (IMP and PortOne), also as sandbox/portone.js
//   dist/site/*                   demo/, copied as is
//   dist/npm/                     the npm entry: ES modules + .d.ts, Lit external
//   custom-elements.json          the tag's manifest, which the README's tables come from
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

/** The tag is loaded on every page of a site: it stays small. */
const BUDGET_GZIP_BYTES = 10 * 1024;
const root = new URL('../', import.meta.url);
const at = (path) => new URL(path, root);
const site = at('dist/site/');

rmSync(site, { recursive: true, force: true });
mkdirSync(at('dist/site/sandbox/'), { recursive: true });

if (existsSync(at('demo/'))) cpSync(at('demo/'), site, { recursive: true });

await build({ configFile: at('vite.config.ts').pathname, logLevel: 'warn' });
const bundle = readFileSync(at('dist/site/iamport-verify.js'));
const gzipped = gzipSync(bundle, { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
console.log(`dist/site/iamport-verify.js  ${kb(bundle.length)}, ${kb(gzipped)} gzipped (budget ${kb(BUDGET_GZIP_BYTES)})`);
if (gzipped > BUDGET_GZIP_BYTES) {
  console.error(`The tag is over its size budget by ${kb(gzipped - BUDGET_GZIP_BYTES)} gzipped.`);
  process.exit(1);
}

// Pages on any site load the module cross-origin (module scripts need CORS). The URL is not
// versioned, so "long-lived" is a day, with a week of stale-while-revalidate: a fix still
// reaches every page within a day.
writeFileSync(at('dist/site/_headers'), `/iamport-verify.js
  Access-Control-Allow-Origin: *
  Cache-Control: public, max-age=86400, stale-while-revalidate=604800
/sandbox/*
  Access-Control-Allow-Origin: *
  Cache-Control: no-cache
`);

// One stand-in file plays both SDKs (V1 `IMP`, V2 `PortOne`), under each one's name.
for (const name of ['iamport.js', 'portone.js']) cpSync(at('worker/sandbox/sdk/iamport.js'), at(`dist/site/sandbox/${name}`));

rmSync(at('dist/npm/'), { recursive: true, force: true });
run('npx', ['tsc', '-p', 'widget/tsconfig.build.json']);

run('npx', ['cem', 'analyze', '--globs', 'widget/**/*.ts', '--exclude', 'widget/**/*.test.ts', '--litelement', '--quiet']);
// The analyzer cannot name events fired through the one `emit` helper (a template literal):
// they are documented with @event on the class instead.
const manifestUrl = at('custom-elements.json');
const manifest = JSON.parse(readFileSync(manifestUrl, 'utf8'));
for (const module of manifest.modules) {
  for (const declaration of module.declarations ?? []) {
    if (declaration.events) declaration.events = declaration.events.filter((event) => event.name);
  }
}
writeFileSync(manifestUrl, JSON.stringify(manifest, null, 2) + '\n');

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
