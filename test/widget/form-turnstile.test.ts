// The form mode's optional Turnstile check in Chromium: Turnstile's script is fetched only by a
// form-mode tag with `turnstile-sitekey`, when its form shows, only from Cloudflare's origin or the
// verifier's (here the sandbox's stand-in script, served from the verifier's origin: this page's);
// its token goes with the send, and each send asks for a new one. The verifier is a fake (fetch).
import { expect } from '@esm-bundle/chai';
import type { IamportVerifyElement } from '../../widget/iamport-verify.js';
import { cleanup, FakeVerifier, fixture, problem, until } from './helpers.js';

/** The verifier is this page's origin, so that the sandbox's stand-in script is on the verifier's origin. */
const VERIFIER = location.origin;
const STAND_IN = `${VERIFIER}/worker/sandbox/sdk/turnstile.js`;
const PASSING_SITEKEY = '1x00000000000000000000AA';
const DUMMY_TOKEN = 'XXXX.DUMMY.TOKEN.XXXX';

let verifier: FakeVerifier;
let sends: Record<string, any>[];
let nextSend: (() => ReturnType<typeof problem>) | undefined;
beforeEach(() => {
  verifier = new FakeVerifier(VERIFIER).install();
  sends = [];
  nextSend = undefined;
  verifier.routes['/v1/otp/send'] = (body) => {
    sends.push(body);
    const refusal = nextSend?.();
    nextSend = undefined;
    const now = Math.floor(Date.now() / 1000);
    return refusal ?? { status: 200, body: { identity_verification_id: body.identity_verification_id, method: 'SMS', sent_at: now, resend_available_at: now + 30, code_expires_at: now + 180 } };
  };
});
afterEach(() => {
  verifier.uninstall();
  cleanup();
});

const turnstileScripts = () => [...document.querySelectorAll<HTMLScriptElement>('script[src]')].filter((script) => script.src.includes('turnstile'));

async function formTag(extra: string, mode = 'form'): Promise<IamportVerifyElement> {
  const page = await fixture<HTMLFormElement>(`<form><iamport-verify name="age_token" endpoint="${VERIFIER}" provider="portone" mode="${mode}" store-id="store-1" channel-key="channel-key-1" lang="en" ${extra}></iamport-verify></form>`, { preload: false });
  const element = page.querySelector('iamport-verify')!;
  if (mode === 'form') await until(() => element.state === 'form' || element.state === 'error', element, 'the form');
  await element.updateComplete;
  return element;
}

function fillDetails(element: IamportVerifyElement) {
  const root = element.shadowRoot!;
  const set = (name: string, value: string) => { root.querySelector<HTMLInputElement>(`[name=${name}]`)!.value = value; };
  set('name', '홍길동');
  set('phone', '01012345678');
  set('operator', 'KT');
  set('birth', '900101');
  set('gender', '1');
  root.querySelector<HTMLInputElement>('[name=agree]')!.checked = true;
}

const submit = (element: IamportVerifyElement) => element.shadowRoot!.querySelector<HTMLButtonElement>('[part~=form] [part~=submit]')!.click();

describe('the form mode with Turnstile', () => {
  // First in this file: nothing has loaded Turnstile on this page yet.
  it('fetches no Turnstile script for a form-mode tag without turnstile-sitekey, nor for a popup-mode tag with it', async () => {
    const plain = await formTag('');
    fillDetails(plain);
    submit(plain);
    await until(() => sends.length === 1, plain, 'the send');
    expect(sends[0]).not.to.have.property('turnstile_token');
    await formTag(`turnstile-sitekey="${PASSING_SITEKEY}" turnstile-src="${STAND_IN}"`, 'popup');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(turnstileScripts()).to.deep.equal([]);
    expect((window as any).turnstile).to.equal(undefined);
  });

  it('refuses a turnstile-src on another origin with invalid_attribute, and fetches nothing', async () => {
    const element = await formTag(`turnstile-sitekey="${PASSING_SITEKEY}" turnstile-src="https://cdn.example/turnstile.js"`);
    expect(element.state).to.equal('error');
    expect(turnstileScripts()).to.deep.equal([]);
  });

  it('loads Turnstile when its form shows, sends the token with the code\'s request, and asks for a new token after each send', async () => {
    const element = await formTag(`turnstile-sitekey="${PASSING_SITEKEY}" turnstile-src="${STAND_IN}"`);
    await until(() => turnstileScripts().length === 1, element, 'the Turnstile script');
    expect(turnstileScripts().map((script) => script.src)).to.deep.equal([STAND_IN]);
    // Rendered into the tag's own light-DOM child, which its form slots in.
    await until(() => !!element.querySelector(':scope > [slot=turnstile] [data-sandbox-turnstile]'), element, 'the widget');
    const turnstile = (window as any).turnstile;
    const resets: string[] = [];
    const realReset = turnstile.reset;
    turnstile.reset = (id: string) => { resets.push(id); realReset(id); };
    try {
      fillDetails(element);
      nextSend = () => problem('turnstile_failed', 403);
      submit(element);
      await until(() => sends.length === 1 && element.state === 'form' && element.shadowRoot!.querySelector('[part~=status]')!.textContent!.includes('security check'), element, 'the refusal');
      expect(sends[0]!.turnstile_token).to.equal(DUMMY_TOKEN);
      expect(resets.length).to.equal(1);
      fillDetails(element);
      submit(element);
      await until(() => element.state === 'code', element, 'the code step');
      expect(sends[1]!.turnstile_token).to.equal(DUMMY_TOKEN);
      expect(resets.length).to.equal(2);
    } finally {
      turnstile.reset = realReset;
    }
  });

  it('does not send while Turnstile has not given a token, and says why', async () => {
    // The "forces an interactive challenge" test sitekey: no token until the person ticks the box.
    const element = await formTag(`turnstile-sitekey="3x00000000000000000000FF" turnstile-src="${STAND_IN}"`);
    await until(() => !!element.querySelector('[slot=turnstile] input[type=checkbox]'), element, 'the interactive check');
    fillDetails(element);
    submit(element);
    await element.updateComplete;
    expect(sends).to.deep.equal([]);
    expect(element.shadowRoot!.querySelector('[part~=status]')!.textContent).to.contain('security check is not finished');
    element.querySelector<HTMLInputElement>('[slot=turnstile] input[type=checkbox]')!.click();
    submit(element);
    await until(() => sends.length === 1, element, 'the send');
    expect(sends[0]!.turnstile_token).to.equal(DUMMY_TOKEN);
  });

  it('keeps Turnstile out of the tag\'s main module (the form\'s chunk brings it)', async () => {
    const main = await (await fetch('/dist/site/iamport-verify.js')).text();
    expect(main).not.to.contain('turnstile');
  });
});
