// What the CMS add-ons ship, for their packages (scripts/wordpress/zip.mjs, scripts/gnuboard/package.mjs),
// the translation template (scripts/wordpress/translations.mjs) and the throwaway sites of the suites
// (test/support/wordpress.mjs, test/support/gnuboard.mjs).
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
export const PLUGIN_DIRECTORY = join(root, 'plugins/wordpress/iamport-verify');
/** The add-on's own files (extend/ and plugin/iamport-verify/), laid out as in a Gnuboard root. */
export const ADDON_DIRECTORY = join(root, 'plugins/gnuboard');
/** The one copy of the PHP attestation verifier, shared with the WordPress plugin. */
export const SHARED_VERIFIER_DIRECTORY = join(PLUGIN_DIRECTORY, 'src');

const run = (command, args, options = {}) => spawnSync(command, args, { encoding: 'utf8', ...options });

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
 * The add-on as it is installed: `target`/extend/iamport_verify.extend.php and `target`/plugin/iamport-verify/,
 * with the shared verifier copied into plugin/iamport-verify/src/. `target` is a Gnuboard root or an empty folder.
 */
export function packageAddon(target) {
  cpSync(join(ADDON_DIRECTORY, 'extend'), join(target, 'extend'), { recursive: true });
  cpSync(join(ADDON_DIRECTORY, 'plugin'), join(target, 'plugin'), { recursive: true });
  cpSync(SHARED_VERIFIER_DIRECTORY, join(target, 'plugin/iamport-verify/src'), { recursive: true });
}
