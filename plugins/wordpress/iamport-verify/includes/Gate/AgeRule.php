<?php

declare(strict_types=1);

namespace IamportVerify\WordPress\Gate;

defined('ABSPATH') || exit;

/**
 * What a gate asks: an age under one of the two Korean rules. `min_year_age` is the Youth Protection
 * Act's year rule (this year minus the birth year: "19세 이상" for 청소년유해매체물), `min_age` is 만 나이.
 * Stored as "min_year_age:19" in post and term meta.
 */
final class AgeRule
{
    public const YEAR_RULE = 'min_year_age';
    public const INTERNATIONAL_AGE = 'min_age';
    public const RULES = [self::YEAR_RULE, self::INTERNATIONAL_AGE];
    /** The Youth Protection Act's line: 청소년 are those under 19 by the year rule (제2조). */
    public const YOUTH_PROTECTION_AGE = 19;
    private const MIN = 1;
    private const MAX = 99;

    public function __construct(
        public readonly string $rule,
        public readonly int $age,
    ) {
        if (!in_array($rule, self::RULES, true) || $age < self::MIN || $age > self::MAX) {
            throw new \InvalidArgumentException('An age rule is min_year_age or min_age with an age from 1 to 99.');
        }
    }

    /** The rule of a stored "rule:age" value, or null for none (or a value that is not one). */
    public static function fromStored(mixed $stored): ?self
    {
        if (!is_string($stored) || preg_match('/^(min_year_age|min_age):([0-9]{1,2})$/', $stored, $parts) !== 1) {
            return null;
        }
        return self::tryMake($parts[1], (int) $parts[2]);
    }

    /** The rule of an untrusted pair (a form, a request, a block's attributes), or null when it is not one. */
    public static function tryMake(mixed $rule, mixed $age): ?self
    {
        $age = is_string($age) && preg_match('/^[0-9]{1,2}$/', trim($age)) === 1 ? (int) trim($age) : $age;
        if (!is_string($rule) || !in_array($rule, self::RULES, true) || !is_int($age) || $age < self::MIN || $age > self::MAX) {
            return null;
        }
        return new self($rule, $age);
    }

    /** The gate a content author meant when what they wrote is not a valid rule: never none (fail closed). */
    public static function fallback(): self
    {
        return new self(self::YEAR_RULE, self::YOUTH_PROTECTION_AGE);
    }

    public function stored(): string
    {
        return $this->rule . ':' . $this->age;
    }

    /** What AttestationVerifier is asked: ['min_year_age' => 19]. */
    public function requirement(): array
    {
        return [$this->rule => $this->age];
    }

    /** The tag's attribute for it: min-year-age or min-age. */
    public function tagAttribute(): string
    {
        return str_replace('_', '-', $this->rule);
    }

    /** "19+ (year rule)" or "19+ (만 나이)", for people. */
    public function label(): string
    {
        return $this->rule === self::YEAR_RULE
            /* translators: %d: an age */
            ? sprintf(__('%d+ (year rule)', 'iamport-verify'), $this->age)
            /* translators: %d: an age */
            : sprintf(__('%d+ (international age, 만 나이)', 'iamport-verify'), $this->age);
    }
}
