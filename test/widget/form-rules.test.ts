// The form mode's pure parts, without the element: the first step's check (details.ts) against the
// verifier's own field rules, and the countdowns (countdown.ts) on a clock the test holds.
import { expect } from '@esm-bundle/chai';
import { checkDetails, type DetailsTyped } from '../../widget/form/details.js';
import { countdown, duration, timesOf } from '../../widget/form/countdown.js';
import { FORM_MESSAGES } from '../../widget/form/form-text.js';

const text = FORM_MESSAGES.en;
const typed: DetailsTyped = { name: ' 홍길동 ', phone: '010-1234 5678', operator: 'KT', birth: '900101', gender: '1', agreed: true, method: 'SMS' };

describe('the form mode, its first step\'s check', () => {
  it('gives the details as /v1/otp/send takes them: trimmed, the number without spaces or dashes, the resident digits joined', () => {
    expect(checkDetails(typed)).to.deep.equal({
      details: { name: '홍길동', phone_number: '01012345678', operator: 'KT', method: 'SMS', identity_number: '9001011' },
    });
  });

  it('asks no resident digits for the PASS app, and sends none', () => {
    expect(checkDetails({ ...typed, birth: '', gender: '', method: 'APP' })).to.deep.equal({
      details: { name: '홍길동', phone_number: '01012345678', operator: 'KT', method: 'APP' },
    });
  });

  it('names each field in error with its message, whatever their order', () => {
    expect(checkDetails({ name: '', phone: '01212345678', operator: 'KTF', birth: '901301', gender: 'x', agreed: false, method: 'SMS' })).to.deep.equal({
      problems: { name: 'nameMissing', phone: 'phoneInvalid', operator: 'operatorMissing', birth: 'birthInvalid', gender: 'genderInvalid', agree: 'agreeMissing' },
    });
    expect(checkDetails({ ...typed, gender: '' })).to.deep.equal({ problems: { gender: 'genderInvalid' } });
  });

  it('takes the mobile numbers the verifier takes (010, 011, 016–019; 10 or 11 digits) and no other', () => {
    for (const phone of ['01012345678', '0111234567', '0161234567', '01912345678']) expect(checkDetails({ ...typed, phone }), phone).to.have.property('details');
    for (const phone of ['01212345678', '0131234567', '01512345678', '0101234567890', '021234567']) {
      expect(checkDetails({ ...typed, phone }), phone).to.deep.equal({ problems: { phone: 'phoneInvalid' } });
    }
  });
});

describe('the form mode, its countdowns', () => {
  it('counts the code\'s life and the resend wait from the verifier\'s own times, whatever the device\'s clock says', () => {
    const answer = { sent_at: 1_000, code_expires_at: 1_180, resend_available_at: 1_030 };
    // The device's clock is a day off: the verifier says when it sent, so it does not matter.
    const times = timesOf(answer, 5_000, 1_000 + 86_400);
    expect(times).to.deep.equal({ expiresAt: 5_000 + 180_000, resendAt: 5_000 + 30_000 });
    expect(countdown(times, true, 5_000, text)).to.deep.equal({ shown: '3:00 left · new code in 0:30', codeLeft: 180, resendWait: 30 });
    expect(countdown(times, true, 5_000 + 30_000, text)).to.deep.equal({ shown: '2:30 left', codeLeft: 150, resendWait: 0 });
    expect(countdown(times, true, 5_000 + 181_000, text).shown).to.equal(text.timeUp);
  });

  it('shows no resend wait for the PASS app, whose request is not sent again', () => {
    const times = timesOf({ sent_at: 0, code_expires_at: 180, resend_available_at: 30 }, 0, 0);
    expect(countdown(times, false, 0, text).shown).to.equal('3:00 left');
  });

  it('says a duration in minutes and seconds, leaving out a zero part', () => {
    expect([duration(text, 125), duration(text, 120), duration(text, 30), duration(FORM_MESSAGES.ko, 125)]).to.deep.equal(['2 min 5 s', '2 min', '30 s', '2분 5초']);
  });
});
