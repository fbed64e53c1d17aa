// The verifier's bundle as Cloudflare would receive it: `wrangler deploy --dry-run --outdir`
// (nothing is uploaded), then its JavaScript gzipped. Workers' free plan takes 3 MB gzipped.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, constants } from 'node:zlib';
import { assetsDirectory, benchWranglerConfig } from './verifier.mjs';

/**
 * Sizes as configured (what would be deployed, and what the load phases run: `script`), and where
 * the bytes come from, read from a second, unminified build that still names its modules.
 */
export async function measureVerifierBundle({ repoRoot, workDir }) {
  const deployed = dryRun(repoRoot, workDir, []);
  const unminified = dryRun(repoRoot, workDir, ['--no-minify']);
  return {
    command: 'wrangler deploy --dry-run --outdir <tmp>', as_configured: deployed, gzip_level: 9,
    unminified_bytes: unminified.bytes ?? null,
    composition_unminified_bytes: unminified.error ? null : composition(readFileSync(unminified.script, 'utf8')),
  };
}

function dryRun(repoRoot, workDir, extraArgs) {
  const outdir = join(workDir, `deploy-dry-run${extraArgs.join('')}`);
  const configPath = join(workDir, 'wrangler.dry-run.toml');
  writeFileSync(configPath, benchWranglerConfig(repoRoot, assetsDirectory(repoRoot, workDir)).config);
  const run = spawnSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir, '--config', configPath, ...extraArgs], {
    cwd: repoRoot, encoding: 'utf8', timeout: 120_000,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1' },
  });
  if (run.status !== 0) return { error: `wrangler deploy --dry-run failed: ${(run.stderr || '').slice(-500)}` };
  const files = readdirSync(outdir).filter((name) => /\.(m?js|wasm)$/.test(name));
  let raw = 0;
  let gzip = 0;
  const perFile = {};
  for (const name of files) {
    const bytes = readFileSync(join(outdir, name));
    const gzipped = gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length;
    perFile[name] = { bytes: bytes.length, gzip: gzipped };
    raw += bytes.length;
    gzip += gzipped;
  }
  return { files: perFile, bytes: raw, gzip_bytes: gzip, script: join(outdir, 'index.js') };
}

/**
 * Where the bytes come from: wrangler's unminified bundle marks each module with a
 * `// path` comment; bytes are summed per package (or per top folder or file of worker/, protocol/ and server/).
 */
function composition(source) {
  const sizes = {};
  let current = '(wrangler glue)';
  for (const line of source.split('\n')) {
    const marker = /^\/\/ (\S+\/\S+)$/.exec(line);
    if (marker) {
      const path = marker[1];
      const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const ours = /(?:^|\/)((?:worker|protocol|server)\/[^/]+)/.exec(path);
      current = inPackage ? inPackage[1] : ours ? ours[1] : path;
    }
    sizes[current] = (sizes[current] ?? 0) + line.length + 1;
  }
  return Object.fromEntries(Object.entries(sizes).sort((a, b) => b[1] - a[1]).slice(0, 10));
}
