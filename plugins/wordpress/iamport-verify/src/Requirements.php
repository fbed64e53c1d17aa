<?php
/**
 * What a site asks of an attestation beyond "genuine, for us, in date": the age and the nonce.
 * One definition, used by both AttestationVerifier and IntrospectionVerifier.
 */

declare(strict_types=1);

namespace IamportVerify;

final class Requirements
{
    /** The requirement => the claim it reads. `min_age` is 만 나이; `min_year_age` the Youth Protection Act's year rule. */
    private const AGE_CLAIMS = ['min_age' => 'age_over', 'min_year_age' => 'year_age_over'];

    /**
     * Refuse a mistaken `$require` at once: it is the caller's bug, not a bad token.
     * @throws \InvalidArgumentException
     */
    public static function validate(array $require): void
    {
        foreach ($require as $name => $value) {
            $valid = match ($name) {
                'min_age', 'min_year_age' => is_int($value) && $value >= 0,
                'nonce' => is_string($value) && $value !== '',
                default => throw new \InvalidArgumentException(
                    "Unknown requirement \"$name\" (known: min_age, min_year_age, nonce)."
                ),
            };
            if (!$valid) {
                throw new \InvalidArgumentException("The requirement \"$name\" has a value of the wrong type.");
            }
        }
    }

    /** @throws AttestationError age_too_low or nonce_mismatch */
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
        if (isset($require['nonce']) && ($claims['nonce'] ?? null) !== $require['nonce']) {
            throw new AttestationError('nonce_mismatch', 'The token\'s nonce is not the one expected.');
        }
    }
}
