#!/usr/bin/env node
// `npm run wordpress:zip`: the plugin as WordPress installs it through Plugins → Add New → Upload Plugin:
// dist/wordpress/iamport-verify.zip, one folder `iamport-verify/` with its PHP, scripts, readme.txt and
// translations, the Korean one compiled (.mo). Written here with node:zlib, so no zip tool is needed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PLUGIN_DIRECTORY, compileTranslations, pluginFiles } from '../lib/plugin-files.mjs';
import { zip } from '../lib/zip.mjs';

const output = new URL('../../dist/wordpress/iamport-verify.zip', import.meta.url).pathname;
compileTranslations();
const entries = pluginFiles().map((path) => ({ name: `iamport-verify/${relative(PLUGIN_DIRECTORY, path)}`, path }));
mkdirSync(join(output, '..'), { recursive: true });
writeFileSync(output, zip(entries));
console.log(`${relative(process.cwd(), output)}: ${entries.length} files`);
