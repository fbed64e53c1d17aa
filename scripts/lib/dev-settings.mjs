// The settings every local run of the verifier uses (npm run dev, the end-to-end and load
// suites, the benchmarks): what each setting's spec in worker/settings.ts says development
// takes (development rules, the sandbox on), with fresh secrets and a fresh development key
// (its kid starts with "dev-", which the verifier refuses in production).
import { randomBytes } from 'node:crypto';
import { importTs } from './import-ts.mjs';
import { makeSigningKey } from './keys.mjs';

/** `allowedOrigins`: the origins the local pages are served from. */
export async function developmentSettings(allowedOrigins) {
  const [{ SETTINGS }] = await importTs(['worker/settings.ts']);
  const make = {
    secret: async () => randomBytes(32).toString('base64url'),
    'signing-key': async () => JSON.stringify([await makeSigningKey('dev-')]),
    'local-origins': async () => allowedOrigins.join(','),
  };
  const settings = {};
  for (const [name, { development }] of Object.entries(SETTINGS)) {
    if (development) settings[name] = 'value' in development ? development.value : await make[development.make]();
  }
  return settings;
}

/** The settings as `wrangler dev --var NAME:VALUE` arguments. */
export function varArguments(settings) {
  return Object.entries(settings).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
}
