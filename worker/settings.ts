/**
 * The verifier's settings: read from the Worker's bindings, parsed and checked once
 * per isolate, then passed around typed. The README's settings table is generated
 * from `SETTINGS` below, so a new setting is documented by adding it here.
 */

interface SettingDoc { name: string; default: string; secret: boolean; what: string }

/** Each setting's documentation: the README's table is generated from this list. */
export const SETTINGS = [
  { name: 'ENVIRONMENT', default: '`production`', secret: false, what: '`development` or `production`. Production refuses the sandbox, development keys and missing secrets.' },
  { name: 'SANDBOX', default: '`false`', secret: false, what: 'Serve the stand-in upstream APIs, test persons and SDKs under `/sandbox/`, and use them as the upstream unless a base URL is set.' },
  { name: 'IAMPORT_API_BASE', default: '`https://api.iamport.kr` (sandbox: the built-in stand-in)', secret: false, what: 'Base URL of the Iamport (PortOne V1) REST API.' },
  { name: 'IAMPORT_API_KEY', default: 'none', secret: true, what: 'Iamport REST API key (`imp_key`).' },
  { name: 'IAMPORT_API_SECRET', default: 'none', secret: true, what: 'Iamport REST API secret (`imp_secret`).' },
  { name: 'PORTONE_API_BASE', default: '`https://api.portone.io` (sandbox: the built-in stand-in)', secret: false, what: 'Base URL of the PortOne V2 REST API.' },
  { name: 'PORTONE_API_SECRET', default: 'none', secret: true, what: 'PortOne V2 API secret.' },
  { name: 'SIGNING_KEYS', default: 'none (development: made by `npm run dev`)', secret: true, what: 'JSON array of private ES256 JWKs. The first signs; all are published in the JWKS (rotation). `npm run keygen` prints one.' },
  { name: 'SUBJECT_SECRET', default: 'none', secret: true, what: 'Secret the pairwise `sub` is derived from. Changing it changes every `sub`.' },
  { name: 'CHALLENGE_SECRET', default: 'none', secret: true, what: 'Secret that authenticates challenges. Changing it invalidates open challenges only.' },
  { name: 'ALLOWED_ORIGINS', default: 'none', secret: false, what: 'Comma-separated origins of the sites that may ask for attestations (exact match, e.g. `https://shop.example`).' },
  { name: 'ISSUER', default: 'the verifier\'s own origin (development only)', secret: false, what: 'The `iss` of every attestation: the verifier\'s public URL.' },
  { name: 'ALLOWED_AGES', default: '`14,19`', secret: false, what: 'Comma-separated `min_age` values a site may ask for.' },
  { name: 'TOKEN_TTL_SECONDS', default: '`600`', secret: false, what: 'Lifetime of an attestation (`exp - iat`).' },
  { name: 'MAX_CERT_AGE_SECONDS', default: '`600`', secret: false, what: 'How old a certification may be when exchanged.' },
  { name: 'CHALLENGE_TTL_SECONDS', default: '`600`', secret: false, what: 'How long a challenge stays valid.' },
  { name: 'UPSTREAM_TIMEOUT_MS', default: '`5000`', secret: false, what: 'Timeout of each upstream call.' },
  { name: 'PURGE_AFTER_ATTEST', default: '`false`', secret: false, what: 'After signing, delete the certification at the upstream (`DELETE /certifications/{imp_uid}`), so no personal data stays there.' },
] as const satisfies readonly SettingDoc[];

export type SettingName = (typeof SETTINGS)[number]['name'];

/** The settings as the Worker's bindings give them: strings, each optional. */
export type EnvVars = { [K in SettingName]?: string };

/** Where the built-in stand-in upstream answers; calls to it never leave the Worker. */
export const SANDBOX_IAMPORT_BASE = 'https://sandbox.iamport-verify.internal/iamport';
export const SANDBOX_PORTONE_BASE = 'https://sandbox.iamport-verify.internal/portone';

/** The largest MAX_CERT_AGE_SECONDS allowed: the ledger keeps ids this long, whatever the setting. */
export const MAX_CERT_AGE_LIMIT_SECONDS = 86_400;

/** kid prefix of the keys `npm run dev` makes; production refuses them. */
export const DEVELOPMENT_KID_PREFIX = 'dev-';

export interface Settings {
  environment: 'development' | 'production';
  sandbox: boolean;
  iamport: { base: string; key: string; secret: string };
  portone: { base: string; secret: string };
  signingKeys: JsonWebKey[];
  subjectSecret: string;
  challengeSecret: string;
  allowedOrigins: ReadonlySet<string>;
  /** Undefined in development when unset: the request's own origin is used. */
  issuer: string | undefined;
  allowedAges: readonly number[];
  tokenTtlSeconds: number;
  maxCertAgeSeconds: number;
  challengeTtlSeconds: number;
  upstreamTimeoutMs: number;
  purgeAfterAttest: boolean;
}

/** Why the settings cannot be used; shown in the log, never in a response. */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`iamport-verify is misconfigured: ${problems.join('; ')}`);
    this.name = 'ConfigurationError';
  }
}

const parsedByEnv = new WeakMap<EnvVars, Settings | ConfigurationError>();

/** Parse and check the settings once per `env` object (once per isolate in practice). */
export function settingsFrom(env: EnvVars): Settings {
  let parsed = parsedByEnv.get(env);
  if (!parsed) {
    try {
      parsed = parseSettings(env);
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      parsed = error;
    }
    parsedByEnv.set(env, parsed);
  }
  if (parsed instanceof ConfigurationError) throw parsed;
  return parsed;
}

export function parseSettings(env: EnvVars): Settings {
  const problems: string[] = [];
  const environment = env.ENVIRONMENT === 'development' ? 'development' : 'production';
  if (env.ENVIRONMENT !== undefined && env.ENVIRONMENT !== 'development' && env.ENVIRONMENT !== 'production') {
    problems.push(`ENVIRONMENT must be "development" or "production", not ${JSON.stringify(env.ENVIRONMENT)}`);
  }
  const production = environment === 'production';
  const sandbox = parseBoolean('SANDBOX', env.SANDBOX, false, problems);
  if (production && sandbox) problems.push('SANDBOX must be false in production');

  const integer = (name: SettingName, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };

  const required = (name: SettingName, value: string | undefined, fallbackInDevelopment = '') => {
    if (value) return value;
    if (!production) return fallbackInDevelopment;
    problems.push(`${name} is required in production`);
    return '';
  };

  const signingKeys = parseSigningKeys(env.SIGNING_KEYS, problems);
  if (production) {
    if (signingKeys.length === 0) problems.push('SIGNING_KEYS is required in production (npm run keygen)');
    if (signingKeys.some((key) => String((key as { kid?: string }).kid ?? '').startsWith(DEVELOPMENT_KID_PREFIX))) {
      problems.push('SIGNING_KEYS holds a development key; make production keys with npm run keygen');
    }
  }

  const allowedOrigins = new Set<string>();
  for (const entry of (env.ALLOWED_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const origin = normalizeOrigin(entry);
    if (origin) allowedOrigins.add(origin);
    else problems.push(`ALLOWED_ORIGINS has ${JSON.stringify(entry)}, which is not an origin like https://shop.example`);
  }
  if (production && allowedOrigins.size === 0) problems.push('ALLOWED_ORIGINS is required in production');

  const allowedAges = (env.ALLOWED_AGES ?? '14,19').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (allowedAges.some((age) => !Number.isInteger(age) || age < 1 || age > 150)) {
    problems.push('ALLOWED_AGES must be comma-separated whole numbers of years');
  }

  const issuer = env.ISSUER ? normalizeUrl(env.ISSUER) : undefined;
  if (env.ISSUER && !issuer) problems.push('ISSUER must be an http(s) URL');
  if (production && issuer && !issuer.startsWith('https:')) problems.push('ISSUER must be https in production');
  if (production && !issuer) problems.push('ISSUER is required in production');

  const settings: Settings = {
    environment,
    sandbox,
    iamport: {
      base: trimSlash(env.IAMPORT_API_BASE || (sandbox ? SANDBOX_IAMPORT_BASE : 'https://api.iamport.kr')),
      key: required('IAMPORT_API_KEY', env.IAMPORT_API_KEY, 'sandbox_api_key'),
      secret: required('IAMPORT_API_SECRET', env.IAMPORT_API_SECRET, 'sandbox_api_secret'),
    },
    portone: {
      base: trimSlash(env.PORTONE_API_BASE || (sandbox ? SANDBOX_PORTONE_BASE : 'https://api.portone.io')),
      secret: env.PORTONE_API_SECRET || (production ? '' : 'sandbox_portone_secret'),
    },
    signingKeys,
    subjectSecret: required('SUBJECT_SECRET', env.SUBJECT_SECRET, 'development-subject-secret'),
    challengeSecret: required('CHALLENGE_SECRET', env.CHALLENGE_SECRET, 'development-challenge-secret'),
    allowedOrigins,
    issuer,
    allowedAges,
    tokenTtlSeconds: integer('TOKEN_TTL_SECONDS', 600, 30, 86_400),
    maxCertAgeSeconds: integer('MAX_CERT_AGE_SECONDS', 600, 30, MAX_CERT_AGE_LIMIT_SECONDS),
    challengeTtlSeconds: integer('CHALLENGE_TTL_SECONDS', 600, 30, 86_400),
    upstreamTimeoutMs: integer('UPSTREAM_TIMEOUT_MS', 5000, 100, 60_000),
    purgeAfterAttest: parseBoolean('PURGE_AFTER_ATTEST', env.PURGE_AFTER_ATTEST, false, problems),
  };
  if (production && [settings.iamport.base, settings.portone.base].some((base) => !base.startsWith('https:'))) {
    problems.push('IAMPORT_API_BASE and PORTONE_API_BASE must be https in production (the API secrets travel to them)');
  }
  // Anyone can make a sandbox person verify, so a sandbox must never sign with a key that
  // real backends trust: with the sandbox on, every key must be a development key.
  if (sandbox && signingKeys.some((key) => !String((key as { kid?: string }).kid ?? '').startsWith(DEVELOPMENT_KID_PREFIX))) {
    problems.push('SANDBOX is on, so SIGNING_KEYS may hold only development keys (kid starting "dev-")');
  }
  if (production && (settings.subjectSecret.length < 32 || settings.challengeSecret.length < 32)) {
    problems.push('SUBJECT_SECRET and CHALLENGE_SECRET must be at least 32 characters in production');
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return settings;
}

function parseBoolean(name: string, raw: string | undefined, fallback: boolean, problems: string[]): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  problems.push(`${name} must be true or false`);
  return fallback;
}

function parseSigningKeys(raw: string | undefined, problems: string[]): JsonWebKey[] {
  if (!raw) return [];
  let keys: unknown;
  try {
    keys = JSON.parse(raw);
  } catch {
    problems.push('SIGNING_KEYS is not JSON');
    return [];
  }
  if (!Array.isArray(keys)) keys = [keys];
  const valid = (keys as unknown[]).filter(
    (key): key is JsonWebKey =>
      typeof key === 'object' && key !== null &&
      (key as JsonWebKey).kty === 'EC' && (key as JsonWebKey).crv === 'P-256' &&
      typeof (key as JsonWebKey).d === 'string' && typeof (key as { kid?: unknown }).kid === 'string',
  );
  if (valid.length !== (keys as unknown[]).length) {
    problems.push('SIGNING_KEYS must be a JSON array of private P-256 JWKs, each with a kid');
  }
  return valid;
}

/** `https://Shop.Example:443/` → `https://shop.example`; undefined when not an http(s) origin. */
export function normalizeOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

function normalizeUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    return trimSlash(url.href);
  } catch {
    return undefined;
  }
}

function trimSlash(value: string): string {
  return value.replace(/\/+$/, '');
}
