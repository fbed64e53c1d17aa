<?php
/**
 * Loads the add-on: the shared attestation verifier (src/, copied here from the WordPress plugin by
 * the package step) and the add-on's own classes (includes/), then joins Gnuboard's events.
 */

declare(strict_types=1);

if (!defined('_GNUBOARD_')) exit;

/** The shared AttestationVerifier needs PHP 8.1 (readonly properties, enums-era syntax). */
const IAMPORT_VERIFY_MIN_PHP = '8.1.0';

if (version_compare(PHP_VERSION, IAMPORT_VERIFY_MIN_PHP, '<') || !is_file(__DIR__ . '/src/autoload.php')) {
    // Without the verifier nothing can be checked: the add-on stays out of the way rather than break the site.
    return;
}

require_once __DIR__ . '/src/autoload.php';
IamportVerify\register_autoload(['IamportVerify\\Gnuboard\\' => __DIR__ . '/includes']);

IamportVerify\Gnuboard\Addon::register();
