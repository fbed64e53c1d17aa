import { describe, expect, it } from 'vitest';
import { ageByRule, birthDateFromUnixSeconds, internationalAge, parseIsoDate, seoulDate, yearAge } from '../../worker/checks/age.ts';
import { findPerson } from '../../worker/sandbox/persons.ts';

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

describe('the Youth Protection Act\'s year rule (연 나이)', () => {
  it('makes someone born on 31 December 19 by the year rule on 2 January, while their 만 나이 is 18', () => {
    const birth = date('2007-12-31');
    const today = date('2026-01-02');
    expect(yearAge(birth, today)).toBe(19);
    expect(internationalAge(birth, today)).toBe(18);
  });

  it('changes at midnight of 1 January Seoul time, not UTC', () => {
    const birth = date('2007-12-31');
    expect(yearAge(birth, seoulDate(seoul('2025-12-31T23:59')))).toBe(18);
    expect(yearAge(birth, seoulDate(seoul('2026-01-01T00:00')))).toBe(19);
    // At 00:00 on 1 January in Seoul, UTC still shows 31 December.
    expect(new Date(seoul('2026-01-01T00:00')).getUTCFullYear()).toBe(2025);
  });

  it('counts a 29 February birth from 1 January like any other date of that year', () => {
    const birth = date('2008-02-29');
    expect(yearAge(birth, seoulDate(seoul('2026-12-31T23:59')))).toBe(18);
    expect(yearAge(birth, seoulDate(seoul('2027-01-01T00:00')))).toBe(19);
    expect(internationalAge(birth, date('2027-01-01'))).toBe(18);
  });

  it('never makes someone younger than their 만 나이', () => {
    for (const [born, today] of [['2007-01-01', '2026-01-01'], ['2007-06-15', '2026-06-14'], ['2007-12-31', '2026-12-31']] as const) {
      expect(yearAge(date(born), date(today))).toBeGreaterThanOrEqual(internationalAge(date(born), date(today)));
    }
  });

  it('is chosen by the rule a site asked for', () => {
    const birth = date('2007-12-31');
    const today = date('2026-01-02');
    expect(ageByRule('age', birth, today)).toBe(18);
    expect(ageByRule('year_age', birth, today)).toBe(19);
  });
});

describe('the sandbox persons for the two rules and the guardian step', () => {
  const today = (text: string) => date(text);
  const birthOf = (id: string, on: string) => date(findPerson(id)!.birthday(today(on)));

  it('has a person who passes the year rule at 19 and not 만 나이 at 19, every day but 31 December', () => {
    for (const on of ['2026-01-01', '2026-07-15', '2026-12-30', '2028-02-29']) {
      expect(yearAge(birthOf('year_age_19', on), today(on))).toBe(19);
      expect(internationalAge(birthOf('year_age_19', on), today(on))).toBe(18);
    }
    // On 31 December the birthday has come: both rules say 19.
    expect(internationalAge(birthOf('year_age_19', '2026-12-31'), today('2026-12-31'))).toBe(19);
  });

  it('has a child under 14 and an adult guardian who are different people', () => {
    const on = '2026-12-02';
    expect(internationalAge(birthOf('child_10', on), today(on))).toBeLessThan(14);
    expect(internationalAge(birthOf('guardian', on), today(on))).toBeGreaterThanOrEqual(19);
    expect(findPerson('child_10')!.ci).not.toBe(findPerson('guardian')!.ci);
  });
});
