import { describe, expect, it } from 'vitest';
import { birthDateFromUnixSeconds, internationalAge, parseIsoDate, seoulDate } from '../../worker/checks/age.ts';

const date = (text: string) => parseIsoDate(text)!;
/** The instant a Seoul clock shows `text` (YYYY-MM-DDTHH:MM). */
const seoul = (text: string) => Date.parse(`${text}:00+09:00`);

describe('international age (만 나이)', () => {
  it('is one year less on the day before the birthday', () => {
    expect(internationalAge(date('2007-11-22'), date('2026-11-21'))).toBe(18);
  });

  it('goes up on the birthday itself', () => {
    expect(internationalAge(date('2007-11-22'), date('2026-11-22'))).toBe(19);
  });

  it('stays up on the day after the birthday', () => {
    expect(internationalAge(date('2007-11-22'), date('2026-11-23'))).toBe(19);
  });

  it('counts a 29 February birthday on 29 February in a leap year', () => {
    expect(internationalAge(date('2008-02-29'), date('2028-02-28'))).toBe(19);
    expect(internationalAge(date('2008-02-29'), date('2028-02-29'))).toBe(20);
  });

  it('turns a 29 February birthday a year older on 1 March in a common year', () => {
    expect(internationalAge(date('2008-02-29'), date('2027-02-28'))).toBe(18);
    expect(internationalAge(date('2008-02-29'), date('2027-03-01'))).toBe(19);
  });

  it('is zero on the day of birth', () => {
    expect(internationalAge(date('2026-11-22'), date('2026-11-22'))).toBe(0);
  });
});

describe('today in Seoul', () => {
  it('changes at midnight Seoul time, not UTC', () => {
    expect(seoulDate(seoul('2026-11-21T23:59'))).toEqual({ year: 2026, month: 11, day: 21 });
    expect(seoulDate(seoul('2026-11-22T00:00'))).toEqual({ year: 2026, month: 11, day: 22 });
    // 00:30 in Seoul is still the previous day in UTC.
    expect(new Date(seoul('2026-11-22T00:30')).getUTCDate()).toBe(21);
  });

  it('makes someone 19 at Seoul midnight of their birthday, while UTC still shows the day before', () => {
    const birth = date('2007-11-22');
    expect(internationalAge(birth, seoulDate(seoul('2026-11-21T23:59')))).toBe(18);
    expect(internationalAge(birth, seoulDate(seoul('2026-11-22T00:00')))).toBe(19);
  });

  it('turns a 29 February birthday older at Seoul midnight of 1 March in a common year', () => {
    const birth = date('2008-02-29');
    expect(internationalAge(birth, seoulDate(seoul('2027-02-28T23:59')))).toBe(18);
    expect(internationalAge(birth, seoulDate(seoul('2027-03-01T00:00')))).toBe(19);
  });
});

describe('birth dates from the upstream', () => {
  it('refuses dates that do not exist', () => {
    expect(parseIsoDate('2007-02-29')).toBeUndefined();
    expect(parseIsoDate('2007-13-01')).toBeUndefined();
    expect(parseIsoDate('20070101')).toBeUndefined();
  });

  it('reads the legacy `birth` (unix seconds of the date) as a date in Seoul', () => {
    expect(birthDateFromUnixSeconds(seoul('2007-11-22T00:00') / 1000)).toEqual({ year: 2007, month: 11, day: 22 });
  });
});
