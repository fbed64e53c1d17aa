<?php
/**
 * Check an iamport-verify attestation in plain PHP 8.2 (Gnuboard, Rhymix, Laravel, your own code)
 * with the class the WordPress plugin uses. Needs only the openssl extension; without it, the
 * same class shape checks the token through the verifier's POST /v1/introspect.
 *
 *     ISSUER=http://127.0.0.1:8787 SITE_ORIGIN=http://127.0.0.1:8787 MIN_AGE=19 php examples/verify_attestation.php TOKEN...
 *
 * Prints `valid <claims as JSON>` or `refused <code>` (the Node kit's codes) per token; exits 1 if any was refused.
 * INTROSPECT=1 uses IntrospectionVerifier instead; MIN_YEAR_AGE, GUARDIAN_UNDER and NONCE add those requirements.
 * With no TOKEN argument it reads one token per line from stdin and answers each as it comes, as a
 * long-running worker keeps its key cache. JWKS_MAX_AGE_SECONDS (default 600) is how long the fetched
 * keys are trusted before the JWKS is asked again.
 */

declare(strict_types=1);

require __DIR__ . '/../plugins/wordpress/iamport-verify/src/autoload.php';

use IamportVerify\AttestationError;
use IamportVerify\AttestationVerifier;
use IamportVerify\HttpJwks;
use IamportVerify\IntrospectionVerifier;

$issuer = getenv('ISSUER');
$site = getenv('SITE_ORIGIN'); // your site's own origin: tokens for other sites are refused
$verifier = getenv('INTROSPECT') === '1' || !extension_loaded('openssl')
    ? new IntrospectionVerifier($issuer, $site)
    // One HttpJwks: keys fetched once, not per token.
    : new AttestationVerifier($issuer, $site, new HttpJwks($issuer, maxAgeSeconds: (int) (getenv('JWKS_MAX_AGE_SECONDS') ?: HttpJwks::MAX_AGE_SECONDS)));

$require = array_filter([
    'min_age' => getenv('MIN_AGE') === false ? null : (int) getenv('MIN_AGE'),
    'min_year_age' => getenv('MIN_YEAR_AGE') === false ? null : (int) getenv('MIN_YEAR_AGE'),
    'guardian_under' => getenv('GUARDIAN_UNDER') === false ? null : (int) getenv('GUARDIAN_UNDER'),
    'nonce' => getenv('NONCE') ?: null,
], static fn ($value) => $value !== null);

$allValid = true;
$tokens = $argc > 1 ? array_slice($argv, 1) : (static function () {
    while (($line = fgets(STDIN)) !== false) {
        yield trim($line);
    }
})();
foreach ($tokens as $token) {
    try {
        $claims = $verifier->verify($token, $require);
        // Store $claims['sub'] (unique per person and site) to allow one account per person.
        echo 'valid ', json_encode($claims, JSON_UNESCAPED_SLASHES), "\n";
    } catch (AttestationError $error) {
        echo 'refused ', $error->getCode(), "\n";
        $allValid = false;
    }
}
exit($allValid ? 0 : 1);
