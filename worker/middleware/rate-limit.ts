/**
 * Rate limits, through Workers' rate limiting bindings. Each protects something that costs,
 * and is counted per client: an IPv4 address, or an IPv6 /64 (one subscriber's prefix: a
 * client picks any address inside its /64 at will, so counting addresses there counts nothing).
 * The numbers (`limit` requests per `period` seconds) live in wrangler.toml's [[ratelimits]],
 * where a deployment changes them; the README's table is generated from both.
 *
 * Korean carriers put very many people behind few public IPv4 addresses, so the limit on what
 * every page view asks for (a challenge) is high: it stops a flood, not a busy carrier address.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { VerifyError } from '../errors.ts';

/** The longest period a binding may have (10 or 60 s): Retry-After never understates the wait. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

/** What each limit protects and on what it counts (the README's table). */
export const RATE_LIMITS = {
  CHALLENGE_RATE_LIMITER: {
    endpoint: 'POST /v1/challenges',
    protects: 'the verifier\'s CPU against a flood (a challenge is an HMAC, no I/O). Every page view with the tag asks for one, and a Korean carrier puts many people behind one IPv4 address: high, so a busy carrier address is never turned away.',
  },
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

/** IPv6 groups (16 bits each) in a /64: the prefix a subscriber is given, whose addresses it chooses freely. */
const IPV6_GROUPS_PER_CLIENT = 4;
const IPV4_PATTERN = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_GROUP = /^[0-9a-f]{1,4}$/;

/**
 * What a client is counted as: `v4:` its IPv4 address, or `v6:` the /64 its IPv6 address is in
 * (written out in full, so every spelling of one prefix is one key; an IPv4-mapped IPv6 address
 * is its IPv4 address). Anything else is counted as itself: Cloudflare's edge always sends an
 * address, so only a local or test caller gets here with something else.
 */
export function clientKey(address: string): string {
  const text = address.trim().toLowerCase();
  if (IPV4_PATTERN.test(text)) return `v4:${text}`;
  const groups = ipv6Groups(text);
  if (!groups) return `other:${text}`;
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (mapped) return `v4:${[groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.')}`;
  return `v6:${groups.slice(0, IPV6_GROUPS_PER_CLIENT).map((group) => group.toString(16).padStart(4, '0')).join(':')}::/64`;
}

/** The 8 groups of an IPv6 address (RFC 4291 §2.2: `::` and a trailing dotted IPv4), or undefined. */
function ipv6Groups(text: string): number[] | undefined {
  let address = text.replace(/%.*$/, ''); // a zone index names a local link, not a client
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) {
    if (!IPV4_PATTERN.test(dotted[1]!)) return undefined;
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    address = `${address.slice(0, dotted.index)}:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const parse = (half: string) => (half === '' ? [] : half.split(':'));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((group) => IPV6_GROUP.test(group))) return undefined;
  return all.map((group) => parseInt(group, 16));
}

export function rateLimit(binding: RateLimitBinding): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // Production refuses to run without the binding (settings.ts); development may go without.
    const limiter = c.env[binding] as RateLimit | undefined;
    if (limiter) {
      const address = c.req.header('cf-connecting-ip');
      const { success } = await limiter.limit({ key: address ? clientKey(address) : NO_ADDRESS_KEY });
      if (!success) {
        throw new VerifyError('rate_limited', `Too many requests; try again in ${RATE_LIMIT_PERIOD_SECONDS} seconds.`, {
          'retry-after': String(RATE_LIMIT_PERIOD_SECONDS),
        });
      }
    }
    await next();
  };
}
