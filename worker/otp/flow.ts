/**
 * The form mode (PortOne V2's API flow, no window): behind `POST /v1/otp/send`, `/resend` and
 * `/confirm`. The tag collects the person's details; the verifier checks the challenge, counts
 * the limits (guard.ts), and relays to PortOne; confirm then runs the very exchange of
 * `/v1/attestations` on the record PortOne's confirmation answers (exchange.ts).
 *
 * The name, phone number, resident-number digits and the code pass through: they are read from
 * the body, sent to PortOne, and dropped. Nothing here logs, stores or echoes them; the guard
 * keeps only a keyed hash of the phone number (README, form mode, Privacy says how long).
 */
import { verifyChallenge } from '../checks/challenge.ts';
import { base64url, hmacSha256, sha256 } from '../crypto.ts';
import { VerifyError } from '../errors.ts';
import { exchange, fetchVerification, portOneClient, type Attestation, type ExchangeContext } from '../exchange.ts';
import { parseExchangeRequest } from '../request/exchange-request.ts';
import { CHALLENGE_PATTERN, field, MERCHANT_UID_PATTERN } from '../request/fields.ts';
import { log } from '../middleware/request-log.ts';
import type { Settings } from '../settings.ts';
import { otpGuardFor, type Limited, type Method } from './guard.ts';
import { checkTurnstile, TURNSTILE_TOKEN_PATTERN } from './turnstile.ts';

/**
 * Refusals after which PortOne may have sent the code anyway (its answer was lost, it failed
 * midway): the code may be on the phone, so it stays counted and the verification stays bound
 * to the number. After any other refusal, no code reached the phone.
 */
const OUTCOME_UNKNOWN = new Set(['upstream_unavailable', 'internal_error']);
/** Digits only, 10 or 11, a Korean mobile number (010, 011, 016–019). */
const PHONE_PATTERN = /^01[016789][0-9]{7,8}$/;
/** The first 7 digits of the resident registration number: YYMMDD and the gender digit. */
const IDENTITY_NUMBER_PATTERN = /^[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]$/;
/** A name as a carrier holds it: Hangul or Latin letters and spaces, at most 50 characters. */
const NAME_PATTERN = /^[\p{L}\p{M}][\p{L}\p{M} .'-]{0,49}$/u;
const OTP_PATTERN = /^[0-9]{4,8}$/;
/** PortOne's channel keys and store ids (`channel-key-…`, `store-…`). */
const PORTONE_KEY_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
const OPERATORS = ['SKT', 'KT', 'LGU', 'SKT_MVNO', 'KT_MVNO', 'LGU_MVNO'] as const;

/**
 * PortOne requires the person's IP address with every send (its per-person rate limits). On
 * Cloudflare the edge sets CF-Connecting-IP on every request; only a local `wrangler dev`
 * without it gets this placeholder. Production refuses a send without it.
 */
export const DEVELOPMENT_CLIENT_IP = '127.0.0.1';

export interface OtpContext extends ExchangeContext {
  /** CF-Connecting-IP. */
  clientIp: string | undefined;
  requestId: string;
}

interface SendRequest {
  challenge: string;
  id: string;
  channelKey: string;
  storeId: string | undefined;
  name: string;
  phone: string;
  identityNumber: string | undefined;
  operator: string;
  method: Method;
  turnstileToken: string | undefined;
}

/** `{ challenge, identity_verification_id, channel_key, store_id?, name, phone_number, identity_number (SMS), operator, method, turnstile_token? }`. */
export function parseSendRequest(body: Record<string, unknown>): SendRequest {
  const id = field.string(body, 'identity_verification_id', MERCHANT_UID_PATTERN);
  const channelKey = field.string(body, 'channel_key', PORTONE_KEY_PATTERN);
  const storeId = field.optionalString(body, 'store_id', PORTONE_KEY_PATTERN);
  const method = oneOf(body, 'method', ['SMS', 'APP'] as const);
  const operator = oneOf(body, 'operator', OPERATORS);
  const name = field.string(body, 'name', NAME_PATTERN).trim();
  const phone = field.string(body, 'phone_number', PHONE_PATTERN);
  const identityNumber = method === 'SMS'
    ? field.string(body, 'identity_number', IDENTITY_NUMBER_PATTERN)
    : field.optionalString(body, 'identity_number', IDENTITY_NUMBER_PATTERN);
  const turnstileToken = field.optionalString(body, 'turnstile_token', TURNSTILE_TOKEN_PATTERN);
  return { challenge: challengeOf(body), id, channelKey, storeId, name, phone, identityNumber, operator, method, turnstileToken };
}

/**
 * Send the first code (or APP push): the challenge, the bot check, the limits, then PortOne.
 * The verification is bound to this challenge and this number before PortOne is asked (guard.ts),
 * so a send to another number meanwhile is refused, whatever the timing. What is counted is
 * given back when the send is refused for sure: no code reached the phone.
 */
export async function sendCode(request: SendRequest, ctx: OtpContext) {
  const issuedAt = await verifyLiveChallenge(request.challenge, request.id, ctx);
  const ipAddress = ctx.clientIp ?? (ctx.settings.environment === 'development' ? DEVELOPMENT_CLIENT_IP : undefined);
  if (!ipAddress) throw new VerifyError('invalid_request', 'PortOne needs the person\'s address (CF-Connecting-IP), and this request has none.');
  await checkTurnstile(request.turnstileToken, ctx);
  const now = Date.now();
  const [phoneKey, challengeKey] = await Promise.all([phoneKeyOf(ctx.settings, request.phone), challengeKeyOf(request.challenge)]);
  const guard = otpGuardFor(ctx.env, 'verification', request.id);
  const begun = await guard.beginSend(request.id, challengeKey, phoneKey, now, forgetAtMs(issuedAt, ctx.settings));
  refuseIfLimited(begun);
  if (!begun.limited && begun.otherChallenge) {
    throw new VerifyError('otp_already_sent', 'A code for this verification was sent under another challenge: start over with a new verification id.');
  }
  if (!begun.limited && begun.otherPhone) {
    // Resends go to the number PortOne has: one verification, one number, or the phone limit could be dodged.
    throw new VerifyError('invalid_request', 'This verification is bound to another phone number: start over with a new challenge.');
  }
  const phoneGuard = otpGuardFor(ctx.env, 'phone', phoneKey);
  try {
    refuseIfLimited(await phoneGuard.countPhone(phoneKey, now));
  } catch (error) {
    await guard.sendRefused(request.id);
    throw error;
  }

  try {
    await spendSiteBudget(ctx, now);
    await portOneClient(ctx).sendIdentityVerification(request.id, {
      ...(request.storeId === undefined ? {} : { storeId: request.storeId }),
      channelKey: request.channelKey,
      customer: {
        name: request.name,
        phoneNumber: request.phone,
        ...(request.identityNumber === undefined ? {} : { identityNumber: request.identityNumber }),
        ipAddress,
      },
      operator: request.operator,
      method: request.method,
    });
  } catch (error) {
    if (!(error instanceof VerifyError) || OUTCOME_UNKNOWN.has(error.code)) {
      await guard.sendOutcomeUnknown(request.id);
      throw error;
    }
    // Refused for sure (by the carrier, a budget, PortOne): this send put no code on the phone.
    await phoneGuard.giveBackPhone(phoneKey);
    // Sent already, though no send of ours went through: an earlier one to this same number under
    // this challenge, whose answer was lost on the way. The code is on the phone: answer as sent.
    if (error.code !== 'otp_already_sent' || begun.limited || begun.sentBefore || begun.rebound) {
      await guard.sendRefused(request.id);
      throw error;
    }
  }
  return { identity_verification_id: request.id, method: request.method, ...answerTimes(await markSent(guard, request.id, request.method, true)) };
}

/** `{ challenge, identity_verification_id, store_id? }`. */
export function parseResendRequest(body: Record<string, unknown>) {
  const id = field.string(body, 'identity_verification_id', MERCHANT_UID_PATTERN);
  const storeId = field.optionalString(body, 'store_id', PORTONE_KEY_PATTERN);
  return { challenge: challengeOf(body), id, storeId };
}

/** A new SMS code for the send that waits: within the same limits. */
export async function resendCode(request: ReturnType<typeof parseResendRequest>, ctx: OtpContext) {
  await verifyLiveChallenge(request.challenge, request.id, ctx);
  const now = Date.now();
  const guard = otpGuardFor(ctx.env, 'verification', request.id);
  const begun = await guard.beginResend(request.id, await challengeKeyOf(request.challenge), now);
  refuseIfLimited(begun);
  if (begun.notSent) throw new VerifyError('otp_not_sent', 'No code was sent for this verification under this challenge.');
  if (begun.app) throw new VerifyError('invalid_request', 'An APP push is not sent again: approve it in the app, or start over with SMS.');
  // Counted against the number the verification is bound to: the one PortOne sends the new code to.
  const phoneKey = begun.phoneKey;
  const phoneGuard = phoneKey === undefined ? undefined : otpGuardFor(ctx.env, 'phone', phoneKey);
  if (phoneGuard) refuseIfLimited(await phoneGuard.countPhone(phoneKey!, now));
  try {
    await spendSiteBudget(ctx, now);
    await portOneClient(ctx).resendIdentityVerification(request.id, request.storeId);
  } catch (error) {
    if (error instanceof VerifyError && !OUTCOME_UNKNOWN.has(error.code)) await phoneGuard?.giveBackPhone(phoneKey!);
    throw error;
  }
  return answerTimes(await markSent(guard, request.id, 'SMS', false));
}

/**
 * `{ challenge, identity_verification_id, otp? (absent for APP), min_age? | min_year_age?, nonce?, store_id? }`:
 * the fields of a V2 `/v1/attestations` request, read by the same parser, plus the code.
 * `guardian_under` is refused: the guardian's own verification would need a second form.
 */
export function parseConfirmRequest(body: Record<string, unknown>, settings: Settings) {
  if (body.provider !== undefined && body.provider !== 'portone') {
    throw new VerifyError('invalid_request', 'The form mode is PortOne V2 only: `provider` is "portone" or absent.');
  }
  const otp = field.optionalString(body, 'otp', OTP_PATTERN);
  const storeId = field.optionalString(body, 'store_id', PORTONE_KEY_PATTERN);
  const exchangeRequest = parseExchangeRequest({ ...body, provider: 'portone' }, settings);
  if (exchangeRequest.guardianUnder !== undefined) {
    throw new VerifyError('invalid_request', 'The form mode does not run the guardian step: use `guardian_under` with the popup or redirect flow.');
  }
  return { exchangeRequest, otp, storeId };
}

/**
 * Confirm the code, and on VERIFIED give the attestation exactly as `/v1/attestations` does:
 * the same challenge check, the very same request answered again from the ledger (without
 * counting an attempt or asking PortOne), the same checks, signature and single-use claim.
 */
export async function confirmCode(request: ReturnType<typeof parseConfirmRequest>, ctx: OtpContext): Promise<Attestation> {
  const { exchangeRequest } = request;
  const id = exchangeRequest.upstreamId;
  return exchange(exchangeRequest, ctx, async () => {
    const now = Date.now();
    const guard = otpGuardFor(ctx.env, 'verification', id);
    const begun = await guard.beginConfirm(id, await challengeKeyOf(exchangeRequest.challenge), request.otp !== undefined);
    if (begun.limited) {
      throw new VerifyError('otp_attempts_exceeded', 'Too many attempts: this verification is spent; start over.', {
        'retry-after': String(begun.retryAfterSeconds),
      });
    }
    if (begun.notSent) throw new VerifyError('otp_not_sent', 'No code was sent for this verification under this challenge.');
    if (begun.codeMissing) throw new VerifyError('invalid_request', '`otp` is missing: an SMS code is confirmed with the code.');
    try {
      return await portOneClient(ctx).confirmIdentityVerification(id, request.otp, request.storeId);
    } catch (error) {
      const judged = error instanceof VerifyError && error.code === 'otp_incorrect';
      // An attempt is a guess PortOne judged: when it gave no verdict on the code (down, timed
      // out, refused the call), the person keeps the attempt, and their paid code with it.
      if (!judged) await guard.giveBackConfirm(id);
      if (!(error instanceof VerifyError)) throw error;
      // PortOne does not tell an expired code from a wrong one: our clock does (the code's life began at our send).
      if (judged && begun.codeExpiresAtMs !== undefined && now >= begun.codeExpiresAtMs) {
        throw new VerifyError('otp_expired', 'The code has expired: ask for a new one.');
      }
      // Verified already: by an earlier confirm of this challenge whose answer was lost, or refused
      // after it. The record decides, as for /v1/attestations: the ledger says if it was used.
      if (error.code === 'already_used') return fetchVerification('portone', id, ctx);
      throw error;
    }
  });
}

function oneOf<const T extends readonly string[]>(body: Record<string, unknown>, name: string, values: T): T[number] {
  const value = body[name];
  if (typeof value !== 'string' || !values.includes(value)) {
    throw new VerifyError('invalid_request', `\`${name}\` must be one of ${values.join(', ')}.`);
  }
  return value as T[number];
}

/** Read last, as the exchange does: a missing or malformed challenge is `challenge_invalid`. */
function challengeOf(body: Record<string, unknown>): string {
  const challenge = body.challenge;
  if (typeof challenge !== 'string' || !CHALLENGE_PATTERN.test(challenge)) {
    throw new VerifyError('challenge_invalid', '`challenge` is missing or malformed: ask for one at /v1/challenges.');
  }
  return challenge;
}

/** A code is sent only under a live challenge (a verification finished after it expires is refused anyway). */
function verifyLiveChallenge(challenge: string, id: string, ctx: OtpContext): Promise<number> {
  return verifyChallenge(
    ctx.settings.challengeSecret, challenge, { provider: 'portone', merchantUid: id, origin: ctx.origin },
    Math.floor(Date.now() / 1000), ctx.settings.challengeTtlSeconds,
  );
}

/** The guard's counts for a verification matter while its challenge can still be exchanged. */
function forgetAtMs(issuedAt: number, settings: Settings): number {
  return (issuedAt + settings.challengeTtlSeconds + settings.maxCertAgeSeconds) * 1000;
}

/** The challenge as the guard keeps it: a fingerprint that tells challenges apart and cannot be used as one. */
async function challengeKeyOf(challenge: string): Promise<string> {
  return base64url(await sha256(`otp-challenge|${challenge}`));
}

/**
 * Count a code PortOne is about to be asked for against the site's budget. Past it, nothing is
 * sent; the window's first refusal writes the one line a site alerts on (`otp_budget_exhausted`).
 */
async function spendSiteBudget(ctx: OtpContext, nowMs: number): Promise<void> {
  const { perHour, perDay } = ctx.settings.otpBudget;
  const spent = await otpGuardFor(ctx.env, 'site', ctx.origin).spendBudget(ctx.origin, nowMs, perHour, perDay);
  if (!spent.limited) return;
  if (spent.first) {
    log({
      event: 'otp_budget_exhausted', request_id: ctx.requestId, origin: ctx.origin, window: spent.window,
      limit: spent.window === 'hour' ? perHour : perDay, retry_after_s: spent.retryAfterSeconds,
    });
  }
  throw new VerifyError('otp_budget_exhausted', `This site's codes for the ${spent.window} are spent; try again in ${spent.retryAfterSeconds} seconds.`, {
    'retry-after': String(spent.retryAfterSeconds),
  });
}

/** A keyed hash: the guard can count a number's codes without being able to read or look it up. */
export async function phoneKeyOf(settings: Settings, phone: string): Promise<string> {
  return base64url(await hmacSha256(settings.challengeSecret, `otp-phone|${phone}`));
}

function refuseIfLimited<T extends Limited | { limited: false }>(result: T): asserts result is Exclude<T, Limited> {
  if (result.limited) {
    const { retryAfterSeconds } = result as Limited;
    throw new VerifyError('otp_send_limited', `Too many codes for now; try again in ${retryAfterSeconds} seconds.`, {
      'retry-after': String(retryAfterSeconds),
    });
  }
}

/**
 * A code went out: its times start at the whole second, so that the answer's unix seconds are
 * exact and a resend at `resend_available_at` is never a moment too early.
 */
async function markSent(guard: ReturnType<typeof otpGuardFor>, id: string, method: Method, firstSend: boolean) {
  const sentAtMs = Math.floor(Date.now() / 1000) * 1000;
  return { sentAtMs, ...(await guard.sent(id, method, sentAtMs, firstSend)) };
}

/**
 * Unix seconds on the verifier's clock. `sent_at` with them lets the tag time its countdowns as
 * differences (`code_expires_at - sent_at`), whatever the phone's own clock says.
 */
function answerTimes({ sentAtMs, resendAvailableAtMs, codeExpiresAtMs }: { sentAtMs: number; resendAvailableAtMs: number; codeExpiresAtMs: number }) {
  return { sent_at: sentAtMs / 1000, resend_available_at: resendAvailableAtMs / 1000, code_expires_at: codeExpiresAtMs / 1000 };
}
