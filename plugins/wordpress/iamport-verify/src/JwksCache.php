<?php
/**
 * Where HttpJwks keeps the set it fetched, so that it outlives one object when it should: one PHP
 * request serves one verification, so a site whose requests should share one download backs this with its
 * framework's cache (the WordPress plugin: transients; the Gnuboard add-on: its file cache). The rule of
 * when to fetch again lives in HttpJwks alone; a cache only keeps what it is given.
 *
 * An entry is `['keys' => public JWKs by kid, 'fetched_at' => unix time, 'attempted_at' => unix time]`.
 * Keep it for a day or more, longer than HttpJwks's max age: the last keys still answer while the
 * verifier is down.
 */

declare(strict_types=1);

namespace IamportVerify;

interface JwksCache
{
    /** @return mixed the entry last set, or anything else (null, false, garbage) when there is none */
    public function get(): mixed;

    /** @param array{keys: array<string, array<string, mixed>>, fetched_at: int, attempted_at: int} $entry */
    public function set(array $entry): void;
}
