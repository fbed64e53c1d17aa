<?php
/**
 * Plugin Name:       iamport-verify
 * Plugin URI:        https://github.com/iamport-verify/iamport-verify
 * Description:       Age-restricted (19+) content and age-gated, one-account-per-person registration with a Korean mobile identity verification (Iamport / PortOne), checked on the server against the iamport-verify verifier's signed attestation. No CI, name, phone or birthday is ever stored.
 * Version:           0.2.0
 * Requires at least: 6.1
 * Requires PHP:      8.2
 * License:           MIT
 * Text Domain:       iamport-verify
 * Domain Path:       /languages
 * Update URI:        https://github.com/iamport-verify/iamport-verify/releases
 */

defined('ABSPATH') || exit;

const IAMPORT_VERIFY_PLUGIN_FILE = __FILE__;
/** The plugin's version (as in the header above): the version of its own scripts' URLs. */
const IAMPORT_VERIFY_VERSION = '0.2.0';

// The attestation check itself (src/, namespace IamportVerify) knows nothing of WordPress, so Gnuboard, Rhymix
// or Laravel can use it too; includes/ (IamportVerify\WordPress) wires it into WordPress. One autoloader loads both.
require_once __DIR__ . '/src/autoload.php';
IamportVerify\register_autoload(['IamportVerify\\WordPress\\' => __DIR__ . '/includes']);

add_action('init', static function (): void {
    load_plugin_textdomain('iamport-verify', false, dirname(plugin_basename(IAMPORT_VERIFY_PLUGIN_FILE)) . '/languages');
});

IamportVerify\WordPress\SettingsPage::register();
IamportVerify\WordPress\Tag::register();
IamportVerify\WordPress\Registration::register();
IamportVerify\WordPress\Multisite::register();
IamportVerify\WordPress\Gate\ContentGate::register();
IamportVerify\WordPress\Gate\GateEditor::register();
IamportVerify\WordPress\Gate\GateEndpoint::register();
IamportVerify\WordPress\Gate\MemberScreens::register();

/**
 * Print the verification tag (and load its script) inside any form, for themes and other plugins.
 * `$attributes` are the tag's own that an author may set, as in the shortcode (`name`, `min-age`, `min-year-age`,
 * `guardian-under`, `required`, `nonce`, `customer-name`, `lang`…; IamportVerify\WordPress\Tag::AUTHOR_ATTRIBUTES),
 * and override the settings. Where the verifier is, the provider ids, the SDK, the redirect and the merchant id come
 * from the settings, or from the `iamport_verify_tag_attributes` filter (Tag::FILTER) in a developer's PHP.
 */
function iamport_verify_tag(array $attributes = []): void
{
    echo IamportVerify\WordPress\Tag::render($attributes); // phpcs:ignore WordPress.Security.EscapeOutput -- escaped in render()
}

/**
 * Check a submitted attestation on the server, with the settings' verifier, age rule and this site's origin.
 * Returns the claims, or a WP_Error with the reason (translated). `$require` may replace the age rule with `min_age`, `min_year_age` or `guardian_under` (under-14 consent; the tag then needs `guardian-under`), or add `nonce`.
 *
 * @return array<string, mixed>|WP_Error
 */
function iamport_verify_check(string $token, array $require = [])
{
    return IamportVerify\WordPress\Registration::check($token, $require);
}
