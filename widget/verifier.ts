/**
 * The tag's side of the verifier's HTTP API: ask for a challenge, exchange a verification
 * for an attestation. A verifier problem keeps its `code`; anything else is `network_error`.
 */

/** A failure with the stable code the tag reports in `iamport-error`. */
export class FlowError extends Error {
  constructor(readonly code: string, message = code) {
    super(message);
  }
}

/** What `POST /v1/challenges` answers. */
export interface Challenge {
  merchant_uid: string;
  challenge: string;
  /** Unix seconds. */
  expires_at: number;
}

// The claims' shape has one home, the backend kit's public type (type-only: no code comes along).
import type { AttestationClaims } from '../server/claims.js';

export type { AttestationClaims };

export interface Attestation {
  token: string;
  expires_at: number;
  claims: AttestationClaims;
}

async function post<T>(endpoint: string, path: string, body: object, isValid: (data: any) => boolean): Promise<T> {
  let response: Response;
  try {
    response = await fetch(endpoint.replace(/\/+$/, '') + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
    });
  } catch {
    throw new FlowError('network_error');
  }
  const data = await response.json().catch(() => undefined);
  if (!response.ok) {
    // RFC 9457 problem from the verifier: its code is the tag's error code.
    throw typeof data?.code === 'string' ? new FlowError(data.code, data.detail) : new FlowError('network_error', `HTTP ${response.status}`);
  }
  if (!data || !isValid(data)) throw new FlowError('network_error', 'Unexpected answer from the verifier.');
  return data as T;
}

export function requestChallenge(endpoint: string, merchantUid: string | undefined): Promise<Challenge> {
  return post(endpoint, '/v1/challenges', merchantUid ? { merchant_uid: merchantUid } : {},
    (data) => typeof data.challenge === 'string' && typeof data.merchant_uid === 'string' && typeof data.expires_at === 'number');
}

export function requestAttestation(endpoint: string, body: Record<string, unknown>): Promise<Attestation> {
  return post(endpoint, '/v1/attestations', body,
    (data) => typeof data.token === 'string' && typeof data.claims?.exp === 'number');
}
