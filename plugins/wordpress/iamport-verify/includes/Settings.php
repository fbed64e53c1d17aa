<?php

declare(strict_types=1);

namespace IamportVerify\WordPress;

use IamportVerify\VerifierUrl;

defined('ABSPATH') || exit;

/**
 * The plugin's settings: one option (an array), one spec per setting, read with defaults and
 * validated in one place. An invalid value is refused (the old one stays) with a message that
 * quotes it escaped.
 */
final class Settings
{
    public const OPTION = 'iamport_verify_settings';
    public const AGE_RULES = ['min_age', 'min_year_age', 'none'];
    public const PROVIDERS = ['iamport', 'portone'];

    /** Patterns of the public ids the tag passes to the provider (see the tag's attributes in the README). */
    private const PATTERNS = [
        'imp_code' => '/^imp[0-9]{8}$/',
        'store_id' => '/^store-[A-Za-z0-9-]{1,64}$/',
        'channel_key' => '/^channel-key-[A-Za-z0-9-]{1,64}$/',
    ];

    /** @return array<string, mixed> */
    public static function defaults(): array
    {
        return [
            'verifier_url' => '',
            'provider' => 'iamport',
            'imp_code' => '',
            'store_id' => '',
            'channel_key' => '',
            'age_rule' => 'min_age',
            'age' => 19,
            'require_on_registration' => true,
            'one_account_per_person' => true,
            'reverify_days' => 365,
            'guest_hours' => 0,
        ];
    }

    /** @return array<string, mixed> */
    public static function all(): array
    {
        $stored = get_option(self::OPTION, []);
        return array_merge(self::defaults(), is_array($stored) ? array_intersect_key($stored, self::defaults()) : []);
    }

    public static function get(string $name): mixed
    {
        return self::all()[$name];
    }

    /** The verifier's base URL without a trailing slash; it is also the attestation's issuer. '' until set. */
    public static function verifierUrl(): string
    {
        return untrailingslashit((string) self::get('verifier_url'));
    }

    /** The age claim the settings ask for: ['min_age' => 19], ['min_year_age' => 19] or []. */
    public static function ageRequirement(): array
    {
        $rule = self::get('age_rule');
        return $rule === 'none' ? [] : [$rule => (int) self::get('age')];
    }

    /** This site's origin (scheme, host, port): the audience of the attestations made on its pages. */
    public static function siteOrigin(): string
    {
        return self::originOf(home_url());
    }

    /** The scheme, host and port of an absolute URL. */
    public static function originOf(string $url): string
    {
        $parts = wp_parse_url($url);
        $origin = ($parts['scheme'] ?? '') . '://' . ($parts['host'] ?? '');
        return isset($parts['port']) ? $origin . ':' . $parts['port'] : $origin;
    }

    /**
     * The settings API's sanitize callback: keeps what is valid, refuses the rest with a settings error.
     *
     * @return array<string, mixed>
     */
    public static function sanitize(mixed $input): array
    {
        $current = self::all();
        $input = is_array($input) ? wp_unslash($input) : [];
        $clean = $current;

        $url = trim((string) ($input['verifier_url'] ?? ''));
        if ($url === '' || VerifierUrl::isValid($url)) {
            $clean['verifier_url'] = $url === '' ? '' : esc_url_raw(untrailingslashit($url), ['http', 'https']);
        } else {
            self::refuse('verifier_url', __('The verifier URL must be an http(s) address with no path, query or fragment, such as https://verify.example.com', 'iamport-verify'), $url);
        }

        foreach (['provider' => self::PROVIDERS, 'age_rule' => self::AGE_RULES] as $name => $allowed) {
            $value = (string) ($input[$name] ?? $current[$name]);
            if (in_array($value, $allowed, true)) {
                $clean[$name] = $value;
            } else {
                self::refuse($name, __('This choice is not one of the offered ones.', 'iamport-verify'), $value);
            }
        }

        $age = trim((string) ($input['age'] ?? ''));
        if (preg_match('/^[0-9]{1,2}$/', $age) && (int) $age >= 1) {
            $clean['age'] = (int) $age;
        } else {
            self::refuse('age', __('The age must be a whole number from 1 to 99 (one your verifier allows).', 'iamport-verify'), $age);
        }

        $messages = [
            'imp_code' => __('The merchant code is "imp" and 8 digits, such as imp12345678.', 'iamport-verify'),
            'store_id' => __('The store id starts with "store-".', 'iamport-verify'),
            'channel_key' => __('The channel key starts with "channel-key-".', 'iamport-verify'),
        ];
        foreach (self::PATTERNS as $name => $pattern) {
            $value = trim((string) ($input[$name] ?? ''));
            if ($value === '' || preg_match($pattern, $value)) {
                $clean[$name] = $value;
            } else {
                self::refuse($name, $messages[$name], $value);
            }
        }

        $bounds = [
            'reverify_days' => [1, 3650, __('The re-verification period is a whole number of days from 1 to 3650.', 'iamport-verify')],
            'guest_hours' => [0, 720, __('A guest\'s pass lasts a whole number of hours from 0 (the browser session) to 720.', 'iamport-verify')],
        ];
        foreach ($bounds as $name => [$min, $max, $why]) {
            $value = trim((string) ($input[$name] ?? $current[$name]));
            if (preg_match('/^[0-9]{1,4}$/', $value) && (int) $value >= $min && (int) $value <= $max) {
                $clean[$name] = (int) $value;
            } else {
                self::refuse($name, $why, $value);
            }
        }

        foreach (['require_on_registration', 'one_account_per_person'] as $name) {
            $clean[$name] = !empty($input[$name]);
        }
        return $clean;
    }

    /** A settings error that names the refused value. settings_errors() prints messages as HTML, so both parts are escaped here. */
    private static function refuse(string $name, string $why, string $value): void
    {
        add_settings_error(
            self::OPTION,
            'iamport_verify_' . $name,
            /* translators: 1: why the value was refused, 2: the refused value */
            esc_html(sprintf(__('%1$s Not saved: "%2$s".', 'iamport-verify'), $why, $value))
        );
    }
}
