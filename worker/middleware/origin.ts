/**
 * The allow-list: the endpoints a site's page calls answer CORS for allowed origins only
 * (design: "CORS is answered for those origins only"), and refuse any other Origin, or
 * none, with `origin_not_allowed`. A page on another origin cannot read that refusal, so its
 * tag reports `network_error`; the verifier's log line names the refused origin's route.
 */
import type { MiddlewareHandler } from 'hono';
import { VerifyError } from '../errors.ts';
import type { AppEnv } from '../env.ts';

const PREFLIGHT_MAX_AGE_SECONDS = 86_400;
/** What the tag may read besides the body: when to retry, and the id an operator greps for. */
const EXPOSED_HEADERS = 'retry-after, x-request-id';

export function allowedOriginsOnly(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin === undefined || !c.get('settings').allowedOrigins.has(origin)) {
      throw new VerifyError('origin_not_allowed', 'This site is not on the verifier\'s allow-list (ALLOWED_ORIGINS).');
    }
    c.set('origin', origin);
    const cors = { 'access-control-allow-origin': origin, 'access-control-expose-headers': EXPOSED_HEADERS, vary: 'Origin' };
    if (c.req.method === 'OPTIONS') {
      return c.body(null, 204, {
        ...cors,
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
      });
    }
    await next();
    for (const [name, value] of Object.entries(cors)) c.header(name, value);
  };
}

/** Public, cacheable GET endpoints (keys, discovery) may be read from any page. */
export function anyOrigin(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    c.header('access-control-allow-origin', '*');
  };
}
