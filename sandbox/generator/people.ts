/**
 * Families, students and teachers. A family is drawn once for a student and kept in a small ring
 * of recent families of the school, from which about 4 % of students are drawn as siblings (same
 * parents, same family name, same guardian ID numbers): the only per-student state that outlives
 * a class, and it is bounded.
 */
import type { Gender } from '../../src/model/personal-id.ts';
import type { Guardian } from '../../src/model/records.ts';
import { dayOfYear, daysInYear } from './calendar.ts';
import { ADULT_PROVINCES, CHILD_PROVINCES, mobilePhone, type PersonalIdAllocator } from './ids.ts';
import { type Ethnicity, familyName, fullName } from './names.ts';
import type { Commune } from './places.ts';
import { type Random, Weighted } from './random.ts';

export interface Family {
  familyName: string;
  ethnicity: Ethnicity;
  guardians: Guardian[];
}

/** Twins in the same grade, and siblings in a lower grade: about 4 % of students in all. */
const TWIN_SHARE = 0.01;
const SIBLING_SHARE = 0.04;
const ONE_PARENT_SHARE = 0.05;
const GRANDPARENT_SHARE = 0.02;
const FAMILIES_PER_GRADE = 8;

/** A birth date in `year`, any day. */
export const birthDateIn = (random: Random, year: number): string =>
  dayOfYear(year, random.int(daysInYear(year)));

function ethnicityOf(random: Random, commune: Commune): Ethnicity {
  const x = random.next();
  if (x < commune.hoaShare) return '04';
  if (x < commune.hoaShare + 0.008) return '05';
  if (x < commune.hoaShare + 0.012) return '17';
  return '01';
}

interface AdultSpec {
  relationship: Guardian['relationship'];
  gender: Gender;
  family: string;
  generation: 'adult' | 'elder';
  birthYear: number;
  ethnicity: Ethnicity;
}

function adultGuardian(random: Random, ids: PersonalIdAllocator, spec: AdultSpec): Guardian {
  return {
    relationship: spec.relationship,
    fullName: fullName(random, spec.family, spec.gender, spec.generation, spec.ethnicity),
    personalId: ids.forPerson(ADULT_PROVINCES.draw(random), spec.gender, spec.birthYear),
    phone: mobilePhone(random),
    birthDate: birthDateIn(random, spec.birthYear),
  };
}

/**
 * Birth years of a school year's adults, relative to its first year: for 2025–2026, parents
 * 1972–1992, grandparents 1950–1965, teachers 1965–2000 (women from 1969: they retire earlier).
 */
export const generations = (startYear: number) => ({
  parents: [startYear - 53, startYear - 33] as const,
  grandparents: [startYear - 75, startYear - 60] as const,
  teachers: { male: [startYear - 60, startYear - 25], female: [startYear - 56, startYear - 25] } as const,
});

/** A parent's birth year: within the parents' generation and 24–45 at the child's birth. */
function parentBirthYear(random: Random, startYear: number, childYear: number, gender: Gender): number {
  const [first, last] = generations(startYear).parents;
  const lo = Math.max(first, childYear - (gender === 'male' ? 45 : 40));
  const hi = Math.min(last, childYear - (gender === 'male' ? 25 : 24));
  return lo <= hi ? random.between(lo, hi) : Math.min(last, Math.max(first, childYear - 30));
}

function newFamily(
  random: Random,
  ids: PersonalIdAllocator,
  commune: Commune,
  startYear: number,
  childYear: number,
): Family {
  const ethnicity = ethnicityOf(random, commune);
  const x = random.next();
  if (x < GRANDPARENT_SHARE) {
    const gender: Gender = random.chance(0.65) ? 'female' : 'male';
    const family = familyName(random, ethnicity);
    const guardian = adultGuardian(random, ids, {
      relationship: 'guardian',
      gender,
      family: gender === 'male' ? family : familyName(random, ethnicity),
      generation: 'elder',
      birthYear: random.between(...generations(startYear).grandparents),
      ethnicity,
    });
    return { familyName: family, ethnicity, guardians: [guardian] };
  }
  const fatherFamily = familyName(random, ethnicity);
  const parent = (gender: Gender): Guardian =>
    adultGuardian(random, ids, {
      relationship: gender === 'male' ? 'father' : 'mother',
      gender,
      family: gender === 'male' ? fatherFamily : familyName(random, ethnicity),
      generation: 'adult',
      birthYear: parentBirthYear(random, startYear, childYear, gender),
      ethnicity,
    });
  if (x < GRANDPARENT_SHARE + ONE_PARENT_SHARE) {
    // Single parents are mostly mothers; the child still carries the (absent) father's name.
    return {
      familyName: fatherFamily,
      ethnicity,
      guardians: [parent(random.chance(0.8) ? 'female' : 'male')],
    };
  }
  return { familyName: fatherFamily, ethnicity, guardians: [parent('male'), parent('female')] };
}

/**
 * Recent families of one school, a few per grade, for siblings. Grades are written from 6 up, so a
 * student of grade 8 may be the elder sibling of a child met in grade 6 or 7, or the twin of one
 * met in grade 8. Cleared between schools; bounded whatever the school's size.
 */
export class FamilyRing {
  private readonly byGrade = new Map<number, Family[]>();
  private readonly next = new Map<number, number>();

  /** A family for the next student: now and then an earlier student's, otherwise a new one. */
  familyFor(
    random: Random,
    ids: PersonalIdAllocator,
    commune: Commune,
    grade: number,
    startYear: number,
    childYear: number,
  ): Family {
    const x = random.next();
    if (x < TWIN_SHARE) {
      const same = this.byGrade.get(grade);
      if (same && same.length > 0) return random.pick(same);
    } else if (x < TWIN_SHARE + SIBLING_SHARE) {
      const younger = [...this.byGrade.entries()].filter(([g, list]) => g < grade && list.length > 0);
      if (younger.length > 0) return random.pick(random.pick(younger)[1]);
    }
    const family = newFamily(random, ids, commune, startYear, childYear);
    const list = this.byGrade.get(grade) ?? [];
    this.byGrade.set(grade, list);
    const slot = this.next.get(grade) ?? 0;
    list[slot] = family;
    this.next.set(grade, (slot + 1) % FAMILIES_PER_GRADE);
    return family;
  }
}

export interface StudentPerson {
  fullName: string;
  gender: Gender;
  birthDate: string;
  birthYear: number;
  personalId: string;
  ethnicity: Ethnicity;
  family: Family;
  status: 'studying' | 'transferred_in';
}

/** Grade g starts in the calendar year the child turns g + 5; about 3 % repeated a year. */
export function studentPerson(
  random: Random,
  ids: PersonalIdAllocator,
  ring: FamilyRing,
  commune: Commune,
  grade: number,
  startYear: number,
): StudentPerson {
  const birthYear = startYear - grade - 5 - (random.chance(0.03) ? 1 : 0);
  const family = ring.familyFor(random, ids, commune, grade, startYear, birthYear);
  const gender: Gender = random.chance(0.5) ? 'male' : 'female';
  return {
    fullName: fullName(random, family.familyName, gender, 'child', family.ethnicity),
    gender,
    birthDate: birthDateIn(random, birthYear),
    birthYear,
    personalId: ids.forPerson(CHILD_PROVINCES.draw(random), gender, birthYear),
    ethnicity: family.ethnicity,
    family,
    status: random.chance(0.015) ? 'transferred_in' : 'studying',
  };
}

const TEACHER_RANK = new Weighted<string>([
  ['Giáo viên THCS hạng III', 3],
  ['Giáo viên THCS hạng II', 5],
  ['Giáo viên THCS hạng I', 1],
]);

export interface TeacherPerson {
  fullName: string;
  gender: Gender;
  birthDate: string;
  personalId: string;
  ethnicity: Ethnicity;
  phone: string;
  position: string;
}

/** Most lower-secondary teachers are women. */
export function teacherPerson(
  random: Random,
  ids: PersonalIdAllocator,
  commune: Commune,
  startYear: number,
): TeacherPerson {
  const gender: Gender = random.chance(0.7) ? 'female' : 'male';
  const birthYear = random.between(...generations(startYear).teachers[gender]);
  const ethnicity = ethnicityOf(random, commune);
  return {
    fullName: fullName(random, familyName(random, ethnicity), gender, 'adult', ethnicity),
    gender,
    birthDate: birthDateIn(random, birthYear),
    personalId: ids.forPerson(ADULT_PROVINCES.draw(random), gender, birthYear),
    ethnicity,
    phone: mobilePhone(random),
    position: TEACHER_RANK.draw(random),
  };
}
