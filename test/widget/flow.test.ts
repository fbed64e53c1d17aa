import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import type { IamportVerifyElement } from '../../widget/iamport-verify.js';
import { RETRY_DELAYS_MS } from '../../widget/verification.js';
import {
  ENDPOINT, FakeVerifier, button, cleanup, fail, fixture, installImp, nextEvent, problem, removeImp, statusText, succeed, until,
  type CertificationCall,
} from './helpers.js';

let verifier: FakeVerifier;
const realOpen = window.open;
beforeEach(() => {
  verifier = new FakeVerifier().install();
});
afterEach(() => {
  verifier.uninstall();
  removeImp();
  window.open = realOpen;
  cleanup();
  history.replaceState(null, '', location.pathname);
});

const tag = (extra = '') => `<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678" lang="en" ${extra}></iamport-verify>`;

async function startAndExpectError(element: IamportVerifyElement): Promise<{ code: string; message: string }> {
  const event = nextEvent(element, 'iamport-error');
  element.start();
  return (await event).detail;
}

describe('the popup flow', () => {
  it('exchanges the verification for an attestation and announces it', async () => {
    installImp(succeed);
    const element = await fixture(tag('min-age="19" nonce="n-1"'));
    const verified = nextEvent(element, 'iamport-verified');
    element.start();
    const { detail } = await verified;

    expect(verifier.issued('/v1/attestations').map((request) => request.body)).to.deep.equal([
      { imp_uid: 'imp_123456789012', merchant_uid: 'iv_minted1', challenge: 'c1.test.1', min_age: 19, nonce: 'n-1' },
    ]);
    expect(detail.token).to.equal(element.token);
    expect(detail.claims).to.include({ merchant_uid: 'iv_minted1', age_over: 19, nonce: 'n-1', imp_uid: 'imp_123456789012' });
    expect(element.claims).to.deep.equal(detail.claims);
    expect(element.state).to.equal('verified');
    expect(statusText(element)).to.equal('Verified: 19 or older');
    expect(button(element).hidden).to.equal(true);
  });

  it('bubbles its events out of shadow roots to the document', async () => {
    installImp(succeed);
    const element = await fixture(tag());
    const verified = nextEvent(document, 'iamport-verified');
    element.start();
    const event = await verified;
    expect(event.bubbles && event.composed).to.equal(true);
  });

  it('does not open a second window while one is open', async () => {
    const calls = installImp(() => {});
    const element = await fixture(tag());
    element.start();
    element.start();
    button(element).click();
    await element.updateComplete;
    expect(calls).to.have.length(1);
    expect(button(element).getAttribute('aria-disabled')).to.equal('true');
  });

  it('removes the SDK\'s leftover overlay when the flow ends', async () => {
    installImp((call) => {
      const overlay = document.createElement('div');
      overlay.className = 'imp-dialog';
      document.body.append(overlay);
      fail('사용자가 본인인증을 취소하셨습니다.')(call);
    });
    const element = await fixture(tag());
    await startAndExpectError(element);
    expect(document.querySelector('.imp-dialog')).to.equal(null);
  });

  it('clears a leftover overlay and a stuck flow when the page comes back from the back/forward cache', async () => {
    installImp(() => {});
    const element = await fixture(tag());
    element.start();
    const overlay = document.createElement('div');
    overlay.className = 'imp-dialog';
    document.body.append(overlay);
    const error = nextEvent(element, 'iamport-error');
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    expect((await error).detail.code).to.equal('cancelled');
    expect(document.querySelector('.imp-dialog')).to.equal(null);
    expect(element.state).to.equal('error');
  });
});

describe('every way the flow can fail ends in a clear state, a message and an event', () => {
  it('a cancel in the PG window: cancelled', async () => {
    installImp(fail('사용자가 본인인증을 취소하셨습니다.'));
    const element = await fixture(tag());
    const detail = await startAndExpectError(element);
    expect(detail).to.include({ code: 'cancelled', message: 'Verification was cancelled.' });
    expect(element.state).to.equal('error');
    expect(statusText(element)).to.equal('Verification was cancelled.');
    expect(button(element).textContent).to.equal('Verify again');
    expect(verifier.issued('/v1/attestations')).to.have.length(0);
  });

  it('a PG error: pg_error', async () => {
    installImp(fail('[9015] 본인인증에 실패하였습니다.'));
    const element = await fixture(tag());
    expect(await startAndExpectError(element)).to.include({ code: 'pg_error', message: 'Verification failed. Please try again.' });
  });

  it('a blocked popup: popup_blocked', async () => {
    window.open = () => null;
    installImp(() => window.open('https://pg.example/cert', 'imp', 'width=400'));
    const element = await fixture(tag());
    expect(await startAndExpectError(element)).to.include({ code: 'popup_blocked' });
    expect(statusText(element)).to.contain('allow pop-ups');
  });

  it('a PG window closed without a callback: cancelled', async () => {
    const popup = { closed: false } as Window;
    window.open = () => popup;
    installImp(() => window.open('https://pg.example/cert'));
    const element = await fixture(tag());
    const error = nextEvent(element, 'iamport-error');
    element.start();
    (popup as { closed: boolean }).closed = true;
    expect((await error).detail.code).to.equal('cancelled');
  });

  it('a callback that comes while the window closes still counts', async () => {
    const popup = { closed: false } as Window;
    window.open = () => popup;
    let pending: CertificationCall | undefined;
    installImp((call) => {
      window.open('https://pg.example/cert');
      pending = call;
    });
    const element = await fixture(tag());
    const verified = nextEvent(element, 'iamport-verified');
    element.start();
    (popup as { closed: boolean }).closed = true;
    succeed(pending!);
    await verified;
    expect(element.state).to.equal('verified');
  });

  it('an SDK that cannot be loaded: sdk_load_failed', async () => {
    const element = await fixture(tag('sdk-src="/test/widget/fixtures/no-such-sdk.js"'));
    const detail = await startAndExpectError(element);
    expect(detail).to.include({ code: 'sdk_load_failed', message: 'Could not connect. Please try again later.' });
    expect(element.state).to.equal('error');
  });

  it('an SDK script that defines no IMP: sdk_load_failed', async () => {
    const element = await fixture(tag('sdk-src="/test/widget/fixtures/not-an-sdk.js"'));
    expect((await startAndExpectError(element)).code).to.equal('sdk_load_failed');
  });

  it('no network on connect: network_error, and the next click tries again', async () => {
    verifier.challengeAnswer = () => 'network-down';
    const error = nextEvent(document, 'iamport-error');
    const element = await fixture(tag());
    expect((await error).detail.code).to.equal('network_error');
    expect(element.state).to.equal('error');
    verifier.challengeAnswer = undefined;
    installImp(succeed);
    const verified = nextEvent(element, 'iamport-verified');
    button(element).focus();
    await sendKeys({ press: 'Enter' });
    await verified;
  });

  it('a site not on the verifier\'s allow-list: origin_not_allowed, from the problem\'s code', async () => {
    verifier.challengeAnswer = () => problem('origin_not_allowed', 403);
    const error = nextEvent(document, 'iamport-error');
    await fixture(tag());
    expect((await error).detail).to.include({ code: 'origin_not_allowed', message: 'This verification is set up incorrectly.' });
  });

  for (const [code, status, message] of [
    ['age_requirement_not_met', 422, 'You must be 19 or older.'],
    ['already_used', 409, 'Verification failed. Please try again.'],
    ['challenge_invalid', 400, 'This took too long. Please try again.'],
    ['certification_stale', 422, 'This took too long. Please try again.'],
    ['not_certified', 422, 'Verification failed. Please try again.'],
    ['identity_key_missing', 422, 'Verification failed. Please try again.'],
    ['rate_limited', 429, 'Could not connect. Please try again later.'],
    ['upstream_auth_failed', 502, 'This verification is set up incorrectly.'],
    ['a_code_from_a_newer_verifier', 422, 'Verification failed. Please try again.'],
  ] as const) {
    it(`the verifier refusing with ${code}: that code, and a new challenge for the next try`, async () => {
      installImp(succeed);
      verifier.attestationAnswer = () => problem(code, status);
      const element = await fixture(tag('min-age="19"'));
      expect(await startAndExpectError(element)).to.include({ code, message });
      expect(element.token).to.equal('');
      // The verifier's own refusal is its answer: it is not asked again.
      expect(verifier.issued('/v1/attestations')).to.have.length(1);
      await until(() => verifier.issued('/v1/challenges').length === 2, element, 'a new challenge');
    });
  }

  it('an exchange whose answer was lost (no connection, then a gateway\'s error page) is sent again, the same, until it arrives', async () => {
    installImp(succeed);
    const lost: Array<'network-down' | { status: number; body: unknown }> = ['network-down', { status: 502, body: '<html>Bad gateway</html>' }];
    verifier.attestationAnswer = () => lost.shift() as any;
    const element = await fixture(tag('min-age="19"'));
    const verified = nextEvent(element, 'iamport-verified');
    element.start();
    await verified;
    const bodies = verifier.issued('/v1/attestations').map((request) => request.body);
    expect(bodies).to.have.length(3);
    expect(bodies[1]).to.deep.equal(bodies[0]);
    expect(bodies[2]).to.deep.equal(bodies[0]);
    expect(element.state).to.equal('verified');
  });

  it('an exchange the verifier could not finish for a passing reason (upstream_unavailable, internal_error) is sent again, the same', async () => {
    installImp(succeed);
    const passing = [problem('upstream_unavailable', 503), problem('internal_error', 500)];
    verifier.attestationAnswer = () => passing.shift() as any;
    const element = await fixture(tag('min-age="19"'));
    const verified = nextEvent(element, 'iamport-verified');
    element.start();
    await verified;
    const bodies = verifier.issued('/v1/attestations').map((request) => request.body);
    expect(bodies).to.have.length(3);
    expect(bodies[2]).to.deep.equal(bodies[0]);
  });

  it(`an exchange the upstream keeps failing ends in upstream_unavailable after ${RETRY_DELAYS_MS.length + 1} tries`, async () => {
    installImp(succeed);
    verifier.attestationAnswer = () => problem('upstream_unavailable', 503);
    const element = await fixture(tag());
    const detail = await startAndExpectError(element);
    expect(detail).to.include({ code: 'upstream_unavailable', message: 'Could not connect. Please try again later.' });
    expect(verifier.issued('/v1/attestations')).to.have.length(RETRY_DELAYS_MS.length + 1);
  });

  it(`an exchange that stays unanswered ends in network_error after ${RETRY_DELAYS_MS.length + 1} tries`, async () => {
    installImp(succeed);
    verifier.attestationAnswer = () => 'network-down';
    const element = await fixture(tag());
    const detail = await startAndExpectError(element);
    expect(detail).to.include({ code: 'network_error', message: 'Could not connect. Please try again later.' });
    expect(verifier.issued('/v1/attestations')).to.have.length(RETRY_DELAYS_MS.length + 1);
  });

  it('a verifier answering garbage: network_error', async () => {
    installImp(succeed);
    verifier.attestationAnswer = () => ({ status: 201, body: { hello: 'world' } });
    const element = await fixture(tag());
    expect((await startAndExpectError(element)).code).to.equal('network_error');
  });
});

describe('the redirect flow', () => {
  function storeChallenge(key: string, merchantUid: string) {
    sessionStorage.setItem(`iamport-verify:${location.pathname}#${key}`,
      JSON.stringify({ merchant_uid: merchantUid, challenge: 'c1.stored', expires_at: Math.floor(Date.now() / 1000) + 600 }));
  }

  it('returns to the current page by default and keeps the challenge for the return', async () => {
    const calls = installImp(() => {});
    const element = await fixture(tag('name="age_token"'));
    element.start();
    expect(calls[0]!.params.m_redirect_url).to.equal(location.href);
    const stored = JSON.parse(sessionStorage.getItem(`iamport-verify:${location.pathname}#age_token`)!);
    expect(stored).to.include({ merchant_uid: 'iv_minted1', challenge: 'c1.test.1' });
  });

  it('finishes the exchange by itself on return, and strips the parameters from the address bar', async () => {
    storeChallenge('age_token', 'iv_returning');
    history.replaceState(null, '', '?tab=signup&imp_uid=imp_123456789012&merchant_uid=iv_returning&success=true');
    const verified = nextEvent(document, 'iamport-verified');
    const element = await fixture(tag('name="age_token"'), { waitFor: 'none' });
    await verified;
    expect(verifier.issued('/v1/attestations')[0]!.body).to.deep.equal({ imp_uid: 'imp_123456789012', merchant_uid: 'iv_returning', challenge: 'c1.stored' });
    expect(location.search).to.equal('?tab=signup');
    expect(element.state).to.equal('verified');
    expect(sessionStorage.getItem(`iamport-verify:${location.pathname}#age_token`)).to.equal(null);
  });

  it('is finished by the tag whose challenge matches, not by the others', async () => {
    storeChallenge('second', 'iv_second');
    history.replaceState(null, '', '?imp_uid=imp_123456789012&merchant_uid=iv_second&success=true');
    const verified = nextEvent(document, 'iamport-verified');
    const container = await fixture<HTMLDivElement>(`<div>${tag('name="first"')}${tag('name="second"')}</div>`, { waitFor: 'none' });
    await verified;
    const [first, second] = container.querySelectorAll('iamport-verify');
    await until(() => first!.state === 'ready', first);
    expect(second!.state).to.equal('verified');
    expect(verifier.issued('/v1/attestations')).to.have.length(1);
  });

  it('leaves a return that matches no tag alone', async () => {
    history.replaceState(null, '', '?imp_uid=imp_123456789012&merchant_uid=iv_someone_else&success=true');
    const element = await fixture(tag('name="age_token"'));
    expect(element.state).to.equal('ready');
    expect(location.search).to.contain('imp_uid');
    expect(verifier.issued('/v1/attestations')).to.have.length(0);
  });

  it('reports a cancel that came back through the address bar', async () => {
    storeChallenge('age_token', 'iv_cancelled');
    history.replaceState(null, '', `?imp_uid=imp_123456789012&merchant_uid=iv_cancelled&success=false&error_msg=${encodeURIComponent('사용자가 본인인증을 취소하셨습니다.')}`);
    const error = nextEvent(document, 'iamport-error');
    const element = await fixture(tag('name="age_token"'), { waitFor: 'none' });
    expect((await error).detail.code).to.equal('cancelled');
    expect(location.search).to.equal('');
    expect(element.state).to.equal('error');
  });

  it('never opens a new verification with the challenge it kept across the redirect: the next try gets its own', async () => {
    storeChallenge('age_token', 'iv_cancelled');
    history.replaceState(null, '', `?imp_uid=imp_123456789012&merchant_uid=iv_cancelled&success=false&error_msg=${encodeURIComponent('취소')}`);
    const error = nextEvent(document, 'iamport-error');
    const element = await fixture(tag('name="age_token"'), { waitFor: 'none' });
    await error;
    const calls = installImp(() => {});
    button(element).focus();
    await sendKeys({ press: 'Enter' });
    await until(() => calls.length === 1, element, 'IMP.certification');
    expect(calls[0]!.params.merchant_uid).to.equal('iv_minted1');
  });

  it('takes the older imp_success parameter too', async () => {
    storeChallenge('age_token', 'iv_old');
    history.replaceState(null, '', '?imp_uid=imp_123456789012&merchant_uid=iv_old&imp_success=true');
    const verified = nextEvent(document, 'iamport-verified');
    await fixture(tag('name="age_token"'), { waitFor: 'none' });
    await verified;
    expect(location.search).to.equal('');
  });
});

describe('expiry', () => {
  it('clears the value and fires iamport-expired when the attestation\'s lifetime ends; reset() starts over', async () => {
    installImp(succeed);
    verifier.tokenTtl = 1;
    const element = await fixture(tag());
    const verified = nextEvent(element, 'iamport-verified');
    element.start();
    await verified;
    expect(element.token).not.to.equal('');
    await nextEvent(element, 'iamport-expired');
    expect(element.token).to.equal('');
    expect(element.claims).to.equal(undefined);
    expect(element.state).to.equal('expired');
    expect(statusText(element)).to.equal('Your verification expired. Please verify again.');
    element.reset();
    await until(() => element.state === 'ready', element);
    expect(statusText(element)).to.equal('');
  });
});

describe('several tags on one page', () => {
  it('each has its own challenge and its own result', async () => {
    installImp(succeed);
    const container = await fixture<HTMLDivElement>(`<div>${tag('name="a"')}${tag('name="b"')}</div>`, { waitFor: 'none' });
    const [a, b] = [...container.querySelectorAll('iamport-verify')];
    await until(() => a!.state === 'ready' && b!.state === 'ready', a);
    const verified = nextEvent(b!, 'iamport-verified');
    b!.start();
    await verified;
    expect(a!.state).to.equal('ready');
    expect(a!.token).to.equal('');
    expect(verifier.issued('/v1/challenges')).to.have.length(2);
    const verifiedToo = nextEvent(a!, 'iamport-verified');
    a!.start();
    await verifiedToo;
    const [forB, forA] = verifier.issued('/v1/attestations').map((request) => request.body);
    expect(forA!.merchant_uid).not.to.equal(forB!.merchant_uid);
    expect(forA!.challenge).not.to.equal(forB!.challenge);
    expect(a!.token).not.to.equal(b!.token);
  });
});
