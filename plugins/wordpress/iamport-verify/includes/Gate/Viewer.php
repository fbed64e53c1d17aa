<?php

declare(strict_types=1);

namespace IamportVerify\WordPress\Gate;

defined('ABSPATH') || exit;

/**
 * The person asking for this page: which gates they pass. Whoever may edit a post passes its gates
 * (an editor still edits and previews); a member passes with the proof on their account while it is
 * within the re-verification period; a guest with this browser's pass.
 */
final class Viewer
{
    /** @var array{0: ?Proof}|null the proof read for this request, once */
    private static ?array $proof = null;

    public static function proof(): ?Proof
    {
        if (self::$proof === null) {
            $userId = get_current_user_id();
            self::$proof = [$userId !== 0 ? MemberProofs::current($userId) : GuestPass::read()];
        }
        return self::$proof[0];
    }

    public static function passes(AgeRule $gate, ?\WP_Post $post): bool
    {
        if ($post !== null && current_user_can('edit_post', $post->ID)) {
            return true;
        }
        return self::proof()?->covers($gate) ?? false;
    }

    /** @param AgeRule[] $gates */
    public static function passesAll(array $gates, ?\WP_Post $post): bool
    {
        foreach ($gates as $gate) {
            if (!self::passes($gate, $post)) {
                return false;
            }
        }
        return true;
    }

    /** The proof changed during this request (a verification was just kept): read it again. */
    public static function forget(): void
    {
        self::$proof = null;
    }
}
