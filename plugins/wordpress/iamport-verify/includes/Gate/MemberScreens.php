<?php

declare(strict_types=1);

namespace IamportVerify\WordPress\Gate;

use IamportVerify\WordPress\Settings;

defined('ABSPATH') || exit;

/**
 * A member's verification where people look for it: on their own profile (its state, and the tag to
 * verify or verify again, through the same endpoint as a gate), and in Users, a column with each member's
 * proof (rule, age, date) for inspection. Nothing personal: there is nothing personal kept.
 */
final class MemberScreens
{
    public const COLUMN = 'iamport_verify';

    public static function register(): void
    {
        add_action('show_user_profile', [self::class, 'ownProfile']);
        add_action('edit_user_profile', [self::class, 'othersProfile']);
        add_filter('manage_users_columns', [self::class, 'addColumn']);
        add_filter('manage_users_custom_column', [self::class, 'column'], 10, 3);
    }

    /** The gate rule a profile verification asks: the settings' age rule, or the Youth Protection Act's 19 when it has none. */
    public static function profileRule(): AgeRule
    {
        $requirement = Settings::ageRequirement();
        return $requirement === [] ? AgeRule::fallback() : new AgeRule((string) array_key_first($requirement), (int) reset($requirement));
    }

    public static function ownProfile(\WP_User $user): void
    {
        echo '<h2 id="iamport-verify-profile">' . esc_html__('Age verification', 'iamport-verify') . '</h2>';
        echo '<table class="form-table" role="presentation"><tr><th scope="row">' . esc_html__('Status', 'iamport-verify') . '</th><td>';
        echo '<p id="iamport-verify-status">' . esc_html(self::describe($user->ID)) . '</p>';
        echo GateBox::render(self::profileRule(), null, __('Verify your age once here, and the restricted content of this site opens for you while your verification is current.', 'iamport-verify')); // phpcs:ignore WordPress.Security.EscapeOutput -- escaped in render()
        echo '</td></tr></table>';
    }

    public static function othersProfile(\WP_User $user): void
    {
        echo '<h2>' . esc_html__('Age verification', 'iamport-verify') . '</h2><p>' . esc_html(self::describe($user->ID)) . '</p>';
    }

    /** @param array<string, string> $columns */
    public static function addColumn(array $columns): array
    {
        $columns[self::COLUMN] = __('Age verification', 'iamport-verify');
        return $columns;
    }

    public static function column(mixed $output, mixed $column, mixed $userId): string
    {
        return $column === self::COLUMN ? esc_html(self::describe((int) $userId)) : (string) $output;
    }

    /** "19+ (year rule), verified 2026-12-07" / "…, verification expired" / "Not verified". */
    private static function describe(int $userId): string
    {
        $proof = MemberProofs::stored($userId);
        if ($proof === null) {
            return __('Not verified', 'iamport-verify');
        }
        $date = wp_date(get_option('date_format') ?: 'Y-m-d', $proof->verifiedAt);
        return MemberProofs::isCurrent($proof)
            /* translators: 1: the age rule, such as "19+ (year rule)", 2: a date */
            ? sprintf(__('%1$s, verified on %2$s', 'iamport-verify'), $proof->attested->label(), $date)
            /* translators: 1: the age rule, such as "19+ (year rule)", 2: a date */
            : sprintf(__('%1$s, verified on %2$s: expired, to be verified again', 'iamport-verify'), $proof->attested->label(), $date);
    }
}
