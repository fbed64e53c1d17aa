// The verifier's tests run inside workerd (the Workers runtime) through the Worker's HTTP
// face, with the real Durable Objects. Keys and secrets are made here, per run: no fixtures.
import { mkdirSync } from 'node:fs';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { exportJWK, generateKeyPair } from 'jose';

async function signingKey(kid: string) {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid };
}

// wrangler.toml points at the built assets; the worker suite does not need them built.
mkdirSync(new URL('../../dist/site', import.meta.url).pathname, { recursive: true });

const [first, second] = [await signingKey('test-key-1'), await signingKey('test-key-2')];

export const TEST_BINDINGS = {
  ENVIRONMENT: 'development',
  SANDBOX: 'true',
  ALLOWED_ORIGINS: 'https://shop.example,https://other.example',
  ISSUER: 'https://verify.example',
  SIGNING_KEYS: JSON.stringify([first, second]),
  SUBJECT_SECRET: 'test-subject-secret-' + crypto.randomUUID(),
  CHALLENGE_SECRET: 'test-challenge-secret-' + crypto.randomUUID(),
  IAMPORT_API_KEY: 'test_api_key',
  IAMPORT_API_SECRET: 'test_api_secret',
  SECOND_KEY_ONLY: JSON.stringify([second]),
};

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: new URL('../../wrangler.toml', import.meta.url).pathname },
      miniflare: {
        // The test runner itself needs Node's APIs in workerd; the verifier does not.
        compatibilityFlags: ['nodejs_compat'],
        bindings: TEST_BINDINGS,
        ratelimits: { RATE_LIMITER: { namespace_id: '1001', simple: { limit: 20, period: 60 } } },
      },
    }),
  ],
  test: {
    include: ['test/worker/**/*.test.ts'],
    // The verifier's one-line logs would bury the results (tests that are about logs spy on console);
    // lines starting with "figures:" are the hardening suites' measurements, and are shown.
    onConsoleLog: (log) => (log.startsWith('figures:') ? undefined : false),
    root: new URL('../..', import.meta.url).pathname,
  },
});
