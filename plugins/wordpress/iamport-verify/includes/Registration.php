<?php

declare(strict_types=1);

namespace IamportVerify\WordPress;

use IamportVerify\AttestationError;
use IamportVerify\AttestationVerifier;
use IamportVerify\IntrospectionVerifier;

defined('ABSPATH') || exit;

/**
 * The server side of registration: before WordPress creates the account (`registration_errors`),
 * the submitted attestation is checked here, never trusted from the browser; once the account
 * exists (`user_register`), the person's pairwise `sub` is kept in its user meta.
 */
final class Registration
{
    /** The form field the tag submits the attestation under. */
    public const FIELD = 'iamport_verify_token';
    /** Run after other plugins' checks, so a registration that fails anyway takes no lock. */
    private const PRIORITY = 99;

    /** @var string|null the `sub` of the registration under way, kept once its account exists */
    private static ?string $pendingSub = null;
    /** @var array<string, mixed>|null the claims of that registration: the account's first proof of age (content gates) */
    private static ?array $pendingClaims = null;

    public static function register(): void
    {
        add_filter('registration_errors', [self::class, 'checkRegistration'], self::PRIORITY, 1);
        add_action('user_register', [self::class, 'rememberSubject'], 10, 1);
    }

    /**
     * 'signature' (checked here, offline, with openssl) or 'introspection' (the verifier checks it, POST /v1/introspect):
     * chosen by itself when PHP has no openssl, or by the site with define('IAMPORT_VERIFY_INTROSPECTION', true).
     */
    public static function mode(): string
    {
        $chosen = defined('IAMPORT_VERIFY_INTROSPECTION') && IAMPORT_VERIFY_INTROSPECTION;
        return extension_loaded('openssl') && !$chosen ? 'signature' : 'introspection';
    }

    /**
     * @param \WP_Error $errors
     * @return \WP_Error
     */
    public static function checkRegistration($errors)
    {
        // phpcs:ignore WordPress.Security.NonceVerification -- wp-login.php's registration form has no nonce; the attestation is the proof.
        $token = isset($_POST[self::FIELD]) && is_string($_POST[self::FIELD]) ? trim(wp_unslash($_POST[self::FIELD])) : '';
        if ($token === '') {
            if (Settings::get('require_on_registration')) {
                $errors->add('iamport_verify_missing', __('Please verify your identity and age first.', 'iamport-verify'));
            }
            return $errors;
        }

        $claims = self::check($token);
        if (is_wp_error($claims)) {
            $errors->add($claims->get_error_code(), $claims->get_error_message());
            return $errors;
        }
        $sub = $claims['sub'];
        if (Settings::get('one_account_per_person') && !$errors->has_errors()) {
            // Check and create under the person's lock: a read-then-write alone lets two registrations at once both pass.
            if (!SubjectRegistry::lock($sub)) {
                $errors->add('iamport_verify_busy', __('Another registration for you is under way. Please try again in a moment.', 'iamport-verify'));
                return $errors;
            }
            if (SubjectRegistry::accountOf($sub) !== null) {
                $errors->add('iamport_verify_account_exists', __('You already have an account on this site. Please log in instead.', 'iamport-verify'));
                return $errors;
            }
        }
        self::$pendingSub = $sub;
        self::$pendingClaims = $claims;
        return $errors;
    }

    /** `user_register`: the account of the registration just checked gets its person's `sub`. */
    public static function rememberSubject(int $userId): void
    {
        if (self::$pendingSub !== null) {
            SubjectRegistry::remember($userId, self::$pendingSub);
            self::$pendingSub = null;
        }
        $proof = self::$pendingClaims !== null ? Gate\Proof::fromClaims(self::$pendingClaims, Gate\Clock::now()) : null;
        if ($proof !== null) {
            Gate\MemberProofs::record($userId, $proof, (string) self::$pendingClaims['jti']);
        }
        self::$pendingClaims = null;
    }

    /**
     * Check an attestation with the settings' verifier and age rule, for this site's origin.
     * `$require` (min_age, min_year_age, nonce) overrides the settings; an age rule given here replaces theirs.
     *
     * @param array<string, mixed> $require
     * @return array<string, mixed>|\WP_Error the claims, or why not (translated)
     */
    public static function check(string $token, array $require = [])
    {
        $issuer = Settings::verifierUrl();
        if ($issuer === '') {
            return new \WP_Error('iamport_verify_not_configured', __('Identity verification is not set up on this site yet.', 'iamport-verify'));
        }
        // One age rule per token: a caller's own rule replaces the settings' one.
        $ageSet = isset($require['min_age']) || isset($require['min_year_age']) || isset($require['guardian_under']);
        $require = array_merge($ageSet ? [] : Settings::ageRequirement(), $require);
        $audience = Settings::siteOrigin();
        $verifier = self::mode() === 'signature'
            ? new AttestationVerifier($issuer, $audience, (new VerifierClient($issuer))->keys())
            : new IntrospectionVerifier($issuer, $audience, [VerifierClient::class, 'post']);
        try {
            $claims = $verifier->verify($token, $require);
        } catch (AttestationError $error) {
            return new \WP_Error('iamport_verify_' . $error->getCode(), self::message($error->getCode(), $require));
        }
        if (!is_string($claims['sub'] ?? null) || $claims['sub'] === '') {
            return new \WP_Error('iamport_verify_invalid_token', self::message('invalid_token', $require));
        }
        return $claims;
    }

    /** What a person is told, by AttestationError code. */
    private static function message(string $code, array $require): string
    {
        switch ($code) {
            case 'age_too_low':
                $age = $require['min_age'] ?? $require['min_year_age'] ?? 0;
                /* translators: %d: the minimum age */
                return sprintf(__('You must be %d or older to register.', 'iamport-verify'), $age);
            case 'token_expired':
                return __('Your verification has expired. Please verify again.', 'iamport-verify');
            case 'jwks_unavailable':
            case 'introspection_unavailable':
                return __('The identity verification service could not be reached. Please try again later.', 'iamport-verify');
            default:
                return __('Your verification could not be confirmed. Please verify again.', 'iamport-verify');
        }
    }
}
