<?php
// Turns the installed site into a multisite network, as Tools → Network Setup does (its tables, then its
// options; the administrator becomes the network's); test/support/wordpress.mjs then adds the network's
// constants to wp-config.php. The plugins active on the site stay active on it.
// php network.php <site directory> <JSON: { origin, title, admin: { email } }>
[, $site, $json] = $argv;
$config = json_decode($json, true, 512, JSON_THROW_ON_ERROR);
require __DIR__ . '/cli.php';
pose_as_request_to($config['origin']);

require $site . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

// As wp-admin/network.php does: the network's tables have no names in $wpdb until the site is a network.
foreach ($wpdb->tables('ms_global') as $table => $prefixed) {
    $wpdb->$table = $prefixed;
}
install_network();
$network = populate_network(1, $_SERVER['HTTP_HOST'], $config['admin']['email'], $config['title'], '/', false);
if (is_wp_error($network)) {
    fwrite(STDERR, 'populate_network failed: ' . $network->get_error_message() . "\n");
    exit(1);
}
echo "network made\n";
