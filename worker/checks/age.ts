/**
 * International age (만 나이) on today's date in Asia/Seoul, the rule Korean law uses since 2023.
 * Seoul has no daylight saving time, so its date is UTC+9 all year.
 */
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
