#!/usr/bin/env node
// `npm run bench`: the verifier against the Iamport guide's way, side by side, in one run on
// loopback, then the verifier's CPU, bundle and the tag's weight. Writes bench/results.json,
// bench/RESULTS.md and bench/latency-vs-concurrency.svg. Sends traffic to 127.0.0.1 only, stops by
// itself (BENCH_DEADLINE_S) and stops every process it started, even on failure.
//
// Settings (environment):
//   BENCH_UPSTREAM_DELAY_MS  the stand-in's delay per upstream call (default 20)
//   BENCH_DURATION_S         seconds per concurrency level (default 6; concurrency 32: BENCH_C32_DURATION_S, 10)
//   BENCH_C1_REQUESTS        verifications measured one at a time (default 300)
//   BENCH_LEVELS             concurrency levels (default 1,8,32,128)
//   BENCH_DEADLINE_S         the whole run's limit (default 600)
//   BENCH_STATE              where the verifier's Durable Objects keep state in the main phases:
//                            tmpfs (default where /dev/shm exists) or disk (a temporary directory);
//                            the other is measured too, at 1 and 32 clients
// `node bench/run.mjs --report-only` redraws RESULTS.md and the chart from results.json.
import { mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir, cpus, totalmem, platform, release, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { forkServer, stopAll, stop, groupCpuSeconds, cpuBetween, machineBusySeconds } from '../scripts/lib/processes.mjs';
import { startVerifier } from './lib/verifier.mjs';
import { runPhase } from './lib/load.mjs';
import { verifierTarget, baselineTarget } from './lib/targets.mjs';
import { measureCpu } from './lib/cpu.mjs';
import { measureVerifierBundle } from './lib/bundle.mjs';
import { probeWranglerDev } from './lib/probe.mjs';
import { measureTagWeight, startPageServer } from './lib/weight.mjs';
import { writeReport } from './lib/report.mjs';

const TMPFS = '/dev/shm';
const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(benchDir, '..');
const env = process.env;
const settings = {
  upstream_delay_ms: Number(env.BENCH_UPSTREAM_DELAY_MS ?? 20),
  duration_s: Number(env.BENCH_DURATION_S ?? 6),
  c32_duration_s: Number(env.BENCH_C32_DURATION_S ?? 10),
  c1_requests: Number(env.BENCH_C1_REQUESTS ?? 300),
  levels: (env.BENCH_LEVELS ?? '1,8,32,128').split(',').map(Number),
  deadline_s: Number(env.BENCH_DEADLINE_S ?? 600),
  // In memory by default: this machine's disk is shared, and its sync latency, which a new Durable
  // Object per imp_uid pays, varied threefold between runs. The disk is measured beside it.
  verifier_state: env.BENCH_STATE ?? (existsSync(TMPFS) ? 'tmpfs' : 'disk'),
  other_state_levels: [1, 32],
  warmup_requests: 40,
  min_age: 19,
};
const API_KEY = 'bench_api_key';
const API_SECRET = 'bench_api_secret';
/** Pools hold this much more than the most a phase should use, by the bounds below. */
const POOL_SLACK = 1.2;
/** From one level to the next, throughput is taken to grow at most this much (past 8 clients). */
const MAX_GROWTH_PER_LEVEL = 2.5;
/** After a phase, how long the requests it cut off get to finish before upstream calls are read. */
const DRAIN_MS = 1500;

const workDir = mkdtempSync(join(tmpdir(), 'iamport-verify-bench-'));
/** Durable Object state directories: one on disk (in workDir), one in memory when /dev/shm exists. */
const stateDirs = { disk: join(workDir, 'state'), tmpfs: existsSync(TMPFS) ? mkdtempSync(join(TMPFS, 'iamport-verify-bench-')) : null };
let finished = false;
async function shutDown(code, reason) {
  if (finished) return;
  finished = true;
  if (reason) console.error(reason);
  await stopAll();
  for (const dir of [workDir, stateDirs.tmpfs]) if (dir && !env.BENCH_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => shutDown(130, `stopped by ${signal}`));
setTimeout(() => shutDown(2, `bench: over its ${settings.deadline_s} s deadline; stopped everything`), settings.deadline_s * 1000).unref();

const log = (message) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

async function upstreamStats(upstreamBase, reset = false) {
  const response = await fetch(`${upstreamBase}/__bench/stats${reset ? '/reset' : ''}`, { method: reset ? 'POST' : 'GET' });
  return response.json();
}

/**
 * How many verifications to prepare for a phase: never more than it can possibly complete (each
 * needs at least its upstream delays), nor much more than the level below suggests. If the pool
 * still runs dry, the phase ends there and says so; its throughput stays valid.
 */
function poolSize(target, connections, seconds, previous) {
  const floorLatencyS = (settings.upstream_delay_ms * target.upstreamCallsAtLeast) / 1000;
  let bound = (connections / Math.max(floorLatencyS, 0.001)) * seconds;
  if (target.costlyToPrepare && previous && previous.connections > 1) {
    bound = Math.min(bound, previous.throughput_rps * Math.min(connections / previous.connections, MAX_GROWTH_PER_LEVEL) * seconds);
  }
  return Math.min(target.maxPool, Math.ceil(bound * POOL_SLACK) + connections * 2 + 50);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value, digits = 2) => (value === null || value === undefined ? null : Math.round(value * 10 ** digits) / 10 ** digits);

/** CPU per verification as the OS saw it, per process of the server's group, and of the stand-in. */
function cpuPerVerification(serverBefore, serverAfter, upstreamBefore, upstreamAfter, ok, elapsedS) {
  const server = cpuBetween(serverBefore, serverAfter);
  const upstream = cpuBetween(upstreamBefore, upstreamAfter);
  if (!server || !ok) return null;
  const total = Object.values(server).reduce((sum, seconds) => sum + seconds, 0);
  const perProcess = Object.fromEntries(Object.entries(server).filter(([, seconds]) => seconds > 0)
    .map(([name, seconds]) => [name, round((seconds * 1000) / ok, 3)]));
  return {
    server_ms: round((total * 1000) / ok, 3),
    server_by_process_ms: perProcess,
    server_cores_busy: round(total / elapsedS),
    upstream_standin_ms: upstream ? round((Object.values(upstream).reduce((a, b) => a + b, 0) * 1000) / ok, 3) : null,
  };
}

async function warmUp(target) {
  log(`${target.label}: warming up`);
  await runPhase({ url: target.url, headers: target.headers, bodies: await target.prepare(settings.warmup_requests + 8),
    connections: 4, amount: settings.warmup_requests, okStatus: target.okStatus });
}

/** One target at one concurrency level: prepare (untimed), run, then read CPU and upstream calls. */
async function measureLevel(target, connections, previous, upstreamBase, upstreamPid) {
  const byCount = connections === 1;
  const seconds = connections === 32 ? settings.c32_duration_s : settings.duration_s;
  const size = byCount ? settings.c1_requests + 10 : poolSize(target, connections, seconds, previous);
  const preparedAt = performance.now();
  const bodies = await target.prepare(size);
  const prepareS = (performance.now() - preparedAt) / 1000;
  await upstreamStats(upstreamBase, true);
  const serverBefore = groupCpuSeconds(target.processGroup);
  const upstreamBefore = groupCpuSeconds(upstreamPid);
  const loadBefore = process.cpuUsage();
  const machineBefore = machineBusySeconds();
  const phase = await runPhase({
    url: target.url, headers: target.headers, bodies, connections, okStatus: target.okStatus,
    ...(byCount ? { amount: settings.c1_requests } : { durationS: seconds }),
  });
  const load = process.cpuUsage(loadBefore);
  phase.cpu = cpuPerVerification(serverBefore, groupCpuSeconds(target.processGroup), upstreamBefore, groupCpuSeconds(upstreamPid), phase.ok, phase.elapsed_s);
  if (phase.cpu) {
    phase.cpu.load_generator_cores_busy = round((load.user + load.system) / 1e6 / phase.elapsed_s);
    // Everything running on the machine, the bench's processes and any other work.
    const machineAfter = machineBusySeconds();
    phase.cpu.machine_cores_busy = machineBefore === null || machineAfter === null ? null : round((machineAfter - machineBefore) / phase.elapsed_s);
  }
  // Requests cut off when the phase ended still reach the upstream: let them finish, then
  // count upstream calls per request the server received.
  await sleep(DRAIN_MS);
  const calls = await upstreamStats(upstreamBase);
  const upstreamCalls = calls.getToken + calls.getCertification + calls.deleteCertification;
  phase.upstream = { ...calls, per_verification: phase.sent ? round(upstreamCalls / phase.sent, 3) : null };
  phase.prepared = { verifications: size, seconds: Math.round(prepareS * 10) / 10 };
  log(`${target.label} c=${connections}: ${phase.ok} ok, ${phase.errors} errors, ${phase.throughput_rps} rps, `
    + `p50 ${phase.latency_ms.p50} ms, p99 ${phase.latency_ms.p99} ms, ${phase.upstream.per_verification} upstream calls each`);
  return phase;
}

/**
 * Every target at each level before the next level, so the servers compared at one level ran
 * within a minute of each other: other work on the machine drifts, and the ratios are the point.
 */
async function measureTargets(targets, levels, upstreamBase, upstreamPid) {
  for (const target of targets) await warmUp(target);
  const measured = targets.map((target) => ({ name: target.name, label: target.label, levels: [] }));
  for (const connections of levels) {
    for (const [i, target] of targets.entries()) {
      measured[i].levels.push(await measureLevel(target, connections, measured[i].levels.at(-1), upstreamBase, upstreamPid));
    }
  }
  return measured;
}

/** A measurement the report can do without: its failure is recorded, and the run goes on. */
async function optional(what, measure) {
  try {
    return await measure();
  } catch (error) {
    log(`${what} failed: ${error?.message ?? error}`);
    return { error: String(error?.message ?? error).slice(0, 500) };
  }
}

/** What wrangler dev logged as errors during the run (the verifier's own log lines hold codes only). */
function wranglerLogErrors(logPath) {
  const lines = readFileSync(logPath, 'utf8').split('\n');
  return {
    error_lines: lines.filter((line) => line.includes('[ERROR]')).length,
    sqlite_nomem_lines: lines.filter((line) => line.includes('SQLITE_NOMEM')).length,
    internal_error_responses: lines.filter((line) => line.includes('"code":"internal_error"')).length,
    // The verifier's own request log: outcome codes other than ok, counted.
    outcomes_not_ok: lines.filter((line) => line.startsWith('{"event":"request"')).reduce((codes, line) => {
      let code;
      try {
        ({ code } = JSON.parse(line));
      } catch {
        code = 'unreadable_log_line';
      }
      if (code !== 'ok') codes[code] = (codes[code] ?? 0) + 1;
      return codes;
    }, {}),
  };
}

/** The ledger's design as worker/ledger/ledger.ts declares it: bucket objects, or one object per id. */
function ledgerBuckets() {
  const source = readFileSync(join(repoRoot, 'worker/ledger/ledger.ts'), 'utf8');
  const match = /LEDGER_BUCKETS\s*=\s*(\d+)/.exec(source);
  return match ? Number(match[1]) : null;
}

function versions() {
  const version = (name) => {
    try {
      return JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      return null;
    }
  };
  return {
    node: process.version,
    wrangler: version('wrangler'),
    workerd: version('workerd'),
    autocannon: version('autocannon'),
    express: version('express'),
    iamport: version('iamport'),
    hono: version('hono'),
    jose: version('jose'),
    esbuild: version('esbuild'),
    'playwright-core': version('playwright-core'),
  };
}

function machine() {
  const cpuList = cpus();
  return {
    load_average_1_5_15_min: loadavg().map((value) => round(value)),
    platform: `${platform()} ${release()}`,
    cpu: cpuList[0]?.model ?? 'unknown',
    cores: cpuList.length,
    memory_gib: Math.round(totalmem() / 2 ** 30),
  };
}

function buildTagIfPossible() {
  const scripts = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts ?? {};
  if (!scripts.build) return { ran: false, note: 'no build script' };
  log('npm run build');
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'], timeout: 180_000 });
  return { ran: true, ok: result.status === 0, note: result.status === 0 ? 'built' : `build failed: ${String(result.stderr).slice(-300)}` };
}

async function main() {
  const startedAt = new Date();
  log(`settings: ${JSON.stringify(settings)}`);
  const build = buildTagIfPossible();

  const { child: upstream, port: upstreamPort } = await forkServer(join(benchDir, 'standin/server.mjs'),
    ['--delay-ms', String(settings.upstream_delay_ms), '--key', API_KEY, '--secret', API_SECRET], { name: 'the upstream stand-in' });
  const upstreamBase = `http://127.0.0.1:${upstreamPort}`;
  log(`upstream stand-in on ${upstreamBase}`);

  log('the verifier\'s bundle (wrangler deploy --dry-run); the load phases run this very bundle');
  const bundle = await measureVerifierBundle({ repoRoot, workDir });
  if (bundle.as_configured?.error) throw new Error(bundle.as_configured.error);
  const bundledScript = bundle.as_configured.script;
  delete bundle.as_configured.script;
  delete bundle.with_minify.script;

  const machineAtStart = machine();
  const verifierOptions = { repoRoot, workDir, upstreamBase, apiKey: API_KEY, apiSecret: API_SECRET, bundledScript };
  const mainState = settings.verifier_state === 'tmpfs' && stateDirs.tmpfs ? 'tmpfs' : 'disk';
  settings.verifier_state = mainState;
  const otherState = mainState === 'tmpfs' ? 'disk' : stateDirs.tmpfs ? 'tmpfs' : null;
  const stateLabel = (state) => (state === 'tmpfs' ? 'Durable Object state in memory (tmpfs)' : 'Durable Object state on disk');
  const measured = [];

  // First, briefly, the verifier with its state the other way, so the two can be compared.
  if (otherState) {
    const other = await startVerifier({ ...verifierOptions, stateDir: stateDirs[otherState] });
    log(`verifier (${stateLabel(otherState)}) on ${other.base}`);
    const target = { ...verifierTarget(other.base, upstreamBase), processGroup: other.child.pid };
    target.name = `verifier_state_${otherState}`;
    target.label = `verifier (wrangler dev), ${stateLabel(otherState)}`;
    measured.push(...await measureTargets([target], settings.other_state_levels, upstreamBase, upstream.pid));
    await stop(other.child);
    measured.at(-1).server_log = wranglerLogErrors(other.logPath);
  }

  const page = await startPageServer(); // the tag's weight is measured on this page, against this verifier
  const verifier = await startVerifier({ ...verifierOptions, stateDir: stateDirs[mainState], extraOrigins: [page.origin] });
  verifier.settings.durable_object_state = stateLabel(mainState);
  page.setVerifier(verifier.base);
  log(`verifier (wrangler dev) on ${verifier.base}`);
  const baselineArgs = (client) => ['--upstream', upstreamBase, '--client', client, '--key', API_KEY, '--secret', API_SECRET];
  const guide = await forkServer(join(benchDir, 'baseline/server.mjs'), baselineArgs('guide'), { name: 'the guide baseline' });
  const library = await forkServer(join(benchDir, 'baseline/server.mjs'), baselineArgs('library'), { name: 'the library baseline' });

  const targets = [
    { ...verifierTarget(verifier.base, upstreamBase), label: `verifier (wrangler dev), ${stateLabel(mainState)}`, processGroup: verifier.child.pid },
    { ...baselineTarget('baseline_guide', 'baseline: guide sample (Express, fresh token)', `http://127.0.0.1:${guide.port}`, upstreamBase, 2), processGroup: guide.child.pid },
    { ...baselineTarget('baseline_library', 'baseline: iamport npm client (Express, cached token)', `http://127.0.0.1:${library.port}`, upstreamBase, 1), processGroup: library.child.pid },
  ];
  measured.push(...await measureTargets(targets, settings.levels, upstreamBase, upstream.pid));
  measured.find((target) => target.name === 'verifier').server_log = wranglerLogErrors(verifier.logPath);
  // The main verifier first in the report, the other state beside it.
  measured.sort((a, b) => (a.name === 'verifier' ? -1 : b.name === 'verifier' ? 1 : 0));

  log('wrangler dev\'s own cost: GET /healthz, one at a time');
  const healthz = await runPhase({ url: `${verifier.base}/healthz`, method: 'GET', connections: 1, amount: settings.c1_requests, okStatus: 200 });

  await stop(guide.child);
  await stop(library.child);
  await stop(upstream);
  log('the tag\'s weight, in Chromium');
  const tag = await optional('the tag\'s weight', () => measureTagWeight({ repoRoot, workDir, build, page, verifierBase: verifier.base }));
  await page.close();
  // Everything below measures alone: no server of the load phases keeps running.
  await stop(verifier.child);

  log('CPU per verification, in process');
  const cpu = await optional('CPU in process', () => measureCpu({ repoRoot, workDir }));
  log('wrangler dev: CF-Connecting-IP and the ledger\'s Durable Object round trip');
  const probe = await optional('the probe', () => probeWranglerDev({ repoRoot, workDir }));

  const results = {
    generated_at: startedAt.toISOString(),
    run_seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    machine: { ...machineAtStart, load_average_at_end: machine().load_average_1_5_15_min },
    versions: versions(),
    settings: { ...settings, verifier: verifier.settings, ledger_buckets: ledgerBuckets(), traffic: 'loopback (127.0.0.1) only' },
    targets: measured,
    wrangler_healthz: healthz,
    cpu,
    verifier_bundle: bundle,
    wrangler_dev: probe,
    tag,
  };
  mkdirSync(benchDir, { recursive: true });
  writeFileSync(join(benchDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  writeReport(results, benchDir);
  log('wrote bench/results.json, bench/RESULTS.md and bench/latency-vs-concurrency.svg');
}

if (process.argv.includes('--report-only')) {
  // Redraw RESULTS.md and the chart from the last results.json, measuring nothing.
  writeReport(JSON.parse(readFileSync(join(benchDir, 'results.json'), 'utf8')), benchDir);
  await shutDown(0);
} else {
  main().then(() => shutDown(0), (error) => shutDown(1, error?.stack ?? String(error)));
}
