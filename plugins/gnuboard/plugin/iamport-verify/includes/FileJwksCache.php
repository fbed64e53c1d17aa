<?php

declare(strict_types=1);

namespace IamportVerify\Gnuboard;

use IamportVerify\JwksCache;

/**
 * HttpJwks's cache on Gnuboard's file cache (data/cache, g5_get_cache/g5_set_cache), so that every
 * verification on the site shares one download of the verifier's keys. HttpJwks decides when to refetch.
 */
final class FileJwksCache implements JwksCache
{
    /** Kept well past HttpJwks's max age: the last keys still answer while the verifier is down. */
    private const KEEP_SECONDS = 86400;

    private readonly string $key;

    public function __construct(string $verifierUrl)
    {
        // The name an earlier version kept the same entry under, so an update starts with the keys it had.
        $this->key = 'iamport-verify-jwks-' . md5($verifierUrl);
    }

    public function get(): mixed
    {
        return g5_get_cache($this->key);
    }

    public function set(array $entry): void
    {
        g5_set_cache($this->key, $entry, self::KEEP_SECONDS);
    }
}
