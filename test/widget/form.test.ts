import { expect } from '@esm-bundle/chai';
import type { IamportVerifyElement } from '../../widget/iamport-verify.js';
import { ENDPOINT, FakeVerifier, button, cleanup, fixture, installImp, nextEvent, removeImp, succeed, until } from './helpers.js';

let verifier: FakeVerifier;
beforeEach(() => {
  verifier = new FakeVerifier().install();
  installImp(succeed);
});
afterEach(() => {
  verifier.uninstall();
  removeImp();
  cleanup();
});

const form = (tagAttributes = '', lang = 'en') => `<form lang="${lang}" action="about:blank">
  <input name="email" value="person@example.com">
  <iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678" name="age_token" ${tagAttributes}></iamport-verify>
  <button>Sign up</button>
</form>`;

async function verify(element: IamportVerifyElement): Promise<string> {
  const verified = nextEvent(element, 'iamport-verified');
  element.start();
  return (await verified).detail.token;
}

async function formWithTag(tagAttributes = '', lang = 'en') {
  const formElement = await fixture<HTMLFormElement>(form(tagAttributes, lang));
  const element = formElement.querySelector('iamport-verify')!;
  await until(() => element.state === 'ready', element);
  return { formElement, element };
}

/** Submits as the user's button would, and returns what the form sent (or undefined when blocked). */
function submit(formElement: HTMLFormElement): FormData | undefined {
  let sent: FormData | undefined;
  formElement.addEventListener('submit', (event) => {
    event.preventDefault();
    sent = new FormData(formElement);
  }, { once: true });
  formElement.requestSubmit();
  return sent;
}

describe('as a form field', () => {
  it('submits the attestation under its name', async () => {
    const { formElement, element } = await formWithTag();
    expect(element.form).to.equal(formElement);
    const token = await verify(element);
    const sent = submit(formElement)!;
    expect(sent.get('age_token')).to.equal(token);
    expect(sent.get('email')).to.equal('person@example.com');
  });

  it('with required, blocks submission until verified, with a localized message', async () => {
    const { formElement, element } = await formWithTag('required');
    expect(submit(formElement)).to.equal(undefined);
    expect(element.validity.valueMissing).to.equal(true);
    expect(element.checkValidity()).to.equal(false);
    expect(element.validationMessage).to.equal('Please verify with your phone.');
    await verify(element);
    expect(element.checkValidity()).to.equal(true);
    expect(submit(formElement)).not.to.equal(undefined);
  });

  it('with required, still holds back a form that turns validation off (novalidate, as WordPress\'s registration form), and says why', async () => {
    const { formElement, element } = await formWithTag('required');
    formElement.noValidate = true;
    expect(submit(formElement) === undefined, 'the form is held back').to.equal(true);
    await element.updateComplete;
    expect(element.shadowRoot!.querySelector('[part=status]')!.textContent).to.equal('Please verify with your phone.');
    expect(element.shadowRoot!.activeElement).to.equal(button(element));
    await verify(element);
    expect(submit(formElement)!.has('age_token')).to.equal(true);
  });

  it('without required, a form that turns validation off is sent as it is', async () => {
    const { formElement } = await formWithTag();
    formElement.noValidate = true;
    expect(submit(formElement)).not.to.equal(undefined);
  });

  it('says what is missing in Korean on a Korean page', async () => {
    const { element } = await formWithTag('required', 'ko');
    expect(element.validationMessage).to.equal('휴대폰 본인인증을 완료해 주세요.');
  });

  it('reportValidity() shows the problem at the tag\'s button', async () => {
    const { element } = await formWithTag('required');
    expect(element.reportValidity()).to.equal(false);
    expect(element.shadowRoot!.activeElement).to.equal(button(element));
  });

  it('sends nothing before verification when not required', async () => {
    const { formElement } = await formWithTag();
    expect(submit(formElement)!.has('age_token')).to.equal(false);
  });

  it('form reset clears the attestation and starts over', async () => {
    const { formElement, element } = await formWithTag('required');
    await verify(element);
    formElement.reset();
    expect(element.token).to.equal('');
    expect(element.checkValidity()).to.equal(false);
    await until(() => element.state === 'ready', element);
    expect(new FormData(formElement).has('age_token')).to.equal(false);
  });

  it('disabled (its own or a fieldset\'s) cannot be used and is left out of the form', async () => {
    const { formElement, element } = await formWithTag();
    await verify(element);
    element.disabled = true;
    await element.updateComplete;
    expect(button(element).disabled).to.equal(true);
    expect(new FormData(formElement).has('age_token')).to.equal(false);
    element.disabled = false;
    await element.updateComplete;
    expect(new FormData(formElement).get('age_token')).to.equal(element.token);

    const fieldset = document.createElement('fieldset');
    formElement.append(fieldset);
    fieldset.append(element);
    fieldset.disabled = true;
    await element.updateComplete;
    expect(button(element).disabled).to.equal(true);
    expect(element.state).to.equal('verified');
    expect(new FormData(formElement).has('age_token')).to.equal(false);
  });

  it('a disabled tag does not start', async () => {
    const { element } = await formWithTag('disabled');
    const calls = installImp(succeed);
    element.start();
    expect(calls).to.have.length(0);
  });
});

describe('inside another element\'s shadow root', () => {
  class SignupCard extends HTMLElement {
    constructor() {
      super();
      this.attachShadow({ mode: 'open' }).innerHTML = form('required');
    }
  }
  customElements.define('signup-card', SignupCard);

  it('joins the shadow root\'s form, submits its token, and its events reach the page', async () => {
    const card = await fixture<HTMLElement>('<signup-card></signup-card>');
    const formElement = card.shadowRoot!.querySelector('form')!;
    const element = formElement.querySelector('iamport-verify')!;
    await until(() => element.state === 'ready', element);
    expect(submit(formElement)).to.equal(undefined);
    const atDocument = nextEvent(document, 'iamport-verified');
    const token = await verify(element);
    expect((await atDocument).detail.token).to.equal(token);
    expect(submit(formElement)!.get('age_token')).to.equal(token);
  });
});
