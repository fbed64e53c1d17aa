<?php
/**
 * The same check as AttestationVerifier, for PHP without the openssl extension: the verifier
 * itself checks the token (POST /v1/introspect), so the signature is trusted over HTTPS, not
 * checked here. One network round trip per token; use AttestationVerifier when you can.
 *
 *     $verifier = new IamportVerify\IntrospectionVerifier('https://verify.example.com', 'https://shop.example');
 *     $claims = $verifier->verify($_POST['age_token'], ['min_age' => 19]);  // or throws AttestationError
 */

declare(strict_types=1);

namespace IamportVerify;

final class IntrospectionVerifier
{
    /** @var callable(string, array): ?array fn(url, json body): {status, body} or null */
    private $post;

    /**
     * @param string        $issuer   the verifier's issuer URL (its /v1/introspect is asked)
     * @param string        $audience your site's origin: a token for any other site is inactive
     * @param callable|null $post     fn(string $url, array $json): ?array{status: int, body: string}, for
     *                                frameworks with their own HTTP client (WordPress: wp_remote_post)
     */
    public function __construct(
        private readonly string $issuer,
        private readonly string $audience,
        ?callable $post = null,
    ) {
        if ($issuer === '' || $audience === '') {
            throw new \InvalidArgumentException('IntrospectionVerifier needs an issuer and an audience (your site\'s origin).');
        }
        $this->post = $post ?? static fn (string $url, array $json): ?array => Http::request('POST', $url, $json);
    }

    /**
     * @param array{min_age?: int, min_year_age?: int, guardian_under?: int, nonce?: string} $require
     * @return array<string, mixed> the claims
     * @throws AttestationError
     */
    public function verify(string $token, array $require = []): array
    {
        Requirements::validate($require);
        if ($token === '' || strlen($token) > AttestationVerifier::MAX_TOKEN_LENGTH) {
            throw new AttestationError('invalid_token', 'The token is not a string of a plausible length.');
        }
        $response = ($this->post)(rtrim($this->issuer, '/') . '/v1/introspect', ['token' => $token, 'audience' => $this->audience] + $require);
        $answer = $response !== null && $response['status'] === 200 ? json_decode($response['body'], true) : null;
        if (!is_array($answer) || !is_bool($answer['active'] ?? null)) {
            throw new AttestationError('introspection_unavailable', 'The verifier could not introspect the token.');
        }
        // RFC 7662 says only "inactive", never why: that is all a site learns this way.
        if ($answer['active'] !== true) {
            throw new AttestationError('invalid_token', 'The verifier reports the token as not active.');
        }
        unset($answer['active']);
        // The verifier checked these already; checking again costs nothing and keeps a verifier
        // that ignores one of our asks (an older deployment) from letting a token through.
        if (($answer['iss'] ?? null) !== $this->issuer) {
            throw new AttestationError('wrong_issuer', 'The token is from another issuer.');
        }
        if (($answer['aud'] ?? null) !== $this->audience) {
            throw new AttestationError('wrong_audience', 'The token is for another site.');
        }
        Requirements::check($answer, $require);
        return $answer;
    }
}
