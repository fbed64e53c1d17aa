/**
 * The sandbox's test persons. Every name, number and key below is made up; CIs and DIs
 * are shaped like real ones (88 and 64 characters of base64). Birthdays that must stay
 * true whatever the date ("17 years old", "turns 19 today") are computed in Seoul time.
 */
import { seoulDate, type CalendarDate } from '../checks/age.ts';

export type PersonId =
  | 'adult' | 'minor_17' | 'turns_19_today' | 'year_age_19' | 'leap_day' | 'child_10' | 'guardian'
  | 'foreigner' | 'no_ci' | 'inicis_no_di' | 'not_certified' | 'pg_error';

export interface TestPerson {
  id: PersonId;
  label: { ko: string; en: string };
  /** What the verification does: certify, record an unsuccessful one, or fail in the PG before any record. */
  outcome: 'certified' | 'not_certified' | 'pg_error';
  pgProvider: 'danal' | 'inicis_unified';
  name: string;
  gender: 'male' | 'female';
  birthday: (today: CalendarDate) => string;
  phone: string | undefined;
  carrier: 'SKT' | 'KT' | 'LGT' | 'SKT_MVNO' | 'KT_MVNO' | 'LGT_MVNO' | undefined;
  /** V1 `foreigner_v2` / V2 `isForeigner`: undefined when the option is not contracted. */
  foreigner: boolean | undefined;
  ci: string | undefined;
  di: string | undefined;
}

const iso = (year: number, month: number, day: number) =>
  `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/** A birthday that makes the person exactly `years` old today (half a year from either birthday). */
function aged(years: number) {
  return (today: CalendarDate) => {
    const birth = new Date(Date.UTC(today.year, today.month - 1, today.day) - (years + 0.5) * 365.25 * 86_400_000);
    return iso(birth.getUTCFullYear(), birth.getUTCMonth() + 1, birth.getUTCDate());
  };
}

/** A fake CI: 88 characters of base64 (64 bytes), derived from a seed. */
function fakeKey(seed: string, bytes: number): string {
  let state = 2166136261;
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) {
    for (const char of `${seed}:${i}`) state = Math.imul(state ^ char.charCodeAt(0), 16777619) >>> 0;
    out[i] = state & 0xff;
  }
  return btoa(String.fromCharCode(...out));
}

const ci = (seed: string) => fakeKey(`ci:${seed}`, 64);
const di = (seed: string) => fakeKey(`di:${seed}`, 48);

export const TEST_PERSONS: readonly TestPerson[] = [
  {
    id: 'adult', label: { ko: '성인 (34세)', en: 'Adult (34)' }, outcome: 'certified', pgProvider: 'danal',
    name: '김테스트', gender: 'male', birthday: aged(34),
    phone: '01000000001', carrier: 'SKT', foreigner: undefined, ci: ci('adult'), di: di('adult'),
  },
  {
    id: 'minor_17', label: { ko: '미성년자 (17세)', en: 'Minor (17)' }, outcome: 'certified', pgProvider: 'danal',
    name: '이미성', gender: 'female', birthday: aged(17),
    phone: '01000000002', carrier: 'KT', foreigner: undefined, ci: ci('minor'), di: di('minor'),
  },
  {
    id: 'turns_19_today', label: { ko: '오늘 만 19세', en: 'Turns 19 today' }, outcome: 'certified', pgProvider: 'danal',
    name: '박생일', gender: 'male',
    // On 29 February, "19 years ago today" does not exist; 28 February keeps the person 19.
    birthday: (t) => (t.month === 2 && t.day === 29 ? iso(t.year - 19, 2, 28) : iso(t.year - 19, t.month, t.day)),
    phone: '01000000003', carrier: 'LGT', foreigner: undefined, ci: ci('turns19'), di: di('turns19'),
  },
  {
    id: 'year_age_19', label: { ko: '연 나이 19세 (만 18세, 12월 31일생)', en: 'Year-age 19 (만 18, born 31 December)' },
    outcome: 'certified', pgProvider: 'danal', name: '송연말', gender: 'female',
    // Born on the last day of the year that makes them 19 by the Youth Protection Act's year rule
    // and 18 by 만 나이 every day but 31 December itself (when both rules say 19).
    birthday: (t) => iso(t.year - 19, 12, 31),
    phone: '01000000010', carrier: 'SKT', foreigner: undefined, ci: ci('yearage19'), di: di('yearage19'),
  },
  {
    id: 'leap_day', label: { ko: '2월 29일생 (2008년)', en: 'Born 29 February 2008' }, outcome: 'certified', pgProvider: 'danal',
    name: '윤이월', gender: 'female', birthday: () => '2008-02-29',
    phone: '01000000004', carrier: 'SKT_MVNO', foreigner: undefined, ci: ci('leap'), di: di('leap'),
  },
  {
    id: 'child_10', label: { ko: '어린이 (10세, 보호자 동의 필요)', en: 'Child (10, needs a guardian)' }, outcome: 'certified',
    pgProvider: 'danal', name: '조어린', gender: 'male', birthday: aged(10),
    phone: '01000000011', carrier: 'LGT', foreigner: undefined, ci: ci('child10'), di: di('child10'),
  },
  {
    id: 'guardian', label: { ko: '보호자 (45세)', en: 'Guardian (45)' }, outcome: 'certified', pgProvider: 'danal',
    name: '조보호', gender: 'female', birthday: aged(45),
    phone: '01000000012', carrier: 'KT', foreigner: undefined, ci: ci('guardian'), di: di('guardian'),
  },
  {
    id: 'foreigner', label: { ko: '외국인 (성인)', en: 'Foreigner (adult)' }, outcome: 'certified', pgProvider: 'danal',
    name: 'TEST FOREIGNER', gender: 'female', birthday: aged(28),
    phone: '01000000005', carrier: 'KT_MVNO', foreigner: true, ci: ci('foreigner'), di: di('foreigner'),
  },
  {
    id: 'no_ci', label: { ko: 'CI 없음', en: 'No CI' }, outcome: 'certified', pgProvider: 'danal',
    name: '최무키', gender: 'male', birthday: aged(40),
    phone: undefined, carrier: undefined, foreigner: undefined, ci: undefined, di: undefined,
  },
  {
    id: 'inicis_no_di', label: { ko: 'KG이니시스 (DI 없음)', en: 'KG Inicis (no DI)' }, outcome: 'certified', pgProvider: 'inicis_unified',
    name: '정이니', gender: 'female', birthday: aged(25),
    phone: '01000000007', carrier: 'LGT_MVNO', foreigner: false, ci: ci('inicis'), di: undefined,
  },
  {
    id: 'not_certified', label: { ko: '인증 실패 (기록 있음)', en: 'Not certified' }, outcome: 'not_certified', pgProvider: 'danal',
    name: '한실패', gender: 'male', birthday: aged(30),
    phone: undefined, carrier: undefined, foreigner: undefined, ci: ci('failed'), di: di('failed'),
  },
  {
    id: 'pg_error', label: { ko: 'PG 오류', en: 'PG error' }, outcome: 'pg_error', pgProvider: 'danal',
    name: '', gender: 'male', birthday: () => '', phone: undefined, carrier: undefined, foreigner: undefined, ci: undefined, di: undefined,
  },
];

export function findPerson(id: string): TestPerson | undefined {
  return TEST_PERSONS.find((person) => person.id === id);
}

export function birthdayToday(person: TestPerson, nowMs: number): string {
  return person.birthday(seoulDate(nowMs));
}
