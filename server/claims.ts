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
  /** The minimum age the verifier checked; absent when none was asked. */
  age_over?: number;
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
