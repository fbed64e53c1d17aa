<?php
// Gnuboard's pages include './_common.php' from the folder they run in (bbs/alert.php does too): this is ours.
include_once dirname(__DIR__, 2) . '/common.php';
