// The rate limits wrangler.toml declares ([[ratelimits]]: name, limit, period), for the README's
// table and the worker tests, which run with the same numbers a deployment gets.
import { readFileSync } from 'node:fs';

/** `{ EXCHANGE_RATE_LIMITER: { limit: 300, period: 60 }, … }`; fails loudly if a block's shape changed. */
export function wranglerRateLimits(wranglerToml = new URL('../../wrangler.toml', import.meta.url)) {
  const limits = {};
  for (const block of readFileSync(wranglerToml, 'utf8').split(/^\[\[ratelimits\]\]\s*$/m).slice(1)) {
    const name = /^name\s*=\s*"([^"]+)"/m.exec(block)?.[1];
    const simple = /^simple\s*=\s*\{\s*limit\s*=\s*(\d+)\s*,\s*period\s*=\s*(\d+)\s*\}/m.exec(block);
    if (!name || !simple) throw new Error('a [[ratelimits]] block in wrangler.toml has no name or simple = { limit, period }');
    limits[name] = { limit: Number(simple[1]), period: Number(simple[2]) };
  }
  return limits;
}
