/**
 * What the Worker is given (bindings and settings) and what each request carries through
 * Hono. A module of its own so that the app, the middleware, the ledger and the sandbox all
 * depend on it, not on one another.
 */
import type { ImpUidLedger } from './ledger/ledger.ts';
import type { SandboxUpstream } from './sandbox/upstream-object.ts';
import type { EnvVars, Settings } from './settings.ts';

export interface Env extends EnvVars {
  LEDGER: DurableObjectNamespace<ImpUidLedger>;
  SANDBOX_UPSTREAM: DurableObjectNamespace<SandboxUpstream>;
  RATE_LIMITER?: RateLimit;
  INTROSPECT_RATE_LIMITER?: RateLimit;
  ASSETS?: Fetcher;
}

export interface AppEnv {
  Bindings: Env;
  Variables: { settings: Settings; origin: string; requestId: string; outcome: string };
}
