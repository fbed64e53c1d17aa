<?php

declare(strict_types=1);

namespace IamportVerify\WordPress;

defined('ABSPATH') || exit;

/**
 * Settings → iamport-verify, through the settings API: options.php checks the nonce and the
 * `manage_options` capability, Settings::sanitize() the values, and every value printed here is escaped.
 */
final class SettingsPage
{
    private const PAGE = 'iamport-verify';
    private const GROUP = 'iamport_verify';

    public static function register(): void
    {
        add_action('admin_menu', [self::class, 'addPage']);
        add_action('admin_init', [self::class, 'registerFields']);
        add_filter('plugin_action_links_' . plugin_basename(IAMPORT_VERIFY_PLUGIN_FILE), [self::class, 'actionLinks']);
    }

    public static function addPage(): void
    {
        add_options_page(__('iamport-verify', 'iamport-verify'), __('iamport-verify', 'iamport-verify'), 'manage_options', self::PAGE, [self::class, 'render']);
    }

    /** @param string[] $links */
    public static function actionLinks(array $links): array
    {
        $url = admin_url('options-general.php?page=' . self::PAGE);
        array_unshift($links, sprintf('<a href="%s">%s</a>', esc_url($url), esc_html__('Settings', 'iamport-verify')));
        return $links;
    }

    public static function registerFields(): void
    {
        register_setting(self::GROUP, Settings::OPTION, [
            'type' => 'array',
            'sanitize_callback' => [Settings::class, 'sanitize'],
            'default' => Settings::defaults(),
            'show_in_rest' => false,
        ]);
        add_settings_section('verifier', __('Verifier', 'iamport-verify'), [self::class, 'describeVerifier'], self::PAGE);
        add_settings_section('provider', __('Provider', 'iamport-verify'), '__return_false', self::PAGE);
        add_settings_section('registration', __('Registration', 'iamport-verify'), '__return_false', self::PAGE);
        add_settings_section('gate', __('Age-restricted content', 'iamport-verify'), [self::class, 'describeGate'], self::PAGE);

        $fields = [
            ['verifier_url', __('Verifier URL', 'iamport-verify'), 'verifier', 'url',
                __('The iamport-verify verifier this site trusts, such as https://verify.example.com. It is also the attestations\' issuer.', 'iamport-verify')],
            ['provider', __('Provider', 'iamport-verify'), 'provider', ['iamport' => __('Iamport (PortOne V1)', 'iamport-verify'), 'portone' => __('PortOne V2', 'iamport-verify')], ''],
            ['imp_code', __('Merchant code (V1)', 'iamport-verify'), 'provider', 'text', __('imp and 8 digits, such as imp12345678.', 'iamport-verify')],
            ['store_id', __('Store id (V2)', 'iamport-verify'), 'provider', 'text', __('store-…, from the PortOne console.', 'iamport-verify')],
            ['channel_key', __('Channel key', 'iamport-verify'), 'provider', 'text', __('channel-key-…; required for PortOne V2, optional for V1.', 'iamport-verify')],
            ['age_rule', __('Age rule', 'iamport-verify'), 'registration', [
                'min_age' => __('International age (만 나이): the Civil Act, personal data consent', 'iamport-verify'),
                'min_year_age' => __('Year age (Youth Protection Act): this year minus the birth year', 'iamport-verify'),
                'none' => __('No age check (one account per person only)', 'iamport-verify'),
            ], ''],
            ['age', __('Minimum age', 'iamport-verify'), 'registration', 'number', __('One the verifier allows (its ALLOWED_AGES), such as 14 or 19.', 'iamport-verify')],
            ['require_on_registration', __('Require verification to register', 'iamport-verify'), 'registration', 'checkbox',
                __('The registration form cannot be sent, and no account is created, without a valid attestation.', 'iamport-verify')],
            ['one_account_per_person', __('One account per person', 'iamport-verify'), 'registration', 'checkbox',
                __('A person who already has an account cannot register another one.', 'iamport-verify')],
            ['reverify_days', __('Re-verification period (days)', 'iamport-verify'), 'gate', 'number',
                __('A member\'s verification opens restricted content this long; then they verify again. The guidance since 2014 is at least once a year (365).', 'iamport-verify')],
            ['guest_hours', __('Guest pass (hours)', 'iamport-verify'), 'gate', 'number',
                __('0: a visitor who is not logged in stays verified until the browser closes (12 hours at most). Otherwise this many hours.', 'iamport-verify')],
        ];
        foreach ($fields as [$name, $label, $section, $type, $help]) {
            add_settings_field($name, $label, [self::class, 'renderField'], self::PAGE, $section, [
                'name' => $name, 'type' => $type, 'help' => $help, 'label_for' => is_array($type) ? null : 'iamport-verify-' . $name,
            ]);
        }
    }

    /** Where this site stands: the origin to allow on the verifier, and how tokens are checked here. */
    public static function describeVerifier(): void
    {
        echo '<p>' . esc_html__('Add this site\'s origin to the verifier\'s ALLOWED_ORIGINS; it is the audience of the attestations made here:', 'iamport-verify')
            . ' <code id="iamport-verify-origin">' . esc_html(Settings::siteOrigin()) . '</code></p>';
        if (Registration::mode() === 'signature') {
            $mode = __('Attestations are checked on this server, offline, with PHP\'s openssl extension and the verifier\'s published keys.', 'iamport-verify');
        } elseif (!extension_loaded('openssl')) {
            $mode = __('PHP\'s openssl extension is missing, so this site asks the verifier to check each attestation (POST /v1/introspect): one request per registration. Enable openssl to check them offline.', 'iamport-verify');
        } else {
            $mode = __('IAMPORT_VERIFY_INTROSPECTION is set in wp-config.php, so this site asks the verifier to check each attestation (POST /v1/introspect): one request per registration.', 'iamport-verify');
        }
        echo '<p id="iamport-verify-mode">' . esc_html($mode) . '</p>';
        if (!get_option('users_can_register')) {
            printf(
                '<p><strong>%s</strong> <a href="%s">%s</a></p>',
                esc_html__('Registration is closed on this site, so the registration form is not shown.', 'iamport-verify'),
                esc_url(admin_url('options-general.php')),
                esc_html__('Settings → General → Membership', 'iamport-verify')
            );
        }
    }

    /** How many members verified: inspection without anything personal. */
    public static function describeGate(): void
    {
        $counts = Gate\MemberProofs::counts();
        echo '<p>' . esc_html__('Mark a post or page in its "Age restriction" box, every post of a category on the category\'s page, or a part of any content with the "Age-restricted content" block or [iamport_verify_gate min_year_age="19"]…[/iamport_verify_gate].', 'iamport-verify') . '</p>';
        printf(
            '<p id="iamport-verify-counts">%s</p>',
            esc_html(sprintf(
                /* translators: 1: members who ever verified, 2: of them, those whose verification is current, 3: members who verified again */
                __('Members verified: %1$d (current: %2$d). Verified again: %3$d.', 'iamport-verify'),
                $counts['verified'],
                $counts['current'],
                $counts['reverified']
            ))
        );
    }

    /** @param array{name: string, type: string|array<string, string>, help: string} $field */
    public static function renderField(array $field): void
    {
        $name = $field['name'];
        $value = Settings::get($name);
        $id = 'iamport-verify-' . $name;
        $inputName = Settings::OPTION . '[' . $name . ']';
        if (is_array($field['type'])) {
            echo '<fieldset>';
            foreach ($field['type'] as $choice => $label) {
                printf(
                    '<label><input type="radio" name="%s" value="%s"%s> %s</label><br>',
                    esc_attr($inputName),
                    esc_attr($choice),
                    checked($value, $choice, false),
                    esc_html($label)
                );
            }
            echo '</fieldset>';
        } elseif ($field['type'] === 'checkbox') {
            printf(
                '<label><input type="checkbox" id="%s" name="%s" value="1"%s> %s</label>',
                esc_attr($id),
                esc_attr($inputName),
                checked((bool) $value, true, false),
                esc_html($field['help'])
            );
            return;
        } else {
            printf(
                '<input type="%s" id="%s" name="%s" value="%s" class="%s"%s>',
                esc_attr($field['type']),
                esc_attr($id),
                esc_attr($inputName),
                $field['type'] === 'url' ? esc_url((string) $value) : esc_attr((string) $value),
                $field['type'] === 'number' ? 'small-text' : 'regular-text',
                $name === 'age' ? ' min="1" max="99" step="1"' : ($field['type'] === 'number' ? ' min="0" step="1"' : '')
            );
        }
        if ($field['help'] !== '') {
            echo '<p class="description">' . esc_html($field['help']) . '</p>';
        }
    }

    public static function render(): void
    {
        if (!current_user_can('manage_options')) {
            return;
        }
        echo '<div class="wrap"><h1>' . esc_html(get_admin_page_title()) . '</h1><form action="options.php" method="post">';
        settings_fields(self::GROUP);
        do_settings_sections(self::PAGE);
        submit_button();
        echo '</form></div>';
    }
}
