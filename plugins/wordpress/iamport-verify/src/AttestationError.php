<?php
/**
 * The one exception the verifiers throw: a refused token, with a stable string code.
 *
 * The codes are the Node kit's (`iamport-verify/server`), so a site can treat them the same
 * whatever checked the token. Like PDOException, `getCode()` returns the string code.
 * The message is safe to log and show: it never holds the token.
 */

declare(strict_types=1);

namespace IamportVerify;

final class AttestationError extends \RuntimeException
{
    /** Every code, and when it is thrown. */
    public const CODES = [
        'invalid_token' => 'not a JWS, a bad signature, alg other than ES256, typ other than iamport-verify+jwt, a header member other than alg, typ and kid, or a missing claim',
        'token_expired' => 'exp has passed (beyond the leeway)',
        'token_not_yet_valid' => 'nbf is in the future (beyond the leeway)',
        'wrong_issuer' => 'iss is not the issuer the site trusts',
        'wrong_audience' => 'aud is not the site\'s own origin: a token for another site',
        'age_too_low' => 'age_over (or year_age_over) is missing or lower than the site asks',
        'guardian_missing' => 'guardian_under is asked and the token attests neither age_over of at least that age nor age_under with a guardian verified as an adult',
        'nonce_mismatch' => 'nonce is missing or not the one the site expects',
        'unknown_key' => 'no published key has the token\'s kid, even after refetching the keys',
        'jwks_unavailable' => 'the verifier\'s keys could not be fetched or read; retry later',
        'introspection_unavailable' => 'POST /v1/introspect could not be reached or answered garbage; retry later',
    ];

    public function __construct(string $code, string $message, ?\Throwable $previous = null)
    {
        if (!isset(self::CODES[$code])) {
            throw new \InvalidArgumentException("Unknown attestation error code: $code");
        }
        parent::__construct($message, 0, $previous);
        // Exception::$code is untyped: a string here, as PDOException does with SQLSTATE.
        $this->code = $code;
    }
}
