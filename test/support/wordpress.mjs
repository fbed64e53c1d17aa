// A throwaway local WordPress with the iamport-verify plugin, for the WordPress suite and
// `npm run wordpress`: Debian's wordpress, php-cli (mysqli) and mariadb-server packages
// (installed here when missing, as scripts/ensure-chromium.mjs installs Chromium), a MariaDB
// server of its own in a temporary directory (its own socket, no TCP port), WordPress copied
// into that directory and installed non-interactively, and PHP's built-in server in front.
// Every process runs in its own process group (processes.mjs) and is stopped on any exit.
import { randomBytes } from 'node:crypto';
import {
  copyFileSync, cpSync, existsSync, linkSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  ensureDebianPackages, has, mariadbd, phpHasExtensions, run, startPhpServer, startSiteDatabase,
} from './php-site.mjs';
import { PLUGIN_DIRECTORY, compileTranslations } from '../../scripts/lib/plugin-files.mjs';

const root = new URL('../../', import.meta.url).pathname;
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
    '// Written by test/support/wordpress.mjs for a throwaway local site.',
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
  const { directory, database, password, stop, onStop } = await startSiteDatabase({ prefix: 'iamport-verify-wp-', name: 'wordpress' });
  try {
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
    onStop(server.stop);
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
