#!/usr/bin/env node
// `npm run dev` / `npm start`: the verifier on the sandbox with zero configuration.
// Writes .dev.vars (git-ignored) once, with development settings and a fresh development
// key (its kid starts with "dev-", which the verifier refuses in production), builds the
// tag, then runs `wrangler dev` with the sandbox's Worker (wrangler.sandbox.toml: the verifier
// with the sandbox beside it; production's wrangler.toml has none of it).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { developmentSettings } from './lib/dev-settings.mjs';
import { servePortOneStandIn } from './lib/portone-origin.mjs';

const port = process.env.PORT ?? '8787';
// The sandbox's PortOne V2 API at an origin of its own, for clients that take an origin only.
const portonePort = process.env.PORTONE_PORT ?? String(Number(port) + 1);
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

const shownHost = host === '0.0.0.0' ? 'localhost' : host;
const portone = await servePortOneStandIn(`http://127.0.0.1:${port}`, { port: Number(portonePort), host });
console.log(`\n  iamport-verify on the sandbox: http://${shownHost}:${port}/`);
console.log(`  the sandbox's PortOne V2 API (for @portone/server-sdk's baseUrl): http://${shownHost}:${portonePort}\n`);
const wrangler = spawn('npx', ['wrangler', 'dev', '--config', 'wrangler.sandbox.toml', '--port', port, '--ip', host, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => wrangler.kill(signal));
wrangler.on('exit', async (code) => {
  await portone.close();
  process.exit(code ?? 0);
});
