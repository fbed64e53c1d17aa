// A page that uses the popup flow pays nothing for the form mode: its module is never fetched,
// not on load, not on the first pointer or focus, not through a whole verification.
import { expect } from '@esm-bundle/chai';
import { form } from '../../widget/on-demand.js';
import { ENDPOINT, FakeVerifier, cleanup, fixture, installImp, removeImp, until } from './helpers.js';

let verifier: FakeVerifier;
beforeEach(() => {
  verifier = new FakeVerifier().install();
});
afterEach(() => {
  verifier.uninstall();
  removeImp();
  cleanup();
});

describe('a popup-flow page and the form mode', () => {
  it('never fetches the form mode\'s module, through a whole verification (V1 and V2)', async () => {
    installImp();
    for (const attributes of ['imp-code="imp12345678"', 'provider="portone" store-id="store-1" channel-key="channel-key-1"']) {
      const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" ${attributes} lang="en"></iamport-verify>`);
      (window as any).PortOne = {
        requestIdentityVerification: async (request: Record<string, string>) => ({ identityVerificationId: request.identityVerificationId }),
      };
      element.dispatchEvent(new PointerEvent('pointerenter'));
      element.focus();
      element.start();
      await until(() => element.state === 'verified', element, 'the attestation');
    }
    delete (window as any).PortOne;
    const fetched = performance.getEntriesByType('resource').map((entry) => entry.name);
    expect(fetched.filter((url) => url.includes('/widget/form/'))).to.deep.equal([]);
    expect(form.loaded()).to.equal(undefined);
  });
});
