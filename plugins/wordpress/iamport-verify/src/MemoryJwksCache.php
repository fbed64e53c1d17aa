<?php
/** HttpJwks's default cache: the entry lives as long as the HttpJwks (one request, or a long-running worker). */

declare(strict_types=1);

namespace IamportVerify;

final class MemoryJwksCache implements JwksCache
{
    /** @var array{keys: array<string, array<string, mixed>>, fetched_at: int, attempted_at: int}|null */
    private ?array $entry = null;

    public function get(): mixed
    {
        return $this->entry;
    }

    public function set(array $entry): void
    {
        $this->entry = $entry;
    }
}
