/**
 * Rate limits, through Workers' rate limiting bindings. Each protects something that costs,
 * and is counted per client address. The numbers (`limit` requests per `period` seconds) live
 * in wrangler.toml's [[ratelimits]], where a deployment changes them; the README's table is
 * generated from both.
 *
 * Challenges are not limited: one is an HMAC with no I/O, cheaper than the limiter's own
 * check. Korean carriers put very many people behind few public addresses, so a limit on
 * what every page view asks for would turn real people away on a busy day.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { VerifyError } from '../errors.ts';

/** The longest period a binding may have (10 or 60 s): Retry-After never understates the wait. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

/** What each limit protects and on what it counts (the README's table). */
export const RATE_LIMITS = {
  EXCHANGE_RATE_LIMITER: {
    endpoint: 'POST /v1/attestations',
    protects: 'the upstream\'s API quota (each exchange asks it for the verification) and the ledger (a claim). One person makes one exchange, or a few with retries, so a carrier address shared by many people stays far below it at a site\'s peak.',
  },
  OTP_RATE_LIMITER: {
    endpoint: 'POST /v1/otp/send, /v1/otp/resend, /v1/otp/confirm',
    protects: 'the merchant\'s bill (each code sent is paid for) and PortOne\'s API quota. A person sends one code, perhaps resends once, and confirms once or twice; the per-verification and per-phone limits (README, form mode) bound the rest.',
  },
  INTROSPECT_RATE_LIMITER: {
    endpoint: 'POST /v1/introspect',
    protects: 'the verifier\'s CPU (a signature check). A site\'s backend calls it for all its users from one address: higher.',
  },
} as const;

export type RateLimitBinding = keyof typeof RATE_LIMITS;

/**
 * The key requests without CF-Connecting-IP share. On Cloudflare the edge sets that header on
 * every request from the internet (a client cannot set or forge it), so only callers that do
 * not come from the internet lack it: a service binding, a local `wrangler dev`. Sharing one
 * bucket, apart from every address, is deliberate: they are few and trusted, and still limited.
 */
export const NO_ADDRESS_KEY = 'no-client-address';

export function rateLimit(binding: RateLimitBinding): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // Production refuses to run without the binding (settings.ts); development may go without.
    const limiter = c.env[binding] as RateLimit | undefined;
    if (limiter) {
      const address = c.req.header('cf-connecting-ip');
      const { success } = await limiter.limit({ key: address ? `address:${address}` : NO_ADDRESS_KEY });
      if (!success) {
        throw new VerifyError('rate_limited', `Too many requests; try again in ${RATE_LIMIT_PERIOD_SECONDS} seconds.`, {
          'retry-after': String(RATE_LIMIT_PERIOD_SECONDS),
        });
      }
    }
    await next();
  };
}
