<?php

declare(strict_types=1);

namespace IamportVerify\WordPress\Gate;

use IamportVerify\WordPress\Settings;
use IamportVerify\WordPress\SubjectRegistry;

defined('ABSPATH') || exit;

/**
 * A member's verification, kept on the account: the pairwise `sub` (SubjectRegistry's meta, one account
 * per person), the rule and age attested, `verified_at` and the attestation's `jti`. Nothing personal.
 * It opens gates for the site's re-verification period (Korean guidance since 2014: at least once a year).
 */
final class MemberProofs
{
    /** ['rule' => 'min_year_age', 'age' => 19, 'verified_at' => 1700000000, 'jti' => '…'] */
    public const PROOF_KEY = 'iamport_verify_proof';
    /** The same `verified_at` on its own, so the settings page can count current proofs in SQL. */
    public const VERIFIED_AT_KEY = 'iamport_verify_verified_at';
    /** How many times the member verified again after the first time. */
    public const RENEWALS_KEY = 'iamport_verify_renewals';

    /** The member's proof, current or not; null when they never verified. */
    public static function stored(int $userId): ?Proof
    {
        $stored = get_user_meta($userId, self::PROOF_KEY, true);
        if (!is_array($stored) || !is_int($stored['verified_at'] ?? null)) {
            return null;
        }
        $attested = AgeRule::tryMake($stored['rule'] ?? null, $stored['age'] ?? null);
        return $attested === null ? null : new Proof($attested, $stored['verified_at']);
    }

    /** The member's proof while it is within the re-verification period; null once they must verify again. */
    public static function current(int $userId): ?Proof
    {
        $proof = self::stored($userId);
        return $proof !== null && self::isCurrent($proof) ? $proof : null;
    }

    public static function isCurrent(Proof $proof): bool
    {
        return Clock::now() - $proof->verifiedAt < self::periodSeconds();
    }

    public static function periodSeconds(): int
    {
        return (int) Settings::get('reverify_days') * DAY_IN_SECONDS;
    }

    /**
     * Keep a checked attestation on the member's account. The `sub` is linked to it under the person's lock:
     * refused when the account already belongs to another person, or (one account per person) when the
     * person already has another account.
     *
     * @param array<string, mixed> $claims
     */
    public static function link(int $userId, array $claims): true|\WP_Error
    {
        $proof = Proof::fromClaims($claims, Clock::now());
        if ($proof === null) {
            return new \WP_Error('iamport_verify_no_age', __('This verification does not attest an age.', 'iamport-verify'));
        }
        $sub = (string) $claims['sub'];
        $linked = get_user_meta($userId, SubjectRegistry::META_KEY, true);
        if (is_string($linked) && $linked !== '' && !hash_equals($linked, $sub)) {
            return new \WP_Error('iamport_verify_other_person', __('This account is linked to another person\'s verification. Only that person can verify on it.', 'iamport-verify'));
        }
        if ($linked === '' || $linked === false) {
            if (Settings::get('one_account_per_person')) {
                if (!SubjectRegistry::lock($sub)) {
                    return new \WP_Error('iamport_verify_busy', __('Another verification for you is under way. Please try again in a moment.', 'iamport-verify'));
                }
                $owner = SubjectRegistry::accountOf($sub);
                if ($owner !== null && $owner !== $userId) {
                    return new \WP_Error('iamport_verify_account_exists', __('This verification is already linked to another account on this site. Please log in to that account.', 'iamport-verify'));
                }
            }
            SubjectRegistry::remember($userId, $sub);
        }
        self::record($userId, $proof, (string) $claims['jti']);
        return true;
    }

    /** Keep `$proof` as the member's current one (the newest verification replaces the last). */
    public static function record(int $userId, Proof $proof, string $jti): void
    {
        if (self::stored($userId) !== null) {
            update_user_meta($userId, self::RENEWALS_KEY, (int) get_user_meta($userId, self::RENEWALS_KEY, true) + 1);
        }
        update_user_meta($userId, self::PROOF_KEY, [
            'rule' => $proof->attested->rule, 'age' => $proof->attested->age, 'verified_at' => $proof->verifiedAt, 'jti' => $jti,
        ]);
        update_user_meta($userId, self::VERIFIED_AT_KEY, $proof->verifiedAt);
    }

    /** @return array{verified: int, current: int, reverified: int} members who ever verified, who are within the period, who verified again */
    public static function counts(): array
    {
        global $wpdb;
        $count = static fn (string $key): int => (int) $wpdb->get_var($wpdb->prepare("SELECT COUNT(*) FROM {$wpdb->usermeta} WHERE meta_key = %s", $key));
        $current = (int) $wpdb->get_var($wpdb->prepare(
            "SELECT COUNT(*) FROM {$wpdb->usermeta} WHERE meta_key = %s AND CAST(meta_value AS UNSIGNED) > %d",
            self::VERIFIED_AT_KEY,
            Clock::now() - self::periodSeconds()
        ));
        return ['verified' => $count(self::PROOF_KEY), 'current' => $current, 'reverified' => $count(self::RENEWALS_KEY)];
    }
}
