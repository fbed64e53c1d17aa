<?php

declare(strict_types=1);

namespace IamportVerify\Gnuboard;

/**
 * The add-on's two tables, beside Gnuboard's own (same prefix): its settings, and when each member
 * verified (for the re-verification period). Nothing of the person is in either: the pairwise `sub`
 * lives in Gnuboard's own `mb_dupinfo`, where Gnuboard's duplicate checks look for it.
 */
final class Schema
{
    public static function settingsTable(): string
    {
        return G5_TABLE_PREFIX . 'iamport_verify_config';
    }

    public static function membersTable(): string
    {
        return G5_TABLE_PREFIX . 'iamport_verify_member';
    }

    /** Create the tables when missing (the settings page does, so installing is copying files and opening it once). */
    public static function ensure(): void
    {
        sql_query('CREATE TABLE IF NOT EXISTS `' . self::settingsTable() . '` (
            `name` varchar(40) NOT NULL,
            `value` text NOT NULL,
            PRIMARY KEY (`name`)
        ) DEFAULT CHARSET=utf8mb4', true);
        // mb_id as in g5_member (varchar(20)).
        sql_query('CREATE TABLE IF NOT EXISTS `' . self::membersTable() . '` (
            `mb_id` varchar(20) NOT NULL,
            `verified_at` datetime NOT NULL,
            PRIMARY KEY (`mb_id`)
        ) DEFAULT CHARSET=utf8mb4', true);
    }
}
