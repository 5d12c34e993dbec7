/**
 * The identity registry on its own (PGlite): what a run's batches of records write into `persons`
 * and `guardian_links`, and what they leave alone when nothing changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeIdentities } from '../src/identity/registry.ts';
import { type CanonicalRecord, checkRecord } from '../src/model/index.ts';
import {
  type Database,
  guardianKeyOf,
  guardianLinksOf,
  type Keyring,
  loadKeyring,
  peopleByKeys,
} from '../src/store/index.ts';
import { memoryDatabase } from './support/memory-database.ts';

const SCHOOL = '79NB0001';
const FATHER = '079083001234';
const MOTHER = '079185002345';
const source = { adapter: 'excel', schoolCode: SCHOOL, pulledAt: '2026-11-20T08:00:00+07:00' };

function student(
  guardianOverrides: { fatherName?: string; motherRelationship?: string } = {},
): CanonicalRecord {
  const check = checkRecord(
    {
      type: 'student',
      key: 'smas-nbk:HS-0001',
      source,
      schoolCode: SCHOOL,
      studentCode: '7900012345',
      personalId: '079213004521',
      fullName: 'Nguyễn Minh Khôi',
      birthDate: '2013-04-02',
      gender: 'male',
      ethnicityCode: '01',
      className: '8A2',
      schoolYear: '2026-2027',
      status: 'studying',
      guardians: [
        {
          relationship: 'father',
          fullName: guardianOverrides.fatherName ?? 'Nguyễn Văn Hùng',
          personalId: FATHER,
        },
        {
          relationship: guardianOverrides.motherRelationship ?? 'mother',
          fullName: 'Trần Thị Lan',
          personalId: MOTHER,
        },
      ],
    },
    { asOf: new Date('2026-11-27T00:00:00Z') },
  );
  if (!check.record) throw new Error(JSON.stringify(check.problems));
  return check.record;
}

let db: Database;
let keyring: Keyring;

beforeAll(async () => {
  db = await memoryDatabase();
  keyring = loadKeyring({ NODE_ENV: 'test' }, () => {});
});

afterAll(async () => {
  await db.close();
});

const updatedAt = async () =>
  (
    await db.kysely.selectFrom('persons').select(['record_key', 'updated_at']).orderBy('record_key').execute()
  ).map((r) => `${r.record_key}@${r.updated_at.toISOString()}`);

describe('identity registry', () => {
  it('registers a student, both parents and the links at first sight, then nothing on a scan where nothing changed', async () => {
    const first = await observeIdentities(db, keyring, [student()]);
    expect(first).toHaveLength(3);
    const father = guardianKeyOf(keyring, FATHER);
    const mother = guardianKeyOf(keyring, MOTHER);
    const people = await peopleByKeys(db, keyring, SCHOOL, ['smas-nbk:HS-0001', father, mother]);
    expect(people.map((p) => [p.role, p.status]).sort()).toEqual([
      ['guardian', 'unchecked'],
      ['guardian', 'unchecked'],
      ['student', 'unchecked'],
    ]);
    expect(people.find((p) => p.recordKey === father)?.personalId).toBe(FATHER);
    const links = await guardianLinksOf(db, { schoolCode: SCHOOL, studentKey: 'smas-nbk:HS-0001' });
    expect(links.map((l) => [l.guardianKey, l.relationship]).sort()).toEqual(
      [
        [father, 'father'],
        [mother, 'mother'],
      ].sort(),
    );

    const before = await updatedAt();
    expect(await observeIdentities(db, keyring, [student()])).toEqual([]);
    expect(await updatedAt()).toEqual(before);
  });

  it('a guardian renamed on the student’s record makes that guardian and the student due again', async () => {
    const due = await observeIdentities(db, keyring, [student({ fatherName: 'Nguyễn Văn Hưng' })]);
    const father = guardianKeyOf(keyring, FATHER);
    const [student1, father1, mother1] = await peopleByKeys(db, keyring, SCHOOL, [
      'smas-nbk:HS-0001',
      father,
      guardianKeyOf(keyring, MOTHER),
    ]).then((rows) =>
      ['smas-nbk:HS-0001', father, guardianKeyOf(keyring, MOTHER)].map((k) =>
        rows.find((r) => r.recordKey === k),
      ),
    );
    expect(new Set(due)).toEqual(new Set([student1!.id, father1!.id]));
    expect(father1!.facts?.fullName).toBe('Nguyễn Văn Hưng');
    expect(mother1!.facts?.fullName).toBe('Trần Thị Lan');
  });

  it('as a sync run calls it (due: false) it registers the change the same and answers nothing', async () => {
    const father = guardianKeyOf(keyring, FATHER);
    const before = (await peopleByKeys(db, keyring, SCHOOL, [father]))[0]!;
    expect(
      await observeIdentities(db, keyring, [student({ fatherName: 'Nguyễn Văn Hải' })], { due: false }),
    ).toEqual([]);
    const after = (await peopleByKeys(db, keyring, SCHOOL, [father]))[0]!;
    expect(after.id).toBe(before.id);
    expect(after.facts?.fullName).toBe('Nguyễn Văn Hải');
    expect(after.status).toBe('unchecked');
    // Back to the name the next case starts from, the same way.
    await observeIdentities(db, keyring, [student({ fatherName: 'Nguyễn Văn Hưng' })], { due: false });
    expect((await peopleByKeys(db, keyring, SCHOOL, [father]))[0]!.facts?.fullName).toBe('Nguyễn Văn Hưng');
  });

  it('a relationship changed on the student’s record reaches the link', async () => {
    await observeIdentities(db, keyring, [
      student({ fatherName: 'Nguyễn Văn Hưng', motherRelationship: 'guardian' }),
    ]);
    const links = await guardianLinksOf(db, { schoolCode: SCHOOL, studentKey: 'smas-nbk:HS-0001' });
    expect(links.find((l) => l.guardianKey === guardianKeyOf(keyring, MOTHER))?.relationship).toBe(
      'guardian',
    );
  });
});
