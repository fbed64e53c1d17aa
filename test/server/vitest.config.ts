// The backend kit's tests run inside workerd beside the real verifier (the sandbox's Worker, wrangler.sandbox.toml),
// so the kit checks tokens the verifier really issued. Keys and secrets are made per run.
import { mkdirSync } from 'node:fs';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { makeSigningKey } from '../../scripts/lib/keys.mjs';
import { defaultBindings } from '../../worker/settings.ts';

const signingKey = (kid: string) => makeSigningKey('', kid);

// wrangler.sandbox.toml points at the built assets; these tests do not need them built.
mkdirSync(new URL('../../dist/site', import.meta.url).pathname, { recursive: true });

export default defineConfig({
  plugins: [
    cloudflareTest({
      // The sandbox's Worker: the verifier with the stand-in upstream beside it (production's has none).
      wrangler: { configPath: new URL('../../wrangler.sandbox.toml', import.meta.url).pathname },
      miniflare: {
        // The test runner itself needs Node's APIs in workerd; the verifier does not.
        compatibilityFlags: ['nodejs_compat'],
        bindings: {
          // Every setting at its default, so a developer's .dev.vars (which the pool also reads) changes nothing here.
          ...defaultBindings(),
          ENVIRONMENT: 'development',
          SANDBOX: 'true',
          ALLOWED_ORIGINS: 'https://shop.example,https://other.example',
          ISSUER: 'https://verify.example',
          // Two keys: the first signs, both are published (rotation).
          SIGNING_KEYS: JSON.stringify([await signingKey('dev-kit-key-1'), await signingKey('dev-kit-key-2')]),
          SUBJECT_SECRET: 'kit-subject-secret-' + crypto.randomUUID(),
          CHALLENGE_SECRET: 'kit-challenge-secret-' + crypto.randomUUID(),
          IAMPORT_API_KEY: 'test_api_key',
          IAMPORT_API_SECRET: 'test_api_secret',
        },
        ratelimits: {
          EXCHANGE_RATE_LIMITER: { namespace_id: '1001', simple: { limit: 10_000, period: 60 } },
          INTROSPECT_RATE_LIMITER: { namespace_id: '1002', simple: { limit: 10_000, period: 60 } },
        },
      },
    }),
  ],
  test: {
    include: ['test/server/**/*.test.ts'],
    root: new URL('../..', import.meta.url).pathname,
    // The verifier's one-line request logs are for operators; here they would bury the figures.
    onConsoleLog: (log) => !log.startsWith('{"event":'),
  },
});
