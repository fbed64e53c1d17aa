// bench/RESULTS.md from results.json: tables only, no verdicts. What the numbers mean is written
// by hand in bench/README.md.

const KB = 1024;
const kb = (bytes) => (bytes === null || bytes === undefined ? '' : (bytes / KB).toFixed(2));
const cell = (value) => (value === null || value === undefined ? '' : String(value));

function table(headers, rows) {
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

const level = (target, connections) => target?.levels.find((phase) => phase.connections === connections);
const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : '');

function header(results) {
  const { machine, versions, settings } = results;
  const v = Object.entries(versions).filter(([, value]) => value).map(([name, value]) => `${name} ${value}`).join(', ');
  return [
    '# Benchmark results',
    '',
    `Tables written by \`npm run bench\` (bench/run.mjs) from [results.json](results.json); run started ${results.generated_at}, took ${results.run_seconds} s.`,
    'What they mean, and what they do not: [README.md](README.md).',
    '',
    `- **Machine:** ${machine.cores} cores (${machine.cpu}), ${machine.memory_gib} GiB, ${machine.platform}; load average (1, 5, 15 min) ${machine.load_average_1_5_15_min.join(', ')} at the start, ${machine.load_average_at_end.join(', ')} at the end.`,
    `- **Versions:** ${v}.`,
    `- **Load:** upstream stand-in delay ${settings.upstream_delay_ms} ms per call; 1 client: ${settings.c1_requests} verifications one after another; `
      + `other levels: ${settings.duration_s} s each (32 clients: ${settings.c32_duration_s} s), closed loop, after ${settings.warmup_requests} warm-up verifications per server; `
      + `state on disk measured at ${settings.disk_levels.join(' and ')} client(s). Verifier rate limit ${settings.verifier.rate_limit}; ${settings.traffic}.`,
  ].join('\n');
}

function summary(results) {
  const find = (name) => results.targets.find((target) => target.name === name);
  const columns = [
    ['verifier, workerd', find('verifier_workerd_memory') ?? find('verifier_workerd_disk')],
    ['verifier, wrangler dev', find('verifier_wrangler_dev_memory') ?? find('verifier_wrangler_dev_disk')],
    ['guide sample', find('baseline_guide')],
    ['iamport client', find('baseline_library')],
  ];
  const guide = find('baseline_guide');
  const row = (name, pick) => [name, ...columns.map(([, target]) => pick(target))];
  const errors = (target) => target?.levels.reduce((total, phase) => total + phase.errors, 0);
  return table(['', ...columns.map(([label]) => label)], [
    row('p50, 1 client (ms)', (t) => level(t, 1)?.latency_ms.p50),
    row('p99, 1 client (ms)', (t) => level(t, 1)?.latency_ms.p99),
    row('p50 ÷ guide sample\'s, 1 client', (t) => ratio(level(t, 1)?.latency_ms.p50, level(guide, 1)?.latency_ms.p50)),
    row('verifications/s, 32 clients', (t) => level(t, 32)?.throughput_rps),
    row('verifications/s ÷ guide sample\'s, 32 clients', (t) => ratio(level(t, 32)?.throughput_rps, level(guide, 32)?.throughput_rps)),
    row('p99, 32 clients (ms)', (t) => level(t, 32)?.latency_ms.p99),
    row('server CPU per verification, 32 clients (ms)', (t) => level(t, 32)?.cpu?.server_ms),
    row('upstream calls per verification, 32 clients', (t) => level(t, 32)?.upstream.per_verification),
    row('errors, all phases', errors),
  ]);
}

function phases(results) {
  const rows = results.targets.flatMap((target) => target.levels.map((phase) => [
    target.label, phase.connections, phase.mode, phase.throughput_rps, phase.latency_ms.p50, phase.latency_ms.p95, phase.latency_ms.p99,
    phase.ok, phase.errors, phase.upstream.per_verification, phase.cpu?.server_ms,
    phase.cpu ? Object.entries(phase.cpu.server_by_process_ms).map(([name, ms]) => `${name} ${ms}`).join(', ') : '',
    phase.cpu?.machine_cores_busy, phase.pool_exhausted_after_s === null ? '' : `pool ran dry after ${phase.pool_exhausted_after_s} s`,
  ]));
  return table(['server', 'clients', 'phase', 'verifications/s', 'p50 ms', 'p95 ms', 'p99 ms', 'ok', 'errors',
    'upstream calls each', 'server CPU ms each', 'by process (ms each)', 'machine cores busy', 'note'], rows);
}

function healthz(results) {
  const rows = Object.entries(results.healthz).map(([runtime, h]) => [
    runtime, h.one_client.latency_ms.p50, h.one_client.latency_ms.p99, h.clients_32.throughput_rps, h.clients_32.latency_ms.p50, h.cpu_ms_each,
  ]);
  return table(['runtime', 'p50 ms, 1 client', 'p99 ms, 1 client', 'requests/s, 32 clients', 'p50 ms, 32 clients', 'CPU ms per request'], rows);
}

function cpu(results) {
  const c = results.cpu;
  if (c.error) return `Not measured: ${c.error}`;
  const rows = [
    ['POST /v1/attestations through the app', c.attestation_request.cpu_us, c.attestation_request.wall_us],
    ['POST /v1/challenges through the app', c.challenge_request.cpu_us, c.challenge_request.wall_us],
    ['GET /healthz through the app', c.healthz_request.cpu_us, c.healthz_request.wall_us],
    ['the decisions alone (challenge, mapping, checks, subject, signature)', c.decisions.cpu_us, c.decisions.wall_us],
    ...Object.entries(c.pieces).map(([name, sample]) => [`  ${name.replaceAll('_', ' ')}`, sample.cpu_us, sample.wall_us]),
  ];
  return [
    table(['work', 'CPU µs', 'wall µs'], rows),
    '',
    `${c.iterations} iterations each, in ${c.runtime}. Included: ${c.included}. Not included: ${c.not_included}. `
      + `Once per isolate: settings parse ${c.cold.settings_parse_ms} ms, signing key import ${c.cold.signing_key_import_ms} ms.`,
  ].join('\n');
}

function bundle(results) {
  const b = results.verifier_bundle;
  if (b.as_configured.error) return `Not measured: ${b.as_configured.error}`;
  return [
    table(['bundle', 'bytes', 'KB gzipped'], [
      ['as configured (minified; what would be deployed)', b.as_configured.bytes, kb(b.as_configured.gzip_bytes)],
      ['unminified', b.unminified_bytes, ''],
    ]),
    '',
    'Where the unminified bytes come from:',
    '',
    table(['source', 'KB'], Object.entries(b.composition_unminified_bytes ?? {}).map(([source, bytes]) => [source, kb(bytes)])),
  ].join('\n');
}

function tagRequests(phase) {
  return table(['request', 'type', 'bytes', 'bytes gzipped', 'KB gzipped'], [
    ...phase.requests.map((r) => [`${r.method} ${r.url}`, r.type, r.body_bytes, r.body_gzip, kb(r.body_gzip)]),
    ['**total**', '', phase.total_body_bytes, phase.total_body_gzip_bytes, `**${kb(phase.total_body_gzip_bytes)}**`],
    ...phase.blocked_off_loopback.map((url) => [`blocked off loopback: ${url}`, '', '', '', '']),
  ]);
}

function tag(results) {
  const t = results.tag;
  const jquery = t.comparison.jquery_1_12_4_min;
  const files = t.files ? table(['file in dist/site', 'bytes', 'KB gzipped', 'KB brotli'],
    t.files.map((f) => [f.file, f.bytes, kb(f.gzip), kb(f.brotli)])) : '';
  if (t.error) return [`Not measured in Chromium: ${t.error}`, '', files].join('\n');
  return [
    `The snippet page in Chromium. Goal for everything before the first interaction: ${kb(t.budget_gzip_bytes)} KB (${t.budget_gzip_bytes} bytes) gzipped, each body gzipped at level 9. `
      + `The tag's state once the page was quiet: \`${t.tag_state_after_load}\`.`,
    '',
    '**Before the first interaction**',
    '',
    tagRequests(t.before_first_interaction),
    '',
    '**On the first pointer over the tag and the first focus**',
    '',
    tagRequests(t.on_first_pointer_and_focus),
    '',
    files,
    '',
    `For comparison: jQuery 1.12.4 minified, which the Iamport guide's page loads first, is ${kb(jquery.gzip)} KB gzipped (${jquery.bytes} bytes); ${t.comparison.note}.`,
  ].join('\n');
}

export function resultsMarkdown(results) {
  return [
    header(results),
    '## Summary',
    summary(results),
    '## Every load phase',
    'Server CPU: what the OS counted for the server\'s process group (for the verifier under wrangler dev: workerd and wrangler\'s Node processes; on workerd: workerd and Miniflare\'s Node process), divided by the verifications completed. Upstream calls: the stand-in\'s calls per request the server received.',
    phases(results),
    '## The runtime\'s own round trip: GET /healthz',
    healthz(results),
    '## CPU in process',
    cpu(results),
    '## The verifier\'s bundle',
    bundle(results),
    '## The tag\'s weight',
    tag(results),
  ].join('\n\n') + '\n';
}
