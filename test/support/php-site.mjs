// What the throwaway PHP sites (WordPress in wordpress.mjs, Gnuboard in gnuboard.mjs) share: Debian
// packages installed when missing (as scripts/ensure-chromium.mjs installs Chromium), a MariaDB server
// of its own in a temporary directory (its own socket, no TCP port) and PHP's built-in server in front.
// Every process runs in its own process group (scripts/lib/processes.mjs) and is stopped on any exit.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { spawnGroup, stop as stopProcess, waitForHttp } from '../../scripts/lib/processes.mjs';

const DATABASE_START_TIMEOUT_MS = 60_000;
const PHP_START_TIMEOUT_MS = 30_000;
/** Concurrent requests PHP's built-in server answers (PHP_CLI_SERVER_WORKERS): two sign-ups must really run at once. */
const PHP_WORKERS = 4;
/** The apt lock may be held by another install (CI steps, other suites): wait for it this long. */
const APT_LOCK_TIMEOUT_SECONDS = 600;

export const run = (command, args, options = {}) => spawnSync(command, args, { encoding: 'utf8', ...options });
export const has = (command) => run('sh', ['-c', `command -v ${command}`]).status === 0;
/** Whether the command-line PHP has every one of these extensions loaded. */
export const phpHasExtensions = (extensions) => has('php')
  && run('php', ['-r', `foreach (json_decode('${JSON.stringify(extensions)}') as $name) { if (!extension_loaded($name)) exit(1); }`]).status === 0;
/** MariaDB's server binary: `mariadbd` (10.5+) or the older `mysqld`. */
export const mariadbd = () => ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'].find((path) => existsSync(path));

/**
 * Install Debian's `packages` when `ready()` says something is missing (as root, with apt); otherwise
 * fail saying how. `suite` names who needs them, for the messages.
 */
export function ensureDebianPackages({ packages, ready, suite }) {
  if (ready()) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`${suite} needs Debian's ${packages.join(', ')} packages:\n  sudo apt-get install -y ${packages.join(' ')}`);
  }
  console.log(`Installing Debian's ${packages.join(', ')} (apt-get)...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (...args) => run('apt-get', ['-o', `DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT_SECONDS}`, ...args], { stdio: 'inherit', env });
  const install = () => apt('install', '-y', '--no-install-recommends', ...packages);
  // A fresh machine may not have the package lists yet.
  if (install().status !== 0 && (apt('update').status !== 0 || install().status !== 0)) {
    throw new Error(`apt-get install ${packages.join(' ')} failed`);
  }
  if (!ready()) throw new Error(`apt-get installed ${packages.join(' ')}, but something ${suite} needs is still missing`);
}

/** MariaDB in `directory`, on a socket there, run as the current user; resolves to { socket, stop, sql }. */
export async function startDatabase(directory) {
  const data = join(directory, 'mysql');
  const socket = join(directory, 'mysql.sock');
  const asUser = ['--user', process.env.USER || 'root'];
  const initialise = run('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, ...asUser,
    '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve']);
  if (initialise.status !== 0) throw new Error(`mariadb-install-db failed:\n${initialise.stdout}\n${initialise.stderr}`);

  let output = '';
  const log = new PassThrough();
  log.on('data', (chunk) => (output += chunk));
  const child = spawnGroup(mariadbd(), ['--no-defaults', `--datadir=${data}`, `--socket=${socket}`, '--skip-networking',
    `--pid-file=${join(directory, 'mysql.pid')}`, ...asUser, '--skip-name-resolve', '--innodb-buffer-pool-size=16M',
    '--skip-log-bin', '--innodb-log-file-size=8M', `--tmpdir=${directory}`], { logStream: log });
  const stop = () => stopProcess(child);
  const sql = (statements) => run('mariadb', ['--no-defaults', `--socket=${socket}`, '-u', 'root', '-e', statements]);
  const deadline = Date.now() + DATABASE_START_TIMEOUT_MS;
  while (sql('SELECT 1').status !== 0) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`MariaDB did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { socket, stop, sql };
}

/**
 * A site's start: a temporary directory (`prefix` + random, removed on stop and on exit) with MariaDB in it,
 * and a database `name` with a user `name` of its own. Resolves to { directory, database, password, stop,
 * onStop(stopper) }: `stop` runs the stoppers given to `onStop` (last first), then MariaDB's, then removes the directory.
 */
export async function startSiteDatabase({ prefix, name }) {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  // On the way out (the 'exit' hook) MariaDB has just been sent SIGKILL and may still write a file or two: retry.
  const removeDirectory = () => rmSync(directory, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  process.once('exit', removeDirectory);
  const stoppers = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne();
    stoppers.length = 0;
    removeDirectory();
  };
  try {
    const database = await startDatabase(directory);
    stoppers.push(database.stop);
    const password = randomBytes(18).toString('base64url');
    const created = database.sql(`CREATE DATABASE ${name} CHARACTER SET utf8mb4;
      CREATE USER '${name}'@'localhost' IDENTIFIED BY '${password}';
      GRANT ALL PRIVILEGES ON ${name}.* TO '${name}'@'localhost';`);
    if (created.status !== 0) throw new Error(`creating the database failed:\n${created.stderr}`);
    return { directory, database, password, stop, onStop: (stopper) => stoppers.push(stopper) };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * PHP's built-in server on 127.0.0.1:`port` for the site in `documentRoot` (with `router`, if any), with
 * several workers; resolves once `readyPath` answers 200, to { child, stop, log() }. `phpOptions` are
 * `-d` settings (name → value).
 */
export async function startPhpServer({ port, documentRoot, router, readyPath, phpOptions = {} }) {
  let output = '';
  const log = new PassThrough();
  log.on('data', (chunk) => (output += chunk));
  const options = Object.entries(phpOptions).flatMap(([name, value]) => ['-d', `${name}=${value}`]);
  const child = spawnGroup('php', [...options, '-S', `127.0.0.1:${port}`, '-t', documentRoot, ...(router ? [router] : [])], {
    cwd: documentRoot, logStream: log, env: { ...process.env, PHP_CLI_SERVER_WORKERS: String(PHP_WORKERS) },
  });
  const stop = () => stopProcess(child);
  try {
    await waitForHttp(`http://127.0.0.1:${port}${readyPath}`, { timeoutMs: PHP_START_TIMEOUT_MS, child });
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\n${output}`);
  }
  return { child, stop, log: () => output };
}
