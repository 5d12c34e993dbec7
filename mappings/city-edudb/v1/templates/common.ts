/**
 * What the MOET Excel templates share: their cells, columns, the school's title rows, and the
 * labels the templates write for canonical codes (gender "Nam"/"Nữ", ethnic group by name, status
 * by its label). A record that cannot become a row throws `TemplateSkip`, naming its key and the
 * canonical field to fix, so the export reports it instead of dropping it.
 */
import {
  ETHNICITY_CODES,
  PROVINCE_CODES,
  type RecordType,
  type School,
  STUDENT_STATUSES,
  SUBJECT_CODES,
} from '../../../../src/model/index.ts';
import genders from '../../../codes/genders.json' with { type: 'json' };
import subjects from '../../../codes/subjects.json' with { type: 'json' };
import teacherStatuses from '../../../codes/teacher-statuses.json' with { type: 'json' };
import type { CodeListSheet } from './code-lists.ts';
import type { SchoolRecords } from './school.ts';

/** A cell as the templates hold it: text (codes, dates as dd/mm/yyyy), a score, or nothing. */
export type TemplateCell = string | number | null;

export interface TemplateColumn {
  header: string;
  /** Width in characters. */
  width?: number;
  /** Excel number format, e.g. `0.0` for scores. */
  numFmt?: string;
  /** The code-list sheet the column's values come from: a dropdown pointing at it. */
  list?: CodeListSheet;
  /** A score: a decimal from `min` to `max`, checked as it is typed. */
  between?: { min: number; max: number };
}

/** The period a learning-result sheet covers (the canonical `LearningResult.period`). */
export type ResultPeriod = 'semester1' | 'semester2' | 'year';

export interface TemplateContext {
  schoolCode: string;
  /** The school's record, when the input holds it (its name goes in the title rows). */
  school?: School;
  /** The school year the sheet is for; undefined when the input names none. */
  schoolYear?: string;
  /** KetQuaHocTap only: which period's results. */
  period: ResultPeriod;
}

/** A record that did not become a row, with the record's key and the canonical field to fix. */
export interface SkippedRecord {
  key: string;
  field: string;
  /** Vietnamese / English. */
  reason: string;
}

export class TemplateSkip extends Error {
  readonly key: string;
  readonly field: string;
  constructor(key: string, field: string, vi: string, en: string) {
    super(`${vi} / ${en}`);
    this.name = 'TemplateSkip';
    this.key = key;
    this.field = field;
  }

  get skipped(): SkippedRecord {
    return { key: this.key, field: this.field, reason: this.message };
  }
}

export type RowOutcome = { cells: TemplateCell[] } | { skipped: SkippedRecord };

/** One template: where its rows go, what it reads, and how it makes them. */
export interface ExportTemplate {
  id: string;
  /** The data sheet's name, as the city's upload looks for it. */
  sheet: string;
  description: string;
  /** Canonical record types the template reads; the export keeps only these, for one school. */
  recordTypes: readonly RecordType[];
  titles(ctx: TemplateContext): string[];
  /** The header; a learning-result sheet has a column per subject the school teaches. */
  columns(school: SchoolRecords, ctx: TemplateContext): TemplateColumn[];
  /** The code-list sheets written after the data sheet (every column's `list` among them). */
  codeLists(school: SchoolRecords, ctx: TemplateContext): CodeListSheet[];
  /** Every row in the order the template lists them, or the record that could not be written. */
  rows(school: SchoolRecords, ctx: TemplateContext): Iterable<RowOutcome>;
}

/** Runs one row's mapping, turning a TemplateSkip into a reported record. */
export function attempt(map: () => TemplateCell[]): RowOutcome {
  try {
    return { cells: map() };
  } catch (error) {
    if (error instanceof TemplateSkip) return { skipped: error.skipped };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Labels the templates write

/** `2014-09-05` → `05/09/2014`: the templates write dates as dd/mm/yyyy text. */
export function dmy(iso: string): string {
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

const GENDER_LABELS = new Map(genders.items.map((g) => [g.code, g.name]));

export function genderLabel(key: string, gender: string, field = 'gender'): string {
  const label = GENDER_LABELS.get(gender);
  if (!label) {
    throw new TemplateSkip(
      key,
      field,
      `Giới tính "${gender}" không có trong danh mục (Nam, Nữ)`,
      `Gender "${gender}" is not in the code list (male, female)`,
    );
  }
  return label;
}

/** The ethnic group's name, as the template's DM_DanToc catalogue lists it. Never quotes the value. */
export function ethnicityLabel(key: string, code: string, field = 'ethnicityCode'): string {
  const item = ETHNICITY_CODES.get(code);
  if (!item) {
    throw new TemplateSkip(
      key,
      field,
      'Mã dân tộc không có trong danh mục (01–54, 55, 00)',
      'The ethnicity code is not in the code list (01–54, 55, 00)',
    );
  }
  return item.name;
}

export function studentStatusLabel(key: string, status: string, field = 'status'): string {
  const item = STUDENT_STATUSES.get(status);
  if (!item) {
    throw new TemplateSkip(
      key,
      field,
      `Trạng thái "${status}" không có trong danh mục trạng thái học sinh`,
      `Status "${status}" is not a known student status`,
    );
  }
  return item.name;
}

const TEACHER_STATUS_LABELS = new Map(teacherStatuses.items.map((s) => [s.code, s.name]));

export function teacherStatusLabel(key: string, status: string, field = 'status'): string {
  const label = TEACHER_STATUS_LABELS.get(status);
  if (!label) {
    throw new TemplateSkip(
      key,
      field,
      `Trạng thái "${status}" không có trong danh mục trạng thái cán bộ`,
      `Status "${status}" is not a known staff status`,
    );
  }
  return label;
}

/** Subject names by code, in the curriculum's order (first name of a code shared by two levels). */
const SUBJECT_NAMES = new Map<string, string>();
for (const s of subjects.items) if (!SUBJECT_NAMES.has(s.code)) SUBJECT_NAMES.set(s.code, s.name);
const SUBJECT_ORDER = new Map([...SUBJECT_NAMES.keys()].map((code, i) => [code, i]));

/** The curriculum's order of subject codes (Ngữ văn, Toán, Ngoại ngữ 1 …). */
export const bySubjectOrder = (a: string, b: string): number =>
  (SUBJECT_ORDER.get(a) ?? Number.MAX_SAFE_INTEGER) - (SUBJECT_ORDER.get(b) ?? Number.MAX_SAFE_INTEGER) ||
  a.localeCompare(b);

/**
 * A subject's name in a list cell ("Môn dạy: Toán, Tin học"): the curriculum's name, without the
 * comma of "Hoạt động trải nghiệm, hướng nghiệp", which would split it in two.
 */
export function subjectListName(key: string, code: string, field: string): string {
  const name = SUBJECT_NAMES.get(code);
  if (!name || !SUBJECT_CODES.has(code)) {
    throw new TemplateSkip(
      key,
      field,
      `Môn "${code}" không có trong chương trình 2018 (mappings/codes/subjects.json)`,
      `Subject "${code}" is not in the 2018 curriculum (mappings/codes/subjects.json)`,
    );
  }
  return name.replace(/\s*[,;/+]\s*/g, ' ');
}

/** A subject's column header in a learning-result sheet: the curriculum's name. */
export const subjectHeader = (code: string): string => SUBJECT_NAMES.get(code) ?? code;

const SUBJECT_EVALUATION = new Map<string, string>();
for (const s of subjects.items)
  if (!SUBJECT_EVALUATION.has(s.code)) SUBJECT_EVALUATION.set(s.code, s.evaluation);

/** How Circular 22 assesses a subject: by scores, or by comments (Đ/CĐ); undefined if unknown. */
export const subjectEvaluation = (code: string): 'scored' | 'commented' | undefined =>
  SUBJECT_EVALUATION.get(code) as 'scored' | 'commented' | undefined;

const CLASS_ORDER = new Intl.Collator('vi', { numeric: true, sensitivity: 'base' });

/** Classes in the order schools list them: by grade, then name (6A2 before 6A10, 9A1 before 10A1). */
export function byClassName(a: string, b: string): number {
  return CLASS_ORDER.compare(a, b);
}

// ---------------------------------------------------------------------------------------------
// Title rows

/** "SỞ GIÁO DỤC VÀ ĐÀO TẠO TP. HỒ CHÍ MINH": the Sở of the school's province (HCMC unless it says). */
export function departmentTitle(school: School | undefined): string {
  const code = school?.provinceCode ?? '79';
  const province = PROVINCE_CODES.get(code.padStart(3, '0'))?.name ?? 'TP. Hồ Chí Minh';
  return `SỞ GIÁO DỤC VÀ ĐÀO TẠO ${province.toUpperCase()}`;
}

/** "TRƯỜNG THCS NGUYỄN BÌNH KHIÊM" (the school's code when the input has no school record). */
export function schoolTitle(ctx: TemplateContext): string {
  const name = ctx.school?.name ?? ctx.schoolCode;
  return (/^trường\s/i.test(name) ? name : `Trường ${name}`).toUpperCase();
}

export const yearTitle = (ctx: TemplateContext): string =>
  ctx.schoolYear ? ` NĂM HỌC ${ctx.schoolYear}` : '';
