/**
 * The code's countdowns (its life, and the wait before another may be sent), on this device's
 * monotonic clock (`performance.now()`), and how they read. Pure: every function is given `now`.
 */
import type { FormMessages } from './form-text.js';

/** What `/v1/otp/send` and `/v1/otp/resend` answer: unix seconds, on the verifier's clock. */
export interface SendAnswer {
  sent_at?: number;
  resend_available_at: number;
  code_expires_at: number;
}

/** When a code expires and another may be sent, on the monotonic clock. */
export interface CodeTimes {
  expiresAt: number;
  resendAt: number;
}

/**
 * The verifier's times on the monotonic clock, counted from `now`, when its answer arrived:
 * differences of the verifier's own times, right whatever the device's clock says.
 * `deviceSeconds` (the device's clock) stands in for a verifier that does not say when it sent.
 */
export function timesOf(answer: SendAnswer, now: number, deviceSeconds: number): CodeTimes {
  const sentAt = answer.sent_at ?? deviceSeconds;
  return { expiresAt: now + (answer.code_expires_at - sentAt) * 1000, resendAt: now + (answer.resend_available_at - sentAt) * 1000 };
}

/** Whole seconds from `now` to `at` (monotonic milliseconds), never below 0. */
export const secondsUntil = (at: number, now: number) => Math.max(0, Math.ceil((at - now) / 1000));

/** `2:05` */
export const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;

/** "2분 5초", "2 min 5 s", "2분", "30초" */
export function duration(text: FormMessages, seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return [m && text.minutes.replace('{m}', String(m)), (s || !m) && text.seconds.replace('{s}', String(s))].filter(Boolean).join(' ');
}

/** What the timer shows at `now`, and whether a new code may be asked for. The app's request has no resend. */
export function countdown(times: CodeTimes, sms: boolean, now: number, text: FormMessages): { shown: string; codeLeft: number; resendWait: number } {
  const codeLeft = secondsUntil(times.expiresAt, now);
  const resendWait = secondsUntil(times.resendAt, now);
  const parts = [codeLeft > 0 ? text.timeLeft.replace('{time}', clock(codeLeft)) : text.timeUp];
  if (resendWait > 0 && sms) parts.push(text.resendIn.replace('{time}', clock(resendWait)));
  return { shown: parts.join(' · '), codeLeft, resendWait };
}
