/**
 * `KetQuaHocTap`: the learning results of a semester or of the year (Circular 22/2021/TT-BGDĐT),
 * one row per student, a column per subject holding its average (ĐTBmhk for a semester, ĐTBmcn for
 * the year) or its Đ/CĐ, then the level (Mức đánh giá kết quả học tập) and the conduct.
 *
 * Averages, results and levels are RECOMPUTED from the assessment records with
 * `src/model/grading.ts`; a stated average, result or level is never copied. A student whose
 * results cannot be computed (a subject of the curriculum without assessments, a midterm or final
 * missing, a score that is not one) is reported, not written with a gap.
 */
import {
  ACTIVE_STUDENT_STATUSES,
  type Assessment,
  type Comment,
  checkScore,
  commentedSemesterResult,
  commentedYearResult,
  type Enrollment,
  gradeOfClassName,
  type LearningLevel,
  learningLevel,
  requiredRegularAssessments,
  type Student,
  semesterAverage,
  subjectFor,
  subjectsOfGrade,
  yearAverage,
} from '../../../../src/model/index.ts';
import { classesOf, DM_GIOI_TINH, DM_MON_HOC, DM_MUC_DANH_GIA, DM_NHAN_XET } from './code-lists.ts';
import {
  byClassName,
  bySubjectOrder,
  departmentTitle,
  dmy,
  type ExportTemplate,
  genderLabel,
  type ResultPeriod,
  type RowOutcome,
  schoolTitle,
  subjectEvaluation,
  subjectHeader,
  type TemplateCell,
  type TemplateColumn,
  type TemplateContext,
  TemplateSkip,
} from './common.ts';
import type { SchoolRecords } from './school.ts';

export const KET_QUA_HOC_TAP_SHEET = 'KetQuaHocTap';

const SEMESTERS: Record<ResultPeriod, ReadonlyArray<1 | 2>> = {
  semester1: [1],
  semester2: [2],
  year: [1, 2],
};

const PERIOD_TITLE: Record<ResultPeriod, string> = {
  semester1: 'HỌC KỲ I',
  semester2: 'HỌC KỲ II',
  year: 'CẢ NĂM',
};

/** A student's results for the period, as the template writes them. */
export interface StudentResult {
  className: string;
  /** Subject code → average (one decimal) or Đ/CĐ. */
  subjects: Map<string, number | Comment>;
  level: LearningLevel;
}

const HEAD_COLUMNS: readonly TemplateColumn[] = [
  { header: 'STT', width: 6 },
  { header: 'Mã lớp', width: 8 },
  { header: 'Mã học sinh', width: 14 },
  { header: 'Họ tên', width: 26 },
  { header: 'Ngày sinh', width: 12 },
  { header: 'Giới tính', width: 9, list: DM_GIOI_TINH },
];
const TAIL_COLUMNS: readonly TemplateColumn[] = [
  { header: 'Kết quả học tập', width: 12, list: DM_MUC_DANH_GIA },
  { header: 'Kết quả rèn luyện', width: 12, list: DM_MUC_DANH_GIA },
];

/** A subject's column: a score from 0 to 10, or Đ/CĐ for a subject assessed by comments. */
function subjectColumn(code: string): TemplateColumn {
  const header = subjectHeader(code);
  return subjectEvaluation(code) === 'commented'
    ? { header, width: 10, list: DM_NHAN_XET }
    : { header, width: 10, numFmt: '0.0', between: { min: 0, max: 10 } };
}

/** A semester's result in one subject: ĐTBmhk, or Đ/CĐ (Art. 9(1)). */
function semesterValue(a: Assessment, grade: number): number | Comment {
  const subject = subjectFor(a.subjectCode, grade);
  if (!subject) {
    throw new TemplateSkip(
      a.key,
      'subjectCode',
      `Môn "${a.subjectCode}" không có trong chương trình khối ${grade}`,
      `Subject "${a.subjectCode}" is not taught in grade ${grade}`,
    );
  }
  if (subject.evaluation !== a.evaluation) {
    throw new TemplateSkip(
      a.key,
      'evaluation',
      `Môn ${subject.name} đánh giá bằng ${subject.evaluation === 'scored' ? 'điểm số' : 'nhận xét'}`,
      `${subject.nameEn} is ${subject.evaluation === 'scored' ? 'scored' : 'assessed by comment (Đ/CĐ)'}`,
    );
  }
  for (const field of ['midterm', 'final'] as const) {
    if (a[field] === undefined) {
      throw new TemplateSkip(
        a.key,
        field,
        `Học sinh ${a.studentCode} chưa có điểm ${field === 'midterm' ? 'giữa kỳ' : 'cuối kỳ'} môn ${subject.name} học kỳ ${a.semester}: chưa tính được kết quả`,
        `Student ${a.studentCode} has no ${field} in ${subject.nameEn}, semester ${a.semester}: no result can be computed`,
      );
    }
  }
  if (a.evaluation === 'commented') {
    const required = requiredRegularAssessments(subject.periodsPerYear[String(grade)]!);
    return commentedSemesterResult([...a.regular, a.midterm!, a.final!], required + 2);
  }
  const scores: Array<[string, number]> = [
    ...a.regular.map((s, i): [string, number] => [`regular.${i}`, s]),
    ['midterm', a.midterm!],
    ['final', a.final!],
  ];
  for (const [field, score] of scores) {
    const problem = checkScore(score, field)[0];
    if (problem) throw new TemplateSkip(a.key, field, problem.message.vi, problem.message.en);
  }
  return semesterAverage(a.regular, a.midterm!, a.final!);
}

/**
 * Recomputes a student's results for the period from their assessments of the school year.
 *
 * @example
 * studentResult(studentKey, assessments, 'year').level // 'Tốt'
 */
export function studentResult(
  studentKey: string,
  assessments: readonly Assessment[],
  period: ResultPeriod,
): StudentResult {
  const semesters = SEMESTERS[period];
  const bySemester = new Map<1 | 2, Map<string, Assessment>>(semesters.map((s) => [s, new Map()]));
  for (const a of assessments) {
    const books = bySemester.get(a.semester);
    if (!books) continue;
    const other = books.get(a.subjectCode);
    if (other && other.key !== a.key) {
      throw new TemplateSkip(
        a.key,
        'subjectCode',
        `Học sinh ${a.studentCode} có hai bản ghi điểm môn ${a.subjectCode} học kỳ ${a.semester} (${other.key})`,
        `Student ${a.studentCode} has two assessments of ${a.subjectCode} in semester ${a.semester} (${other.key})`,
      );
    }
    books.set(a.subjectCode, a);
  }
  // The class the last semester's grade book lists the student in.
  const last = bySemester.get(semesters.at(-1)!)!;
  const first = [...last.values()][0] ?? [...bySemester.values()].flatMap((m) => [...m.values()])[0];
  if (!first) {
    throw new TemplateSkip(
      studentKey,
      'assessments',
      `Không có bản ghi điểm ${semesters.map((s) => `học kỳ ${s}`).join(', ')} để tính kết quả`,
      `No assessments of semester ${semesters.join(' and ')} to compute the results from`,
    );
  }
  const className = first.className;
  const grade = gradeOfClassName(className);
  if (grade === null) {
    throw new TemplateSkip(
      first.key,
      'className',
      `Không xác định được khối của lớp "${className}"`,
      `No grade in class name "${className}"`,
    );
  }
  const codes = new Set<string>(subjectsOfGrade(grade).map((s) => s.code));
  for (const books of bySemester.values()) for (const code of books.keys()) codes.add(code);
  const values = new Map<string, number | Comment>();
  for (const code of [...codes].sort(bySubjectOrder)) {
    const perSemester = semesters.map((s) => {
      const a = bySemester.get(s)!.get(code);
      if (!a) {
        throw new TemplateSkip(
          studentKey,
          'assessments',
          `Học sinh thiếu điểm môn ${subjectHeader(code)} học kỳ ${s}: chưa tính được kết quả`,
          `The student has no assessment of ${code} in semester ${s}: no result can be computed`,
        );
      }
      return semesterValue(a, grade);
    });
    let value: number | Comment;
    if (perSemester.length === 1) value = perSemester[0]!;
    else {
      const [s1, s2] = perSemester as [number | Comment, number | Comment];
      value =
        typeof s1 === 'number' && typeof s2 === 'number'
          ? yearAverage(s1, s2)
          : commentedYearResult(s2 as Comment);
    }
    values.set(code, value);
  }
  const scored: number[] = [];
  const commented: Comment[] = [];
  for (const v of values.values()) {
    if (typeof v === 'number') scored.push(v);
    else commented.push(v);
  }
  return { className, subjects: values, level: learningLevel({ scored, commented }).level };
}

/** The subject columns: every subject the school's assessments of the period hold, in curriculum order. */
export function resultSubjects(school: SchoolRecords, ctx: TemplateContext): string[] {
  const year = ctx.schoolYear;
  if (!year) return [];
  const semesters = SEMESTERS[ctx.period];
  const codes = new Set<string>();
  const grades = new Set<number>();
  for (const studentCode of school.assessedStudents(year)) {
    for (const a of school.assessmentsOf(studentCode, year)) {
      if (!semesters.includes(a.semester)) continue;
      codes.add(a.subjectCode);
      const grade = gradeOfClassName(a.className);
      if (grade !== null) grades.add(grade);
    }
  }
  for (const grade of grades) for (const s of subjectsOfGrade(grade)) codes.add(s.code);
  return [...codes].sort(bySubjectOrder);
}

/**
 * One student's row: identity, then each subject column's value (blank for a subject the student's
 * grade does not have), then level and conduct.
 */
export function resultRowOf(
  student: Student,
  result: StudentResult,
  subjects: readonly string[],
  conduct: LearningLevel | undefined,
  stt: number,
): TemplateCell[] {
  return [
    stt,
    result.className,
    student.studentCode,
    student.fullName,
    dmy(student.birthDate),
    genderLabel(student.key, student.gender),
    ...subjects.map((code) => result.subjects.get(code) ?? null),
    result.level,
    conduct ?? null,
  ];
}

function* resultRows(school: SchoolRecords, ctx: TemplateContext): Iterable<RowOutcome> {
  const year = ctx.schoolYear;
  if (!year) return;
  const subjects = resultSubjects(school, ctx);
  const semesters = SEMESTERS[ctx.period];
  const ready: Array<{ student: Student; result: StudentResult }> = [];
  const assessed = new Set<string>();
  for (const studentCode of school.assessedStudents(year)) {
    const assessments = school.assessmentsOf(studentCode, year).filter((a) => semesters.includes(a.semester));
    if (assessments.length === 0) continue;
    assessed.add(studentCode);
    const student = school.student(studentCode);
    if (!student) {
      yield {
        skipped: new TemplateSkip(
          assessments[0]!.key,
          'studentCode',
          `Không có bản ghi học sinh mã ${studentCode} trong dữ liệu đầu vào (cần họ tên, ngày sinh)`,
          `No student record with code ${studentCode} in the input (the row needs the name and birth date)`,
        ).skipped,
      };
      continue;
    }
    try {
      ready.push({ student, result: studentResult(student.key, assessments, ctx.period) });
    } catch (error) {
      if (!(error instanceof TemplateSkip)) throw error;
      yield { skipped: error.skipped };
    }
  }
  // A student on the roll (by their latest enrollment of the year) with no assessments at all is
  // missing from the grade books: say so rather than leave them out.
  const latest = new Map<string, Enrollment>();
  for (const e of school.all('enrollment')) {
    if (e.schoolYear !== year || assessed.has(e.studentCode)) continue;
    const seen = latest.get(e.studentCode);
    if (!seen || e.statusDate >= seen.statusDate) latest.set(e.studentCode, e);
  }
  for (const e of latest.values()) {
    if (!ACTIVE_STUDENT_STATUSES.has(e.status)) continue;
    yield {
      skipped: new TemplateSkip(
        school.student(e.studentCode)?.key ?? e.key,
        'assessments',
        `Học sinh ${e.studentCode} (lớp ${e.className}) đang học nhưng không có bản ghi điểm ${PERIOD_TITLE[ctx.period].toLowerCase()}`,
        `Student ${e.studentCode} (class ${e.className}) is on the roll but has no assessments for the period`,
      ).skipped,
    };
  }
  ready.sort((a, b) => byClassName(a.result.className, b.result.className));
  let stt = 0;
  for (const { student, result } of ready) {
    try {
      const conduct = school.learningResult(student.studentCode, year, ctx.period)?.conduct;
      const cells = resultRowOf(student, result, subjects, conduct, stt + 1);
      stt++;
      yield { cells };
    } catch (error) {
      if (!(error instanceof TemplateSkip)) throw error;
      yield { skipped: error.skipped };
    }
  }
}

export const ketQuaHocTap: ExportTemplate = {
  id: 'KetQuaHocTap',
  sheet: KET_QUA_HOC_TAP_SHEET,
  description: 'Kết quả học tập theo Thông tư 22 / Learning results (Circular 22)',
  // Classes only for the class column's dropdown (DM_Lop).
  recordTypes: ['student', 'enrollment', 'assessment', 'learningResult', 'class'],
  titles: (ctx) => [
    departmentTitle(ctx.school),
    schoolTitle(ctx),
    `KẾT QUẢ HỌC TẬP ${PERIOD_TITLE[ctx.period]}${ctx.schoolYear ? ` - NĂM HỌC ${ctx.schoolYear}` : ''}`,
  ],
  columns: (school, ctx) => {
    const classes = classesOf(school, ctx);
    return [
      ...HEAD_COLUMNS.map((c) => (c.header === 'Mã lớp' && classes ? { ...c, list: classes } : c)),
      ...resultSubjects(school, ctx).map(subjectColumn),
      ...TAIL_COLUMNS,
    ];
  },
  codeLists: (school, ctx) => [
    ...[classesOf(school, ctx)].filter((c) => c !== undefined),
    DM_GIOI_TINH,
    DM_MON_HOC,
    DM_MUC_DANH_GIA,
    DM_NHAN_XET,
  ],
  rows: resultRows,
};
