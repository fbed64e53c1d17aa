<?php
/**
 * What a site asks of an attestation beyond "genuine, for us, in date": the age, the under-14
 * guardian and the nonce. One definition, used by both AttestationVerifier and IntrospectionVerifier.
 */

declare(strict_types=1);

namespace IamportVerify;

final class Requirements
{
    /** The requirement => the claim it reads. `min_age` is 만 나이; `min_year_age` the Youth Protection Act's year rule. */
    private const AGE_CLAIMS = ['min_age' => 'age_over', 'min_year_age' => 'year_age_over'];

    /** The age (만 나이) at which the Civil Act makes someone an adult, as a guardian must be. */
    private const GUARDIAN_MIN_AGE = 19;

    /**
     * Refuse a mistaken `$require` at once: it is the caller's bug, not a bad token.
     * @throws \InvalidArgumentException
     */
    public static function validate(array $require): void
    {
        foreach ($require as $name => $value) {
            $valid = match ($name) {
                'min_age', 'min_year_age', 'guardian_under' => is_int($value) && $value >= 0,
                'nonce' => is_string($value) && $value !== '',
                default => throw new \InvalidArgumentException(
                    "Unknown requirement \"$name\" (known: min_age, min_year_age, guardian_under, nonce)."
                ),
            };
            if (!$valid) {
                throw new \InvalidArgumentException("The requirement \"$name\" has a value of the wrong type.");
            }
        }
    }

    /** @throws AttestationError age_too_low, guardian_missing or nonce_mismatch */
    public static function check(array $claims, array $require): void
    {
        foreach (self::AGE_CLAIMS as $name => $claim) {
            if (!isset($require[$name])) {
                continue;
            }
            // The token says which rule was checked: a year-rule token never passes for 만 나이, nor the reverse.
            $attested = $claims[$claim] ?? null;
            if (!is_int($attested) || $attested < $require[$name]) {
                throw new AttestationError('age_too_low', "The token does not attest $claim of at least {$require[$name]}.");
            }
        }
        if (isset($require['guardian_under']) && !self::hasGuardianOrAge($claims, $require['guardian_under'])) {
            throw new AttestationError(
                'guardian_missing',
                "The token attests neither age_over of at least {$require['guardian_under']} nor a guardian for someone under it."
            );
        }
        if (isset($require['nonce']) && ($claims['nonce'] ?? null) !== $require['nonce']) {
            throw new AttestationError('nonce_mismatch', 'The token\'s nonce is not the one expected.');
        }
    }

    /**
     * Under-14 consent (`guardian_under`): the person is at least that age (만 나이), or the token says
     * `age_under` at most that age together with a `guardian` who verified as an adult.
     */
    private static function hasGuardianOrAge(array $claims, int $age): bool
    {
        if (is_int($claims['age_over'] ?? null) && $claims['age_over'] >= $age) {
            return true;
        }
        $guardian = $claims['guardian'] ?? null;
        return is_int($claims['age_under'] ?? null) && $claims['age_under'] <= $age
            && is_array($guardian) && is_string($guardian['sub'] ?? null) && $guardian['sub'] !== ''
            && is_int($guardian['age_over'] ?? null) && $guardian['age_over'] >= self::GUARDIAN_MIN_AGE;
    }
}
