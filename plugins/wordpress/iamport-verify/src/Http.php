<?php
/**
 * The little HTTP the verifiers need (GET the JWKS, POST to /v1/introspect), with no framework:
 * the curl extension when PHP has it, else PHP's own streams. (PHP's streams speak HTTPS only
 * with the openssl extension, and a PHP without openssl is who IntrospectionVerifier is for:
 * there, ext-curl brings its own TLS.) WordPress code passes its own fetcher instead.
 */

declare(strict_types=1);

namespace IamportVerify;

final class Http
{
    /** A request that takes longer than this has failed. */
    public const TIMEOUT_SECONDS = 5;

    /**
     * @return array{status: int, body: string}|null null when the server could not be reached
     */
    public static function request(string $method, string $url, ?array $json = null): ?array
    {
        $headers = ['Accept: application/json', 'Connection: close'];
        $content = null;
        if ($json !== null) {
            $headers[] = 'Content-Type: application/json';
            $content = json_encode($json, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES);
        }
        // The verifier's endpoints never redirect: a redirect is not its answer, so none is followed.
        return function_exists('curl_init')
            ? self::withCurl($method, $url, $headers, $content)
            : self::withStreams($method, $url, $headers, $content);
    }

    private static function withCurl(string $method, string $url, array $headers, ?string $content): ?array
    {
        $handle = curl_init($url);
        curl_setopt_array($handle, [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_TIMEOUT => self::TIMEOUT_SECONDS,
        ] + ($content === null ? [] : [CURLOPT_POSTFIELDS => $content]));
        $body = curl_exec($handle);
        $status = curl_getinfo($handle, CURLINFO_RESPONSE_CODE);
        return is_string($body) && $status > 0 ? ['status' => $status, 'body' => $body] : null;
    }

    private static function withStreams(string $method, string $url, array $headers, ?string $content): ?array
    {
        $context = stream_context_create(['http' => [
            'method' => $method,
            'header' => implode("\r\n", $headers),
            'content' => $content ?? '',
            'timeout' => self::TIMEOUT_SECONDS,
            'follow_location' => 0,
            'ignore_errors' => true, // read the body and status of 4xx/5xx answers too
        ]]);
        $stream = @fopen($url, 'rb', false, $context);
        if ($stream === false) {
            return null;
        }
        $responseHeaders = stream_get_meta_data($stream)['wrapper_data'] ?? [];
        $length = null;
        foreach ($responseHeaders as $line) {
            if (preg_match('{\AContent-Length:\s*(\d+)\s*\z}i', (string) $line, $found) === 1) {
                $length = (int) $found[1];
            }
        }
        // Read exactly Content-Length: a server that keeps the connection open despite "Connection: close"
        // (wrangler dev does) would otherwise hold PHP until the timeout.
        $body = $length === null ? stream_get_contents($stream) : ($length === 0 ? '' : stream_get_contents($stream, $length));
        fclose($stream);
        $statusLine = (string) ($responseHeaders[0] ?? '');
        if ($body === false || preg_match('{\AHTTP/\S+\s+(\d{3})}', $statusLine, $match) !== 1) {
            return null;
        }
        return ['status' => (int) $match[1], 'body' => $body];
    }
}
