/**
 * A per-client rate limit, through Workers' rate limiting bindings (configured in
 * wrangler.toml: `limit` requests per `period` seconds per client): RATE_LIMITER for the
 * endpoints pages call, INTROSPECT_RATE_LIMITER (higher) for backends' introspection.
 */
import type { MiddlewareHandler } from 'hono';
import { VerifyError } from '../errors.ts';
import type { AppEnv } from '../env.ts';

/** The binding's period in wrangler.toml; a client over the limit waits at most this long. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

export function rateLimit(binding: 'RATE_LIMITER' | 'INTROSPECT_RATE_LIMITER' = 'RATE_LIMITER'): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const limiter = c.env[binding];
    if (limiter) {
      // On Cloudflare, CF-Connecting-IP is set by the edge and cannot be forged by the client.
      const client = c.req.header('cf-connecting-ip') ?? 'unknown';
      const { success } = await limiter.limit({ key: client });
      if (!success) {
        throw new VerifyError('rate_limited', `Too many requests; try again in ${RATE_LIMIT_PERIOD_SECONDS} seconds.`, {
          'retry-after': String(RATE_LIMIT_PERIOD_SECONDS),
        });
      }
    }
    await next();
  };
}
