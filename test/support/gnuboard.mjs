// A throwaway local Gnuboard 5 with the iamport-verify add-on, for the Gnuboard suite and `npm run gnuboard`:
// Gnuboard copied from GNUBOARD_DIR (default ../shared/gnuboard5 beside the project; it is in no package
// registry) into a temporary directory, MariaDB and PHP's built-in server from php-site.mjs, Gnuboard
// installed through its own web installer (install/install_db.php), then the add-on copied in as the
// README says (packageAddon: the same step as `npm run gnuboard:package`).
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureDebianPackages, has, mariadbd, phpHasExtensions, run, startPhpServer, startSiteDatabase } from './php-site.mjs';
import { packageAddon } from '../../scripts/lib/plugin-files.mjs';

const root = new URL('../../', import.meta.url).pathname;
const PACKAGES = ['php-cli', 'php-mysql', 'php-mbstring', 'php-xml', 'php-gd', 'php-curl', 'mariadb-server'];
const PHP_EXTENSIONS = ['mysqli', 'mbstring', 'xml', 'gd', 'curl', 'openssl'];
const INSTALLED_TEXT = '설치가 완료되었습니다';
export const TABLE_PREFIX = 'g5_';
/**
 * An extend/ file for test and demo sites only: Gnuboard has no setting to turn its captcha (kcaptcha) off,
 * so this answers it, in the browser's check (kcaptcha_result.php) and the server's (register_member_chk_captcha).
 */
export const ANSWER_CAPTCHA_EXTEND = `<?php
if (!defined('_GNUBOARD_')) exit;
if (basename($_SERVER['SCRIPT_NAME']) === 'kcaptcha_result.php') {
    echo '1';
    exit;
}
add_replace('register_member_chk_captcha', static function () { return false; }, 1, 1);
`;

/** Where Gnuboard is read from: GNUBOARD_DIR, else ../shared/gnuboard5 beside the project; a clear error when neither exists. */
export function gnuboardSource() {
  const source = resolve(root, process.env.GNUBOARD_DIR ?? '../shared/gnuboard5');
  if (!existsSync(join(source, 'common.php')) || !existsSync(join(source, 'install/install_db.php'))) {
    throw new Error(`No Gnuboard 5 at ${source}. Gnuboard is in no package registry: check it out (https://github.com/gnuboard/gnuboard5, 5.6.x) `
      + 'and point GNUBOARD_DIR at it, e.g. GNUBOARD_DIR=~/src/gnuboard5 npm run test:gnuboard');
  }
  return source;
}

export function ensureGnuboardPackages() {
  ensureDebianPackages({
    packages: PACKAGES,
    suite: 'The Gnuboard suite',
    ready: () => phpHasExtensions(PHP_EXTENSIONS) && Boolean(mariadbd()) && has('mariadb-install-db') && has('mariadb-dump'),
  });
}

/**
 * A Gnuboard served at http://127.0.0.1:`port`, installed, with the add-on in place (not yet set up: its
 * settings page does that). `extend` ({ name: php source }) adds the test site's own extend/ files.
 * Resolves to { origin, directory, site, admin, database, sql(query), stop, serverLog() }.
 */
export async function startGnuboard({ port, extend = {}, title = 'iamport-verify on Gnuboard' }) {
  const source = gnuboardSource();
  ensureGnuboardPackages();
  const origin = `http://127.0.0.1:${port}`;
  const { directory, database, password, stop, onStop } = await startSiteDatabase({ prefix: 'iamport-verify-g5-', name: 'gnuboard' });
  try {
    // A copy (Gnuboard writes data/, and its files must stay untouched in GNUBOARD_DIR).
    const site = join(directory, 'site');
    cpSync(source, site, { recursive: true, filter: (path) => !path.startsWith(join(source, '.git')) });
    mkdirSync(join(site, 'data'), { recursive: true });

    // The installer's host field takes no socket path: PHP's mysqli finds MariaDB through its default socket.
    const phpOptions = { 'mysqli.default_socket': database.socket };
    const server = await startPhpServer({ port, documentRoot: site, readyPath: '/install/', phpOptions });
    onStop(server.stop);

    const admin = { id: 'admin', password: randomBytes(12).toString('base64url'), email: 'admin@example.invalid' };
    const response = await fetch(`${origin}/install/install_db.php`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        mysql_host: 'localhost', mysql_user: 'gnuboard', mysql_pass: password, mysql_db: 'gnuboard', table_prefix: TABLE_PREFIX,
        admin_id: admin.id, admin_pass: admin.password, admin_name: '관리자', admin_email: admin.email,
      }),
    });
    const installed = await response.text();
    if (!installed.includes(INSTALLED_TEXT)) throw new Error(`Gnuboard's installer did not finish:\n${installed.slice(0, 2000)}\n${server.log()}`);
    database.sql(`UPDATE gnuboard.${TABLE_PREFIX}config SET cf_title = '${title.replace(/'/g, "''")}'`);

    packageAddon(site);
    for (const [name, php] of Object.entries(extend)) writeFileSync(join(site, 'extend', `${name}.extend.php`), php);

    /** Rows of a query on the site's database (tab-separated columns). */
    const sql = (query) => {
      const result = run('mariadb', ['--no-defaults', `--socket=${database.socket}`, '-u', 'root', '-N', '-B', 'gnuboard', '-e', query]);
      if (result.status !== 0) throw new Error(`${query}\n${result.stderr}`);
      return result.stdout.split('\n').filter(Boolean).map((line) => line.split('\t'));
    };
    const dump = () => {
      const result = run('mariadb-dump', ['--no-defaults', `--socket=${database.socket}`, '-u', 'root', 'gnuboard'], { maxBuffer: 64 * 1024 * 1024 });
      if (result.status !== 0) throw new Error(result.stderr);
      return result.stdout;
    };
    return { origin, directory, site, admin, sql, dump, stop, serverLog: server.log };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The add-on set up as its settings page would save it, and Gnuboard's own gate on with `adultBoard` a 19+
 * board (for `npm run gnuboard` and the screenshots; the suite saves the settings through the page itself).
 */
export function setUpForTrying(gnuboard, { verifierUrl, adultBoard }) {
  const settings = { verifier_url: verifierUrl, provider: 'iamport', imp_code: 'imp00000000', age_rule: 'min_year_age', age: 19, require_on_signup: true, reverify_days: 365 };
  const table = `${TABLE_PREFIX}iamport_verify_config`;
  gnuboard.sql(`CREATE TABLE IF NOT EXISTS ${table} (name varchar(40) NOT NULL PRIMARY KEY, value text NOT NULL) DEFAULT CHARSET=utf8mb4;
    ${Object.entries(settings).map(([name, value]) => `REPLACE INTO ${table} VALUES ('${name}', '${JSON.stringify(value)}');`).join('\n')}
    UPDATE ${TABLE_PREFIX}config SET cf_cert_use = 2; UPDATE ${TABLE_PREFIX}board SET bo_use_cert = 'adult' WHERE bo_table = '${adultBoard}';`);
}

/**
 * Sign up on `origin` by hand, as a script would: Gnuboard's own duplicate checks first (they set session flags),
 * then the form with `token` (needs ANSWER_CAPTCHA_EXTEND). Resolves to { registered, alert } (Gnuboard's
 * refusals are HTTP 200 pages with alert("...")).
 */
export async function signUpByHand(origin, { id, password, token = '', cookie: extraCookie = '' }) {
  const jar = new Map();
  const cookie = () => [...[...jar].map(([name, value]) => `${name}=${value}`), extraCookie].filter(Boolean).join('; ');
  const post = async (path, fields) => {
    const response = await fetch(`${origin}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie(), referer: `${origin}/bbs/register_form.php` },
      body: new URLSearchParams(fields),
    });
    for (const line of response.headers.getSetCookie()) {
      const [name, value] = line.split(';')[0].split('=');
      jar.set(name, value);
    }
    return { status: response.status, location: response.headers.get('location') ?? '', body: await response.text() };
  };
  const email = `${id}@example.invalid`;
  await post('/bbs/register_form.php', { agree: '1', agree2: '1' });
  await post('/bbs/ajax.mb_id.php', { reg_mb_id: id });
  await post('/bbs/ajax.mb_nick.php', { reg_mb_nick: id, reg_mb_id: id });
  await post('/bbs/ajax.mb_email.php', { reg_mb_email: email, reg_mb_id: id });
  const answer = await post('/bbs/register_form_update.php', {
    w: '', agree: '1', agree2: '1', mb_id: id, mb_password: password, mb_password_re: password,
    mb_name: '테스트', mb_nick: id, mb_email: email, captcha_key: '1234', iamport_verify_token: token,
  });
  return { registered: answer.status === 302 && /register_result\.php/.test(answer.location), alert: alertText(answer.body) };
}

/** The message of a Gnuboard alert page (alert.php writes it as a JSON-escaped string), or ''. */
export function alertText(html) {
  const match = html.match(/alert\(("(?:[^"\\]|\\.)*")\)/);
  return match ? JSON.parse(match[1]) : '';
}
