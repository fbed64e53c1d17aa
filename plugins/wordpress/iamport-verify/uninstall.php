<?php
// Deleting the plugin (not deactivating it) removes everything it stored: its settings, its cached
// keys and discovery document, and the pairwise `sub` in user meta (one account per person is then
// no longer enforced for existing accounts).
defined('WP_UNINSTALL_PLUGIN') || exit;

require_once __DIR__ . '/includes/Settings.php';
require_once __DIR__ . '/includes/SubjectRegistry.php';

global $wpdb;
delete_option(IamportVerify\WordPress\Settings::OPTION);
$wpdb->query($wpdb->prepare(
    "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s",
    $wpdb->esc_like('_transient_iamport_verify_') . '%',
    $wpdb->esc_like('_transient_timeout_iamport_verify_') . '%'
));
delete_metadata('user', 0, IamportVerify\WordPress\SubjectRegistry::META_KEY, '', true);
