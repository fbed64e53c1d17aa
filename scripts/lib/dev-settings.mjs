// The settings every local run of the verifier uses (npm run dev, the end-to-end and load
// suites, the benchmarks): development rules, the sandbox on, fresh secrets and a fresh
// development key (its kid starts with "dev-", which the verifier refuses in production).
import { randomBytes } from 'node:crypto';
import { makeSigningKey } from './keys.mjs';

/** `allowedOrigins`: the origins the local pages are served from. */
export async function developmentSettings(allowedOrigins) {
  const secret = () => randomBytes(32).toString('base64url');
  return {
    ENVIRONMENT: 'development',
    SANDBOX: 'true',
    ALLOWED_ORIGINS: allowedOrigins.join(','),
    SIGNING_KEYS: JSON.stringify([await makeSigningKey('dev-')]),
    SUBJECT_SECRET: secret(),
    CHALLENGE_SECRET: secret(),
  };
}

/** The settings as `wrangler dev --var NAME:VALUE` arguments. */
export function varArguments(settings) {
  return Object.entries(settings).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
}
