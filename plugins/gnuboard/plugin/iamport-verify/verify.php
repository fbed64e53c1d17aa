<?php
/**
 * An existing member's own verification page: linked from the board refusal Gnuboard makes for
 * bo_use_cert boards (see Addon::sendRefusedMemberToVerify), and usable from anywhere with ?url= the
 * page to go back to. The attestation is checked on this server, as at sign-up.
 */

declare(strict_types=1);

use IamportVerify\Gnuboard\Addon;
use IamportVerify\Gnuboard\Attestation;
use IamportVerify\Gnuboard\Members;
use IamportVerify\Gnuboard\Settings;
use IamportVerify\Gnuboard\Tag;
use IamportVerify\Gnuboard\Text;

include_once __DIR__ . '/_common.php';

if (!class_exists(Settings::class) || !Settings::isConfigured()) {
    alert('iamport-verify: ' . (class_exists(Text::class) ? Text::get('not_configured') : 'not set up'), G5_URL);
}
/** The session key of this form's one-time value: a page elsewhere cannot post someone else's attestation here. */
const IAMPORT_VERIFY_FORM_KEY = 'ss_iamport_verify_form';

$back = isset($_REQUEST['url']) && is_string($_REQUEST['url']) ? stripslashes($_REQUEST['url']) : '';
if ($back === '' || preg_match('#\A/(?!/)#', $back) !== 1) {
    $back = G5_URL; // only a path on this site: never an address elsewhere
}
if (!$is_member) {
    alert(Text::get('login_first'), G5_BBS_URL . '/login.php?url=' . urlencode((string) ($_SERVER['REQUEST_URI'] ?? '')));
}

if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    $expected = (string) get_session(IAMPORT_VERIFY_FORM_KEY);
    set_session(IAMPORT_VERIFY_FORM_KEY, '');
    $given = isset($_POST['form_token']) && is_string($_POST['form_token']) ? $_POST['form_token'] : '';
    if ($expected === '' || !hash_equals($expected, $given)) {
        alert(Text::get('bad_request'));
    }
    $token = Attestation::posted();
    if ($token === '') {
        alert(Text::get('not_confirmed'));
    }
    Members::record((string) $member['mb_id'], Addon::claimFor($token, (string) $member['mb_id']));
    alert(Text::get('verified'), $back);
}

$formToken = get_random_token_string(16);
set_session(IAMPORT_VERIFY_FORM_KEY, $formToken);
$g5['title'] = Text::get('verify_page_title');
include_once G5_PATH . '/_head.php';
?>
<section id="iamport-verify-page" style="max-width:480px;margin:40px auto;padding:24px;border:1px solid #d7dde5;border-radius:6px;background:#fff">
    <h2 style="font-size:1.3em;margin:0 0 8px"><?php echo htmlspecialchars(Text::get('field_title'), ENT_QUOTES); ?></h2>
    <p style="margin:0 0 16px;color:#555"><?php echo htmlspecialchars(Text::get('field_optional'), ENT_QUOTES); ?></p>
    <form id="iamport-verify-form" method="post" action="<?php echo htmlspecialchars(G5_PLUGIN_URL . '/iamport-verify/verify.php', ENT_QUOTES); ?>">
        <input type="hidden" name="form_token" value="<?php echo htmlspecialchars($formToken, ENT_QUOTES); ?>">
        <input type="hidden" name="url" value="<?php echo htmlspecialchars($back, ENT_QUOTES); ?>">
        <?php echo Tag::render(true); ?>
        <p style="margin:16px 0 0"><button type="submit" class="btn_submit" style="padding:8px 24px"><?php echo htmlspecialchars(Text::get('verify_submit'), ENT_QUOTES); ?></button></p>
    </form>
</section>
<?php
include_once G5_PATH . '/_tail.php';
