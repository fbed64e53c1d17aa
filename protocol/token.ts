/**
 * What every attestation looks like on the wire: one definition, shared by the verifier that
 * signs (and introspects) and the backend kit that checks.
 */

/** RFC 8725 §3.11: explicit typing, so an attestation cannot pass for another kind of JWT. */
export const TOKEN_TYPE = 'iamport-verify+jwt';
export const ALGORITHM = 'ES256';
/** An attestation's header is exactly these; anything more (`jku`, `jwk`, `x5u`, `crit`…) is refused. */
export const HEADER_MEMBERS: readonly string[] = ['alg', 'kid', 'typ'];
/** Claims every attestation has. */
export const REQUIRED_CLAIMS: readonly string[] = ['iss', 'aud', 'sub', 'iat', 'nbf', 'exp', 'jti'];
/** Attestations are under 1 KB; anything far longer is refused before it is parsed. */
export const MAX_TOKEN_LENGTH = 4096;
