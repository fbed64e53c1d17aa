<?php
/**
 * The one autoloader: `require` this file to use the verifiers outside WordPress (Gnuboard, Rhymix, plain PHP).
 * It loads `IamportVerify\` from this folder; a host adds its own namespace with register_autoload() (the
 * WordPress plugin: IamportVerify\WordPress from includes/; the Gnuboard add-on: IamportVerify\Gnuboard).
 * With Composer, map the `IamportVerify\` namespace to this folder instead.
 */

declare(strict_types=1);

namespace IamportVerify;

if (!function_exists(__NAMESPACE__ . '\\register_autoload')) {
    /**
     * Load classes under each namespace prefix from its folder, PSR-4 style (`Prefix\Sub\Name` from `folder/Sub/Name.php`).
     *
     * @param array<string, string> $folders namespace prefix (ending in a backslash) => folder
     */
    function register_autoload(array $folders): void
    {
        spl_autoload_register(static function (string $class) use ($folders): void {
            foreach ($folders as $prefix => $folder) {
                if (strncmp($class, $prefix, strlen($prefix)) === 0) {
                    $file = $folder . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
                    if (is_file($file)) {
                        require_once $file;
                    }
                    return;
                }
            }
        });
    }

    register_autoload([__NAMESPACE__ . '\\' => __DIR__]);
}
