// The verifier, pointed at the upstream stand-in, under `wrangler dev` or directly on workerd.
// It runs from a temporary copy of wrangler.toml (paths made absolute) whose rate limit is raised:
// the bench sends every request from one address, and the real limit (60 per minute per client)
// would answer 429 after the first second. Its state goes to a temporary directory, never to
// .wrangler/. It runs the very bundle `wrangler deploy --dry-run` produced: what would be
// deployed, and a snapshot, so an edit to worker/ during the run cannot make wrangler reload it.
import { readFileSync, writeFileSync, existsSync, mkdirSync, cpSync, createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { developmentSettings, varArguments } from '../../scripts/lib/dev-settings.mjs';
import { forkServer, freePort, spawnGroup, waitForHttp } from '../../scripts/lib/processes.mjs';

export const BENCH_ORIGIN = 'http://bench.local';
/** High enough that no bench phase meets it. */
export const BENCH_RATE_LIMIT = 1_000_000;
const RATE_LIMIT = /simple\s*=\s*\{\s*limit\s*=\s*(\d+)/g;
const WRANGLER_START_TIMEOUT_MS = 90_000;
let configCount = 0; // one temporary wrangler.toml per verifier started
const nextConfigNumber = () => ++configCount;

/**
 * A wrangler config of the repository (production's `wrangler.toml` unless `configName` says
 * another, as `npm run load` runs the sandbox's), with absolute paths and the bench's rate limit;
 * fails loudly if its shape changed.
 */
export function benchWranglerConfig(repoRoot, assetsDirectory, mainScript, configName = 'wrangler.toml') {
  const original = readFileSync(join(repoRoot, configName), 'utf8');
  const edits = [
    [/^main\s*=\s*"([^"]+)"/m, (_, path) => `main = ${JSON.stringify(mainScript ?? resolve(repoRoot, path))}`],
    [/^directory\s*=\s*"([^"]+)"/m, () => `directory = ${JSON.stringify(assetsDirectory)}`],
  ];
  let config = original;
  for (const [pattern, replace] of edits) {
    if (!pattern.test(config)) throw new Error(`${configName} no longer matches ${pattern}: update bench/lib/verifier.mjs`);
    config = config.replace(pattern, replace);
  }
  // Every rate limit, not only the first: each would answer 429 to traffic from one address.
  const limits = [...config.matchAll(RATE_LIMIT)].map((match) => Number(match[1]));
  if (limits.length === 0) throw new Error(`${configName} no longer matches ${RATE_LIMIT}: update bench/lib/verifier.mjs`);
  config = config.replace(RATE_LIMIT, `simple = { limit = ${BENCH_RATE_LIMIT}`);
  return { config, originalRateLimit: limits.join(', ') };
}

/**
 * A snapshot of dist/site (or an empty directory: wrangler needs one). A copy, because wrangler
 * dev watches its assets, and another `npm run build` during the run would make it reload.
 */
export function assetsDirectory(repoRoot, workDir) {
  const directory = join(workDir, 'assets');
  if (!existsSync(directory)) {
    const built = join(repoRoot, 'dist/site');
    if (existsSync(built)) cpSync(built, directory, { recursive: true });
    else mkdirSync(directory, { recursive: true });
  }
  return directory;
}

/**
 * The verifier's settings for the bench: development (a fresh key, fresh secrets), the sandbox
 * off, pointed at the stand-in. Verifiers started with the same settings accept each other's challenges.
 */
export async function benchVars({ upstreamBase, apiKey, apiSecret, extraOrigins = [] }) {
  return {
    ...await developmentSettings([BENCH_ORIGIN, ...extraOrigins]),
    SANDBOX: 'false',
    IAMPORT_API_BASE: upstreamBase,
    IAMPORT_API_KEY: apiKey,
    IAMPORT_API_SECRET: apiSecret,
  };
}

function benchConfigFile(repoRoot, workDir, bundledScript) {
  const { config, originalRateLimit } = benchWranglerConfig(repoRoot, assetsDirectory(repoRoot, workDir), bundledScript);
  const configPath = join(workDir, `wrangler.${nextConfigNumber()}.toml`);
  writeFileSync(configPath, config);
  return { configPath, originalRateLimit };
}

/**
 * Start the verifier on `runtime`: 'wrangler-dev' (`wrangler dev --no-bundle`, its proxy in front of
 * workerd) or 'workerd' (bench/workerd/server.mjs: Miniflare, clients on workerd's own socket).
 * Both run `bundledScript` with `vars` (benchVars) and Durable Object state in `stateDir`. Returns its base URL, the
 * settings used (no secrets) and the process (its group holds every process it started).
 * `workDir` is a fresh temporary directory the caller removes.
 */
export async function startVerifier({ runtime, repoRoot, workDir, stateDir, vars, bundledScript }) {
  const { configPath, originalRateLimit } = benchConfigFile(repoRoot, workDir, bundledScript);
  const settings = {
    rate_limit: `raised from ${originalRateLimit} to ${BENCH_RATE_LIMIT} per 60 s`,
    allowed_origins: vars.ALLOWED_ORIGINS,
    environment: 'development',
    signing_key: 'a fresh dev- ES256 key',
    script: 'the bundle from wrangler deploy --dry-run',
  };
  if (runtime === 'workerd') {
    const varsPath = join(workDir, `vars.${nextConfigNumber()}.json`);
    writeFileSync(varsPath, JSON.stringify(vars), { mode: 0o600 });
    const { child, port } = await forkServer(join(repoRoot, 'bench/workerd/server.mjs'),
      ['--config', configPath, '--script', bundledScript, '--vars', varsPath, '--state', stateDir],
      { name: 'the verifier on workerd', timeoutMs: WRANGLER_START_TIMEOUT_MS });
    return { base: `http://127.0.0.1:${port}`, child, settings };
  }
  const port = await freePort();
  const args = [
    'wrangler', 'dev', '--config', configPath, '--port', String(port), '--ip', '127.0.0.1',
    // Its own devtools port: two wrangler devs starting at once would both try 9229.
    '--inspector-port', String(await freePort()),
    '--persist-to', stateDir, '--show-interactive-dev-session=false', '--no-bundle',
    ...varArguments(vars),
  ];
  const logPath = join(workDir, `wrangler-${port}.log`);
  const child = spawnGroup('npx', args, {
    cwd: repoRoot,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1' },
    logStream: createWriteStream(logPath),
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/healthz`, { timeoutMs: WRANGLER_START_TIMEOUT_MS, child });
  } catch (error) {
    throw new Error(`${error.message}; wrangler dev said:\n${readFileSync(logPath, 'utf8').slice(-2000)}`);
  }
  return { base, child, settings };
}
