<?php

declare(strict_types=1);

namespace IamportVerify\WordPress\Gate;

defined('ABSPATH') || exit;

/**
 * Where gates are: on a whole post or page (its box in the editor: post meta), on every post of a
 * category (term meta), and around a part of any content (the `[iamport_verify_gate]` shortcode and
 * the `iamport-verify/gate` block). Reads them and takes out of content what a viewer may not see.
 */
final class PostGates
{
    /** Post meta (protected: the underscore keeps it out of the custom fields box and the REST API). */
    public const POST_META = '_iamport_verify_gate';
    public const TERM_META = 'iamport_verify_gate';
    public const TAXONOMY = 'category';
    public const SHORTCODE = 'iamport_verify_gate';
    public const BLOCK = 'iamport-verify/gate';

    /** @var array<int, AgeRule[]> gates on whole posts, by post id, for this request */
    private static array $wholeCache = [];

    /**
     * The gates on the whole post: its own and its categories'.
     *
     * @return AgeRule[]
     */
    public static function whole(\WP_Post $post): array
    {
        if (!isset(self::$wholeCache[$post->ID])) {
            $gates = [];
            $own = AgeRule::fromStored(get_post_meta($post->ID, self::POST_META, true));
            if ($own !== null) {
                $gates[] = $own;
            }
            if (is_object_in_taxonomy($post->post_type, self::TAXONOMY)) {
                $termIds = wp_get_object_terms($post->ID, self::TAXONOMY, ['fields' => 'ids']);
                foreach (is_array($termIds) ? $termIds : [] as $termId) {
                    $category = AgeRule::fromStored(get_term_meta((int) $termId, self::TERM_META, true));
                    if ($category !== null) {
                        $gates[] = $category;
                    }
                }
            }
            self::$wholeCache[$post->ID] = $gates;
        }
        return self::$wholeCache[$post->ID];
    }

    /** @return AgeRule[] the gates around parts of `$content` */
    public static function inContent(string $content): array
    {
        $gates = [];
        if (self::hasShortcode($content)) {
            preg_match_all('/' . get_shortcode_regex([self::SHORTCODE]) . '/', $content, $matches, PREG_SET_ORDER);
            foreach ($matches as $match) {
                if ($match[1] !== '[' || $match[6] !== ']') {
                    $gates[] = self::shortcodeRule(shortcode_parse_atts($match[3]));
                }
            }
        }
        if (self::hasBlock($content)) {
            self::walkBlocks(parse_blocks($content), static function (array $block) use (&$gates): array {
                $gates[] = self::blockRule($block['attrs']);
                return $block;
            });
        }
        return $gates;
    }

    /** @return AgeRule[] every gate of the post */
    public static function all(\WP_Post $post): array
    {
        return array_merge(self::whole($post), self::inContent((string) $post->post_content));
    }

    /** Whether the viewer may see the whole post (its whole gates; parts may still be withheld). */
    public static function opensWhole(\WP_Post $post): bool
    {
        return Viewer::passesAll(self::whole($post), $post);
    }

    /** `$content` of `$post` with the inside of each gate the viewer does not pass taken out (the gate itself stays). */
    public static function strip(string $content, ?\WP_Post $post): string
    {
        if (self::hasShortcode($content)) {
            $content = (string) preg_replace_callback('/' . get_shortcode_regex([self::SHORTCODE]) . '/', static function (array $match) use ($post): string {
                if ($match[1] === '[' && $match[6] === ']') {
                    return $match[0]; // [[iamport_verify_gate]]: escaped, shown as text
                }
                $open = Viewer::passes(self::shortcodeRule(shortcode_parse_atts($match[3])), $post);
                return $open ? $match[0] : '[' . $match[2] . $match[3] . '][/' . $match[2] . ']';
            }, $content);
        }
        if (self::hasBlock($content)) {
            $content = serialize_blocks(self::walkBlocks(parse_blocks($content), static function (array $block) use ($post): array {
                if (!Viewer::passes(self::blockRule($block['attrs']), $post)) {
                    $block['innerBlocks'] = [];
                    $block['innerHTML'] = '';
                    $block['innerContent'] = [];
                }
                return $block;
            }));
        }
        return $content;
    }

    /**
     * The gate of `[iamport_verify_gate min_year_age="19"]` or `min_age="19"`. Authors are not trusted:
     * anything but exactly one valid rule is the Youth Protection Act's 19 (never no gate).
     *
     * @param array<string|int, string>|string $attributes
     */
    public static function shortcodeRule(array|string $attributes): AgeRule
    {
        $attributes = is_array($attributes) ? $attributes : [];
        $given = array_values(array_intersect(array_keys($attributes), AgeRule::RULES));
        return count($given) === 1 ? (AgeRule::tryMake($given[0], $attributes[$given[0]]) ?? AgeRule::fallback()) : AgeRule::fallback();
    }

    /** The gate of a block's attributes (`rule`, `age`); anything invalid is the Youth Protection Act's 19. */
    public static function blockRule(array $attributes): AgeRule
    {
        return AgeRule::tryMake($attributes['rule'] ?? AgeRule::YEAR_RULE, $attributes['age'] ?? AgeRule::YOUTH_PROTECTION_AGE) ?? AgeRule::fallback();
    }

    /** Posts that might hold a gate: cheap text checks before any parsing. */
    public static function hasShortcode(string $content): bool
    {
        return str_contains($content, '[' . self::SHORTCODE);
    }

    public static function hasBlock(string $content): bool
    {
        return str_contains($content, '<!-- wp:' . self::BLOCK . ' ');
    }

    /**
     * @param array<int, array<string, mixed>> $blocks
     * @param callable(array<string, mixed>): array<string, mixed> $onGate
     * @return array<int, array<string, mixed>>
     */
    private static function walkBlocks(array $blocks, callable $onGate): array
    {
        foreach ($blocks as $index => $block) {
            if ($block['blockName'] === self::BLOCK) {
                $block = $onGate($block);
            }
            $block['innerBlocks'] = self::walkBlocks($block['innerBlocks'], $onGate);
            $blocks[$index] = $block;
        }
        return $blocks;
    }
}
