/**
 * The form mode's optional bot check: Cloudflare Turnstile, verified server-side before PortOne
 * is asked for a code (developers.cloudflare.com/turnstile/get-started/server-side-validation).
 * The tag's widget (`turnstile-sitekey`) hands the page a token; the send carries it as
 * `turnstile_token`, and the verifier asks `siteverify` with its `TURNSTILE_SECRET`. A token is
 * single use and lives 300 s; a refusal is `turnstile_failed` and nothing was counted or sent.
 */
import { VerifyError } from '../errors.ts';
import type { Env } from '../env.ts';
import { SANDBOX_TURNSTILE_SITEVERIFY_URL, TURNSTILE_TEST_SECRETS, type Settings } from '../settings.ts';
import { callUpstream, isObject, upstreamFetchFor } from '../upstream/http.ts';

export const TURNSTILE_SITEVERIFY_URL = 'https://challenges.cloudflare.com/turnstile/v0/siteverify';
/** Turnstile's tokens are at most 2048 characters (its docs), printable ASCII. */
export const TURNSTILE_TOKEN_PATTERN = /^[\x21-\x7e]{1,2048}$/;

interface TurnstileCheck {
  env: Env;
  settings: Settings;
  /** The requesting site: the token must have been solved on its hostname. */
  origin: string;
  clientIp: string | undefined;
}

/** Refuse the send unless Turnstile is off, or `siteverify` accepts `token` for this site. */
export async function checkTurnstile(token: string | undefined, { env, settings, origin, clientIp }: TurnstileCheck): Promise<void> {
  const secret = settings.turnstileSecret;
  if (!secret) return;
  if (token === undefined) throw new VerifyError('turnstile_failed', '`turnstile_token` is missing: this verifier checks for bots with Turnstile before it sends a code.');
  const url = settings.sandbox ? SANDBOX_TURNSTILE_SITEVERIFY_URL : TURNSTILE_SITEVERIFY_URL;
  const request = new Request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ secret, response: token, ...(clientIp ? { remoteip: clientIp } : {}) }),
  });
  const { status, json } = await callUpstream(upstreamFetchFor(env, settings), request, settings.upstreamTimeoutMs);
  if (status !== 200 || !isObject(json) || typeof json.success !== 'boolean') {
    throw new VerifyError('upstream_unavailable', 'Turnstile\'s siteverify did not answer as documented.');
  }
  if (!json.success) throw new VerifyError('turnstile_failed', 'Turnstile did not accept the token (failed, expired or already used): solve the check again.');
  // A token solved on another site's page must not spend this site's codes. Cloudflare's test
  // secrets answer for example.com whatever the page (and production refuses them).
  if (!TURNSTILE_TEST_SECRETS.has(secret) && json.hostname !== new URL(origin).hostname) {
    throw new VerifyError('turnstile_failed', 'The Turnstile token was solved on another site.');
  }
}
