/**
 * The allow-list: only sites on ALLOWED_ORIGINS get challenges and attestations. Other
 * origins get `origin_not_allowed`, readable by their page (the preflight is answered and the
 * refusal carries CORS headers), so a site owner who forgot to add their origin sees why
 * in the tag and the console, not a bare network error. A refusal holds nothing but its
 * reason, so letting any page read it gives nothing away.
 */
import type { MiddlewareHandler } from 'hono';
import { VerifyError } from '../errors.ts';
import type { AppEnv } from '../app.ts';

const PREFLIGHT_MAX_AGE_SECONDS = 86_400;

export function allowedOriginsOnly(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = c.req.header('origin');
    const cors: Record<string, string> = origin ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
    if (c.req.method === 'OPTIONS') {
      return c.body(null, 204, {
        ...cors,
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
      });
    }
    if (origin === undefined || !c.get('settings').allowedOrigins.has(origin)) {
      throw new VerifyError('origin_not_allowed', 'This site is not on the verifier\'s allow-list (ALLOWED_ORIGINS).', cors);
    }
    c.set('origin', origin);
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
