<?php
/**
 * The verifier's public keys for AttestationVerifier, fetched from `{issuer}/.well-known/jwks.json`.
 *
 *     new AttestationVerifier($issuer, $origin, new HttpJwks($issuer));
 *
 * The one home of the refetch rule, for plain PHP, Gnuboard and WordPress alike: a kid it does not know
 * refetches the set at most once per REFETCH_COOLDOWN_SECONDS, so forged kids cannot make it hammer the
 * verifier; a set older than its max age (MAX_AGE_SECONDS unless the constructor says otherwise) is fetched
 * again, so a key the verifier withdrew stops verifying; and while the verifier is down, the last keys fetched
 * still answer.
 *
 * The set is kept in memory for as long as this object lives (one PHP request, or a long-running worker),
 * unless a JwksCache on your framework's cache is given, so that requests share one download:
 *
 *     new HttpJwks($issuer, cache: new YourJwksCache(...));   // WordPress: transients, Gnuboard: its file cache
 */

declare(strict_types=1);

namespace IamportVerify;

final class HttpJwks
{
    public const REFETCH_COOLDOWN_SECONDS = 60;
    /** A set older than this is refetched even with no unknown kid, so withdrawn keys stop verifying. */
    public const MAX_AGE_SECONDS = 600;

    private readonly string $jwksUri;
    private readonly int $maxAgeSeconds;
    private readonly int $refetchCooldownSeconds;
    private readonly JwksCache $cache;
    /** @var \Closure(string): ?array{status: int, body: string} */
    private readonly \Closure $get;
    /**
     * This object's own last fetch. The cache remembers attempts only beside a set it holds, so a site whose
     * verifier was never reached asks again on its next request; a long-running worker still waits the cooldown.
     */
    private int $attemptedAt = 0;

    /**
     * @param string|null        $jwksUri the JWKS's address, when not `{issuer}/.well-known/jwks.json`
     * @param JwksCache|null     $cache   where the fetched set is kept (default: in this object)
     * @param callable|null      $get     fn(string $url): ?array{status: int, body: string}, for frameworks with
     *                                    their own HTTP client (WordPress: wp_remote_request); null when unreachable
     */
    public function __construct(
        string $issuer,
        ?string $jwksUri = null,
        int $maxAgeSeconds = self::MAX_AGE_SECONDS,
        ?JwksCache $cache = null,
        ?callable $get = null,
    ) {
        $this->jwksUri = $jwksUri ?? rtrim($issuer, '/') . '/.well-known/jwks.json';
        $this->maxAgeSeconds = max(1, $maxAgeSeconds);
        // A set can be no fresher than its max age, so a shorter max age shortens the cooldown too.
        $this->refetchCooldownSeconds = min(self::REFETCH_COOLDOWN_SECONDS, $this->maxAgeSeconds);
        $this->cache = $cache ?? new MemoryJwksCache();
        $this->get = $get === null
            ? static fn (string $url): ?array => Http::request('GET', $url)
            : \Closure::fromCallable($get);
    }

    /**
     * The public JWK with this kid, or null.
     * @throws AttestationError jwks_unavailable when there is no set at all to answer from
     */
    public function __invoke(string $kid, bool $refresh): ?array
    {
        $now = time();
        $entry = $this->cachedEntry();
        $stale = $entry === null || $now - $entry['fetched_at'] >= $this->maxAgeSeconds;
        $lastAttempt = max($entry['attempted_at'] ?? 0, $this->attemptedAt);
        $mayRefetch = $now - $lastAttempt >= $this->refetchCooldownSeconds;
        if (($stale || $refresh) && $mayRefetch) {
            $this->attemptedAt = $now;
            $fetched = $this->fetch();
            if ($fetched !== null) {
                $entry = ['keys' => $fetched, 'fetched_at' => $now, 'attempted_at' => $now];
                $this->cache->set($entry);
            } elseif ($entry !== null) {
                // The JWKS being down is not a reason to forget the keys we already had: try again after the cooldown.
                $entry['attempted_at'] = $now;
                $this->cache->set($entry);
            }
        }
        if ($entry === null) {
            throw new AttestationError('jwks_unavailable', 'The verifier\'s public keys could not be fetched.');
        }
        return $entry['keys'][$kid] ?? null;
    }

    /** @return array{keys: array<string, array>, fetched_at: int, attempted_at: int}|null what the cache holds, if it is an entry */
    private function cachedEntry(): ?array
    {
        $entry = $this->cache->get();
        if (!is_array($entry) || !is_array($entry['keys'] ?? null)
            || !is_numeric($entry['fetched_at'] ?? null) || !is_numeric($entry['attempted_at'] ?? null)) {
            return null;
        }
        // A framework's cache may hand numbers back as strings.
        return ['keys' => $entry['keys'], 'fetched_at' => (int) $entry['fetched_at'], 'attempted_at' => (int) $entry['attempted_at']];
    }

    /** @return array<string, array>|null the usable public keys by kid, or null when the set could not be had */
    private function fetch(): ?array
    {
        $response = ($this->get)($this->jwksUri);
        if ($response === null || $response['status'] !== 200) {
            return null;
        }
        $set = json_decode($response['body'], true);
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
