/**
 * The verifier's HTTP face: routes only. Each route wires a request to the decisions in
 * checks/ through exchange.ts; every failure is a `VerifyError`, turned into a problem in
 * `answerError`, the one place errors meet HTTP. The production Worker is this app
 * (index.ts); the sandbox's Worker wraps it (sandbox/entry.ts).
 */
import { Hono, type Context, type ErrorHandler, type MiddlewareHandler } from 'hono';
import { issueChallenge } from './checks/challenge.ts';
import type { AppEnv } from './env.ts';
import { PROBLEMS, VerifyError, problemResponse } from './errors.ts';
import type { Provider } from './checks/verification.ts';
import { exchange, type ExchangeContext } from './exchange.ts';
import { parseExchangeRequest, parseProvider } from './request/exchange-request.ts';
import { favicon, FAVICON_PATH } from './favicon.ts';
import { introspect, parseIntrospectionRequest } from './introspection.ts';
import { allowedOriginsOnly, anyOrigin } from './middleware/origin.ts';
import { confirmCode, parseConfirmRequest, parseResendRequest, parseSendRequest, resendCode, sendCode, type OtpContext } from './otp/flow.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { log, requestLog } from './middleware/request-log.ts';
import { field, MERCHANT_UID_PATTERN } from './request/fields.ts';
import { readJsonBody } from './request/json-body.ts';
import { ConfigurationError, settingsFrom, type Settings } from './settings.ts';
import { keyRing } from './signing/keys.ts';

const JWKS_MAX_AGE_SECONDS = 300;
/** The form mode (otp/flow.ts): PortOne V2's API flow, no window. */
const OTP_PATHS = ['/v1/otp/send', '/v1/otp/resend', '/v1/otp/confirm'] as const;

export const app = new Hono<AppEnv>();

// Settings are parsed and checked, and the signing keys imported and proven, once per
// isolate; an unsafe deployment, or one whose keys cannot sign, serves nothing. The sandbox's
// own routes (sandbox/entry.ts) go through this too.
export const withSettings: MiddlewareHandler<AppEnv> = async (c, next) => {
  const settings = settingsFrom(c.env);
  await keyRing(settings);
  c.set('settings', settings);
  await next();
};

app.use('*', requestLog());
app.use('*', withSettings);

app.get('/healthz', (c) => c.json({ ok: true }));

app.get('/.well-known/jwks.json', anyOrigin(), async (c) => {
  const { jwks } = await keyRing(c.get('settings'));
  return c.json(jwks, 200, { 'cache-control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` });
});

app.get('/.well-known/iamport-verify', anyOrigin(), (c) => {
  const settings = c.get('settings');
  const issuer = issuerOf(c.req.url, settings);
  // PortOne V2 only where it can be asked: with its API secret, or on the sandbox.
  const portone = settings.sandbox || !!c.env.PORTONE_API_SECRET;
  return c.json({
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    challenge_endpoint: `${issuer}/v1/challenges`,
    attestation_endpoint: `${issuer}/v1/attestations`,
    introspection_endpoint: `${issuer}/v1/introspect`,
    // The form mode (PortOne V2's API flow): it also needs the channel's API-flow contract with PortOne.
    ...(portone ? { otp_endpoints: { send: `${issuer}/v1/otp/send`, resend: `${issuer}/v1/otp/resend`, confirm: `${issuer}/v1/otp/confirm` } } : {}),
    token_type: 'iamport-verify+jwt',
    signing_alg_values_supported: ['ES256'],
    providers_supported: portone ? ['iamport', 'portone'] : ['iamport'],
    token_ttl_seconds: settings.tokenTtlSeconds,
    challenge_ttl_seconds: settings.challengeTtlSeconds,
    max_certification_age_seconds: settings.maxCertAgeSeconds,
    allowed_ages: settings.allowedAges,
    sandbox: settings.sandbox,
  }, 200, { 'cache-control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` });
});

// The endpoints a site's page calls: allowed origins only, each rate limited per client (middleware/rate-limit.ts).
for (const path of ['/v1/challenges', '/v1/attestations', ...OTP_PATHS] as const) {
  app.on(['POST', 'OPTIONS'], path, allowedOriginsOnly());
}
app.post('/v1/challenges', rateLimit('CHALLENGE_RATE_LIMITER'));
app.post('/v1/attestations', rateLimit('EXCHANGE_RATE_LIMITER'));
for (const path of OTP_PATHS) app.post(path, rateLimit('OTP_RATE_LIMITER'));

app.post('/v1/challenges', async (c) => {
  const settings = c.get('settings');
  const body = await readJsonBody(c.req.raw, { allowEmpty: true });
  // Absent: the verifier mints one, bound to this challenge alone.
  const merchantUid = field.optionalString(body, 'merchant_uid', MERCHANT_UID_PATTERN);
  const subject = { provider: parseProvider(body), merchantUid, origin: c.get('origin') };
  const issued = await issueChallenge(settings.challengeSecret, subject, Math.floor(Date.now() / 1000), settings.challengeTtlSeconds);
  return c.json(issued, 201, { 'cache-control': 'no-store' });
});

app.post('/v1/attestations', async (c) => {
  const settings = c.get('settings');
  const request = parseExchangeRequest(await readJsonBody(c.req.raw), settings);
  const attestation = await exchange(request, exchangeContext(c, request.provider));
  return c.json(attestation, 201, { 'cache-control': 'no-store' });
});

app.post('/v1/otp/send', async (c) => {
  const request = parseSendRequest(await readJsonBody(c.req.raw));
  return c.json(await sendCode(request, otpContext(c)), 200, { 'cache-control': 'no-store' });
});

app.post('/v1/otp/resend', async (c) => {
  const request = parseResendRequest(await readJsonBody(c.req.raw));
  return c.json(await resendCode(request, otpContext(c)), 200, { 'cache-control': 'no-store' });
});

app.post('/v1/otp/confirm', async (c) => {
  const request = parseConfirmRequest(await readJsonBody(c.req.raw), c.get('settings'));
  return c.json(await confirmCode(request, otpContext(c)), 201, { 'cache-control': 'no-store' });
});

// For backends with no JOSE library (RFC 7662 shape). Called server to server: no CORS.
app.post('/v1/introspect', rateLimit('INTROSPECT_RATE_LIMITER'), async (c) => {
  const settings = c.get('settings');
  const request = parseIntrospectionRequest(await readJsonBody(c.req.raw, { allowForm: true }));
  const claims = await introspect(request, settings, issuerOf(c.req.url, settings));
  return c.json(claims ? { active: true, ...claims } : { active: false }, 200, { 'cache-control': 'no-store' });
});

app.get(FAVICON_PATH, favicon);

// Known paths with another method: 405, so a client sees its mistake.
for (const path of ['/v1/challenges', '/v1/attestations', ...OTP_PATHS, '/v1/introspect', '/healthz', '/.well-known/jwks.json', '/.well-known/iamport-verify']) {
  app.all(path, () => {
    throw new VerifyError('method_not_allowed', 'This endpoint does not take that method.');
  });
}

app.notFound((c) => {
  // Static assets (the tag's bundle) are answered before the Worker; what reaches here is unknown
  // (in production also the demo's files and the sandbox's paths, which wrangler.toml sends here).
  c.set('outcome', 'not_found');
  return problemResponse(new VerifyError('not_found', 'There is no such endpoint.'));
});

/** Every failure, the verifier's and the sandbox's, meets HTTP here. */
export const answerError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof VerifyError) {
    c.set('outcome', error.code);
    return problemResponse(error);
  }
  if (error instanceof ConfigurationError) {
    c.set('outcome', 'configuration_error');
    log({ event: 'configuration_error', request_id: c.get('requestId'), problems: error.problems.join('; ') });
    return problemResponse(new VerifyError('configuration_error', PROBLEMS.configuration_error.when));
  }
  c.set('outcome', 'internal_error');
  // The message of an unexpected error could hold anything: log its name only.
  log({ event: 'internal_error', request_id: c.get('requestId'), error: error instanceof Error ? error.name : typeof error });
  return problemResponse(new VerifyError('internal_error', 'Something went wrong; nothing was signed.'));
};
app.onError(answerError);

/** What an exchange needs from the request it serves. */
function exchangeContext(c: Context<AppEnv>, provider: Provider): ExchangeContext {
  const settings = c.get('settings');
  return {
    env: c.env,
    settings,
    origin: c.get('origin'),
    issuer: issuerOf(c.req.url, settings),
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
    onPurgeResult: (ok, code) =>
      log({ event: 'purge', request_id: c.get('requestId'), provider, outcome: ok ? 'ok' : 'purge_failed', code }),
  };
}

function otpContext(c: Context<AppEnv>): OtpContext {
  return { ...exchangeContext(c, 'portone'), clientIp: c.req.header('cf-connecting-ip'), requestId: c.get('requestId') };
}

/** The `iss` of our tokens: the configured issuer, or in development our own origin. */
function issuerOf(requestUrl: string, settings: Settings): string {
  return settings.issuer ?? new URL(requestUrl).origin;
}
