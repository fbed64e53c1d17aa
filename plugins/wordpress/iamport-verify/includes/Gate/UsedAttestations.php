<?php

declare(strict_types=1);

namespace IamportVerify\WordPress\Gate;

defined('ABSPATH') || exit;

/**
 * An attestation opens gates once: its `jti` is written down (a hash of it, until the token expires),
 * so a token passed around cannot give a pass to every browser it reaches in its ten minutes.
 * INSERT IGNORE on the options table's unique name makes "first use wins" hold with requests at once.
 */
final class UsedAttestations
{
    private const PREFIX = 'iamport_verify_used_';

    /** True the first time this attestation is used here, false after. */
    public static function claim(string $jti, int $expiresAt): bool
    {
        global $wpdb;
        $wpdb->query($wpdb->prepare(
            "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s AND CAST(option_value AS UNSIGNED) < %d",
            $wpdb->esc_like(self::PREFIX) . '%',
            time()
        ));
        $inserted = $wpdb->query($wpdb->prepare(
            "INSERT IGNORE INTO {$wpdb->options} (option_name, option_value, autoload) VALUES (%s, %s, 'no')",
            self::PREFIX . substr(hash('sha256', $jti), 0, 40),
            (string) $expiresAt
        ));
        return $inserted === 1;
    }
}
