// Node scripts read facts the verifier states in TypeScript (settings, errors, endpoints):
// bundled with esbuild and imported. Only for modules with no runtime dependency on Workers.
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('../..', import.meta.url).pathname;

/** The modules at `entries` (paths from the repository root), in order. */
export async function importTs(entries) {
  const dir = mkdtempSync(join(tmpdir(), 'iamport-verify-ts-'));
  try {
    const source = entries.map((entry, i) => `export * as m${i} from ${JSON.stringify(join(root, entry))};`).join('\n');
    const outfile = join(dir, 'modules.mjs');
    await build({ stdin: { contents: source, resolveDir: root, loader: 'js' }, bundle: true, format: 'esm', platform: 'neutral', outfile, logLevel: 'error' });
    const module = await import(pathToFileURL(outfile).href);
    return entries.map((_, i) => module[`m${i}`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
