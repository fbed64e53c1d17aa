<?php

declare(strict_types=1);

namespace IamportVerify\WordPress;

use IamportVerify\AttestationError;

defined('ABSPATH') || exit;

/**
 * What the plugin asks the verifier over HTTP, cached in transients so that verifications share
 * one download: its public keys (the JWKS, for the offline check) and its discovery document
 * (whether it runs on the sandbox).
 */
final class VerifierClient
{
    /** An unknown `kid` refetches the JWKS at most once per this long, so forged kids cannot flood the verifier. */
    public const JWKS_REFETCH_COOLDOWN = MINUTE_IN_SECONDS;
    /** A cached JWKS is refetched after this long even with no unknown kid, so withdrawn keys stop verifying. */
    public const JWKS_MAX_AGE = 10 * MINUTE_IN_SECONDS;
    /** How long the discovery document (sandbox or not) is trusted. */
    private const DISCOVERY_MAX_AGE = HOUR_IN_SECONDS;
    private const TIMEOUT_SECONDS = 5;
    /**
     * After a request to the verifier fails to connect or times out, none is sent to it for this long: a verifier
     * that is down must not hold every registration for TIMEOUT_SECONDS. Meanwhile registrations fail closed (refused,
     * "could not be reached"), unless keys fetched before check the token offline.
     */
    public const UNREACHABLE_MEMORY_SECONDS = 30;
    private const UNREACHABLE_TRANSIENT = 'iamport_verify_unreachable_';

    /** @var string */
    private $verifierUrl;

    public function __construct(string $verifierUrl)
    {
        $this->verifierUrl = $verifierUrl;
    }

    /**
     * The key resolver AttestationVerifier takes: the public JWK with this `kid`, or null.
     * `$refresh` (the kid was not among the cached keys) refetches, at most once per cooldown.
     *
     * @return array<string, string>|null
     */
    public function publicKey(string $kid, bool $refresh): ?array
    {
        $transient = 'iamport_verify_jwks_' . md5($this->verifierUrl);
        $cached = get_transient($transient);
        $now = time();
        $stale = !is_array($cached) || $now - $cached['fetched_at'] >= self::JWKS_MAX_AGE;
        $mayRefetch = !is_array($cached) || $now - $cached['attempted_at'] >= self::JWKS_REFETCH_COOLDOWN;
        if (!($stale || $refresh) || !$mayRefetch) {
            return $cached['keys'][$kid] ?? null;
        }

        $keys = $this->fetchKeys();
        if ($keys === null) {
            // The JWKS is unreachable: the keys we already had are still the best answer; try again after the cooldown.
            if (is_array($cached)) {
                $cached['attempted_at'] = $now;
                set_transient($transient, $cached, DAY_IN_SECONDS);
                if (isset($cached['keys'][$kid])) {
                    return $cached['keys'][$kid];
                }
            }
            throw new AttestationError('jwks_unavailable', 'The verifier\'s public keys could not be fetched.');
        }
        set_transient($transient, ['keys' => $keys, 'fetched_at' => $now, 'attempted_at' => $now], DAY_IN_SECONDS);
        return $keys[$kid] ?? null;
    }

    /** Whether the verifier runs on the sandbox (then the tag loads its stand-in SDK); false when it cannot be asked. */
    public function isSandbox(): bool
    {
        $transient = 'iamport_verify_discovery_' . md5($this->verifierUrl);
        $discovery = get_transient($transient);
        if (!is_array($discovery)) {
            $discovery = $this->getJson('/.well-known/iamport-verify') ?? [];
            // Cache a failure briefly only, so a verifier started after the site is noticed soon.
            set_transient($transient, $discovery, $discovery === [] ? MINUTE_IN_SECONDS : self::DISCOVERY_MAX_AGE);
        }
        return ($discovery['sandbox'] ?? false) === true;
    }

    /**
     * The HTTP POST IntrospectionVerifier takes (when PHP has no openssl), through WordPress's HTTP API.
     *
     * @param array<string, mixed> $json
     * @return array{status: int, body: string}|null null when the verifier could not be reached
     */
    public static function post(string $url, array $json): ?array
    {
        $response = self::send('POST', $url, [
            'headers' => ['content-type' => 'application/json', 'accept' => 'application/json'],
            'body' => wp_json_encode($json),
        ]);
        if ($response === null) {
            return null;
        }
        return ['status' => (int) wp_remote_retrieve_response_code($response), 'body' => wp_remote_retrieve_body($response)];
    }

    /** @return array<string, array<string, string>>|null public P-256 signing keys by kid, or null when unreachable */
    private function fetchKeys(): ?array
    {
        $jwks = $this->getJson('/.well-known/jwks.json');
        if (!is_array($jwks['keys'] ?? null)) {
            return null;
        }
        $keys = [];
        foreach ($jwks['keys'] as $jwk) {
            $usable = is_array($jwk) && is_string($jwk['kid'] ?? null) && ($jwk['kty'] ?? '') === 'EC' && ($jwk['crv'] ?? '') === 'P-256'
                && in_array($jwk['use'] ?? 'sig', ['sig'], true) && in_array($jwk['alg'] ?? 'ES256', ['ES256'], true)
                && is_string($jwk['x'] ?? null) && is_string($jwk['y'] ?? null);
            if ($usable) {
                // Public members only, whatever else the JWK holds.
                $keys[$jwk['kid']] = ['kty' => 'EC', 'crv' => 'P-256', 'x' => $jwk['x'], 'y' => $jwk['y'], 'kid' => $jwk['kid']];
            }
        }
        return $keys;
    }

    /** @return array<string, mixed>|null */
    private function getJson(string $path): ?array
    {
        $response = self::send('GET', $this->verifierUrl . $path, ['headers' => ['accept' => 'application/json']]);
        if ($response === null || wp_remote_retrieve_response_code($response) !== 200) {
            return null;
        }
        $body = json_decode(wp_remote_retrieve_body($response), true);
        return is_array($body) ? $body : null;
    }

    /**
     * Every request to the verifier, through WordPress's HTTP API; none while it is remembered unreachable.
     *
     * @param array<string, mixed> $args
     * @return array<string, mixed>|null the response, or null when the verifier could not be reached (now or lately)
     */
    private static function send(string $method, string $url, array $args): ?array
    {
        // Keyed on the origin: the keys, the discovery document and introspection share one memory.
        $unreachable = self::UNREACHABLE_TRANSIENT . md5(Settings::originOf($url));
        if (get_transient($unreachable) !== false) {
            return null;
        }
        $response = wp_remote_request($url, ['method' => $method, 'timeout' => self::TIMEOUT_SECONDS, 'redirection' => 0] + $args);
        if (is_wp_error($response)) {
            set_transient($unreachable, time(), self::UNREACHABLE_MEMORY_SECONDS);
            return null;
        }
        return $response;
    }
}
