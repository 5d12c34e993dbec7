/**
 * Code lists, read from the data files in `mappings/codes/` (each names its source). Imported as
 * JSON modules so the model stays free of run-time I/O.
 */
import ethnicities from '../../mappings/codes/ethnicities.json' with { type: 'json' };
import feeTypes from '../../mappings/codes/fee-types.json' with { type: 'json' };
import provinces from '../../mappings/codes/provinces.json' with { type: 'json' };
import statuses from '../../mappings/codes/student-statuses.json' with { type: 'json' };
import subjects from '../../mappings/codes/subjects.json' with { type: 'json' };

/** One code of a code list, with its Vietnamese name (and English, where the list has it). */
export interface CodeItem {
  /** The code, e.g. `01`. */
  code: string;
  /** Its Vietnamese name, e.g. `Kinh`. */
  name: string;
  /** Its English name. */
  nameEn?: string;
}

/** Lower secondary (THCS, grades 6–9) or upper secondary (THPT, grades 10–12). */
export type SchoolLevel = 'lower_secondary' | 'upper_secondary';

/** A subject of the 2018 curriculum: how Circular 22 evaluates it and how many periods each grade has. */
export interface SubjectDefinition extends CodeItem {
  /** Its English name. */
  nameEn: string;
  /** Scored (marks) or commented (Đ/CĐ). */
  evaluation: 'scored' | 'commented';
  /** Periods per school year, by grade ("6" … "12"). */
  periodsPerYear: Record<string, number>;
  /** True for an elective. */
  optional: boolean;
  /** The level whose curriculum it belongs to. */
  level: SchoolLevel;
}

function index<T extends CodeItem>(items: readonly T[]): ReadonlyMap<string, T> {
  return new Map(items.map((item) => [item.code, item]));
}

/** Province codes of the personal ID number (`provinces.json`: `079` TP.HCM …), by code. */
export const PROVINCE_CODES: ReadonlyMap<string, CodeItem> = index(provinces.items);
/** Ethnic groups (`ethnicities.json`: `01` Kinh …), by code. Ethnicity is sensitive personal data. */
export const ETHNICITY_CODES: ReadonlyMap<string, CodeItem> = index(ethnicities.items);
/** Khoản thu codes (fee-types.json: local, to confirm with the Sở). */
export const FEE_TYPE_CODES: ReadonlyMap<string, CodeItem> = index(feeTypes.items);
/** Student statuses (`student-statuses.json`: `studying` Đang học …), by code. */
export const STUDENT_STATUSES: ReadonlyMap<string, CodeItem> = index(statuses.items);
/** Statuses in which a student is on the school's roll (attends classes). */
export const ACTIVE_STUDENT_STATUSES: ReadonlySet<string> = new Set(statuses.active);
/** Every student status code, in the list's order. */
export const STUDENT_STATUS_CODES = statuses.items.map((s) => s.code) as [string, ...string[]];

const subjectItems = subjects.items as unknown as SubjectDefinition[];
/** Every subject code of the 2018 curriculum (`subjects.json`). */
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

/**
 * The curriculum's definition of a subject for a grade, or undefined when it is not taught there.
 *
 * @example
 * ```ts
 * subjectFor('TOAN', 7)?.periodsPerYear['7'] // 140
 * ```
 */
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
