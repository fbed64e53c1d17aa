// A throwaway local WordPress with the iamport-verify plugin, for the WordPress suite and
// `npm run wordpress`: Debian's wordpress, php-cli (mysqli) and mariadb-server packages
// (installed here when missing, as scripts/ensure-chromium.mjs installs Chromium), a MariaDB
// server of its own in a temporary directory (its own socket, no TCP port), WordPress copied
// into that directory and installed non-interactively, and PHP's built-in server in front.
// Every process runs in its own process group (processes.mjs) and is stopped on any exit.
import { randomBytes } from 'node:crypto';
import {
  copyFileSync, cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureDebianPackages, has, mariadbd, phpHasExtensions, run, startDatabase, startPhpServer,
} from './php-site.mjs';

const root = new URL('../../', import.meta.url).pathname;
export const PLUGIN_DIRECTORY = join(root, 'plugins/wordpress/iamport-verify');
/** Where Debian's wordpress package puts WordPress. */
const DEBIAN_WORDPRESS = '/usr/share/wordpress';
/** Debian's WordPress ships no theme: Twenty Twenty-One (classic, with a dark mode) shows the site's pages. */
export const THEME = 'twentytwentyone';
const PACKAGES = ['wordpress', `wordpress-theme-${THEME}`, 'php-cli', 'php-mysql', 'mariadb-server', 'gettext'];

/** Install the Debian packages when something is missing (as root, with apt); otherwise say how. */
export function ensureWordPressPackages() {
  ensureDebianPackages({
    packages: PACKAGES,
    suite: 'The WordPress suite',
    ready: () => existsSync(join(DEBIAN_WORDPRESS, 'wp-login.php')) && existsSync(join(DEBIAN_WORDPRESS, 'wp-content/themes', THEME))
      && phpHasExtensions(['mysqli']) && mariadbd() && has('mariadb-install-db') && has('msgfmt'),
  });
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

/** What the plugin ships (its zip, scripts/wordpress/zip.mjs): its PHP, scripts, styles, readme.txt and translations, compiled ones too. */
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

/** A line of wp-config.php. */
const define = (name, value) => `define(${JSON.stringify(name)}, ${JSON.stringify(value)});`;

/** A multisite network's constants (after scripts/wordpress/network.php has made its tables): one network, sites in paths. */
function networkConstants(origin) {
  return [define('MULTISITE', true), define('SUBDOMAIN_INSTALL', false), define('DOMAIN_CURRENT_SITE', new URL(origin).host),
    define('PATH_CURRENT_SITE', '/'), define('SITE_ID_CURRENT_SITE', 1), define('BLOG_ID_CURRENT_SITE', 1)];
}

function wpConfig({ socket, password, origin, network = false, pluginUploads = false }) {
  const salt = () => randomBytes(48).toString('base64');
  const keys = ['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT'];
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
 * still active on it, as when a site with the plugin becomes a network.
 * `withPlugin: false`: no plugin at all; `pluginUploads`: administrators may install plugins (Upload Plugin).
 * Resolves to { origin, directory, admin, stop, debugLog() }.
 */
export async function startWordPress({
  port, settings, users = [], muPlugins = {}, network = false, withPlugin = true, pluginUploads = false, title = 'iamport-verify on WordPress',
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
    for (const [name, source] of Object.entries(muPlugins)) writeFileSync(join(site, 'wp-content/mu-plugins', `${name}.php`), source);

    const admin = { login: 'admin', password: randomBytes(12).toString('base64url'), email: 'admin@example.invalid' };
    const installed = run('php', [join(root, 'scripts/wordpress/install.php'), site,
      JSON.stringify({ origin, title, admin, settings, users, theme: THEME, plugin: withPlugin })]);
    if (installed.status !== 0) throw new Error(`installing WordPress failed:\n${installed.stdout}\n${installed.stderr}`);
    if (network) {
      const made = run('php', [join(root, 'scripts/wordpress/network.php'), site, JSON.stringify({ origin, title, admin })]);
      if (made.status !== 0) throw new Error(`making the network failed:\n${made.stdout}\n${made.stderr}`);
      writeFileSync(join(site, 'wp-config.php'), wpConfig({ socket: database.socket, password, origin, network, pluginUploads }));
    }

    const server = await startPhpServer({ port, documentRoot: site, router: join(root, 'scripts/wordpress/router.php'), readyPath: '/wp-login.php' });
    stoppers.push(server.stop);
    /** Run PHP `code` inside this WordPress (as wp-cli's eval would); resolves to what it printed. */
    const php = (code) => {
      const { host } = new URL(origin);
      const result = run('php', ['-r', `$_SERVER['HTTP_HOST'] = ${JSON.stringify(host)}; require ${JSON.stringify(join(site, 'wp-load.php'))}; ${code}`], { cwd: site });
      if (result.status !== 0) throw new Error(`php failed:\n${result.stdout}\n${result.stderr}`);
      return result.stdout;
    };
    return { origin, directory, site, admin, stop, php, serverLog: server.log };
  } catch (error) {
    await stop();
    throw error;
  }
}
