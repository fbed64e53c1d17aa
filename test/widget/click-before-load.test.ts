// A click that comes before the provider's module has arrived (a slow network, a quick person).
// Its own file: the module must not have been loaded by an earlier test on this page.
import { expect } from '@esm-bundle/chai';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import { ENDPOINT, FakeVerifier, button, cleanup, fixture, installImp, removeImp, until } from './helpers.js';

const PROVIDER_MODULE = '/widget/providers/iamport.ts';

let verifier: FakeVerifier;
beforeEach(() => {
  verifier = new FakeVerifier().install();
});
afterEach(async () => {
  await executeServerCommand('release', PROVIDER_MODULE);
  verifier.uninstall();
  removeImp();
  cleanup();
});

describe('a click before the provider\'s module arrived', () => {
  it('waits for it, then opens the window inside the click\'s user activation: no popup blocker stops it', async () => {
    const opened: boolean[] = [];
    const calls = installImp(() => {
      // What the real SDK does inside certification(): open the PG's window.
      const popup = window.open('about:blank', '_blank', 'width=400,height=600');
      opened.push(popup !== null);
      popup?.close();
    });
    await executeServerCommand('hold', PROVIDER_MODULE);
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678" lang="en"></iamport-verify>`, { preload: false });
    button(element).focus(); // the first focus asks for the module, which the server holds back
    await sendKeys({ press: 'Enter' });
    expect(element.state).to.equal('loading');
    expect(calls).to.have.length(0);
    await executeServerCommand('release', PROVIDER_MODULE);
    await until(() => calls.length === 1, element, 'IMP.certification');
    expect(opened).to.deep.equal([true]);
    expect(element.state).to.equal('verifying');
  });
});
