/**
 * The claims of an attestation: the one definition of its shape. Type-only, so the verifier
 * (which builds them) and the tag (which decodes them) can import it too without any code.
 */

/** The claims of an attestation (see the README's "The attestation"). */
export interface AttestationClaims {
  /** The verifier's issuer URL. */
  iss: string;
  /** The origin of the site the person verified on. */
  aud: string;
  /** Pairwise pseudonym: stable for one person on one site, unlinkable across sites. */
  sub: string;
  iat: number;
  nbf: number;
  exp: number;
  /** Unique token id. */
  jti: string;
  merchant_uid: string;
  /** The age (만 나이, international age) the verifier checked the person is at least; absent when not asked. */
  age_over?: number;
  /** The age by the Youth Protection Act's year rule (this year minus the birth year) the verifier checked the person is at least. */
  year_age_over?: number;
  /** The person is under this age (만 나이): only in a token that also carries `guardian`. */
  age_under?: number;
  /**
   * Someone else who verified, in the same flow, as an adult to consent for the person (under-14
   * consent, 개인정보 보호법 제22조의2). What was checked, not a family relation nobody verified.
   */
  guardian?: GuardianClaims;
  /** When the person verified (Unix seconds). */
  verified_at: number;
  provider: 'iamport' | 'portone';
  /** Iamport (PortOne V1) certification id. */
  imp_uid?: string;
  /** PortOne V2 identity verification id. */
  identity_verification_id?: string;
  /** The page's nonce, echoed. */
  nonce?: string;
  /** Present only when the upstream knows it. */
  foreigner?: boolean;
}

/** The guardian's part of a child's attestation. */
export interface GuardianClaims {
  /** The guardian's own pairwise `sub` on this site: the one they would get verifying for themselves. */
  sub: string;
  /** The age (만 나이) the verifier checked the guardian is at least: an adult. */
  age_over: number;
  /** When the guardian verified (Unix seconds). */
  verified_at: number;
}
