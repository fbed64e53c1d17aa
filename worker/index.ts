/**
 * The production Worker's entry (wrangler.toml): the app, and the Durable Object classes it
 * binds. Nothing of the sandbox is imported here: it has its own entry (sandbox/entry.ts).
 */
import { app } from './app.ts';

export { ImpUidLedger } from './ledger/ledger.ts';
export { OtpGuard } from './otp/guard.ts';

export default app;
