/**
 * The sandbox's Worker (wrangler.sandbox.toml): what `npm start`, the demo, the tests and
 * `npm run load` run. It is the verifier's app (../app.ts) with the sandbox beside it: the
 * stand-in upstream and its admin API under /sandbox/ (routes.ts), the stand-in SDKs and the
 * demo's page. Production's entry (../index.ts) imports none of this, so none of it is deployed.
 */
import { Hono } from 'hono';
import { answerError, app, withSettings } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { requestLog } from '../middleware/request-log.ts';
import { DEMO_PATHS, demoFile, sandboxRoutes } from './routes.ts';

export { ImpUidLedger } from '../ledger/ledger.ts';
export { OtpGuard } from '../otp/guard.ts';
export { SandboxUpstream } from './upstream-object.ts';

const sandboxWorker = new Hono<AppEnv>();

// The one place the sandbox's routes are mounted. Each gets the verifier's log line and
// settings first (the sandbox answers only while SANDBOX is on), and its errors' answers.
sandboxWorker.use('/sandbox/*', requestLog(), withSettings);
sandboxWorker.route('/sandbox', sandboxRoutes);
for (const path of DEMO_PATHS) sandboxWorker.get(path, requestLog(), withSettings, demoFile);
sandboxWorker.onError(answerError);

// Everything else is the verifier's, with its own log line, settings and errors.
sandboxWorker.all('*', (c) => app.fetch(c.req.raw, c.env, c.executionCtx));

export default sandboxWorker;
