import { ReactiveElement, type PropertyValues } from '@lit/reactive-element';
import { styles } from './iamport-verify.styles.js';
import { iamportV1 } from './providers/iamport.js';
import { portoneV2 } from './providers/portone.js';
import type { ProviderResult, VerificationProvider, VerificationRequest } from './providers/provider.js';
import { MESSAGES, errorMessage, languageOf, withAge, type Messages } from './text.js';
import {
  FlowError, requestAttestation, requestChallenge, type Attestation, type AttestationClaims, type Challenge,
} from './verifier.js';

export type { AttestationClaims } from './verifier.js';

/** Where the flow is: one value, shown to the page as `state` and in `iamport-state`. */
export type VerifyState = 'idle' | 'loading' | 'ready' | 'verifying' | 'verified' | 'error' | 'expired';

const PROVIDERS: Record<string, VerificationProvider> = { iamport: iamportV1, portone: portoneV2 };
/** A click never carries a challenge this close to its expiry. */
const CHALLENGE_MARGIN_SECONDS = 30;
/** However the clocks disagree, challenges are not refreshed more often than this. */
const MIN_REFRESH_DELAY_MS = 30_000;
const STORAGE_PREFIX = 'iamport-verify:';
/** Loaded from the verifier (the no-build page), the verifier is where the module came from. */
const MODULE_ORIGIN = new URL(import.meta.url).origin;

/**
 * A phone identity verification (Iamport / PortOne V1, or PortOne V2) that gives the page a signed
 * attestation: a short-lived JWT that also becomes the form value under `name`.
 *
 * @summary Korean mobile identity verification as a form field.
 * @tagname iamport-verify
 *
 * @event iamport-verified - The verifier signed an attestation. `detail: { token, claims }`.
 * @event iamport-error - The flow ended without one. `detail: { code, message, detail? }`: `code` is the verifier's problem code, or `cancelled`, `pg_error`, `popup_blocked`, `sdk_load_failed`, `network_error`, `invalid_attribute`.
 * @event iamport-expired - The attestation's `exp` passed; the value was cleared.
 * @event iamport-state - The state changed. `detail: { state }`.
 *
 * @csspart base - The card around everything.
 * @csspart button - The button that starts the verification.
 * @csspart status - The live region with the current message.
 *
 * @cssprop --iamport-verify-accent - Button background (and focus ring).
 * @cssprop --iamport-verify-accent-text - Button text.
 * @cssprop --iamport-verify-background - Card background.
 * @cssprop --iamport-verify-text - Card text.
 * @cssprop --iamport-verify-border - Card border colour.
 * @cssprop --iamport-verify-success - Colour of the verified message.
 * @cssprop --iamport-verify-error - Colour of error and expiry messages.
 * @cssprop --iamport-verify-focus-ring - Colour of the focus ring.
 * @cssprop --iamport-verify-radius - Corner radius.
 * @cssprop --iamport-verify-font - Font family.
 */
export class IamportVerifyElement extends ReactiveElement {
  static override styles = styles;
  static override shadowRootOptions: ShadowRootInit = { ...ReactiveElement.shadowRootOptions, delegatesFocus: true };
  static formAssociated = true;

  static override properties = {
    endpoint: {},
    impCode: { attribute: 'imp-code' },
    merchantUid: { attribute: 'merchant-uid' },
    channelKey: { attribute: 'channel-key' },
    pg: {},
    provider: {},
    storeId: { attribute: 'store-id' },
    minAge: { attribute: 'min-age', type: Number },
    carrier: {},
    customerName: { attribute: 'customer-name' },
    phone: {},
    company: {},
    popup: { type: Boolean, reflect: true },
    redirectUrl: { attribute: 'redirect-url' },
    nonce: {},
    sdkSrc: { attribute: 'sdk-src' },
    language: { attribute: 'lang' },
    name: { reflect: true },
    required: { type: Boolean, reflect: true },
    disabled: { type: Boolean, reflect: true },
  };

  /** Register the tag; a second call (a script loaded twice) is harmless. */
  static define(tag = 'iamport-verify', registry: CustomElementRegistry = customElements) {
    if (!registry.get(tag)) registry.define(tag, this);
    return this;
  }

  /** The verifier's base URL. Default: the origin this script was loaded from. */
  declare endpoint: string;
  /** V1: the merchant code (`imp` + 8 digits) for `IMP.init`. */
  declare impCode: string | undefined;
  /** The site's own id for this verification (at most 40 of `A-Z a-z 0-9 _ -`); default: minted by the verifier. */
  declare merchantUid: string | undefined;
  /** The channel to verify with (`channelKey`); required for `portone` (V2). */
  declare channelKey: string | undefined;
  /** V1: the legacy channel selector (`pg`), such as `danal` or `inicis_unified`. */
  declare pg: string | undefined;
  /** `iamport` (PortOne V1, `IMP.certification`), the default, or `portone` (PortOne V2, `PortOne.requestIdentityVerification`). */
  declare provider: string;
  /** V2: the store id (`storeId`, `store-…`); required for `portone`. */
  declare storeId: string | undefined;
  /** The age (만 나이) the verifier must check, one the deployment allows, such as 19 (also Danal's own limit: V1 `min_age`, V2 `AGELIMIT`). */
  declare minAge: number | undefined;
  /** Prefill the carrier: `SKT`, `KTF`, `LGT` or `MVNO` (V1 `carrier`, V2 Danal `IsCarrier`). */
  declare carrier: string | undefined;
  /** Prefill the person's name (V1 `name`, V2 `customer.fullName`; the `name` attribute is the form field's). */
  declare customerName: string | undefined;
  /** Prefill the phone number (V1 `phone`, V2 `customer.phoneNumber`). */
  declare phone: string | undefined;
  /** The service name or URL shown by the PG (V1 `company`, V2 Danal `CPTITLE`; needed in app web views with no real domain). */
  declare company: string | undefined;
  /** Ask for a popup on mobile too, instead of the redirect flow (V2: `windowType.mobile` `POPUP` instead of `REDIRECTION`). */
  declare popup: boolean;
  /** Where the redirect flow returns (V1 `m_redirect_url`, V2 `redirectUrl`). Default: the current page. */
  declare redirectUrl: string | undefined;
  /** A value of the site's, echoed in the attestation's `nonce` claim. */
  declare nonce: string | undefined;
  /** The provider SDK's URL. Default: `https://cdn.iamport.kr/v1/iamport.js` (V1), `https://cdn.portone.io/v2/browser-sdk.js` (V2). */
  declare sdkSrc: string | undefined;
  /** `ko` or `en` (the `lang` attribute). Default: the nearest `lang` on the page, then the browser's language. */
  declare language: string | undefined;
  /** The form field's name: the attestation is submitted under it. */
  declare name: string;
  /** The form cannot be submitted until the person is verified. */
  declare required: boolean;
  /** Not clickable, and left out of the form. */
  declare disabled: boolean;

  readonly #internals = this.attachInternals();
  #state: VerifyState = 'idle';
  #message = '';
  #token = '';
  #claims: AttestationClaims | undefined;
  #challenge: Challenge | undefined;
  #challengeRequest: Promise<Challenge> | undefined;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #expiryTimer: ReturnType<typeof setTimeout> | undefined;
  #formDisabled = false;
  /** Bumped by every new start or reset: a late answer for an older attempt is ignored. */
  #attempt = 0;

  constructor() {
    super();
    this.endpoint = MODULE_ORIGIN;
    this.provider = 'iamport';
    this.popup = false;
    this.name = '';
    this.required = false;
    this.disabled = false;
  }

  /** The attestation (a JWT), or `''` until verified. */
  get token(): string {
    return this.#token;
  }

  /** The attestation's claims, decoded; `undefined` until verified. */
  get claims(): Readonly<AttestationClaims> | undefined {
    return this.#claims && Object.freeze({ ...this.#claims });
  }

  /** `idle`, `loading`, `ready`, `verifying`, `verified`, `error` or `expired`. */
  get state(): VerifyState {
    return this.#state;
  }

  /** The form the tag belongs to, as for any form control. */
  get form(): HTMLFormElement | null {
    return this.#internals.form;
  }

  /** `valueMissing` while `required` and not verified. */
  get validity(): ValidityState {
    return this.#internals.validity;
  }

  /** The localized message the browser shows for `valueMissing`. */
  get validationMessage(): string {
    return this.#internals.validationMessage;
  }

  /** Whether the tag takes part in form validation (not when disabled). */
  get willValidate(): boolean {
    return this.#internals.willValidate;
  }

  /** Like an input's: false (and an `invalid` event) while `required` and not verified. */
  checkValidity(): boolean {
    return this.#internals.checkValidity();
  }

  /** Like an input's: also shows the validation message. */
  reportValidity(): boolean {
    return this.#internals.reportValidity();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('pageshow', this.#onPageShow);
    this.addEventListener('pointerenter', this.#preload);
    this.addEventListener('focusin', this.#preload);
    // Moved within the page: keep whatever is under way.
    if (this.#state === 'idle') this.#prepare();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('pageshow', this.#onPageShow);
    clearTimeout(this.#refreshTimer);
  }

  /** Open the verification (what the button does). */
  start(): void {
    if (this.#state === 'verifying' || this.#isDisabled()) return;
    const provider = this.#providerOrFail();
    if (!provider) return;
    const attempt = ++this.#attempt;
    const challenge = this.#freshChallenge();
    // The common case: everything is at hand, so the window opens inside the click.
    if (challenge && provider.isLoaded()) return this.#open(provider, challenge, attempt);

    this.#setState('loading', this.#text().loading);
    const sdk = provider.load(this.#sdkSrc(provider)).catch(() => {
      throw new FlowError('sdk_load_failed');
    });
    Promise.all([this.#ensureChallenge(), sdk]).then(([ready]) => {
      if (attempt !== this.#attempt) return;
      // Still within the click's user activation, opening now is as good as opening in the click.
      if (navigator.userActivation?.isActive) this.#open(provider, ready, attempt);
      else this.#setState('ready', this.#text().pressAgain);
    }, (error) => attempt === this.#attempt && this.#fail(error));
  }

  /** Forget the attestation (and any flow under way) and start over. */
  reset(): void {
    this.#attempt++;
    clearTimeout(this.#expiryTimer);
    this.#setToken(undefined);
    this.#forgetStoredChallenge();
    this.#setState('idle');
    if (this.isConnected) this.#prepare();
  }

  formResetCallback(): void {
    this.reset();
  }

  formDisabledCallback(disabled: boolean): void {
    this.#formDisabled = disabled;
    this.requestUpdate();
  }

  /**
   * Two nodes, patched in place: Lit's reactive core without its template engine keeps the
   * script well inside its size budget.
   */
  override update(changed: PropertyValues): void {
    super.update(changed);
    const root = this.renderRoot as ShadowRoot;
    if (!root.firstChild) {
      root.innerHTML = '<div part="base"><button part="button" type="button" aria-describedby="status"></button>'
        + '<p id="status" part="status" role="status"></p></div>';
      root.querySelector('button')!.addEventListener('click', () => this.start());
    }
    const base = root.firstChild as HTMLElement;
    const button = base.firstChild as HTMLButtonElement;
    const status = base.lastChild as HTMLElement;
    const text = this.#text();
    const state = this.#state;
    base.className = state;
    button.hidden = state === 'verified';
    button.disabled = this.#isDisabled();
    // aria-disabled, not disabled: the button keeps focus while the flow runs.
    button.ariaDisabled = String(state === 'verifying' || (state === 'loading' && this.#message !== ''));
    button.textContent = state === 'error' || state === 'expired' ? text.again : text.start;
    // Rewriting the same text would make some screen readers announce it again.
    if (status.textContent !== this.#message) status.textContent = this.#message;
    this.#updateValidity();
  }

  /** `required` and no attestation: `valueMissing`, pointed at the button. */
  #updateValidity(): void {
    const button = this.renderRoot?.querySelector('button') ?? undefined;
    if (this.required && !this.#token) this.#internals.setValidity({ valueMissing: true }, this.#text().required, button);
    else this.#internals.setValidity({});
  }

  #text(): Messages {
    return MESSAGES[languageOf(this, this.language)];
  }

  #isDisabled(): boolean {
    return this.disabled || this.#formDisabled;
  }

  #setState(state: VerifyState, message = ''): void {
    const changed = state !== this.#state;
    this.#state = state;
    this.#message = message;
    this.requestUpdate();
    if (changed) this.#emit('state', { state });
  }

  /** The one way the tag fires events: prefixed, bubbling, and out of shadow roots. */
  #emit(name: 'verified' | 'error' | 'expired' | 'state', detail: object = {}): void {
    this.dispatchEvent(new CustomEvent(`iamport-${name}`, { bubbles: true, composed: true, detail }));
  }

  #fail(error: unknown): void {
    const { code, message } = error instanceof FlowError ? error : new FlowError('network_error', String(error));
    PROVIDERS[this.provider]?.removeLeftovers();
    const text = errorMessage(this.#text(), code, this.minAge);
    this.#setState('error', text);
    this.#emit('error', { code, message: text, detail: message });
  }

  /** The provider, when the attributes make sense; otherwise the error is shown at once. */
  #providerOrFail(): VerificationProvider | undefined {
    const provider = PROVIDERS[this.provider];
    const problem = !provider ? `provider must be one of ${Object.keys(PROVIDERS).join(', ')}`
      : this.minAge !== undefined && !Number.isInteger(this.minAge) ? 'min-age must be a whole number'
      : provider.invalidAttribute(this.#request(''));
    if (!problem) return provider;
    this.#fail(new FlowError('invalid_attribute', problem));
    return undefined;
  }

  #prepare(): void {
    const provider = this.#providerOrFail();
    if (!provider || this.#resumeRedirect(provider)) return;
    const attempt = ++this.#attempt;
    this.#setState('loading');
    this.#ensureChallenge().then(
      () => attempt === this.#attempt && this.#setState('ready'),
      (error) => attempt === this.#attempt && this.#fail(error),
    );
  }

  /** Preload the SDK at the first sign of intent: pages whose visitors never verify never fetch it. */
  #preload = (): void => {
    this.removeEventListener('pointerenter', this.#preload);
    this.removeEventListener('focusin', this.#preload);
    const provider = PROVIDERS[this.provider];
    provider?.load(this.#sdkSrc(provider)).catch(() => {
      // Reported by the click that needs it.
    });
  };

  /** Back from the provider's page (back/forward cache): its overlay may still be there. */
  #onPageShow = (event: PageTransitionEvent): void => {
    PROVIDERS[this.provider]?.removeLeftovers();
    if (event.persisted && this.#state === 'verifying') {
      this.#attempt++;
      this.#fail(new FlowError('cancelled'));
    }
  };

  #sdkSrc(provider: VerificationProvider): string {
    return this.sdkSrc || provider.sdkSrc;
  }

  #freshChallenge(): Challenge | undefined {
    const challenge = this.#challenge;
    const fresh = challenge && (challenge.expires_at - CHALLENGE_MARGIN_SECONDS) * 1000 > Date.now()
      && (!this.merchantUid || challenge.merchant_uid === this.merchantUid);
    return fresh ? challenge : undefined;
  }

  #ensureChallenge(): Promise<Challenge> {
    const fresh = this.#freshChallenge();
    if (fresh) return Promise.resolve(fresh);
    this.#challengeRequest ??= requestChallenge(this.endpoint, this.merchantUid || undefined)
      .then((challenge) => {
        this.#challenge = challenge;
        this.#scheduleRefresh(challenge);
        return challenge;
      })
      .finally(() => {
        this.#challengeRequest = undefined;
      });
    return this.#challengeRequest;
  }

  /** Keep a fresh challenge at hand, so the click can open the window at once. */
  #scheduleRefresh(challenge: Challenge): void {
    clearTimeout(this.#refreshTimer);
    const delay = Math.max(MIN_REFRESH_DELAY_MS, (challenge.expires_at - CHALLENGE_MARGIN_SECONDS) * 1000 - Date.now());
    this.#refreshTimer = setTimeout(() => {
      if (this.#state !== 'verified' && this.#state !== 'verifying') {
        this.#ensureChallenge().catch(() => {
          // A click asks again and reports the failure.
        });
      }
    }, delay);
  }

  #request(merchantUid: string): VerificationRequest {
    return {
      impCode: this.impCode, storeId: this.storeId, channelKey: this.channelKey, pg: this.pg, merchantUid,
      minAge: this.minAge, carrier: this.carrier, customerName: this.customerName, phone: this.phone,
      company: this.company, popup: this.popup, redirectUrl: this.redirectUrl || location.href,
    };
  }

  #open(provider: VerificationProvider, challenge: Challenge, attempt: number): void {
    // The redirect flow leaves the page: the return finds this challenge by its merchant_uid.
    try {
      sessionStorage.setItem(this.#storageKey(), JSON.stringify(challenge));
    } catch {
      // Storage blocked: the popup flow still works.
    }
    this.#setState('verifying', this.#text().verifying);
    provider.open(this.#request(challenge.merchant_uid), (result) => {
      if (attempt !== this.#attempt) return;
      provider.removeLeftovers();
      this.#settle(result, challenge);
    });
  }

  #settle(result: ProviderResult, challenge: Challenge): void {
    if (!result.ok) return this.#fail(new FlowError(result.code, result.detail));
    const attempt = ++this.#attempt;
    this.#forgetStoredChallenge();
    this.#setState('verifying', this.#text().verifying);
    const body: Record<string, unknown> = { ...result.fields, challenge: challenge.challenge };
    if (this.minAge !== undefined) body.min_age = this.minAge;
    if (this.nonce) body.nonce = this.nonce;
    requestAttestation(this.endpoint, body).then(
      (attestation) => attempt === this.#attempt && this.#verified(attestation),
      (error) => {
        if (attempt !== this.#attempt) return;
        this.#fail(error);
        // Whatever went wrong, the next try starts from a new challenge.
        this.#challenge = undefined;
        this.#ensureChallenge().catch(() => {});
      },
    );
  }

  #verified({ token, claims }: Attestation): void {
    clearTimeout(this.#refreshTimer);
    this.#challenge = undefined;
    this.#setToken(token, claims);
    // Timed from the token's own lifetime, so a wrong clock on this device does not matter.
    this.#expiryTimer = setTimeout(() => this.#expire(), (claims.exp - claims.iat) * 1000);
    const text = this.#text();
    this.#setState('verified', claims.age_over ? withAge(text.verifiedAge, claims.age_over) : text.verified);
    this.#emit('verified', { token, claims: this.claims });
  }

  #expire(): void {
    this.#setToken(undefined);
    this.#setState('expired', this.#text().expired);
    this.#emit('expired');
    this.#ensureChallenge().catch(() => {});
  }

  #setToken(token: string | undefined, claims?: AttestationClaims): void {
    this.#token = token ?? '';
    this.#claims = claims;
    this.#internals.setFormValue(token ?? null);
    this.#updateValidity();
  }

  /** The redirect flow's return: the tag whose stored challenge matches finishes the exchange. */
  #resumeRedirect(provider: VerificationProvider): boolean {
    const url = new URL(location.href);
    const back = provider.readReturn(url.searchParams);
    const stored = back && this.#storedChallenge();
    if (!back || stored?.merchant_uid !== back.merchantUid) return false;
    for (const param of provider.returnParams) url.searchParams.delete(param);
    // imp_uid must not linger in the address bar (history, referrers, shared links).
    history.replaceState(history.state, '', url);
    this.#challenge = stored;
    this.#settle(back.result, stored);
    if (!back.result.ok) this.#forgetStoredChallenge();
    return true;
  }

  /** One key per tag on the page (its id or name), so several tags keep their own. */
  #storageKey(): string {
    return STORAGE_PREFIX + location.pathname + '#' + (this.id || this.name);
  }

  #storedChallenge(): Challenge | undefined {
    try {
      const stored = JSON.parse(sessionStorage.getItem(this.#storageKey()) ?? 'null');
      return typeof stored?.challenge === 'string' && typeof stored.merchant_uid === 'string' ? stored : undefined;
    } catch {
      return undefined;
    }
  }

  #forgetStoredChallenge(): void {
    try {
      sessionStorage.removeItem(this.#storageKey());
    } catch {
      // Nothing was stored.
    }
  }
}
