/**
 * What every stand-in handler gets, and how the APIs are listed: a table of routes per API,
 * so a new upstream endpoint is one more entry (and one more counted call).
 */
import type { StandInState } from './state.ts';

/** The secrets the stand-in accepts, as the real APIs would for one account. */
export interface StandInCredentials {
  iamport: { key: string; secret: string };
  portone: { secret: string };
}

export interface StandInContext {
  state: StandInState;
  /** Read when asked, so a Durable Object follows its Worker's settings. */
  credentials: () => StandInCredentials;
  /** Milliseconds on the stand-in's clock (tests fake it with vi's timers). */
  now: () => number;
  /** Count a call that was answered 401, as the bench reports them. */
  countUnauthorized: () => void;
}

/** The calls the stand-in counts, one per upstream endpoint (and the 401s among them). */
export type Endpoint =
  | 'getToken' | 'getCertification' | 'deleteCertification' | 'getIdentityVerification'
  | 'sendIdentityVerification' | 'resendIdentityVerification' | 'confirmIdentityVerification';

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Matched against the path inside the API (`/users/getToken`); groups are the path's parameters, handed over decoded. */
  pattern: RegExp;
  endpoint: Endpoint;
  handle: (request: Request, params: string[], context: StandInContext) => Promise<Response>;
}

export const nowSeconds = (context: StandInContext) => Math.floor(context.now() / 1000);

export function randomDigits(count: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(count)), (byte) => String(byte % 10)).join('');
}

export function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
