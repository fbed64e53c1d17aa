<?php

declare(strict_types=1);

namespace IamportVerify\Gnuboard;

use IamportVerify\Http;

/**
 * The `<iamport-verify>` tag with the settings' values. Where the verifier is, the provider ids,
 * the SDK and the age come from the settings only (never from a page's content); the script is
 * the verifier's own (`{verifier}/iamport-verify.js`).
 */
final class Tag
{
    /** How long the verifier's discovery document (sandbox or not) is trusted; a failure only briefly. */
    private const DISCOVERY_SECONDS = 3600;
    private const DISCOVERY_FAILURE_SECONDS = 60;

    /** The tag's HTML (escaped) and its script, or '' when the add-on is not set up. */
    public static function render(bool $required, string $form = ''): string
    {
        if (!Settings::isConfigured()) {
            return '';
        }
        $settings = Settings::all();
        $verifier = Settings::verifierUrl();
        $portone = $settings['provider'] === 'portone';
        $attributes = [
            'name' => Attestation::FIELD,
            'endpoint' => $verifier,
            'provider' => $portone ? 'portone' : '',
            'imp-code' => $portone ? '' : $settings['imp_code'],
            'store-id' => $portone ? $settings['store_id'] : '',
            'channel-key' => $settings['channel_key'],
            'lang' => Text::language(),
            'form' => $form,
        ];
        foreach (Settings::ageRequirement() as $rule => $age) {
            $attributes[$rule === 'min_year_age' ? 'min-year-age' : 'min-age'] = (string) $age;
        }
        // On the sandbox the verifier serves a stand-in SDK (a dialog of test persons) in place of the provider's.
        if (self::isSandbox($verifier)) {
            $attributes['sdk-src'] = $verifier . ($portone ? '/sandbox/portone.js' : '/sandbox/iamport.js');
        }
        $html = '<iamport-verify';
        foreach ($attributes as $name => $value) {
            if ($value !== '') {
                $html .= sprintf(' %s="%s"', $name, htmlspecialchars($value, ENT_QUOTES));
            }
        }
        $html .= $required ? ' required' : '';
        return '<script type="module" src="' . htmlspecialchars($verifier . '/iamport-verify.js', ENT_QUOTES) . '"></script>'
            . $html . '></iamport-verify>';
    }

    private static function isSandbox(string $verifier): bool
    {
        $cacheKey = 'iamport-verify-discovery-' . md5($verifier);
        $discovery = g5_get_cache($cacheKey);
        if (!is_array($discovery)) {
            $response = Http::request('GET', $verifier . '/.well-known/iamport-verify');
            $decoded = $response !== null && $response['status'] === 200 ? json_decode($response['body'], true) : null;
            $discovery = is_array($decoded) ? $decoded : [];
            g5_set_cache($cacheKey, $discovery, $discovery === [] ? self::DISCOVERY_FAILURE_SECONDS : self::DISCOVERY_SECONDS);
        }
        return ($discovery['sandbox'] ?? false) === true;
    }
}
