import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { IamportVerifyElement } from '../../widget/iamport-verify.js';
import {
  ENDPOINT, FakeVerifier, button, cleanup, expectAccessible, fixture, installImp, nextEvent, removeImp, statusText, until,
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
    expect(verifier.issued('/v1/challenges')).to.deep.equal([{ path: '/v1/challenges', body: {} }]);
    expect(element.state).to.equal('ready');
    expect(states).to.deep.equal(['loading', 'ready']);
  });

  it('asks for the site\'s own merchant_uid when merchant-uid is set', async () => {
    await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678" merchant-uid="order_42"></iamport-verify>`);
    expect(verifier.issued('/v1/challenges')[0]!.body).to.deep.equal({ merchant_uid: 'order_42' });
  });

  it('defaults the endpoint to the origin the module was loaded from', async () => {
    const element = document.createElement('iamport-verify');
    expect(element.endpoint).to.equal(location.origin);
  });

  it('asks again when the challenge is about to expire before the click', async () => {
    let served = 0;
    verifier.challengeAnswer = (body) => ({
      status: 201,
      // The first one is already inside the safety margin: the click must not carry it.
      body: { merchant_uid: `iv_${++served}`, challenge: `c1.x.${served}`, expires_at: Math.floor(Date.now() / 1000) + (served === 1 ? 5 : 600) },
    });
    const calls = installImp(() => {});
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678"></iamport-verify>`);
    button(element).focus();
    await sendKeys({ press: 'Enter' });
    await until(() => calls.length === 1, element, 'IMP.certification');
    expect(calls[0]!.params.merchant_uid).to.equal('iv_2');
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
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678" sdk-src="/test/widget/fixtures/fake-imp.js?late"></iamport-verify>`);
    // Keyboard activation is a real user activation; the SDK is fetched only now.
    (element.shadowRoot!.querySelector('button') as HTMLButtonElement).focus();
    removeImp();
    const verified = nextEvent(element, 'iamport-verified');
    await sendKeys({ press: 'Enter' });
    await verified;
    expect((window as any).IMP.calls).to.equal(1);
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
      popup redirect-url="https://shop.example/back"></iamport-verify>`);
    element.start();
    expect(calls).to.have.length(1);
    expect(calls[0]!.impCode).to.equal('imp12345678');
    expect(calls[0]!.params).to.deep.equal({
      merchant_uid: 'iv_minted1', m_redirect_url: 'https://shop.example/back', channelKey: 'channel-key-1',
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

  it('refuse a missing imp-code and an unknown provider as invalid attributes', async () => {
    const noCode = await fixture(`<iamport-verify endpoint="${ENDPOINT}"></iamport-verify>`);
    expect(noCode.state).to.equal('error');
    const portone = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678" provider="paypal"></iamport-verify>`);
    expect(portone.state).to.equal('error');
  });
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

  it('passes axe while loading, ready, verifying, verified, in error and expired, light and dark', async () => {
    let releaseChallenge!: () => void;
    const held = new Promise<void>((resolve) => (releaseChallenge = resolve));
    const original = verifier.challengeAnswer;
    verifier.challengeAnswer = undefined;
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
    await check(); // error
    element.start();
    calls[1]!.callback({ success: true, imp_uid: 'imp_123456789012' });
    await until(() => element.state === 'verified', element);
    await check(); // verified
    await nextEvent(element, 'iamport-expired');
    await check(); // expired
    void held;
    releaseChallenge();
    verifier.challengeAnswer = original;
    const loading = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678"></iamport-verify>`, { waitFor: 'none' });
    await loading.updateComplete;
    seen.push(loading.state);
    await expectAccessible(loading);
    expect(seen).to.deep.equal(['ready', 'verifying', 'error', 'verified', 'expired', 'loading']);
  });
});
