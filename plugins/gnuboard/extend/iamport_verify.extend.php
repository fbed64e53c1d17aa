<?php
// iamport-verify for Gnuboard 5: common.php includes every extend/*.php after $member, $board and
// $is_admin exist; this one loads the add-on from plugin/iamport-verify/ and joins Gnuboard's events.
if (!defined('_GNUBOARD_')) exit;

if (is_file(G5_PLUGIN_PATH . '/iamport-verify/bootstrap.php')) {
    require_once G5_PLUGIN_PATH . '/iamport-verify/bootstrap.php';
}
