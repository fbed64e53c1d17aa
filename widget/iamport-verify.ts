import { ReactiveElement, type PropertyValues } from '@lit/reactive-element';
import { ChallengeKeeper } from './challenge.js';
import { styles } from './iamport-verify.styles.js';
import { form, verification } from './on-demand.js';
import { PROVIDER_NAMES, providerEntry, type ProviderName } from './providers/index.js';
import type { VerificationProvider } from './providers/provider.js';
import { MESSAGES, languageOf, type Messages } from './text.js';
import type { VerificationHost } from './verification.js';
import type { AllMessages, VerificationMessages } from './verification-text.js';
import { FlowError, post, type AttestationClaims } from './verifier.js';

export type { AttestationClaims } from './verifier.js';
export type { ProviderName } from './providers/index.js';

import type { VerifyState } from './tag.js';

export type { VerifyState };

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
 * @event iamport-error - The flow ended without one (or, in the guardian step, the guardian's verification failed while the person's still waits: state stays `guardian`; in the form mode, the verifier refused something the person can mend in place, such as a wrong code: state stays `form` or `code`). `detail: { code, message, detail? }`: `code` is the verifier's problem code, or `cancelled`, `pg_error`, `popup_blocked`, `sdk_load_failed`, `network_error`, `invalid_attribute`, `guardian_too_late` (the guardian came when the person's challenge had too little time left for a verification: the next click starts over).
 * @event iamport-expired - The attestation's `exp` passed; the value was cleared.
 * @event iamport-state - The state changed. `detail: { state }`.
 *
 * @csspart base - The card around everything.
 * @csspart button - The button that starts the verification.
 * @csspart status - The live region with the current message.
 * @csspart form - The form mode: the form for the person's details (state `form`).
 * @csspart code-form - The form mode: the form for the code, or the PASS app's approval (state `code`).
 * @csspart label - The form mode: a field's label (or a group's legend).
 * @csspart input - The form mode: a text field or the carrier's list.
 * @csspart field-error - The form mode: a field's error message (tied to it with `aria-describedby`).
 * @csspart consent - The form mode: the consent text (the default, or the `consent` slot's).
 * @csspart submit - The form mode: each form's own button (send the code, confirm, approved in the app).
 * @csspart resend - The form mode: the button that sends a new code.
 * @csspart timer - The form mode: the countdowns of the code's life and of the wait before a new one.
 *
 * @attr turnstile-sitekey - The form mode: a Cloudflare Turnstile sitekey. The form then shows Turnstile's check (only when it needs the person) and sends its token with the code's request; the verifier checks it with its `TURNSTILE_SECRET`. Turnstile's script is fetched only by a form-mode tag with this attribute, when its form shows.
 * @attr turnstile-src - The form mode: where Turnstile's script comes from. Default: Cloudflare's (`https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit`); only Cloudflare's origin or the verifier's (the sandbox's stand-in, `/sandbox/turnstile.js`) is accepted, anything else is `invalid_attribute`.
 *
 * @slot consent - The form mode: the site's own consent text, in place of the default (ko/en).
 * @slot turnstile - The form mode: where Turnstile's widget is rendered (the tag adds the element itself).
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
    mode: { reflect: true },
    storeId: { attribute: 'store-id' },
    minAge: { attribute: 'min-age', type: Number },
    minYearAge: { attribute: 'min-year-age', type: Number },
    guardianUnder: { attribute: 'guardian-under', type: Number },
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
  /** The site's own id for this verification (at most 40 of `A-Z a-z 0-9 _ -`, not starting with `iv_`); default: minted by the verifier and bound to its one challenge (see "Challenges" in the README). */
  declare merchantUid: string | undefined;
  /** The channel to verify with (`channelKey`); required for `portone` (V2). */
  declare channelKey: string | undefined;
  /** V1: the legacy channel selector (`pg`), such as `danal` or `inicis_unified`. */
  declare pg: string | undefined;
  /** `iamport` (PortOne V1, `IMP.certification`), the default, or `portone` (PortOne V2, `PortOne.requestIdentityVerification`). */
  declare provider: 'iamport' | 'portone';
  /** `popup` (the default): the provider's own window. `form`, with `provider="portone"`: the tag's own form, no window at all (PortOne's API flow: a code by SMS, or the PASS app; it needs that contract with PortOne). */
  declare mode: 'popup' | 'form' | undefined;
  /** V2: the store id (`storeId`, `store-…`); required for `portone`. */
  declare storeId: string | undefined;
  /** The age (만 나이) the verifier must check, one the deployment allows, such as 19 (also Danal's own limit: V1 `min_age`, V2 `AGELIMIT`). The token says `age_over`. */
  declare minAge: number | undefined;
  /** The age by the Youth Protection Act's year rule (this year minus the birth year: alcohol, tobacco, "19세 이상" content) the verifier must check instead of 만 나이. The token says `year_age_over`. */
  declare minYearAge: number | undefined;
  /** Under-14 consent: a person younger than this (만 나이) gets an attestation only after an adult guardian also verifies, in a second step the tag runs. The token says `age_over`, or `age_under` with a `guardian`. */
  declare guardianUnder: number | undefined;
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
  /** Where the redirect flow returns (V1 `m_redirect_url`, V2 `redirectUrl`), on the page's own origin (anything else is `invalid_attribute`). Default: the current page. */
  declare redirectUrl: string | undefined;
  /** A value of the site's, echoed in the attestation's `nonce` claim. */
  declare nonce: string | undefined;
  /** The provider SDK's URL: on that provider's CDN origin, the verifier's origin (the sandbox's stand-in) or the page's own (a copy the site hosts); anything else is `invalid_attribute` and nothing is fetched. Default: `https://cdn.iamport.kr/v1/iamport.js` (V1), `https://cdn.portone.io/v2/browser-sdk.js` (V2). */
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
  #formDisabled = false;
  /** Bumped by every new start or reset: a late answer for an older attempt is ignored. */
  #attempt = 0;
  readonly #challenges = new ChallengeKeeper(
    () => ({ endpoint: this.endpoint, provider: this.provider, merchantUid: this.merchantUid || undefined }),
    () => this.#state !== 'verified' && this.#state !== 'verifying',
  );
  /** What the verification (verification.ts) may touch. */
  readonly #host: VerificationHost = {
    tag: this,
    challenges: this.#challenges,
    next: () => ++this.#attempt,
    isCurrent: (attempt) => attempt === this.#attempt,
    text: () => this.#text() as AllMessages,
    setState: (state, message) => this.#setState(state, message),
    emit: (name, detail) => this.#emit(name, detail),
    setToken: (token, claims) => this.#setToken(token, claims),
    fail: (error) => this.#fail(error),
    post: (path, body, isValid) => post(this.endpoint, path, body, isValid),
  };

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

  /** `idle`, `loading`, `ready`, `form` and `code` (the form mode's steps: the details, then the code or the app's approval), `verifying`, `guardian` (waiting for a guardian to verify, with `guardian-under`), `verified`, `error` or `expired`. */
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
    addEventListener('submit', this.#holdSubmit, true);
    this.addEventListener('pointerenter', this.#preload);
    this.addEventListener('focusin', this.#preload);
    // Moved within the page: keep whatever is under way.
    if (this.#state === 'idle') this.#prepare();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('pageshow', this.#onPageShow);
    removeEventListener('submit', this.#holdSubmit, true);
    this.#challenges.stop();
  }

  /**
   * A form sent while this tag is invalid skipped validation (`novalidate`, as WordPress's registration
   * form): `required` still holds it back (from the page's own submit handlers too), and says why at the
   * button, in its status and as the browser would (reportValidity: the focus and the bubble).
   */
  #holdSubmit = (event: Event): void => {
    if (event.target == this.form && !this.reportValidity()) {
      event.preventDefault();
      event.stopImmediatePropagation();
      this.#setState(this.#state, this.#text().required);
    }
  };

  /** Open the verification (what the button does); in the form mode, show the form again from its first step. */
  start(): void {
    if (this.#state === 'verifying' || this.#isDisabled()) return;
    if (this.mode === 'form') return this.#getReady();
    const name = this.#providerOrFail();
    if (!name) return;
    const attempt = ++this.#attempt;
    // The guardian's turn: the same challenge as the person's, which the verification holds.
    const guardianStep = this.#state === 'guardian' ? this.#host.guardianStep : undefined;
    const challenge = guardianStep?.challenge ?? this.#challenges.fresh();
    const provider = providerEntry(name)!.module.loaded();
    const flow = verification.loaded();
    // The common case: everything came on the first pointer or focus, so the window opens inside the click.
    if (challenge && flow && provider?.isLoaded()) return flow.open(this.#host, provider, challenge, attempt, guardianStep);

    this.#setState('loading', this.#text().loading);
    Promise.all([challenge ?? this.#challenges.ensure(), this.#loadProvider(name), verification.load()]).then(([held, loaded, opener]) => {
      if (attempt !== this.#attempt) return;
      // Still within the click's user activation, opening now is as good as opening in the click.
      if (navigator.userActivation?.isActive) opener.open(this.#host, loaded, held, attempt, guardianStep);
      else this.#setState(guardianStep ? 'guardian' : 'ready', opener.VERIFICATION_MESSAGES[this.#language()].pressAgain);
    }, (error) => attempt === this.#attempt && this.#fail(error));
  }

  /** Forget the attestation (and any flow under way) and start over. */
  reset(): void {
    this.#attempt++;
    this.#host.guardianStep = undefined;
    this.#setToken(undefined);
    // Only a verification stores a challenge for the redirect's return.
    verification.loaded()?.forgetReturn(this);
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
    button.textContent = state === 'error' || state === 'expired' ? text.again
      : (state === 'guardian' && text.guardianStart) || text.start;
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

  #language() {
    return languageOf(this, this.language);
  }

  /** The tag's text in its language, and the verification's once that has arrived. */
  #text(): Messages & Partial<VerificationMessages> {
    const lang = this.#language();
    return { ...MESSAGES[lang], ...verification.loaded()?.VERIFICATION_MESSAGES[lang] };
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

  /**
   * End in `error`, with the code's message and `iamport-error`. Error messages come with the
   * verification's text: an error before it was ever fetched waits the moment it takes, and if
   * it cannot be fetched either, the connection is what failed.
   */
  #fail(error: unknown): void {
    const { code, message: detail } = typeof (error as FlowError)?.code === 'string' ? error as FlowError
      : new FlowError('network_error', String(error));
    providerEntry(this.provider)?.module.loaded()?.removeLeftovers();
    const attempt = this.#attempt;
    const show = (message: string) => {
      if (attempt !== this.#attempt) return;
      this.#setState('error', message);
      this.#emit('error', { code, message, detail });
    };
    verification.load().then(
      (flow) => show(flow.failureMessage(this.#text() as AllMessages, code, this)),
      () => show(this.#text().network_error),
    );
  }

  /** The provider, when the attributes make sense; otherwise the error is shown at once. */
  #providerOrFail(): ProviderName | undefined {
    const entry = providerEntry(this.provider);
    const problem = !entry ? `provider must be one of ${PROVIDER_NAMES.join(', ')}`
      : this.#ageProblem() ?? entry.invalidAttribute(this);
    if (!problem) return this.provider;
    this.#fail(new FlowError('invalid_attribute', problem));
    return undefined;
  }

  /** One age rule per tag: a token attests exactly one, so asking for two is a mistake shown at once. */
  #ageProblem(): string | undefined {
    // A removed attribute leaves its property null: not a rule.
    const ages = [this.minAge, this.minYearAge, this.guardianUnder].filter((age) => age != null);
    return ages.length > 1 ? 'set one of min-age, min-year-age and guardian-under'
      : ages.some((age) => !Number.isInteger(age)) ? 'the age must be an integer' : undefined;
  }

  #prepare(): void {
    const name = this.#providerOrFail();
    if (name && !this.#resumeRedirect(name)) this.#getReady();
  }

  /** Fetch a challenge, so that the click has everything at hand; in the form mode, the form too, which then takes over. */
  #getReady(): void {
    const attempt = ++this.#attempt;
    this.#setState('loading');
    Promise.all([this.#challenges.ensure(), this.mode === 'form' && form.load()]).then(
      ([, formMode]) => attempt === this.#attempt && (formMode ? formMode.show(this.#host) : this.#setState('ready')),
      (error) => attempt === this.#attempt && this.#fail(error),
    );
  }

  /** The provider's module and its SDK, ready to open a window. */
  #loadProvider(name: ProviderName): Promise<VerificationProvider> {
    return providerEntry(name)!.module.load().then(async (provider) => {
      await provider.load(this);
      return provider;
    }).catch((error) => {
      // An sdk-src the tag may not load (providers/sources.ts) is the page's mistake, not the network's.
      throw error.code ? error : new FlowError('sdk_load_failed');
    });
  }

  /**
   * At the first sign of intent, fetch what a verification needs (the provider's module and
   * SDK, the verification's own): pages whose visitors never verify never fetch them.
   */
  #preload = (): void => {
    this.removeEventListener('pointerenter', this.#preload);
    this.removeEventListener('focusin', this.#preload);
    verification.load().catch(() => {});
    // The form mode needs no provider's window: its form came as the tag connected.
    // A failed load is reported by the click that needs it; an sdk-src the tag may not load, at once.
    if (this.mode !== 'form' && providerEntry(this.provider)) this.#loadProvider(this.provider).catch((error: FlowError) => {
      if (error.code !== 'invalid_attribute') return;
      // Whatever was under way (the challenge's fetch) would only end in a state that hides it.
      this.#attempt++;
      this.#fail(error);
    });
  };

  /** Back from the provider's page (back/forward cache): its overlay may still be there. */
  #onPageShow = (event: PageTransitionEvent): void => {
    providerEntry(this.provider)?.module.loaded()?.removeLeftovers();
    if (event.persisted && this.#state === 'verifying') {
      this.#attempt++;
      this.#fail(new FlowError('cancelled'));
    }
  };

  /**
   * The redirect flow's return: when the address holds the provider's return parameter, the
   * provider's module and the verification are fetched to see whether it is this tag's, and finish it.
   */
  #resumeRedirect(name: ProviderName): boolean {
    const entry = providerEntry(name)!;
    if (!new URL(location.href).searchParams.has(entry.returnParam)) return false;
    const attempt = ++this.#attempt;
    this.#setState('loading');
    Promise.all([entry.module.load(), verification.load()]).then(([provider, flow]) => {
      if (attempt === this.#attempt && !flow.resume(this.#host, provider)) this.#getReady();
    }, () => attempt === this.#attempt && this.#fail(new FlowError('sdk_load_failed')));
    return true;
  }

  #setToken(token: string | undefined, claims?: AttestationClaims): void {
    this.#token = token ?? '';
    this.#claims = claims;
    this.#internals.setFormValue(token ?? null);
    this.#updateValidity();
  }
}
