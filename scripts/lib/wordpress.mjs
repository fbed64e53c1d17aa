// A throwaway local WordPress with the iamport-verify plugin, for the WordPress suite and
// `npm run wordpress`: Debian's wordpress, php-cli (mysqli) and mariadb-server packages
// (installed here when missing, as scripts/ensure-chromium.mjs installs Chromium), a MariaDB
// server of its own in a temporary directory (its own socket, no TCP port), WordPress copied
// into that directory and installed non-interactively, and PHP's built-in server in front.
// Every process runs in its own process group (processes.mjs) and is stopped on any exit.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync, cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { spawnGroup, stop as stopProcess, waitForHttp } from './processes.mjs';

const root = new URL('../../', import.meta.url).pathname;
export const PLUGIN_DIRECTORY = join(root, 'plugins/wordpress/iamport-verify');
/** The test site's theme (scripts/wordpress/theme), activated by scripts/wordpress/install.php. */
const TEST_THEME = 'iamport-verify-test';
const TEST_THEME_DIRECTORY = join(root, 'scripts/wordpress/theme');
/** Where Debian's wordpress package puts WordPress. */
const DEBIAN_WORDPRESS = '/usr/share/wordpress';
/**
 * A real theme for suites that need one (comments, search results, a dark mode for screenshots): Debian's
 * Twenty Twenty-One, passed as `theme` to startWordPress.
 */
export const FULL_THEME = 'twentytwentyone';
const PACKAGES = ['wordpress', `wordpress-theme-${FULL_THEME}`, 'php-cli', 'php-mysql', 'mariadb-server', 'gettext'];
const DATABASE_START_TIMEOUT_MS = 60_000;
const PHP_START_TIMEOUT_MS = 30_000;
/** Concurrent requests PHP's built-in server answers (PHP_CLI_SERVER_WORKERS): two registrations must really run at once. */
const PHP_WORKERS = 4;
/** The apt lock may be held by another install (CI steps, other suites): wait for it this long. */
const APT_LOCK_TIMEOUT_SECONDS = 600;

const run = (command, args, options = {}) => spawnSync(command, args, { encoding: 'utf8', ...options });
const has = (command) => run('sh', ['-c', `command -v ${command}`]).status === 0;
const phpHasMysqli = () => has('php') && run('php', ['-r', 'exit(extension_loaded("mysqli") ? 0 : 1);']).status === 0;
/** MariaDB's server binary: `mariadbd` (10.5+) or the older `mysqld`. */
const mariadbd = () => ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'].find((path) => existsSync(path));

/** Install the Debian packages when something is missing (as root, with apt); otherwise say how. */
export function ensureWordPressPackages() {
  const ready = () => existsSync(join(DEBIAN_WORDPRESS, 'wp-login.php')) && existsSync(join(DEBIAN_WORDPRESS, 'wp-content/themes', FULL_THEME))
    && phpHasMysqli() && mariadbd()
    && has('mariadb-install-db') && has('msgfmt');
  if (ready()) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`The WordPress suite needs Debian's ${PACKAGES.join(', ')} packages:\n  sudo apt-get install -y ${PACKAGES.join(' ')}`);
  }
  console.log(`Installing Debian's ${PACKAGES.join(', ')} (apt-get)...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (...args) => run('apt-get', ['-o', `DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT_SECONDS}`, ...args], { stdio: 'inherit', env });
  const install = () => apt('install', '-y', '--no-install-recommends', ...PACKAGES);
  // A fresh machine may not have the package lists yet.
  if (install().status !== 0 && (apt('update').status !== 0 || install().status !== 0)) {
    throw new Error(`apt-get install ${PACKAGES.join(' ')} failed`);
  }
  if (!ready()) throw new Error(`apt-get installed ${PACKAGES.join(' ')}, but WordPress, PHP with mysqli or MariaDB is still missing`);
}

/** Compile the plugin's translations (.po → .mo) with gettext's msgfmt. */
export function compileTranslations() {
  const languages = join(PLUGIN_DIRECTORY, 'languages');
  for (const locale of ['ko_KR']) {
    const po = join(languages, `iamport-verify-${locale}.po`);
    const result = run('msgfmt', ['--check', '-o', po.replace(/\.po$/, '.mo'), po]);
    if (result.status !== 0) throw new Error(`msgfmt ${po} failed:\n${result.stderr}`);
  }
}

/** What the plugin ships (its zip, scripts/wordpress/zip.mjs): its PHP, scripts, readme.txt and translations, compiled ones too. */
export function pluginFiles() {
  const shipped = /\.(php|js|css|txt|pot|po|mo)$/;
  return readdirSync(PLUGIN_DIRECTORY, { recursive: true }).filter((file) => shipped.test(file)).sort().map((file) => join(PLUGIN_DIRECTORY, file));
}

/**
 * The plugin's translation template (.pot) at `output`, from its PHP sources with gettext's xgettext
 * (WordPress's translation functions as keywords: _x's argument 2 is the context, _n's 1 and 2 the forms).
 */
export function makeTranslationTemplate(output) {
  const sources = ['iamport-verify.php', ...readdirSync(join(PLUGIN_DIRECTORY, 'includes'), { recursive: true }).filter((file) => file.endsWith('.php')).sort().map((file) => `includes/${file}`)];
  const keywords = ['__', '_e', 'esc_html__', 'esc_html_e', 'esc_attr__', 'esc_attr_e', '_x:1,2c', '_n:1,2'].map((keyword) => `--keyword=${keyword}`);
  const result = run('xgettext', ['--language=PHP', '--from-code=UTF-8', '--add-comments=translators:', '--sort-by-file', ...keywords,
    '--package-name=iamport-verify', '--package-version=0.1.0', '-o', output, ...sources], { cwd: PLUGIN_DIRECTORY });
  if (result.error || result.status !== 0) throw new Error(`xgettext failed (it is in Debian's gettext package):\n${result.stderr ?? result.error}`);
}

/** MariaDB in `directory`, on a socket there, run as the current user; resolves to { socket, stop }. */
async function startDatabase(directory) {
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
 * `source` mirrored at `target` with hard links (instant, no copy: same file system), symbolic links
 * followed; a copy where a link cannot be made (another file system). Paths `skip` approves are left out.
 */
function linkTree(source, target, skip) {
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    if (skip(from)) continue;
    const real = entry.isSymbolicLink() ? realpathSync(from) : from;
    if (statSync(real).isDirectory()) {
      linkTree(real, to, skip);
      continue;
    }
    try {
      linkSync(real, to);
    } catch {
      copyFileSync(real, to);
    }
  }
}

/** A multisite network's constants (after scripts/wordpress/install.php has made its tables): one network, sites in paths. */
function networkConstants(origin) {
  const define = (name, value) => `define(${JSON.stringify(name)}, ${JSON.stringify(value)});`;
  return [define('MULTISITE', true), define('SUBDOMAIN_INSTALL', false), define('DOMAIN_CURRENT_SITE', new URL(origin).host),
    define('PATH_CURRENT_SITE', '/'), define('SITE_ID_CURRENT_SITE', 1), define('BLOG_ID_CURRENT_SITE', 1)];
}

function wpConfig({ socket, password, origin, network = false, pluginUploads = false }) {
  const salt = () => randomBytes(48).toString('base64');
  const keys = ['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT'];
  const define = (name, value) => `define(${JSON.stringify(name)}, ${JSON.stringify(value)});`;
  return ['<?php',
    '// Written by scripts/lib/wordpress.mjs for a throwaway local site.',
    define('DB_NAME', 'wordpress'), define('DB_USER', 'wordpress'), define('DB_PASSWORD', password),
    // "localhost:/path" makes mysqli use the Unix socket.
    define('DB_HOST', `localhost:${socket}`), define('DB_CHARSET', 'utf8mb4'), define('DB_COLLATE', ''),
    ...keys.map((key) => define(key, salt())),
    define('WP_HOME', origin), define('WP_SITEURL', origin), ...(network ? networkConstants(origin) : []),
    "define('WP_DEBUG', true);", "define('WP_DEBUG_DISPLAY', false);", "define('WP_DEBUG_LOG', __DIR__ . '/debug.log');",
    // No update checks and no calls to wordpress.org: requests to this site's own host (127.0.0.1,
    // where the verifier runs too) and to localhost still go through.
    "define('AUTOMATIC_UPDATER_DISABLED', true);", "define('WP_HTTP_BLOCK_EXTERNAL', true);",
    // WordPress's own files are hard links to the Debian package's: nothing may write to them.
    // With `pluginUploads`, plugins may be installed (into wp-content, which is copied); core updates stay off above.
    pluginUploads ? "define('FS_METHOD', 'direct');" : "define('DISALLOW_FILE_MODS', true);",
    "$table_prefix = 'wp_';",
    "if (!defined('ABSPATH')) { define('ABSPATH', __DIR__ . '/'); }",
    "require_once ABSPATH . 'wp-settings.php';", ''].join('\n');
}

/**
 * A WordPress site served at `origin` (http://127.0.0.1:PORT) with the plugin active and
 * `settings` as its settings. `muPlugins` ({ name: php source }) are added to wp-content/mu-plugins.
 * `network`: the site is then turned into a multisite network (its administrator the network's), the plugin
 * still active on it, as when a site with the plugin becomes a network. `theme`: the test theme by default, or FULL_THEME.
 * `withPlugin: false`: no plugin at all; `pluginUploads`: administrators may install plugins (Upload Plugin).
 * Resolves to { origin, directory, admin, stop, debugLog() }.
 */
export async function startWordPress({
  port, settings, users = [], muPlugins = {}, network = false, theme = TEST_THEME, withPlugin = true, pluginUploads = false, title = 'iamport-verify on WordPress',
}) {
  ensureWordPressPackages();
  compileTranslations();
  const origin = `http://127.0.0.1:${port}`;
  const directory = mkdtempSync(join(tmpdir(), 'iamport-verify-wp-'));
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
    const created = database.sql(`CREATE DATABASE wordpress CHARACTER SET utf8mb4;
      CREATE USER 'wordpress'@'localhost' IDENTIFIED BY '${password}';
      GRANT ALL PRIVILEGES ON wordpress.* TO 'wordpress'@'localhost';`);
    if (created.status !== 0) throw new Error(`creating the database failed:\n${created.stderr}`);

    // Debian's WordPress, hard-linked (its files stay read-only: DISALLOW_FILE_MODS) but for wp-content, which
    // is copied; its own wp-config.php reads /etc/wordpress, and its .htaccess is Apache's: ours replace them.
    const site = join(directory, 'site');
    const replaced = new Set(['wp-content', 'wp-config.php', '.htaccess'].map((name) => join(DEBIAN_WORDPRESS, name)));
    linkTree(DEBIAN_WORDPRESS, site, (path) => replaced.has(path));
    cpSync(join(DEBIAN_WORDPRESS, 'wp-content'), join(site, 'wp-content'), { recursive: true, dereference: true });
    writeFileSync(join(site, 'wp-config.php'), wpConfig({ socket: database.socket, password, origin, pluginUploads }));
    for (const folder of ['plugins', 'mu-plugins', 'uploads', 'languages']) mkdirSync(join(site, 'wp-content', folder), { recursive: true });
    rmSync(join(site, 'wp-content/plugins/iamport-verify'), { recursive: true, force: true });
    if (withPlugin) symlinkSync(PLUGIN_DIRECTORY, join(site, 'wp-content/plugins/iamport-verify'));
    // Debian's wordpress package ships no theme: ours shows posts, the plugin's output and the admin bar.
    symlinkSync(TEST_THEME_DIRECTORY, join(site, 'wp-content/themes', TEST_THEME));
    for (const [name, source] of Object.entries(muPlugins)) writeFileSync(join(site, 'wp-content/mu-plugins', `${name}.php`), source);

    const admin = { login: 'admin', password: randomBytes(12).toString('base64url'), email: 'admin@example.invalid' };
    const installed = run('php', [join(root, 'scripts/wordpress/install.php'), site,
      JSON.stringify({ origin, title, admin, settings, users, network, theme, plugin: withPlugin })]);
    if (installed.status !== 0) throw new Error(`installing WordPress failed:\n${installed.stdout}\n${installed.stderr}`);
    if (network) writeFileSync(join(site, 'wp-config.php'), wpConfig({ socket: database.socket, password, origin, network, pluginUploads }));

    let output = '';
    const log = new PassThrough();
    log.on('data', (chunk) => (output += chunk));
    const server = spawnGroup('php', ['-S', `127.0.0.1:${port}`, '-t', site, join(root, 'scripts/wordpress/router.php')], {
      cwd: site, logStream: log, env: { ...process.env, PHP_CLI_SERVER_WORKERS: String(PHP_WORKERS) },
    });
    stoppers.push(() => stopProcess(server));
    try {
      await waitForHttp(`${origin}/wp-login.php`, { timeoutMs: PHP_START_TIMEOUT_MS, child: server });
    } catch (error) {
      throw new Error(`${error.message}\n${output}`);
    }
    /** Run PHP `code` inside this WordPress (as wp-cli's eval would); resolves to what it printed. */
    const php = (code) => {
      const { host } = new URL(origin);
      const result = run('php', ['-r', `$_SERVER['HTTP_HOST'] = ${JSON.stringify(host)}; require ${JSON.stringify(join(site, 'wp-load.php'))}; ${code}`], { cwd: site });
      if (result.status !== 0) throw new Error(`php failed:\n${result.stdout}\n${result.stderr}`);
      return result.stdout;
    };
    return { origin, directory, site, admin, stop, php, serverLog: () => output };
  } catch (error) {
    await stop();
    throw error;
  }
}
