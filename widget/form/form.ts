/**
 * The form mode (`mode="form"` with `provider="portone"`): no window at all, over PortOne's API
 * flow. The tag shows its own form; the person's details go to the verifier's `/v1/otp/send`,
 * which passes them to PortOne; PortOne sends a code by SMS (or a request to the PASS app), and
 * the code (nothing, for the app) goes to `/v1/otp/confirm`, which answers with the attestation
 * as the exchange does. Loaded only by a tag in this mode (on-demand.ts), as it connects.
 *
 * The details live in the form's fields while the person types them; they are read into the one
 * request that sends them, and the fields are emptied once it went through. Nothing is stored,
 * and no event carries them; the code goes only into the confirm request.
 */
import type { ReactiveController, ReactiveControllerHost } from '@lit/reactive-element';
import type { VerifyingTag } from '../tag.js';
import { exchange, failureMessage, ruleFields, verified, type Failure, type VerificationHost } from '../verification.js';
import { addMessages, type AllMessages } from '../verification-text.js';
import { adopt, paintStates, sheetOf } from '../state.styles.js';
import type { Challenge } from '../verifier.js';
import { FORM_MESSAGES, OPERATORS, type FormMessages, type Operator } from './form-text.js';
import { formStyles } from './form.styles.js';
import { turnstileScript, TurnstileCheck } from './turnstile.js';

type FormTag = VerifyingTag & HTMLElement & ReactiveControllerHost;
type Method = 'SMS' | 'APP';

/** The person's details as `/v1/otp/send` takes them (identity_number: the resident number's first 7 digits, for SMS). */
interface Details {
  name: string;
  phone_number: string;
  operator: string;
  method: Method;
  identity_number?: string;
}

/** What `/v1/otp/send` and `/v1/otp/resend` answer: unix seconds, on the verifier's clock. */
interface SendAnswer {
  sent_at?: number;
  resend_available_at: number;
  code_expires_at: number;
}

const isSendAnswer = (data: any): boolean => typeof data.resend_available_at === 'number'
  && typeof data.code_expires_at === 'number' && (data.sent_at === undefined || typeof data.sent_at === 'number');

/** A code sent: its challenge, and when it expires and may be sent again, on this device's monotonic clock. */
interface Sent {
  challenge: Challenge;
  method: Method;
  expiresAt: number;
  resendAt: number;
  /** The code's end was announced. */
  endSaid?: boolean;
}

/**
 * Refusals the person can mend where they are (a wrong code, a carrier's refusal of a mistyped
 * detail, a passing fault): the step stays, with the message. Any other refusal ends the flow
 * (state `error`), and the tag's button starts over with a new challenge.
 */
const MENDABLE = new Set([
  'otp_incorrect', 'otp_expired', 'otp_send_limited', 'carrier_failed', 'invalid_request',
  'rate_limited', 'network_error', 'upstream_unavailable', 'internal_error', 'turnstile_failed',
]);

/** Refusals after which a send may or may not have gone out. */
const OUTCOME_UNKNOWN = new Set(['network_error', 'upstream_unavailable', 'internal_error']);

/** PortOne's SMS codes are digits (6 at the PGs we know); a little room either way. */
const CODE_PATTERN = /^\d{4,8}$/;
const PHONE_PATTERN = /^01\d{8,9}$/;
/** YYMMDD: a month and a day that exist in some year. */
const BIRTH_PATTERN = /^\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/;
/** The tag's V1-style `carrier` prefill, as PortOne's operator (MVNO names no network: left to the person). */
const OPERATOR_OF_CARRIER: Record<string, Operator> = { SKT: 'SKT', KTF: 'KT', LGT: 'LGU' };

const field = (name: string, control: string, describedBy = '') => `<div class="field">
<label part="label" for="f-${name}" data-text="${name}"></label>${control}${describedBy}
<p part="field-error" id="f-${name}-error"></p></div>`;

/** The two steps, each its own form (Enter submits it, never the page's form around the tag). */
const MARKUP = `<form part="form" novalidate hidden><fieldset class="plain">
${field('name', '<input part="input" id="f-name" name="name" autocomplete="name" aria-describedby="f-name-error">')}
${field('phone', '<input part="input" id="f-phone" name="phone" type="tel" inputmode="tel" autocomplete="tel-national" aria-describedby="f-phone-hint f-phone-error">',
    '<p class="hint" id="f-phone-hint" data-text="phoneHint"></p>')}
${field('operator', `<select part="input" id="f-operator" name="operator" aria-describedby="f-operator-error">
<option value="" data-text="operatorChoose"></option>${OPERATORS.map((code) => `<option value="${code}" data-text="${code}"></option>`).join('')}</select>`)}
<fieldset class="field choices"><legend part="label" data-text="method"></legend>
<label><input type="radio" name="method" value="SMS" checked> <span data-text="SMS"></span></label>
<label><input type="radio" name="method" value="APP"> <span data-text="APP"></span></label></fieldset>
<fieldset class="field" id="f-identity"><legend part="label" data-text="identity"></legend><div class="identity">
<label class="visually-hidden" for="f-birth" data-text="birth"></label><input part="input" class="maskable" id="f-birth" name="birth" inputmode="numeric" autocomplete="off" maxlength="6" size="6" aria-describedby="f-identity-error">
<span aria-hidden="true">-</span>
<label class="visually-hidden" for="f-gender" data-text="gender"></label><input part="input" class="maskable" id="f-gender" name="gender" inputmode="numeric" autocomplete="off" maxlength="1" size="1" aria-describedby="f-identity-error">
<span aria-hidden="true">●●●●●●</span></div><p part="field-error" id="f-identity-error"></p></fieldset>
<div part="consent" id="f-consent"><slot name="consent"><span data-text="consent"></span></slot></div>
<div class="field"><label class="check"><input type="checkbox" id="f-agree" name="agree" aria-describedby="f-consent f-agree-error"> <span data-text="agree"></span></label>
<p part="field-error" id="f-agree-error"></p></div>
<slot name="turnstile"></slot>
<button part="submit" type="submit"></button></fieldset></form>
<form part="code-form" novalidate hidden><fieldset class="plain">
<div class="field" id="f-otp-field"><label part="label" for="f-otp" data-text="code"></label>
<input part="input" id="f-otp" name="otp" inputmode="numeric" autocomplete="one-time-code" maxlength="8" aria-describedby="f-timer f-otp-error">
<p part="field-error" id="f-otp-error"></p></div>
<p part="timer" id="f-timer" role="timer"></p>
<button part="submit" type="submit"></button>
<button part="resend" type="button" data-text="resend" aria-describedby="f-timer"></button></fieldset></form>`;

// From now on the tag's text has the form's, so that every failure's message knows its codes.
addMessages(FORM_MESSAGES);

let sheet: CSSStyleSheet | undefined;
const views = new WeakMap<VerifyingTag, FormView>();

/** The challenge is at hand: show the form's first step (again, after a start over or a reset). */
export async function show(host: VerificationHost): Promise<void> {
  const problem = invalidAttribute(host.tag);
  if (problem) return host.fail({ code: 'invalid_attribute', message: problem } satisfies Failure);
  const tag = host.tag as FormTag;
  // The element's own nodes (the button and the status) come with its first update.
  await tag.updateComplete;
  let view = views.get(tag);
  const again = !!view;
  if (!view) views.set(tag, (view = new FormView(host, tag)));
  view.showDetails();
  // Started over with the tag's button ("Verify again"), which went as the form came: the focus
  // goes to the form's first field. Not on the page's first load, nor away from the page's own controls.
  const focused = document.activeElement;
  if (again && (focused === document.body || focused === tag)) {
    await tag.updateComplete;
    view.focusFirstField();
  }
}

function invalidAttribute(tag: VerifyingTag): string | undefined {
  if (tag.provider !== 'portone') return 'mode="form" needs provider="portone"';
  // The guardian's verification would need a second form under the same challenge: not offered yet.
  if (tag.guardianUnder != null) return 'guardian-under needs the popup flow (no mode="form")';
  const element = tag as FormTag;
  if (element.hasAttribute('turnstile-sitekey') && !turnstileScript(element.getAttribute('turnstile-src'), tag.endpoint)) {
    return 'turnstile-src must be on Cloudflare\'s origin or the verifier\'s';
  }
  return undefined;
}

class FormView implements ReactiveController {
  readonly #details: HTMLFormElement;
  readonly #code: HTMLFormElement;
  readonly #root: ShadowRoot;
  #sent: Sent | undefined;
  #busy = false;
  #ticker: ReturnType<typeof setInterval> | undefined;
  /** The bot check, when the tag has `turnstile-sitekey`. */
  readonly #turnstile: TurnstileCheck | undefined;

  constructor(private readonly host: VerificationHost, private readonly tag: FormTag) {
    const sitekey = tag.getAttribute('turnstile-sitekey');
    if (sitekey) this.#turnstile = new TurnstileCheck(tag, sitekey, turnstileScript(tag.getAttribute('turnstile-src'), tag.endpoint)!);
    const root = (this.#root = tag.shadowRoot!);
    adopt(root, (sheet ??= sheetOf(formStyles)));
    paintStates(root);
    const template = document.createElement('template');
    template.innerHTML = MARKUP;
    const status = root.querySelector('[part=status]')!;
    status.before(template.content);
    this.#details = root.querySelector('[part=form]')!;
    this.#code = root.querySelector('[part=code-form]')!;
    this.#details.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#send();
    });
    this.#code.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#confirm();
    });
    this.#code.querySelector('[part=resend]')!.addEventListener('click', () => void this.#resend());
    for (const form of [this.#details, this.#code]) {
      // A field being corrected loses its error.
      form.addEventListener('input', (event) => this.#markField(event.target as HTMLElement, undefined));
    }
    this.#details.addEventListener('change', () => this.hostUpdated());
    // The resident number's digits are masked once entered, shown again while being edited.
    this.#details.addEventListener('focusin', (event) => (event.target as HTMLElement).classList.remove('masked'));
    this.#details.addEventListener('focusout', ({ target }) => {
      const input = target as HTMLInputElement;
      if (input.classList.contains('maskable')) input.classList.toggle('masked', input.value !== '');
    });
    tag.addController(this);
  }

  /** The first step, empty but for what the page prefilled. */
  showDetails(): void {
    this.#stopTicker();
    this.#sent = undefined;
    this.#busy = false;
    for (const form of [this.#details, this.#code]) {
      form.reset();
      for (const control of form.querySelectorAll<HTMLElement>('[aria-invalid]')) this.#markField(control, undefined);
    }
    this.#control('name').value = this.tag.customerName ?? '';
    this.#control('phone').value = this.tag.phone ?? '';
    this.#control('operator').value = OPERATOR_OF_CARRIER[this.tag.carrier ?? ''] ?? '';
    for (const input of this.#details.querySelectorAll('.masked')) input.classList.remove('masked');
    this.host.setState('form');
    // Turnstile decides while the person types.
    this.#turnstile?.mount().catch(() => this.host.fail({ code: 'sdk_load_failed', message: 'Turnstile could not be loaded' } satisfies Failure));
  }

  focusFirstField(): void {
    this.#control('name').focus();
  }

  // ReactiveController: after every update of the tag (its state, language, disabled), the form follows.
  hostUpdated(): void {
    const { tag } = this;
    const state = tag.state;
    const text = this.#text();
    for (const node of this.#root.querySelectorAll<HTMLElement>('[data-text]')) node.textContent = text[node.dataset.text as keyof FormMessages];
    const method = this.#sent?.method ?? this.#method();
    this.#details.querySelector('#f-identity')!.toggleAttribute('hidden', method === 'APP');
    this.#details.querySelector('[part=submit]')!.textContent = method === 'APP' ? text.sendApp : text.sendSms;
    this.#code.querySelector('#f-otp-field')!.toggleAttribute('hidden', method === 'APP');
    this.#code.querySelector('[part=resend]')!.toggleAttribute('hidden', method === 'APP');
    this.#code.querySelector('[part=submit]')!.textContent = method === 'APP' ? text.approved : text.confirm;
    const disabled = tag.matches(':disabled');
    for (const fieldset of this.#root.querySelectorAll<HTMLFieldSetElement>('.plain')) fieldset.disabled = disabled;

    const focused = this.#root.activeElement;
    const hadFocus = !!focused && (this.#details.contains(focused) || this.#code.contains(focused));
    this.#details.hidden = state !== 'form';
    this.#code.hidden = state !== 'code' && state !== 'verifying';
    if (this.#code.hidden) this.#stopTicker();
    // The step that held the focus is gone (verified, or ended): the focus goes where the person can go on.
    if (hadFocus && this.#details.hidden && this.#code.hidden) this.#focusAfterEnd();
    this.#tick();
  }

  hostDisconnected(): void {
    this.#stopTicker();
  }

  hostConnected(): void {
    if (this.#sent && !this.#code.hidden) this.#startTicker();
  }

  async #send(): Promise<void> {
    if (this.#busy) return;
    const details = this.#checkDetails();
    if (!details) return;
    const { host, tag } = this;
    const text = this.#text();
    const check = this.#turnstile;
    const turnstileToken = check?.token();
    if (check && !turnstileToken) return host.setState('form', text.turnstileWait);
    this.#busy = true;
    const attempt = host.next();
    host.setState('form', text.sending);
    try {
      const challenge = await host.challenges.ensure();
      const answer = await host.post<SendAnswer>('/v1/otp/send', {
        challenge: challenge.challenge,
        identity_verification_id: challenge.merchant_uid,
        channel_key: tag.channelKey,
        ...(tag.storeId ? { store_id: tag.storeId } : {}),
        ...(turnstileToken ? { turnstile_token: turnstileToken } : {}),
        ...details,
      }, isSendAnswer);
      if (!host.isCurrent(attempt)) return;
      // Sent: the details leave the tag (the fields were their only home).
      this.#details.reset();
      // PortOne sends a code for an id once: this challenge is this verification's, and any new start gets its own.
      host.challenges.forget();
      this.#sent = { challenge, method: details.method, ...timesOf(answer) };
      const sms = details.method === 'SMS';
      host.setState('code', sms ? text.sentSms.replace('{time}', duration(text, secondsUntil(this.#sent.expiresAt))) : text.sentApp);
      this.#startTicker();
      // Shown with the tag's update: then it can take the focus.
      await tag.updateComplete;
      (sms ? this.#control('otp') : this.#code.querySelector<HTMLElement>('[part=submit]')!).focus();
    } catch (error) {
      if (host.isCurrent(attempt)) this.#refused(error as Failure, 'form');
    } finally {
      // The token went with this send (Turnstile's are single use): the next needs a new one.
      check?.reset();
      // A later attempt (after a reset) has its own flag.
      if (host.isCurrent(attempt)) this.#busy = false;
    }
  }

  async #confirm(): Promise<void> {
    const sent = this.#sent;
    if (this.#busy || !sent) return;
    const { host } = this;
    const body: Record<string, unknown> = this.#verification(sent);
    if (sent.method === 'SMS') {
      const otp = this.#control('otp').value.replace(/\s/g, '');
      if (!CODE_PATTERN.test(otp)) return this.#fieldError('otp', this.#text().codeInvalid);
      body.otp = otp;
    }
    Object.assign(body, ruleFields(this.tag));
    this.#busy = true;
    const attempt = host.next();
    host.setState('verifying', host.text().verifying);
    try {
      const attestation = await exchange(host, body, () => host.isCurrent(attempt), '/v1/otp/confirm');
      if (!host.isCurrent(attempt)) return;
      this.#sent = undefined;
      this.#code.reset();
      verified(host, attestation);
    } catch (error) {
      if (host.isCurrent(attempt)) this.#refused(error as Failure, 'code');
    } finally {
      // A later attempt (after a reset) has its own flag.
      if (host.isCurrent(attempt)) this.#busy = false;
    }
  }

  async #resend(): Promise<void> {
    const sent = this.#sent;
    if (this.#busy || !sent || secondsUntil(sent.resendAt) > 0) return;
    const { host } = this;
    this.#busy = true;
    const attempt = host.next();
    try {
      const answer = await host.post<SendAnswer>('/v1/otp/resend', this.#verification(sent), isSendAnswer);
      if (!host.isCurrent(attempt)) return;
      Object.assign(sent, timesOf(answer), { endSaid: false });
      this.#code.reset();
      this.#markField(this.#control('otp'), undefined);
      host.setState('code', this.#text().resent);
      this.#tick();
      this.#control('otp').focus();
    } catch (error) {
      if (host.isCurrent(attempt)) this.#refused(error as Failure, 'code');
    } finally {
      // A later attempt (after a reset) has its own flag.
      if (host.isCurrent(attempt)) this.#busy = false;
    }
  }

  /**
   * A refusal from the verifier: explained in place when the person can mend it there (reported
   * in `iamport-error` too), or the end of this flow.
   */
  #refused(failure: Failure, step: 'form' | 'code'): void {
    const { host } = this;
    const code = typeof failure?.code === 'string' ? failure.code : 'network_error';
    const text = this.#text();
    const app = this.#sent?.method === 'APP';
    // For the app, the verifier's "wrong code" means the person has not approved yet.
    let message = app && code === 'otp_incorrect' ? text.notApproved : failureMessage(text, code, this.tag);
    if (failure.retryAfter) message += ' ' + text.retryIn.replace('{time}', duration(text, failure.retryAfter));
    const mendable = MENDABLE.has(code)
      // The app's request cannot be sent again: an expired one means starting over.
      && !(code === 'otp_expired' && app)
      // A code refused once sent: the verification's codes are spent (a resend comes only after its wait).
      && !(code === 'otp_send_limited' && step === 'code');
    if (!mendable) {
      this.#sent = undefined;
      // The next start gets a new challenge (a refused send may have used this one's id up).
      host.challenges.forget();
      // The flow is over: what the person typed does not wait, hidden, in the page.
      this.#details.reset();
      this.#code.reset();
      host.setState('error', message);
    } else {
      // A send refused for sure (the carrier, a limit, a field) spends its id: the next gets a new
      // one. One whose outcome is unknown keeps it: sent again, PortOne's "already sent" means the
      // code is on the phone, and the verifier says so.
      if (step === 'form' && !OUTCOME_UNKNOWN.has(code)) host.challenges.forget();
      host.setState(step, message);
      if (step === 'code' && (code === 'otp_incorrect' || code === 'otp_expired') && this.#sent?.method === 'SMS') {
        this.#fieldError('otp', message);
        if (code === 'otp_expired') this.#code.querySelector<HTMLElement>('[part=resend]')!.focus();
      }
    }
    host.emit('error', { code, message, detail: failure.message });
  }

  /** What names the verification under way in `/v1/otp/resend` and `/v1/otp/confirm`. */
  #verification(sent: Sent): Record<string, unknown> {
    const { challenge, merchant_uid } = sent.challenge;
    return { challenge, identity_verification_id: merchant_uid, ...(this.tag.storeId ? { store_id: this.tag.storeId } : {}) };
  }

  /** The details, checked; the fields in error are marked and the first one focused. */
  #checkDetails(): Details | undefined {
    const text = this.#text();
    const method = this.#method();
    const name = this.#control('name').value.trim();
    const phone = this.#control('phone').value.replace(/[\s-]/g, '');
    const operator = this.#control('operator').value;
    const birth = this.#control('birth').value.trim();
    const gender = this.#control('gender').value.trim();
    const needsIdentity = method === 'SMS';
    const problems: [string, string | undefined][] = [
      ['name', name ? undefined : text.nameMissing],
      ['phone', PHONE_PATTERN.test(phone) ? undefined : text.phoneInvalid],
      ['operator', (OPERATORS as readonly string[]).includes(operator) ? undefined : text.operatorMissing],
      ['birth', !needsIdentity || BIRTH_PATTERN.test(birth) ? undefined : text.birthInvalid],
      ['gender', !needsIdentity || /^\d$/.test(gender) ? undefined : text.genderInvalid],
      ['agree', this.#control('agree').checked ? undefined : text.agreeMissing],
    ];
    // Both digits of the resident number share one message under their group.
    const identityError = problems[3]?.[1] ?? problems[4]?.[1];
    for (const [fieldName, problem] of problems) this.#markField(this.#control(fieldName), problem, fieldName === 'birth' || fieldName === 'gender' ? identityError : problem);
    const first = problems.find(([, problem]) => problem);
    if (first) {
      this.#control(first[0]).focus();
      this.host.setState('form', text.checkFields);
      return undefined;
    }
    return {
      name, phone_number: phone, operator, method,
      ...(needsIdentity ? { identity_number: birth + gender } : {}),
    };
  }

  #fieldError(name: string, message: string): void {
    const control = this.#control(name);
    this.#markField(control, message);
    control.focus();
    control.select?.();
  }

  /** Marks a field (invalid, with its message tied by aria-describedby) or clears it. */
  #markField(control: HTMLElement, problem: string | undefined, shown = problem): void {
    const id = control.getAttribute('aria-describedby')?.split(' ').find((ref) => ref.endsWith('-error'));
    if (!id) return;
    if (problem) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
    const error = this.#root.getElementById(id);
    // The resident number's two digits share one message: it goes only when both are right.
    if (error && (shown || !error.parentElement!.querySelector('[aria-invalid]'))) error.textContent = shown ?? '';
  }

  #control(name: string): HTMLInputElement {
    return this.#root.querySelector(`[name=${name}]`)!;
  }

  #method(): Method {
    return this.#root.querySelector<HTMLInputElement>('[name=method][value=APP]')!.checked ? 'APP' : 'SMS';
  }

  #text(): AllMessages & FormMessages {
    return this.host.text() as AllMessages & FormMessages;
  }

  #focusAfterEnd(): void {
    const button = this.#root.querySelector<HTMLElement>('[part=button]')!;
    if (this.tag.state === 'error' || this.tag.state === 'expired') return button.focus();
    const status = this.#root.querySelector<HTMLElement>('[part=status]')!;
    status.tabIndex = -1;
    status.focus();
  }

  #startTicker(): void {
    this.#stopTicker();
    this.#ticker = setInterval(() => this.#tick(), 1000);
    this.#tick();
  }

  #stopTicker(): void {
    clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  /** The countdowns: the code's life, and the wait before another may be sent. */
  #tick(): void {
    const sent = this.#sent;
    const timer = this.#code.querySelector('[part=timer]')!;
    const resend = this.#code.querySelector<HTMLButtonElement>('[part=resend]')!;
    if (!sent) {
      timer.textContent = '';
      return;
    }
    const text = this.#text();
    const left = secondsUntil(sent.expiresAt);
    const wait = secondsUntil(sent.resendAt);
    resend.disabled = wait > 0;
    const parts = [left > 0 ? text.timeLeft.replace('{time}', clock(left)) : text.timeUp];
    // The timer is silent (it changes every second): its end is said once, in the tag's status.
    if (left === 0 && !sent.endSaid && sent.method === 'SMS' && this.tag.state === 'code') {
      sent.endSaid = true;
      this.host.setState('code', text.timeUp);
    }
    if (wait > 0 && sent.method === 'SMS') parts.push(text.resendIn.replace('{time}', clock(wait)));
    const shown = parts.join(' · ');
    if (timer.textContent !== shown) timer.textContent = shown;
  }
}

/** The verifier's times as this device's monotonic clock: counted from the answer's arrival, right whatever the device's clock says. */
function timesOf(answer: SendAnswer): Pick<Sent, 'expiresAt' | 'resendAt'> {
  const now = performance.now();
  // A verifier that does not say when it sent: its times against this device's clock.
  const sentAt = answer.sent_at ?? Date.now() / 1000;
  return { expiresAt: now + (answer.code_expires_at - sentAt) * 1000, resendAt: now + (answer.resend_available_at - sentAt) * 1000 };
}

const secondsUntil = (at: number) => Math.max(0, Math.ceil((at - performance.now()) / 1000));

/** `2:05` */
const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;

/** "2분 5초", "2 min 5 s", "2분", "30초" */
function duration(text: FormMessages, seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return [m && text.minutes.replace('{m}', String(m)), (s || !m) && text.seconds.replace('{s}', String(s))].filter(Boolean).join(' ');
}
