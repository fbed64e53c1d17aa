#!/usr/bin/env node
// Writes the README's reference tables from the code, so the docs cannot drift:
//   endpoints   ← worker/endpoints.ts        errors     ← worker/errors.ts + widget/text.ts, widget/verification-text.ts,
//                                                          widget/form/form-text.ts (the form mode's codes)
//   settings    ← worker/settings.ts         the tag    ← custom-elements.json
//   kit errors  ← server/index.ts
// `node scripts/docs.mjs` rewrites README.md between <!-- generated:NAME --> markers;
// `--check` fails (exit 1) when the README is not what the code says (run by npm test).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { importTs } from './lib/import-ts.mjs';
import { wranglerRateLimits } from './lib/rate-limits.mjs';

const root = new URL('..', import.meta.url).pathname;
const readmePath = join(root, 'README.md');

const cell = (text) => String(text ?? '').replace(/\|/g, '\\|').replace(/\n+/g, ' ').trim();
const table = (headers, rows) =>
  [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join('\n');

const [endpoints, errors, settings, text, kit, earlyText, rateLimits, formText] = await importTs([
  'worker/endpoints.ts', 'worker/errors.ts', 'worker/settings.ts', 'widget/verification-text.ts', 'server/index.ts', 'widget/text.ts',
  'worker/middleware/rate-limit.ts', 'widget/form/form-text.ts',
]);
const deployedLimits = wranglerRateLimits();

/**
 * What the tag shows for an error code, in English and Korean (its text is in three files: the form
 * mode's adds its own), for a tag with `min-age="19"`, or `guardian-under="14"` for the guardian step's codes.
 */
const tagSays = (code) => ['en', 'ko']
  .map((lang) => text.errorMessage({ ...earlyText.MESSAGES[lang], ...text.VERIFICATION_MESSAGES[lang], ...formText.FORM_MESSAGES[lang] }, code, code.startsWith('guardian_') ? 14 : 19))
  .join(' / ');

const sections = {
  endpoints: table(
    ['method, path', 'request', 'answer', 'for'],
    endpoints.ENDPOINTS.map((e) => [`\`${e.method} ${e.path}\``, e.request || '—', e.answer, e.who]),
  ),
  errors: table(
    ['code', 'status', 'when', 'the tag shows (en / ko)'],
    Object.entries(errors.PROBLEMS).map(([code, p]) => [
      `\`${code}\``, p.status, p.when,
      `${tagSays(code)}`,
    ]),
  ),
  'tag-errors': table(
    ['code', 'when', 'the tag shows (en / ko)'],
    [
      ['cancelled', 'the person closed or cancelled the verification window'],
      ['popup_blocked', 'the browser blocked the verification window'],
      ['sdk_load_failed', 'the provider SDK, or the part of the tag loaded for it, could not be loaded'],
      ['network_error', 'the verifier could not be reached (an exchange is first sent again a few times)'],
      ['invalid_attribute', 'an attribute has a value the tag refuses (for example `carrier="KT"`)'],
      ['pg_error', 'the PG reported a failure (its message is in `detail.message`)'],
    ].map(([code, when]) => [`\`${code}\``, when, `${tagSays(code)}`]),
  ),
  'kit-errors': table(['`AttestationError.code`', 'when'], Object.entries(kit.ATTESTATION_ERRORS).map(([code, when]) => [`\`${code}\``, when])),
  'rate-limits': table(
    ['binding', 'on', 'per client', 'protects'],
    Object.entries(rateLimits.RATE_LIMITS).map(([name, l]) => {
      const deployed = deployedLimits[name];
      if (!deployed) throw new Error(`wrangler.toml has no [[ratelimits]] ${name}`);
      return [`\`${name}\``, `\`${l.endpoint}\``, `${deployed.limit} per ${deployed.period} s`, l.protects];
    }),
  ),
  settings: table(
    ['name', 'default', 'secret', 'what'],
    settings.settingsTable().map((s) => [`\`${s.name}\``, s.default, s.secret ? '**secret**' : 'no', s.what]),
  ),
};

const manifestPath = join(root, 'custom-elements.json');
if (existsSync(manifestPath)) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const element = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.customElement);
  const type = (t) => (t?.text ? `\`${t.text}\`` : '');
  // Only literal defaults mean something to a reader; a constant's name does not (its doc says it).
  const literal = (value) => (value && /^(['"\d-]|true$|false$)/.test(value) ? `\`${value}\`` : '');
  sections.attributes = table(
    ['attribute', 'property', 'type', 'default', 'what'],
    (element.attributes ?? []).map((a) => [`\`${a.name}\``, a.fieldName ? `\`${a.fieldName}\`` : '', type(a.type), literal(a.default), a.description]),
  );
  const attributeFields = new Set((element.attributes ?? []).map((a) => a.fieldName));
  sections.members = table(
    ['property or method', 'kind', 'what'],
    (element.members ?? [])
      .filter((m) => m.privacy !== 'private' && m.privacy !== 'protected' && !m.static && !attributeFields.has(m.name) && !m.name.startsWith('_') && m.description)
      .map((m) => [`\`${m.name}${m.kind === 'method' ? '()' : ''}\``, m.kind === 'method' ? 'method' : m.readonly ? 'read-only property' : 'property', m.description]),
  );
  sections.events = table(['event', 'detail', 'when'], (element.events ?? []).map((e) => [`\`${e.name}\``, type(e.type), e.description]));
  sections.parts = table(['part', 'what'], (element.cssParts ?? []).map((p) => [`\`${p.name}\``, p.description]));
  sections['css-properties'] = table(
    ['custom property', 'default', 'what'],
    (element.cssProperties ?? []).map((p) => [`\`${p.name}\``, p.default ? `\`${p.default}\`` : '', p.description]),
  );
}

const readme = readFileSync(readmePath, 'utf8');
let next = readme;
for (const [name, content] of Object.entries(sections)) {
  const pattern = new RegExp(`(<!-- generated:${name} -->)[\\s\\S]*?(<!-- /generated:${name} -->)`);
  next = next.replace(pattern, `$1\n${content}\n$2`);
}

if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md is out of date with the code: run `npm run docs` and commit the result.');
    process.exit(1);
  }
  console.log('README.md tables match the code.');
} else if (next !== readme) {
  writeFileSync(readmePath, next);
  console.log('README.md tables rewritten from the code.');
} else {
  console.log('README.md tables already match the code.');
}
