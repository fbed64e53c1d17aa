/**
 * One structured line per request: what an operator greps in `wrangler tail`.
 * It holds ids, the route, the outcome code and the duration, never a body.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';

const RAY_ID = /^[0-9a-f]{16}(-[A-Z]{3})?$/;

export function requestLog(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = Date.now();
    // Cloudflare's ray id ties our line to its logs; anything else a client sent is not trusted.
    const ray = c.req.header('cf-ray');
    const requestId = ray && RAY_ID.test(ray) ? ray : crypto.randomUUID();
    c.set('requestId', requestId);
    await next();
    c.header('x-request-id', requestId);
    const code = c.get('outcome') ?? (c.res.status < 400 ? 'ok' : 'error');
    log({ event: 'request', request_id: requestId, method: c.req.method, route: c.req.routePath, status: c.res.status, code, duration_ms: Date.now() - started });
  };
}

/** Every line the verifier writes goes through here: JSON, one line, no personal data by construction. */
export function log(fields: Record<string, string | number | boolean | undefined>): void {
  console.log(JSON.stringify(fields));
}
