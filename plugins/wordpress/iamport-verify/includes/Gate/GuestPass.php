<?php

declare(strict_types=1);

namespace IamportVerify\WordPress\Gate;

use IamportVerify\WordPress\Settings;

defined('ABSPATH') || exit;

/**
 * A guest's verification, for the browser session: an HttpOnly, SameSite=Lax cookie (Secure on HTTPS,
 * as WordPress's own login cookies) holding only the rule and age attested, the site it was made on and
 * its expiry, signed with an HMAC keyed by the site's own salts (wp-config.php). A tampered cookie,
 * one from another site, or one past its expiry reads as no pass: the gate again.
 */
final class GuestPass
{
    public const COOKIE = 'iamport_verify_pass';
    /**
     * A browser that restores its session keeps session cookies for days: the pass itself ends at the latest
     * this long after the verification, whatever the browser does (unless the setting's hours say otherwise).
     */
    public const SESSION_MAX_SECONDS = 12 * HOUR_IN_SECONDS;
    /** A pass is a few hundred bytes; a longer cookie is not one of ours. */
    private const MAX_LENGTH = 1024;
    /** Keeps this HMAC apart from anything else signed with the same salt. */
    private const PURPOSE = 'iamport-verify guest pass v1';

    /** Give this browser a pass for `$proof` (sends the cookie). */
    public static function issue(Proof $proof): void
    {
        $hours = (int) Settings::get('guest_hours');
        $now = Clock::now();
        $expires = $now + ($hours > 0 ? $hours * HOUR_IN_SECONDS : self::SESSION_MAX_SECONDS);
        $value = self::encode(['site' => home_url('/'), 'rule' => $proof->attested->rule, 'age' => $proof->attested->age, 'iat' => $now, 'exp' => $expires]);
        setcookie(self::COOKIE, $value, [
            'expires' => $hours > 0 ? $expires : 0, // 0: a session cookie, gone when the browser closes
            'path' => COOKIEPATH ?: '/',
            'domain' => COOKIE_DOMAIN ?: '',
            'secure' => is_ssl(),
            'httponly' => true,
            'samesite' => 'Lax',
        ]);
        $_COOKIE[self::COOKIE] = $value;
    }

    /** The pass this browser sent, when it is genuine, this site's and in date. */
    public static function read(): ?Proof
    {
        $value = isset($_COOKIE[self::COOKIE]) && is_string($_COOKIE[self::COOKIE]) ? wp_unslash($_COOKIE[self::COOKIE]) : '';
        if ($value === '' || strlen($value) > self::MAX_LENGTH || substr_count($value, '.') !== 1) {
            return null;
        }
        [$payload, $signature] = explode('.', $value);
        if (!hash_equals(self::sign($payload), $signature)) {
            return null;
        }
        $pass = json_decode((string) base64_decode(strtr($payload, '-_', '+/'), true), true);
        if (!is_array($pass) || ($pass['site'] ?? null) !== home_url('/') || !is_int($pass['exp'] ?? null) || $pass['exp'] <= Clock::now()) {
            return null;
        }
        $attested = AgeRule::tryMake($pass['rule'] ?? null, $pass['age'] ?? null);
        return $attested === null || !is_int($pass['iat'] ?? null) ? null : new Proof($attested, $pass['iat']);
    }

    /** @param array<string, mixed> $pass */
    public static function encode(array $pass): string
    {
        $payload = rtrim(strtr(base64_encode((string) wp_json_encode($pass)), '+/', '-_'), '=');
        return $payload . '.' . self::sign($payload);
    }

    private static function sign(string $payload): string
    {
        return rtrim(strtr(base64_encode(hash_hmac('sha256', self::PURPOSE . "\0" . $payload, wp_salt('auth'), true)), '+/', '-_'), '=');
    }
}
