#!/usr/bin/env node
// `npm run wordpress:pot`: the plugin's translation template (languages/iamport-verify.pot) from
// its PHP sources with gettext's xgettext, merged into each translation (.po) with msgmerge.
// Translate the new or changed entries (empty or "fuzzy") in the .po files; the .mo files are
// compiled from them when the plugin runs here (scripts/lib/wordpress.mjs) or with msgfmt.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PLUGIN_DIRECTORY } from '../lib/wordpress.mjs';

const languages = join(PLUGIN_DIRECTORY, 'languages');
const template = join(languages, 'iamport-verify.pot');
const sources = ['iamport-verify.php', ...readdirSync(join(PLUGIN_DIRECTORY, 'includes')).filter((file) => file.endsWith('.php')).map((file) => `includes/${file}`)];
// WordPress's translation functions: __, _e, esc_html__… (1: the text; _x: 2 is the context; _n: 1 and 2 singular and plural).
const keywords = ['__', '_e', 'esc_html__', 'esc_html_e', 'esc_attr__', 'esc_attr_e', '_x:1,2c', '_n:1,2'].map((keyword) => `--keyword=${keyword}`);

function run(command, args) {
  const result = spawnSync(command, args, { cwd: PLUGIN_DIRECTORY, stdio: 'inherit' });
  if (result.error || result.status !== 0) {
    console.error(`${command} failed: it is in Debian's gettext package (apt-get install -y gettext).`);
    process.exit(1);
  }
}

run('xgettext', ['--language=PHP', '--from-code=UTF-8', '--add-comments=translators:', '--sort-by-file', ...keywords,
  '--package-name=iamport-verify', '--package-version=0.1.0', '-o', template, ...sources]);
for (const file of readdirSync(languages).filter((name) => name.endsWith('.po'))) {
  run('msgmerge', ['--quiet', '--update', '--backup=none', join(languages, file), template]);
}
console.log(`Updated ${template} and merged it into the translations.`);
