// Facts about `wrangler dev` the numbers depend on, from bench/probe/worker.ts run alone:
// whether a client-sent CF-Connecting-IP reaches the Worker (the rate limit's key), whether
// `env` is one object across requests (settings are cached per env), and the ledger's
// Durable Object cost with the verifier's own ImpUidLedger class: a claim in a new object per
// imp_uid (what the verifier does), a new row in an object that exists, and a refused
// duplicate, each against a no-op; one at a time and with 32 clients; with the Durable Objects'
// state on disk (as in the load phases) and, for comparison, in memory (tmpfs).
import { writeFileSync, readFileSync, createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { freePort, spawnGroup, stop, waitForHttp, groupCpuSeconds, cpuBetween, forkServer } from '../../scripts/lib/processes.mjs';
import { runPhase, summarize } from './load.mjs';

const SAMPLES = Number(process.env.BENCH_PROBE_SAMPLES ?? 150);
const CONCURRENT_CLIENTS = 32;
const CONCURRENT_SECONDS = Number(process.env.BENCH_PROBE_SECONDS ?? 3);
const FORGED_IP = '203.0.113.7';
const TMPFS = '/dev/shm';

function probeConfig(repoRoot, script) {
  const main = readFileSync(join(repoRoot, 'wrangler.toml'), 'utf8');
  const setting = (name) => new RegExp(`^${name}\\s*=\\s*(.+)$`, 'm').exec(main)?.[1];
  return [
    'name = "iamport-verify-bench-probe"',
    `main = ${JSON.stringify(script)}`,
    `compatibility_date = ${setting('compatibility_date')}`,
    `compatibility_flags = ${setting('compatibility_flags') ?? '[]'}`,
    '[[durable_objects.bindings]]', 'name = "LEDGER"', 'class_name = "ImpUidLedger"',
    '[[migrations]]', 'tag = "v1"', 'new_sqlite_classes = ["ImpUidLedger"]',
    '[[ratelimits]]', 'name = "RATE_LIMITER"', 'namespace_id = "1001"', 'simple = { limit = 1000000, period = 60 }',
  ].join('\n') + '\n';
}

/** The probe bundled once (a snapshot, like the verifier's: edits to worker/ cannot reload it). */
async function bundleProbe(repoRoot, workDir) {
  const outfile = join(workDir, 'probe-bundle', 'index.js');
  await build({
    entryPoints: [join(repoRoot, 'bench/probe/worker.ts')], bundle: true, format: 'esm', platform: 'browser',
    target: 'es2022', outfile, external: ['cloudflare:*'], logLevel: 'warning',
  });
  return outfile;
}

async function startProbe(repoRoot, workDir, script, persistTo, name) {
  const configPath = join(workDir, 'probe.wrangler.toml');
  writeFileSync(configPath, probeConfig(repoRoot, script));
  const port = await freePort();
  const child = spawnGroup('npx', ['wrangler', 'dev', '--config', configPath, '--port', String(port), '--ip', '127.0.0.1',
    '--persist-to', persistTo, '--show-interactive-dev-session=false', '--no-bundle'], {
    cwd: repoRoot, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1' },
    logStream: createWriteStream(join(workDir, `probe-${name}.log`)),
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/noop`, { child });
  return { base, child };
}


const claimBody = (object, id) => JSON.stringify({ object, id });

/** 32 clients for a few seconds: requests/s, latency, and the OS's CPU per request for each process of wrangler dev. */
async function concurrentCost(child, url, method, bodies) {
  const before = groupCpuSeconds(child.pid);
  const phase = await runPhase({ url, method, bodies, connections: CONCURRENT_CLIENTS, durationS: CONCURRENT_SECONDS, okStatus: 200 });
  const used = cpuBetween(before, groupCpuSeconds(child.pid)) ?? {};
  const each = (name) => (used[name] !== undefined && phase.ok ? round((used[name] * 1000) / phase.ok) : null);
  return {
    requests_per_s: phase.throughput_rps, latency_ms: phase.latency_ms, errors: phase.errors,
    workerd_cpu_ms_each: each('workerd'),
    // wrangler dev's Node process: the proxy in front of workerd, which also prints the logs.
    wrangler_node_cpu_ms_each: each('node'),
    workerd_cores_busy: used.workerd !== undefined ? round(used.workerd / phase.elapsed_s) : null,
  };
}

/** The other I/O of a verification, each alone: p50 over a no-op (one at a time) and CPU per request (32 clients). */
async function componentCosts({ base, child }, fetchTarget) {
  const paths = { noop: '/noop', rate_limiter: '/ratelimit', outbound_fetch: `/fetch?to=${encodeURIComponent(fetchTarget)}`, log_line: '/log' };
  const result = {};
  for (const [name, path] of Object.entries(paths)) {
    const latencies = [];
    for (let i = 0; i < SAMPLES; i++) {
      const started = performance.now();
      const response = await fetch(`${base}${path}`);
      await response.arrayBuffer();
      latencies.push(performance.now() - started);
    }
    result[name] = { sequential_ms: summarize(latencies), clients_32: await concurrentCost(child, `${base}${path}`, 'GET', undefined) };
  }
  for (const name of Object.keys(paths)) {
    result[name].p50_over_noop_ms = round(result[name].sequential_ms.p50 - result.noop.sequential_ms.p50);
  }
  return result;
}

async function timeSequential(base, count, makeBody) {
  const latencies = [];
  for (let i = 0; i < count; i++) {
    const body = makeBody?.(i);
    const started = performance.now();
    const response = await fetch(`${base}${body ? '/claim' : '/noop'}`, body ? { method: 'POST', body } : {});
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`probe answered ${response.status}`);
    latencies.push(performance.now() - started);
  }
  return summarize(latencies);
}

/** The ledger's costs on one probe: sequential latencies and 32-client throughput. */
async function ledgerCosts({ base, child }, run) {
  await timeSequential(base, 20, (i) => claimBody(`warm-${run}-${i}`, `imp_${i}`)); // warm the isolate and the class
  const sequential = {
    noop_request: await timeSequential(base, SAMPLES),
    claim_in_new_object: await timeSequential(base, SAMPLES, (i) => claimBody(`iamport:imp_new_${run}_${i}`, `imp_${i}`)),
    claim_new_row_in_existing_object: await timeSequential(base, SAMPLES, (i) => claimBody(`shared-${run}`, `imp_${i}`)),
    claim_duplicate_in_existing_object: await timeSequential(base, SAMPLES, () => claimBody(`shared-${run}`, 'imp_0')),
  };
  const over = (summary) => ({ p50: round(summary.p50 - sequential.noop_request.p50), p99: round(summary.p99 - sequential.noop_request.p99) });
  const bodies = (make) => Array.from({ length: 20_000 }, (_, i) => make(i));
  const concurrent = (url, method, list) => concurrentCost(child, url, method, list);
  return {
    sequential_ms: {
      ...sequential,
      over_noop: Object.fromEntries(Object.entries(sequential).filter(([name]) => name !== 'noop_request').map(([name, summary]) => [name, over(summary)])),
    },
    [`clients_${CONCURRENT_CLIENTS}`]: {
      noop_request: await concurrent(`${base}/noop`, 'GET', undefined),
      claim_new_row_in_existing_object: await concurrent(`${base}/claim`, 'POST', bodies((i) => claimBody(`shared-c-${run}`, `imp_${i}`))),
      // Last: thousands of objects made within seconds can exhaust wrangler dev (SQLITE_NOMEM seen on tmpfs).
      claim_in_new_object: await concurrent(`${base}/claim`, 'POST', bodies((i) => claimBody(`iamport:imp_c_${run}_${i}`, `imp_${i}`))),
    },
  };
}

export async function probeWranglerDev({ repoRoot, workDir }) {
  const run = `${Date.now()}`;
  const script = await bundleProbe(repoRoot, workDir);
  const onDisk = await startProbe(repoRoot, workDir, script, join(workDir, 'probe-state'), 'disk');
  let facts;
  let disk;
  try {
    const forged = await (await fetch(`${onDisk.base}/headers`, { headers: { 'cf-connecting-ip': FORGED_IP } })).json();
    const plain = await (await fetch(`${onDisk.base}/headers`)).json();
    await fetch(`${onDisk.base}/env-identity`);
    const envIdentity = await (await fetch(`${onDisk.base}/env-identity`)).json();
    facts = {
      cf_connecting_ip: {
        sent: FORGED_IP,
        worker_saw_when_sent: forged.cf_connecting_ip,
        worker_saw_when_not_sent: plain.cf_connecting_ip,
        passes_client_value_through: forged.cf_connecting_ip === FORGED_IP,
      },
      env_is_one_object_across_requests: envIdentity.same_env_object_as_last_request,
    };
    disk = await ledgerCosts(onDisk, run);
    // A loopback server that answers at once, as the outbound fetch's target.
    const target = await forkServer(join(repoRoot, 'bench/standin/server.mjs'), ['--delay-ms', '0'], { name: 'the fetch target' });
    try {
      facts.components = await componentCosts(onDisk, `http://127.0.0.1:${target.port}/__bench/stats`);
    } finally {
      await stop(target.child);
    }
  } finally {
    await stop(onDisk.child);
  }
  let memory = null;
  if (existsSync(TMPFS)) {
    const stateDir = mkdtempSync(join(TMPFS, 'iamport-verify-probe-'));
    try {
      const inMemory = await startProbe(repoRoot, workDir, script, stateDir, 'tmpfs');
      try {
        memory = await ledgerCosts(inMemory, `${run}m`);
      } finally {
        await stop(inMemory.child);
      }
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }
  return { ...facts, ledger: { samples: SAMPLES, state_on_disk: disk, state_on_tmpfs: memory } };
}

const round = (value) => Math.round(value * 100) / 100;
