/**
 * A probe Worker for `npm run bench`, run under `wrangler dev` beside nothing else:
 * what wrangler dev does with a client's CF-Connecting-IP, whether `env` is one object across
 * requests (the verifier caches its parsed settings per env object), and what each kind of I/O
 * a verification does costs on its own: the ledger's Durable Object (the verifier's own
 * ImpUidLedger class), the rate limiter binding, an outbound fetch, and a log line.
 */
import { ImpUidLedger } from '../../worker/ledger/ledger.ts';

export { ImpUidLedger };

interface ProbeEnv { LEDGER: DurableObjectNamespace<ImpUidLedger>; RATE_LIMITER: RateLimit }

let lastEnv: unknown;
const FORGET_AFTER_MS = 11 * 60 * 1000;

export default {
  async fetch(request: Request, env: ProbeEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/noop') return new Response('ok');
    if (url.pathname === '/headers') {
      return Response.json({
        cf_connecting_ip: request.headers.get('cf-connecting-ip'),
        x_forwarded_for: request.headers.get('x-forwarded-for'),
        x_real_ip: request.headers.get('x-real-ip'),
      });
    }
    if (url.pathname === '/ratelimit') {
      const { success } = await env.RATE_LIMITER.limit({ key: 'bench' });
      return Response.json({ success });
    }
    if (url.pathname === '/fetch') {
      // Only the bench's own loopback server, as the verifier's upstream call.
      const target = new URL(url.searchParams.get('to') ?? '');
      if (target.hostname !== '127.0.0.1') return new Response('loopback only', { status: 400 });
      const answer = await fetch(target);
      return new Response(await answer.text(), { status: answer.status });
    }
    if (url.pathname === '/log') {
      // A line shaped like the verifier's request log.
      console.log(JSON.stringify({ event: 'request', request_id: crypto.randomUUID(), method: 'POST', route: '/v1/attestations', status: 201, code: 'ok', duration_ms: 0 }));
      return new Response('ok');
    }
    if (url.pathname === '/env-identity') {
      const same = lastEnv === env;
      lastEnv = env;
      return Response.json({ same_env_object_as_last_request: same });
    }
    if (url.pathname === '/claim' && request.method === 'POST') {
      // object: which Durable Object (the verifier uses one per imp_uid); id: the row claimed in it.
      const { object, id } = await request.json<{ object: string; id: string }>();
      const claimed = await env.LEDGER.get(env.LEDGER.idFromName(object)).claim(id, Date.now() + FORGET_AFTER_MS);
      return Response.json({ claimed });
    }
    return new Response('not found', { status: 404 });
  },
};
