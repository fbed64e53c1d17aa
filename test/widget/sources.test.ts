// Where the tag loads code from and sends people: a provider's SDK only from that provider's CDN,
// the verifier's origin or the page's own; the redirect flow only back to the page's origin.
// Whoever writes the markup (a CMS's content author) chooses neither.
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import type { IamportVerifyElement } from '../../widget/iamport-verify.js';
import { ENDPOINT, FakeVerifier, button, cleanup, fixture, installImp, nextEvent, removeImp, statusText, until } from './helpers.js';

let verifier: FakeVerifier;
/** Every script and link element added to the page, and every resource it fetched, since the test began. */
let added: string[];
let observer: MutationObserver;
const startedAt = { time: 0 };
beforeEach(() => {
  verifier = new FakeVerifier().install();
  added = [];
  observer = new MutationObserver((records) => {
    for (const node of records.flatMap((record) => [...record.addedNodes])) {
      if (node instanceof HTMLScriptElement) added.push(node.src);
      if (node instanceof HTMLLinkElement) added.push(node.href);
    }
  });
  observer.observe(document, { childList: true, subtree: true });
  startedAt.time = performance.now();
});
afterEach(() => {
  observer.disconnect();
  verifier.uninstall();
  removeImp();
  cleanup();
});

/** What the page asked for from `host` since the test began: elements added, or resources fetched. */
function fetchedFrom(host: string): string[] {
  const resources = performance.getEntriesByType('resource')
    .filter((entry) => entry.startTime >= startedAt.time).map((entry) => entry.name);
  return [...added, ...resources].filter((url) => url.includes(host));
}

const tag = (attributes: string, provider = 'imp-code="imp12345678"') =>
  `<iamport-verify endpoint="${ENDPOINT}" ${provider} lang="en" ${attributes}></iamport-verify>`;

const FOREIGN_SDK = 'https://attacker.example/evil.js';

describe('an sdk-src on another origin', () => {
  const moves: [string, (element: IamportVerifyElement) => void | Promise<void>][] = [
    ['a pointer passing over it', (element) => void element.dispatchEvent(new PointerEvent('pointerenter'))],
    ['the focus', (element) => button(element).focus()],
    ['a click', async (element) => {
      button(element).focus();
      await sendKeys({ press: 'Enter' });
    }],
  ];
  for (const [move, act] of moves) {
    it(`fetches nothing on ${move}, and shows invalid_attribute`, async () => {
      const element = await fixture(tag(`sdk-src="${FOREIGN_SDK}"`));
      expect(element.state).to.equal('ready');
      const error = nextEvent(element, 'iamport-error');
      await act(element);
      const { detail } = await error;
      expect(detail.code).to.equal('invalid_attribute');
      expect(detail.detail).to.contain('sdk-src');
      expect(element.state).to.equal('error');
      expect(statusText(element)).to.equal('This verification is set up incorrectly.');
      expect(fetchedFrom('attacker.example')).to.deep.equal([]);
      expect(document.querySelector('script[src*="attacker.example"], link[href*="attacker.example"]')).to.equal(null);
    });
  }

  it('is refused even when the provider\'s SDK is already on the page, and no window opens', async () => {
    const calls = installImp();
    const element = await fixture(tag(`sdk-src="${FOREIGN_SDK}"`));
    const error = nextEvent(element, 'iamport-error');
    element.start();
    expect((await error).detail.code).to.equal('invalid_attribute');
    expect(calls).to.have.length(0);
    expect(fetchedFrom('attacker.example')).to.deep.equal([]);
  });

  for (const [what, src, provider] of [
    ['the other provider\'s CDN', 'https://cdn.portone.io/v2/browser-sdk.js', 'imp-code="imp12345678"'],
    ['a host that merely starts like the CDN', 'https://cdn.iamport.kr.attacker.example/v1/iamport.js', 'imp-code="imp12345678"'],
    ['the CDN over plain http', 'http://cdn.iamport.kr/v1/iamport.js', 'imp-code="imp12345678"'],
    ['a data: URL', 'data:text/javascript,window.IMP={}', 'imp-code="imp12345678"'],
    ['a V1 CDN for V2', 'https://cdn.iamport.kr/v1/iamport.js', 'provider="portone" store-id="store-1" channel-key="channel-key-1"'],
  ]) {
    it(`counts ${what} as another origin`, async () => {
      const element = await fixture(tag(`sdk-src="${src}"`, provider));
      const error = nextEvent(element, 'iamport-error');
      element.dispatchEvent(new PointerEvent('pointerenter'));
      expect((await error).detail.code).to.equal('invalid_attribute');
      expect(added).to.deep.equal([]);
    });
  }
});

describe('an sdk-src the tag loads', () => {
  it('on the page\'s own origin (a site that hosts the SDK itself)', async () => {
    const src = '/test/widget/fixtures/fake-imp.js?self-hosted';
    const element = await fixture(tag(`sdk-src="${src}"`));
    element.dispatchEvent(new PointerEvent('pointerenter'));
    await until(() => !!(window as any).IMP, element, 'the SDK');
    expect(added).to.deep.equal([new URL(src, location.href).href]);
    expect(element.state).to.equal('ready');
  });

  it('on the verifier\'s origin (where the sandbox serves its stand-in)', async () => {
    const src = `${ENDPOINT}/sandbox/iamport.js`;
    const element = await fixture(tag(`sdk-src="${src}"`));
    const error = nextEvent(element, 'iamport-error');
    element.start();
    // No such host in the tests: asked for, and then not found.
    expect((await error).detail.code).to.equal('sdk_load_failed');
    expect(added).to.deep.equal([src]);
  });
});

describe('a redirect-url', () => {
  it('on another origin is invalid_attribute, and no window opens', async () => {
    const calls = installImp(() => {});
    const element = await fixture(tag('redirect-url="https://attacker.example/welcome"'));
    const error = nextEvent(element, 'iamport-error');
    element.start();
    const { detail } = await error;
    expect(detail.code).to.equal('invalid_attribute');
    expect(detail.detail).to.contain('redirect-url');
    expect(calls).to.have.length(0);
    expect(element.state).to.equal('error');
  });

  it('on the page\'s origin is where the redirect flow comes back to, written relative or whole', async () => {
    for (const redirect of ['/signup/back', `${location.origin}/signup/back`]) {
      const calls = installImp(() => {});
      const element = await fixture(tag(`redirect-url="${redirect}"`));
      element.start();
      expect(calls[0]!.params.m_redirect_url, redirect).to.equal(`${location.origin}/signup/back`);
      cleanup();
    }
  });
});
