#!/usr/bin/env node
// `npm run wordpress:pot`: the plugin's translation template (languages/iamport-verify.pot) from
// its PHP sources with gettext's xgettext, merged into each translation (.po) with msgmerge.
// Translate the new or changed entries (empty or "fuzzy") in the .po files; the .mo files are
// compiled from them when the plugin runs here (test/support/wordpress.mjs) or with msgfmt.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PLUGIN_DIRECTORY, makeTranslationTemplate } from '../lib/plugin-files.mjs';

const languages = join(PLUGIN_DIRECTORY, 'languages');
const template = join(languages, 'iamport-verify.pot');
makeTranslationTemplate(template);
for (const file of readdirSync(languages).filter((name) => name.endsWith('.po'))) {
  const merged = spawnSync('msgmerge', ['--quiet', '--update', '--backup=none', join(languages, file), template], { stdio: 'inherit' });
  if (merged.status !== 0) process.exit(1);
}
console.log(`Updated ${template} and merged it into the translations.`);
