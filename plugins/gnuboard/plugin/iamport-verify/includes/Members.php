<?php

declare(strict_types=1);

namespace IamportVerify\Gnuboard;

/**
 * One account per person, in Gnuboard's own terms: the attestation's pairwise `sub` goes in the
 * member's `mb_dupinfo` (where Gnuboard's duplicate checks look), `mb_certify` and `mb_adult` are
 * set so that boards with `bo_use_cert` admit the member, and the add-on's table keeps when they
 * verified. Nothing else of the person is stored.
 *
 * Two sign-ups of one person at the same moment must not both pass: the check and the write run
 * under a database lock named after the `sub` (MariaDB/MySQL GET_LOCK), held until the request
 * ends, so the second one waits, then finds the first one's member.
 */
final class Members
{
    /**
     * What mb_certify says: 'hp' (휴대폰 본인확인), a value Gnuboard's skins and admin already show,
     * since Iamport's and PortOne's verification is the carriers' mobile one.
     */
    public const CERTIFY = 'hp';
    /** How long a sign-up waits for another one of the same person to finish. */
    private const LOCK_WAIT_SECONDS = 10;
    private const SECONDS_PER_DAY = 86400;

    private static ?string $heldLock = null;

    /** Take the person's lock (kept until the request ends); false when another sign-up holds it too long. */
    public static function lock(string $sub): bool
    {
        // Lock names are global to the database server (at most 64 characters): scope them to this site's tables.
        $name = 'iamport_verify_' . substr(hash('sha256', G5_TABLE_PREFIX . "\0" . $sub), 0, 40);
        $row = sql_fetch("SELECT GET_LOCK('$name', " . self::LOCK_WAIT_SECONDS . ') AS locked', false);
        if ((string) ($row['locked'] ?? '') !== '1') {
            return false;
        }
        self::$heldLock = $name;
        register_shutdown_function(self::release(...));
        return true;
    }

    public static function release(): void
    {
        if (self::$heldLock !== null) {
            sql_query("SELECT RELEASE_LOCK('" . self::$heldLock . "')", false);
            self::$heldLock = null;
        }
    }

    /** The member (other than `$except`) who already holds this person's `sub`, if any; left members hold none. */
    public static function holderOf(string $sub, string $except = ''): ?string
    {
        global $g5;
        $row = sql_fetch("SELECT mb_id FROM `{$g5['member_table']}` WHERE mb_dupinfo = '" . sql_real_escape_string($sub)
            . "' AND mb_id <> '" . sql_real_escape_string($except) . "' LIMIT 1", false);
        return is_array($row) && isset($row['mb_id']) ? (string) $row['mb_id'] : null;
    }

    /** The member verified as the person of `$claims`: Gnuboard's gates now admit them. */
    public static function record(string $mbId, array $claims): void
    {
        global $g5;
        Schema::ensure();
        $id = sql_real_escape_string($mbId);
        $adult = Attestation::provesAdult($claims) ? 1 : 0;
        sql_query("UPDATE `{$g5['member_table']}` SET mb_certify = '" . self::CERTIFY . "', mb_adult = $adult, mb_dupinfo = '"
            . sql_real_escape_string($claims['sub']) . "' WHERE mb_id = '$id'");
        sql_query('REPLACE INTO `' . Schema::membersTable() . "` SET mb_id = '$id', verified_at = '"
            . date('Y-m-d H:i:s', Attestation::verifiedAt($claims)) . "'");
    }

    /**
     * A member verified here longer ago than the site's period is no longer taken for an adult:
     * mb_adult is cleared (in the database and in this request's `$member`) until they verify again.
     *
     * @param array<string, mixed> $member Gnuboard's $member
     */
    public static function expireIfDue(array &$member): void
    {
        global $g5;
        if (empty($member['mb_id']) || empty($member['mb_adult'])) {
            return;
        }
        $id = sql_real_escape_string($member['mb_id']);
        // Before the add-on's table exists the query fails quietly (error flag off): no row, nothing to expire.
        $row = sql_fetch('SELECT verified_at FROM `' . Schema::membersTable() . "` WHERE mb_id = '$id'", false);
        if (!is_array($row) || !isset($row['verified_at'])) {
            return; // verified by Gnuboard's own check (or never): not ours to expire
        }
        $age = time() - strtotime((string) $row['verified_at']);
        if ($age > (int) Settings::get('reverify_days') * self::SECONDS_PER_DAY) {
            sql_query("UPDATE `{$g5['member_table']}` SET mb_adult = 0 WHERE mb_id = '$id'");
            $member['mb_adult'] = 0;
        }
    }
}
