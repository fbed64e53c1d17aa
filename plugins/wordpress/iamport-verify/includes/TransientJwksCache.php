<?php

declare(strict_types=1);

namespace IamportVerify\WordPress;

use IamportVerify\JwksCache;

defined('ABSPATH') || exit;

/**
 * HttpJwks's cache on WordPress transients (the object cache where a site has one), so that every
 * verification on the site shares one download of the verifier's keys. HttpJwks decides when to refetch.
 */
final class TransientJwksCache implements JwksCache
{
    /** Kept well past HttpJwks's max age: the last keys still answer while the verifier is down. */
    private const KEEP_SECONDS = DAY_IN_SECONDS;

    private readonly string $transient;

    public function __construct(string $verifierUrl)
    {
        // The name an earlier version kept the same entry under, so an update starts with the keys it had.
        $this->transient = 'iamport_verify_jwks_' . md5($verifierUrl);
    }

    public function get(): mixed
    {
        return get_transient($this->transient);
    }

    public function set(array $entry): void
    {
        set_transient($this->transient, $entry, self::KEEP_SECONDS);
    }
}
