<?php

declare(strict_types=1);

namespace IamportVerify\WordPress\Gate;

defined('ABSPATH') || exit;

/**
 * What a verification proved, as kept for a member or a guest: the rule and the age the attestation
 * attested (its `age_over` or `year_age_over`, the threshold asked, never the person's age) and when.
 * Nothing personal.
 */
final class Proof
{
    /** The claim each rule's age is read from. */
    private const CLAIMS = [AgeRule::INTERNATIONAL_AGE => 'age_over', AgeRule::YEAR_RULE => 'year_age_over'];

    public function __construct(
        public readonly AgeRule $attested,
        public readonly int $verifiedAt,
    ) {
    }

    /**
     * The proof in an attestation's claims (already checked, so at most minutes old), kept at `$keptAt`, or null
     * when it attests no age. The period is measured on this site's clock at both ends (Clock), not from the
     * verifier's `verified_at`: one clock, so a skewed one moves nothing.
     */
    public static function fromClaims(array $claims, int $keptAt): ?self
    {
        foreach (self::CLAIMS as $rule => $claim) {
            if (is_int($claims[$claim] ?? null)) {
                $attested = AgeRule::tryMake($rule, $claims[$claim]);
                return $attested === null ? null : new self($attested, $keptAt);
            }
        }
        return null;
    }

    /**
     * Whether this proof opens a gate. 만 나이 is never more than the year rule's age (the year rule is
     * this year minus the birth year, 만 나이 subtracts one more until the birthday), so a 만 나이 proof of
     * N opens a year-rule gate of N; a year-rule proof never opens a 만 나이 gate.
     */
    public function covers(AgeRule $gate): bool
    {
        if ($this->attested->rule === AgeRule::YEAR_RULE && $gate->rule === AgeRule::INTERNATIONAL_AGE) {
            return false;
        }
        return $this->attested->age >= $gate->age;
    }
}
