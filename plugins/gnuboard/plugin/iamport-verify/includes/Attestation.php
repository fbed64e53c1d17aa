<?php

declare(strict_types=1);

namespace IamportVerify\Gnuboard;

use IamportVerify\AttestationError;
use IamportVerify\AttestationVerifier;
use IamportVerify\HttpJwks;

/**
 * Checks a submitted attestation on this server, never trusting the browser: genuine (the verifier's
 * key), for this site (aud), in date, and of the age the settings ask for.
 */
final class Attestation
{
    /** The form field the tag submits the attestation under. */
    public const FIELD = 'iamport_verify_token';
    /**
     * A pairwise `sub` is 43 characters of base64url (HMAC-SHA256). Gnuboard takes a 64-character
     * mb_dupinfo for an old DI and sends the member to member_cert_refresh.php, so that length is refused.
     */
    private const SUB_PATTERN = '/\A[A-Za-z0-9_-]{16,128}\z/';
    private const GNUBOARD_DI_LENGTH = 64;

    /** The token posted under FIELD, or '' (common.php has addslashes()-ed $_POST; a JWT has nothing to unescape). */
    public static function posted(): string
    {
        $value = $_POST[self::FIELD] ?? '';
        return is_string($value) ? trim(stripslashes($value)) : '';
    }

    /**
     * @return array<string, mixed> the claims
     * @throws Refusal with a message for the person
     */
    public static function check(string $token): array
    {
        if (!Settings::isConfigured()) {
            throw new Refusal('not_configured', Text::get('not_configured'));
        }
        $require = Settings::ageRequirement();
        $issuer = Settings::verifierUrl();
        try {
            $claims = (new AttestationVerifier($issuer, Settings::siteOrigin(), new HttpJwks($issuer, cache: new FileJwksCache($issuer))))->verify($token, $require);
        } catch (AttestationError $error) {
            throw new Refusal($error->getCode(), self::message($error->getCode(), $require));
        }
        $sub = $claims['sub'];
        if (preg_match(self::SUB_PATTERN, $sub) !== 1 || strlen($sub) === self::GNUBOARD_DI_LENGTH) {
            throw new Refusal('invalid_token', Text::get('not_confirmed'));
        }
        return $claims;
    }

    /** Whether these claims prove an adult (Gnuboard's mb_adult) by the site's age rule. */
    public static function provesAdult(array $claims): bool
    {
        $claim = ['min_year_age' => 'year_age_over', 'min_age' => 'age_over'][Settings::get('age_rule')] ?? null;
        return $claim !== null && is_int($claims[$claim] ?? null) && $claims[$claim] >= Settings::ADULT_AGE;
    }

    /** When the person verified (unix seconds): the token's verified_at, else its iat. */
    public static function verifiedAt(array $claims): int
    {
        return (int) (is_int($claims['verified_at'] ?? null) ? $claims['verified_at'] : $claims['iat']);
    }

    private static function message(string $code, array $require): string
    {
        return match ($code) {
            'age_too_low' => Text::get('too_young', (int) (reset($require) ?: 0)),
            'token_expired' => Text::get('expired'),
            'jwks_unavailable', 'introspection_unavailable' => Text::get('unreachable'),
            default => Text::get('not_confirmed'),
        };
    }
}
