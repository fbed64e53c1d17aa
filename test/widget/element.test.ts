import { expect } from '@esm-bundle/chai';
import { emulateMedia, executeServerCommand, sendKeys } from '@web/test-runner-commands';
import { IamportVerifyElement } from '../../widget/iamport-verify.js';
import { TYPICAL_VERIFICATION_MS } from '../../widget/challenge.js';
import {
  ENDPOINT, FakeVerifier, button, cleanup, deviceClock, expectAccessible, fixture, installImp, nextEvent, preloaded, removeImp,
  statusText, until,
} from './helpers.js';

let verifier: FakeVerifier;
beforeEach(() => {
  verifier = new FakeVerifier().install();
});
afterEach(() => {
  verifier.uninstall();
  removeImp();
  cleanup();
});

describe('registration', () => {
  it('registers <iamport-verify> and types it in HTMLElementTagNameMap', () => {
    const element: IamportVerifyElement = document.createElement('iamport-verify');
    expect(element).to.be.instanceOf(IamportVerifyElement);
  });

  it('defining the tag again, or under another name with a subclass, throws nothing', () => {
    expect(() => IamportVerifyElement.define()).not.to.throw();
    class ShopVerify extends IamportVerifyElement {}
    ShopVerify.define('shop-verify');
    expect(customElements.get('shop-verify')).to.equal(ShopVerify);
    expect(() => ShopVerify.define('shop-verify')).not.to.throw();
  });

  it('loading the built script twice keeps the first definition and raises no error', async () => {
    const errors: string[] = [];
    const onError = (event: ErrorEvent) => errors.push(event.message);
    window.addEventListener('error', onError);
    const first = customElements.get('iamport-verify');
    for (const copy of ['a', 'b']) {
      await new Promise<void>((resolve, reject) => {
        const script = document.createElement('script');
        script.type = 'module';
        script.src = `/dist/site/iamport-verify.js?copy=${copy}`;
        script.onload = () => resolve();
        script.onerror = () => reject(new Error('bundle did not load'));
        document.head.append(script);
      });
    }
    window.removeEventListener('error', onError);
    expect(errors).to.deep.equal([]);
    expect(customElements.get('iamport-verify')).to.equal(first);
  });
});

describe('the challenge', () => {
  it('asks the verifier for a challenge on connect, then is ready', async () => {
    const states: string[] = [];
    document.addEventListener('iamport-state', (event) => states.push((event as CustomEvent).detail.state));
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678"></iamport-verify>`);
    expect(verifier.issued('/v1/challenges')).to.deep.equal([{ path: '/v1/challenges', body: { provider: 'iamport' } }]);
    expect(element.state).to.equal('ready');
    expect(states).to.deep.equal(['loading', 'ready']);
  });

  it('asks for the site\'s own merchant_uid when merchant-uid is set', async () => {
    await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678" merchant-uid="order_42"></iamport-verify>`);
    expect(verifier.issued('/v1/challenges')[0]!.body).to.deep.equal({ merchant_uid: 'order_42', provider: 'iamport' });
  });

  it('asks with the provider, which the challenge binds', async () => {
    await fixture(`<iamport-verify endpoint="${ENDPOINT}" provider="portone" store-id="store-1" channel-key="key-1"></iamport-verify>`);
    expect(verifier.issued('/v1/challenges')[0]!.body).to.deep.equal({ provider: 'portone' });
  });

  it('asks again when the provider changes: a challenge serves only the provider it was issued for', async () => {
    const calls = installImp(() => {});
    (window as any).PortOne = { requestIdentityVerification: () => new Promise(() => {}) };
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678" store-id="store-1" channel-key="key-1"></iamport-verify>`);
    element.provider = 'portone';
    await preloaded(element);
    button(element).focus();
    await sendKeys({ press: 'Enter' });
    await until(() => element.state === 'verifying', element, 'the V2 window');
    expect(verifier.issued('/v1/challenges').map((request) => request.body)).to.deep.equal([{ provider: 'iamport' }, { provider: 'portone' }]);
    expect(calls).to.have.length(0);
    delete (window as any).PortOne;
  });
});

describe('the challenge\'s lifetime, on the verifier\'s clock', () => {
  let clock: ReturnType<typeof deviceClock> | undefined;
  afterEach(() => clock?.restore());

  it(`asks for a fresh challenge at the click when the page was left open so long that the one held could run out during a verification (${TYPICAL_VERIFICATION_MS / 60_000} minutes)`, async () => {
    clock = deviceClock();
    const calls = installImp(() => {});
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678"></iamport-verify>`);
    clock.advance(6 * 60_000);
    button(element).focus();
    await sendKeys({ press: 'Enter' });
    await until(() => calls.length === 1, element, 'IMP.certification');
    expect(calls[0]!.params.merchant_uid).to.equal('iv_minted2');
  });

  it('opens at once with the challenge held, on a device whose clock is an hour fast', async () => {
    clock = deviceClock({ skewMs: 3600_000 });
    const calls = installImp(() => {});
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678"></iamport-verify>`);
    element.start();
    expect(calls).to.have.length(1);
    expect(calls[0]!.params.merchant_uid).to.equal('iv_minted1');
    expect(verifier.issued('/v1/challenges')).to.have.length(1);
  });

  it('still asks for a fresh one after six minutes on a device whose clock is an hour slow', async () => {
    clock = deviceClock({ skewMs: -3600_000 });
    const calls = installImp(() => {});
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678"></iamport-verify>`);
    clock.advance(6 * 60_000);
    button(element).focus();
    await sendKeys({ press: 'Enter' });
    await until(() => calls.length === 1, element, 'IMP.certification');
    expect(calls[0]!.params.merchant_uid).to.equal('iv_minted2');
  });

  it('with a verifier that does not say when it issued the challenge, times it on this device\'s clock from its expiry', async () => {
    clock = deviceClock();
    verifier.challengeAnswer = (body) => ({
      status: 201,
      body: { merchant_uid: body.merchant_uid ?? `iv_${verifier.issued('/v1/challenges').length}`, challenge: 'c1.older', expires_at: Math.floor(Date.now() / 1000) + 600 },
    });
    const calls = installImp(() => {});
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678"></iamport-verify>`);
    element.start();
    expect(calls.map((call) => call.params.merchant_uid)).to.deep.equal(['iv_1']);
    clock.advance(6 * 60_000);
    button(element).focus();
    calls[0]!.callback({ success: false, error_msg: '사용자가 본인인증을 취소하셨습니다.' });
    await until(() => element.state === 'error', element);
    await sendKeys({ press: 'Enter' });
    await until(() => calls.length === 2, element, 'IMP.certification');
    expect(calls[1]!.params.merchant_uid).to.equal('iv_2');
  });

  it('gives a deployment with short-lived challenges half of each one\'s life', async () => {
    clock = deviceClock();
    verifier.challengeTtl = 120;
    const calls = installImp(() => {});
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678"></iamport-verify>`);
    clock.advance(50_000);
    element.start();
    expect(calls.map((call) => call.params.merchant_uid)).to.deep.equal(['iv_minted1']);
    clock.advance(20_000);
    button(element).focus();
    calls[0]!.callback({ success: false, error_msg: '사용자가 본인인증을 취소하셨습니다.' });
    await until(() => element.state === 'error', element);
    await sendKeys({ press: 'Enter' });
    await until(() => calls.length === 2, element, 'IMP.certification');
    expect(calls[1]!.params.merchant_uid).to.equal('iv_minted2');
  });
});

describe('the provider SDK', () => {
  it('is not fetched before the person shows intent, then preloaded on the first focus', async () => {
    const src = '/test/widget/fixtures/fake-imp.js?preload';
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678" sdk-src="${src}"></iamport-verify>`);
    expect(document.querySelector(`script[src="${src}"]`)).to.equal(null);
    button(element).focus();
    await until(() => !!(window as any).IMP, element, 'the SDK');
    expect(document.querySelector(`script[src="${src}"]`)).not.to.equal(null);
  });

  it('opens the window inside the click once the SDK arrives, when the click came before it', async () => {
    const sdk = '/test/widget/fixtures/fake-imp.js';
    await executeServerCommand('hold', sdk);
    try {
      const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678" sdk-src="${sdk}?late"></iamport-verify>`);
      // Keyboard activation is a real user activation; the SDK is asked for only now, and held back.
      button(element).focus();
      const verified = nextEvent(element, 'iamport-verified');
      await sendKeys({ press: 'Enter' });
      expect(element.state).to.equal('loading');
      expect((window as any).IMP).to.equal(undefined);
      await executeServerCommand('release', sdk);
      await verified;
      expect((window as any).IMP.calls).to.equal(1);
    } finally {
      await executeServerCommand('release', sdk);
    }
  });

  it('asks for a second press when the SDK arrives after the click\'s activation is gone', async () => {
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678" sdk-src="/test/widget/fixtures/fake-imp.js?programmatic" lang="en"></iamport-verify>`);
    // An earlier test's key press may still count as a recent activation: opening a window consumes it.
    window.open('about:blank')?.close();
    expect(navigator.userActivation.isActive).to.equal(false);
    element.start();
    await until(() => element.state === 'ready' && statusText(element) !== '', element, 'the second-press message');
    expect(statusText(element)).to.equal('Ready. Please press the button again.');
    expect((window as any).IMP.calls).to.equal(0);
  });
});

describe('attributes', () => {
  it('pass exactly the set parameters on to IMP.init and IMP.certification', async () => {
    const calls = installImp(() => {});
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678" channel-key="channel-key-1"
      pg="danal.A010002002" min-age="19" carrier="KTF" customer-name="홍길동" phone="01012345678" company="shop.example"
      popup redirect-url="/signup/back"></iamport-verify>`);
    element.start();
    expect(calls).to.have.length(1);
    expect(calls[0]!.impCode).to.equal('imp12345678');
    expect(calls[0]!.params).to.deep.equal({
      merchant_uid: 'iv_minted1', m_redirect_url: `${location.origin}/signup/back`, channelKey: 'channel-key-1',
      pg: 'danal.A010002002', min_age: 19, carrier: 'KTF', name: '홍길동', phone: '01012345678',
      company: 'shop.example', popup: true,
    });
  });

  it('leave out what is not set, and return to the current page by default', async () => {
    const calls = installImp(() => {});
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678"></iamport-verify>`);
    element.start();
    expect(calls[0]!.params).to.deep.equal({ merchant_uid: 'iv_minted1', m_redirect_url: location.href });
  });

  it('show a carrier the SDK does not take as an error at once, before any window opens', async () => {
    const calls = installImp();
    const errorEvent = nextEvent(document, 'iamport-error');
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678" carrier="KT" lang="en"></iamport-verify>`);
    const { detail } = await errorEvent;
    expect(detail.code).to.equal('invalid_attribute');
    expect(detail.detail).to.contain('SKT, KTF, LGT, MVNO');
    expect(element.state).to.equal('error');
    expect(statusText(element)).to.equal('This verification is set up incorrectly.');
    element.start();
    expect(calls).to.have.length(0);
    expect(verifier.issued('/v1/challenges')).to.have.length(0);
  });

  for (const [attributes, problem] of [
    ['', 'imp-code is required'],
    ['imp-code="imp12345678" provider="paypal"', 'provider must be one of iamport, portone'],
    ['imp-code="imp12345678" provider="constructor"', 'provider must be one of iamport, portone'],
  ]) {
    it(`refuse ${attributes || 'no attributes'} as invalid: ${problem}`, async () => {
      const error = nextEvent(document, 'iamport-error');
      const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" ${attributes}></iamport-verify>`);
      expect((await error).detail).to.include({ code: 'invalid_attribute', detail: problem });
      expect(element.state).to.equal('error');
      expect(verifier.issued('/v1/challenges')).to.have.length(0);
    });
  }
});

describe('language', () => {
  it('speaks Korean on a Korean page', async () => {
    document.documentElement.lang = 'ko';
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678"></iamport-verify>`);
    expect(button(element).textContent).to.equal('휴대폰 본인인증');
  });

  it('speaks English when its lang (or an ancestor\'s) says so', async () => {
    document.documentElement.lang = 'ko';
    const own = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678" lang="en"></iamport-verify>`);
    expect(button(own).textContent).to.equal('Verify with your phone');
    const section = await fixture(`<section lang="en-GB"><iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678"></iamport-verify></section>`);
    const inherited = section.querySelector('iamport-verify')!;
    await inherited.updateComplete;
    expect(button(inherited).textContent).to.equal('Verify with your phone');
  });

  it('switches language when lang changes', async () => {
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678" lang="ko"></iamport-verify>`);
    element.setAttribute('lang', 'en');
    await element.updateComplete;
    expect(button(element).textContent).to.equal('Verify with your phone');
  });
});

describe('accessibility', () => {
  it('is a real, focusable button with a live status region, in Korean and English', async () => {
    for (const lang of ['ko', 'en']) {
      const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678" lang="${lang}"></iamport-verify>`);
      const control = button(element);
      expect(control.type).to.equal('button');
      element.focus();
      expect(element.shadowRoot!.activeElement).to.equal(control);
      expect(element.shadowRoot!.querySelector('[role=status]')).not.to.equal(null);
      await expectAccessible(element);
    }
  });

  it('passes axe in the dark scheme, ready and in error', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    try {
      const calls = installImp(() => {});
      const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678" lang="en"></iamport-verify>`);
      expect(getComputedStyle(element.shadowRoot!.querySelector('[part=base]')!).backgroundColor).to.equal('rgb(28, 31, 38)');
      await expectAccessible(element);
      element.start();
      calls[0]!.callback({ success: false, error_msg: '사용자가 본인인증을 취소하셨습니다.' });
      await until(() => element.state === 'error', element);
      await element.updateComplete;
      await expectAccessible(element);
    } finally {
      await emulateMedia({ colorScheme: 'light' });
    }
  });

  it('passes axe while loading, ready, verifying, verified, in error and expired', async () => {
    const calls = installImp(() => {});
    verifier.tokenTtl = 1;
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678" min-age="19"></iamport-verify>`);
    const seen: string[] = [];
    const check = async () => {
      await element.updateComplete;
      seen.push(element.state);
      await expectAccessible(element);
    };
    await check(); // ready
    element.start();
    await check(); // verifying
    calls[0]!.callback({ success: false, error_msg: '사용자가 본인인증을 취소하셨습니다.' });
    await until(() => element.state === 'error', element);
    await check(); // error
    element.start();
    calls[1]!.callback({ success: true, imp_uid: 'imp_123456789012' });
    await until(() => element.state === 'verified', element);
    await check(); // verified
    await nextEvent(element, 'iamport-expired');
    await check(); // expired
    const loading = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678"></iamport-verify>`, { waitFor: 'none' });
    await loading.updateComplete;
    seen.push(loading.state);
    await expectAccessible(loading);
    expect(seen).to.deep.equal(['ready', 'verifying', 'error', 'verified', 'expired', 'loading']);
  });
});
