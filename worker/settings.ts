/**
 * The verifier's settings: one spec per setting below (its default, how it is parsed and
 * checked, whether it is secret, what it does). Everything else comes from the spec: the
 * parsing here, the README's settings table (scripts/docs.mjs), the development `.dev.vars`
 * (scripts/lib/dev-settings.mjs) and the test configs' bindings. wrangler.toml sets none.
 * Settings are parsed and checked once per isolate, then passed around typed.
 *
 * No runtime imports: Node scripts and the test configs load this file as it is.
 */

/** A value that is not what its setting takes; `problem` completes "NAME …". */
class Invalid extends Error {
  constructor(readonly problem: string) {
    super(problem);
  }
}

interface SettingSpec<T> {
  /** The value when unset, as text; none when absent. */
  default?: string;
  /** The default as the README states it, when the text alone would mislead. */
  defaultDoc?: string;
  /** Development only: the value when unset (the sandbox's credentials, built-in secrets). */
  developmentFallback?: string;
  requiredInProduction?: true;
  /** What `npm run dev` writes to `.dev.vars`: a value, or one made fresh for each checkout. */
  development?: { value: string } | { make: 'secret' | 'signing-key' | 'local-origins' };
  parse: (text: string) => T;
  secret: boolean;
  what: string;
}

const setting = <T>(spec: SettingSpec<T>) => spec;

const text = (value: string) => value;

const oneOf = <V extends string>(...values: V[]) => (value: string): V => {
  if ((values as string[]).includes(value)) return value as V;
  throw new Invalid(`must be ${values.map((v) => `"${v}"`).join(' or ')}, not ${JSON.stringify(value)}`);
};

const boolean = (value: string): boolean => {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new Invalid('must be true or false');
};

const integer = (min: number, max: number) => (value: string): number => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) throw new Invalid(`must be an integer from ${min} to ${max}`);
  return number;
};

const httpUrl = (value: string): string => {
  const url = normalizeUrl(value);
  if (!url) throw new Invalid('must be an http(s) URL');
  return url;
};

const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);

const origins = (value: string): ReadonlySet<string> => {
  const parsed = new Set<string>();
  for (const entry of list(value)) {
    const origin = normalizeOrigin(entry);
    if (!origin) throw new Invalid(`has ${JSON.stringify(entry)}, which is not an origin like https://shop.example`);
    parsed.add(origin);
  }
  return parsed;
};

const ages = (value: string): readonly number[] => {
  const parsed = list(value).map(Number);
  if (parsed.some((age) => !Number.isInteger(age) || age < 1 || age > 150)) {
    throw new Invalid('must be comma-separated whole numbers of years');
  }
  return parsed;
};

/**
 * A kid backends can match a token's header against and an operator can read in a log: not
 * empty (a kid-less JWKS lookup matches any key), printable ASCII without spaces, and short.
 */
const KID_PATTERN = /^[\x21-\x7e]{1,64}$/;
const isKid = (kid: unknown) => typeof kid === 'string' && KID_PATTERN.test(kid);

/** Their shape only; signing/keys.ts imports them and proves each signs (`provenKeyRing`). */
const signingKeys = (value: string): JsonWebKey[] => {
  let keys: unknown;
  try {
    keys = JSON.parse(value);
  } catch {
    throw new Invalid('is not JSON');
  }
  if (!Array.isArray(keys)) keys = [keys];
  const shaped = (keys as unknown[]).every(
    (key) =>
      typeof key === 'object' && key !== null &&
      (key as JsonWebKey).kty === 'EC' && (key as JsonWebKey).crv === 'P-256' &&
      typeof (key as JsonWebKey).d === 'string' && isKid((key as { kid?: unknown }).kid),
  );
  if (!shaped) throw new Invalid('must be a JSON array of private P-256 JWKs, each with a kid of 1 to 64 printable characters');
  const kids = (keys as { kid: string }[]).map((key) => key.kid);
  // Tokens name their key by kid: two keys with one kid would make some tokens unverifiable.
  if (new Set(kids).size !== kids.length) throw new Invalid('has two keys with the same kid');
  return keys as JsonWebKey[];
};

/** The development values of the secrets, used when they are unset; never with a real key. */
const BUILT_IN_SUBJECT_SECRET = 'development-subject-secret';
const BUILT_IN_CHALLENGE_SECRET = 'development-challenge-secret';

/** Each setting, in the order the README lists them. */
export const SETTINGS = {
  ENVIRONMENT: setting({
    default: 'production', development: { value: 'development' }, parse: oneOf('development', 'production'), secret: false,
    what: '`development` or `production`. Production refuses the sandbox, development keys, `http://` origins, missing secrets and missing bindings, and signs no PortOne test channel. A signing key whose kid does not start with `dev-` means production\'s rules whatever this says.',
  }),
  SANDBOX: setting({
    default: 'false', development: { value: 'true' }, parse: boolean, secret: false,
    what: 'Serve the stand-in upstream APIs, test persons and SDKs under `/sandbox/`, and use them as the upstream unless a base URL is set. Only the sandbox\'s Worker (`wrangler.sandbox.toml`, `npm start`) has them.',
  }),
  IAMPORT_API_BASE: setting({
    defaultDoc: '`https://api.iamport.kr` (sandbox: the built-in stand-in)', parse: httpUrl, secret: false,
    what: 'Base URL of the Iamport (PortOne V1) REST API.',
  }),
  IAMPORT_API_KEY: setting({
    requiredInProduction: true, developmentFallback: 'sandbox_api_key', parse: text, secret: true,
    what: 'Iamport REST API key (`imp_key`).',
  }),
  IAMPORT_API_SECRET: setting({
    requiredInProduction: true, developmentFallback: 'sandbox_api_secret', parse: text, secret: true,
    what: 'Iamport REST API secret (`imp_secret`).',
  }),
  PORTONE_API_BASE: setting({
    defaultDoc: '`https://api.portone.io` (sandbox: the built-in stand-in)', parse: httpUrl, secret: false,
    what: 'Base URL of the PortOne V2 REST API.',
  }),
  PORTONE_API_SECRET: setting({
    developmentFallback: 'sandbox_portone_secret', parse: text, secret: true,
    what: 'PortOne V2 API secret. Without it, production offers Iamport (V1) only.',
  }),
  SIGNING_KEYS: setting({
    defaultDoc: 'none (development: made by `npm run dev`)', requiredInProduction: true, development: { make: 'signing-key' },
    parse: signingKeys, secret: true,
    what: 'JSON array of private ES256 JWKs with unique kids (1 to 64 printable characters, no spaces). The first signs; all are published in the JWKS (rotation). Each is proven (a probe signed and verified) before anything is served. `npm run keygen` prints one.',
  }),
  SUBJECT_SECRET: setting({
    requiredInProduction: true, developmentFallback: BUILT_IN_SUBJECT_SECRET, development: { make: 'secret' }, parse: text, secret: true,
    what: 'Secret the pairwise `sub` is derived from, at least 32 characters in production. Changing it changes every `sub`.',
  }),
  CHALLENGE_SECRET: setting({
    requiredInProduction: true, developmentFallback: BUILT_IN_CHALLENGE_SECRET, development: { make: 'secret' }, parse: text, secret: true,
    what: 'Secret that authenticates challenges, at least 32 characters in production. Changing it invalidates open challenges only.',
  }),
  ALLOWED_ORIGINS: setting({
    requiredInProduction: true, development: { make: 'local-origins' }, parse: origins, secret: false,
    what: 'Comma-separated origins of the sites that may ask for attestations (exact match, e.g. `https://shop.example`; `https://` only in production).',
  }),
  ISSUER: setting({
    defaultDoc: 'the verifier\'s own origin (development only)', requiredInProduction: true, parse: httpUrl, secret: false,
    what: 'The `iss` of every attestation: the verifier\'s public URL.',
  }),
  ALLOWED_AGES: setting({
    default: '14,19', parse: ages, secret: false,
    what: 'Comma-separated `min_age` values a site may ask for.',
  }),
  TOKEN_TTL_SECONDS: setting({
    default: '600', parse: integer(30, 86_400), secret: false,
    what: 'Lifetime of an attestation (`exp - iat`).',
  }),
  MAX_CERT_AGE_SECONDS: setting({
    default: '600', parse: integer(30, 86_400), secret: false,
    what: 'How old a certification may be when exchanged.',
  }),
  CHALLENGE_TTL_SECONDS: setting({
    default: '600', parse: integer(30, 86_400), secret: false,
    what: 'How long a challenge stays valid.',
  }),
  UPSTREAM_TIMEOUT_MS: setting({
    default: '5000', parse: integer(100, 60_000), secret: false,
    what: 'Timeout of each upstream call.',
  }),
  OTP_BUDGET_PER_HOUR: setting({
    default: '300', parse: integer(1, 1_000_000), secret: false,
    what: 'Form mode: codes PortOne may be asked to send (sends and resends, carrier refusals included) for each allowed origin per clock hour; past it `429 otp_budget_exhausted` and one `otp_budget_exhausted` log line. Each code is billed: raise it for a site whose peak needs more.',
  }),
  OTP_BUDGET_PER_DAY: setting({
    default: '3000', parse: integer(1, 10_000_000), secret: false,
    what: 'Form mode: the same budget per day (midnight to midnight in Korea).',
  }),
  TURNSTILE_SECRET: setting({
    parse: text, secret: true,
    what: 'Form mode: the secret key of a Cloudflare Turnstile widget. When set, every `POST /v1/otp/send` needs a `turnstile_token` that Turnstile\'s `siteverify` accepts for the requesting site (the tag\'s `turnstile-sitekey`) before PortOne is asked. Cloudflare\'s test secrets (`1x0000…AA` and the like) only outside production.',
  }),
  PURGE_AFTER_ATTEST: setting({
    default: 'false', parse: boolean, secret: false,
    what: 'After signing, delete the certification at the upstream (`DELETE /certifications/{imp_uid}`), so no personal data stays there.',
  }),
};

export type SettingName = keyof typeof SETTINGS;

/** The settings as the Worker's bindings give them: text, each optional. */
export type EnvVars = { [K in SettingName]?: string };

/** The bindings production cannot run without (a missing rate limiter would mean no limit). */
export const REQUIRED_BINDINGS = ['LEDGER', 'OTP_GUARD', 'CHALLENGE_RATE_LIMITER', 'EXCHANGE_RATE_LIMITER', 'INTROSPECT_RATE_LIMITER', 'OTP_RATE_LIMITER'] as const;

/** What the settings are checked against: the settings, and whether each required binding is there. */
export type SettingsInput = EnvVars & { [K in (typeof REQUIRED_BINDINGS)[number]]?: unknown };

/** The README's settings table. */
export function settingsTable(): { name: SettingName; default: string; secret: boolean; what: string }[] {
  return (Object.entries(SETTINGS) as [SettingName, SettingSpec<unknown>][]).map(([name, spec]) => ({
    name,
    default: spec.defaultDoc ?? (spec.default === undefined ? 'none' : `\`${spec.default}\``),
    secret: spec.secret,
    what: spec.what,
  }));
}

/** Every setting at its default (unset: empty), e.g. for tests that must not see a developer's `.dev.vars`. */
export function defaultBindings(): Required<EnvVars> {
  return Object.fromEntries(Object.entries(SETTINGS).map(([name, spec]) => [name, spec.default ?? ''])) as Required<EnvVars>;
}

/** Where the built-in stand-in upstream answers; calls to it never leave the Worker. */
export const SANDBOX_IAMPORT_BASE = 'https://sandbox.iamport-verify.internal/iamport';
export const SANDBOX_PORTONE_BASE = 'https://sandbox.iamport-verify.internal/portone';
export const SANDBOX_TURNSTILE_SITEVERIFY_URL = 'https://sandbox.iamport-verify.internal/turnstile/siteverify';
const IAMPORT_BASE = 'https://api.iamport.kr';
const PORTONE_BASE = 'https://api.portone.io';

/**
 * Cloudflare's documented Turnstile test secrets (developers.cloudflare.com/turnstile/troubleshooting/testing):
 * always passes, always fails, and "token already spent". They answer for `example.com`.
 */
export const TURNSTILE_TEST_SECRETS: ReadonlySet<string> = new Set([
  '1x0000000000000000000000000000000AA', '2x0000000000000000000000000000000AA', '3x0000000000000000000000000000000AA',
]);

/** The largest MAX_CERT_AGE_SECONDS allowed: the ledger keeps ids this long, whatever the setting. */
export const MAX_CERT_AGE_LIMIT_SECONDS = 86_400;

/** kid prefix of the keys `npm run dev` makes; production refuses them. */
export const DEVELOPMENT_KID_PREFIX = 'dev-';

/** Whether `npm run dev` made this key: no real backend trusts it. */
const isDevelopmentKey = (key: JsonWebKey) => String((key as { kid?: string }).kid ?? '').startsWith(DEVELOPMENT_KID_PREFIX);

/** The shortest SUBJECT_SECRET and CHALLENGE_SECRET a key that is not a development key signs with. */
const MIN_SECRET_LENGTH = 32;

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
  /** Form mode: codes per allowed origin per hour and per day. */
  otpBudget: { perHour: number; perDay: number };
  /** Form mode: Turnstile's secret key; undefined: no Turnstile check. */
  turnstileSecret: string | undefined;
}

/** Why the settings cannot be used; shown in the log, never in a response. */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`iamport-verify is misconfigured: ${problems.join('; ')}`);
    this.name = 'ConfigurationError';
  }
}

const parsedByEnv = new WeakMap<SettingsInput, Settings | ConfigurationError>();

/** Parse and check the settings once per `env` object (once per isolate in practice). */
export function settingsFrom(env: SettingsInput): Settings {
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

type ValueOf<K extends SettingName> = ReturnType<(typeof SETTINGS)[K]['parse']>;

export function parseSettings(env: SettingsInput): Settings {
  const problems: string[] = [];
  // Production is decided first: what the others fall back to depends on it. ENVIRONMENT says
  // it, and so does the key: a key that real backends trust must never sign under development's
  // rules (test channels, no rate limits, an issuer taken from the request), whatever ENVIRONMENT says.
  const declaredProduction = read('ENVIRONMENT', false) !== 'development';
  const signingKeys = read('SIGNING_KEYS', declaredProduction) ?? [];
  const trustedKeys = signingKeys.some((key) => !isDevelopmentKey(key));
  const production = declaredProduction || trustedKeys;

  /** The setting's value: its text, else (development) its fallback, else its default. */
  function read<K extends SettingName>(name: K, inProduction: boolean = production): ValueOf<K> | undefined {
    const spec: SettingSpec<unknown> = SETTINGS[name];
    const raw = env[name] || (inProduction ? undefined : spec.developmentFallback) || spec.default;
    if (raw === undefined) {
      if (inProduction && spec.requiredInProduction) problems.push(`${name} is required in production`);
      return undefined;
    }
    try {
      return spec.parse(raw) as ValueOf<K>;
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      problems.push(`${name} ${error.problem}`);
      return spec.default === undefined ? undefined : (spec.parse(spec.default) as ValueOf<K>);
    }
  }
  const required = (name: SettingName) => (read(name) as string | undefined) ?? '';

  const sandbox = read('SANDBOX')!;
  const settings: Settings = {
    environment: production ? 'production' : 'development',
    sandbox,
    iamport: {
      base: read('IAMPORT_API_BASE') ?? (sandbox ? SANDBOX_IAMPORT_BASE : IAMPORT_BASE),
      key: required('IAMPORT_API_KEY'),
      secret: required('IAMPORT_API_SECRET'),
    },
    portone: {
      base: read('PORTONE_API_BASE') ?? (sandbox ? SANDBOX_PORTONE_BASE : PORTONE_BASE),
      secret: read('PORTONE_API_SECRET') ?? '',
    },
    signingKeys,
    subjectSecret: required('SUBJECT_SECRET'),
    challengeSecret: required('CHALLENGE_SECRET'),
    allowedOrigins: read('ALLOWED_ORIGINS') ?? new Set(),
    issuer: read('ISSUER'),
    allowedAges: read('ALLOWED_AGES')!,
    tokenTtlSeconds: read('TOKEN_TTL_SECONDS')!,
    maxCertAgeSeconds: read('MAX_CERT_AGE_SECONDS')!,
    challengeTtlSeconds: read('CHALLENGE_TTL_SECONDS')!,
    upstreamTimeoutMs: read('UPSTREAM_TIMEOUT_MS')!,
    purgeAfterAttest: read('PURGE_AFTER_ATTEST')!,
    otpBudget: { perHour: read('OTP_BUDGET_PER_HOUR')!, perDay: read('OTP_BUDGET_PER_DAY')! },
    turnstileSecret: read('TURNSTILE_SECRET') || undefined,
  };

  if (production) {
    if (sandbox) problems.push('SANDBOX must be false in production');
    if (settings.signingKeys.some(isDevelopmentKey)) {
      problems.push('SIGNING_KEYS holds a development key; make production keys with npm run keygen');
    }
    if ([...settings.allowedOrigins].some((origin) => origin.startsWith('http:'))) {
      problems.push('ALLOWED_ORIGINS must be https origins in production (a page served over http can be changed on the way)');
    }
    if (settings.issuer && !settings.issuer.startsWith('https:')) problems.push('ISSUER must be https in production');
    if ([settings.iamport.base, settings.portone.base].some((base) => !base.startsWith('https:'))) {
      problems.push('IAMPORT_API_BASE and PORTONE_API_BASE must be https in production (the API secrets travel to them)');
    }
    // A test secret passes (or fails) every token: no bot check at all.
    if (settings.turnstileSecret && TURNSTILE_TEST_SECRETS.has(settings.turnstileSecret)) {
      problems.push('TURNSTILE_SECRET is one of Cloudflare\'s test secrets, which decide without checking anything; use the widget\'s own secret in production');
    }
    for (const binding of REQUIRED_BINDINGS) {
      if (!env[binding]) problems.push(`the ${binding} binding is required in production (wrangler.toml)`);
    }
    // Challenges anyone could forge must not be signed for with a key that backends trust.
    const weak = ([['SUBJECT_SECRET', settings.subjectSecret, BUILT_IN_SUBJECT_SECRET], ['CHALLENGE_SECRET', settings.challengeSecret, BUILT_IN_CHALLENGE_SECRET]] as const)
      .filter(([, value, builtIn]) => value !== '' && (value === builtIn || value.length < MIN_SECRET_LENGTH));
    if (weak.length > 0) {
      problems.push(`${weak.map(([name]) => name).join(' and ')} must be at least ${MIN_SECRET_LENGTH} characters and not the built-in development value in production`);
    }
  }
  if (problems.length > 0) {
    // Say why production's rules apply when ENVIRONMENT says otherwise, before what they found.
    if (production && !declaredProduction) problems.unshift(`ENVIRONMENT is development, but SIGNING_KEYS holds a key whose kid does not start with ${DEVELOPMENT_KID_PREFIX}, so production's rules apply`);
    throw new ConfigurationError(problems);
  }
  return settings;
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
    return url.href.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}
