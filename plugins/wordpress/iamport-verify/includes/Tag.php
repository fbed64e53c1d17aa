<?php

declare(strict_types=1);

namespace IamportVerify\WordPress;

defined('ABSPATH') || exit;

/**
 * The `<iamport-verify>` tag in WordPress's pages: on the registration form, through the
 * `[iamport_verify]` shortcode, and through `iamport_verify_tag()` for themes and other forms.
 * Its script is loaded from the verifier itself (`{verifier}/iamport-verify.js`).
 */
final class Tag
{
    private const SCRIPT_HANDLE = 'iamport-verify';
    /**
     * What post content (the shortcode) and `iamport_verify_tag()` may set: the age rule, the form field, the person's
     * details to prefill, how the tag looks, and `nonce` (only echoed in the token). A Contributor's or Author's post is untrusted input that an
     * administrator may view, so nothing here decides where code is loaded from (`sdk-src`, `endpoint`), where data is
     * sent (`endpoint`), where people are sent (`redirect-url`), which verification id is used (`merchant-uid`) or
     * which provider account and flow (`provider`, `imp-code`, `store-id`, `channel-key`, `pg`, `mode`): those come
     * from the settings, or from a developer's FILTER.
     */
    public const AUTHOR_ATTRIBUTES = [
        'name', 'min-age', 'min-year-age', 'guardian-under', 'carrier', 'customer-name', 'phone', 'company', 'nonce', 'lang',
        'required', 'popup', 'disabled',
    ];
    /** Every attribute of the tag (see the README's attribute table); whatever else the filter returns is dropped. */
    private const ATTRIBUTES = [
        ...self::AUTHOR_ATTRIBUTES, 'endpoint', 'provider', 'mode', 'imp-code', 'store-id', 'channel-key', 'pg', 'merchant-uid',
        'redirect-url', 'sdk-src', 'turnstile-sitekey',
    ];
    private const BOOLEAN_ATTRIBUTES = ['required', 'popup', 'disabled'];
    /**
     * The developer's way to set what authors may not: `add_filter('iamport_verify_tag_attributes', fn (array $attributes,
     * string $context) => [...$attributes, 'pg' => 'danal'], 10, 2)` in PHP code, never in content. `$context` is one
     * of the CONTEXT_* values.
     */
    public const FILTER = 'iamport_verify_tag_attributes';
    public const CONTEXT_REGISTRATION = 'registration';
    public const CONTEXT_SHORTCODE = 'shortcode';
    public const CONTEXT_FUNCTION = 'function';
    /** At a content gate (Gate\GateBox) and on the member's profile. */
    public const CONTEXT_GATE = 'gate';

    public static function register(): void
    {
        add_action('register_form', [self::class, 'printOnRegistrationForm']);
        add_shortcode('iamport_verify', [self::class, 'shortcode']);
        add_filter('script_loader_tag', [self::class, 'asModule'], 10, 2);
    }

    public static function printOnRegistrationForm(): void
    {
        $required = (bool) Settings::get('require_on_registration');
        echo '<div class="iamport-verify-field" style="margin-bottom:16px">'
            . self::render(['required' => $required], self::CONTEXT_REGISTRATION) // phpcs:ignore WordPress.Security.EscapeOutput -- escaped in render()
            . '</div>';
    }

    /**
     * `[iamport_verify min_age="19" required]`: shortcode attributes are the tag's, with `_` for `-`. Only
     * AUTHOR_ATTRIBUTES are taken; the others are named, to those who may edit posts, in a note above the tag.
     *
     * @param array<int|string, string>|string $attributes '' when the shortcode has none
     */
    public static function shortcode($attributes): string
    {
        $tagAttributes = [];
        $ignored = [];
        foreach (is_array($attributes) ? $attributes : [] as $key => $value) {
            // A bare word (`required`) reaches us as a value under a number: it may only be a boolean attribute.
            $bare = is_int($key);
            [$name, $value] = $bare ? [(string) $value, 'true'] : [$key, (string) $value];
            $tagName = str_replace('_', '-', $name);
            $boolean = in_array($tagName, self::BOOLEAN_ATTRIBUTES, true);
            if (!in_array($tagName, self::AUTHOR_ATTRIBUTES, true) || ($bare && !$boolean)) {
                $ignored[] = $name;
                continue;
            }
            $tagAttributes[$tagName] = $boolean ? !in_array(strtolower($value), ['', '0', 'false', 'no'], true) : $value;
        }
        return self::ignoredNote($ignored) . self::render($tagAttributes, self::CONTEXT_SHORTCODE);
    }

    /** For those who may edit posts: which of a shortcode's attributes were ignored, and why. '' for anyone else. */
    private static function ignoredNote(array $names): string
    {
        if ($names === [] || !current_user_can('edit_posts')) {
            return '';
        }
        return '<p class="iamport-verify-ignored">' . esc_html(sprintf(
            /* translators: %s: the shortcode's attributes that were ignored, such as "sdk_src, endpoint" */
            __('iamport-verify ignored %s: a post may not set these; the site\'s settings decide them.', 'iamport-verify'),
            implode(', ', $names)
        )) . '</p>';
    }

    /**
     * The tag's HTML, escaped, with the settings' values and the given AUTHOR_ATTRIBUTES (any other is dropped),
     * then the FILTER's changes; loads its script. An age attribute given here replaces the settings' age rule.
     *
     * @param array<string, string|int|bool> $attributes
     */
    public static function render(array $attributes = [], string $context = self::CONTEXT_FUNCTION): string
    {
        $verifier = Settings::verifierUrl();
        if ($verifier === '') {
            return current_user_can('manage_options')
                ? '<p>' . esc_html__('iamport-verify: set the verifier URL in Settings → iamport-verify.', 'iamport-verify') . '</p>'
                : '';
        }
        wp_enqueue_script(self::SCRIPT_HANDLE, $verifier . '/iamport-verify.js', [], null, true);

        $fromAuthor = array_intersect_key($attributes, array_flip(self::AUTHOR_ATTRIBUTES));
        $ageGiven = isset($fromAuthor['min-age']) || isset($fromAuthor['min-year-age']) || isset($fromAuthor['guardian-under']);
        $merged = array_merge(self::fromSettings($verifier, !$ageGiven), $fromAuthor);
        $filtered = apply_filters(self::FILTER, $merged, $context);
        $html = '<iamport-verify';
        foreach (is_array($filtered) ? $filtered : $merged as $name => $value) {
            if (!in_array($name, self::ATTRIBUTES, true) || $value === null || $value === '' || $value === false) {
                continue;
            }
            $html .= in_array($name, self::BOOLEAN_ATTRIBUTES, true)
                ? ' ' . $name
                : sprintf(' %s="%s"', $name, esc_attr((string) $value));
        }
        return $html . '></iamport-verify>';
    }

    /** `script_loader_tag`: the tag's script is an ES module (WordPress 6.1 has no script modules API). */
    public static function asModule(string $html, string $handle): string
    {
        if ($handle !== self::SCRIPT_HANDLE) {
            return $html;
        }
        $src = wp_scripts()->registered[self::SCRIPT_HANDLE]->src;
        return sprintf('<script type="module" src="%s" id="%s-js"></script>' . "\n", esc_url($src), esc_attr($handle));
    }

    /** @return array<string, string|int|bool> */
    private static function fromSettings(string $verifier, bool $withAge): array
    {
        $settings = Settings::all();
        $portone = $settings['provider'] === 'portone';
        $attributes = [
            'name' => Registration::FIELD,
            'endpoint' => $verifier,
            'provider' => $portone ? 'portone' : '',
            'imp-code' => $portone ? '' : $settings['imp_code'],
            'store-id' => $portone ? $settings['store_id'] : '',
            'channel-key' => $settings['channel_key'],
        ];
        if ($withAge && $settings['age_rule'] !== 'none') {
            $attributes[$settings['age_rule'] === 'min_year_age' ? 'min-year-age' : 'min-age'] = (int) $settings['age'];
        }
        // On the sandbox the verifier serves a stand-in SDK (a dialog of test persons) in place of the provider's.
        if ((new VerifierClient($verifier))->isSandbox()) {
            $attributes['sdk-src'] = $verifier . ($portone ? '/sandbox/portone.js' : '/sandbox/iamport.js');
        }
        return $attributes;
    }
}
