<?php
/**
 * Checks an iamport-verify attestation (an ES256 JWT) offline, with PHP's openssl extension
 * and nothing else: no JOSE library, no WordPress. The same checks as the Node kit
 * (`iamport-verify/server`), with the same error codes.
 *
 *     require 'iamport-verify/src/autoload.php';
 *     $verifier = new IamportVerify\AttestationVerifier(
 *         issuer: 'https://verify.example.com',
 *         audience: 'https://shop.example',            // your site's own origin
 *         keys: new IamportVerify\HttpJwks('https://verify.example.com'),
 *     );
 *     $claims = $verifier->verify($_POST['age_token'], ['min_age' => 19]);  // or throws AttestationError
 *
 * A high-S signature (r, n - s) of a genuine token verifies, as in every ECDSA library: the
 * verifier signs with WebCrypto, which does not normalise S, so refusing high S would refuse
 * genuine tokens. It changes the token's bytes, never its claims: key "one use" on `jti` or
 * `sub`, never on the token string.
 */

declare(strict_types=1);

namespace IamportVerify;

final class AttestationVerifier
{
    /** RFC 8725 §3.11: explicit typing, so an attestation cannot pass for another kind of JWT. */
    public const TOKEN_TYPE = 'iamport-verify+jwt';
    public const ALGORITHM = 'ES256';
    /** The header is exactly these; anything more (jku, jwk, x5u, crit...) could let the token pick its own key. */
    public const HEADER_MEMBERS = ['alg', 'kid', 'typ'];
    public const REQUIRED_CLAIMS = ['iss', 'aud', 'sub', 'iat', 'nbf', 'exp', 'jti'];
    /** Attestations are under 1 KB; anything far longer is refused before it is parsed. */
    public const MAX_TOKEN_LENGTH = 4096;

    /** P-256 SubjectPublicKeyInfo up to the uncompressed point: SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING. */
    private const P256_SPKI_PREFIX = '3059301306072a8648ce3d020106082a8648ce3d030107034200';
    private const P256_COORDINATE_BYTES = 32;

    /** @var callable(string, bool): ?array */
    private $keys;
    /** @var array<string, \OpenSSLAsymmetricKey> imported keys, by kid and JWK */
    private array $imported = [];

    /**
     * @param string   $issuer   the verifier's issuer URL, exactly as in `iss`
     * @param string   $audience your site's origin, exactly as in `aud` (e.g. https://shop.example)
     * @param callable $keys     fn(string $kid, bool $refresh): ?array, the public JWK with that kid, or null.
     *                           Called with $refresh = true once when the first answer is null: a new key may
     *                           have been published. Rate-limit refreshes there (HttpJwks does: once a minute).
     * @param int      $leeway   allowed clock skew in seconds for exp and nbf; small, as tokens live 10 minutes
     */
    public function __construct(
        private readonly string $issuer,
        private readonly string $audience,
        callable $keys,
        private readonly int $leeway = 30,
    ) {
        if ($issuer === '' || $audience === '') {
            throw new \InvalidArgumentException('AttestationVerifier needs an issuer and an audience (your site\'s origin).');
        }
        if (!extension_loaded('openssl')) {
            throw new \LogicException('AttestationVerifier needs the openssl extension; use IntrospectionVerifier without it.');
        }
        $this->keys = $keys;
    }

    /**
     * The claims of a genuine attestation for this site, or an AttestationError saying why not.
     *
     * @param array{min_age?: int, min_year_age?: int, guardian_under?: int, nonce?: string} $require
     * @return array<string, mixed>
     * @throws AttestationError
     */
    public function verify(string $token, array $require = []): array
    {
        Requirements::validate($require);
        if (strlen($token) > self::MAX_TOKEN_LENGTH) {
            throw new AttestationError('invalid_token', 'The token is longer than any attestation.');
        }
        $parts = explode('.', $token);
        if (count($parts) !== 3) {
            throw new AttestationError('invalid_token', 'The token is not a compact JWS.');
        }
        [$encodedHeader, $encodedPayload, $encodedSignature] = $parts;

        // Cheap checks first, and all of the header before any key is looked up.
        $header = self::decodeJson($encodedHeader, 'header');
        $kid = self::checkHeader($header);
        $signature = self::decodeBase64Url($encodedSignature, 'signature');
        if (strlen($signature) !== 2 * self::P256_COORDINATE_BYTES) {
            throw new AttestationError('invalid_token', 'An ES256 signature is exactly 64 bytes.');
        }

        $key = $this->publicKey($kid);
        $verified = openssl_verify("$encodedHeader.$encodedPayload", self::derSignature($signature), $key, OPENSSL_ALGO_SHA256);
        while (openssl_error_string() !== false) {
            // Drain OpenSSL's error queue, so a refused forgery leaves nothing behind for the next call.
        }
        if ($verified !== 1) {
            throw new AttestationError('invalid_token', 'The token\'s signature is invalid.');
        }

        $claims = self::decodeJson($encodedPayload, 'payload');
        $this->checkClaims($claims);
        Requirements::check($claims, $require);
        return $claims;
    }

    /** @return string the kid */
    private static function checkHeader(array $header): string
    {
        $members = array_keys($header);
        sort($members);
        if ($members !== self::HEADER_MEMBERS) {
            throw new AttestationError('invalid_token', 'The token\'s header must hold exactly alg, kid and typ.');
        }
        if ($header['alg'] !== self::ALGORITHM) {
            throw new AttestationError('invalid_token', 'The token\'s alg is not ES256.');
        }
        if ($header['typ'] !== self::TOKEN_TYPE) {
            throw new AttestationError('invalid_token', 'The token\'s typ is not ' . self::TOKEN_TYPE . '.');
        }
        if (!is_string($header['kid']) || $header['kid'] === '') {
            throw new AttestationError('invalid_token', 'The token has no kid.');
        }
        return $header['kid'];
    }

    private function checkClaims(array $claims): void
    {
        foreach (self::REQUIRED_CLAIMS as $name) {
            if (!array_key_exists($name, $claims)) {
                throw new AttestationError('invalid_token', "The token has no $name claim.");
            }
        }
        foreach (['iat', 'nbf', 'exp'] as $name) {
            if (!is_int($claims[$name]) && !is_float($claims[$name])) {
                throw new AttestationError('invalid_token', "The token's $name claim is not a number.");
            }
        }
        // We sign exactly one shape: a single audience and a non-empty subject.
        if (!is_string($claims['aud']) || !is_string($claims['sub']) || $claims['sub'] === '' || !is_string($claims['jti'])) {
            throw new AttestationError('invalid_token', 'The token\'s aud, sub or jti claim is malformed.');
        }
        if ($claims['iss'] !== $this->issuer) {
            throw new AttestationError('wrong_issuer', 'The token is from another issuer.');
        }
        if ($claims['aud'] !== $this->audience) {
            throw new AttestationError('wrong_audience', 'The token is for another site.');
        }
        $now = time();
        if ($claims['exp'] <= $now - $this->leeway) {
            throw new AttestationError('token_expired', 'The token has expired.');
        }
        if ($claims['nbf'] > $now + $this->leeway) {
            throw new AttestationError('token_not_yet_valid', 'The token is not valid yet.');
        }
    }

    private function publicKey(string $kid): \OpenSSLAsymmetricKey
    {
        $jwk = ($this->keys)($kid, false) ?? ($this->keys)($kid, true);
        if (!is_array($jwk) || ($jwk['kid'] ?? $kid) !== $kid) {
            throw new AttestationError('unknown_key', 'No published key matches the token\'s kid.');
        }
        $x = is_string($jwk['x'] ?? null) ? self::tryDecodeBase64Url($jwk['x']) : null;
        $y = is_string($jwk['y'] ?? null) ? self::tryDecodeBase64Url($jwk['y']) : null;
        // Only a P-256 signing key can verify our tokens; anything else is as good as no key.
        $usable = ($jwk['kty'] ?? null) === 'EC' && ($jwk['crv'] ?? null) === 'P-256'
            && in_array($jwk['use'] ?? 'sig', ['sig'], true) && in_array($jwk['alg'] ?? self::ALGORITHM, [self::ALGORITHM], true)
            && $x !== null && strlen($x) === self::P256_COORDINATE_BYTES
            && $y !== null && strlen($y) === self::P256_COORDINATE_BYTES;
        if (!$usable) {
            throw new AttestationError('unknown_key', 'The key published under the token\'s kid is not a P-256 signing key.');
        }
        $cacheKey = "$kid\0$x$y";
        if (!isset($this->imported[$cacheKey])) {
            $der = hex2bin(self::P256_SPKI_PREFIX) . "\x04" . $x . $y;
            $pem = "-----BEGIN PUBLIC KEY-----\n" . chunk_split(base64_encode($der), 64, "\n") . "-----END PUBLIC KEY-----\n";
            // OpenSSL refuses a point that is not on the curve here.
            $key = openssl_pkey_get_public($pem);
            while (openssl_error_string() !== false) {
            }
            if ($key === false) {
                throw new AttestationError('unknown_key', 'The key published under the token\'s kid is not a valid P-256 point.');
            }
            $this->imported[$cacheKey] = $key;
        }
        return $this->imported[$cacheKey];
    }

    /** JOSE's r || s (RFC 7518 §3.4) as the DER SEQUENCE { INTEGER r, INTEGER s } openssl_verify wants. */
    private static function derSignature(string $signature): string
    {
        $integers = '';
        foreach (str_split($signature, self::P256_COORDINATE_BYTES) as $half) {
            $value = ltrim($half, "\x00");
            if ($value === '' || ord($value[0]) >= 0x80) {
                $value = "\x00" . $value; // DER integers are signed: keep them positive (and zero is one 0x00 byte)
            }
            $integers .= "\x02" . chr(strlen($value)) . $value;
        }
        return "\x30" . chr(strlen($integers)) . $integers; // at most 70 bytes: short-form lengths suffice
    }

    private static function decodeJson(string $encoded, string $part): array
    {
        $json = self::decodeBase64Url($encoded, $part);
        try {
            $value = json_decode($json, false, 16, JSON_THROW_ON_ERROR);
        } catch (\JsonException $error) {
            throw new AttestationError('invalid_token', "The token's $part is not JSON.", $error);
        }
        // An object, not a list or a scalar: decoded as stdClass first so that [] and {} stay apart.
        if (!$value instanceof \stdClass) {
            throw new AttestationError('invalid_token', "The token's $part is not a JSON object.");
        }
        return json_decode($json, true, 16, JSON_THROW_ON_ERROR);
    }

    private static function decodeBase64Url(string $encoded, string $part): string
    {
        return self::tryDecodeBase64Url($encoded)
            ?? throw new AttestationError('invalid_token', "The token's $part is not base64url.");
    }

    /** Strict base64url (RFC 7515 §2): no padding, no other alphabet, no stray bits; null otherwise. */
    private static function tryDecodeBase64Url(string $encoded): ?string
    {
        if ($encoded === '' || preg_match('/\A[A-Za-z0-9_-]+\z/', $encoded) !== 1 || strlen($encoded) % 4 === 1) {
            return null;
        }
        $decoded = base64_decode(strtr($encoded, '-_', '+/'), true);
        // Only one encoding per value: re-encoding must give the input back (no non-zero trailing bits).
        if ($decoded === false || rtrim(strtr(base64_encode($decoded), '+/', '-_'), '=') !== $encoded) {
            return null;
        }
        return $decoded;
    }
}
