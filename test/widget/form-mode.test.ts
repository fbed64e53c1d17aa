// The form mode (mode="form", PortOne V2's API flow): the tag's own form, no window, against a
// stand-in verifier whose /v1/otp/* endpoints answer as the contract says (fetch is the edge).
import { expect } from '@esm-bundle/chai';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import type { IamportVerifyElement } from '../../widget/iamport-verify.js';
import {
  ENDPOINT, FakeVerifier, claimsFor, cleanup, deviceClock, expectAccessible, fixture, nextEvent, problem, statusText, tokenFor, until,
  type Answer,
} from './helpers.js';

const NAME = '홍길동';
const PHONE = '01012345678';
const BIRTH = '900101';
const GENDER = '1';
const CODE = '654321';
/** Strings that must never leave the tag but in the one request each belongs to. */
const PERSONAL = [NAME, PHONE, BIRTH + GENDER];

const realDateNow = Date.now;
const verifierNow = () => Math.floor(realDateNow() / 1000);

/**
 * The verifier's OTP endpoints as the contract describes them: a code that lives `codeLife`
 * seconds, resends after `resendWait`, `maxAttempts` confirms per challenge; `next*` overrides
 * the next answer of an endpoint.
 */
class FakeOtp {
  codeLife = 180;
  resendWait = 30;
  maxAttempts = 3;
  wrong = 0;
  sent: { method: string } | undefined;
  nextSend: Answer | undefined;
  nextResend: Answer | undefined;
  nextConfirm: Answer | undefined;

  constructor(verifier: FakeVerifier) {
    verifier.routes['/v1/otp/send'] = (body) => this.#take('nextSend') ?? this.#send(body);
    verifier.routes['/v1/otp/resend'] = () => this.#take('nextResend') ?? { status: 200, body: this.#times() };
    verifier.routes['/v1/otp/confirm'] = (body) => this.#take('nextConfirm') ?? this.#confirm(body);
  }

  #take(key: 'nextSend' | 'nextResend' | 'nextConfirm'): Answer | undefined {
    const answer = this[key];
    this[key] = undefined;
    return answer;
  }

  #times() {
    const now = verifierNow();
    return { sent_at: now, resend_available_at: now + this.resendWait, code_expires_at: now + this.codeLife };
  }

  #send(body: Record<string, any>): Answer {
    this.sent = { method: body.method };
    return { status: 200, body: { identity_verification_id: body.identity_verification_id, method: body.method, ...this.#times() } };
  }

  #confirm(body: Record<string, any>): Answer {
    if (!this.sent) return problem('otp_not_sent', 409);
    if (this.sent.method === 'SMS' && body.otp !== CODE) {
      this.wrong++;
      return this.wrong >= this.maxAttempts ? problem('otp_attempts_exceeded', 429, { 'retry-after': '600' }) : problem('otp_incorrect', 422);
    }
    const claims = { ...claimsFor(body), provider: 'portone', identity_verification_id: body.identity_verification_id };
    return { status: 201, body: { token: tokenFor(claims), expires_at: claims.exp, claims } };
  }
}

const tag = (extra = '') => `<form><button type="button" id="before">before</button><iamport-verify name="age_token" endpoint="${ENDPOINT}" provider="portone" mode="form" store-id="store-1" channel-key="channel-key-1" lang="en" ${extra}></iamport-verify></form>`;

let verifier: FakeVerifier;
let otp: FakeOtp;
beforeEach(() => {
  verifier = new FakeVerifier().install();
  otp = new FakeOtp(verifier);
});
afterEach(() => {
  verifier.uninstall();
  cleanup();
});

async function formTag(extra = ''): Promise<{ page: HTMLFormElement; element: IamportVerifyElement }> {
  // Nothing preloaded: the form mode fetches what it needs as it connects.
  const page = await fixture<HTMLFormElement>(tag(extra), { preload: false });
  const element = page.querySelector('iamport-verify')!;
  await until(() => element.state === 'form', element, 'the form');
  await element.updateComplete;
  return { page, element };
}

const part = <T extends HTMLElement = HTMLElement>(element: HTMLElement, name: string) =>
  element.shadowRoot!.querySelector<T>(`[part~=${name}]`)!;
/** A form's own submit button (`form` or `code-form`). */
const submitOf = (element: HTMLElement, form: string) => part(element, form).querySelector<HTMLButtonElement>('[part~=submit]')!;
const control = (element: HTMLElement, name: string) => element.shadowRoot!.querySelector<HTMLInputElement>(`[name=${name}]`)!;
/** What has the focus in the tag: a field's name, or a part's (a button's). */
const focused = (element: HTMLElement) => {
  const active = element.shadowRoot!.activeElement;
  return active?.getAttribute('name') ?? active?.getAttribute('part') ?? null;
};
const visible = (node: HTMLElement) => node.checkVisibility();
/** The message tied to a field by aria-describedby (its error). */
const errorOf = (element: HTMLElement, name: string) => {
  const ids = control(element, name).getAttribute('aria-describedby')!.split(' ');
  return ids.map((id) => element.shadowRoot!.getElementById(id)!.textContent).join(' ').trim();
};

/** Types the details with the keyboard alone, from the page's button before the tag to the send button. */
async function typeDetails(element: IamportVerifyElement, { method = 'SMS' } = {}) {
  document.getElementById('before')!.focus();
  await sendKeys({ press: 'Tab' });
  expect(focused(element)).to.equal('name');
  await sendKeys({ type: NAME });
  await sendKeys({ press: 'Tab' });
  await sendKeys({ type: PHONE });
  await sendKeys({ press: 'Tab' });
  await sendKeys({ press: 'ArrowDown' });
  await sendKeys({ press: 'ArrowDown' });
  expect(control(element, 'operator').value).to.equal('KT');
  await sendKeys({ press: 'Tab' });
  if (method === 'APP') await sendKeys({ press: 'ArrowDown' });
  await element.updateComplete;
  if (method === 'SMS') {
    await sendKeys({ press: 'Tab' });
    await sendKeys({ type: BIRTH });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ type: GENDER });
  }
  await sendKeys({ press: 'Tab' });
  expect(focused(element)).to.equal('agree');
  await sendKeys({ press: 'Space' });
  await sendKeys({ press: 'Tab' });
  expect(focused(element)).to.equal('submit');
}

describe('the form mode: the form', () => {
  it('shows its own form in place of the button: the fields the contract needs, with the autofill hints the platform uses', async () => {
    const { element } = await formTag();
    expect(element.state).to.equal('form');
    expect(visible(part(element, 'form'))).to.equal(true);
    expect(visible(part(element, 'button'))).to.equal(false);
    expect(visible(part(element, 'code-form'))).to.equal(false);
    const phone = control(element, 'phone');
    expect([phone.inputMode, phone.autocomplete]).to.deep.equal(['tel', 'tel-national']);
    for (const name of ['birth', 'gender']) expect([control(element, name).inputMode, control(element, name).getAttribute('autocomplete')]).to.deep.equal(['numeric', 'off']);
    const operators = [...control(element, 'operator').querySelectorAll('option')].map((option) => [option.value, option.textContent]);
    expect(operators).to.deep.equal([
      ['', 'Choose one'], ['SKT', 'SKT'], ['KT', 'KT'], ['LGU', 'LG U+'],
      ['SKT_MVNO', 'SKT budget carrier (MVNO)'], ['KT_MVNO', 'KT budget carrier (MVNO)'], ['LGU_MVNO', 'LG U+ budget carrier (MVNO)'],
    ]);
    const code = control(element, 'otp');
    expect([code.inputMode, code.autocomplete]).to.deep.equal(['numeric', 'one-time-code']);
    expect(part(element, 'consent').textContent).to.contain('Neither this site nor the verification server stores them');
    await expectAccessible(element);
  });

  it('speaks Korean with lang="ko", and shows the site\'s own consent text from the consent slot', async () => {
    const page = await fixture<HTMLFormElement>(tag('lang="ko"').replace('lang="en"', '').replace('></iamport-verify>',
      '><p slot="consent">우리 사이트의 개인정보 처리 안내</p></iamport-verify>'), { preload: false });
    const element = page.querySelector('iamport-verify')!;
    await until(() => element.state === 'form', element, 'the form');
    await element.updateComplete;
    expect(element.shadowRoot!.querySelector('label[for=f-phone]')!.textContent).to.equal('휴대폰 번호');
    expect(submitOf(element, 'form').textContent).to.equal('인증번호 받기');
    const slot = part(element, 'consent').querySelector('slot')!;
    expect(slot.assignedElements().map((node) => node.textContent)).to.deep.equal(['우리 사이트의 개인정보 처리 안내']);
    await expectAccessible(element);
  });

  it('follows a dark colour scheme, fields included, and stays accessible (contrast) in it', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    try {
      const { element } = await formTag();
      expect(getComputedStyle(control(element, 'name')).backgroundColor).to.equal('rgb(28, 31, 38)');
      control(element, 'name').focus();
      await sendKeys({ press: 'Enter' });
      await expectAccessible(element);
    } finally {
      await emulateMedia({ colorScheme: 'light' });
    }
  });

  it('shows nothing of the popup flow while the form comes: the card is empty until the form takes the button\'s place', async () => {
    const page = await fixture<HTMLFormElement>(tag(), { preload: false, waitFor: 'none' });
    const element = page.querySelector('iamport-verify')!;
    await element.updateComplete;
    expect(element.state).to.equal('loading');
    expect(visible(part(element, 'button'))).to.equal(false);
    await until(() => element.state === 'form', element, 'the form');
  });

  it('shows nothing of the popup flow while the form comes for a tag whose mode was set as a property, as frameworks do', async () => {
    const page = await fixture<HTMLFormElement>('<form></form>', { preload: false, waitFor: 'none' });
    const element = document.createElement('iamport-verify') as IamportVerifyElement;
    Object.assign(element, { endpoint: ENDPOINT, provider: 'portone', mode: 'form', storeId: 'store-1', channelKey: 'channel-key-1', lang: 'en' });
    const errors: unknown[] = [];
    element.addEventListener('iamport-error', (event) => errors.push((event as CustomEvent).detail));
    page.append(element);
    await element.updateComplete;
    expect(errors).to.deep.equal([]);
    expect(element.state).to.equal('loading');
    expect(visible(part(element, 'button'))).to.equal(false);
    await until(() => element.state === 'form', element, 'the form');
  });

  it('prefills what the page knows (customer-name, phone, the carrier as PortOne names it)', async () => {
    const { element } = await formTag(`customer-name="${NAME}" phone="${PHONE}" carrier="LGT"`);
    expect([control(element, 'name').value, control(element, 'phone').value, control(element, 'operator').value]).to.deep.equal([NAME, PHONE, 'LGU']);
  });

  it('refuses a provider other than portone and the guardian step with invalid_attribute, before anything is sent', async () => {
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" mode="form" imp-code="imp12345678" lang="en"></iamport-verify>`);
    const event = nextEvent(element, 'iamport-error');
    element.reset();
    expect((await event).detail).to.include({ code: 'invalid_attribute', detail: 'mode="form" needs provider="portone"' });
    const guardian = (await formTagOrError('guardian-under="14"'));
    expect(guardian).to.include({ code: 'invalid_attribute' });
    expect(verifier.issued('/v1/otp/send')).to.have.length(0);
  });
});

async function formTagOrError(extra: string) {
  const page = await fixture<HTMLFormElement>(tag(extra), { waitFor: 'none', preload: false });
  const element = page.querySelector('iamport-verify')!;
  return (await nextEvent(element, 'iamport-error')).detail;
}

describe('the form mode: a verification by SMS', () => {
  it('verifies with the keyboard alone: details, then the code (focus moved to it), then the attestation as the form\'s value', async () => {
    const { page, element } = await formTag();
    const events: string[] = [];
    for (const name of ['iamport-state', 'iamport-error', 'iamport-verified']) {
      element.addEventListener(name, (event) => events.push(`${name} ${JSON.stringify((event as CustomEvent).detail)}`));
    }
    await typeDetails(element);
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'code', element, 'the code step');
    await element.updateComplete;
    expect(focused(element)).to.equal('otp');
    expect(statusText(element)).to.equal('We sent a code by text message. Enter it within 3 min.');
    expect(part(element, 'timer').textContent).to.match(/^(3:00|2:5\d) left · new code in 0:[23]\d$/);
    await expectAccessible(element);
    await sendKeys({ type: CODE });
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'verified', element, 'the attestation');
    expect(new FormData(page).get('age_token')).to.equal(element.token);
    expect(statusText(element)).to.equal('Verified');
    expect(visible(part(element, 'form')) || visible(part(element, 'code-form'))).to.equal(false);
    expect(events.filter((event) => event.startsWith('iamport-state')).map((event) => JSON.parse(event.slice(13)).state))
      .to.deep.equal(['code', 'verifying', 'verified']);
    await expectAccessible(element);

    const [send] = verifier.issued('/v1/otp/send');
    expect(send!.body).to.deep.equal({
      challenge: 'c1.test.1', identity_verification_id: 'iv_minted1', channel_key: 'channel-key-1', store_id: 'store-1',
      name: NAME, phone_number: PHONE, operator: 'KT', method: 'SMS', identity_number: BIRTH + GENDER,
    });
    const [confirm] = verifier.issued('/v1/otp/confirm');
    expect(confirm!.body).to.deep.equal({ challenge: 'c1.test.1', identity_verification_id: 'iv_minted1', store_id: 'store-1', otp: CODE });
  });

  it('keeps the details only in the one request that sends them, and the code only in the confirm: not in the fields, events or storage', async () => {
    const { element } = await formTag('min-age="19" nonce="n-1"');
    const events: string[] = [];
    for (const name of ['iamport-state', 'iamport-error', 'iamport-verified']) element.addEventListener(name, (event) => events.push(JSON.stringify((event as CustomEvent).detail)));
    await typeDetails(element);
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'code', element, 'the code step');
    for (const name of ['name', 'phone', 'birth', 'gender']) expect(control(element, name).value, name).to.equal('');
    await sendKeys({ type: CODE });
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'verified', element, 'the attestation');
    expect(control(element, 'otp').value).to.equal('');
    const elsewhere = verifier.requests.filter((request) => request.path !== '/v1/otp/send').map((request) => JSON.stringify(request.body));
    const stored = JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage });
    for (const secret of PERSONAL) {
      expect(elsewhere.join(), secret).not.to.contain(secret);
      expect(events.join(), secret).not.to.contain(secret);
      expect(stored, secret).not.to.contain(secret);
    }
    expect(events.join()).not.to.contain(CODE);
    expect(verifier.issued('/v1/otp/confirm')[0]!.body).to.include({ otp: CODE, min_age: 19, nonce: 'n-1' });
  });

  it('marks every wrong field with its message (aria-invalid, aria-describedby) and moves the focus to the first; nothing is sent', async () => {
    const { element } = await formTag();
    control(element, 'name').focus();
    await sendKeys({ press: 'Enter' });
    await element.updateComplete;
    for (const name of ['name', 'phone', 'operator', 'birth', 'gender', 'agree']) {
      expect(control(element, name).getAttribute('aria-invalid'), name).to.equal('true');
      expect(errorOf(element, name), name).not.to.equal('');
    }
    expect(errorOf(element, 'phone')).to.contain('10 or 11 digits starting with 01');
    expect(focused(element)).to.equal('name');
    expect(statusText(element)).to.equal('Please check what you entered.');
    await expectAccessible(element);

    await sendKeys({ type: NAME });
    expect(control(element, 'name').hasAttribute('aria-invalid')).to.equal(false);
    await sendKeys({ press: 'Enter' });
    expect(focused(element)).to.equal('phone');
    await sendKeys({ type: '0212345678' });
    await sendKeys({ press: 'Enter' });
    expect(focused(element)).to.equal('phone');
    expect(control(element, 'birth').getAttribute('aria-invalid')).to.equal('true');
    control(element, 'birth').value = '901301';
    control(element, 'gender').value = '1';
    part<HTMLFormElement>(element, 'form').requestSubmit();
    expect(control(element, 'birth').getAttribute('aria-invalid')).to.equal('true');
    expect(control(element, 'gender').hasAttribute('aria-invalid')).to.equal(false);
    expect(errorOf(element, 'gender')).to.contain('date of birth as 6 digits');
    expect(verifier.issued('/v1/otp/send')).to.have.length(0);
    expect(element.state).to.equal('form');
  });

  it('refuses in the browser a mobile number the verifier refuses (012…, 015…), as it accepts the ones it takes; nothing is sent', async () => {
    const { element } = await formTag();
    control(element, 'name').value = NAME;
    control(element, 'operator').value = 'KT';
    control(element, 'birth').value = BIRTH;
    control(element, 'gender').value = GENDER;
    control(element, 'agree').checked = true;
    for (const number of ['01212345678', '0151234567', '01312345678']) {
      control(element, 'phone').value = number;
      part<HTMLFormElement>(element, 'form').requestSubmit();
      expect(control(element, 'phone').getAttribute('aria-invalid'), number).to.equal('true');
      expect(errorOf(element, 'phone'), number).to.contain('10 or 11 digits starting with 01');
      expect(focused(element), number).to.equal('phone');
    }
    expect(verifier.issued('/v1/otp/send')).to.have.length(0);
    control(element, 'phone').value = '0161234567';
    part<HTMLFormElement>(element, 'form').requestSubmit();
    expect(control(element, 'phone').hasAttribute('aria-invalid')).to.equal(false);
  });

  it('masks the resident number\'s digits once entered, and shows them again while they are edited', async () => {
    const { element } = await formTag();
    const birth = control(element, 'birth');
    birth.focus();
    await sendKeys({ type: BIRTH });
    expect(getComputedStyle(birth).getPropertyValue('-webkit-text-security')).to.equal('none');
    await sendKeys({ press: 'Tab' });
    expect(getComputedStyle(birth).getPropertyValue('-webkit-text-security')).to.equal('disc');
    birth.focus();
    expect(getComputedStyle(birth).getPropertyValue('-webkit-text-security')).to.equal('none');
  });

  it('a wrong code: the code field is marked and focused again, the step stays, and iamport-error says otp_incorrect', async () => {
    const { element } = await formTag();
    await typeDetails(element);
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'code', element, 'the code step');
    const error = nextEvent(element, 'iamport-error');
    await sendKeys({ type: '111111' });
    await sendKeys({ press: 'Enter' });
    expect((await error).detail).to.include({ code: 'otp_incorrect', message: 'That code is not right. Please enter it again.' });
    await until(() => element.state === 'code', element, 'the code step again');
    await element.updateComplete;
    expect(control(element, 'otp').getAttribute('aria-invalid')).to.equal('true');
    expect(errorOf(element, 'otp')).to.contain('That code is not right.');
    expect(focused(element)).to.equal('otp');
    await expectAccessible(element);
    await sendKeys({ type: CODE });
    expect(control(element, 'otp').hasAttribute('aria-invalid')).to.equal(false);
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'verified', element, 'the attestation');
  });

  it('three wrong codes spend the challenge: error, and the tag\'s button starts over with a new challenge and an empty form', async () => {
    const { element } = await formTag();
    await typeDetails(element);
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'code', element, 'the code step');
    for (let i = 0; i < 2; i++) {
      await sendKeys({ type: '111111' });
      await sendKeys({ press: 'Enter' });
      await until(() => control(element, 'otp').getAttribute('aria-invalid') === 'true' && element.state === 'code', element);
      control(element, 'otp').select();
    }
    const error = nextEvent(element, 'iamport-error');
    await sendKeys({ type: '111111' });
    await sendKeys({ press: 'Enter' });
    expect((await error).detail.code).to.equal('otp_attempts_exceeded');
    await until(() => element.state === 'error', element, 'the end of the flow');
    await element.updateComplete;
    expect(statusText(element)).to.equal('Too many wrong codes. Please start again. You can try again in 10 min.');
    expect(focused(element)).to.equal('button');
    expect(visible(part(element, 'button'))).to.equal(true);
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'form', element, 'the form again');
    await until(() => focused(element) === 'name', element, 'the focus on the first field');
    expect(verifier.issued('/v1/challenges')).to.have.length(2);
    expect(control(element, 'name').value).to.equal('');
  });

  it('times the code from the verifier\'s clock, whatever this device\'s says, and lets a new code be sent once the verifier\'s wait is over', async () => {
    const clock = deviceClock({ skewMs: 2 * 3600_000 });
    try {
      const { element } = await formTag();
      await typeDetails(element);
      await sendKeys({ press: 'Enter' });
      await until(() => element.state === 'code', element, 'the code step');
      await element.updateComplete;
      const resend = part<HTMLButtonElement>(element, 'resend');
      expect(part(element, 'timer').textContent).to.match(/^(3:00|2:5\d) left · new code in 0:[23]\d$/);
      expect(resend.disabled).to.equal(true);
      resend.click();
      expect(verifier.issued('/v1/otp/resend')).to.have.length(0);

      clock.advance(31_000);
      await until(() => !resend.disabled, element, 'the resend wait');
      expect(part(element, 'timer').textContent).to.match(/^2:[23]\d left$/);
      resend.focus();
      await sendKeys({ press: 'Enter' });
      await until(() => statusText(element) === 'We sent a new code.', element, 'the new code');
      expect(verifier.issued('/v1/otp/resend')[0]!.body).to.deep.equal({ challenge: 'c1.test.1', identity_verification_id: 'iv_minted1', store_id: 'store-1' });
      expect(focused(element)).to.equal('otp');
      expect(resend.disabled).to.equal(true);

      clock.advance(181_000);
      await until(() => part(element, 'timer').textContent === 'Time is up. Please ask for a new code.', element, 'the code\'s end');
      // The silent timer's end is said once in the status, which screen readers announce.
      expect(statusText(element)).to.equal('Time is up. Please ask for a new code.');
    } finally {
      clock.restore();
    }
  });

  it('an expired code: the code field says so, and a new code can be asked for and used', async () => {
    otp.resendWait = 0;
    const { element } = await formTag();
    await typeDetails(element);
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'code', element, 'the code step');
    otp.nextConfirm = problem('otp_expired', 422);
    const error = nextEvent(element, 'iamport-error');
    await sendKeys({ type: CODE });
    await sendKeys({ press: 'Enter' });
    expect((await error).detail.code).to.equal('otp_expired');
    await until(() => element.state === 'code', element, 'the code step again');
    expect(errorOf(element, 'otp')).to.contain('The code expired. Please ask for a new one.');
    expect(focused(element)).to.equal('resend');
    await sendKeys({ press: 'Enter' });
    await until(() => verifier.issued('/v1/otp/resend').length === 1 && focused(element) === 'otp', element, 'the new code');
    await sendKeys({ type: CODE });
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'verified', element, 'the attestation');
  });

  it('too many sends: the verifier\'s Retry-After is said, and the details stay to send again later', async () => {
    const { element } = await formTag();
    await typeDetails(element);
    otp.nextSend = problem('otp_send_limited', 429, { 'retry-after': '90' });
    const error = nextEvent(element, 'iamport-error');
    await sendKeys({ press: 'Enter' });
    expect((await error).detail.code).to.equal('otp_send_limited');
    expect(element.state).to.equal('form');
    expect(statusText(element)).to.equal('Too many requests. Please try again later. You can try again in 1 min 30 s.');
    expect(control(element, 'name').value).to.equal(NAME);
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'code', element, 'the code step');
  });

  it('a send refused for sure asks the next under a new challenge; one whose answer was lost is sent again under the same', async () => {
    const { element } = await formTag();
    await typeDetails(element);
    for (const [code, status] of [['carrier_failed', 502], ['upstream_unavailable', 503]] as const) {
      otp.nextSend = problem(code, status);
      const refused = nextEvent(element, 'iamport-error');
      await sendKeys({ press: 'Enter' });
      expect((await refused).detail.code).to.equal(code);
      await until(() => element.state === 'form', element, 'the details step again');
    }
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'code', element, 'the code step');
    const ids = verifier.issued('/v1/otp/send').map((request) => request.body.identity_verification_id);
    expect(ids[1]).to.not.equal(ids[0]);
    expect(ids[2]).to.equal(ids[1]);
  });

  it('a flow that ends leaves nothing the person typed in the hidden form', async () => {
    const { element } = await formTag();
    await typeDetails(element);
    otp.nextSend = problem('otp_not_contracted', 403);
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'error', element, 'the end of the flow');
    for (const name of ['name', 'phone', 'birth', 'gender']) expect(control(element, name).value, name).to.equal('');
  });

  it('a resend refused by the limits ends the flow: the verification\'s codes are spent', async () => {
    otp.resendWait = 0;
    const { element } = await formTag();
    await typeDetails(element);
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'code', element, 'the code step');
    otp.nextResend = problem('otp_send_limited', 429, { 'retry-after': '60' });
    part(element, 'resend').click();
    await until(() => element.state === 'error', element, 'the end of the flow');
    expect(statusText(element)).to.equal('Too many requests. Please try again later. You can try again in 1 min.');
  });

  it('a merchant without PortOne\'s API-flow contract: the flow ends with otp_not_contracted, explained', async () => {
    const { element } = await formTag();
    await typeDetails(element);
    otp.nextSend = problem('otp_not_contracted', 403);
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'error', element, 'the end of the flow');
    expect(statusText(element)).to.equal('This site cannot verify by text message or the PASS app. Please contact the site.');
  });
});

describe('the form mode: the PASS app', () => {
  it('asks no resident number, sends method APP, and confirms with no code once the person says they approved', async () => {
    const { page, element } = await formTag();
    await typeDetails(element, { method: 'APP' });
    expect(visible(control(element, 'birth'))).to.equal(false);
    expect(submitOf(element, 'form').textContent).to.equal('Ask the PASS app');
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'code', element, 'the approval step');
    await element.updateComplete;
    const approved = submitOf(element, 'code-form');
    expect(approved.textContent).to.equal('I approved in the PASS app');
    expect(focused(element)).to.equal('submit');
    expect(visible(control(element, 'otp'))).to.equal(false);
    expect(visible(part(element, 'resend'))).to.equal(false);
    await expectAccessible(element);
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'verified', element, 'the attestation');
    expect(new FormData(page).get('age_token')).to.equal(element.token);
    expect(verifier.issued('/v1/otp/send')[0]!.body).to.include({ method: 'APP' }).and.not.to.have.property('identity_number');
    expect(verifier.issued('/v1/otp/confirm')[0]!.body).not.to.have.property('otp');
  });

  it('pressed before the approval: says so, and the next press after approving verifies', async () => {
    const { element } = await formTag();
    await typeDetails(element, { method: 'APP' });
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'code', element, 'the approval step');
    otp.nextConfirm = problem('otp_incorrect', 422);
    const error = nextEvent(element, 'iamport-error');
    await sendKeys({ press: 'Enter' });
    expect((await error).detail).to.include({ code: 'otp_incorrect', message: 'Not approved in the PASS app yet. Approve the request there, then press again.' });
    await until(() => element.state === 'code', element, 'the approval step again');
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'verified', element, 'the attestation');
  });

  it('an approval that expired starts over (the app\'s request cannot be sent again)', async () => {
    const { element } = await formTag();
    await typeDetails(element, { method: 'APP' });
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'code', element, 'the approval step');
    otp.nextConfirm = problem('otp_expired', 422);
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'error', element, 'the end of the flow');
    expect(focused(element)).to.equal('button');
  });
});

describe('the form mode and the rest of the tag', () => {
  it('reset() (and the page\'s form reset) empties the form and goes back to its first step', async () => {
    const { page, element } = await formTag();
    await typeDetails(element);
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'code', element, 'the code step');
    page.reset();
    await until(() => element.state === 'form', element, 'the first step');
    expect(control(element, 'agree').checked).to.equal(false);
    expect(part(element, 'timer').textContent).to.equal('');
    // The id the code was sent under is spent at PortOne: the next send comes with a new challenge.
    await typeDetails(element);
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'code', element, 'the code step again');
    expect(verifier.issued('/v1/otp/send').map((request) => request.body.identity_verification_id)).to.deep.equal(['iv_minted1', 'iv_minted2']);
  });

  it('required: the page\'s form is not sent before the attestation, and its check takes the focus to the step the person is at', async () => {
    const { page, element } = await formTag('required');
    expect(page.reportValidity()).to.equal(false);
    expect(focused(element)).to.equal('name');
    await typeDetails(element);
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'code', element, 'the code step');
    (element.shadowRoot!.activeElement as HTMLElement).blur();
    expect(page.reportValidity()).to.equal(false);
    expect(focused(element)).to.equal('otp');
    await sendKeys({ type: CODE });
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'verified', element, 'the attestation');
    expect(page.reportValidity()).to.equal(true);
  });

  it('disabled: every field and button of the form is disabled', async () => {
    const { element } = await formTag('disabled');
    for (const name of ['name', 'phone', 'operator', 'birth', 'agree']) expect(control(element, name).matches(':disabled'), name).to.equal(true);
    element.disabled = false;
    await element.updateComplete;
    expect(control(element, 'name').matches(':disabled')).to.equal(false);
  });

  it('fetches the form\'s module, and never the provider\'s SDK: no window is opened', async () => {
    const { element } = await formTag();
    element.dispatchEvent(new PointerEvent('pointerenter'));
    control(element, 'name').focus();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const fetched = performance.getEntriesByType('resource').map((entry) => entry.name);
    expect(fetched.some((url) => url.includes('/widget/form/form.ts'))).to.equal(true);
    expect((window as any).PortOne).to.equal(undefined);
    expect(fetched.some((url) => url.includes('portone.io'))).to.equal(false);
  });
});
