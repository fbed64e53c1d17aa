<?php

declare(strict_types=1);

namespace IamportVerify\WordPress;

use IamportVerify\HttpJwks;

defined('ABSPATH') || exit;

/**
 * What the plugin asks the verifier over HTTP, cached in transients so that verifications share
 * one download: its public keys (the JWKS, for the offline check: HttpJwks on TransientJwksCache) and its
 * discovery document (whether it runs on the sandbox).
 */
final class VerifierClient
{
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

    public function __construct(private readonly string $verifierUrl)
    {
    }

    /**
     * The key resolver AttestationVerifier takes: HttpJwks (the refetch rule) on transients, asking through
     * WordPress's HTTP API with the unreachable memory below.
     */
    public function keys(): HttpJwks
    {
        return new HttpJwks($this->verifierUrl, cache: new TransientJwksCache($this->verifierUrl), get: [self::class, 'get']);
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

    /**
     * The HTTP GET HttpJwks takes, through WordPress's HTTP API.
     *
     * @return array{status: int, body: string}|null null when the verifier could not be reached
     */
    public static function get(string $url): ?array
    {
        $response = self::send('GET', $url, ['headers' => ['accept' => 'application/json']]);
        if ($response === null) {
            return null;
        }
        return ['status' => (int) wp_remote_retrieve_response_code($response), 'body' => wp_remote_retrieve_body($response)];
    }

    /** @return array<string, mixed>|null */
    private function getJson(string $path): ?array
    {
        $response = self::get($this->verifierUrl . $path);
        if ($response === null || $response['status'] !== 200) {
            return null;
        }
        $body = json_decode($response['body'], true);
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
