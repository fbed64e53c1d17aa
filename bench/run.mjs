#!/usr/bin/env node
// `npm run bench`: the verifier beside a server written the way the Iamport guide teaches, in one
// run on loopback; then the verifier's CPU in process, its bundle and the tag's weight in Chromium.
// The verifier runs twice over: under `wrangler dev` (what `npm run dev` gives) and directly on
// workerd (Miniflare, no dev proxy), each with its Durable Object state in memory and on disk.
// Writes bench/results.json and bench/RESULTS.md (tables only; bench/README.md explains them).
// Sends traffic to 127.0.0.1 only, stops by itself (BENCH_DEADLINE_S) and stops every process it
// started, even on failure.
//
// `npm run bench -- --quick`: a smoke run with few requests; prints its tables, writes nothing.
//
// Settings (environment):
//   BENCH_UPSTREAM_DELAY_MS  the stand-in's delay per upstream call (default 20)
//   BENCH_DURATION_S         seconds per concurrency level (default 6; at 32 clients: BENCH_C32_DURATION_S, 10)
//   BENCH_C1_REQUESTS        verifications measured one at a time (default 300)
//   BENCH_LEVELS             concurrency levels (default 1,8,32,128; state on disk: 1 and 32)
//   BENCH_DEADLINE_S         the whole run's limit (default 1500)
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir, cpus, totalmem, platform, release, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { forkServer, stopAll, stop, groupCpuSeconds, cpuBetween, machineBusySeconds } from '../scripts/lib/processes.mjs';
import { benchVars, startVerifier } from './lib/verifier.mjs';
import { runPhase } from './lib/load.mjs';
import { verifierTarget, baselineTarget, loadChallengeMinter } from './lib/targets.mjs';
import { measureCpu } from './lib/cpu.mjs';
import { measureVerifierBundle } from './lib/bundle.mjs';
import { measureTagWeight, startPageServer } from './lib/weight.mjs';
import { resultsMarkdown } from './lib/tables.mjs';

const TMPFS = '/dev/shm';
const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(benchDir, '..');
const quick = process.argv.includes('--quick');
const env = process.env;
const settings = quick
  ? { upstream_delay_ms: 20, duration_s: 2, c32_duration_s: 2, c1_requests: 30, levels: [1, 8], disk_levels: [1], warmup_requests: 10, deadline_s: 600, cpu_iterations: 200 }
  : {
    upstream_delay_ms: Number(env.BENCH_UPSTREAM_DELAY_MS ?? 20),
    duration_s: Number(env.BENCH_DURATION_S ?? 6),
    c32_duration_s: Number(env.BENCH_C32_DURATION_S ?? 10),
    c1_requests: Number(env.BENCH_C1_REQUESTS ?? 300),
    levels: (env.BENCH_LEVELS ?? '1,8,32,128').split(',').map(Number),
    // State on disk is measured at two levels only: the comparison with memory is the point.
    disk_levels: [1, 32],
    warmup_requests: 40,
    deadline_s: Number(env.BENCH_DEADLINE_S ?? 1500),
    cpu_iterations: 3000,
  };
settings.min_age = 19;
const API_KEY = 'bench_api_key';
const API_SECRET = 'bench_api_secret';
/** Pools hold this much more than the most a phase should use, by the bounds below. */
const POOL_SLACK = 1.2;
/** After a phase, how long the requests it cut off get to finish before upstream calls are read. */
const DRAIN_MS = 1500;

const workDir = mkdtempSync(join(tmpdir(), 'iamport-verify-bench-'));
/** Where Durable Objects keep their SQLite files: on disk (in workDir), in memory (a tmpfs). */
const stateRoots = { disk: workDir, memory: existsSync(TMPFS) ? mkdtempSync(join(TMPFS, 'iamport-verify-bench-')) : null };
let finished = false;
async function shutDown(code, reason) {
  if (finished) return;
  finished = true;
  if (reason) console.error(reason);
  await stopAll();
  for (const dir of [workDir, stateRoots.memory]) if (dir && !env.BENCH_KEEP_TMP) rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => shutDown(130, `stopped by ${signal}`));
setTimeout(() => shutDown(2, `bench: over its ${settings.deadline_s} s deadline; stopped everything`), settings.deadline_s * 1000).unref();

const log = (message) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value, digits = 2) => (value === null || value === undefined ? null : Math.round(value * 10 ** digits) / 10 ** digits);
const sum = (values) => values.reduce((total, value) => total + value, 0);

async function upstreamStats(upstreamBase, reset = false) {
  const response = await fetch(`${upstreamBase}/__bench/stats${reset ? '/reset' : ''}`, { method: reset ? 'POST' : 'GET' });
  return response.json();
}

/**
 * How many verifications to prepare for a phase: never more than it can possibly complete (each
 * needs at least its upstream delays), nor more than the level below would with every added client
 * as fast as its own (latency does not fall as load grows). If the pool still runs dry, the phase
 * ends there and says so; its throughput stays valid.
 */
function poolSize(target, connections, seconds, previous) {
  const floorLatencyS = (settings.upstream_delay_ms * target.upstreamCallsAtLeast) / 1000;
  let bound = (connections / Math.max(floorLatencyS, 0.001)) * seconds;
  if (previous) bound = Math.min(bound, previous.throughput_rps * (connections / previous.connections) * seconds);
  return Math.min(target.maxPool, Math.ceil(bound * POOL_SLACK) + connections * 2 + 50);
}

/** CPU per verification as the OS saw it, per process of the server's group, and of the stand-in. */
function cpuPerVerification(server, upstream, ok, elapsedS) {
  if (!server || !ok) return null;
  const total = sum(Object.values(server));
  return {
    server_ms: round((total * 1000) / ok, 3),
    server_by_process_ms: Object.fromEntries(Object.entries(server).filter(([, seconds]) => seconds > 0)
      .map(([name, seconds]) => [name, round((seconds * 1000) / ok, 3)])),
    server_cores_busy: round(total / elapsedS),
    upstream_standin_ms: upstream ? round((sum(Object.values(upstream)) * 1000) / ok, 3) : null,
  };
}

/** One target at one concurrency level: prepare (untimed), run, then read CPU and upstream calls. */
async function measureLevel(target, connections, previous, upstream) {
  const byCount = connections === 1;
  const seconds = connections === 32 ? settings.c32_duration_s : settings.duration_s;
  const size = byCount ? settings.c1_requests + 10 : poolSize(target, connections, seconds, previous);
  const bodies = await target.prepare(size);
  await upstreamStats(upstream.base, true);
  const serverBefore = groupCpuSeconds(target.processGroup);
  const upstreamBefore = groupCpuSeconds(upstream.pid);
  const loadBefore = process.cpuUsage();
  const machineBefore = machineBusySeconds();
  const phase = await runPhase({
    url: target.url, headers: target.headers, bodies, connections, okStatus: target.okStatus,
    ...(byCount ? { amount: settings.c1_requests } : { durationS: seconds }),
  });
  const load = process.cpuUsage(loadBefore);
  const machineAfter = machineBusySeconds();
  phase.cpu = cpuPerVerification(cpuBetween(serverBefore, groupCpuSeconds(target.processGroup)),
    cpuBetween(upstreamBefore, groupCpuSeconds(upstream.pid)), phase.ok, phase.elapsed_s);
  if (phase.cpu) {
    phase.cpu.load_generator_cores_busy = round((load.user + load.system) / 1e6 / phase.elapsed_s);
    // Everything running on the machine: the bench's processes and anyone else's work.
    phase.cpu.machine_cores_busy = machineBefore === null ? null : round((machineAfter - machineBefore) / phase.elapsed_s);
  }
  // Requests cut off when the phase ended still reach the upstream: let them finish, then
  // count upstream calls per request the server received.
  await sleep(DRAIN_MS);
  const calls = await upstreamStats(upstream.base);
  const upstreamCalls = calls.getToken + calls.getCertification + calls.deleteCertification;
  phase.upstream = { ...calls, per_verification: phase.sent ? round(upstreamCalls / phase.sent, 3) : null };
  phase.prepared = size;
  log(`${target.label} c=${connections}: ${phase.ok} ok, ${phase.errors} errors, ${phase.throughput_rps} rps, `
    + `p50 ${phase.latency_ms.p50} ms, p99 ${phase.latency_ms.p99} ms, ${phase.upstream.per_verification} upstream calls each`);
  return phase;
}

/**
 * Every target at each level before the next level, so the servers compared at one level ran
 * within a minute or two of each other: other work on the machine drifts, and the ratios are the point.
 */
async function measureTargets(targets, upstream) {
  for (const target of targets) {
    log(`${target.label}: warming up`);
    await runPhase({ url: target.url, headers: target.headers, bodies: await target.prepare(settings.warmup_requests + 8),
      connections: 4, amount: settings.warmup_requests, okStatus: target.okStatus });
  }
  const measured = targets.map(({ name, label, runtime, state }) => ({ name, label, runtime, state, levels: [] }));
  const allLevels = [...new Set(targets.flatMap((target) => target.levels))].sort((a, b) => a - b);
  for (const connections of allLevels) {
    for (const [i, target] of targets.entries()) {
      if (target.levels.includes(connections)) {
        measured[i].levels.push(await measureLevel(target, connections, measured[i].levels.at(-1), upstream));
      }
    }
  }
  return measured;
}

/** A measurement the run can do without: its failure is recorded, and the run goes on. */
async function optional(what, measure) {
  try {
    return await measure();
  } catch (error) {
    log(`${what} failed: ${error?.message ?? error}`);
    return { error: String(error?.message ?? error).slice(0, 500) };
  }
}

function versions() {
  const version = (name, from = repoRoot) => {
    try {
      return createRequire(join(from, 'package.json'))(`${name}/package.json`).version;
    } catch {
      return null;
    }
  };
  const wrangler = join(repoRoot, 'node_modules/wrangler');
  return {
    node: process.version,
    wrangler: version('wrangler'),
    // wrangler's own, which both runtimes use (another package may hoist a newer one beside it).
    miniflare: version('miniflare', wrangler),
    workerd: version('workerd', wrangler),
    autocannon: version('autocannon', benchDir),
    express: version('express', benchDir),
    iamport: version('iamport', benchDir),
    hono: version('hono'),
    jose: version('jose'),
    'playwright-core': version('playwright-core'),
  };
}

function machine() {
  const cpuList = cpus();
  return {
    platform: `${platform()} ${release()}`,
    cpu: cpuList[0]?.model ?? 'unknown',
    cores: cpuList.length,
    memory_gib: Math.round(totalmem() / 2 ** 30),
    load_average_1_5_15_min: loadavg().map((value) => round(value)),
  };
}

function build() {
  log('npm run build');
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
  if (result.status !== 0) throw new Error(`npm run build failed: ${String(result.stderr).slice(-500)}`);
}

const RUNTIME_LABELS = { 'wrangler-dev': 'verifier (wrangler dev)', workerd: 'verifier (workerd)' };
const STATE_LABELS = { memory: 'state in memory', disk: 'state on disk' };

async function main() {
  const startedAt = new Date();
  log(`settings: ${JSON.stringify(settings)}`);
  build();

  const standin = await forkServer(join(benchDir, 'standin/server.mjs'),
    ['--delay-ms', String(settings.upstream_delay_ms), '--key', API_KEY, '--secret', API_SECRET], { name: 'the upstream stand-in' });
  const upstream = { base: `http://127.0.0.1:${standin.port}`, pid: standin.child.pid };
  log(`upstream stand-in on ${upstream.base}`);

  log('the verifier\'s bundle (wrangler deploy --dry-run); every verifier below runs this very bundle');
  const bundle = await measureVerifierBundle({ repoRoot, workDir });
  if (bundle.as_configured.error) throw new Error(bundle.as_configured.error);
  const bundledScript = bundle.as_configured.script;
  delete bundle.as_configured.script;

  const machineAtStart = machine();
  const page = await startPageServer(); // the tag's weight is measured on this page
  const states = stateRoots.memory ? ['memory', 'disk'] : ['disk'];
  const variants = ['wrangler-dev', 'workerd'].flatMap((runtime) => states.map((state) => ({ runtime, state })));
  log(`starting ${variants.length} verifiers and the two baselines`);
  const vars = await benchVars({ upstreamBase: upstream.base, apiKey: API_KEY, apiSecret: API_SECRET, extraOrigins: [page.origin] });
  const verifiers = await Promise.all(variants.map(async ({ runtime, state }) => ({
    runtime, state,
    ...await startVerifier({ runtime, repoRoot, workDir, stateDir: mkdtempSync(join(stateRoots[state], `${runtime}-`)), vars, bundledScript }),
  })));
  const mintChallenges = await loadChallengeMinter(repoRoot, workDir);
  const baselineArgs = (client) => ['--upstream', upstream.base, '--client', client, '--key', API_KEY, '--secret', API_SECRET];
  const guide = await forkServer(join(benchDir, 'baseline/server.mjs'), baselineArgs('guide'), { name: 'the guide baseline' });
  const library = await forkServer(join(benchDir, 'baseline/server.mjs'), baselineArgs('library'), { name: 'the library baseline' });

  const targets = [
    ...verifiers.map(({ runtime, state, base, child }) => ({
      ...verifierTarget(base, upstream.base, mintChallenges, vars.CHALLENGE_SECRET), name: `verifier_${runtime}_${state}`.replace('-', '_'), runtime, state,
      label: `${RUNTIME_LABELS[runtime]}, ${STATE_LABELS[state]}`, processGroup: child.pid,
      levels: state === 'memory' || states.length === 1 ? settings.levels : settings.disk_levels,
    })),
    { ...baselineTarget('baseline_guide', 'baseline: guide sample (Express, fresh token)', `http://127.0.0.1:${guide.port}`, upstream.base, 2), processGroup: guide.child.pid, levels: settings.levels },
    { ...baselineTarget('baseline_library', 'baseline: iamport npm client (Express, cached token)', `http://127.0.0.1:${library.port}`, upstream.base, 1), processGroup: library.child.pid, levels: settings.levels },
  ];
  const measured = await measureTargets(targets, upstream);
  await stop(guide.child);
  await stop(library.child);
  await stop(standin.child);

  // The runtime's own round trip, no upstream and no ledger: one at a time, then 32 clients.
  const healthz = {};
  for (const verifier of verifiers.filter(({ state }) => state === states[0])) {
    log(`${RUNTIME_LABELS[verifier.runtime]}: GET /healthz`);
    const url = `${verifier.base}/healthz`;
    const cpuBefore = groupCpuSeconds(verifier.child.pid);
    const alone = await runPhase({ url, method: 'GET', connections: 1, amount: settings.c1_requests, okStatus: 200 });
    const clients32 = await runPhase({ url, method: 'GET', connections: 32, durationS: settings.c32_duration_s, okStatus: 200 });
    const cpu = cpuBetween(cpuBefore, groupCpuSeconds(verifier.child.pid));
    healthz[verifier.runtime] = { one_client: alone, clients_32: clients32,
      cpu_ms_each: cpu ? round((sum(Object.values(cpu)) * 1000) / (alone.ok + clients32.ok), 3) : null };
  }

  log('the tag\'s weight, in Chromium');
  const tagServer = verifiers.find(({ runtime }) => runtime === 'wrangler-dev');
  page.setVerifier(tagServer.base);
  const tag = await optional('the tag\'s weight', () => measureTagWeight({ repoRoot, workDir, page }));
  await page.close();
  // Everything below measures alone: no server of the load phases keeps running.
  for (const verifier of verifiers) await stop(verifier.child);

  log('CPU per verification, in process');
  const cpu = await optional('CPU in process', () => measureCpu({ repoRoot, workDir, iterations: settings.cpu_iterations }));

  const results = {
    generated_at: startedAt.toISOString(),
    run_seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    quick,
    machine: { ...machineAtStart, load_average_at_end: machine().load_average_1_5_15_min },
    versions: versions(),
    settings: { ...settings, verifier: verifiers[0].settings, traffic: 'loopback (127.0.0.1) only' },
    targets: measured,
    healthz,
    cpu,
    verifier_bundle: bundle,
    tag,
  };
  const markdown = resultsMarkdown(results);
  if (quick) {
    console.log(`\n${markdown}`);
    log('quick run: nothing written (bench/results.json and bench/RESULTS.md are from the last full run)');
    return;
  }
  writeFileSync(join(benchDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(benchDir, 'RESULTS.md'), markdown);
  log('wrote bench/results.json and bench/RESULTS.md');
}

if (process.argv.includes('--tables-only')) {
  // Redraw RESULTS.md from the last results.json, measuring nothing.
  writeFileSync(join(benchDir, 'RESULTS.md'), resultsMarkdown(JSON.parse(readFileSync(join(benchDir, 'results.json'), 'utf8'))));
  await shutDown(0);
} else {
  main().then(() => shutDown(0), (error) => shutDown(1, error?.stack ?? String(error)));
}
