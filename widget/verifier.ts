/**
 * The tag's side of the verifier's HTTP API: ask for a challenge, exchange a verification for
 * an attestation. A verifier problem keeps its `code`; anything else is `network_error`.
 */
import type { ProviderName } from './providers/provider.js';
import type { TagErrorCode } from './failure.js';

/** A failure with the stable code the tag reports in `iamport-error`. */
export class FlowError extends Error {
  constructor(
    readonly code: TagErrorCode,
    message: string = code,
    /** The verifier's answer never arrived (no connection, or a gateway's error page instead of its own problem). */
    readonly lost = false,
    /** The verifier's `Retry-After` in seconds; 0 when it sent none. */
    readonly retryAfter = 0,
  ) {
    super(message);
  }
}

/** What `POST /v1/challenges` answers. */
export interface Challenge {
  merchant_uid: string;
  challenge: string;
  /** Unix seconds, on the verifier's clock. */
  expires_at: number;
  /** Unix seconds, on the verifier's clock (verifiers before it was added leave it out). */
  issued_at?: number;
}

// The claims' shape has one home, the shared contract (type-only: no code comes along).
import type { AttestationClaims } from '../protocol/claims.js';

export type { AttestationClaims };

export interface Attestation {
  token: string;
  expires_at: number;
  claims: AttestationClaims;
}

/** One request to the verifier; its answer must pass `isValid`. */
export async function post<T>(endpoint: string, path: string, body: object, isValid: (data: any) => boolean): Promise<T> {
  let response: Response;
  try {
    response = await fetch(endpoint.replace(/\/+$/, '') + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
    });
  } catch {
    throw new FlowError('network_error', undefined, true);
  }
  const data = await response.json().catch(() => undefined);
  if (!response.ok) {
    // RFC 9457 problem from the verifier: its code is the tag's error code. Anything else came
    // from something between us (a proxy's 502 page): the verifier's answer was lost.
    if (typeof data?.code === 'string') throw new FlowError(data.code as TagErrorCode, data.detail, false, +response.headers.get('retry-after')!);
    throw new FlowError('network_error', `HTTP ${response.status}`, response.status >= 500);
  }
  if (!data || !isValid(data)) throw new FlowError('network_error', 'unexpected answer');
  return data as T;
}

export function requestChallenge(endpoint: string, provider: ProviderName, merchantUid: string | undefined): Promise<Challenge> {
  // The challenge binds the provider: it can only be exchanged for a verification of that one.
  return post(endpoint, '/v1/challenges', merchantUid ? { merchant_uid: merchantUid, provider } : { provider },
    (data) => typeof data.challenge === 'string' && typeof data.merchant_uid === 'string' && typeof data.expires_at === 'number'
      && (data.issued_at === undefined || typeof data.issued_at === 'number'));
}
