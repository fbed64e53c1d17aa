// Bundles bench/cpu/harness.ts with the verifier's own modules (esbuild, for Node) and runs it
// in a fresh Node process, alone on the machine. See the harness for what is and is not included.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** `cloudflare:workers` exists only in workerd; the harness never runs the Durable Object itself. */
const workersShim = {
  name: 'cloudflare-workers-shim',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^cloudflare:workers$/ }, () => ({ path: 'cloudflare:workers', namespace: 'shim' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'shim' }, () => ({
      contents: 'export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }',
      loader: 'js',
    }));
  },
};

export async function measureCpu({ repoRoot, workDir, iterations }) {
  const outfile = join(workDir, 'cpu-harness.mjs');
  await build({
    entryPoints: [join(repoRoot, 'bench/cpu/harness.ts')],
    bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'warning',
    plugins: [workersShim],
  });
  const run = spawnSync(process.execPath, [outfile], {
    encoding: 'utf8', timeout: 300_000, env: { ...process.env, BENCH_CPU_ITERATIONS: String(iterations) },
  });
  if (run.status !== 0) return { error: `harness failed: ${(run.stderr || run.error?.message || '').slice(-500)}` };
  return {
    ...JSON.parse(run.stdout.trim().split('\n').at(-1)),
    runtime: `Node ${process.version} (V8 and OpenSSL; workerd uses V8 and BoringSSL)`,
    included: 'routing, body parsing, origin check, settings (cached), challenge HMAC, upstream answer parsing and mapping, '
      + 'checks, pairwise subject HMAC, claims, ES256 signature, JSON response, the request log line (to a no-op)',
    not_included: 'the Durable Object round trip (the ledger claim: I/O, in the load phases), network I/O, '
      + 'the isolate\'s start, and wrangler dev\'s proxy',
  };
}
