/**
 * PortOne V2: `PortOne.requestIdentityVerification` from the browser SDK
 * (https://cdn.portone.io/v2/browser-sdk.js, the script behind `@portone/browser-sdk/v2`).
 * The verification runs under the challenge's merchant_uid as its `identityVerificationId`.
 * See shared/reference/iamport-facts.md (PortOne V2) for the request and the response.
 * Loaded on demand (providers/index.ts), which also checks its attributes.
 */
import { loadScript } from './load-script.js';
import { sdkSource } from './sources.js';
import type { ProviderResult, VerificationProvider } from './provider.js';

/** What `requestIdentityVerification` resolves to; `code` present means failure. */
interface IdentityVerificationResponse {
  identityVerificationId?: string;
  code?: string;
  message?: string;
}

interface PortOne {
  requestIdentityVerification(request: Record<string, unknown>): Promise<IdentityVerificationResponse | undefined>;
}

const portOne = () => (window as unknown as { PortOne?: PortOne }).PortOne;

/** IDENTITY_VERIFICATION_CANCELLED, USER_CANCEL, ...: V2 names its failures, a cancel among them. */
const CANCEL_CODE = /CANCEL/i;

function resultOf(id: string, code: string | null | undefined, message: string | null | undefined): ProviderResult {
  if (!code) return { ok: true, fields: { provider: 'portone', identity_verification_id: id } };
  return { ok: false, code: CANCEL_CODE.test(code) ? 'cancelled' : 'pg_error', detail: message || code };
}

/** Only the values that are set: the SDK treats a present-but-empty field as a request for it. */
function defined(fields: Record<string, unknown>): Record<string, unknown> | undefined {
  const set = Object.entries(fields).filter(([, value]) => value !== undefined && value !== '');
  return set.length ? Object.fromEntries(set) : undefined;
}

export const portoneV2: VerificationProvider = {
  sdkSrc: 'https://cdn.portone.io/v2/browser-sdk.js',

  isLoaded: () => !!portOne(),

  async load(tag) {
    const src = sdkSource(tag, this.sdkSrc);
    if (!portOne()) await loadScript(src);
    if (!portOne()) throw new Error(`${src} defined no PortOne`);
  },

  open(request, done) {
    const id = request.merchantUid;
    const params: Record<string, unknown> = {
      storeId: request.storeId,
      identityVerificationId: id,
      channelKey: request.channelKey,
      // Like V1: a popup when asked for, otherwise the redirect flow on phones; PCs keep the PG's own window.
      windowType: { mobile: request.popup ? 'POPUP' : 'REDIRECTION' },
      redirectUrl: request.redirectUrl,
    };
    const customer = defined({ fullName: request.customerName, phoneNumber: request.phone });
    // Danal's own parameters; IsCarrier takes the same request codes as V1's carrier.
    const danal = defined({ AGELIMIT: request.minAge, IsCarrier: request.carrier, CPTITLE: request.company });
    if (customer) params.customer = customer;
    if (danal) params.bypass = { danal };

    let answer: Promise<IdentityVerificationResponse | undefined>;
    try {
      // Called here, inside the click: the SDK opens its window now.
      answer = portOne()!.requestIdentityVerification(params);
    } catch (error) {
      return done({ ok: false, code: 'pg_error', detail: String(error) });
    }
    Promise.resolve(answer).then(
      // undefined: the page is on its way to the PG; the redirect back finishes the flow.
      (response) => response && done(resultOf(id, response.code, response.message)),
      (error) => done({ ok: false, code: 'pg_error', detail: String(error) }),
    );
  },

  readReturn(params) {
    const id = params.get('identityVerificationId');
    return id ? { merchantUid: id, result: resultOf(id, params.get('code'), params.get('message')) } : undefined;
  },

  returnParams: ['identityVerificationId', 'identityVerificationTxId', 'transactionType', 'code', 'message', 'pgCode', 'pgMessage'],

  // The V2 SDK leaves nothing known on the page after its window closes.
  removeLeftovers() {},
};
