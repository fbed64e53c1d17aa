<?php

declare(strict_types=1);

namespace IamportVerify\WordPress\Gate;

defined('ABSPATH') || exit;

/**
 * The time the gate's periods are measured on (a member's re-verification, a guest's pass). The
 * `iamport_verify_now` filter exists for the test suite, which moves the clock a year on instead of waiting.
 */
final class Clock
{
    public static function now(): int
    {
        return (int) apply_filters('iamport_verify_now', time());
    }
}
