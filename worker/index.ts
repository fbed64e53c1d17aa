/** The Worker's entry: the app, and the Durable Object classes wrangler.toml binds. */
import { app } from './app.ts';

export { ImpUidLedger } from './ledger/ledger.ts';
export { OtpGuard } from './otp/guard.ts';
export { SandboxUpstream } from './sandbox/upstream-object.ts';

export default app;
