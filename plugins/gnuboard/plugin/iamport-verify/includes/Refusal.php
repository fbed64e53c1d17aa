<?php

declare(strict_types=1);

namespace IamportVerify\Gnuboard;

/** A verification the add-on refuses, with a stable code and a message safe to show the person. */
final class Refusal extends \RuntimeException
{
    public function __construct(public readonly string $reason, string $message)
    {
        parent::__construct($message);
    }
}
