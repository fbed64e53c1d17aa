<?php

declare(strict_types=1);

namespace IamportVerify\Gnuboard;

/**
 * Where the add-on joins Gnuboard: its events and replaces only (no core file or skin is edited,
 * so a Gnuboard update does not undo it).
 */
final class Addon
{
    /** The admin menu entry, under 회원관리 (menu200). */
    public const ADMIN_MENU_ID = '200950';
    /** Gnuboard's board scripts whose certification refusal sends a member to verify. */
    private const GATED_SCRIPTS = ['board.php', 'write.php'];

    /** @var array<string, mixed>|null the claims of the sign-up or update under way, recorded once the member is written */
    private static ?array $pending = null;
    private static bool $redirecting = false;

    /** Callbacks are closures: Gnuboard's hook class takes an array callback for a singleton with getInstance(). */
    public static function register(): void
    {
        add_replace('admin_menu', self::addAdminMenu(...), G5_HOOK_DEFAULT_PRIORITY, 1);
        if (!Settings::isConfigured()) {
            return;
        }
        add_event('register_form_after', self::printTag(...), G5_HOOK_DEFAULT_PRIORITY, 1);
        add_event('register_form_update_valid', self::checkSubmission(...), G5_HOOK_DEFAULT_PRIORITY, 2);
        add_event('register_form_update_after', self::recordSubmission(...), G5_HOOK_DEFAULT_PRIORITY, 2);
        add_event('alert', self::sendRefusedMemberToVerify(...), G5_HOOK_DEFAULT_PRIORITY, 2);

        global $member, $is_member;
        if ($is_member) {
            // Before board.php and write.php read mb_adult.
            Members::expireIfDue($member);
        }
    }

    /** @param array<string, array<int, array<int, mixed>>> $menu */
    public static function addAdminMenu(array $menu): array
    {
        if (isset($menu['menu200'])) {
            $menu['menu200'][] = [self::ADMIN_MENU_ID, Text::get('menu_title'), G5_PLUGIN_URL . '/iamport-verify/adm/settings.php', 'iamport_verify'];
        }
        return $menu;
    }

    /** `register_form_after`: the tag in the sign-up form (required as the settings say) and in 정보수정. */
    public static function printTag(string $w): void
    {
        global $member;
        $required = $w === '' && (bool) Settings::get('require_on_signup');
        $verified = $w === 'u' && ($member['mb_certify'] ?? '') !== '';
        echo '<div id="iamport-verify-field" class="iamport-verify-field" style="margin:20px 0;padding:16px;border:1px solid #d7dde5;border-radius:6px;background:#fff">'
            . '<h2 style="font-size:1.1em;margin:0 0 6px">' . htmlspecialchars(Text::get('field_title'), ENT_QUOTES) . '</h2>'
            . '<p style="margin:0 0 12px;color:#555">' . htmlspecialchars(Text::get($verified ? 'field_verified' : ($required ? 'field_required' : 'field_optional')), ENT_QUOTES) . '</p>'
            . Tag::render($required, 'fregisterform')
            . '</div>'
            // Into the form, above its buttons: register_form_after runs after the skin, and skins are not edited.
            . '<script>(function () { var form = document.getElementById("fregisterform"), field = document.getElementById("iamport-verify-field");'
            . ' if (!form || !field) return; var buttons = form.querySelector(".btn_confirm");'
            . ' if (buttons && buttons.parentNode === form) form.insertBefore(field, buttons); else form.appendChild(field); })();</script>';
    }

    /**
     * `register_form_update_valid`, before the member is written: the attestation is checked here, and
     * the person's lock taken, so that one person makes one account.
     */
    public static function checkSubmission(string $w, string $mbId): void
    {
        global $member;
        $token = Attestation::posted();
        if ($token === '') {
            if ($w === '' && Settings::get('require_on_signup')) {
                alert(Text::get('verify_first'));
            }
            return; // 정보수정 without a new verification changes nothing here
        }
        $except = $w === 'u' ? (string) $member['mb_id'] : '';
        self::$pending = self::claimFor($token, $except);
    }

    /** `register_form_update_after`: the member just written gets the verification checked above. */
    public static function recordSubmission(string $mbId): void
    {
        if (self::$pending !== null) {
            Members::record($mbId, self::$pending);
            self::$pending = null;
        }
    }

    /**
     * The claims of `$token` for a member (`$except`: the member verifying, '' for a sign-up), under the
     * person's lock, or an alert that ends the request: a bad token, or a person who has an account already.
     *
     * @return array<string, mixed>
     */
    public static function claimFor(string $token, string $except): array
    {
        try {
            $claims = Attestation::check($token);
        } catch (Refusal $refusal) {
            alert($refusal->getMessage());
        }
        // Check and write under the person's lock: a read-then-write alone lets two sign-ups at once both pass.
        if (!Members::lock($claims['sub'])) {
            alert(Text::get('busy'));
        }
        if (Members::holderOf($claims['sub'], $except) !== null) {
            alert(Text::get($except === '' ? 'account_exists' : 'verified_elsewhere'));
        }
        return $claims;
    }

    /**
     * `alert`, fired just before board.php or write.php refuses a member for its certification rule
     * (bo_use_cert): the same message, then the member's own verification page instead of the home page.
     */
    public static function sendRefusedMemberToVerify(string $message, string $url): void
    {
        global $board, $config, $member, $is_member, $is_admin;
        if (self::$redirecting || !$is_member || $is_admin || empty($config['cf_cert_use'])
            || !in_array(basename((string) ($_SERVER['SCRIPT_NAME'] ?? '')), self::GATED_SCRIPTS, true)) {
            return;
        }
        $rule = (string) ($board['bo_use_cert'] ?? '');
        $refused = ($rule === 'cert' && empty($member['mb_certify'])) || ($rule === 'adult' && empty($member['mb_adult']));
        if (!$refused || $url !== G5_URL) {
            return; // another refusal (read level, password...), or not the certification one
        }
        self::$redirecting = true;
        $back = (string) ($_SERVER['REQUEST_URI'] ?? '');
        alert($message, G5_PLUGIN_URL . '/iamport-verify/verify.php?url=' . urlencode($back));
    }
}
