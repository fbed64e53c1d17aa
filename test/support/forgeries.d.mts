/** Types for forgeries.mjs: the forged and misused tokens every verifier of attestations must judge alike. */
import type { JWK } from 'jose';

export const TOKEN_TYPE: 'iamport-verify+jwt';
export const POLICY_MIN_AGE: number;

export interface AttestationCase {
  name: string;
  token: string;
  /** `valid`, or the `AttestationError.code` the backend kit refuses it with. */
  expected: string;
}

export function attestationCases(
  real: { token: string; over14: string; noAge: string; yearAge?: string },
  signingKey: JWK,
): AttestationCase[];
export function partsOf(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> };
