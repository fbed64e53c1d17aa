/**
 * What goes in an attestation, and what never does (name, phone, birthday, gender, CI, DI).
 * These build the token and decide nothing: every check has run (checks/) before they are called.
 */
import { base64url, hmacSha256 } from '../crypto.ts';
import { AGE_RULE_CLAIMS } from '../../protocol/age.ts';
import type { AttestationClaims, GuardianClaims } from '../../protocol/claims.ts';
import type { AskedAge } from '../checks/age.ts';
import type { Provider } from '../checks/verification.ts';

// The claims' shape has one home, the shared contract; the verifier builds it.
export type { AttestationClaims };

export interface ClaimsInput {
  issuer: string;
  audience: string;
  subject: string;
  nowSeconds: number;
  ttlSeconds: number;
  merchantUid: string;
  /** The age checked, under the rule the site asked for. */
  age: AskedAge | undefined;
  /** The guardian step: the person is under this age, and `guardian` verified for them. */
  ageUnder?: number | undefined;
  guardian?: GuardianClaims | undefined;
  verifiedAt: number;
  provider: Provider;
  upstreamId: string;
  nonce: string | undefined;
  foreigner: boolean | undefined;
}

export function buildClaims(input: ClaimsInput): AttestationClaims {
  const claims: AttestationClaims = {
    iss: input.issuer,
    aud: input.audience,
    sub: input.subject,
    iat: input.nowSeconds,
    nbf: input.nowSeconds,
    exp: input.nowSeconds + input.ttlSeconds,
    jti: base64url(crypto.getRandomValues(new Uint8Array(16))),
    merchant_uid: input.merchantUid,
    verified_at: input.verifiedAt,
    provider: input.provider,
  };
  // The claim names the rule, so a backend can never take one for the other.
  if (input.age) claims[AGE_RULE_CLAIMS[input.age.rule]] = input.age.min;
  if (input.guardian) {
    claims.age_under = input.ageUnder;
    claims.guardian = input.guardian;
  }
  if (input.provider === 'iamport') claims.imp_uid = input.upstreamId;
  else claims.identity_verification_id = input.upstreamId;
  if (input.nonce !== undefined) claims.nonce = input.nonce;
  if (input.foreigner !== undefined) claims.foreigner = input.foreigner;
  return claims;
}

/**
 * The pairwise subject: stable for one person on one site, unlinkable across sites.
 * A per-site key is derived from the deployment secret and `aud`, then used over the CI,
 * so the same person verified through V1 or V2 on one site gets the same `sub`.
 */
export async function pairwiseSubject(subjectSecret: string, audience: string, ci: string): Promise<string> {
  return base64url(await hmacSha256(await siteKey(subjectSecret, audience), ci));
}

// A site's key never changes for a deployment: derive it once per isolate, not per verification.
const siteKeys = new Map<string, Promise<Uint8Array>>();

function siteKey(subjectSecret: string, audience: string): Promise<Uint8Array> {
  const cacheKey = `${subjectSecret}\n${audience}`;
  let key = siteKeys.get(cacheKey);
  if (!key) {
    key = hmacSha256(subjectSecret, `iamport-verify/sub/v1|${audience}`);
    siteKeys.set(cacheKey, key);
  }
  return key;
}
