<?php
/**
 * The one rule for a verifier's address in a host's settings (the WordPress plugin's, the Gnuboard add-on's):
 * an origin, http or https, with no path beyond "/", no query, fragment or credentials. Plain parse_url is
 * enough here (WordPress's wp_parse_url only smooths over PHP versions this code no longer runs on).
 */

declare(strict_types=1);

namespace IamportVerify;

final class VerifierUrl
{
    public static function isValid(string $url): bool
    {
        $parts = parse_url($url);
        return is_array($parts)
            && in_array($parts['scheme'] ?? '', ['http', 'https'], true)
            && !empty($parts['host'])
            && in_array($parts['path'] ?? '', ['', '/'], true)
            && !isset($parts['query']) && !isset($parts['fragment']) && !isset($parts['user']) && !isset($parts['pass']);
    }
}
