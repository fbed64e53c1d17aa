/**
 * How old a person is, from their birth date: the verifier's side of where age is decided (what
 * a token says about age, and what a checker may want of it, is the shared contract's:
 * protocol/age.ts).
 *
 * The two ages Korean law counts, both on today's date in Asia/Seoul:
 * - 만 나이 (international age, completed years): the Civil Act (adults at 19) and the Personal
 *   Information Protection Act (consent at 14), and every law since the 2023 reform unless it says otherwise;
 * - 연 나이 (the year rule): the Youth Protection Act (청소년보호법 제2조 제1호) counts someone as a
 *   청소년 until 1 January of the year they turn 19, so alcohol, tobacco and "19세 이상" content gates
 *   compare this year with the birth year.
 * Seoul has no daylight saving time, so its date is UTC+9 all year.
 */
import type { AgeRule } from '../../protocol/age.ts';

const SEOUL_OFFSET_MS = 9 * 60 * 60 * 1000;

export interface CalendarDate { year: number; month: number; day: number }

export function seoulDate(epochMs: number): CalendarDate {
  const shifted = new Date(epochMs + SEOUL_OFFSET_MS);
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** `YYYY-MM-DD` → a real calendar date, or undefined (so 2001-02-29 is refused). */
export function parseIsoDate(text: string): CalendarDate | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  return { year, month, day };
}

/** The legacy `birth` field: unix seconds of the birth date, taken as a date in Seoul. */
export function birthDateFromUnixSeconds(seconds: number): CalendarDate {
  return seoulDate(seconds * 1000);
}

/**
 * Completed years between `birth` and `today`. Comparing (month, day) pairs also gives the
 * 29 February rule for free: in a common year, 28 February is still before (2, 29), and
 * 1 March is after it, so the person turns a year older on 1 March.
 */
export function internationalAge(birth: CalendarDate, today: CalendarDate): number {
  const hadBirthdayThisYear = today.month > birth.month || (today.month === birth.month && today.day >= birth.day);
  return today.year - birth.year - (hadBirthdayThisYear ? 0 : 1);
}

/**
 * 연 나이: this year minus the birth year. On 2 January 2026 someone born on 31 December 2007
 * is 19 by this rule (no longer a 청소년) though their 만 나이 is 18.
 */
export function yearAge(birth: CalendarDate, today: CalendarDate): number {
  return today.year - birth.year;
}

/**
 * The one age a site asked the verifier to check of a person, and under which rule: `min_age`
 * (만 나이, claim `age_over`) or `min_year_age` (연 나이, claim `year_age_over`).
 */
export type AskedAge = { rule: AgeRule; min: number };

/** The person's age under the rule, today in Seoul. */
export function ageByRule(rule: AgeRule, birth: CalendarDate, today: CalendarDate): number {
  return rule === 'age' ? internationalAge(birth, today) : yearAge(birth, today);
}
