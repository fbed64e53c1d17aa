<?php

declare(strict_types=1);

namespace IamportVerify\Gnuboard;

/**
 * The add-on's words, Korean first (Gnuboard's own language), English for a browser that asks for
 * English before Korean. One table per language; `%s`/`%d` as in sprintf.
 */
final class Text
{
    private const KO = [
        'menu_title' => '본인확인 (iamport-verify)',
        'settings_title' => 'iamport-verify 본인확인 설정',
        'settings_intro' => '회원가입과 19세 이상 게시판에 iamport-verify 본인확인을 씁니다. 사이트에는 사람마다 이 사이트에서만 쓰이는 가명(sub)만 저장되고, 이름·전화번호·생년월일·CI·DI는 저장되지 않습니다.',
        'verifier_url' => '검증 서버 URL',
        'verifier_url_help' => '예: https://verify.example.com. 검증 서버의 ALLOWED_ORIGINS에 이 사이트의 주소를 넣어 주세요:',
        'provider' => '본인확인 서비스',
        'provider_iamport' => '아임포트 (PortOne V1)',
        'provider_portone' => '포트원 V2',
        'imp_code' => '가맹점 식별코드 (imp 코드)',
        'store_id' => '상점 아이디 (V2)',
        'channel_key' => '채널 키',
        'age_rule' => '나이 기준',
        'age_rule_min_year_age' => '연 나이 (청소년보호법: 올해 - 출생연도)',
        'age_rule_min_age' => '만 나이',
        'age_rule_none' => '나이 확인 안 함',
        'age' => '최소 나이',
        'age_help' => '성인(mb_adult)은 이 기준으로 19세 이상일 때 표시됩니다.',
        'require_on_signup' => '회원가입 때 본인확인 필수',
        'reverify_days' => '재확인 주기 (일)',
        'reverify_days_help' => '이 기간이 지난 본인확인은 성인 인증(mb_adult)을 해제하며, 회원이 다시 확인하면 돌아옵니다.',
        'save' => '저장',
        'saved' => '저장되었습니다.',
        'not_saved' => '%s 저장하지 않음: "%s"',
        'invalid_verifier_url' => '검증 서버 URL은 경로·쿼리 없는 http(s) 주소여야 합니다 (예: https://verify.example.com).',
        'invalid_choice' => '주어진 선택지가 아닙니다.',
        'invalid_age' => '나이는 1에서 99 사이의 정수여야 합니다.',
        'invalid_reverify_days' => '재확인 주기는 1에서 3650 사이의 일 수여야 합니다.',
        'invalid_imp_code' => '가맹점 식별코드는 imp와 숫자 8자리입니다 (예: imp12345678).',
        'invalid_store_id' => '상점 아이디는 store-로 시작합니다.',
        'invalid_channel_key' => '채널 키는 channel-key-로 시작합니다.',
        'cert_use_off' => '기본환경설정의 "본인확인"이 "사용안함"이라 게시판의 본인확인 제한(bo_use_cert)이 동작하지 않습니다. "테스트" 또는 "실서비스"로 바꾸고, 휴대폰·아이핀·간편인증 서비스와 "본인확인 필수"는 선택하지 마세요.',
        'super_only' => '최고관리자만 접근 가능합니다.',
        'field_title' => '휴대폰 본인확인',
        'field_required' => '회원가입을 위해 본인확인을 해 주세요. 이름·전화번호·생년월일은 이 사이트에 저장되지 않습니다.',
        'field_optional' => '본인확인을 하면 본인확인·성인 게시판을 이용할 수 있습니다. 이름·전화번호·생년월일은 이 사이트에 저장되지 않습니다.',
        'field_verified' => '본인확인이 되어 있습니다. 다시 확인하려면 아래에서 확인한 뒤 정보수정을 눌러 주세요.',
        'verify_page_title' => '본인확인',
        'verify_submit' => '확인',
        'verify_first' => '회원가입을 위해서는 본인확인을 해주셔야 합니다.',
        'not_configured' => '이 사이트의 본인확인이 아직 설정되지 않았습니다.',
        'not_confirmed' => '본인확인을 확인할 수 없습니다. 다시 본인확인을 해 주세요.',
        'expired' => '본인확인 시간이 지났습니다. 다시 본인확인을 해 주세요.',
        'unreachable' => '본인확인 서버에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.',
        'too_young' => '%d세 이상만 이용할 수 있습니다.',
        'busy' => '같은 분의 다른 가입이 처리 중입니다. 잠시 후 다시 시도해 주세요.',
        'account_exists' => '입력하신 본인확인 정보로 가입된 내역이 존재합니다. 로그인해 주세요.',
        'verified_elsewhere' => '이 본인확인 정보는 다른 회원이 쓰고 있습니다.',
        'verified' => '본인확인이 완료되었습니다.',
        'login_first' => '로그인 후 이용하여 주십시오.',
        'bad_request' => '올바른 방법으로 이용해 주십시오.',
    ];

    private const EN = [
        'menu_title' => 'Identity check (iamport-verify)',
        'settings_title' => 'iamport-verify identity check settings',
        'settings_intro' => 'Sign-up and 19+ boards use iamport-verify. The site keeps only a per-site pseudonym of each person (sub): never a name, phone number, birth date, CI or DI.',
        'verifier_url' => 'Verifier URL',
        'verifier_url_help' => 'Such as https://verify.example.com. Add this site\'s origin to the verifier\'s ALLOWED_ORIGINS:',
        'provider' => 'Provider',
        'provider_iamport' => 'Iamport (PortOne V1)',
        'provider_portone' => 'PortOne V2',
        'imp_code' => 'Merchant code (imp code)',
        'store_id' => 'Store id (V2)',
        'channel_key' => 'Channel key',
        'age_rule' => 'Age rule',
        'age_rule_min_year_age' => 'Year age (Youth Protection Act: this year minus the birth year)',
        'age_rule_min_age' => 'International age (만 나이)',
        'age_rule_none' => 'No age check',
        'age' => 'Minimum age',
        'age_help' => 'Members are marked adult (mb_adult) when this rule makes them 19 or older.',
        'require_on_signup' => 'Require the identity check at sign-up',
        'reverify_days' => 'Re-verification period (days)',
        'reverify_days_help' => 'A verification older than this clears the adult mark (mb_adult) until the member verifies again.',
        'save' => 'Save',
        'saved' => 'Saved.',
        'not_saved' => '%s Not saved: "%s"',
        'invalid_verifier_url' => 'The verifier URL must be an http(s) address with no path or query, such as https://verify.example.com.',
        'invalid_choice' => 'This choice is not one of the offered ones.',
        'invalid_age' => 'The age must be a whole number from 1 to 99.',
        'invalid_reverify_days' => 'The period must be a number of days from 1 to 3650.',
        'invalid_imp_code' => 'The merchant code is "imp" and 8 digits, such as imp12345678.',
        'invalid_store_id' => 'The store id starts with "store-".',
        'invalid_channel_key' => 'The channel key starts with "channel-key-".',
        'cert_use_off' => 'Basic settings → 본인확인 is off, so boards\' certification rules (bo_use_cert) admit everyone. Set it to test (테스트) or live (실서비스), with no phone, i-PIN or simple provider and without 본인확인 필수.',
        'super_only' => 'Only the super administrator may open this page.',
        'field_title' => 'Mobile identity check',
        'field_required' => 'Please verify your identity to sign up. Your name, phone number and birth date are not stored on this site.',
        'field_optional' => 'Verify your identity to use verified and adult boards. Your name, phone number and birth date are not stored on this site.',
        'field_verified' => 'You are verified. To verify again, do so below and save your details.',
        'verify_page_title' => 'Identity check',
        'verify_submit' => 'Confirm',
        'verify_first' => 'Please verify your identity to sign up.',
        'not_configured' => 'The identity check is not set up on this site yet.',
        'not_confirmed' => 'Your verification could not be confirmed. Please verify again.',
        'expired' => 'Your verification has expired. Please verify again.',
        'unreachable' => 'The identity verification service could not be reached. Please try again later.',
        'too_young' => 'You must be %d or older.',
        'busy' => 'Another sign-up for you is under way. Please try again in a moment.',
        'account_exists' => 'You already have an account on this site. Please log in instead.',
        'verified_elsewhere' => 'This verification belongs to another member.',
        'verified' => 'You are verified.',
        'login_first' => 'Please log in first.',
        'bad_request' => 'Please use the site\'s own form.',
    ];

    /** 'en' when the browser asks for English before Korean; otherwise 'ko'. */
    public static function language(): string
    {
        $accepted = strtolower((string) ($_SERVER['HTTP_ACCEPT_LANGUAGE'] ?? ''));
        return preg_match('/\A\s*en\b/', $accepted) === 1 ? 'en' : 'ko';
    }

    public static function get(string $key, string|int ...$values): string
    {
        $table = self::language() === 'en' ? self::EN : self::KO;
        return $values === [] ? $table[$key] : sprintf($table[$key], ...$values);
    }
}
