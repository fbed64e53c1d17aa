/**
 * The allow-list: the endpoints a site's page calls answer CORS for allowed origins only,
 * and refuse any other Origin (or none) with `origin_not_allowed`.
 */
import type { MiddlewareHandler } from 'hono';
import { VerifyError } from '../errors.ts';
import type { AppEnv } from '../app.ts';

const PREFLIGHT_MAX_AGE_SECONDS = 86_400;

export function allowedOriginsOnly(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = c.req.header('origin');
    const allowed = origin !== undefined && c.get('settings').allowedOrigins.has(origin);
    if (!allowed) {
      throw new VerifyError('origin_not_allowed', 'This site is not on the verifier\'s allow-list.');
    }
    c.set('origin', origin);
    if (c.req.method === 'OPTIONS') {
      return c.body(null, 204, {
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
        vary: 'Origin',
      });
    }
    await next();
    c.header('access-control-allow-origin', origin);
    c.header('vary', 'Origin');
  };
}

/** Public, cacheable GET endpoints (keys, discovery) may be read from any page. */
export function anyOrigin(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    c.header('access-control-allow-origin', '*');
  };
}
