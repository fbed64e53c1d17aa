#!/usr/bin/env node
// The tag's browser tests run in a real Chromium. This finds one (CHROME_PATH, then the usual
// Debian/Ubuntu paths, then PATH) and, on a fresh machine or CI where there is none, installs
// Debian's `chromium` package when running as root; otherwise it stops and says how.
// `node scripts/ensure-chromium.mjs` prints the path it found.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The path of an installed Chromium (or Chrome), or undefined. */
export function findChromium() {
  if (process.env.CHROME_PATH && existsSync(process.env.CHROME_PATH)) return process.env.CHROME_PATH;
  const found = CANDIDATES.find((path) => existsSync(path));
  if (found) return found;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const which = spawnSync('which', [name], { encoding: 'utf8' });
    if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  }
  return undefined;
}

/** Headless flags for containers and CI: no GPU, no sandbox (root), no background traffic. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'];

export function ensureChromium() {
  let path = findChromium();
  if (path) return path;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    console.error('Chromium is missing; the browser tests need it. Install it, for example:\n'
      + '  sudo apt-get update && sudo apt-get install -y chromium\n'
      + 'or point CHROME_PATH at an installed Chromium or Chrome.');
    process.exit(1);
  }
  console.log('Chromium is missing: installing Debian\'s chromium package (apt-get)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) {
      console.error(`apt-get ${args.join(' ')} failed (exit ${result.status}).`);
      process.exit(1);
    }
  }
  path = findChromium();
  if (!path) {
    console.error('apt-get installed chromium, but no chromium binary was found.');
    process.exit(1);
  }
  return path;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(ensureChromium());
}
