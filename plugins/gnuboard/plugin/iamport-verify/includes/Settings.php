<?php

declare(strict_types=1);

namespace IamportVerify\Gnuboard;

use IamportVerify\VerifierUrl;

/**
 * The add-on's settings: one spec (the defaults below), read with defaults and validated in one
 * place. An invalid value is refused (the old one stays) with a message that names it.
 */
final class Settings
{
    public const AGE_RULES = ['min_year_age', 'min_age', 'none'];
    public const PROVIDERS = ['iamport', 'portone'];
    /** The age at which Gnuboard's mb_adult is set: the Youth Protection Act's 19 (by the site's rule). */
    public const ADULT_AGE = 19;
    private const MAX_REVERIFY_DAYS = 3650;

    /** Patterns of the public ids the tag passes to the provider (see the tag's attributes in the README). */
    private const PATTERNS = [
        'imp_code' => '/^imp[0-9]{8}$/',
        'store_id' => '/^store-[A-Za-z0-9-]{1,64}$/',
        'channel_key' => '/^channel-key-[A-Za-z0-9-]{1,64}$/',
    ];

    /** @var array<string, mixed>|null this request's settings, read once */
    private static ?array $loaded = null;

    /** @return array<string, mixed> */
    public static function defaults(): array
    {
        return [
            'verifier_url' => '',
            'provider' => 'iamport',
            'imp_code' => '',
            'store_id' => '',
            'channel_key' => '',
            // The Youth Protection Act's year rule: what most 19+ content in Korea is held to.
            'age_rule' => 'min_year_age',
            'age' => self::ADULT_AGE,
            'require_on_signup' => true,
            // As for WordPress: a verification older than this no longer proves an adult (mb_adult is cleared).
            'reverify_days' => 365,
        ];
    }

    /** @return array<string, mixed> */
    public static function all(): array
    {
        if (self::$loaded === null) {
            $settings = self::defaults();
            // One query per request, no look for the table first: before the settings page has made it,
            // the query fails quietly (Gnuboard's sql_query with its error flag off) and the defaults hold.
            $result = sql_query('SELECT `name`, `value` FROM `' . Schema::settingsTable() . '`', false);
            while ($result && ($row = sql_fetch_array($result))) {
                if (array_key_exists($row['name'], $settings)) {
                    $settings[$row['name']] = json_decode($row['value'], true);
                }
            }
            self::$loaded = $settings;
        }
        return self::$loaded;
    }

    /** @return mixed */
    public static function get(string $name)
    {
        return self::all()[$name];
    }

    /** Set up enough to verify anyone: the verifier's URL is known. */
    public static function isConfigured(): bool
    {
        return self::verifierUrl() !== '';
    }

    /** The verifier's base URL without a trailing slash; it is also the attestation's issuer. '' until set. */
    public static function verifierUrl(): string
    {
        return rtrim((string) self::get('verifier_url'), '/');
    }

    /** The age claim the settings ask for: ['min_year_age' => 19], ['min_age' => 19] or []. */
    public static function ageRequirement(): array
    {
        $rule = self::get('age_rule');
        return $rule === 'none' ? [] : [$rule => (int) self::get('age')];
    }

    /** This site's origin (scheme, host, port): the audience of the attestations made on its pages. */
    public static function siteOrigin(): string
    {
        $parts = parse_url(G5_URL);
        $origin = ($parts['scheme'] ?? 'http') . '://' . ($parts['host'] ?? '');
        return isset($parts['port']) ? $origin . ':' . $parts['port'] : $origin;
    }

    /**
     * Keep what is valid in `$input` (the settings form, unescaped), refuse the rest.
     *
     * @param array<string, mixed> $input
     * @return list<string> why each refused value was refused (already translated)
     */
    public static function save(array $input): array
    {
        $current = self::all();
        $clean = $current;
        $refused = [];
        $refuse = static function (string $why, string $value) use (&$refused): void {
            $refused[] = Text::get('not_saved', $why, $value);
        };

        $url = trim((string) ($input['verifier_url'] ?? ''));
        if ($url === '' || VerifierUrl::isValid($url)) {
            $clean['verifier_url'] = rtrim($url, '/');
        } else {
            $refuse(Text::get('invalid_verifier_url'), $url);
        }
        foreach (['provider' => self::PROVIDERS, 'age_rule' => self::AGE_RULES] as $name => $allowed) {
            $value = (string) ($input[$name] ?? $current[$name]);
            if (in_array($value, $allowed, true)) {
                $clean[$name] = $value;
            } else {
                $refuse(Text::get('invalid_choice'), $value);
            }
        }
        $age = trim((string) ($input['age'] ?? ''));
        if (preg_match('/^[0-9]{1,2}$/', $age) === 1 && (int) $age >= 1) {
            $clean['age'] = (int) $age;
        } else {
            $refuse(Text::get('invalid_age'), $age);
        }
        $days = trim((string) ($input['reverify_days'] ?? ''));
        if (preg_match('/^[0-9]{1,4}$/', $days) === 1 && (int) $days >= 1 && (int) $days <= self::MAX_REVERIFY_DAYS) {
            $clean['reverify_days'] = (int) $days;
        } else {
            $refuse(Text::get('invalid_reverify_days'), $days);
        }
        foreach (self::PATTERNS as $name => $pattern) {
            $value = trim((string) ($input[$name] ?? ''));
            if ($value === '' || preg_match($pattern, $value) === 1) {
                $clean[$name] = $value;
            } else {
                $refuse(Text::get('invalid_' . $name), $value);
            }
        }
        $clean['require_on_signup'] = !empty($input['require_on_signup']);

        Schema::ensure();
        foreach ($clean as $name => $value) {
            sql_query('REPLACE INTO `' . Schema::settingsTable() . "` SET `name` = '" . sql_real_escape_string($name)
                . "', `value` = '" . sql_real_escape_string(json_encode($value, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE)) . "'");
        }
        self::$loaded = $clean;
        return $refused;
    }
}
