// The tag with provider="portone" (PortOne V2), against a stubbed `PortOne` global and the
// stand-in verifier; then the sandbox's stand-in PortOne SDK as a page sees it.
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import type { IamportVerifyElement } from '../../widget/iamport-verify.js';
import { ENDPOINT, FakeVerifier, button, cleanup, expectAccessible, fixture, nextEvent, statusText, until } from './helpers.js';

type Response = Record<string, unknown> | undefined;
interface RequestCall {
  request: Record<string, any>;
  answer: (response: Response) => void;
  refuse: (error: unknown) => void;
}

/** A stand-in `PortOne` global; `behaviour` decides the answer (default: verified at once). */
function installPortOne(behaviour: (call: RequestCall) => void = verified): RequestCall[] {
  const calls: RequestCall[] = [];
  (window as any).PortOne = {
    requestIdentityVerification: (request: Record<string, any>) => new Promise<Response>((answer, refuse) => {
      const call = { request, answer, refuse };
      calls.push(call);
      behaviour(call);
    }),
  };
  return calls;
}

const verified = (call: RequestCall) => call.answer({
  transactionType: 'IDENTITY_VERIFICATION', identityVerificationId: call.request.identityVerificationId, identityVerificationTxId: 'tx-1',
});
const failed = (code: string, message: string) => (call: RequestCall) => call.answer({
  transactionType: 'IDENTITY_VERIFICATION', identityVerificationId: call.request.identityVerificationId, identityVerificationTxId: 'tx-1', code, message,
});

const removePortOne = () => delete (window as any).PortOne;
const tag = (extra = '') =>
  `<iamport-verify endpoint="${ENDPOINT}" provider="portone" store-id="store-1" channel-key="channel-key-1" lang="en" ${extra}></iamport-verify>`;

let verifier: FakeVerifier;
beforeEach(() => {
  verifier = new FakeVerifier().install();
});
afterEach(() => {
  verifier.uninstall();
  removePortOne();
  cleanup();
  document.querySelectorAll('.imp-dialog').forEach((node) => node.remove());
  history.replaceState(null, '', location.pathname);
});

async function startAndExpectError(element: IamportVerifyElement) {
  const event = nextEvent(element, 'iamport-error');
  element.start();
  return (await event).detail;
}

describe('PortOne V2: the request', () => {
  it('runs under the challenge\'s merchant_uid and maps every attribute that has a V2 meaning', async () => {
    const calls = installPortOne(() => {});
    const element = await fixture(tag('min-age="19" carrier="KTF" customer-name="홍길동" phone="01012345678" company="example.com" imp-code="imp12345678" pg="danal"'));
    element.start();
    expect(calls).to.have.length(1);
    expect(calls[0]!.request).to.deep.equal({
      storeId: 'store-1',
      identityVerificationId: 'iv_minted1',
      channelKey: 'channel-key-1',
      windowType: { mobile: 'REDIRECTION' },
      redirectUrl: location.href,
      customer: { fullName: '홍길동', phoneNumber: '01012345678' },
      bypass: { danal: { AGELIMIT: 19, IsCarrier: 'KTF', CPTITLE: 'example.com' } },
    });
  });

  it('sends no customer and no bypass when nothing is prefilled, and asks for a popup on phones with popup', async () => {
    const calls = installPortOne(() => {});
    const element = await fixture(tag(`popup redirect-url="${location.origin}/back"`));
    element.start();
    expect(calls[0]!.request).to.deep.equal({
      storeId: 'store-1', identityVerificationId: 'iv_minted1', channelKey: 'channel-key-1',
      windowType: { mobile: 'POPUP' }, redirectUrl: `${location.origin}/back`,
    });
  });

  for (const [attributes, problem] of [
    ['provider="portone" channel-key="k"', 'store-id is required'],
    ['provider="portone" store-id="s"', 'channel-key is required'],
    ['provider="portone" store-id="s" channel-key="k" carrier="KT"', 'carrier must be one of SKT, KTF, LGT, MVNO'],
  ]) {
    it(`refuses at once, before any SDK or challenge: ${problem}`, async () => {
      const calls = installPortOne();
      const error = nextEvent(document, 'iamport-error');
      const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" lang="en" ${attributes}></iamport-verify>`);
      expect((await error).detail).to.include({ code: 'invalid_attribute', detail: problem });
      expect(element.state).to.equal('error');
      expect(calls).to.have.length(0);
      expect(verifier.issued('/v1/challenges')).to.have.length(0);
    });
  }
});

describe('PortOne V2: the promise flow', () => {
  it('exchanges the verification under the V2 body and announces the attestation', async () => {
    installPortOne(verified);
    const element = await fixture(tag('min-age="19" nonce="n-1"'));
    const done = nextEvent(element, 'iamport-verified');
    element.start();
    await done;
    expect(verifier.issued('/v1/attestations').map((request) => request.body)).to.deep.equal([
      { provider: 'portone', identity_verification_id: 'iv_minted1', challenge: 'c1.test.1', min_age: 19, nonce: 'n-1' },
    ]);
    expect(element.state).to.equal('verified');
    expect(element.token).not.to.equal('');
  });

  it('a cancel (IDENTITY_VERIFICATION_CANCELLED): cancelled, and nothing is exchanged', async () => {
    installPortOne(failed('IDENTITY_VERIFICATION_CANCELLED', '사용자가 본인인증을 취소하였습니다.'));
    const element = await fixture(tag());
    expect(await startAndExpectError(element)).to.include({ code: 'cancelled', message: 'Verification was cancelled.' });
    expect(statusText(element)).to.equal('Verification was cancelled.');
    expect(verifier.issued('/v1/attestations')).to.have.length(0);
  });

  it('any other code: pg_error, with the SDK\'s message as detail', async () => {
    installPortOne(failed('IDENTITY_VERIFICATION_FAILED', '[9015] 본인인증 실패'));
    const element = await fixture(tag());
    expect(await startAndExpectError(element)).to.deep.equal({
      code: 'pg_error', message: 'Verification failed. Please try again.', detail: '[9015] 본인인증 실패',
    });
  });

  it('an SDK that throws or rejects: pg_error, never a spinner', async () => {
    (window as any).PortOne = { requestIdentityVerification: () => { throw new Error('storeId is invalid'); } };
    const element = await fixture(tag());
    expect(await startAndExpectError(element)).to.include({ code: 'pg_error' });
    installPortOne((call) => call.refuse(new Error('network')));
    expect(await startAndExpectError(element)).to.include({ code: 'pg_error' });
    expect(element.state).to.equal('error');
  });

  it('undefined (the page is being redirected): keeps verifying and exchanges nothing', async () => {
    installPortOne((call) => call.answer(undefined));
    const element = await fixture(tag());
    element.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(element.state).to.equal('verifying');
    expect(verifier.issued('/v1/attestations')).to.have.length(0);
  });

  it('loads the SDK at the first sign of intent, not on connect', async () => {
    const element = await fixture(tag('sdk-src="/worker/sandbox/sdk/iamport.js"'));
    expect((window as any).PortOne).to.equal(undefined);
    button(element).focus();
    await until(() => !!(window as any).PortOne, element, 'the SDK');
  });
});

describe('PortOne V2: the redirect flow', () => {
  function storeChallenge(merchantUid: string) {
    sessionStorage.setItem(`iamport-verify:${location.pathname}#age_token`,
      JSON.stringify({ merchant_uid: merchantUid, challenge: 'c1.stored', expires_at: Math.floor(Date.now() / 1000) + 600 }));
  }

  it('finishes by itself on return with identityVerificationId and scrubs the address bar', async () => {
    storeChallenge('iv_returning');
    history.replaceState(null, '', '?tab=signup&identityVerificationId=iv_returning&identityVerificationTxId=tx-9&transactionType=IDENTITY_VERIFICATION');
    const done = nextEvent(document, 'iamport-verified');
    const element = await fixture(tag('name="age_token" min-age="19"'), { waitFor: 'none' });
    await done;
    expect(verifier.issued('/v1/attestations')[0]!.body).to.deep.equal(
      { provider: 'portone', identity_verification_id: 'iv_returning', challenge: 'c1.stored', min_age: 19 });
    expect(location.search).to.equal('?tab=signup');
    expect(element.state).to.equal('verified');
  });

  it('reports a failed return (code and message) and scrubs it too', async () => {
    storeChallenge('iv_failed');
    history.replaceState(null, '', `?identityVerificationId=iv_failed&code=IDENTITY_VERIFICATION_CANCELLED&message=${encodeURIComponent('취소')}`);
    const error = nextEvent(document, 'iamport-error');
    const element = await fixture(tag('name="age_token"'), { waitFor: 'none' });
    expect((await error).detail.code).to.equal('cancelled');
    expect(location.search).to.equal('');
    expect(element.state).to.equal('error');
    expect(verifier.issued('/v1/attestations')).to.have.length(0);
  });

  it('leaves a return that matches no stored challenge alone, and a V1 tag ignores a V2 return', async () => {
    storeChallenge('iv_mine');
    history.replaceState(null, '', '?identityVerificationId=iv_someone_else');
    const element = await fixture(tag('name="age_token"'));
    expect(element.state).to.equal('ready');
    element.remove();
    history.replaceState(null, '', '?identityVerificationId=iv_mine');
    const v1 = await fixture(`<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678" name="age_token" lang="en"></iamport-verify>`);
    expect(v1.state).to.equal('ready');
    expect(location.search).to.equal('?identityVerificationId=iv_mine');
    expect(verifier.issued('/v1/attestations')).to.have.length(0);
  });
});

describe('the stand-in PortOne SDK (worker/sandbox/sdk/iamport.js, served as /sandbox/portone.js)', () => {
  const SDK = '/worker/sandbox/sdk/iamport.js';
  let posted: Record<string, unknown>[];
  const realFetch = window.fetch;

  beforeEach(() => {
    posted = [];
    const verifierFetch = window.fetch;
    window.fetch = async (input, init) => {
      const url = String(input);
      if (url.endsWith('/sdk/persons')) return Response.json([{ id: 'adult', label: { ko: '성인 (34세)', en: 'Adult (34)' }, outcome: 'certified' }]);
      if (url.endsWith('/sdk/certifications')) {
        const body = JSON.parse(String(init!.body));
        posted.push(body);
        const failure = body.person === 'cancel' ? { code: 'IDENTITY_VERIFICATION_CANCELLED', message: '사용자가 본인인증을 취소하였습니다.' } : {};
        return Response.json({ transactionType: 'IDENTITY_VERIFICATION', identityVerificationId: body.identity_verification_id, identityVerificationTxId: 'sandbox-tx', ...failure }, { status: 201 });
      }
      return verifierFetch(input, init);
    };
  });
  afterEach(() => {
    window.fetch = realFetch;
  });

  const loadSdk = () => new Promise<void>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = `${SDK}?${Math.random()}`;
    script.onload = () => resolve();
    script.onerror = reject;
    document.head.append(script);
  });
  const PortOne = () => (window as any).PortOne;
  const personButton = (id: string) => document.querySelector<HTMLButtonElement>(`.imp-dialog [data-person="${id}"]`);
  const request = { storeId: 'store-sandbox', identityVerificationId: 'iv_1', channelKey: 'channel-key-sandbox', redirectUrl: location.href };

  it('shows the same accessible person dialog and resolves to the real response\'s shape', async () => {
    await loadSdk();
    const answer = PortOne().requestIdentityVerification(request);
    await until(() => !!personButton('adult'), undefined, 'the persons');
    await expectAccessible(document.querySelector('.imp-dialog') as HTMLElement);
    personButton('adult')!.click();
    expect(await answer).to.deep.equal({ transactionType: 'IDENTITY_VERIFICATION', identityVerificationId: 'iv_1', identityVerificationTxId: 'sandbox-tx' });
    expect(posted).to.deep.equal([{ provider: 'portone', person: 'adult', identity_verification_id: 'iv_1' }]);
    expect(document.querySelector('.imp-dialog')).to.equal(null);
  });

  it('records a cancel at the sandbox (it stays READY there) and resolves with its code', async () => {
    await loadSdk();
    const answer = PortOne().requestIdentityVerification(request);
    await until(() => !!document.querySelector('.imp-dialog'), undefined, 'the dialog');
    await sendKeys({ press: 'Escape' });
    expect(await answer).to.include({ code: 'IDENTITY_VERIFICATION_CANCELLED', identityVerificationId: 'iv_1' });
    expect(posted).to.deep.equal([{ provider: 'portone', person: 'cancel', identity_verification_id: 'iv_1' }]);
  });

  it('rejects a request without storeId or channelKey, like the real one', async () => {
    await loadSdk();
    let refused: unknown;
    await PortOne().requestIdentityVerification({ identityVerificationId: 'iv_1', channelKey: 'k' }).catch((error: unknown) => (refused = error));
    expect(refused).to.be.instanceOf(Error);
    expect(document.querySelector('.imp-dialog')).to.equal(null);
  });

  it('lets the tag verify a sandbox person end to end through V2', async () => {
    // Its own URL: the tag loads each SDK URL once per page, and an earlier test loaded the plain one.
    const element = await fixture(tag(`min-age="19" sdk-src="${SDK}?tag"`));
    button(element).focus(); // preloads the SDK
    await until(() => !!PortOne(), element, 'the SDK');
    const done = nextEvent(element, 'iamport-verified');
    await sendKeys({ press: 'Enter' });
    await until(() => !!personButton('adult'), element, 'the persons');
    personButton('adult')!.click();
    await done;
    expect(posted).to.deep.equal([{ provider: 'portone', person: 'adult', identity_verification_id: 'iv_minted1' }]);
    expect(verifier.issued('/v1/attestations')[0]!.body).to.include({ provider: 'portone', identity_verification_id: 'iv_minted1' });
  });
});
