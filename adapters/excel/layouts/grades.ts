/**
 * Grade books (sổ điểm) as vnEdu, SMAS and EMIS export them: one sheet per class and subject (or a
 * sheet with "Lớp" and "Môn" columns), one row per student, one column per assessment of Circular
 * 22: ĐĐGtx 1–4 (regular), ĐĐGgk (midterm), ĐĐGck (final), and the semester average ĐTBmhk — or
 * Đ/CĐ throughout for commented subjects. Class, subject, semester and school year come from the
 * row's own columns, else the title rows ("Lớp: 6A1", "Môn: Toán", "Học kỳ I", "Năm học 2025-2026"),
 * else the sheet's name ("Toán-HK1"), else the config.
 */

import type { Assessment } from '../../../src/model/index.ts';
import { gradeOfClassName } from '../../../src/model/index.ts';
import { fold } from '../../../src/sdk/index.ts';
import { decimalOf, idText, isBlank } from '../cells.ts';
import { evaluationOf } from '../codes.ts';
import type { FieldSpec } from '../header.ts';
import type { Mapped, RowView, SheetEnv } from '../rows.ts';
import { semesterIn } from '../titles.ts';
import { attempt, type TabularLayout } from './layout.ts';

export const MAX_REGULAR = 4;
const REGULAR = Array.from({ length: MAX_REGULAR }, (_, i) => `regular.${i + 1}`);
const SCORE_FIELDS = [...REGULAR, 'midterm', 'final', 'average'];

function regularAliases(n: number): string[] {
  return [
    `TX${n}`,
    `ĐĐGtx${n}`,
    `ĐĐGtx ${n}`,
    `ĐĐG TX${n}`,
    `ĐGTX${n}`,
    `Điểm TX${n}`,
    `KTTX${n}`,
    `TX lần ${n}`,
    `ĐĐGtx lần ${n}`,
    `Thường xuyên ${n}`,
    `Đánh giá thường xuyên ${n}`,
    `Điểm đánh giá thường xuyên ${n}`,
  ];
}

export const GRADE_FIELDS: Record<string, FieldSpec> = {
  studentCode: {
    aliases: ['Mã học sinh', 'Mã HS', 'Mã số học sinh', 'Mã số HS', 'MaHocSinh'],
    en: 'Student code',
  },
  fullName: { aliases: ['Họ tên', 'Họ và tên', 'Họ và tên học sinh', 'Họ tên học sinh'], en: 'Full name' },
  className: { aliases: ['Lớp', 'Mã lớp', 'Tên lớp'], en: 'Class' },
  subject: { aliases: ['Môn', 'Môn học', 'Mã môn', 'Tên môn'], en: 'Subject' },
  semester: { aliases: ['Học kỳ', 'Học kì', 'HK'], en: 'Semester' },
  ...Object.fromEntries(
    REGULAR.map((f, i) => [f, { aliases: regularAliases(i + 1), en: `Regular assessment ${i + 1}` }]),
  ),
  midterm: {
    aliases: [
      'ĐĐGgk',
      'GK',
      'Giữa kỳ',
      'Giữa kì',
      'KTGK',
      'Điểm GK',
      'Điểm giữa kỳ',
      'ĐGGK',
      'Kiểm tra giữa kỳ',
    ],
    en: 'Midterm',
  },
  final: {
    aliases: [
      'ĐĐGck',
      'CK',
      'Cuối kỳ',
      'Cuối kì',
      'KTCK',
      'Điểm CK',
      'Điểm cuối kỳ',
      'ĐGCK',
      'Kiểm tra cuối kỳ',
    ],
    en: 'Final',
  },
  average: {
    aliases: [
      'ĐTBmhk',
      'TBM',
      'ĐTB',
      'TBmhk',
      'ĐTB môn',
      'TB môn',
      'Điểm TB',
      'Điểm trung bình',
      'Điểm TBM',
      'Kết quả',
      'KQ',
      'KQHT',
      'Đánh giá học kỳ',
    ],
    en: 'Semester average or result',
  },
};

export type Comment = 'Đ' | 'CĐ';
const COMMENTS = new Map<string, Comment>([
  ['d', 'Đ'],
  ['dat', 'Đ'],
  ['cd', 'CĐ'],
  ['chuadat', 'CĐ'],
]);
/** Đ or CĐ from "Đ", "Đạt", "CĐ", "Chưa đạt" (any case, with or without marks), or undefined. */
export const commentOf = (text: string): Comment | undefined => COMMENTS.get(fold(text).replace(/ /g, ''));

/** The canonical field of a score column: `regular.2` is the third regular assessment. */
const canonicalOf = (field: string) =>
  field.startsWith('regular.')
    ? `regular.${Number(field.slice(8)) - 1}`
    : field === 'average'
      ? 'average'
      : field;

interface SheetContext {
  className?: string;
  subjectCode?: string;
  semester?: 1 | 2;
  schoolYear?: string;
}

function subjectOfSheet(env: SheetEnv): string | undefined {
  if (env.titles.subject) {
    const code = env.subjects.find(env.titles.subject);
    if (code) return code;
  }
  const name = env.sheet;
  const whole = env.subjects.find(name);
  if (whole) return whole;
  // "Toán-HK1", "6A1_Toan", "Ngữ văn - 6A1": drop the class and semester parts.
  const parts = name.split(/\s*[-_]\s*/).filter((p) => !/^\d/.test(p) && semesterIn(p) === undefined);
  return env.subjects.find(parts.join(' ')) ?? parts.map((p) => env.subjects.find(p)).find(Boolean);
}

function contextOf(env: SheetEnv): SheetContext {
  return {
    className: env.titles.className,
    subjectCode: subjectOfSheet(env),
    semester: env.titles.semester ?? env.config.semester,
    schoolYear: env.titles.schoolYear ?? env.config.schoolYear,
  };
}

function missingContext(view: RowView, field: string, vi: string, en: string): never {
  throw view.fail(
    'CONTEXT_MISSING',
    field,
    `Không biết ${vi} của dòng này: thêm cột, dòng tiêu đề hoặc cấu hình`,
    `The row's ${en} is unknown: add a column, a title row or the config`,
    field === 'subject' ? 'subjectCode' : field,
  );
}

function mapGrade(view: RowView, env: SheetEnv, sheet: SheetContext): Mapped {
  const studentCode = idText(view.get('studentCode'));
  const className = view.text('className') || sheet.className;
  const subjectText = view.text('subject');
  const subjectCode = subjectText ? env.subjects.find(subjectText) : sheet.subjectCode;
  const semesterText = view.text('semester');
  const semester = semesterText
    ? (semesterIn(`HK${semesterText}`) ?? semesterIn(semesterText))
    : sheet.semester;
  const schoolYear = sheet.schoolYear;
  const id =
    studentCode && subjectCode && semester && schoolYear
      ? `assessment-${schoolYear}-${semester}-${studentCode}-${subjectCode}`
      : undefined;
  return attempt(id, () => {
    view.need('studentCode');
    if (!className) missingContext(view, 'className', 'lớp', 'class');
    if (subjectText && !subjectCode) {
      throw view.fail(
        'CODE_UNKNOWN',
        'subject',
        `Môn "${subjectText}" không có trong chương trình 2018`,
        `Subject "${subjectText}" is not in the 2018 curriculum`,
        'subjectCode',
      );
    }
    if (!subjectCode) missingContext(view, 'subject', 'môn học', 'subject');
    if (!semester) missingContext(view, 'semester', 'học kỳ', 'semester');
    if (!schoolYear) missingContext(view, 'className', 'năm học', 'school year');
    const known = evaluationOf(subjectCode, gradeOfClassName(className));
    const anyComment = SCORE_FIELDS.some((f) => {
      const v = view.get(f);
      return typeof v === 'string' && commentOf(v) !== undefined;
    });
    const evaluation = known ?? (anyComment ? 'commented' : 'scored');
    const base = {
      type: 'assessment' as const,
      key: `${env.system}:${id}`,
      source: env.source(view.place),
      schoolCode: env.config.schoolCode,
      schoolYear,
      semester,
      studentCode,
      className,
      subjectCode,
    };
    let record: Assessment;
    if (evaluation === 'scored') {
      const score = (field: string): number | undefined => {
        const n = decimalOf(view.get(field));
        if (Number.isNaN(n)) {
          throw view.fail(
            'SCORE_UNPARSEABLE',
            field,
            `"${view.label(field)}" không phải điểm số (0–10, ví dụ 7,5)`,
            `"${view.label(field)}" is not a score (0–10, e.g. 7.5)`,
            canonicalOf(field),
          );
        }
        return n;
      };
      const regular = REGULAR.map(score).filter((s): s is number => s !== undefined);
      const midterm = score('midterm');
      const final = score('final');
      const average = score('average');
      record = {
        ...base,
        evaluation: 'scored',
        regular,
        ...(midterm !== undefined ? { midterm } : {}),
        ...(final !== undefined ? { final } : {}),
        ...(average !== undefined ? { average } : {}),
      };
    } else {
      const comment = (field: string): Comment | undefined => {
        const value = view.get(field);
        if (isBlank(value)) return undefined;
        const c = commentOf(String(value));
        if (c === undefined) {
          throw view.fail(
            'COMMENT_UNPARSEABLE',
            field,
            `"${view.label(field)}": môn đánh giá bằng nhận xét chỉ nhận Đ hoặc CĐ`,
            `"${view.label(field)}": a commented subject takes Đ or CĐ only`,
            field === 'average' ? 'result' : canonicalOf(field),
          );
        }
        return c;
      };
      const regular = REGULAR.map(comment).filter((c): c is Comment => c !== undefined);
      const midterm = comment('midterm');
      const final = comment('final');
      const result = comment('average');
      record = {
        ...base,
        evaluation: 'commented',
        regular,
        ...(midterm !== undefined ? { midterm } : {}),
        ...(final !== undefined ? { final } : {}),
        ...(result !== undefined ? { result } : {}),
      };
    }
    return { id: id!, record };
  });
}

export const gradesLayout: TabularLayout = {
  kind: 'grades',
  header: {
    fields: GRADE_FIELDS,
    required: [['studentCode'], [...REGULAR, 'midterm', 'final']],
  },
  start: (env) => {
    const sheet = contextOf(env);
    return { row: (view) => mapGrade(view, env, sheet) };
  },
};
