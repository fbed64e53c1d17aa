// The plugin's text in Korean and English: the template lists every translatable string of the
// plugin's PHP, and the Korean translation translates each one (none missing, none fuzzy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLUGIN_DIRECTORY, makeTranslationTemplate } from '../../scripts/lib/plugin-files.mjs';
import { ensureWordPressPackages } from '../support/wordpress.mjs';

const languages = join(PLUGIN_DIRECTORY, 'languages');
const template = join(languages, 'iamport-verify.pot');
ensureWordPressPackages();

/** msgcmp: every msgid of `reference` is in `definitions` (translated, unless `untranslatedCount`). */
function msgcmp(definitions, reference, { untranslatedCount = false } = {}) {
  return spawnSync('msgcmp', [...(untranslatedCount ? ['--use-untranslated'] : []), definitions, reference], { encoding: 'utf8' });
}

test('the translation template lists exactly the translatable strings of the plugin\'s source (npm run wordpress:pot)', () => {
  const directory = mkdtempSync(join(tmpdir(), 'iamport-verify-pot-'));
  try {
    const fresh = join(directory, 'fresh.pot');
    makeTranslationTemplate(fresh);
    for (const [definitions, reference] of [[template, fresh], [fresh, template]]) {
      const compared = msgcmp(definitions, reference, { untranslatedCount: true });
      assert.equal(compared.status, 0, `the template is out of date; run npm run wordpress:pot\n${compared.stderr}`);
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('the Korean translation translates every string of the template, none fuzzy, and compiles', () => {
  const po = join(languages, 'iamport-verify-ko_KR.po');
  const compared = msgcmp(po, template);
  assert.equal(compared.status, 0, compared.stderr);
  const compiled = spawnSync('msgfmt', ['--check', '--statistics', '-o', '/dev/null', po], { encoding: 'utf8' });
  assert.equal(compiled.status, 0, compiled.stderr);
  assert.doesNotMatch(compiled.stderr, /fuzzy|untranslated/);
});
