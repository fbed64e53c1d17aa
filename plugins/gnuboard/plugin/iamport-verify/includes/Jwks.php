<?php

declare(strict_types=1);

namespace IamportVerify\Gnuboard;

use IamportVerify\AttestationError;
use IamportVerify\Http;
use IamportVerify\HttpJwks;

/**
 * The key resolver AttestationVerifier takes, on Gnuboard's file cache (data/cache), so that
 * verifications share one download of the verifier's public keys. The same two rules, and numbers, as
 * the shared HttpJwks: an unknown kid refetches at most once per cooldown (forged kids cannot flood the
 * verifier), and a set older than its maximum age is refetched (withdrawn keys stop verifying).
 */
final class Jwks
{
    /** How long a fetched set is kept at all: the last keys we had still answer while the verifier is down. */
    private const CACHE_SECONDS = 86400;

    public function __construct(private readonly string $verifierUrl)
    {
    }

    /** @return array<string, string>|null the public JWK with this kid, or null */
    public function __invoke(string $kid, bool $refresh): ?array
    {
        $cacheKey = 'iamport-verify-jwks-' . md5($this->verifierUrl);
        $cached = g5_get_cache($cacheKey);
        $cached = is_array($cached) && isset($cached['keys'], $cached['fetched_at'], $cached['attempted_at']) ? $cached : null;
        $now = time();
        $stale = $cached === null || $now - $cached['fetched_at'] >= HttpJwks::MAX_AGE_SECONDS;
        $mayRefetch = $cached === null || $now - $cached['attempted_at'] >= HttpJwks::REFETCH_COOLDOWN_SECONDS;
        if (($stale || $refresh) && $mayRefetch) {
            $keys = $this->fetch();
            $cached = $keys === null
                ? ($cached === null ? null : ['attempted_at' => $now] + $cached)
                : ['keys' => $keys, 'fetched_at' => $now, 'attempted_at' => $now];
            if ($cached !== null) {
                g5_set_cache($cacheKey, $cached, self::CACHE_SECONDS);
            }
        }
        if ($cached === null) {
            throw new AttestationError('jwks_unavailable', 'The verifier\'s public keys could not be fetched.');
        }
        return $cached['keys'][$kid] ?? null;
    }

    /** @return array<string, array<string, string>>|null public members of the keys, by kid; null when unreachable */
    private function fetch(): ?array
    {
        $response = Http::request('GET', $this->verifierUrl . '/.well-known/jwks.json');
        $set = $response !== null && $response['status'] === 200 ? json_decode($response['body'], true) : null;
        if (!is_array($set) || !is_array($set['keys'] ?? null)) {
            return null;
        }
        $keys = [];
        foreach ($set['keys'] as $jwk) {
            if (is_array($jwk) && is_string($jwk['kid'] ?? null)) {
                // Public members only, whatever else the JWK holds; AttestationVerifier checks them.
                $keys[$jwk['kid']] = array_intersect_key($jwk, array_flip(['kty', 'crv', 'x', 'y', 'kid', 'alg', 'use']));
            }
        }
        return $keys;
    }
}
