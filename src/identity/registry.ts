/**
 * What a sync run tells the identity store: the people it saw (teachers, students, guardians) with
 * the facts a check compares, and the student ↔ guardian links the school declares. The run calls
 * `observe` with each batch of valid records; someone new, or whose identity data changed, comes
 * back as due for a check.
 */
import type { CanonicalRecord } from '../model/index.ts';
import {
  type Database,
  type GuardianLinkInput,
  guardianKeyOf,
  type IdentityPersonInput,
  type Keyring,
  registerGuardianLinks,
  registerPeople,
} from '../store/index.ts';

export interface ObservedIdentities {
  people: IdentityPersonInput[];
  /** Links written on a student's record: registered only when that student changed. */
  links: GuardianLinkInput[];
  /** Links a source keeps as records of their own (`guardianship`): always registered. */
  separateLinks: GuardianLinkInput[];
}

/** The identities in a batch of canonical records (records of other types are ignored). */
export function identitiesOf(keyring: Keyring, records: readonly CanonicalRecord[]): ObservedIdentities {
  const people: IdentityPersonInput[] = [];
  const links: GuardianLinkInput[] = [];
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
      case 'student': {
        // Guardians written on the student's own record (the MOET layout) have no key of their
        // own: one is made from the ID, so the same parent of two children is one guardian.
        const own: GuardianLinkInput[] = [];
        for (const guardian of record.guardians) {
          const guardianKey = guardian.personalId
            ? guardianKeyOf(keyring, guardian.personalId)
            : `guardian:${record.key}:${guardian.relationship}`;
          people.push({
            schoolCode: record.schoolCode,
            role: 'guardian',
            recordKey: guardianKey,
            personalId: guardian.personalId ?? null,
            facts: {
              fullName: guardian.fullName,
              ...(guardian.birthDate ? { birthDate: guardian.birthDate } : {}),
            },
          });
          own.push({
            schoolCode: record.schoolCode,
            studentKey: record.key,
            guardianKey,
            relationship: guardian.relationship,
          });
        }
        links.push(...own);
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
          digest: own.map((l) => `${l.guardianKey}=${l.relationship}`).join(','),
        });
        break;
      }
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
  return { people, links, separateLinks };
}

/**
 * Registers a batch's identities. Returns the people due for a check (new or changed, with an ID
 * number to check), which the caller queues.
 */
export async function observeIdentities(
  db: Database,
  keyring: Keyring,
  records: readonly CanonicalRecord[],
): Promise<string[]> {
  const { people, links, separateLinks } = identitiesOf(keyring, records);
  if (people.length === 0 && separateLinks.length === 0) return [];
  const { toCheck, changedKeys } = await registerPeople(db, keyring, people);
  // A student whose facts and links are unchanged has the links already: only changed ones write.
  await registerGuardianLinks(db, [
    ...links.filter((l) => changedKeys.has(`${l.schoolCode}\u0000${l.studentKey}`)),
    ...separateLinks,
  ]);
  return toCheck.filter((p) => p.hasPersonalId).map((p) => p.id);
}
