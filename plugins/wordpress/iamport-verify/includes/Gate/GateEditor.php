<?php

declare(strict_types=1);

namespace IamportVerify\WordPress\Gate;

defined('ABSPATH') || exit;

/**
 * Where authors mark what is restricted: a box beside the post or page (in the classic and the block
 * editor), a field on each category, and the `iamport-verify/gate` block (plain script, no build step).
 * Each save checks its nonce and the capability to edit what it saves.
 */
final class GateEditor
{
    private const NONCE_ACTION = 'iamport_verify_gate';
    private const NONCE_FIELD = 'iamport_verify_gate_nonce';
    private const RULE_FIELD = 'iamport_verify_gate_rule';
    private const AGE_FIELD = 'iamport_verify_gate_age';
    private const NO_GATE = 'none';
    private const EDITOR_SCRIPT = 'iamport-verify-gate-editor';

    public static function register(): void
    {
        add_action('add_meta_boxes', [self::class, 'addBox']);
        add_action('save_post', [self::class, 'savePost'], 10, 2);
        add_action(PostGates::TAXONOMY . '_add_form_fields', [self::class, 'categoryAddFields']);
        add_action(PostGates::TAXONOMY . '_edit_form_fields', [self::class, 'categoryEditFields']);
        add_action('created_' . PostGates::TAXONOMY, [self::class, 'saveCategory']);
        add_action('edited_' . PostGates::TAXONOMY, [self::class, 'saveCategory']);
        add_action('init', [self::class, 'registerBlock']);
    }

    public static function addBox(): void
    {
        foreach (get_post_types(['public' => true, 'show_ui' => true]) as $postType) {
            if ($postType !== 'attachment') {
                add_meta_box('iamport-verify-gate', __('Age restriction', 'iamport-verify'), [self::class, 'renderBox'], $postType, 'side');
            }
        }
    }

    public static function renderBox(\WP_Post $post): void
    {
        wp_nonce_field(self::NONCE_ACTION, self::NONCE_FIELD);
        self::printChoices(AgeRule::fromStored(get_post_meta($post->ID, PostGates::POST_META, true)), __('No restriction', 'iamport-verify'));
        echo '<p class="description">' . esc_html__('Visitors verify their age (본인인증) before they see this content. You still see it, as you may edit it.', 'iamport-verify') . '</p>';
    }

    public static function savePost(int $postId, \WP_Post $post): void
    {
        if (!self::nonceIsValid() || (defined('DOING_AUTOSAVE') && DOING_AUTOSAVE) || wp_is_post_revision($postId) || !current_user_can('edit_post', $postId)) {
            return;
        }
        $rule = self::submittedRule();
        if ($rule === null) {
            delete_post_meta($postId, PostGates::POST_META);
        } else {
            update_post_meta($postId, PostGates::POST_META, $rule->stored());
        }
    }

    public static function categoryAddFields(): void
    {
        echo '<div class="form-field"><label>' . esc_html__('Age restriction', 'iamport-verify') . '</label>';
        wp_nonce_field(self::NONCE_ACTION, self::NONCE_FIELD);
        self::printChoices(null, __('No restriction', 'iamport-verify'));
        echo '<p>' . esc_html__('Every post of this category is restricted.', 'iamport-verify') . '</p></div>';
    }

    public static function categoryEditFields(\WP_Term $term): void
    {
        echo '<tr class="form-field"><th scope="row">' . esc_html__('Age restriction', 'iamport-verify') . '</th><td>';
        wp_nonce_field(self::NONCE_ACTION, self::NONCE_FIELD);
        self::printChoices(AgeRule::fromStored(get_term_meta($term->term_id, PostGates::TERM_META, true)), __('No restriction', 'iamport-verify'));
        echo '<p class="description">' . esc_html__('Every post of this category is restricted.', 'iamport-verify') . '</p></td></tr>';
    }

    public static function saveCategory(int $termId): void
    {
        if (!self::nonceIsValid() || !current_user_can('edit_term', $termId)) {
            return;
        }
        $rule = self::submittedRule();
        if ($rule === null) {
            delete_term_meta($termId, PostGates::TERM_META);
        } else {
            update_term_meta($termId, PostGates::TERM_META, $rule->stored());
        }
    }

    /** The block: registered here with its translated labels; assets/gate-block.js only draws it in the editor. */
    public static function registerBlock(): void
    {
        wp_register_script(self::EDITOR_SCRIPT, plugins_url('assets/gate-block.js', IAMPORT_VERIFY_PLUGIN_FILE),
            ['wp-blocks', 'wp-block-editor', 'wp-components', 'wp-element'], IAMPORT_VERIFY_VERSION, true);
        wp_localize_script(self::EDITOR_SCRIPT, 'iamportVerifyGateBlock', [
            'rule' => __('Age rule', 'iamport-verify'),
            'yearRule' => __('Year rule (Youth Protection Act, 19+ content)', 'iamport-verify'),
            'internationalAge' => __('International age (만 나이)', 'iamport-verify'),
            'age' => __('Minimum age', 'iamport-verify'),
            /* translators: %d: an age */
            'summaryYear' => __('Shown to visitors verified as %d or older (year rule).', 'iamport-verify'),
            /* translators: %d: an age */
            'summaryInternational' => __('Shown to visitors verified as %d or older (만 나이).', 'iamport-verify'),
        ]);
        register_block_type(PostGates::BLOCK, [
            'api_version' => 2,
            'title' => __('Age-restricted content', 'iamport-verify'),
            'description' => __('What is inside is shown only to visitors who verified their age.', 'iamport-verify'),
            'category' => 'design',
            'icon' => 'lock',
            'attributes' => [
                'rule' => ['type' => 'string', 'enum' => AgeRule::RULES, 'default' => AgeRule::YEAR_RULE],
                'age' => ['type' => 'integer', 'default' => AgeRule::YOUTH_PROTECTION_AGE],
            ],
            'supports' => ['html' => false],
            'editor_script' => self::EDITOR_SCRIPT,
            'render_callback' => [ContentGate::class, 'renderBlock'],
        ]);
    }

    private static function printChoices(?AgeRule $current, string $noneLabel): void
    {
        $choices = [
            self::NO_GATE => $noneLabel,
            AgeRule::YEAR_RULE => __('Year rule (Youth Protection Act, 19+ content)', 'iamport-verify'),
            AgeRule::INTERNATIONAL_AGE => __('International age (만 나이)', 'iamport-verify'),
        ];
        echo '<fieldset>';
        foreach ($choices as $value => $label) {
            printf(
                '<label style="display:block"><input type="radio" name="%s" value="%s"%s> %s</label>',
                esc_attr(self::RULE_FIELD),
                esc_attr($value),
                checked($current?->rule ?? self::NO_GATE, $value, false),
                esc_html($label)
            );
        }
        printf(
            '<label style="display:block">%s <input type="number" name="%s" value="%d" min="1" max="99" step="1" class="small-text"></label>',
            esc_html__('Minimum age', 'iamport-verify'),
            esc_attr(self::AGE_FIELD),
            $current?->age ?? AgeRule::YOUTH_PROTECTION_AGE
        );
        echo '</fieldset>';
    }

    private static function nonceIsValid(): bool
    {
        $nonce = isset($_POST[self::NONCE_FIELD]) && is_string($_POST[self::NONCE_FIELD]) ? sanitize_text_field(wp_unslash($_POST[self::NONCE_FIELD])) : '';
        return $nonce !== '' && wp_verify_nonce($nonce, self::NONCE_ACTION) !== false;
    }

    /** The rule the form chose; null for none. An invalid choice or age keeps the content restricted at 19 (never opens it). */
    private static function submittedRule(): ?AgeRule
    {
        // phpcs:ignore WordPress.Security.NonceVerification -- checked in nonceIsValid() by every caller
        $rule = isset($_POST[self::RULE_FIELD]) && is_string($_POST[self::RULE_FIELD]) ? sanitize_key(wp_unslash($_POST[self::RULE_FIELD])) : self::NO_GATE;
        if ($rule === self::NO_GATE) {
            return null;
        }
        // phpcs:ignore WordPress.Security.NonceVerification -- as above
        $age = isset($_POST[self::AGE_FIELD]) && is_string($_POST[self::AGE_FIELD]) ? sanitize_text_field(wp_unslash($_POST[self::AGE_FIELD])) : '';
        return AgeRule::tryMake($rule, $age) ?? AgeRule::fallback();
    }
}
