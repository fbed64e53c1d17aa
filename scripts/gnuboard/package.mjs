#!/usr/bin/env node
// `npm run gnuboard:package [folder]`: the Gnuboard add-on as it is installed, in `folder` (default
// dist/gnuboard/): extend/iamport_verify.extend.php and plugin/iamport-verify/, with the PHP attestation
// verifier (the one copy in plugins/wordpress/iamport-verify/src/) copied into plugin/iamport-verify/src/.
// Copy both folders into your Gnuboard root (README, "Gnuboard 5").
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { packageAddon } from '../lib/plugin-files.mjs';

const target = resolve(process.argv[2] ?? new URL('../../dist/gnuboard', import.meta.url).pathname);
rmSync(target, { recursive: true, force: true });
packageAddon(target);
console.log(`The Gnuboard add-on is in ${target}: copy its extend/ and plugin/ into your Gnuboard root.`);
