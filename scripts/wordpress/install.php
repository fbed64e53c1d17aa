<?php
// Installs WordPress non-interactively (as its web installer would), lets visitors register,
// activates the iamport-verify plugin and writes its settings; with `network`, makes it a multisite network.
// php install.php <site directory> <JSON: { origin, title, admin: { login, password, email }, settings: {...}, users: [...], network }>
[, $site, $json] = $argv;
$config = json_decode($json, true, 512, JSON_THROW_ON_ERROR);
$url = parse_url($config['origin']);
$_SERVER['HTTP_HOST'] = $url['host'] . (isset($url['port']) ? ':' . $url['port'] : '');
$_SERVER['SERVER_NAME'] = $url['host'];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';

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
switch_theme($config['theme']);
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

if ($config['plugin'] ?? true) {
    $activated = activate_plugin('iamport-verify/iamport-verify.php');
    if (is_wp_error($activated)) {
        fwrite(STDERR, 'activate_plugin failed: ' . $activated->get_error_message() . "\n");
        exit(1);
    }
    update_option('iamport_verify_settings', $config['settings']);
}

// A network, as Tools → Network Setup makes one (its tables, then its options); wp-config.php gets its constants next.
if (!empty($config['network']) && !is_multisite()) {
    // As wp-admin/network.php does: the network's tables have no names in $wpdb until it is multisite.
    foreach ($wpdb->tables('ms_global') as $table => $prefixed) {
        $wpdb->$table = $prefixed;
    }
    install_network();
    $network = populate_network(1, $_SERVER['HTTP_HOST'], $config['admin']['email'], $config['title'], '/', false);
    if (is_wp_error($network)) {
        fwrite(STDERR, 'populate_network failed: ' . $network->get_error_message() . "\n");
        exit(1);
    }
}
echo "installed\n";
