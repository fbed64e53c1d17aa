<?php

declare(strict_types=1);

namespace IamportVerify\WordPress\Gate;

use IamportVerify\WordPress\Tag;

defined('ABSPATH') || exit;

/**
 * What a visitor sees in place of content they may not see yet: a short explanation and the tag. Once
 * the tag has an attestation, assets/gate.js sends it to this site (GateEndpoint), which decides, and
 * reloads the page at the same gate: the content is never in the page before the server said so.
 */
final class GateBox
{
    public const SCRIPT_HANDLE = 'iamport-verify-gate';
    /** Gates printed on this page so far: their ids stay the same when the page reloads opened. */
    private static int $printed = 0;

    /**
     * The gate for `$rule`, or, in a feed or anywhere no script runs, just a line saying the content is restricted.
     * `$title` replaces the line that says what is restricted (the profile's box restricts nothing).
     */
    public static function render(AgeRule $rule, ?\WP_Post $post, ?string $title = null): string
    {
        $id = self::nextId($post);
        if (is_feed() || wp_is_json_request() || wp_doing_ajax()) {
            return self::notice($rule);
        }
        self::enqueueAssets();
        $memberNote = is_user_logged_in()
            /* translators: %d: the number of days a verification is kept on a member's account */
            ? sprintf(_n('It is kept on your account for %d day: no name, birthday or phone number, only that you are old enough.', 'It is kept on your account for %d days: no name, birthday or phone number, only that you are old enough.', (int) (MemberProofs::periodSeconds() / DAY_IN_SECONDS), 'iamport-verify'), (int) (MemberProofs::periodSeconds() / DAY_IN_SECONDS))
            : __('It holds for this browser session: no name, birthday or phone number is kept, only that you are old enough.', 'iamport-verify');
        return sprintf(
            '<div class="iamport-verify-gate" id="%1$s" data-rule="%2$s" data-age="%3$d">'
            . '<p class="iamport-verify-gate-title"><strong>%4$s</strong></p><p class="iamport-verify-gate-why">%5$s %6$s</p>%7$s'
            . '<p class="iamport-verify-gate-status" role="status" aria-live="polite"></p></div>',
            esc_attr($id),
            esc_attr($rule->rule),
            $rule->age,
            esc_html($title ?? self::title($rule)),
            esc_html__('Verify your age with your mobile phone (본인인증) to see it.', 'iamport-verify'),
            esc_html($memberNote),
            Tag::render([$rule->tagAttribute() => $rule->age], Tag::CONTEXT_GATE) // phpcs:ignore WordPress.Security.EscapeOutput -- escaped in render()
        );
    }

    /** The place the content takes once opened: the same id as its gate, so the reload lands there. */
    public static function opened(string $content, ?\WP_Post $post): string
    {
        if (!is_feed() && !wp_is_json_request()) {
            self::enqueueAssets();
        }
        return sprintf('<div class="iamport-verify-gate-opened" id="%s">%s</div>', esc_attr(self::nextId($post)), $content);
    }

    /** Plain text, for feeds, REST answers and excerpts. */
    public static function notice(AgeRule $rule): string
    {
        return self::title($rule) . ' ' . __('Verify your age on the site to see it.', 'iamport-verify');
    }

    private static function title(AgeRule $rule): string
    {
        return $rule->rule === AgeRule::YEAR_RULE
            /* translators: %d: an age */
            ? sprintf(__('This content is for people %d or older (Youth Protection Act).', 'iamport-verify'), $rule->age)
            /* translators: %d: an age (만 나이) */
            : sprintf(__('This content is for people %d or older (international age, 만 나이).', 'iamport-verify'), $rule->age);
    }

    private static function nextId(?\WP_Post $post): string
    {
        return 'iamport-verify-gate-' . ($post?->ID ?? 0) . '-' . ++self::$printed;
    }

    private static function enqueueAssets(): void
    {
        if (wp_script_is(self::SCRIPT_HANDLE, 'enqueued')) {
            return;
        }
        wp_enqueue_style(self::SCRIPT_HANDLE, plugins_url('assets/gate.css', IAMPORT_VERIFY_PLUGIN_FILE), [], IAMPORT_VERIFY_VERSION);
        wp_enqueue_script(self::SCRIPT_HANDLE, plugins_url('assets/gate.js', IAMPORT_VERIFY_PLUGIN_FILE), [], IAMPORT_VERIFY_VERSION, true);
        wp_localize_script(self::SCRIPT_HANDLE, 'iamportVerifyGate', [
            'endpoint' => rest_url(GateEndpoint::NAMESPACE . GateEndpoint::ROUTE),
            // The REST API's own nonce: without it a logged-in member's request would count as a guest's.
            'nonce' => wp_create_nonce('wp_rest'),
            'failed' => __('Your verification could not be confirmed. Please verify again.', 'iamport-verify'),
            'opening' => __('Verified. Opening…', 'iamport-verify'),
        ]);
    }
}
