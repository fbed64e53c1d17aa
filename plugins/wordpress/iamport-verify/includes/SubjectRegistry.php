<?php

declare(strict_types=1);

namespace IamportVerify\WordPress;

defined('ABSPATH') || exit;

/**
 * One account per person: the attestation's pairwise `sub` is kept in the account's user meta
 * (and nothing else from the token is). Two registrations of one person at the same moment must
 * not both pass, so the check and the account's creation run under a database lock named after
 * the `sub` (MariaDB/MySQL GET_LOCK), held until the request ends: the second registration waits,
 * then finds the first one's account.
 */
final class SubjectRegistry
{
    public const META_KEY = 'iamport_verify_sub';
    /** How long a registration waits for another one of the same person to finish. */
    private const LOCK_WAIT_SECONDS = 10;

    /** @var string|null the lock this request holds */
    private static ?string $heldLock = null;

    /** Take the person's lock (kept until the request ends); false when another registration holds it too long. */
    public static function lock(string $sub): bool
    {
        global $wpdb;
        // Lock names are global to the database server (at most 64 characters): scope them to this site's tables.
        $name = 'iamport_verify_' . substr(hash('sha256', $wpdb->prefix . "\0" . $sub), 0, 40);
        if ($wpdb->get_var($wpdb->prepare('SELECT GET_LOCK(%s, %d)', $name, self::LOCK_WAIT_SECONDS)) !== '1') {
            return false;
        }
        self::$heldLock = $name;
        add_action('shutdown', [self::class, 'release']);
        return true;
    }

    public static function release(): void
    {
        global $wpdb;
        if (self::$heldLock !== null) {
            $wpdb->query($wpdb->prepare('SELECT RELEASE_LOCK(%s)', self::$heldLock));
            self::$heldLock = null;
        }
    }

    /** The account this person already has, if any. Read from the database, not the object cache, as it must be current. */
    public static function accountOf(string $sub): ?int
    {
        global $wpdb;
        $userId = $wpdb->get_var($wpdb->prepare(
            "SELECT user_id FROM {$wpdb->usermeta} WHERE meta_key = %s AND meta_value = %s LIMIT 1",
            self::META_KEY,
            $sub
        ));
        return $userId === null ? null : (int) $userId;
    }

    public static function remember(int $userId, string $sub): void
    {
        add_user_meta($userId, self::META_KEY, $sub, true);
    }
}
