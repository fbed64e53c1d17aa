<?php
// What Gnuboard's adm/_common.php does, for an admin page in this folder (that one includes ../common.php
// by a path relative to adm/ itself).
define('G5_IS_ADMIN', true);
require_once dirname(__DIR__, 3) . '/common.php';
require_once G5_ADMIN_PATH . '/admin.lib.php';
run_event('admin_common');
