/**
 * What a sync run tells the identity store: the people it saw (teachers, students, guardians) with
 * the facts a check compares, and the student ↔ guardian links the school declares. The run calls
 * `observe` with each batch of valid records; someone new, or whose identity data changed, comes
 * back as due for a check.
 */
import type { CanonicalRecord } from '../model/index.ts';
import {
  blindIndex,
  changedPeople,
  type Database,
  type GuardianLinkInput,
  guardianKeyFromIndex,
  type IdentityPersonInput,
  type Keyring,
  normalisePersonalId,
  registerGuardianLinks,
  upsertPeople,
} from '../store/index.ts';

export interface ObservedIdentities {
  /** Teachers, students and guardians kept as records of their own. */
  people: IdentityPersonInput[];
  /** The student records among them, by `school\u0000key`: their guardians come from `familyOf`. */
  students: Map<string, StudentRecord>;
  /** Links a source keeps as records of their own (`guardianship`): always registered. */
  separateLinks: GuardianLinkInput[];
}

type StudentRecord = Extract<CanonicalRecord, { type: 'student' }>;

/**
 * What a student's record says of its guardians, as one string for the student's facts HMAC: when
 * it is unchanged, so are the guardians and links it declares, and none of them is looked at again
 * (no blind index computed, no row read). A change to any guardian makes the student changed.
 */
function familyDigest(record: StudentRecord): string {
  return JSON.stringify(
    record.guardians.map((g) => [
      g.personalId ? normalisePersonalId(g.personalId) : null,
      g.fullName.normalize('NFC'),
      g.birthDate ?? null,
      g.relationship,
    ]),
  );
}

/**
 * The guardians written on a student's own record (the MOET layout) and the links to them. They
 * have no key of their own: one is made from the ID, so the same parent of two children is one
 * guardian.
 */
export function familyOf(
  keyring: Keyring,
  record: StudentRecord,
): { guardians: IdentityPersonInput[]; links: GuardianLinkInput[] } {
  const guardians: IdentityPersonInput[] = [];
  const links: GuardianLinkInput[] = [];
  for (const guardian of record.guardians) {
    const index = guardian.personalId ? blindIndex(keyring, guardian.personalId) : undefined;
    const guardianKey = index
      ? guardianKeyFromIndex(index)
      : `guardian:${record.key}:${guardian.relationship}`;
    guardians.push({
      schoolCode: record.schoolCode,
      role: 'guardian',
      recordKey: guardianKey,
      personalId: guardian.personalId ?? null,
      ...(index ? { personalIdIndex: index } : {}),
      facts: {
        fullName: guardian.fullName,
        ...(guardian.birthDate ? { birthDate: guardian.birthDate } : {}),
      },
    });
    links.push({
      schoolCode: record.schoolCode,
      studentKey: record.key,
      guardianKey,
      relationship: guardian.relationship,
    });
  }
  return { guardians, links };
}

/** The identities in a batch of canonical records (records of other types are ignored). */
export function identitiesOf(records: readonly CanonicalRecord[]): ObservedIdentities {
  const people: IdentityPersonInput[] = [];
  const students = new Map<string, StudentRecord>();
  const separateLinks: GuardianLinkInput[] = [];
  for (const record of records) {
    switch (record.type) {
      case 'teacher':
        people.push({
          schoolCode: record.schoolCode,
          role: 'teacher',
          recordKey: record.key,
          personalId: record.personalId ?? null,
          facts: {
            fullName: record.fullName,
            ...(record.birthDate ? { birthDate: record.birthDate } : {}),
            ...(record.gender ? { gender: record.gender } : {}),
            code: record.teacherCode,
          },
        });
        break;
      case 'student':
        students.set(`${record.schoolCode}\u0000${record.key}`, record);
        people.push({
          schoolCode: record.schoolCode,
          role: 'student',
          recordKey: record.key,
          personalId: record.personalId ?? null,
          facts: {
            fullName: record.fullName,
            birthDate: record.birthDate,
            gender: record.gender,
            code: record.studentCode,
          },
          digest: familyDigest(record),
        });
        break;
      case 'person':
        people.push({
          schoolCode: record.schoolCode,
          role: 'guardian',
          recordKey: record.key,
          personalId: record.personalId ?? null,
          facts: {
            fullName: record.fullName,
            ...(record.birthDate ? { birthDate: record.birthDate } : {}),
            ...(record.gender ? { gender: record.gender } : {}),
          },
        });
        break;
      case 'guardianship':
        separateLinks.push({
          schoolCode: record.schoolCode,
          studentKey: record.studentKey,
          guardianKey: record.guardianKey,
          relationship: record.relationship,
        });
        break;
      default:
        break;
    }
  }
  return { people, students, separateLinks };
}

/**
 * Registers a batch's identities. Returns the people due for a check (new or changed, with an ID
 * number to check), which the caller queues.
 *
 * Order matters for a crash half-way: links first, then every changed person in one statement,
 * students included, so a student is never recorded unchanged while its guardians or links are
 * missing.
 */
export async function observeIdentities(
  db: Database,
  keyring: Keyring,
  records: readonly CanonicalRecord[],
  /** False: the caller does not need who is due (a sync run), and the upsert returns nothing. */
  options: { due?: boolean } = {},
): Promise<string[]> {
  const { people, students, separateLinks } = identitiesOf(records);
  if (people.length === 0 && separateLinks.length === 0) return [];
  const changed = await changedPeople(db, keyring, people);
  const guardians: IdentityPersonInput[] = [];
  const links: GuardianLinkInput[] = [];
  for (const { person } of changed) {
    const student =
      person.role === 'student' && students.get(`${person.schoolCode}\u0000${person.recordKey}`);
    if (!student) continue;
    const family = familyOf(keyring, student);
    guardians.push(...family.guardians);
    links.push(...family.links);
  }
  const changedGuardians = await changedPeople(db, keyring, guardians);
  await registerGuardianLinks(db, [...links, ...separateLinks]);
  const toCheck = await upsertPeople(db, keyring, [...changedGuardians, ...changed], {
    returning: options.due !== false,
  });
  return toCheck.filter((p) => p.hasPersonalId).map((p) => p.id);
}
