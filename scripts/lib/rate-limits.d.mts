/** The rate limits wrangler.toml declares, by binding name. */
export function wranglerRateLimits(wranglerToml?: URL | string): Record<string, { limit: number; period: number }>;
