// The verifier's tests run inside workerd (the Workers runtime) through the Worker's HTTP
// face, with the real Durable Objects. Keys and secrets are made here, per run: no fixtures.
import { mkdirSync } from 'node:fs';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { makeSigningKey } from '../../scripts/lib/keys.mjs';
import { wranglerRateLimits } from '../../scripts/lib/rate-limits.mjs';
import { defaultBindings } from '../../worker/settings.ts';

const signingKey = (kid: string) => makeSigningKey('', kid);

// wrangler.sandbox.toml points at the built assets; the worker suite does not need them built.
mkdirSync(new URL('../../dist/site', import.meta.url).pathname, { recursive: true });

const [first, second] = [await signingKey('dev-test-key-1'), await signingKey('dev-test-key-2')];

export const TEST_BINDINGS = {
  // Every setting at its default first, so a developer's .dev.vars (which the pool also
  // reads) cannot change what the tests see; then what the tests run with.
  ...defaultBindings(),
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
  // A key as `npm run keygen` makes for production (no "dev-" kid), for the production tests.
  PRODUCTION_KEYS: JSON.stringify([await signingKey('20261122-production')]),
  // The rate limits are wrangler.toml's own, as deployed; the tests read the numbers here.
  RATE_LIMITS: JSON.stringify(wranglerRateLimits()),
};

export default defineConfig({
  plugins: [
    cloudflareTest({
      // The sandbox's Worker: the verifier with the stand-in upstream beside it (production's has none).
      wrangler: { configPath: new URL('../../wrangler.sandbox.toml', import.meta.url).pathname },
      miniflare: {
        // The test runner itself needs Node's APIs in workerd; the verifier does not.
        compatibilityFlags: ['nodejs_compat'],
        bindings: TEST_BINDINGS,
      },
    }),
  ],
  test: {
    include: ['test/worker/**/*.test.ts'],
    // Whole verifications through workerd: on a busy 2-core CI machine some tests take seconds.
    testTimeout: 30_000,
    // The fuzz suite's size: FUZZ_RUNS=20 for a quick local run, more for a longer hunt.
    provide: { fuzzRuns: Number(process.env.FUZZ_RUNS || 210) },
    // The verifier's one-line logs would bury the results (tests that are about logs spy on console);
    // lines starting with "figures:" are the hardening suites' measurements, and are shown.
    onConsoleLog: (log) => (log.startsWith('figures:') ? undefined : false),
    root: new URL('../..', import.meta.url).pathname,
  },
});
