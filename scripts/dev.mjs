#!/usr/bin/env node
// `npm run dev` / `npm start`: the verifier on the sandbox with zero configuration.
// Writes .dev.vars (git-ignored) once, with development settings and a fresh development
// key (its kid starts with "dev-", which the verifier refuses in production), builds the
// tag, then runs `wrangler dev`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { developmentSettings } from './lib/dev-settings.mjs';

const port = process.env.PORT ?? '8787';
const host = process.env.HOST ?? '127.0.0.1';
const devVars = new URL('../.dev.vars', import.meta.url);

if (!existsSync(devVars)) {
  const lines = await developmentSettings([`http://localhost:${port}`, `http://127.0.0.1:${port}`]);
  writeFileSync(devVars, Object.entries(lines).map(([k, v]) => `${k}='${v}'`).join('\n') + '\n');
  console.log('Wrote .dev.vars with development settings and a new development signing key.');
} else if (!readFileSync(devVars, 'utf8').includes('ENVIRONMENT')) {
  console.warn('.dev.vars has no ENVIRONMENT: the verifier will run with production rules.');
}

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
if (packageJson.scripts.build) {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

console.log(`\n  iamport-verify on the sandbox: http://${host === '0.0.0.0' ? 'localhost' : host}:${port}/\n`);
const wrangler = spawn('npx', ['wrangler', 'dev', '--port', port, '--ip', host, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => wrangler.kill(signal));
wrangler.on('exit', (code) => process.exit(code ?? 0));
