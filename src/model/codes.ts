/**
 * Code lists, read from the data files in `mappings/codes/` (each names its source). Imported as
 * JSON modules so the model stays free of run-time I/O.
 */
import ethnicities from '../../mappings/codes/ethnicities.json' with { type: 'json' };
import feeTypes from '../../mappings/codes/fee-types.json' with { type: 'json' };
import provinces from '../../mappings/codes/provinces.json' with { type: 'json' };
import statuses from '../../mappings/codes/student-statuses.json' with { type: 'json' };
import subjects from '../../mappings/codes/subjects.json' with { type: 'json' };

export interface CodeItem {
  code: string;
  name: string;
  nameEn?: string;
}

export type SchoolLevel = 'lower_secondary' | 'upper_secondary';

export interface SubjectDefinition extends CodeItem {
  nameEn: string;
  evaluation: 'scored' | 'commented';
  /** Periods per school year, by grade ("6" … "12"). */
  periodsPerYear: Record<string, number>;
  optional: boolean;
  level: SchoolLevel;
}

function index<T extends CodeItem>(items: readonly T[]): ReadonlyMap<string, T> {
  return new Map(items.map((item) => [item.code, item]));
}

export const PROVINCE_CODES: ReadonlyMap<string, CodeItem> = index(provinces.items);
export const ETHNICITY_CODES: ReadonlyMap<string, CodeItem> = index(ethnicities.items);
/** Khoản thu codes (fee-types.json: local, to confirm with the Sở). */
export const FEE_TYPE_CODES: ReadonlyMap<string, CodeItem> = index(feeTypes.items);
export const STUDENT_STATUSES: ReadonlyMap<string, CodeItem> = index(statuses.items);
/** Statuses in which a student is on the school's roll (attends classes). */
export const ACTIVE_STUDENT_STATUSES: ReadonlySet<string> = new Set(statuses.active);
export const STUDENT_STATUS_CODES = statuses.items.map((s) => s.code) as [string, ...string[]];

const subjectItems = subjects.items as unknown as SubjectDefinition[];
export const SUBJECT_CODES: ReadonlySet<string> = new Set(subjectItems.map((s) => s.code));

export function levelOfGrade(grade: number): SchoolLevel | null {
  if (grade >= 6 && grade <= 9) return 'lower_secondary';
  if (grade >= 10 && grade <= 12) return 'upper_secondary';
  return null;
}

const subjectsByLevel = new Map<SchoolLevel, ReadonlyMap<string, SubjectDefinition>>([
  ['lower_secondary', index(subjectItems.filter((s) => s.level === 'lower_secondary'))],
  ['upper_secondary', index(subjectItems.filter((s) => s.level === 'upper_secondary'))],
]);

/** The curriculum's definition of a subject for a grade, or undefined when it is not taught there. */
export function subjectFor(code: string, grade: number): SubjectDefinition | undefined {
  const level = levelOfGrade(grade);
  if (!level) return undefined;
  const subject = subjectsByLevel.get(level)?.get(code);
  return subject && subject.periodsPerYear[String(grade)] !== undefined ? subject : undefined;
}

/** All subjects of a grade's curriculum (compulsory first, then optional). */
export function subjectsOfGrade(
  grade: number,
  opts: { includeOptional?: boolean } = {},
): SubjectDefinition[] {
  const level = levelOfGrade(grade);
  if (!level) return [];
  return [...(subjectsByLevel.get(level)?.values() ?? [])].filter(
    (s) => s.periodsPerYear[String(grade)] !== undefined && (opts.includeOptional || !s.optional),
  );
}
