/**
 * Cloudflare Turnstile's `siteverify` as the sandbox answers it: the documented test secret keys
 * behave as Cloudflare says (developers.cloudflare.com/turnstile/troubleshooting/testing):
 * `1x0000000000000000000000000000000AA` always passes, `2x…AA` always fails, `3x…AA` answers
 * "token already spent"; they answer for `example.com`. The sandbox knows no real widget, so any
 * other secret is `invalid-input-secret`. The request is JSON or a form, as siteverify takes.
 * The browser side is worker/sandbox/sdk/turnstile.js, whose test sitekeys give the dummy token.
 */

const PASSES = '1x0000000000000000000000000000000AA';
const FAILS = '2x0000000000000000000000000000000AA';
const SPENT = '3x0000000000000000000000000000000AA';
/** The hostname the test secrets' answers name, whatever page the widget ran on. */
const TEST_HOSTNAME = 'example.com';

const answer = (success: boolean, errorCodes: string[], extra: Record<string, unknown> = {}) =>
  Response.json({ success, 'error-codes': errorCodes, ...extra });

/** `POST /turnstile/siteverify` `{ secret, response, remoteip?, idempotency_key? }`. */
export async function siteverify(request: Request, nowMs: number): Promise<Response> {
  if (request.method !== 'POST') return new Response('Method Not Allowed', { status: 405 });
  const fields = await readFields(request);
  if (!fields) return answer(false, ['bad-request']);
  const { secret, response } = fields;
  if (!secret) return answer(false, ['missing-input-secret']);
  if (!response) return answer(false, ['missing-input-response']);
  if (secret === PASSES) {
    return answer(true, [], { challenge_ts: new Date(nowMs).toISOString(), hostname: TEST_HOSTNAME, action: '', cdata: '', metadata: { interactive: false } });
  }
  if (secret === FAILS) return answer(false, ['invalid-input-response']);
  if (secret === SPENT) return answer(false, ['timeout-or-duplicate']);
  return answer(false, ['invalid-input-secret']);
}

async function readFields(request: Request): Promise<Record<string, string> | undefined> {
  try {
    if ((request.headers.get('content-type') ?? '').includes('application/json')) {
      const body = await request.json() as Record<string, unknown>;
      return Object.fromEntries(Object.entries(body).filter(([, value]) => typeof value === 'string')) as Record<string, string>;
    }
    return Object.fromEntries(new URLSearchParams(await request.text()));
  } catch {
    return undefined;
  }
}
