// bench/RESULTS.md and bench/latency-vs-concurrency.svg, from the results of one run.
// Every number in them comes from results.json; the words around them say how to read them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CHART_FILE = 'latency-vs-concurrency.svg';

/** The issue's targets (issue 6). */
export const TARGETS = {
  upstreamCallsPerVerification: 1,
  latencyRatioMax: 0.55,
  overheadP50MaxMs: 2,
  throughputRatioMin: 2,
  cpuPerVerificationMaxMs: 1,
  workersFreeCpuLimitMs: 10,
  tagGzipMaxBytes: 8 * 1024,
  bundleGzipMaxBytes: 40 * 1024,
};

const fmt = (value, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? 'n/a' : Number(value).toFixed(digits));
const kb = (bytes) => (bytes === undefined || bytes === null ? 'n/a' : `${(bytes / 1024).toFixed(2)} KB`);
const ratio = (a, b) => (a === null || b === null || b === 0 || a === undefined || b === undefined ? null : a / b);
const level = (target, connections) => target?.levels.find((phase) => phase.connections === connections);
const table = (header, rows) => [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
const verdict = (met) => (met === null ? 'n/a' : met ? '**met**' : '**missed**');

/** The numbers the headline, the targets and the README quote, computed once. */
export function headline(results) {
  const [verifier, guide, library] = ['verifier', 'baseline_guide', 'baseline_library'].map((name) => results.targets.find((t) => t.name === name));
  const delay = results.settings.upstream_delay_ms;
  const v1 = level(verifier, 1);
  const g1 = level(guide, 1);
  const l1 = level(library, 1);
  const v32 = level(verifier, 32);
  const g32 = level(guide, 32);
  const l32 = level(library, 32);
  const healthzP50 = results.wrangler_healthz?.latency_ms.p50 ?? null;
  return {
    delay, verifier, guide, library, v1, g1, l1, v32, g32, l32, healthzP50,
    latencyRatioP50: ratio(v1?.latency_ms.p50, g1?.latency_ms.p50),
    latencyRatioP99: ratio(v1?.latency_ms.p99, g1?.latency_ms.p99),
    latencyRatioP50Library: ratio(v1?.latency_ms.p50, l1?.latency_ms.p50),
    throughputRatio: ratio(v32?.throughput_rps, g32?.throughput_rps),
    throughputRatioLibrary: ratio(v32?.throughput_rps, l32?.throughput_rps),
    overheadP50: v1 ? v1.latency_ms.p50 - delay : null,
    overheadP99: v1 ? v1.latency_ms.p99 - delay : null,
    ownOverheadP50: v1 && healthzP50 !== null ? v1.latency_ms.p50 - delay - healthzP50 : null,
    cpuMs: results.cpu?.attestation_request ? results.cpu.attestation_request.cpu_us / 1000 : null,
  };
}

function targetRows(results, h) {
  const steadyCalls = h.verifier?.levels.filter((phase) => phase.connections > 1).map((phase) => phase.upstream.per_verification) ?? [];
  const worstSteadyCalls = steadyCalls.length ? Math.max(...steadyCalls) : null;
  const tagBytes = results.tag?.before_first_interaction?.total_body_gzip_bytes;
  const bundle = results.verifier_bundle?.as_configured?.gzip_bytes;
  const minified = results.verifier_bundle?.with_minify?.gzip_bytes;
  const ledger = mainLedger(results)?.sequential_ms.over_noop;
  const outbound = results.wrangler_dev?.components?.outbound_fetch.p50_over_noop_ms;
  const rows = [
    ['One upstream call per verification in steady state',
      `${fmt(worstSteadyCalls, 3)} (worst of concurrency ${h.verifier?.levels.filter((p) => p.connections > 1).map((p) => p.connections).join(', ')})`,
      verdict(worstSteadyCalls === null ? null : worstSteadyCalls <= TARGETS.upstreamCallsPerVerification + 0.01),
      'the access token is cached per isolate and shared by concurrent requests; the guide asks for a token every time (2 calls)'],
    [`Latency at most ${TARGETS.latencyRatioMax} of the baseline's at ${h.delay} ms upstream delay`,
      `p50 ${fmt(h.latencyRatioP50, 2)}, p99 ${fmt(h.latencyRatioP99, 2)} (concurrency 1, vs the guide)`,
      verdict(h.latencyRatioP50 === null ? null : h.latencyRatioP50 <= TARGETS.latencyRatioMax),
      'one upstream call instead of two; what is left is the verifier\'s overhead below'],
    [`Verifier overhead under ${TARGETS.overheadP50MaxMs} ms p50 (latency minus the stand-in's delay)`,
      `p50 ${fmt(h.overheadP50, 2)} ms, p99 ${fmt(h.overheadP99, 2)} ms; minus wrangler dev's own round trip (GET /healthz p50 ${fmt(h.healthzP50, 2)} ms): p50 ${fmt(h.ownOverheadP50, 2)} ms`,
      verdict(h.overheadP50 === null ? null : h.overheadP50 < TARGETS.overheadP50MaxMs),
      ledger ? `see "Where the verifier's time goes": under wrangler dev the outbound fetch costs ${fmt(outbound, 2)} ms more than no fetch, ${ledgerKind(results).label} ${fmt(ledger[ledgerKind(results).key].p50, 2)} ms (a new object per imp_uid: ${fmt(ledger.claim_in_new_object.p50, 2)} ms); the verifier's CPU is ${fmt(h.cpuMs, 2)} ms` : ''],
    [`Throughput at concurrency 32 at least ${TARGETS.throughputRatioMin}× the baseline's`,
      `${fmt(h.throughputRatio, 2)}× (${fmt(h.v32?.throughput_rps)} vs ${fmt(h.g32?.throughput_rps)} verifications/s)`,
      verdict(h.throughputRatio === null ? null : h.throughputRatio >= TARGETS.throughputRatioMin),
      `${throughputLimit(results, h).cpuBound ? `CPU-bound: ${fmt(throughputLimit(results, h).busyCores, 2)} of ${results.machine.cores} cores busy, all processes` : `not CPU-bound (${fmt(throughputLimit(results, h).busyCores, 2)} of ${results.machine.cores} cores busy, all processes): waiting, see below`}; the verifier under wrangler dev used ${fmt(h.v32?.cpu?.server_ms, 2)} ms of CPU per verification (workerd and wrangler's Node process), the guide's Express server ${fmt(h.g32?.cpu?.server_ms, 2)} ms; the verifier's own code is ${fmt(h.cpuMs, 2)} ms of it; see "Why the verifier's throughput stops where it does"`],
    [`CPU per verification under ${TARGETS.cpuPerVerificationMaxMs} ms (Workers free plan limit: ${TARGETS.workersFreeCpuLimitMs} ms)`,
      `${fmt(h.cpuMs, 3)} ms per POST /v1/attestations`,
      verdict(h.cpuMs === null ? null : h.cpuMs < TARGETS.cpuPerVerificationMaxMs),
      'measured in process in Node (see CPU); excludes the Durable Object round trip, which is I/O wait'],
    [`The tag at most ${kb(TARGETS.tagGzipMaxBytes)} gzipped before the first interaction`,
      results.tag?.built ? `${kb(tagBytes)} (every response the page loads, gzipped); module alone ${kb(results.tag.module.gzip)} gzip, ${kb(results.tag.module.brotli)} brotli` : 'not built',
      verdict(tagBytes === undefined ? null : tagBytes <= TARGETS.tagGzipMaxBytes),
      results.tag?.built ? 'Lit is bundled into the module (one self-contained file for script-tag use)' : 'dist/site/iamport-verify.js did not exist: run `npm run build`'],
    [`The verifier's bundle at most ${kb(TARGETS.bundleGzipMaxBytes)} gzipped`,
      minifiedAsConfigured(results.verifier_bundle) ? `${kb(bundle)} as configured (minified)` : `${kb(bundle)} as configured (not minified); ${kb(minified)} with --minify`,
      verdict(bundle === undefined ? null : bundle <= TARGETS.bundleGzipMaxBytes),
      bundleWhy(results)],
  ];
  return table(['target', 'measured', 'verdict', 'why'], rows);
}

function bundleWhy(results) {
  const parts = results.verifier_bundle?.composition_unminified_bytes;
  if (!parts) return '';
  const top = Object.entries(parts).slice(0, 5).map(([name, bytes]) => `${name} ${kb(bytes)}`).join(', ');
  return `unminified bytes by source: ${top}`;
}

/** Whether wrangler.toml already minifies (the configured bundle is the --minify one). */
function minifiedAsConfigured(bundle) {
  return bundle?.as_configured?.gzip_bytes !== undefined && bundle.as_configured.gzip_bytes === bundle.with_minify?.gzip_bytes;
}

function scalingTable(results) {
  const rows = [];
  for (const target of results.targets) {
    for (const phase of target.levels) {
      rows.push([target.label, phase.connections, phase.mode, fmt(phase.throughput_rps), fmt(phase.latency_ms.p50, 2), fmt(phase.latency_ms.p95, 2),
        fmt(phase.latency_ms.p99, 2), phase.ok, phase.errors, fmt(phase.upstream.per_verification, 3),
        fmt(phase.cpu?.server_ms, 2), fmt(phase.cpu?.server_cores_busy, 2), fmt(phase.cpu?.load_generator_cores_busy, 2),
        phase.pool_exhausted_after_s === null ? '' : `pool ran dry at ${phase.pool_exhausted_after_s} s`]);
    }
  }
  return `${table(['server', 'clients', 'phase', 'verifications/s', 'p50 ms', 'p95 ms', 'p99 ms', 'ok', 'errors', 'upstream calls each', 'server CPU ms each', 'server cores busy', 'load generator cores busy', 'note'], rows)}

"Upstream calls each" counts the stand-in's calls per request the server received (after letting cut-off requests finish). "Server CPU" is what the OS counted for the server's processes (for the verifier: workerd and wrangler's Node proxy together; per process in results.json) divided by the verifications completed.`;
}

/** Which probe row is what the verifier's ledger does per verification: a new object per id, or a row in a bucket that exists. */
function ledgerKind(results) {
  return results.settings.ledger_buckets
    ? { key: 'claim_new_row_in_existing_object', label: `a claim in one of the ledger's ${results.settings.ledger_buckets} bucket objects (a new row in an object that exists)` }
    : { key: 'claim_in_new_object', label: 'a claim in a new Durable Object per imp_uid' };
}

/** The ledger's numbers for the state the main verifier ran with. */
function mainLedger(results) {
  const ledger = results.wrangler_dev?.ledger;
  if (!ledger) return null;
  const onTmpfs = /tmpfs/.test(results.settings.verifier.durable_object_state ?? '');
  return (onTmpfs ? ledger.state_on_tmpfs : ledger.state_on_disk) ?? ledger.state_on_disk;
}

function timeBreakdown(results, h) {
  const components = results.wrangler_dev?.components;
  const ledger = mainLedger(results);
  const cpu = results.cpu;
  if (!h.v1) return '';
  const rows = [
    ['the stand-in\'s delay (one look-up)', h.delay],
    ['wrangler dev\'s round trip for a trivial request with its log line (GET /healthz, p50)', h.healthzP50],
    ['an outbound fetch from workerd to a loopback server that answers at once (probe, p50 over a no-op)', components?.outbound_fetch.p50_over_noop_ms],
    [`the ledger: ${ledgerKind(results).label}, ${results.settings.verifier.durable_object_state} (probe, p50 over a no-op)`, ledger?.sequential_ms.over_noop[ledgerKind(results).key].p50],
    ['CPU of the request itself, in process (Hono, checks, HMACs, ES256)', cpu?.attestation_request ? cpu.attestation_request.cpu_us / 1000 : null],
  ];
  const explained = rows.reduce((sum, [, value]) => sum + (Number(value) || 0), 0);
  const formatted = rows.map(([label, value]) => [label, fmt(value, 2)]);
  formatted.push(['rest: the stand-in\'s own HTTP handling and timer slack, the body and JSON work outside the app, scheduling', fmt(h.v1.latency_ms.p50 - explained, 2)]);
  formatted.push(['**measured p50 of POST /v1/attestations, one client**', `**${fmt(h.v1.latency_ms.p50, 2)}**`]);
  return table(['part', 'ms'], formatted);
}

/** Whether the machine's cores were full at 32 clients (the verifier's processes, the load generator, the stand-in). */
function throughputLimit(results, h) {
  const v = h.v32?.cpu;
  const standinCores = v?.upstream_standin_ms !== null && v?.upstream_standin_ms !== undefined ? (v.upstream_standin_ms * h.v32.throughput_rps) / 1000 : 0;
  const benchCores = (v?.server_cores_busy ?? 0) + (v?.load_generator_cores_busy ?? 0) + standinCores;
  // The whole machine when measured (other work competes for the same cores), else the bench's own processes.
  const busyCores = v?.machine_cores_busy ?? benchCores;
  return { busyCores, benchCores, standinCores, cpuBound: busyCores >= 0.85 * results.machine.cores };
}

/** Why throughput stops where it does: CPU per verification as the OS saw it, and where wrangler dev spends it. */
function throughputWhy(results, h) {
  const components = results.wrangler_dev?.components;
  const ledger = mainLedger(results);
  const v = h.v32?.cpu;
  if (!v || !components) return 'Not measured.';
  const byProcess = v.server_by_process_ms;
  const server = (phase) => fmt(phase?.cpu?.server_ms, 2);
  const noop = components.noop.clients_32;
  const over = (entry, key) => (entry && noop[key] !== null && entry[key] !== null ? entry[key] - noop[key] : null);
  const rows = [
    ['a no-op request through wrangler dev (baseline of the rows below)', fmt(noop.workerd_cpu_ms_each, 2), fmt(noop.wrangler_node_cpu_ms_each, 2)],
    ['+ an outbound fetch (the upstream look-up)', fmt(over(components.outbound_fetch.clients_32, 'workerd_cpu_ms_each'), 2), fmt(over(components.outbound_fetch.clients_32, 'wrangler_node_cpu_ms_each'), 2)],
    ['+ a log line', fmt(over(components.log_line.clients_32, 'workerd_cpu_ms_each'), 2), fmt(over(components.log_line.clients_32, 'wrangler_node_cpu_ms_each'), 2)],
    ['+ a rate limiter call', fmt(over(components.rate_limiter.clients_32, 'workerd_cpu_ms_each'), 2), fmt(over(components.rate_limiter.clients_32, 'wrangler_node_cpu_ms_each'), 2)],
    [`+ ${ledgerKind(results).label} (${results.settings.verifier.durable_object_state})`, fmt(over(ledger?.clients_32[ledgerKind(results).key], 'workerd_cpu_ms_each'), 2), fmt(over(ledger?.clients_32[ledgerKind(results).key], 'wrangler_node_cpu_ms_each'), 2)],
    ['+ the verifier\'s own code (in process, above)', fmt(h.cpuMs, 2), ''],
  ];
  const sum = (column) => rows.reduce((total, row) => total + (Number(row[column]) || 0), 0);
  rows.push(['rest, not split out (request and response bodies through the proxy, the token in the response, scheduling)',
    fmt((byProcess.workerd ?? 0) - sum(1), 2), fmt((byProcess.node ?? 0) - sum(2), 2)]);
  rows.push(['**measured per verification at 32 clients**', `**${fmt(byProcess.workerd, 2)}**`, `**${fmt(byProcess.node, 2)}**`]);
  const limit = throughputLimit(results, h);
  const newObjects = ledger?.clients_32.claim_in_new_object;
  const ledgerRate = ledger?.clients_32[ledgerKind(results).key]?.requests_per_s;
  const ledgerLimits = ledgerRate !== undefined && ledgerRate < 2 * (h.v32?.throughput_rps ?? 0);
  const existing = ledger?.clients_32.claim_new_row_in_existing_object;
  const who = `the verifier's processes ${fmt(v.server_cores_busy, 2)}, the load generator ${fmt(v.load_generator_cores_busy, 2)}, the stand-in ${fmt(limit.standinCores, 2)}, other work on the machine ${fmt(Math.max(0, limit.busyCores - limit.benchCores), 2)}`;
  const opening = limit.cpuBound
    ? `At 32 clients the machine's cores were full: ${fmt(limit.busyCores, 2)} of ${results.machine.cores} busy (${who}).`
    : `At 32 clients the machine's cores were not full: ${fmt(limit.busyCores, 2)} of ${results.machine.cores} busy (${who}): the limit is a wait, not the CPU alone. With ${results.settings.verifier.durable_object_state}, ledger claims alone reach ${fmt(newObjects?.requests_per_s)} per second with 32 clients when each makes a new object, and ${fmt(existing?.requests_per_s)} as new rows in an object that exists (table above); the verifier's ledger ${results.settings.ledger_buckets ? `uses ${results.settings.ledger_buckets} bucket objects, so it pays the second` : 'makes a new object per imp_uid, so it pays the first'}, ${ledgerLimits ? 'which is close to the verifier\'s own rate: the ledger is the likely wait.' : 'well above the verifier\'s own rate: the wait is elsewhere in wrangler dev, not split out here.'}`;
  return `${opening} Per verification the OS counted ${fmt(v.server_ms, 2)} ms of CPU for the verifier under wrangler dev, against ${server(h.g32)} ms for the guide's Express server and ${server(h.l32)} ms for the iamport-client server. Of that, the verifier's own code is ${fmt(h.cpuMs, 2)} ms; the rest is wrangler dev's machinery, measured piece by piece with the probe Worker (32 clients, CPU per request):

${table(['what', 'workerd CPU ms', 'wrangler\'s Node process CPU ms'], rows)}

Where the machine is full, throughput is bounded by wrangler dev's per-request CPU (its proxy, its handling of outbound fetches and logs, and local Durable Object storage), not by the verifier's checks or signature. On Cloudflare none of the Node-process rows exist and the isolate's CPU is the in-process number; this bench cannot show that, and does not claim it.`;
}

function cpuSection(cpu) {
  if (!cpu || cpu.error) return `CPU measurement failed: ${cpu?.error ?? 'not run'}`;
  const pieces = Object.entries(cpu.pieces).map(([name, sample]) => [name.replaceAll('_', ' '), fmt(sample.cpu_us), fmt(sample.wall_us)]);
  return [
    `${cpu.iterations} iterations each, after a warm-up, in ${cpu.runtime}. process.cpuUsage() counts every thread, so WebCrypto's work off the main thread is included.`,
    '',
    table(['what', 'CPU µs', 'wall µs'], [
      ['**a whole POST /v1/attestations through the app**', `**${fmt(cpu.attestation_request.cpu_us)}**`, fmt(cpu.attestation_request.wall_us)],
      ['the decisions and the signature alone', fmt(cpu.decisions.cpu_us), fmt(cpu.decisions.wall_us)],
      ['POST /v1/challenges', fmt(cpu.challenge_request.cpu_us), fmt(cpu.challenge_request.wall_us)],
      ['GET /healthz', fmt(cpu.healthz_request.cpu_us), fmt(cpu.healthz_request.wall_us)],
      ...pieces,
    ]),
    '',
    `Included: ${cpu.included}. Not included: ${cpu.not_included}. Failed requests during the run: ${cpu.attestation_failures}.`,
    `Once per isolate (cold): parsing the settings ${fmt(cpu.cold.settings_parse_ms, 2)} ms, importing the signing key ${fmt(cpu.cold.signing_key_import_ms, 2)} ms; both are cached for the isolate's life, so they are not per verification.`,
  ].join('\n');
}

function tagSection(tag) {
  if (!tag || tag.error) return `Not measured${tag?.error ? `: ${tag.error}` : ''}.`;
  const jq = tag.comparison.jquery_1_12_4_min;
  const jqLine = `For comparison, jQuery 1.12.4 (jquery.min.js from the npm registry), which the guide's integration loads first: ${kb(jq.bytes)}, ${kb(jq.gzip)} gzip, ${kb(jq.brotli)} brotli (${tag.comparison.note}).`;
  if (!tag.built) return `**Not built**: dist/site/iamport-verify.js does not exist (${tag.build?.note ?? ''}). ${jqLine}`;
  const first = tag.before_first_interaction;
  const lines = [
    table(['file', 'bytes', 'gzip', 'brotli'], [['dist/site/iamport-verify.js', tag.module.bytes, tag.module.gzip, tag.module.brotli], ['jquery 1.12.4 jquery.min.js', jq.bytes, jq.gzip, jq.brotli]]),
    '',
    jqLine,
    '',
  ];
  if (first?.error) {
    lines.push(`Page load in Chromium: ${first.error}`);
  } else if (first) {
    lines.push(`What the README's snippet page loads in Chromium before anyone touches it (the page itself not counted; the tag's state afterwards: \`${first.tag_state_after_load}\`):`, '');
    lines.push(table(['request', 'type', 'body bytes', 'body gzip', 'headers bytes'],
      first.requests.map((r) => [`${r.method} ${r.url}`, r.type, r.body_bytes, r.body_gzip, r.headers_bytes])));
    lines.push('', `Total: ${kb(first.total_body_bytes)} of bodies as wrangler dev serves them (uncompressed), ${kb(first.total_body_gzip_bytes)} gzipped (what a compressing edge sends), plus ${kb(first.total_headers_bytes)} of headers. Requests off loopback before interaction: ${first.blocked_off_loopback.length ? first.blocked_off_loopback.join(', ') : 'none'} (the provider's SDK loads on the first pointer or focus).`);
  }
  return lines.join('\n');
}

export function renderMarkdown(results) {
  const h = headline(results);
  const s = results.settings;
  const probe = results.wrangler_dev;
  const headlineRows = [
    ['latency p50, 1 client (ms)', fmt(h.v1?.latency_ms.p50, 2), fmt(h.g1?.latency_ms.p50, 2), fmt(h.latencyRatioP50, 2), fmt(h.l1?.latency_ms.p50, 2), fmt(h.latencyRatioP50Library, 2)],
    ['latency p95, 1 client (ms)', fmt(h.v1?.latency_ms.p95, 2), fmt(h.g1?.latency_ms.p95, 2), fmt(ratio(h.v1?.latency_ms.p95, h.g1?.latency_ms.p95), 2), fmt(h.l1?.latency_ms.p95, 2), fmt(ratio(h.v1?.latency_ms.p95, h.l1?.latency_ms.p95), 2)],
    ['latency p99, 1 client (ms)', fmt(h.v1?.latency_ms.p99, 2), fmt(h.g1?.latency_ms.p99, 2), fmt(h.latencyRatioP99, 2), fmt(h.l1?.latency_ms.p99, 2), fmt(ratio(h.v1?.latency_ms.p99, h.l1?.latency_ms.p99), 2)],
    [`throughput, 32 clients, ${s.c32_duration_s} s (verifications/s)`, fmt(h.v32?.throughput_rps), fmt(h.g32?.throughput_rps), fmt(h.throughputRatio, 2), fmt(h.l32?.throughput_rps), fmt(h.throughputRatioLibrary, 2)],
    ['latency p99, 32 clients (ms)', fmt(h.v32?.latency_ms.p99, 2), fmt(h.g32?.latency_ms.p99, 2), fmt(ratio(h.v32?.latency_ms.p99, h.g32?.latency_ms.p99), 2), fmt(h.l32?.latency_ms.p99, 2), fmt(ratio(h.v32?.latency_ms.p99, h.l32?.latency_ms.p99), 2)],
    ['upstream calls per verification, 32 clients', fmt(h.v32?.upstream.per_verification, 3), fmt(h.g32?.upstream.per_verification, 3), '', fmt(h.l32?.upstream.per_verification, 3), ''],
    ['errors, all phases', sumErrors(h.verifier), sumErrors(h.guide), '', sumErrors(h.library), ''],
  ];
  const m = results.machine;
  return `# Benchmarks

Generated by \`npm run bench\` (bench/run.mjs) on ${results.generated_at} in ${results.run_seconds} s; machine-readable: [results.json](results.json).
Everything ran on one machine, on loopback: ${m.cores} cores (${m.cpu}), ${m.memory_gib} GiB, ${m.platform}; Node ${results.versions.node}, wrangler ${results.versions.wrangler}, workerd ${results.versions.workerd}, autocannon ${results.versions.autocannon}, Express ${results.versions.express}, iamport ${results.versions.iamport}.

**Settings.** Upstream stand-in delay ${s.upstream_delay_ms} ms per call. Each verification: \`POST /v1/challenges\`, then an adult certification for its merchant_uid at the stand-in (certified now), both untimed; only \`POST /v1/attestations\` (min_age ${s.min_age}) is timed. One client: ${s.c1_requests} verifications one after another; 8 and 128 clients: ${s.duration_s} s each; 32 clients: ${s.c32_duration_s} s; closed loop (each client sends its next request when the last is answered), after ${s.warmup_requests} warm-up verifications per server. The verifier runs under \`wrangler dev\` (local workerd), from ${s.verifier.script}, with a temporary copy of wrangler.toml whose rate limit is ${s.verifier.rate_limit}, because every request comes from one address; ALLOWED_ORIGINS ${s.verifier.allowed_origins}; ${s.verifier.durable_object_state} in a temporary --persist-to (BENCH_STATE; the other way is measured too, at ${s.other_state_levels.join(' and ')} clients${/tmpfs/.test(s.verifier.durable_object_state) ? ': this machine\'s disk is shared with other work, and the time its syncs take, which a new Durable Object per imp_uid pays, varied threefold between runs' : ''}). Load average when the run started: ${m.load_average_1_5_15_min?.join(', ')} (1, 5, 15 min), at its end: ${m.load_average_at_end?.join(', ')}; other work on the machine shows up as noise${Math.max(m.load_average_1_5_15_min?.[0] ?? 0, m.load_average_at_end?.[0] ?? 0) > m.cores ? ' (here the load average was above the core count: other work competed for the cores, so absolute numbers are pessimistic and vary between runs; the servers were measured level by level, one after another, so each ratio compares measurements made within a minute of each other)' : ''}.

**The servers.** *verifier*: this project. *baseline: guide sample*: bench/baseline/server.mjs, an Express route written as the Iamport guide teaches: a fresh \`POST /users/getToken\`, then \`GET /certifications/{imp_uid}\`, the guide's birth-year age check and a one-account-per-CI check in memory; it signs nothing and keeps no single-use ledger. *baseline: iamport npm client*: the same route using the \`iamport\` package (iamport/iamport-rest-client-nodejs), which caches the token per instance.

## Headline: verifier / baseline

${table(['', 'verifier', 'guide baseline', 'ratio', 'iamport-client baseline', 'ratio'], headlineRows)}

## Targets (issue 6)

${targetRows(results, h)}

## How cost grows with concurrent clients

![latency and throughput against concurrent clients](${CHART_FILE})

${scalingTable(results)}

${serverLogNote(results)}Every phase shares the machine's ${m.cores} cores between the load generator (autocannon), the server under test and the upstream stand-in; for the verifier also wrangler dev's Node proxy and workerd. Past the point where the cores are busy, more clients only queue: latency grows and throughput stays flat.

## Where the verifier's time goes (one client, p50)

${timeBreakdown(results, h)}

${ledgerSection(probe, results)}

## Why the verifier's throughput stops where it does

${throughputWhy(results, h)}

## CPU per verification

${cpuSection(results.cpu)}

## The verifier's bundle

${results.verifier_bundle?.as_configured?.error ? results.verifier_bundle.as_configured.error : table(['', 'bytes', 'gzip (level 9)'], [
    ['as configured (wrangler deploy --dry-run)', results.verifier_bundle.as_configured.bytes, results.verifier_bundle.as_configured.gzip_bytes],
    ['with --minify', results.verifier_bundle.with_minify.bytes, results.verifier_bundle.with_minify.gzip_bytes],
  ])}

${results.verifier_bundle?.composition_unminified_bytes ? `Where the bytes come from, in the same bundle built unminified (${results.verifier_bundle.unminified_bytes} bytes): ${Object.entries(results.verifier_bundle.composition_unminified_bytes).map(([name, bytes]) => `${name} ${kb(bytes)}`).join(', ')}.${Object.keys(results.verifier_bundle.composition_unminified_bytes).some((name) => name.includes('unenv')) ? ' The `unenv` parts are the Node polyfills the `nodejs_compat` flag brings in.' : ''}` : ''}

## The tag's weight

${tagSection(results.tag)}

## wrangler dev, as measured

${wranglerFacts(probe)}

## Reading these numbers

- This is wrangler dev on a small shared machine, not Cloudflare's edge: no network between client and verifier, local Durable Object storage on disk, and a Node proxy in front of workerd. Ratios against a baseline measured the same way are the point; absolute numbers are this machine's.
- The baselines do less than the verifier (no challenge, no signature, no single-use ledger), so the comparison favours them.
- Rerun with other settings: \`BENCH_UPSTREAM_DELAY_MS=50 npm run bench\`; see the header of bench/run.mjs.
`;
}

function ledgerSection(probe, results) {
  const ledger = probe?.ledger;
  if (probe?.error) return `The ledger was not measured: ${probe.error}.`;
  if (!ledger) return 'The ledger was not measured.';
  const rows = [];
  const kinds = [
    ['claim_in_new_object', 'claim in a new object (one object per imp_uid)'],
    ['claim_new_row_in_existing_object', 'claim a new row in an object that exists (a bucket)'],
    ['claim_duplicate_in_existing_object', 'claim a duplicate (refused)'],
  ];
  for (const [where, state] of [['on disk', ledger.state_on_disk], ['on tmpfs', ledger.state_on_tmpfs]]) {
    if (!state) continue;
    const seq = state.sequential_ms;
    const many = state.clients_32;
    rows.push([`no-op request (state ${where})`, fmt(seq.noop_request.p50, 2), fmt(seq.noop_request.p99, 2), '', '', fmt(many.noop_request.requests_per_s), fmt(many.noop_request.latency_ms.p50, 1), many.noop_request.errors]);
    for (const [kind, label] of kinds) {
      const concurrent = many[kind];
      rows.push([`${label} (state ${where})`, fmt(seq[kind].p50, 2), fmt(seq[kind].p99, 2), fmt(seq.over_noop[kind].p50, 2), fmt(seq.over_noop[kind].p99, 2),
        concurrent ? fmt(concurrent.requests_per_s) : '', concurrent ? fmt(concurrent.latency_ms.p50, 1) : '', concurrent ? concurrent.errors : '']);
    }
  }
  return `The ledger's Durable Object, measured apart: bench/probe/worker.ts under wrangler dev, using the verifier's own ImpUidLedger class; ${ledger.samples} requests one at a time, then 32 clients for a few seconds. "State on disk" is --persist-to in a temporary directory; "on tmpfs" puts the same state in memory (/dev/shm), to tell the disk's part from the rest. The main verifier above ran with ${results.settings.verifier.durable_object_state}.

${table(['request', 'p50 ms', 'p99 ms', 'p50 over no-op', 'p99 over no-op', '32 clients: requests/s', '32 clients: p50 ms', 'errors'], rows)}

Under wrangler dev every Durable Object is its own SQLite file: a new object per imp_uid means creating a file, a table and an alarm, with their syncs to disk, for every verification; a bucket that exists only takes a row. ${results.settings.ledger_buckets ? `The verifier's ledger spreads ids over ${results.settings.ledger_buckets} buckets (worker/ledger/ledger.ts).` : 'The verifier\'s ledger makes one object per imp_uid (worker/ledger/ledger.ts).'} On Cloudflare, objects live elsewhere and these costs are different; they are not measured here.`;
}

function wranglerFacts(probe) {
  if (!probe?.cf_connecting_ip) return `Not measured${probe?.error ? `: ${probe.error}` : ''}.`;
  const ip = probe.cf_connecting_ip;
  return [
    `- CF-Connecting-IP: a client that sends \`CF-Connecting-IP: ${ip.sent}\` is seen by the Worker as \`${ip.worker_saw_when_sent}\`; without the header the Worker sees \`${ip.worker_saw_when_not_sent}\`. So under wrangler dev ${ip.passes_client_value_through ? 'a client can choose its own rate-limit key (on Cloudflare the edge sets the header and a client cannot)' : 'the client\'s value is replaced'}. The bench does not rely on this: it raises the limit in its temporary wrangler.toml instead, so the numbers above never meet a 429.`,
    `- \`env\` is ${probe.env_is_one_object_across_requests ? 'one object across requests, so the verifier\'s settings, parsed once per env object, are parsed once per isolate' : 'a new object on each request, so the verifier\'s settings are parsed on every request'}.`,
  ].join('\n');
}

function serverLogNote(results) {
  const notes = [];
  for (const target of results.targets.filter((t) => t.server_log)) {
    const codes = Object.entries(target.server_log.outcomes_not_ok ?? {});
    if (codes.length) notes.push(`${target.label}, outcomes other than ok in the verifier's request log (warm-up included): ${codes.map(([code, count]) => `${code} ×${count}`).join(', ')}.`);
    if (target.server_log.sqlite_nomem_lines > 0) notes.push(`wrangler dev logged ${target.server_log.sqlite_nomem_lines} lines with SQLITE_NOMEM from the ledger's Durable Objects (seen when thousands of objects are made within seconds); those requests were answered 500 internal_error and nothing was signed.`);
  }
  return notes.length ? `Errors: ${notes.join(' ')}\n\n` : '';
}

function sumErrors(target) {
  return target ? target.levels.reduce((sum, phase) => sum + phase.errors, 0) : 'n/a';
}

/** Latency (p50 solid, p99 dashed) and throughput against concurrent clients, log-scaled x. */
export function renderChart(results) {
  const width = 960;
  const height = 430;
  const panel = { w: 400, h: 280, top: 60 };
  const lefts = [70, 550];
  const colors = { verifier: '#0b7a75', verifier_state_disk: '#7cc4bf', verifier_state_tmpfs: '#7cc4bf', baseline_guide: '#c2452d', baseline_library: '#7a5cc2' };
  const levels = [...new Set(results.targets.flatMap((t) => t.levels.map((p) => p.connections)))].sort((a, b) => a - b);
  const xOf = (left, c) => left + (levels.length === 1 ? panel.w / 2 : (Math.log(c) - Math.log(levels[0])) / (Math.log(levels.at(-1)) - Math.log(levels[0])) * panel.w);
  const niceMax = (value) => {
    const step = 10 ** Math.floor(Math.log10(value || 1));
    return Math.ceil((value || 1) / step) * step;
  };
  const maxLatency = niceMax(Math.max(...results.targets.flatMap((t) => t.levels.map((p) => p.latency_ms.p99 ?? 0))));
  const maxRps = niceMax(Math.max(...results.targets.flatMap((t) => t.levels.map((p) => p.throughput_rps))));
  const yOf = (value, max) => panel.top + panel.h - (value / max) * panel.h;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">Verification against concurrent clients (upstream delay ${results.settings.upstream_delay_ms} ms, loopback, ${results.machine.cores} cores)</text>`);
  const axes = (left, title, max, unit) => {
    out.push(`<text x="${left + panel.w / 2}" y="${panel.top - 12}" text-anchor="middle" font-weight="600">${title}</text>`);
    for (let i = 0; i <= 5; i++) {
      const value = (max / 5) * i;
      const y = yOf(value, max);
      out.push(`<line x1="${left}" x2="${left + panel.w}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${left - 6}" y="${y + 4}" text-anchor="end" fill="#555">${Number.isInteger(value) ? value : value.toFixed(1)}</text>`);
    }
    for (const c of levels) {
      out.push(`<text x="${xOf(left, c)}" y="${panel.top + panel.h + 18}" text-anchor="middle" fill="#555">${c}</text>`);
    }
    out.push(`<text x="${left + panel.w / 2}" y="${panel.top + panel.h + 36}" text-anchor="middle" fill="#333">concurrent clients (log scale)</text>`);
    out.push(`<text transform="translate(${left - 48},${panel.top + panel.h / 2}) rotate(-90)" text-anchor="middle" fill="#333">${unit}</text>`);
    out.push(`<rect x="${left}" y="${panel.top}" width="${panel.w}" height="${panel.h}" fill="none" stroke="#999"/>`);
  };
  axes(lefts[0], 'Latency: p50 (solid), p99 (dashed)', maxLatency, 'milliseconds');
  axes(lefts[1], 'Throughput', maxRps, 'verifications per second');
  const line = (points, color, dashed) => `<polyline fill="none" stroke="${color}" stroke-width="2.2"${dashed ? ' stroke-dasharray="6 4"' : ''} points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`;
  const dots = (points, color) => points.map(([x, y]) => `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${color}"/>`).join('');
  for (const target of results.targets) {
    const color = colors[target.name] ?? '#333';
    const p50 = target.levels.map((p) => [xOf(lefts[0], p.connections), yOf(p.latency_ms.p50 ?? 0, maxLatency)]);
    const p99 = target.levels.map((p) => [xOf(lefts[0], p.connections), yOf(p.latency_ms.p99 ?? 0, maxLatency)]);
    const rps = target.levels.map((p) => [xOf(lefts[1], p.connections), yOf(p.throughput_rps, maxRps)]);
    out.push(line(p50, color, false), dots(p50, color), line(p99, color, true), line(rps, color, false), dots(rps, color));
  }
  results.targets.forEach((target, i) => {
    const x = 90 + (i % 2) * 440;
    const y = height - 34 + Math.floor(i / 2) * 20;
    out.push(`<line x1="${x}" x2="${x + 22}" y1="${y - 4}" y2="${y - 4}" stroke="${colors[target.name] ?? '#333'}" stroke-width="3"/>`);
    out.push(`<text x="${x + 28}" y="${y}" fill="#222">${escapeXml(target.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function escapeXml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`/g, '');
}

export function writeReport(results, benchDir) {
  writeFileSync(join(benchDir, 'RESULTS.md'), renderMarkdown(results));
  writeFileSync(join(benchDir, CHART_FILE), renderChart(results));
}
