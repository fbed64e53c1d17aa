<?php
// Deleting the plugin (not deactivating it) removes everything it stored: its settings, its cached
// keys and discovery document, the list of used attestations, the pairwise `sub` and proof of age in
// user meta (one account per person is then no longer enforced for existing accounts), and the gates.
defined('WP_UNINSTALL_PLUGIN') || exit;

require_once __DIR__ . '/includes/Settings.php';
require_once __DIR__ . '/includes/SubjectRegistry.php';
require_once __DIR__ . '/includes/Gate/PostGates.php';
require_once __DIR__ . '/includes/Gate/MemberProofs.php';

global $wpdb;
delete_option(IamportVerify\WordPress\Settings::OPTION);
$wpdb->query($wpdb->prepare(
    "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s OR option_name LIKE %s",
    $wpdb->esc_like('iamport_verify_used_') . '%',
    $wpdb->esc_like('_transient_iamport_verify_') . '%',
    $wpdb->esc_like('_transient_timeout_iamport_verify_') . '%'
));
foreach ([IamportVerify\WordPress\SubjectRegistry::META_KEY, IamportVerify\WordPress\Gate\MemberProofs::PROOF_KEY,
    IamportVerify\WordPress\Gate\MemberProofs::VERIFIED_AT_KEY, IamportVerify\WordPress\Gate\MemberProofs::RENEWALS_KEY] as $key) {
    delete_metadata('user', 0, $key, '', true);
}
// The gates themselves: deleting the plugin opens what it restricted (deactivating it does too).
delete_metadata('post', 0, IamportVerify\WordPress\Gate\PostGates::POST_META, '', true);
delete_metadata('term', 0, IamportVerify\WordPress\Gate\PostGates::TERM_META, '', true);
