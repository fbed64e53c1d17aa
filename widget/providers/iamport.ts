/**
 * Iamport (PortOne V1): `IMP.init` + `IMP.certification`, the popup and the redirect flow.
 * See shared/reference/iamport-facts.md for the SDK's parameters and callback. Loaded on demand
 * (providers/index.ts), which also checks its attributes.
 */
import { loadScript } from './load-script.js';
import { sdkSource } from './sources.js';
import type { ProviderResult, VerificationProvider, VerificationRequest } from './provider.js';

/** The callback's fields (`imp_success` on older pages). */
interface CertificationResponse {
  success?: boolean;
  imp_success?: boolean;
  imp_uid?: string | null;
  error_msg?: string | null;
}

interface Imp {
  init(impCode: string): void;
  certification(params: Record<string, unknown>, callback: (response: CertificationResponse) => void): void;
}

const imp = () => (window as unknown as { IMP?: Imp }).IMP;

/** The SDK's overlay, which can stay behind after Back or a closed window. */
const OVERLAY_SELECTOR = '.imp-dialog';
/** PGs have no error-code system for a cancel; their messages say 취소 (or cancel). */
const CANCEL_PATTERN = /취소|cancel/i;
const POPUP_POLL_MS = 500;
/** A closing PG window may still deliver its callback a moment later. */
const POPUP_CLOSED_GRACE_MS = 1500;

function resultOf(success: boolean, impUid: string | null | undefined, merchantUid: string, errorMessage?: string | null): ProviderResult {
  if (success && impUid) return { ok: true, fields: { imp_uid: impUid, merchant_uid: merchantUid } };
  const detail = errorMessage ?? undefined;
  return { ok: false, code: detail && !CANCEL_PATTERN.test(detail) ? 'pg_error' : 'cancelled', detail };
}

export const iamportV1: VerificationProvider = {
  sdkSrc: 'https://cdn.iamport.kr/v1/iamport.js',

  isLoaded: () => !!imp(),

  async load(tag) {
    const src = sdkSource(tag, this.sdkSrc);
    if (!imp()) await loadScript(src);
    if (!imp()) throw new Error(`${src} defined no IMP`);
  },

  open(request: VerificationRequest, done) {
    const sdk = imp()!;
    let finished = false;
    let watch: ReturnType<typeof setInterval> | undefined;
    const finish = (result: ProviderResult) => {
      if (finished) return;
      finished = true;
      clearInterval(watch);
      done(result);
    };

    const optional: Record<string, unknown> = {
      channelKey: request.channelKey, pg: request.pg, min_age: request.minAge, carrier: request.carrier,
      name: request.customerName, phone: request.phone, company: request.company, popup: request.popup || undefined,
    };
    const params: Record<string, unknown> = { merchant_uid: request.merchantUid, m_redirect_url: request.redirectUrl };
    for (const [key, value] of Object.entries(optional)) if (value !== undefined && value !== '') params[key] = value;

    // The SDK opens its window inside this call; watching window.open is the only way to see
    // a blocked popup or a window closed without a callback (some PGs never call back on close).
    let popup: Window | null = null;
    let blocked = false;
    const windowOpen = window.open;
    window.open = (...args) => {
      const opened = windowOpen.apply(window, args);
      if (opened) popup = opened;
      else blocked = true;
      return opened;
    };
    try {
      sdk.init(request.impCode!);
      sdk.certification(params, (response) =>
        finish(resultOf(!!(response.success ?? response.imp_success), response.imp_uid, request.merchantUid, response.error_msg)));
    } catch (error) {
      finish({ ok: false, code: 'pg_error', detail: String(error) });
    } finally {
      window.open = windowOpen;
    }

    if (blocked) finish({ ok: false, code: 'popup_blocked' });
    const opened = popup as Window | null;
    if (opened) {
      watch = setInterval(() => {
        if (!opened.closed) return;
        clearInterval(watch);
        setTimeout(() => finish({ ok: false, code: 'cancelled' }), POPUP_CLOSED_GRACE_MS);
      }, POPUP_POLL_MS);
    }
  },

  readReturn(params) {
    const merchantUid = params.get('merchant_uid');
    const success = params.get('success') ?? params.get('imp_success');
    if (!merchantUid || success === null) return undefined;
    return { merchantUid, result: resultOf(success === 'true', params.get('imp_uid'), merchantUid, params.get('error_msg')) };
  },

  returnParams: ['imp_uid', 'merchant_uid', 'success', 'imp_success', 'error_code', 'error_msg'],

  removeLeftovers() {
    for (const overlay of document.querySelectorAll(OVERLAY_SELECTOR)) overlay.remove();
  },
};
