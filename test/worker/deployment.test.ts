import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseSettings, type EnvVars } from '../../worker/settings.ts';
import { bindings, fetchWith, VERIFIER } from './support.ts';

const strongSecret = 'x'.repeat(40);
/** A production deployment that is correctly configured: the baseline each test breaks one way. */
const PRODUCTION: EnvVars = {
  ENVIRONMENT: 'production',
  SANDBOX: 'false',
  ISSUER: 'https://verify.example',
  SUBJECT_SECRET: strongSecret,
  CHALLENGE_SECRET: strongSecret,
  IAMPORT_API_KEY: 'key',
  IAMPORT_API_SECRET: 'secret',
  ALLOWED_ORIGINS: 'https://shop.example',
  SIGNING_KEYS: bindings.PRODUCTION_KEYS,
};

const healthz = (overrides: EnvVars) => fetchWith(overrides, new Request(`${VERIFIER}/healthz`));

afterEach(() => vi.restoreAllMocks());

describe('a production deployment', () => {
  it('runs when every setting is safe', async () => {
    expect((await healthz(PRODUCTION)).status).toBe(200);
  });

  it.each([
    ['the sandbox on', { SANDBOX: 'true' }, 'SANDBOX must be false in production'],
    ['a development signing key', { SIGNING_KEYS: JSON.stringify([{ ...JSON.parse(bindings.SIGNING_KEYS!)[0], kid: 'dev-20261122-abc' }]) }, 'development key'],
    ['no signing keys', { SIGNING_KEYS: '' }, 'SIGNING_KEYS is required'],
    ['no subject secret', { SUBJECT_SECRET: '' }, 'SUBJECT_SECRET is required'],
    ['a short challenge secret', { CHALLENGE_SECRET: 'short' }, 'at least 32 characters'],
    ['no allowed origins', { ALLOWED_ORIGINS: '' }, 'ALLOWED_ORIGINS is required'],
    ['an http issuer', { ISSUER: 'http://verify.example' }, 'ISSUER must be https'],
    ['an http upstream', { IAMPORT_API_BASE: 'http://api.iamport.kr' }, 'must be https in production'],
    ['an http allowed origin', { ALLOWED_ORIGINS: 'https://shop.example,http://shop.example' }, 'ALLOWED_ORIGINS must be https origins'],
    ['no ledger binding', { LEDGER: undefined }, 'the LEDGER binding is required'],
    ['no exchange rate limiter binding', { EXCHANGE_RATE_LIMITER: undefined }, 'the EXCHANGE_RATE_LIMITER binding is required'],
    ['no introspection rate limiter binding', { INTROSPECT_RATE_LIMITER: undefined }, 'the INTROSPECT_RATE_LIMITER binding is required'],
    ['no OTP guard binding', { OTP_GUARD: undefined }, 'the OTP_GUARD binding is required'],
    ['no OTP rate limiter binding', { OTP_RATE_LIMITER: undefined }, 'the OTP_RATE_LIMITER binding is required'],
    ['no challenge rate limiter binding', { CHALLENGE_RATE_LIMITER: undefined }, 'the CHALLENGE_RATE_LIMITER binding is required'],
    ['a Turnstile test secret', { TURNSTILE_SECRET: '1x0000000000000000000000000000000AA' }, 'TURNSTILE_SECRET is one of Cloudflare\'s test secrets'],
  ] as [string, EnvVars, string][])('refuses to sign anything with %s, and says why in the log only', async (_, change, reason) => {
    const logs = vi.spyOn(console, 'log');
    const response = await healthz({ ...PRODUCTION, ...change });
    expect(response.status).toBe(500);
    const body = await response.json() as Record<string, string>;
    expect(body.code).toBe('configuration_error');
    expect(JSON.stringify(body)).not.toContain(reason);
    expect(logs.mock.calls.flat().join('\n')).toContain(reason);
  });
});

describe('a signing key\'s kid', () => {
  const [productionKey] = JSON.parse(bindings.PRODUCTION_KEYS) as Record<string, unknown>[];
  const withKid = (kid: unknown) => ({ ...PRODUCTION, SIGNING_KEYS: JSON.stringify([{ ...productionKey, kid }]) });

  it.each([
    ['empty', ''],
    ['a space', ' '],
    ['text with a space in it', '2026 production'],
    ['a line break', '2026-production\n'],
    ['non-ASCII text', '키-2026'],
    ['65 characters long', 'k'.repeat(65)],
    ['a number, not a string', 2026],
    ['missing', undefined],
  ])('is a configuration error when it is %s', async (_, kid) => {
    const logs = vi.spyOn(console, 'log');
    const response = await healthz(withKid(kid));
    expect(response.status).toBe(500);
    expect((await response.json() as Record<string, string>).code).toBe('configuration_error');
    expect(logs.mock.calls.flat().join('\n')).toContain('each with a kid of 1 to 64 printable characters');
  });

  it('may be any short printable string', async () => {
    expect((await healthz(withKid('k'.repeat(64)))).status).toBe(200);
    expect((await healthz(withKid('2026-12_prod.key~1'))).status).toBe(200);
  });
});

describe('a deployment whose signing key is not a development key', () => {
  // A key real backends trust means production's rules: ENVIRONMENT=development would otherwise
  // sign test channels and forged challenges, take the issuer from the request and rate-limit nothing.
  const DEVELOPMENT_WITH_TRUSTED_KEY: EnvVars = { ...PRODUCTION, ENVIRONMENT: 'development' };
  const why = 'ENVIRONMENT is development, but SIGNING_KEYS holds a key whose kid does not start with dev-, so production\'s rules apply';

  it('runs when every setting is safe for production', async () => {
    expect((await healthz(DEVELOPMENT_WITH_TRUSTED_KEY)).status).toBe(200);
  });

  it.each([
    ['no issuer', { ISSUER: '' }, 'ISSUER is required in production'],
    ['no challenge rate limiter binding', { CHALLENGE_RATE_LIMITER: undefined }, 'the CHALLENGE_RATE_LIMITER binding is required'],
    ['no exchange rate limiter binding', { EXCHANGE_RATE_LIMITER: undefined }, 'the EXCHANGE_RATE_LIMITER binding is required'],
    ['no introspection rate limiter binding', { INTROSPECT_RATE_LIMITER: undefined }, 'the INTROSPECT_RATE_LIMITER binding is required'],
    ['no OTP rate limiter binding', { OTP_RATE_LIMITER: undefined }, 'the OTP_RATE_LIMITER binding is required'],
    ['the sandbox on', { SANDBOX: 'true' }, 'SANDBOX must be false in production'],
    ['an http allowed origin', { ALLOWED_ORIGINS: 'http://shop.example' }, 'ALLOWED_ORIGINS must be https origins'],
    ['the built-in secrets (unset)', { SUBJECT_SECRET: '', CHALLENGE_SECRET: '' }, 'SUBJECT_SECRET is required in production'],
    ['the built-in challenge secret, written out', { CHALLENGE_SECRET: 'development-challenge-secret' }, 'at least 32 characters'],
    ['a short subject secret', { SUBJECT_SECRET: 'short-but-not-empty' }, 'at least 32 characters'],
  ] as [string, EnvVars, string][])('applies production\'s rules whatever ENVIRONMENT says: refuses %s, and says why in the log', async (_, change, reason) => {
    const logs = vi.spyOn(console, 'log');
    const response = await healthz({ ...DEVELOPMENT_WITH_TRUSTED_KEY, ...change });
    expect(response.status).toBe(500);
    expect((await response.json() as Record<string, string>).code).toBe('configuration_error');
    const logged = logs.mock.calls.flat().join('\n');
    expect(logged).toContain(reason);
    expect(logged).toContain(why);
  });

  it('keeps development\'s rules for development keys only', async () => {
    expect((await healthz({ ENVIRONMENT: 'development', SANDBOX: 'true', ISSUER: '', ALLOWED_ORIGINS: 'http://localhost:8787' })).status).toBe(200);
  });
});

describe('a key ring', () => {
  const [first, second] = JSON.parse(bindings.SIGNING_KEYS!) as Record<string, string>[];
  const challengeRequest = () => new Request(`${VERIFIER}/v1/challenges`, {
    method: 'POST', headers: { origin: 'https://shop.example', 'content-type': 'application/json', 'cf-connecting-ip': '192.0.2.1' }, body: '{}',
  });

  it.each([
    // workerd refuses to import such a pair; the probe catches a runtime that would not.
    ['a d that does not match its x and y', [first, { ...second, d: first!.d }], `key ${second!.kid} cannot`],
    ['a d of the wrong length', [first, { ...second, d: second!.d!.slice(0, 20) }], `key ${second!.kid} cannot be imported`],
    ['two keys with the same kid', [first, { ...second, kid: first!.kid }], 'two keys with the same kid'],
  ])('with %s is a configuration error on /healthz and on every endpoint, before anything is used up', async (_, keys, reason) => {
    const logs = vi.spyOn(console, 'log');
    const overrides = { SIGNING_KEYS: JSON.stringify(keys) };
    for (const request of [new Request(`${VERIFIER}/healthz`), challengeRequest(), new Request(`${VERIFIER}/.well-known/jwks.json`)]) {
      const response = await fetchWith(overrides, request);
      expect(response.status).toBe(500);
      expect((await response.json() as Record<string, string>).code).toBe('configuration_error');
    }
    expect(logs.mock.calls.flat().join('\n')).toContain(reason);
    expect(logs.mock.calls.flat().join('\n')).not.toContain(second!.d);
  });

  it('is proven whole and served when every key signs', async () => {
    expect((await fetchWith({}, challengeRequest())).status).toBe(201);
  });
});

describe('settings', () => {
  it('take every documented override', () => {
    const settings = parseSettings({
      ...bindings,
      ALLOWED_AGES: '19', TOKEN_TTL_SECONDS: '120', MAX_CERT_AGE_SECONDS: '300', CHALLENGE_TTL_SECONDS: '900',
      UPSTREAM_TIMEOUT_MS: '2500', PURGE_AFTER_ATTEST: 'true', IAMPORT_API_BASE: 'http://127.0.0.1:9999/',
      PORTONE_API_BASE: 'http://127.0.0.1:9998', ALLOWED_ORIGINS: 'https://a.example, https://B.example:443/',
    });
    expect(settings).toMatchObject({
      allowedAges: [19], tokenTtlSeconds: 120, maxCertAgeSeconds: 300, challengeTtlSeconds: 900, upstreamTimeoutMs: 2500,
      purgeAfterAttest: true, iamport: { base: 'http://127.0.0.1:9999' }, portone: { base: 'http://127.0.0.1:9998' },
    });
    expect([...settings.allowedOrigins]).toEqual(['https://a.example', 'https://b.example']);
  });

  it('refuse values that are not what they claim to be', () => {
    expect(() => parseSettings({ ...bindings, TOKEN_TTL_SECONDS: 'ten' })).toThrow(/TOKEN_TTL_SECONDS/);
    expect(() => parseSettings({ ...bindings, ALLOWED_ORIGINS: 'https://shop.example/path' })).toThrow(/ALLOWED_ORIGINS/);
    expect(() => parseSettings({ ...bindings, SANDBOX: 'yes' })).toThrow(/SANDBOX/);
    expect(() => parseSettings({ ...bindings, SIGNING_KEYS: '[{"kty":"EC"}]' })).toThrow(/SIGNING_KEYS/);
  });

  it('use the real upstreams unless the sandbox is on', () => {
    expect(parseSettings({ ...bindings, ...PRODUCTION }).iamport.base).toBe('https://api.iamport.kr');
    expect(parseSettings({ ...bindings, ...PRODUCTION }).portone.base).toBe('https://api.portone.io');
  });
});
