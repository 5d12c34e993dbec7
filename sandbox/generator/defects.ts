/**
 * Faults injected on purpose (`defects` rate), one per affected student, each recorded with the
 * file, line and field it sits at and the rule code that must catch it. Every fault is made so that
 * it raises its own code and, where it can be avoided, nothing else: a wrong-year ID keeps a valid
 * province, a changed average still has one decimal, a changed level differs from the recomputed one.
 */
import type { RULE_CODES } from '../../src/model/rules.ts';
import type { RecordStreamName } from './streams.ts';

export const DEFECT_KINDS = {
  personal_id_province: { code: 'PERSONAL_ID_PROVINCE', stream: 'students' },
  personal_id_gender: { code: 'PERSONAL_ID_CENTURY_GENDER', stream: 'students' },
  personal_id_birth_year: { code: 'PERSONAL_ID_BIRTH_YEAR', stream: 'students' },
  personal_id_leading_zero: { code: 'PERSONAL_ID_LEADING_ZERO_RESTORED', stream: 'students' },
  personal_id_legacy_cmnd: { code: 'PERSONAL_ID_LEGACY_CMND', stream: 'students' },
  guardians_missing: { code: 'STUDENT_GUARDIAN_MISSING', stream: 'students' },
  name_not_normalised: { code: 'NAME_NORMALISED', stream: 'students' },
  student_duplicate: { code: 'PERSONAL_ID_DUPLICATE', stream: 'students' },
  assessment_average_mismatch: { code: 'ASSESSMENT_AVERAGE_MISMATCH', stream: 'assessments' },
  learning_level_mismatch: { code: 'LEARNING_LEVEL_MISMATCH', stream: 'learning-results' },
  score_precision: { code: 'SCORE_PRECISION', stream: 'assessments' },
  guardian_minor: { code: 'GUARDIAN_NOT_ADULT', stream: 'students' },
} as const satisfies Record<string, { code: keyof typeof RULE_CODES; stream: RecordStreamName }>;

export type DefectKind = keyof typeof DEFECT_KINDS;
export const DEFECT_KIND_NAMES = Object.keys(DEFECT_KINDS) as DefectKind[];

/** One entry of `defects.json`. */
export interface DefectEntry {
  /** `students.jsonl`. */
  file: string;
  /** 1-based line within the file. */
  line: number;
  /** What was injected (a key of DEFECT_KINDS). */
  type: DefectKind;
  /** Key of the faulty record. */
  key: string;
  /** Field the rule reports, dotted (`guardians.2`, `regular.1`). */
  field: string;
  /** Rule code from RULE_CODES that must catch it. */
  code: (typeof DEFECT_KINDS)[DefectKind]['code'];
}

/**
 * Picks the kind of the n-th faulty student: round-robin from a seeded start, so a small district
 * already holds every kind and larger ones hold them in equal shares.
 */
export function defectKindFor(faultyIndex: number, start: number): DefectKind {
  return DEFECT_KIND_NAMES[(faultyIndex + start) % DEFECT_KIND_NAMES.length]!;
}

/** A name whose fault checkName must report: decomposed diacritics, or a doubled space. */
export function unnormalisedName(name: string, decompose: boolean): string {
  const nfd = name.normalize('NFD');
  if (decompose && nfd !== name) return nfd;
  return name.replace(' ', '  ');
}
