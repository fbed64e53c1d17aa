<?php
/**
 * 회원관리 → 본인확인 (iamport-verify): the add-on's settings, for the super administrator, with
 * Gnuboard's admin token on every save. Opening it creates the add-on's tables when missing.
 */

declare(strict_types=1);

use IamportVerify\Gnuboard\Addon;
use IamportVerify\Gnuboard\Schema;
use IamportVerify\Gnuboard\Settings;
use IamportVerify\Gnuboard\Text;

require_once __DIR__ . '/_common.php';

$sub_menu = Addon::ADMIN_MENU_ID;
if ($is_admin !== 'super') {
    alert(Text::get('super_only'), G5_URL);
}
Schema::ensure();

$refused = [];
$saved = false;
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    check_admin_token();
    // common.php addslashes()-ed $_POST; the settings want the values as typed.
    $input = isset($_POST['settings']) && is_array($_POST['settings']) ? array_map('stripslashes', array_filter($_POST['settings'], 'is_string')) : [];
    $refused = Settings::save($input);
    $saved = true;
}

$settings = Settings::all();
$e = static fn ($value): string => htmlspecialchars((string) $value, ENT_QUOTES);
$field = static fn (string $name): string => 'iamport-verify-' . $name;
$g5['title'] = Text::get('settings_title');
require_once G5_ADMIN_PATH . '/admin.head.php';
?>
<div class="local_desc01 local_desc"><p><?php echo $e(Text::get('settings_intro')); ?></p></div>
<?php if (empty($config['cf_cert_use'])) { ?>
<div class="local_desc02 local_desc" id="iamport-verify-cert-use"><p><?php echo $e(Text::get('cert_use_off')); ?></p></div>
<?php } ?>
<?php if ($saved && $refused === []) { ?>
<div class="local_desc01 local_desc" id="iamport-verify-saved" role="status"><p><?php echo $e(Text::get('saved')); ?></p></div>
<?php } ?>
<?php foreach ($refused as $index => $message) { ?>
<div class="local_desc02 local_desc iamport-verify-refused" role="alert"><p><?php echo $e($message); ?></p></div>
<?php } ?>
<form name="fiamportverify" id="fiamportverify" method="post" action="<?php echo $e(G5_PLUGIN_URL . '/iamport-verify/adm/settings.php'); ?>">
<input type="hidden" name="token" value="<?php echo $e(get_admin_token()); ?>">
<div class="tbl_frm01 tbl_wrap">
<table>
<caption><?php echo $e(Text::get('settings_title')); ?></caption>
<colgroup><col class="grid_4"><col></colgroup>
<tbody>
<tr>
    <th scope="row"><label for="<?php echo $field('verifier_url'); ?>"><?php echo $e(Text::get('verifier_url')); ?></label></th>
    <td>
        <input type="url" name="settings[verifier_url]" id="<?php echo $field('verifier_url'); ?>" value="<?php echo $e($settings['verifier_url']); ?>" class="frm_input" size="50">
        <p class="frm_info"><?php echo $e(Text::get('verifier_url_help')); ?> <code id="iamport-verify-origin"><?php echo $e(Settings::siteOrigin()); ?></code></p>
    </td>
</tr>
<tr>
    <th scope="row"><label for="<?php echo $field('provider'); ?>"><?php echo $e(Text::get('provider')); ?></label></th>
    <td><select name="settings[provider]" id="<?php echo $field('provider'); ?>">
        <?php foreach (Settings::PROVIDERS as $provider) { ?>
        <option value="<?php echo $e($provider); ?>"<?php echo $settings['provider'] === $provider ? ' selected' : ''; ?>><?php echo $e(Text::get('provider_' . $provider)); ?></option>
        <?php } ?>
    </select></td>
</tr>
<?php foreach (['imp_code', 'store_id', 'channel_key'] as $name) { ?>
<tr>
    <th scope="row"><label for="<?php echo $field($name); ?>"><?php echo $e(Text::get($name)); ?></label></th>
    <td><input type="text" name="settings[<?php echo $name; ?>]" id="<?php echo $field($name); ?>" value="<?php echo $e($settings[$name]); ?>" class="frm_input" size="40"></td>
</tr>
<?php } ?>
<tr>
    <th scope="row"><label for="<?php echo $field('age_rule'); ?>"><?php echo $e(Text::get('age_rule')); ?></label></th>
    <td><select name="settings[age_rule]" id="<?php echo $field('age_rule'); ?>">
        <?php foreach (Settings::AGE_RULES as $rule) { ?>
        <option value="<?php echo $e($rule); ?>"<?php echo $settings['age_rule'] === $rule ? ' selected' : ''; ?>><?php echo $e(Text::get('age_rule_' . $rule)); ?></option>
        <?php } ?>
    </select></td>
</tr>
<tr>
    <th scope="row"><label for="<?php echo $field('age'); ?>"><?php echo $e(Text::get('age')); ?></label></th>
    <td>
        <input type="number" name="settings[age]" id="<?php echo $field('age'); ?>" value="<?php echo $e($settings['age']); ?>" class="frm_input" min="1" max="99">
        <p class="frm_info"><?php echo $e(Text::get('age_help')); ?></p>
    </td>
</tr>
<tr>
    <th scope="row"><label for="<?php echo $field('require_on_signup'); ?>"><?php echo $e(Text::get('require_on_signup')); ?></label></th>
    <td><input type="checkbox" name="settings[require_on_signup]" id="<?php echo $field('require_on_signup'); ?>" value="1"<?php echo $settings['require_on_signup'] ? ' checked' : ''; ?>></td>
</tr>
<tr>
    <th scope="row"><label for="<?php echo $field('reverify_days'); ?>"><?php echo $e(Text::get('reverify_days')); ?></label></th>
    <td>
        <input type="number" name="settings[reverify_days]" id="<?php echo $field('reverify_days'); ?>" value="<?php echo $e($settings['reverify_days']); ?>" class="frm_input" min="1" max="3650">
        <p class="frm_info"><?php echo $e(Text::get('reverify_days_help')); ?></p>
    </td>
</tr>
</tbody>
</table>
</div>
<div class="btn_fixed_top"><input type="submit" value="<?php echo $e(Text::get('save')); ?>" class="btn_submit btn" id="iamport-verify-save" accesskey="s"></div>
</form>
<?php
require_once G5_ADMIN_PATH . '/admin.tail.php';
