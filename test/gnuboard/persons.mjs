// What no site database may hold: every sandbox test person's name, phone number, birth date (as the
// upstream gives it and as Gnuboard would store it), CI and DI, read from the sandbox's own list.
import { createHash } from 'node:crypto';
import { importTs } from '../../scripts/lib/import-ts.mjs';

const [{ TEST_PERSONS }, { seoulDate }] = await importTs(['worker/sandbox/persons.ts', 'worker/checks/age.ts']);
const today = seoulDate(Date.now());

/** [{ id, secrets: { name, phone, ci, di, md5(CI.CI) (Gnuboard's own dupinfo), birthday, 'birthday (YYYYMMDD)' } }], empty values left out. */
export const TEST_PERSON_SECRETS = TEST_PERSONS.map((person) => {
  const birthday = person.birthday(today);
  const secrets = {
    name: person.name, phone: person.phone, ci: person.ci, di: person.di,
    'md5(CI.CI)': person.ci && createHash('md5').update(person.ci + person.ci).digest('hex'), birthday, 'birthday (YYYYMMDD)': birthday.replaceAll('-', ''),
  };
  return { id: person.id, secrets: Object.fromEntries(Object.entries(secrets).filter(([, value]) => typeof value === 'string' && value.length > 0)) };
});
