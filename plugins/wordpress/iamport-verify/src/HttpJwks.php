<?php
/**
 * The verifier's public keys for AttestationVerifier, fetched from `{issuer}/.well-known/jwks.json`
 * and kept in memory for as long as this object lives (one PHP request, or a long-running worker).
 *
 *     new AttestationVerifier($issuer, $origin, new HttpJwks($issuer));
 *
 * A kid it does not know refetches the set at most once per REFETCH_COOLDOWN_SECONDS, so forged
 * kids cannot make it hammer the verifier; a set older than its max age (MAX_AGE_SECONDS unless
 * the constructor says otherwise) is fetched again, so a key the verifier withdrew stops verifying. For a cache shared across requests, write a resolver
 * on your framework's cache (the WordPress plugin uses transients) with the same two rules.
 */

declare(strict_types=1);

namespace IamportVerify;

final class HttpJwks
{
    public const REFETCH_COOLDOWN_SECONDS = 60;
    /** A set older than this is refetched even with no unknown kid, so withdrawn keys stop verifying. */
    public const MAX_AGE_SECONDS = 600;

    private readonly string $jwksUri;
    /** @var array<string, array> public JWKs by kid; null until the first fetch */
    private ?array $keys = null;
    private int $fetchedAt = 0;
    private int $attemptedAt = 0;
    private readonly int $maxAgeSeconds;
    private readonly int $refetchCooldownSeconds;

    public function __construct(string $issuer, ?string $jwksUri = null, int $maxAgeSeconds = self::MAX_AGE_SECONDS)
    {
        $this->jwksUri = $jwksUri ?? rtrim($issuer, '/') . '/.well-known/jwks.json';
        $this->maxAgeSeconds = max(1, $maxAgeSeconds);
        // A set can be no fresher than its max age, so a shorter max age shortens the cooldown too.
        $this->refetchCooldownSeconds = min(self::REFETCH_COOLDOWN_SECONDS, $this->maxAgeSeconds);
    }

    /**
     * The public JWK with this kid, or null.
     * @throws AttestationError jwks_unavailable when there is no set at all to answer from
     */
    public function __invoke(string $kid, bool $refresh): ?array
    {
        $now = time();
        $stale = $this->keys === null || $now - $this->fetchedAt >= $this->maxAgeSeconds;
        $mayRefetch = $now - $this->attemptedAt >= $this->refetchCooldownSeconds;
        if (($stale || $refresh) && $mayRefetch) {
            $this->attemptedAt = $now;
            $fetched = $this->fetch();
            if ($fetched !== null) {
                [$this->keys, $this->fetchedAt] = [$fetched, $now];
            }
        }
        // The JWKS being down is not a reason to forget the keys we already had.
        if ($this->keys === null) {
            throw new AttestationError('jwks_unavailable', 'The verifier\'s public keys could not be fetched.');
        }
        return $this->keys[$kid] ?? null;
    }

    /** @return array<string, array>|null the usable public keys by kid, or null when the set could not be had */
    private function fetch(): ?array
    {
        $response = Http::request('GET', $this->jwksUri);
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
