/**
 * Learning results (`KetQuaHocTap`, the sheet the city Education DB's results import takes, and the
 * summary sheets school software exports like it): one row per student, identity columns as in
 * C1-HocSinh, then a column per subject headed by its curriculum name holding the period's average
 * (ĐTBmhk for a semester, ĐTBmcn for the year) or Đ/CĐ, then "Kết quả học tập" (the Circular 22
 * level) and "Kết quả rèn luyện" (conduct). Each row becomes one `learningResult`.
 *
 * The period comes from the row's "Học kỳ" column, else the title rows ("KẾT QUẢ HỌC TẬP CẢ NĂM",
 * "HỌC KỲ I"), else the sheet's name ("HK1", "CaNam"), else the config's semester; the school year
 * and class as for grade books. The values are read as the sheet states them: the rules recompute
 * the level (Art. 9) and report a mismatch. A blank subject cell is a subject the student does not
 * take (the template leaves a grade's missing subjects blank). Name, birth date and gender belong
 * to the student record and are not read here.
 */

import type { LearningLevel, LearningResult, SubjectResult } from '../../../src/model/index.ts';
import { gradeOfClassName, subjectFor } from '../../../src/model/index.ts';
import { fold } from '../../../src/sdk/index.ts';
import { decimalOf, idText, isBlank } from '../cells.ts';
import { evaluationOf, subjectAliases } from '../codes.ts';
import type { Profile } from '../config.ts';
import type { FieldSpec, HeaderSpec } from '../header.ts';
import type { Mapped, RowView, SheetEnv } from '../rows.ts';
import { periodIn, type ResultPeriod } from '../titles.ts';
import { commentOf } from './grades.ts';
import { attempt, type TabularLayout } from './layout.ts';
import { STUDENT_FIELDS } from './students.ts';

/** A subject column's field: `subject.TOAN`. */
const SUBJECT = 'subject.';

const PERIOD_VI: Record<ResultPeriod, string> = {
  semester1: 'học kỳ I',
  semester2: 'học kỳ II',
  year: 'cả năm',
};

export const RESULT_FIELDS: Record<string, FieldSpec> = {
  studentCode: STUDENT_FIELDS.studentCode!,
  // Recognised (a row holding only a name is a row), not read: the name is the student record's.
  fullName: STUDENT_FIELDS.fullName!,
  className: STUDENT_FIELDS.className!,
  period: { aliases: ['Học kỳ', 'Học kì', 'HK', 'Kỳ', 'Kỳ đánh giá', 'Giai đoạn'], en: 'Period' },
  level: {
    aliases: [
      'Kết quả học tập',
      'KQHT',
      'KQ học tập',
      'Mức đánh giá kết quả học tập',
      'Mức kết quả học tập',
      'Đánh giá kết quả học tập',
      'Xếp loại học tập',
      'Học tập',
      'Học lực',
    ],
    en: 'Learning level',
  },
  conduct: {
    aliases: [
      'Kết quả rèn luyện',
      'KQRL',
      'KQ rèn luyện',
      'Mức đánh giá kết quả rèn luyện',
      'Đánh giá kết quả rèn luyện',
      'Xếp loại rèn luyện',
      'Rèn luyện',
      'Hạnh kiểm',
    ],
    en: 'Conduct',
  },
};

const compact = (text: string) => fold(text).replace(/ /g, '');

const subjectEn = (code: string): string =>
  (subjectFor(code, 6) ?? subjectFor(code, 10))?.nameEn ?? `subject ${code}`;

/**
 * The header: the fields above and a column per subject. A profile's subject names are the
 * subject's (and no longer another's: "Tiếng Anh" may be a school's Ngoại ngữ 2).
 */
function resultsHeader(extra: Readonly<Record<string, readonly string[]>> = {}): HeaderSpec {
  const own = new Set(Object.values(extra).flatMap((names) => names.map(compact)));
  const subjects = new Map<string, string[]>();
  for (const [code, names] of subjectAliases()) {
    const kept = names.filter((n) => !own.has(compact(n)));
    subjects.set(code, kept);
  }
  for (const [code, names] of Object.entries(extra)) {
    subjects.set(code, [...(subjects.get(code) ?? [code]), ...names]);
  }
  const fields: Record<string, FieldSpec> = { ...RESULT_FIELDS };
  for (const [code, names] of subjects) {
    if (names.length === 0) continue;
    fields[`${SUBJECT}${code}`] = { aliases: names, en: `Result in ${subjectEn(code)}` };
  }
  return {
    fields,
    required: [['studentCode'], Object.keys(fields).filter((f) => f.startsWith(SUBJECT))],
  };
}

const RESULTS_HEADER = resultsHeader();

const LEVELS = new Map<string, LearningLevel>([
  ['tot', 'Tốt'],
  ['t', 'Tốt'],
  ['kha', 'Khá'],
  ['k', 'Khá'],
  ['dat', 'Đạt'],
  ['d', 'Đạt'],
  ['chuadat', 'Chưa đạt'],
  ['cd', 'Chưa đạt'],
]);

/** A period cell: "Học kỳ I", "HK2", "I", "2", "Cả năm", "CN". */
const periodOfCell = (text: string): ResultPeriod | undefined =>
  periodIn(text, true) ?? periodIn(`HK${text}`);

const PERIOD_EN: Record<ResultPeriod, string> = {
  semester1: 'semester I',
  semester2: 'semester II',
  year: 'the year',
};

interface SheetContext {
  className?: string;
  period?: ResultPeriod;
  schoolYear?: string;
  /** Subject columns in the sheet's order: field and subject code. */
  subjects: Array<{ field: string; code: string }>;
}

function contextOf(env: SheetEnv): SheetContext {
  const configured = env.config.semester;
  const subjects = [...env.header.columns]
    .filter(([field]) => field.startsWith(SUBJECT))
    .sort(([, a], [, b]) => a - b)
    .map(([field]) => ({ field, code: field.slice(SUBJECT.length) }));
  return {
    className: env.titles.className,
    period: env.titles.period ?? (configured ? (`semester${configured}` as const) : undefined),
    schoolYear: env.titles.schoolYear ?? env.config.schoolYear,
    subjects,
  };
}

function missingContext(view: RowView, field: string, vi: string, en: string): never {
  throw view.fail(
    'CONTEXT_MISSING',
    field,
    `Không biết ${vi} của dòng này: thêm cột, dòng tiêu đề hoặc cấu hình`,
    `The row's ${en} is unknown: add a column, a title row or the config`,
  );
}

/** Kết quả học tập or rèn luyện: one of the four levels of Circular 22, or undefined when blank. */
function levelOf(view: RowView, field: 'level' | 'conduct'): LearningLevel | undefined {
  if (view.blank(field)) return undefined;
  const level = LEVELS.get(compact(view.text(field)));
  if (level) return level;
  throw view.fail(
    'CODE_UNKNOWN',
    field,
    `"${view.label(field)}" phải là Tốt, Khá, Đạt hoặc Chưa đạt (Thông tư 22/2021)`,
    `"${view.label(field)}" must be Tốt, Khá, Đạt or Chưa đạt (Circular 22/2021)`,
  );
}

/** The subject cells that hold something, as the record's `subjects` in column order. */
function subjectsOf(view: RowView, sheet: SheetContext, grade: number | null): SubjectResult[] {
  const out: SubjectResult[] = [];
  for (const { field, code } of sheet.subjects) {
    const value = view.get(field);
    if (isBlank(value)) continue;
    const path = `subjects.${out.length}`;
    const comment = typeof value === 'string' ? commentOf(value) : undefined;
    // The curriculum says how the grade assesses the subject; otherwise the value does.
    const evaluation = evaluationOf(code, grade) ?? (comment !== undefined ? 'commented' : 'scored');
    if (evaluation === 'commented') {
      if (comment === undefined) {
        throw view.fail(
          'COMMENT_UNPARSEABLE',
          field,
          `"${view.label(field)}": môn đánh giá bằng nhận xét chỉ nhận Đ hoặc CĐ`,
          `"${view.label(field)}": a commented subject takes Đ or CĐ only`,
          `${path}.result`,
        );
      }
      out.push({ subjectCode: code, evaluation: 'commented', result: comment });
      continue;
    }
    const average = decimalOf(value);
    if (average === undefined || Number.isNaN(average)) {
      throw view.fail(
        'SCORE_UNPARSEABLE',
        field,
        `"${view.label(field)}" không phải điểm trung bình môn (0–10, ví dụ 7,5)`,
        `"${view.label(field)}" is not a subject average (0–10, e.g. 7.5)`,
        `${path}.average`,
      );
    }
    out.push({ subjectCode: code, evaluation: 'scored', average });
  }
  return out;
}

function mapResult(view: RowView, env: SheetEnv, sheet: SheetContext): Mapped {
  const studentCode = idText(view.get('studentCode'));
  const className = view.text('className') || sheet.className;
  const periodText = view.text('period');
  const period = periodText ? periodOfCell(periodText) : sheet.period;
  const schoolYear = sheet.schoolYear;
  const id =
    studentCode && period && schoolYear
      ? `learning-result-${schoolYear}-${period}-${studentCode}`
      : undefined;
  return attempt(id, () => {
    view.need('studentCode');
    if (!className) missingContext(view, 'className', 'lớp', 'class');
    if (periodText && !period) {
      throw view.fail(
        'CODE_UNKNOWN',
        'period',
        `"${view.label('period')}" phải là Học kỳ I, Học kỳ II hoặc Cả năm`,
        `"${view.label('period')}" must be Học kỳ I, Học kỳ II or Cả năm (semester I, II or the year)`,
      );
    }
    if (!period) missingContext(view, 'period', 'học kỳ (hay cả năm)', 'period (a semester or the year)');
    if (!schoolYear) missingContext(view, 'schoolYear', 'năm học', 'school year');
    const subjects = subjectsOf(view, sheet, gradeOfClassName(className));
    if (subjects.length === 0) {
      const first = sheet.subjects[0]!.field;
      throw view.fail(
        'FIELD_MISSING',
        first,
        `Không có kết quả môn nào cho ${PERIOD_VI[period]}`,
        `No subject result for ${PERIOD_EN[period]}`,
        'subjects',
      );
    }
    const level = levelOf(view, 'level');
    const conduct = levelOf(view, 'conduct');
    const record: LearningResult = {
      type: 'learningResult',
      key: `${env.system}:${id}`,
      source: env.source(view.place),
      schoolCode: env.config.schoolCode,
      schoolYear,
      period,
      studentCode,
      className,
      subjects,
      ...(level !== undefined ? { level } : {}),
      ...(conduct !== undefined ? { conduct } : {}),
    };
    return { id: id!, record };
  });
}

export const resultsLayout: TabularLayout = {
  kind: 'results',
  header: RESULTS_HEADER,
  headerFor: (profile: Profile) => (profile.subjects ? resultsHeader(profile.subjects) : RESULTS_HEADER),
  start: (env) => {
    const sheet = contextOf(env);
    return { row: (view) => mapResult(view, env, sheet) };
  },
};
