// The stand-in IMP SDK (worker/sandbox/sdk/iamport.js), as a page sees it: its dialog, its
// callback, and the tag driving it. The sandbox's two endpoints are answered here.
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { ENDPOINT, FakeVerifier, button, cleanup, expectAccessible, fixture, nextEvent, removeImp, until } from './helpers.js';

const SDK_DIR = '/worker/sandbox/sdk/';
const PERSONS = [
  { id: 'adult', label: { ko: '성인 (34세)', en: 'Adult (34)' }, outcome: 'certified' },
  { id: 'pg_error', label: { ko: 'PG 오류', en: 'PG error' }, outcome: 'pg_error' },
];

let posted: Record<string, unknown>[];
let verifier: FakeVerifier;
const realFetch = window.fetch;

beforeEach(async () => {
  posted = [];
  verifier = new FakeVerifier().install();
  const verifierFetch = window.fetch;
  window.fetch = async (input, init) => {
    const url = String(input);
    if (url.endsWith(`${SDK_DIR}persons`)) return Response.json(PERSONS);
    if (url.endsWith(`${SDK_DIR}certifications`)) {
      const body = JSON.parse(String(init!.body));
      posted.push(body);
      return Response.json({ success: true, imp_uid: 'imp_100000000001', merchant_uid: body.merchant_uid, pg_provider: 'danal', pg_type: 'certification', error_code: null, error_msg: null }, { status: 201 });
    }
    return verifierFetch(input, init);
  };
  removeImp();
});

afterEach(() => {
  window.fetch = realFetch;
  removeImp();
  cleanup();
  document.querySelectorAll('.imp-dialog').forEach((node) => node.remove());
  document.documentElement.lang = 'en';
});

function loadSdk(): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = `${SDK_DIR}iamport.js?${Math.random()}`;
    script.onload = () => resolve();
    script.onerror = reject;
    document.head.append(script);
  });
}

const IMP = () => (window as any).IMP;
const dialog = () => document.querySelector<HTMLElement>('.imp-dialog [role=dialog]');
const personButton = (id: string) => document.querySelector<HTMLButtonElement>(`.imp-dialog [data-person="${id}"]`);

describe('the stand-in IMP SDK', () => {
  it('shows an accessible dialog listing the test persons, with focus inside it', async () => {
    document.documentElement.lang = 'en';
    await loadSdk();
    IMP().init('imp00000000');
    IMP().certification({ merchant_uid: 'order_1' }, () => {});
    await until(() => !!personButton('adult'), undefined, 'the persons');
    expect(dialog()!.getAttribute('aria-modal')).to.equal('true');
    expect(personButton('adult')!.textContent).to.equal('Adult (34)');
    expect(dialog()!.contains(document.activeElement)).to.equal(true);
    await expectAccessible(document.querySelector('.imp-dialog') as HTMLElement);
  });

  it('labels the persons in Korean on a Korean page', async () => {
    document.documentElement.lang = 'ko';
    await loadSdk();
    IMP().init('imp00000000');
    IMP().certification({ merchant_uid: 'order_1' }, () => {});
    await until(() => !!personButton('adult'), undefined, 'the persons');
    expect(personButton('adult')!.textContent).to.equal('성인 (34세)');
  });

  it('creates the chosen person\'s certification, with the page\'s URL as its origin, and calls back with the real callback\'s fields', async () => {
    await loadSdk();
    IMP().init('imp00000000');
    const answer = new Promise<Record<string, unknown>>((resolve) => IMP().certification({ merchant_uid: 'order_2' }, resolve));
    await until(() => !!personButton('adult'), undefined, 'the persons');
    personButton('adult')!.click();
    const response = await answer;
    // As the real SDK, it reports the whole page URL, which the verifier compares with the token's audience.
    expect(posted).to.deep.equal([{ person: 'adult', merchant_uid: 'order_2', origin: location.href }]);
    expect(Object.keys(response).sort()).to.deep.equal(['error_code', 'error_msg', 'imp_uid', 'merchant_uid', 'pg_provider', 'pg_type', 'success']);
    expect(response).to.include({ success: true, imp_uid: 'imp_100000000001', merchant_uid: 'order_2' });
    expect(document.querySelector('.imp-dialog')).to.equal(null);
  });

  for (const how of ['the Cancel button', 'the Escape key']) {
    it(`cancels with ${how} as the real one does: success false and a 취소 message`, async () => {
      await loadSdk();
      IMP().init('imp00000000');
      const answer = new Promise<Record<string, any>>((resolve) => IMP().certification({ merchant_uid: 'order_3' }, resolve));
      if (how === 'the Escape key') await sendKeys({ press: 'Escape' });
      else document.querySelector<HTMLButtonElement>('.imp-dialog .imp-cancel')!.click();
      const response = await answer;
      expect(response).to.include({ success: false, merchant_uid: 'order_3' });
      expect(response.error_msg).to.contain('취소');
      expect(posted).to.have.length(0);
    });
  }

  it('refuses certification() before init(), like the real one', async () => {
    await loadSdk();
    expect(() => IMP().certification({}, () => {})).to.throw();
  });

  it('lets the tag verify a sandbox person end to end', async () => {
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp00000000" lang="en" min-age="19"
      sdk-src="${SDK_DIR}iamport.js"></iamport-verify>`);
    button(element).focus(); // preloads the SDK
    await until(() => !!IMP(), element, 'the SDK');
    const verified = nextEvent(element, 'iamport-verified');
    await sendKeys({ press: 'Enter' });
    await until(() => !!personButton('adult'), element, 'the persons');
    personButton('adult')!.click();
    const { detail } = await verified;
    expect(detail.claims).to.include({ imp_uid: 'imp_100000000001', age_over: 19 });
    expect(posted[0]).to.include({ person: 'adult', merchant_uid: 'iv_minted1' });
    expect(document.querySelector('.imp-dialog')).to.equal(null);
  });
});
