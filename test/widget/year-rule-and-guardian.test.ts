/**
 * The two age rules and the under-14 guardian step, as the tag runs them: what it asks the
 * verifier for, what it tells the person, and the guardian's second verification.
 */
import { expect } from '@esm-bundle/chai';
import type { IamportVerifyElement } from '../../widget/iamport-verify.js';
import {
  ENDPOINT, FakeVerifier, button, claimsFor, cleanup, deviceClock, fixture, installImp, nextEvent, problem, removeImp, statusText, tokenFor, until,
  type CertificationCall,
} from './helpers.js';

let verifier: FakeVerifier;
beforeEach(() => {
  verifier = new FakeVerifier().install();
});
afterEach(() => {
  verifier.uninstall();
  removeImp();
  cleanup();
  history.replaceState(null, '', location.pathname);
});

const tag = (extra = '') => `<iamport-verify endpoint="${ENDPOINT}" imp-code="imp12345678" lang="en" ${extra}></iamport-verify>`;
const PERSON = 'imp_100000000001';
const GUARDIAN = 'imp_100000000002';
/** The PG window succeeds with these ids, one per verification, in order. */
const succeedAs = (...ids: string[]) => (call: CertificationCall) =>
  call.callback({ success: true, imp_uid: ids.shift(), merchant_uid: call.params.merchant_uid });
/** The verifier's 201 for `body`, with `extra` claims beside the usual ones. */
function attestedWith(body: Record<string, any>, extra: Record<string, unknown>) {
  const claims = { ...claimsFor(body), ...extra };
  return { status: 201, body: { token: tokenFor(claims), expires_at: claims.exp, claims } };
}
/** Start the tag, wait for its attestation, and return the body of its first exchange. */
async function firstExchangeOf(element: IamportVerifyElement): Promise<Record<string, any>> {
  const verified = nextEvent(element, 'iamport-verified');
  element.start();
  await verified;
  return verifier.issued('/v1/attestations')[0]!.body;
}

describe('the year rule (min-year-age)', () => {
  it('asks the verifier for min_year_age, not min_age, and keeps Danal\'s own 만 나이 limit out of it', async () => {
    const calls = installImp(succeedAs(PERSON));
    verifier.attestationAnswer = (body) => attestedWith(body, { year_age_over: body.min_year_age });
    const element = await fixture(tag('min-year-age="19"'));
    const body = await firstExchangeOf(element);
    expect(body).to.include({ min_year_age: 19 });
    expect(body).not.to.have.property('min_age');
    expect(calls[0]!.params).not.to.have.property('min_age');
    expect(statusText(element)).to.equal('Verified: 19 or older by birth year');
  });

  it('says the refusal is by birth year', async () => {
    installImp(succeedAs(PERSON));
    verifier.attestationAnswer = () => problem('age_requirement_not_met', 422);
    const element = await fixture(tag('min-year-age="19"'));
    const failed = nextEvent(element, 'iamport-error');
    element.start();
    const { detail } = await failed;
    expect(detail.code).to.equal('age_requirement_not_met');
    expect(detail.message).to.equal('You must turn 19 this year or earlier.');
  });

  it('takes a rule switched by removing one attribute and setting another', async () => {
    installImp(succeedAs(PERSON));
    const element = await fixture(tag('min-age="19"'));
    element.removeAttribute('min-age');
    element.setAttribute('min-year-age', '19');
    await element.updateComplete;
    const body = await firstExchangeOf(element);
    expect(body).to.include({ min_year_age: 19 });
    expect(body).not.to.have.property('min_age');
  });

  it('refuses two age rules on one tag at once, before any verification', async () => {
    const calls = installImp();
    const element = await fixture(tag('min-age="19" min-year-age="19"'));
    await until(() => element.state === 'error', element, 'the error state');
    element.start();
    expect(calls).to.have.length(0);
    expect(verifier.issued('/v1/attestations')).to.have.length(0);
  });
});

describe('the guardian step (guardian-under)', () => {
  /** The verifier as it answers a child: guardian_required alone, a token with the guardian's part with both. */
  function childVerifier() {
    verifier.attestationAnswer = (body) => {
      if (!body.guardian_imp_uid && !body.guardian_identity_verification_id) return problem('guardian_required', 422);
      return attestedWith(body, { age_under: body.guardian_under, guardian: { sub: 'guardian-sub', age_over: 19, verified_at: 1 } });
    };
  }

  it('explains that a guardian must verify, then exchanges the person\'s and the guardian\'s verifications together', async () => {
    const calls = installImp(succeedAs(PERSON, GUARDIAN));
    childVerifier();
    const element = await fixture(tag('guardian-under="14" customer-name="어린이" phone="01000000011"'));
    element.start();
    await until(() => element.state === 'guardian', element, 'the guardian state');
    expect(statusText(element)).to.equal('Under 14, a parent or legal guardian must consent: please ask them to verify with their own phone.');
    expect(button(element).textContent).to.equal('Guardian: verify with your phone');
    expect(element.token).to.equal('');

    const verified = nextEvent(element, 'iamport-verified');
    button(element).click();
    const { detail } = await verified;
    expect(calls).to.have.length(2);
    // The same challenge's merchant_uid, and nothing of the person's prefilled for the guardian.
    expect(calls[1]!.params.merchant_uid).to.equal(calls[0]!.params.merchant_uid);
    expect(calls[0]!.params).to.include({ name: '어린이', phone: '01000000011' });
    expect(calls[1]!.params).not.to.have.property('name');
    expect(calls[1]!.params).not.to.have.property('phone');
    const bodies = verifier.issued('/v1/attestations').map((request) => request.body);
    expect(bodies[1]).to.deep.equal({
      imp_uid: PERSON, merchant_uid: calls[0]!.params.merchant_uid, challenge: bodies[0]!.challenge,
      guardian_imp_uid: GUARDIAN, guardian_under: 14,
    });
    expect(detail.claims.guardian).to.deep.equal({ sub: 'guardian-sub', age_over: 19, verified_at: 1 });
    expect(statusText(element)).to.equal('Verified, with a guardian\'s consent');
  });

  it('reports a guardian who is not an adult, and keeps the person\'s verification for another guardian', async () => {
    const calls = installImp(succeedAs(PERSON, GUARDIAN, 'imp_100000000003'));
    verifier.attestationAnswer = (body) => {
      if (!body.guardian_imp_uid) return problem('guardian_required', 422);
      if (body.guardian_imp_uid === GUARDIAN) return problem('guardian_not_adult', 422);
      return attestedWith(body, { age_under: 14, guardian: { sub: 'g', age_over: 19, verified_at: 1 } });
    };
    const element = await fixture(tag('guardian-under="14"'));
    element.start();
    await until(() => element.state === 'guardian', element, 'the guardian state');
    const failed = nextEvent(element, 'iamport-error');
    button(element).click();
    const { detail } = await failed;
    expect(detail).to.include({ code: 'guardian_not_adult', message: 'The guardian must be 19 or older.' });
    await until(() => element.state === 'guardian', element, 'the guardian state again');
    expect(statusText(element)).to.match(/^The guardian must be 19 or older\. Under 14, a parent/);
    // Another guardian verifies for the same, still unused, verification of the person.
    const verified = nextEvent(element, 'iamport-verified');
    button(element).click();
    await verified;
    expect(calls).to.have.length(3);
    const last = verifier.issued('/v1/attestations').at(-1)!.body;
    expect(last).to.include({ imp_uid: PERSON, guardian_imp_uid: 'imp_100000000003' });
    expect(verifier.issued('/v1/challenges')).to.have.length(1);
  });

  it('keeps the person\'s verification when the guardian cancels', async () => {
    const calls = installImp((call) => (calls.length === 1 ? succeedAs(PERSON)(call) : call.callback({ success: false, imp_uid: null, merchant_uid: call.params.merchant_uid, error_msg: '사용자가 본인인증을 취소하셨습니다.' })));
    verifier.attestationAnswer = () => problem('guardian_required', 422);
    const element = await fixture(tag('guardian-under="14"'));
    element.start();
    await until(() => element.state === 'guardian', element, 'the guardian state');
    const failed = nextEvent(element, 'iamport-error');
    button(element).click();
    expect((await failed).detail.code).to.equal('cancelled');
    expect(element.state).to.equal('guardian');
    expect(verifier.issued('/v1/attestations')).to.have.length(1);
  });

  describe('a guardian who comes when the person\'s challenge has too little time left', () => {
    /** Longer than a challenge's life (600 s) minus the time a verification is given (5 minutes). */
    const TOO_LONG_MS = 6 * 60_000;
    let clock: ReturnType<typeof deviceClock>;
    beforeEach(() => {
      clock = deviceClock();
    });
    afterEach(() => clock.restore());

    it('explains instead of opening the guardian\'s window, and the next click starts over with a new challenge', async () => {
      const calls = installImp(succeedAs(PERSON, 'imp_100000000003'));
      childVerifier();
      const element = await fixture(tag('guardian-under="14" customer-name="어린이"'));
      element.start();
      await until(() => element.state === 'guardian', element, 'the guardian state');

      clock.advance(TOO_LONG_MS);
      const failed = nextEvent(element, 'iamport-error');
      button(element).click();
      const { detail } = await failed;
      expect(detail).to.include({
        code: 'guardian_too_late',
        message: 'Too much time has passed for the guardian to verify now. Please start again with your own verification.',
      });
      expect(element.state).to.equal('error');
      // No paid window for the guardian, and no exchange the verifier would refuse.
      expect(calls).to.have.length(1);
      expect(verifier.issued('/v1/attestations')).to.have.length(1);

      // Starting over: the person verifies again, under a new challenge. A test's click has no user
      // activation, so it opens the window only once that challenge is at hand ("press again" before).
      await until(() => verifier.issued('/v1/challenges').length === 2, element, 'a new challenge');
      await until(() => (button(element).click(), calls.length === 2), element, 'the person\'s window again');
      expect(calls[1]!.params).to.include({ name: '어린이' });
      expect(calls[1]!.params.merchant_uid).not.to.equal(calls[0]!.params.merchant_uid);
      await until(() => element.state === 'guardian', element, 'the guardian state again');
    });

    it('says so at once when the person took so long that no guardian could verify in time', async () => {
      const calls = installImp((call) => {
        clock.advance(TOO_LONG_MS); // the person's own verification took that long
        succeedAs(PERSON)(call);
      });
      childVerifier();
      const element = await fixture(tag('guardian-under="14"'));
      const failed = nextEvent(element, 'iamport-error');
      element.start();
      expect((await failed).detail.code).to.equal('guardian_too_late');
      expect(element.state).to.equal('error');
      expect(calls).to.have.length(1);
    });

    it('opens the guardian\'s window while the challenge has time enough left', async () => {
      const calls = installImp(succeedAs(PERSON, GUARDIAN));
      childVerifier();
      const element = await fixture(tag('guardian-under="14"'));
      element.start();
      await until(() => element.state === 'guardian', element, 'the guardian state');
      // A guardian who takes a few minutes to come to the phone is still in time.
      clock.advance(3 * 60_000);
      const verified = nextEvent(element, 'iamport-verified');
      button(element).click();
      await verified;
      expect(calls).to.have.length(2);
    });

    it('explains, too, after the person\'s redirect return, when the guardian comes too late', async () => {
      // The person's verification leaves the page (mobile redirect flow) and comes back.
      const redirected = installImp(() => {});
      childVerifier();
      const first = await fixture(tag('id="signup" guardian-under="14"'));
      first.start();
      await until(() => redirected.length === 1, first, 'the person\'s window');
      const merchantUid = String(redirected[0]!.params.merchant_uid);
      first.remove();
      history.replaceState(null, '', `${location.pathname}?imp_uid=${PERSON}&merchant_uid=${merchantUid}&success=true`);
      const back = await fixture(tag('id="signup" guardian-under="14"'));
      await until(() => back.state === 'guardian', back, 'the guardian state');

      const calls = installImp(succeedAs(GUARDIAN));
      clock.advance(TOO_LONG_MS);
      const failed = nextEvent(back, 'iamport-error');
      button(back).click();
      expect((await failed).detail.code).to.equal('guardian_too_late');
      expect(calls).to.have.length(0);
    });
  });

  it('runs the guardian under its own V2 id, bound to the same challenge', async () => {
    const requests: Array<Record<string, any>> = [];
    (window as any).PortOne = {
      requestIdentityVerification: async (request: Record<string, any>) => {
        requests.push(request);
        return { transactionType: 'IDENTITY_VERIFICATION', identityVerificationId: request.identityVerificationId, identityVerificationTxId: 'tx' };
      },
    };
    childVerifier();
    const element = await fixture(`<iamport-verify endpoint="${ENDPOINT}" provider="portone" store-id="store-1" channel-key="channel-key-1" lang="en" guardian-under="14"></iamport-verify>`);
    try {
      element.start();
      await until(() => element.state === 'guardian', element, 'the guardian state');
      const verified = nextEvent(element, 'iamport-verified');
      button(element).click();
      await verified;
      const id = requests[0]!.identityVerificationId;
      expect(requests[1]!.identityVerificationId).to.equal(`${id}-guardian`);
      expect(verifier.issued('/v1/attestations')[1]!.body).to.include({
        provider: 'portone', identity_verification_id: id, guardian_identity_verification_id: `${id}-guardian`, guardian_under: 14,
      });
    } finally {
      delete (window as any).PortOne;
    }
  });

  it('finishes the guardian\'s redirect return with the person\'s verification it kept', async () => {
    installImp(succeedAs(PERSON));
    childVerifier();
    const first = await fixture(tag('id="signup" guardian-under="14"'));
    first.start();
    await until(() => first.state === 'guardian', first, 'the guardian state');
    // The guardian's verification leaves the page (mobile redirect flow) and comes back.
    const redirected = installImp(() => {});
    button(first).click();
    await until(() => redirected.length === 1, first, 'the guardian\'s window');
    const merchantUid = String(redirected[0]!.params.merchant_uid);
    // The page goes away (its sessionStorage stays), and loads again with the return in its address.
    first.remove();
    history.replaceState(null, '', `${location.pathname}?imp_uid=${GUARDIAN}&merchant_uid=${merchantUid}&success=true`);
    const back = await fixture(tag('id="signup" guardian-under="14"'));
    await until(() => back.state === 'verified', back, 'the verified state');
    expect(verifier.issued('/v1/attestations').at(-1)!.body).to.include({ imp_uid: PERSON, guardian_imp_uid: GUARDIAN });
    expect(location.search).to.equal('');
  });
});
