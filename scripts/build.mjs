#!/usr/bin/env node
// `npm run build`: everything the verifier serves from dist/site, and the npm entry.
//   dist/site/iamport-verify.js   the tag for <script type="module">, Lit bundled (size budget below)
//   dist/site/iamport-verify/     what it loads on demand (a provider, the verification), beside it
//   dist/site/_headers            caching and CORS for them (Workers static assets read this file)
//   dist/site/sandbox/iamport.js  the stand-in SDKs (IMP and PortOne), also as sandbox/portone.js
//   dist/site/*                   demo/, copied as is
//   dist/npm/                     the npm entry: ES modules + .d.ts, Lit external
//   custom-elements.json          the tag's manifest, which the README's tables come from
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { TAG_BUDGET_GZIP_BYTES } from './lib/tag-budget.mjs';

/** The scripts a page loads before interaction; its challenge (about 0.2 KB) comes on top, within the same goal. */
const BUDGET_GZIP_BYTES = TAG_BUDGET_GZIP_BYTES;
const root = new URL('../', import.meta.url);
const at = (path) => new URL(path, root);
const site = at('dist/site/');

rmSync(site, { recursive: true, force: true });
mkdirSync(at('dist/site/sandbox/'), { recursive: true });

if (existsSync(at('demo/'))) cpSync(at('demo/'), site, { recursive: true });

const [output] = [await build({ configFile: at('vite.config.ts').pathname, logLevel: 'warn' })].flat();
const chunks = new Map(output.output.filter((file) => file.type === 'chunk').map((chunk) => [chunk.fileName, chunk]));
const gzipped = (chunk) => gzipSync(chunk.code, { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
// Before interaction: the entry and, transitively, its static imports.
const beforeInteraction = new Set();
const visit = (fileName) => {
  if (beforeInteraction.has(fileName)) return;
  beforeInteraction.add(fileName);
  for (const imported of chunks.get(fileName).imports) visit(imported);
};
visit([...chunks.values()].find((chunk) => chunk.isEntry).fileName);
for (const chunk of chunks.values()) {
  const when = beforeInteraction.has(chunk.fileName) ? 'before interaction' : 'on demand';
  console.log(`dist/site/${chunk.fileName}  ${kb(chunk.code.length)}, ${kb(gzipped(chunk))} gzipped, ${when}`);
}
const initial = [...beforeInteraction].reduce((total, fileName) => total + gzipped(chunks.get(fileName)), 0);
console.log(`Before interaction: ${kb(initial)} gzipped (budget ${kb(BUDGET_GZIP_BYTES)})`);
if (initial > BUDGET_GZIP_BYTES) {
  console.error(`The tag is over its size budget by ${kb(initial - BUDGET_GZIP_BYTES)} gzipped.`);
  process.exit(1);
}

// Pages on any site load the modules cross-origin (module scripts need CORS). The parts loaded
// on demand have content-hashed names: cached for good. The main module's URL is not versioned
// and names the parts of its own build, so it is cached briefly: after a deploy, a page holds
// an old one (whose parts are gone) for minutes, not a day.
writeFileSync(at('dist/site/_headers'), `/iamport-verify.js
  Access-Control-Allow-Origin: *
  Cache-Control: public, max-age=300
/iamport-verify/*
  Access-Control-Allow-Origin: *
  Cache-Control: public, max-age=31536000, immutable
/sandbox/*
  Access-Control-Allow-Origin: *
  Cache-Control: no-cache
`);

// One stand-in file plays both SDKs (V1 `IMP`, V2 `PortOne`), under each one's name.
for (const name of ['iamport.js', 'portone.js']) cpSync(at('worker/sandbox/sdk/iamport.js'), at(`dist/site/sandbox/${name}`));
// The stand-in of Turnstile's script, for a form-mode tag's `turnstile-src` in the sandbox.
cpSync(at('worker/sandbox/sdk/turnstile.js'), at('dist/site/sandbox/turnstile.js'));

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
