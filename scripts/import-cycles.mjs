#!/usr/bin/env node
// Fails (exit 1) when a module of widget/, worker/, server/ or protocol/ imports itself back through others,
// or crosses the layers: the tag and the verifier never import the backend kit (server/), one of their
// consumers, and the shared contract (protocol/) imports none of the three.
// Type-only and dynamic imports count too: a cycle is a knot a reader has to untie either way.
// Run by npm test.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) files.push(path);
  }
};
for (const dir of ['widget', 'worker', 'server', 'protocol']) walk(join(root, dir));

const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
const graph = new Map(files.map((file) => {
  const targets = [...readFileSync(file, 'utf8').matchAll(IMPORT)]
    .map((match) => resolve(dirname(file), match[1] ?? match[2]).replace(/\.js$/, '.ts'));
  return [file, targets.filter((target) => files.includes(target))];
}));

const cycles = [];
const done = new Set();
const path = [];
const visit = (file) => {
  path.push(file);
  for (const target of graph.get(file)) {
    const at = path.indexOf(target);
    if (at >= 0) cycles.push([...path.slice(at), target].map((f) => relative(root, f)).join(' -> '));
    else if (!done.has(target)) visit(target);
  }
  path.pop();
  done.add(file);
};
for (const file of files) if (!done.has(file)) visit(file);

if (cycles.length > 0) {
  console.error(`Import cycles:\n${cycles.join('\n')}`);
  process.exit(1);
}

/** Which top folders each may import from (besides its own). */
const MAY_IMPORT = { widget: ['protocol'], worker: ['protocol'], server: ['protocol'], protocol: [] };
const folderOf = (file) => relative(root, file).split('/')[0];
const crossings = [...graph].flatMap(([file, targets]) => targets
  .filter((target) => folderOf(target) !== folderOf(file) && !MAY_IMPORT[folderOf(file)].includes(folderOf(target)))
  .map((target) => `${relative(root, file)} -> ${relative(root, target)}`));
if (crossings.length > 0) {
  console.error(`Imports across layers (widget/ and worker/ share only protocol/, which imports none of them):\n${crossings.join('\n')}`);
  process.exit(1);
}
console.log(`No import cycle among ${files.length} modules of widget/, worker/, server/ and protocol/, and none across their layers.`);
