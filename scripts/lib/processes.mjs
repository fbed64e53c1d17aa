// Every process the bench and the e2e and load suites start goes through here, so every one is stopped at the end,
// on Ctrl-C, on an error and on the bench's own deadline. Each runs in its own process
// group (detached), and the whole group is killed: `npx wrangler dev` leaves workerd and
// esbuild children that a plain kill of npx would orphan.
import { fork, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';

const started = new Set();
const KILL_GRACE_MS = 2000;

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Stop every process still running: SIGTERM, then SIGKILL after a grace period. */
export async function stopAll() {
  const running = [...started].filter((child) => child.exitCode === null && child.signalCode === null);
  for (const child of running) killGroup(child, 'SIGTERM');
  await Promise.all(running.map((child) => new Promise((resolve) => {
    const timer = setTimeout(() => { killGroup(child, 'SIGKILL'); resolve(); }, KILL_GRACE_MS);
    child.once('exit', () => { clearTimeout(timer); killGroup(child, 'SIGKILL'); resolve(); });
  })));
  started.clear();
}

/** Stop one process (and its group). */
export async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  killGroup(child, 'SIGTERM');
  await new Promise((resolve) => {
    const timer = setTimeout(() => { killGroup(child, 'SIGKILL'); resolve(); }, KILL_GRACE_MS);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
  });
  killGroup(child, 'SIGKILL');
  started.delete(child);
}

// A last resort on the way out: synchronous, so it runs even from 'exit'.
process.on('exit', () => {
  for (const child of started) killGroup(child, 'SIGKILL');
});

/** A Node server script that reports `{ port }` over IPC once it listens. */
export function forkServer(script, args, { timeoutMs = 15_000, name = script } = {}) {
  const child = fork(script, args, { detached: true, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  started.add(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs} ms`)), timeoutMs);
    child.once('message', (message) => { clearTimeout(timer); resolve({ child, port: message.port }); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${name} exited with ${code} before listening`)); });
  });
}

/** A command in its own process group, output to `logStream`. */
export function spawnGroup(command, args, { cwd, env, logStream } = {}) {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  if (logStream) {
    child.stdout.pipe(logStream, { end: false });
    child.stderr.pipe(logStream, { end: false });
  } else {
    child.stdout.resume();
    child.stderr.resume();
  }
  return child;
}

/** Poll `url` until it answers 200, or fail after `timeoutMs` (or when `child` dies). */
export async function waitForHttp(url, { timeoutMs = 60_000, child } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${url}: the server exited with ${child.exitCode}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** A port free on 127.0.0.1 right now (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ

/**
 * CPU seconds (user + system) used so far by each process of a process group, by name
 * (from /proc: the OS's view, so it sees workerd and wrangler's Node proxy apart).
 */
export function groupCpuSeconds(pgid) {
  const byName = {};
  let pids;
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return null; // not Linux
  }
  for (const pid of pids) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid) continue;
    byName[name] = (byName[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  }
  return byName;
}

/** What a process group used between two `groupCpuSeconds` readings. */
export function cpuBetween(before, after) {
  if (!before || !after) return null;
  return Object.fromEntries(Object.entries(after).map(([name, seconds]) => [name, seconds - (before[name] ?? 0)]));
}

/** Busy CPU seconds of the whole machine so far, every process counted (from /proc/stat). */
export function machineBusySeconds() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
