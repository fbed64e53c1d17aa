<?php
// Installs WordPress non-interactively (as its web installer would), lets visitors register,
// activates the iamport-verify plugin and writes its settings.
// php install.php <site directory> <JSON: { origin, title, admin: { login, password, email }, settings: {...}, users: [...] }>
[, $site, $json] = $argv;
$config = json_decode($json, true, 512, JSON_THROW_ON_ERROR);
require __DIR__ . '/cli.php';
pose_as_request_to($config['origin']);

define('WP_INSTALLING', true);
require $site . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

if (!is_blog_installed()) {
    $admin = $config['admin'];
    $result = wp_install($config['title'], $admin['login'], $admin['email'], false, '', wp_slash($admin['password']));
    if (is_wp_error($result)) {
        fwrite(STDERR, 'wp_install failed: ' . $result->get_error_message() . "\n");
        exit(1);
    }
}
if (isset($config['theme']) && wp_get_theme($config['theme'])->exists()) {
    switch_theme($config['theme']);
}
update_option('users_can_register', 1);
update_option('default_role', 'subscriber');

foreach ($config['users'] ?? [] as $user) {
    if (!username_exists($user['login'])) {
        $id = wp_insert_user(['user_login' => $user['login'], 'user_pass' => $user['password'], 'user_email' => $user['email'],
            'role' => $user['role'], 'locale' => $user['locale'] ?? '']);
        if (is_wp_error($id)) {
            fwrite(STDERR, 'wp_insert_user failed: ' . $id->get_error_message() . "\n");
            exit(1);
        }
    }
}

// Without the plugin (`plugin: false`), to install it as people do (test/wordpress/zip.test.mjs).
if ($config['plugin'] ?? true) {
    $activated = activate_plugin('iamport-verify/iamport-verify.php');
    if (is_wp_error($activated)) {
        fwrite(STDERR, 'activate_plugin failed: ' . $activated->get_error_message() . "\n");
        exit(1);
    }
    update_option('iamport_verify_settings', $config['settings']);
}
echo "installed\n";
