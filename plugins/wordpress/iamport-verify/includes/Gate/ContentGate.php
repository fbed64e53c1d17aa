<?php

declare(strict_types=1);

namespace IamportVerify\WordPress\Gate;

defined('ABSPATH') || exit;

/**
 * The gate on every way out of WordPress: the page itself, excerpts, search (results and what they
 * match), RSS and Atom, the REST API (posts, pages, search, comments), oEmbed, comments, and previews.
 * Two layers: the posts a query loads are stripped of what the viewer may not see before anything
 * reads them (so a theme or plugin reading `post_content` finds nothing), and every filter that prints
 * content checks again (a post loaded by get_post() never went through a query).
 */
final class ContentGate
{
    /** Before do_blocks (9), wpautop (10) and do_shortcode (11): a withheld part is never rendered, so its shortcodes never run. */
    private const STRIP_PRIORITY = 0;
    /** After everything else: nothing another filter adds to a withheld post's content reaches the page. */
    private const LAST = PHP_INT_MAX;

    public static function register(): void
    {
        add_filter('the_posts', [self::class, 'stripQueriedPosts'], self::LAST, 2);
        add_filter('the_content', [self::class, 'stripContent'], self::STRIP_PRIORITY);
        add_filter('the_content', [self::class, 'gateContent'], self::LAST);
        add_filter('get_the_excerpt', [self::class, 'gateExcerpt'], self::LAST, 2);
        add_action('pre_get_posts', [self::class, 'keepGatedOutOfSearch']);
        add_action('rest_api_init', [self::class, 'gateRest']);
        add_filter('comments_array', [self::class, 'gateComments'], self::LAST, 2);
        add_filter('comments_open', [self::class, 'closeGatedComments'], self::LAST, 2);
        add_filter('get_comment_text', [self::class, 'gateCommentText'], self::LAST, 2);
        add_filter('comment_text', [self::class, 'gateCommentText'], self::LAST, 2);
        add_filter('get_comment_excerpt', [self::class, 'gateCommentExcerpt'], self::LAST, 2);
        add_action('template_redirect', [self::class, 'keepGatedOutOfCaches']);
        add_shortcode(PostGates::SHORTCODE, [self::class, 'shortcode']);
    }

    /** Whether the viewer may see every part of `$post`: its whole gates and those around parts of it. */
    public static function opensAll(\WP_Post $post): bool
    {
        return Viewer::passesAll(PostGates::all($post), $post);
    }

    /**
     * `the_posts`: what a query loaded, stripped for this viewer (outside wp-admin, where only editors
     * read posts). The objects are copies (the object cache hands out clones), so nothing is saved.
     *
     * @param \WP_Post[]|int[] $posts
     */
    public static function stripQueriedPosts(array $posts, \WP_Query $query): array
    {
        if (is_admin() && !wp_doing_ajax()) {
            return $posts;
        }
        foreach ($posts as $post) {
            if ($post instanceof \WP_Post) { // not with 'fields' => 'ids'
                self::stripPost($post);
            }
        }
        // A page's query finds its page (get_page_by_path) before it loads the posts: that object is read too (get_queried_object()).
        if ($query->queried_object instanceof \WP_Post) {
            self::stripPost($query->queried_object);
        }
        return $posts;
    }

    private static function stripPost(\WP_Post $post): void
    {
        if (!PostGates::opensWhole($post)) {
            $post->post_content = '';
            $post->post_excerpt = '';
            $post->post_content_filtered = '';
        } elseif (PostGates::hasShortcode($post->post_content) || PostGates::hasBlock($post->post_content)) {
            $post->post_content = PostGates::strip($post->post_content, $post);
        }
    }

    /** `the_content`, first: nothing of a withheld post, and the inside of each withheld part taken out, before anything renders. */
    public static function stripContent(mixed $content): string
    {
        $content = (string) $content;
        $post = get_post();
        if ($post === null) {
            return PostGates::strip($content, null);
        }
        return PostGates::opensWhole($post) ? PostGates::strip($content, $post) : '';
    }

    /** `the_content`, last: a withheld post is its gate. */
    public static function gateContent(mixed $content): string
    {
        $content = (string) $content;
        $post = get_post();
        if ($post === null || PostGates::whole($post) === []) {
            return $content;
        }
        foreach (PostGates::whole($post) as $rule) {
            if (!Viewer::passes($rule, $post)) {
                return GateBox::render($rule, $post);
            }
        }
        return GateBox::opened($content, $post);
    }

    /** `[iamport_verify_gate min_year_age="19"]…[/iamport_verify_gate]`: the inside, or its gate. */
    public static function shortcode(array|string $attributes, ?string $content = null): string
    {
        $post = get_post();
        $rule = PostGates::shortcodeRule($attributes);
        if (!Viewer::passes($rule, $post)) {
            return GateBox::render($rule, $post);
        }
        return GateBox::opened(do_shortcode((string) $content), $post);
    }

    /** The block's render callback: its inner blocks, or its gate. */
    public static function renderBlock(array $attributes, string $content): string
    {
        $post = get_post();
        $rule = PostGates::blockRule($attributes);
        return Viewer::passes($rule, $post) ? GateBox::opened($content, $post) : GateBox::render($rule, $post);
    }

    /** `get_the_excerpt` (excerpts, search results, feeds' descriptions, oEmbed's card): a withheld post's excerpt is the notice. */
    public static function gateExcerpt(mixed $excerpt, mixed $post = null): string
    {
        $excerpt = (string) $excerpt;
        $post = get_post($post);
        if ($post === null) {
            return $excerpt;
        }
        foreach (PostGates::whole($post) as $rule) {
            if (!Viewer::passes($rule, $post)) {
                return GateBox::notice($rule);
            }
        }
        return $excerpt;
    }

    /**
     * `pre_get_posts`: a search never finds what the viewer may not read (its text would answer "is this
     * word in there?"). Posts with a gate the viewer does not pass are left out of search results, on the
     * site and in the REST API (/wp/v2/search, ?search=).
     */
    public static function keepGatedOutOfSearch(\WP_Query $query): void
    {
        if (!$query->is_search() || (is_admin() && !wp_doing_ajax())) {
            return;
        }
        $withheld = [];
        foreach (self::gatedPostIds() as $postId) {
            $post = get_post($postId);
            if ($post instanceof \WP_Post && !self::opensAll($post)) {
                $withheld[] = $postId;
            }
        }
        if ($withheld !== []) {
            $query->set('post__not_in', array_merge((array) $query->get('post__not_in'), $withheld));
        }
    }

    /** The REST API: every post type it shows gets its content and excerpt replaced when withheld. */
    public static function gateRest(): void
    {
        foreach (get_post_types(['show_in_rest' => true]) as $postType) {
            add_filter("rest_prepare_{$postType}", [self::class, 'gateRestPost'], self::LAST, 2);
        }
    }

    public static function gateRestPost(\WP_REST_Response $response, \WP_Post $post): \WP_REST_Response
    {
        foreach (PostGates::whole($post) as $rule) {
            if (!Viewer::passes($rule, $post)) {
                $data = $response->get_data();
                $notice = '<p>' . esc_html(GateBox::notice($rule)) . '</p>';
                foreach (['content', 'excerpt'] as $field) {
                    if (isset($data[$field])) {
                        $data[$field] = ['rendered' => $notice, 'protected' => true];
                    }
                }
                $response->set_data($data);
                break;
            }
        }
        return $response;
    }

    /** Comments of a post the viewer may not read are not shown (they quote and discuss it). */
    public static function gateComments(mixed $comments, mixed $postId): array
    {
        $comments = (array) $comments;
        $post = get_post((int) $postId);
        return $post instanceof \WP_Post && !self::opensAll($post) ? [] : $comments;
    }

    /** Nor can the viewer comment on it. */
    public static function closeGatedComments(mixed $open, mixed $postId): bool
    {
        $post = get_post((int) $postId);
        return (bool) $open && !($post instanceof \WP_Post && !self::opensAll($post));
    }

    /** A comment's text where comments are read one by one: comment feeds, the REST API, widgets. */
    public static function gateCommentText(mixed $text, mixed $comment = null): string
    {
        $text = (string) $text;
        $comment = $comment instanceof \WP_Comment ? $comment : null;
        $post = $comment !== null ? get_post((int) $comment->comment_post_ID) : null;
        return $post instanceof \WP_Post && !self::opensAll($post) ? __('This comment is on content for verified adults.', 'iamport-verify') : $text;
    }

    public static function gateCommentExcerpt(mixed $excerpt, mixed $commentId): string
    {
        return self::gateCommentText((string) $excerpt, get_comment((int) $commentId));
    }

    /** A page with a gate differs from one visitor to the next: no shared cache may keep it. */
    public static function keepGatedOutOfCaches(): void
    {
        $post = is_singular() ? get_queried_object() : null;
        if ($post instanceof \WP_Post && PostGates::all($post) !== []) {
            nocache_headers();
        }
    }

    /** @return int[] posts that hold a gate: their own, their category's, or one in their content */
    private static function gatedPostIds(): array
    {
        global $wpdb;
        $ids = $wpdb->get_col($wpdb->prepare("SELECT post_id FROM {$wpdb->postmeta} WHERE meta_key = %s", PostGates::POST_META));
        $ids = array_merge($ids, $wpdb->get_col($wpdb->prepare(
            "SELECT ID FROM {$wpdb->posts} WHERE post_status <> 'auto-draft' AND (post_content LIKE %s OR post_content LIKE %s)",
            '%' . $wpdb->esc_like('[' . PostGates::SHORTCODE) . '%',
            '%' . $wpdb->esc_like('<!-- wp:' . PostGates::BLOCK . ' ') . '%'
        )));
        $gatedCategories = get_terms(['taxonomy' => PostGates::TAXONOMY, 'hide_empty' => false, 'fields' => 'ids', 'meta_key' => PostGates::TERM_META]);
        if (is_array($gatedCategories) && $gatedCategories !== []) {
            $inCategories = get_objects_in_term($gatedCategories, PostGates::TAXONOMY);
            $ids = array_merge($ids, is_array($inCategories) ? $inCategories : []);
        }
        return array_values(array_unique(array_map('intval', $ids)));
    }
}
