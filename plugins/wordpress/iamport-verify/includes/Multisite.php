<?php

declare(strict_types=1);

namespace IamportVerify\WordPress;

defined('ABSPATH') || exit;

/**
 * On a multisite network people sign up through wp-signup.php (wp-login.php's registration form only sends
 * them there), which the plugin does not check. So it refuses to be activated on a network, network-wide
 * or on one site, rather than seem to gate a registration it does not; and where it is active anyway (a
 * site with the plugin turned into a network), wp-signup.php takes no sign-up while verification is required.
 */
final class Multisite
{
    public static function register(): void
    {
        register_activation_hook(IAMPORT_VERIFY_PLUGIN_FILE, [self::class, 'refuseActivation']);
        add_filter('wpmu_validate_user_signup', [self::class, 'refuseSignup']);
    }

    /** The activation hook: WordPress records the plugin as active only after it returns, so wp_die() refuses. */
    public static function refuseActivation(): void
    {
        if (!is_multisite()) {
            return;
        }
        wp_die(
            esc_html__('iamport-verify works on single sites only: on a multisite network people sign up through wp-signup.php, which it does not check, so it would not keep unverified people out. It was not activated.', 'iamport-verify'),
            esc_html__('iamport-verify was not activated', 'iamport-verify'),
            ['response' => 200, 'back_link' => true]
        );
    }

    /**
     * `wpmu_validate_user_signup`, on wp-signup.php only (network administrators add users through the same filter).
     *
     * @param array{errors: \WP_Error} $result
     * @return array{errors: \WP_Error}
     */
    public static function refuseSignup($result)
    {
        if (did_action('before_signup_header') && Settings::get('require_on_registration')) {
            // 'generic' is the code wp-signup.php shows above its extra fields.
            $result['errors']->add('generic', esc_html__('Signing up here needs an identity verification that this network does not offer. Please ask the site\'s administrator.', 'iamport-verify'));
        }
        return $result;
    }
}
