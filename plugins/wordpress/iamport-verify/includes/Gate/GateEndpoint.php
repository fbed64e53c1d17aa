<?php

declare(strict_types=1);

namespace IamportVerify\WordPress\Gate;

use IamportVerify\WordPress\Registration;
use IamportVerify\WordPress\Settings;

defined('ABSPATH') || exit;

/**
 * `POST /wp-json/iamport-verify/v1/pass`: where a gate's attestation goes. This server checks it
 * (AttestationVerifier, with the gate's rule), uses it once, and keeps what it proves: on the member's
 * account (the `sub` linked, one account per person) or, for a guest, in this browser's pass.
 */
final class GateEndpoint
{
    public const NAMESPACE = 'iamport-verify/v1';
    public const ROUTE = '/pass';

    public static function register(): void
    {
        add_action('rest_api_init', [self::class, 'addRoute']);
    }

    public static function addRoute(): void
    {
        register_rest_route(self::NAMESPACE, self::ROUTE, [
            'methods' => 'POST',
            'callback' => [self::class, 'pass'],
            // Anyone may verify: guests too. A logged-in member's request carries the REST nonce (else it counts as a guest's).
            'permission_callback' => '__return_true',
            'args' => [
                'token' => ['type' => 'string', 'required' => true, 'maxLength' => 4096],
                'rule' => ['type' => 'string', 'required' => true, 'enum' => AgeRule::RULES],
                'age' => ['type' => 'integer', 'required' => true, 'minimum' => 1, 'maximum' => 99],
            ],
        ]);
    }

    public static function pass(\WP_REST_Request $request): \WP_REST_Response|\WP_Error
    {
        // A guest's pass is a cookie: a page on another site must not set one in a visitor's browser with a
        // form post (CSRF). Browsers send Origin with every POST; a server-side client sends none.
        $origin = (string) $request->get_header('origin');
        if ($origin !== '' && $origin !== Settings::siteOrigin()) {
            return new \WP_Error('iamport_verify_cross_site', __('Verifications are accepted from this site\'s own pages only.', 'iamport-verify'), ['status' => 403]);
        }
        $rule = new AgeRule((string) $request['rule'], (int) $request['age']);
        $claims = Registration::check(trim((string) $request['token']), $rule->requirement());
        if (is_wp_error($claims)) {
            $message = $claims->get_error_code() === 'iamport_verify_age_too_low'
                /* translators: %s: the age rule, such as "19+ (year rule)" */
                ? sprintf(__('This content is only for people %s. Your verification does not show that age.', 'iamport-verify'), $rule->label())
                : $claims->get_error_message();
            return new \WP_Error($claims->get_error_code(), $message, ['status' => 403]);
        }
        if (!UsedAttestations::claim((string) $claims['jti'], (int) $claims['exp'])) {
            return new \WP_Error('iamport_verify_already_used', __('This verification was already used. Please verify again.', 'iamport-verify'), ['status' => 409]);
        }
        $userId = get_current_user_id();
        if ($userId !== 0) {
            $linked = MemberProofs::link($userId, $claims);
            if (is_wp_error($linked)) {
                $linked->add_data(['status' => 409]);
                return $linked;
            }
        } else {
            $proof = Proof::fromClaims($claims, Clock::now());
            if ($proof === null) {
                return new \WP_Error('iamport_verify_no_age', __('This verification does not attest an age.', 'iamport-verify'), ['status' => 403]);
            }
            GuestPass::issue($proof);
        }
        Viewer::forget();
        return new \WP_REST_Response(['passed' => true, 'member' => $userId !== 0], 200);
    }
}
