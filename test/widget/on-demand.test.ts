// What the tag loads before anyone interacts, and what it loads on demand. Its own file: the
// page must not have loaded the tag's on-demand modules before these tests.
import { expect } from '@esm-bundle/chai';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import type { IamportVerifyElement } from '../../widget/iamport-verify.js';
import { ENDPOINT, FakeVerifier, button, cleanup, fixture, installImp, nextEvent, removeImp, until } from './helpers.js';

let verifier: FakeVerifier;
beforeEach(() => {
  verifier = new FakeVerifier().install();
});
afterEach(() => {
  verifier.uninstall();
  removeImp();
  cleanup();
});

const fetched = (pattern: RegExp) => performance.getEntriesByType('resource').map((entry) => entry.name).filter((name) => pattern.test(name));

describe('before the first interaction', () => {
  it('the page fetches neither a provider\'s module nor the verification\'s; the first pointer fetches both', async () => {
    installImp();
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678"></iamport-verify>`, { preload: false });
    expect(element.state).to.equal('ready');
    expect(fetched(/\/widget\/(providers\/(iamport|portone)|verification)\./)).to.deep.equal([]);
    element.dispatchEvent(new PointerEvent('pointerenter'));
    await until(() => fetched(/\/widget\/providers\/iamport\./).length === 1 && fetched(/\/widget\/verification\./).length === 1, element, 'the modules');
    expect(fetched(/\/widget\/providers\/portone\./)).to.deep.equal([]);
  });
});

describe('the bundle loaded from another origin (the verifier\'s), as a site\'s page loads it', () => {
  let origin: string;
  let Bundled: typeof IamportVerifyElement;
  before(async () => {
    origin = (await executeServerCommand<string, undefined>('other-origin'))!;
    ({ IamportVerifyElement: Bundled } = await import(/* @vite-ignore */ `${origin}/iamport-verify.js`));
    // Its own name: the tests' source build already holds <iamport-verify>.
    Bundled.define('far-verify');
  });

  it('defaults the endpoint to the origin the module came from, not the page\'s', () => {
    expect(origin).not.to.equal(location.origin);
    const element = document.createElement('far-verify') as IamportVerifyElement;
    expect(element.endpoint).to.equal(origin);
  });

  it('fetches its on-demand parts from beside itself, and verifies with them', async () => {
    installImp();
    const element = await fixture(`<far-verify endpoint="${ENDPOINT}" imp-code="imp12345678" lang="en"></far-verify>`, { preload: false });
    await until(() => element.state === 'ready', element);
    const verified = nextEvent(element, 'iamport-verified');
    button(element).focus();
    await sendKeys({ press: 'Enter' });
    await verified;
    const parts = fetched(/\/iamport-verify\/[^/]+\.js$/);
    expect(parts.length).to.be.greaterThan(0);
    for (const part of parts) expect(part.startsWith(`${origin}/iamport-verify/`), part).to.equal(true);
    expect(parts.some((part) => /\/iamport-[\w-]+\.js$/.test(part))).to.equal(true);
  });
});
