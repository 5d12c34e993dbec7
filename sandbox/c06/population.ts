/**
 * C06's population for a generated district: every student, teacher and guardian with an ID
 * number, as the national population DB would hold them, with the discrepancies real records have
 * against a school's (deterministic by seed, listed so tests know what to expect):
 * - `spelling`: C06 holds one word of the name without its diacritics ("Nguyen" for "Nguyễn");
 *   the hub's name comparison calls it `diacritics_only`;
 * - `tone_placement`: the other tone-mark convention (Hoà↔Hòa, Thuỷ↔Thủy, Khoẻ↔Khỏe), the same
 *   spelling for the hub;
 * - `wrong_birth_date`: C06's birth date is a day later;
 * - `unknown`: the ID is not in C06 at all;
 * - `not_registered_guardian`: a guardian the school lists is not `Cha`/`Me`/`NguoiDaiDien` of
 *   that student in C06 (`personalId` is the student's, `guardianPersonalId` the guardian's).
 *
 * Names are held in upper case by default, as C06 answers (a public sample: "ĐÀO VĂN TÀI").
 * A student's father and mother (`relationship` father/mother) are its `Cha` and `Me`, a
 * `guardian` its `NguoiDaiDien`; guardians come inline (`student.guardians[]`) or as `person`
 * records linked by `guardianship` records.
 *
 * @example
 * const { citizens, discrepancies } = populationFromRecords(records, { seed: 7 });
 * const c06 = await startC06Sandbox({ population: citizens });
 */
import { readPersonalIdFacts } from '../../src/model/personal-id.ts';
import type { CanonicalRecord, Person, Student, Teacher } from '../../src/model/records.ts';
import { Random } from '../generator/random.ts';
import type { SandboxCitizen, SandboxRelative } from './server.ts';

export type DiscrepancyKind =
  | 'spelling'
  | 'tone_placement'
  | 'wrong_birth_date'
  | 'unknown'
  | 'not_registered_guardian';

export interface PopulationDiscrepancy {
  /** The citizen the discrepancy is about (for `not_registered_guardian`, the student). */
  personalId: string;
  kind: DiscrepancyKind;
  /** `not_registered_guardian`: the guardian C06 does not link to the student. */
  guardianPersonalId?: string;
}

export interface PopulationOptions {
  /** Default 1. */
  seed?: number;
  /** Every n-th citizen whose name has diacritics (default 20; 0 = none). */
  spellingEvery?: number;
  /** Every n-th citizen whose name has an oa/oe/uy syllable with a tone (default 3; 0 = none). */
  tonePlacementEvery?: number;
  /** Every n-th citizen (default 25; 0 = none). */
  wrongBirthDateEvery?: number;
  /** Every n-th citizen (default 30; 0 = none). */
  unknownEvery?: number;
  /** Every n-th student with a registered guardian (default 15; 0 = none). */
  notRegisteredGuardianEvery?: number;
  /** `upper` (default) as C06 answers, or the school's case. */
  nameCase?: 'upper' | 'as-is';
}

export interface Population {
  citizens: SandboxCitizen[];
  discrepancies: PopulationDiscrepancy[];
}

type Role = 'student' | 'teacher' | 'guardian' | 'person';
type RelativeSlot = 'father' | 'mother' | 'representative';

interface Draft {
  citizen: SandboxCitizen;
  role: Role;
  /** Guardian links of a student: slot → guardian's ID. */
  links: Map<RelativeSlot, string>;
}

const SLOT_OF = { father: 'father', mother: 'mother', guardian: 'representative' } as const;

/** An ID as C06 holds it: 12 digits (an Excel-dropped leading zero restored), or null. */
function idOf(raw: unknown): string | null {
  if (raw === undefined || raw === null) return null;
  const digits = String(raw).replace(/[\s.-]/g, '');
  if (/^\d{11}$/.test(digits)) return `0${digits}`;
  return /^\d{12}$/.test(digits) ? digits : null;
}

const cleanName = (name: string) => name.normalize('NFC').replace(/\s+/g, ' ').trim();

/** A birth date for someone the school records without one: in the ID's year, a day from the ID. */
function birthDateFromId(id: string): string {
  const { birthYear } = readPersonalIdFacts(id);
  const n = Number(id.slice(6));
  const month = (n % 12) + 1;
  const day = (Math.floor(n / 12) % 28) + 1;
  return `${birthYear}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The day after an ISO date. */
export function nextDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

const MARKS = /\p{M}/gu;
const hasMarks = (word: string) => /[đĐ]/.test(word) || /\p{M}/u.test(word.normalize('NFD'));

/** The name with the diacritics of its first marked word removed ("Nguyễn Văn An" → "Nguyen Văn An"). */
export function dropDiacriticsOfOneWord(name: string): string | undefined {
  const words = name.split(' ');
  const at = words.findIndex(hasMarks);
  if (at < 0) return undefined;
  words[at] = words[at]!.normalize('NFD').replace(MARKS, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
  return words.join(' ').normalize('NFC');
}

const TONES = '\u0300\u0301\u0303\u0309\u0323';
// An open syllable ending in oa, oe or uy, the tone on either vowel; not after "q" (in "quý" the
// u is the onset, and the tone sits on the y whatever the convention).
const OPEN_PAIR = new RegExp(`^(.*?)([oOuU])([${TONES}]?)([aAeEyY])([${TONES}]?)$`, 'u');

/** One word in the other tone-mark convention (Hoà↔Hòa, Thuỷ↔Thủy), or undefined. */
function swapToneOfWord(word: string): string | undefined {
  const m = OPEN_PAIR.exec(word.normalize('NFD'));
  if (!m) return undefined;
  const [, onset, v1, t1, v2, t2] = m as unknown as [string, string, string, string, string, string];
  const pair = (v1 + v2).toLowerCase();
  if (!['oa', 'oe', 'uy'].includes(pair) || (t1 === '') === (t2 === '')) return undefined;
  // Only consonants before the pair: "khuỷu" or "ngoài" are other shapes.
  if (/[aeiouy\p{M}]/iu.test(onset) || /q$/i.test(onset)) return undefined;
  const swapped = t1 !== '' ? `${onset}${v1}${v2}${t1}` : `${onset}${v1}${t2}${v2}`;
  return swapped.normalize('NFC');
}

/** The name with its first oa/oe/uy syllable in the other convention, or undefined. */
export function swapTonePlacement(name: string): string | undefined {
  const words = name.split(' ');
  for (let i = 0; i < words.length; i++) {
    const swapped = swapToneOfWord(words[i]!);
    if (swapped !== undefined) {
      words[i] = swapped;
      return words.join(' ');
    }
  }
  return undefined;
}

/** Every n-th candidate from a seeded start within the first n (so one candidate is enough). */
function everyNth<T>(candidates: readonly T[], n: number, random: Random): T[] {
  if (n <= 0 || candidates.length === 0) return [];
  const start = random.int(Math.min(n, candidates.length));
  return candidates.filter((_, i) => i >= start && (i - start) % n === 0);
}

export function populationFromRecords(
  records: Iterable<CanonicalRecord>,
  options: PopulationOptions = {},
): Population {
  const seed = options.seed ?? 1;
  const drafts = new Map<string, Draft>();
  const all = [...records];
  const personIds = new Map<string, string>();
  const studentIds = new Map<string, string>();

  const add = (
    id: string,
    role: Role,
    fields: Omit<SandboxCitizen, 'personalId' | 'birthDate'> & { birthDate?: string | undefined },
  ) => {
    const existing = drafts.get(id);
    if (existing) return existing;
    const { birthDate, ...rest } = fields;
    const facts = readPersonalIdFacts(id);
    const citizen: SandboxCitizen = {
      personalId: id,
      ...rest,
      fullName: cleanName(fields.fullName),
      birthDate: birthDate ?? birthDateFromId(id),
      gender: fields.gender ?? facts.gender,
    };
    if (!citizen.ethnicityCode) delete citizen.ethnicityCode;
    const draft: Draft = { citizen, role, links: new Map() };
    drafts.set(id, draft);
    return draft;
  };

  const link = (student: Draft, relationship: keyof typeof SLOT_OF, guardianId: string) => {
    const slot = SLOT_OF[relationship];
    if (!student.links.has(slot) && guardianId !== student.citizen.personalId) {
      student.links.set(slot, guardianId);
    }
  };

  for (const r of all) {
    if (r.type === 'student') {
      const s = r as Student;
      const id = idOf(s.personalId);
      if (!id) continue;
      studentIds.set(s.key, id);
      const draft = add(id, 'student', {
        fullName: s.fullName,
        birthDate: s.birthDate,
        gender: s.gender,
        ethnicityCode: s.ethnicityCode,
      });
      for (const g of s.guardians ?? []) {
        const gid = idOf(g.personalId);
        if (!gid || gid === id) continue;
        add(gid, 'guardian', {
          fullName: g.fullName,
          birthDate: g.birthDate,
          ...(g.relationship === 'father' ? { gender: 'male' as const } : {}),
          ...(g.relationship === 'mother' ? { gender: 'female' as const } : {}),
          ethnicityCode: s.ethnicityCode,
        });
        link(draft, g.relationship, gid);
      }
    } else if (r.type === 'teacher') {
      const t = r as Teacher;
      const id = idOf(t.personalId);
      if (!id) continue;
      add(id, 'teacher', {
        fullName: t.fullName,
        birthDate: t.birthDate,
        gender: t.gender,
        ethnicityCode: t.ethnicityCode,
      });
    } else if (r.type === 'person') {
      const p = r as Person;
      const id = idOf(p.personalId);
      if (!id) continue;
      personIds.set(p.key, id);
      add(id, 'person', { fullName: p.fullName, birthDate: p.birthDate, gender: p.gender });
    }
  }
  for (const r of all) {
    if (r.type !== 'guardianship') continue;
    const studentId = studentIds.get(r.studentKey);
    const guardianId = personIds.get(r.guardianKey);
    const student = studentId ? drafts.get(studentId) : undefined;
    if (student && guardianId) link(student, r.relationship, guardianId);
  }

  // Legacy 9-digit card numbers (CMND) for adults who had one before the 12-digit ID: most born
  // before 1995. Its own random stream, so the discrepancies do not move with it.
  const legacy = new Random(seed, 0xc06, 1);
  for (const d of drafts.values()) {
    const year = Number(d.citizen.birthDate.slice(0, 4));
    if (d.role !== 'student' && year < 1995 && legacy.chance(0.7)) {
      d.citizen.legacyId = `02${String(legacy.int(10_000_000)).padStart(7, '0')}`;
    }
  }

  // Discrepancies: at most one per citizen, the rarer kinds chosen first.
  const random = new Random(seed, 0xc06, 2);
  const discrepancies: PopulationDiscrepancy[] = [];
  const taken = new Set<string>();
  const list = [...drafts.values()];
  const free = (test: (d: Draft) => boolean) =>
    list.filter((d) => !taken.has(d.citizen.personalId) && test(d));
  const mark = (d: Draft, kind: DiscrepancyKind, extra: Partial<PopulationDiscrepancy> = {}) => {
    taken.add(d.citizen.personalId);
    discrepancies.push({ personalId: d.citizen.personalId, kind, ...extra });
  };

  for (const d of everyNth(
    free((x) => swapTonePlacement(x.citizen.fullName) !== undefined),
    options.tonePlacementEvery ?? 3,
    random,
  )) {
    d.citizen.fullName = swapTonePlacement(d.citizen.fullName)!;
    mark(d, 'tone_placement');
  }
  for (const d of everyNth(
    free((x) => dropDiacriticsOfOneWord(x.citizen.fullName) !== undefined),
    options.spellingEvery ?? 20,
    random,
  )) {
    d.citizen.fullName = dropDiacriticsOfOneWord(d.citizen.fullName)!;
    mark(d, 'spelling');
  }
  for (const d of everyNth(
    free((x) => x.links.size > 0),
    options.notRegisteredGuardianEvery ?? 15,
    random,
  )) {
    const slots = [...d.links.keys()];
    const slot = slots[random.int(slots.length)]!;
    const guardianPersonalId = d.links.get(slot)!;
    d.links.delete(slot);
    mark(d, 'not_registered_guardian', { guardianPersonalId });
  }
  for (const d of everyNth(
    free(() => true),
    options.wrongBirthDateEvery ?? 25,
    random,
  )) {
    d.citizen.birthDate = nextDay(d.citizen.birthDate);
    mark(d, 'wrong_birth_date');
  }
  const unknown = new Set<string>();
  for (const d of everyNth(
    free(() => true),
    options.unknownEvery ?? 30,
    random,
  )) {
    unknown.add(d.citizen.personalId);
    mark(d, 'unknown');
  }

  const upper = (options.nameCase ?? 'upper') === 'upper';
  const held = (name: string) => (upper ? name.toUpperCase() : name);
  for (const d of list) d.citizen.fullName = held(d.citizen.fullName);
  const citizens: SandboxCitizen[] = [];
  for (const d of list) {
    if (unknown.has(d.citizen.personalId)) continue;
    const c = d.citizen;
    for (const [slot, guardianId] of d.links) {
      const g = drafts.get(guardianId)?.citizen;
      const relative: SandboxRelative = { personalId: guardianId };
      if (g?.fullName) relative.fullName = g.fullName;
      if (g?.legacyId) relative.legacyId = g.legacyId;
      c[slot] = relative;
    }
    citizens.push(c);
  }
  return { citizens, discrepancies };
}
