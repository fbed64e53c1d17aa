<?php
/**
 * `require` this one file to use the verifiers outside WordPress (Gnuboard, Rhymix, plain PHP).
 * With Composer, map the `IamportVerify\` namespace to this folder instead.
 */

declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    $prefix = 'IamportVerify\\';
    if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
        return;
    }
    $file = __DIR__ . '/' . substr($class, strlen($prefix)) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
