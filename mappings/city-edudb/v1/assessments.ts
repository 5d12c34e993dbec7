/**
 * Kết quả học tập (Circular 22/2021/TT-BGDĐT): canonical `assessment` → a subject's semester
 * marks with the semester average (ĐTBmhk) or result RECOMPUTED by `src/model/grading.ts`, never
 * the source's own; canonical `learningResult` → the semester or year summary with the yearly
 * averages and the level recomputed the same way.
 */
import { z } from 'zod';
import {
  type Assessment,
  checkScore,
  commentedSemesterResult,
  gradeOfClassName,
  type LearningResult,
  learningLevel,
  requiredRegularAssessments,
  semesterAverage,
  subjectFor,
  yearAverage,
} from '../../../src/model/index.ts';
import { classCode, code, commentOut, conform, schoolYearOut, scoreOut, text, unmappable } from './common.ts';

const head = {
  MaTruong: code(),
  NamHoc: schoolYearOut(),
  MaLop: code(),
  MaHocSinh: code(),
};

export const CityAssessmentSchema = z.discriminatedUnion('HinhThucDanhGia', [
  z.strictObject({
    ...head,
    HocKy: z.union([z.literal(1), z.literal(2)]),
    MaMonHoc: code(),
    /** Đánh giá bằng điểm số. */
    HinhThucDanhGia: z.literal('DiemSo'),
    DiemDDGtx: z.array(scoreOut()),
    DiemDDGgk: scoreOut().nullable(),
    DiemDDGck: scoreOut().nullable(),
    /** ĐTBmhk recomputed; null until midterm and final are in. */
    DiemTBmhk: scoreOut().nullable(),
  }),
  z.strictObject({
    ...head,
    HocKy: z.union([z.literal(1), z.literal(2)]),
    MaMonHoc: code(),
    /** Đánh giá bằng nhận xét. */
    HinhThucDanhGia: z.literal('NhanXet'),
    DanhGiaDDGtx: z.array(commentOut()),
    DanhGiaDDGgk: commentOut().nullable(),
    DanhGiaDDGck: commentOut().nullable(),
    /** Đ/CĐ for the semester, recomputed; null until midterm and final are in. */
    KetQuaHK: commentOut().nullable(),
  }),
]);
export type CityAssessment = z.infer<typeof CityAssessmentSchema>;

const FIELDS = { MaTruong: 'schoolCode', MaHocSinh: 'studentCode', MaMonHoc: 'subjectCode' };

function subjectOf(a: { subjectCode: string; className: string }) {
  const grade = gradeOfClassName(a.className);
  if (grade === null)
    throw unmappable(
      'className',
      `Không xác định được khối của lớp ${a.className}`,
      'No grade in class name',
    );
  const subject = subjectFor(a.subjectCode, grade);
  if (!subject)
    throw unmappable(
      'subjectCode',
      `Môn "${a.subjectCode}" không có trong chương trình khối ${grade}`,
      `Subject "${a.subjectCode}" is not taught in grade ${grade}`,
    );
  return { grade, subject };
}

function score(value: number, field: string): number {
  const problem = checkScore(value, field)[0];
  if (problem) throw unmappable(field, problem.message.vi, problem.message.en);
  return value;
}

export function mapAssessment(a: Assessment): CityAssessment {
  const { grade, subject } = subjectOf(a);
  if (subject.evaluation !== a.evaluation)
    throw unmappable(
      'evaluation',
      `Môn ${subject.name} đánh giá bằng ${subject.evaluation === 'scored' ? 'điểm số' : 'nhận xét'}`,
      `${subject.nameEn} is ${subject.evaluation}`,
    );
  const common = {
    MaTruong: a.schoolCode,
    NamHoc: a.schoolYear,
    MaLop: classCode(a.schoolCode, a.schoolYear, a.className),
    MaHocSinh: a.studentCode,
    HocKy: a.semester,
    MaMonHoc: a.subjectCode,
  };
  if (a.evaluation === 'scored') {
    const regular = a.regular.map((s, i) => score(s, `regular.${i}`));
    const midterm = a.midterm === undefined ? null : score(a.midterm, 'midterm');
    const final = a.final === undefined ? null : score(a.final, 'final');
    return conform(
      CityAssessmentSchema,
      {
        ...common,
        HinhThucDanhGia: 'DiemSo',
        DiemDDGtx: regular,
        DiemDDGgk: midterm,
        DiemDDGck: final,
        DiemTBmhk: midterm !== null && final !== null ? semesterAverage(regular, midterm, final) : null,
      },
      FIELDS,
    );
  }
  const required = requiredRegularAssessments(subject.periodsPerYear[String(grade)]!);
  const complete = a.midterm !== undefined && a.final !== undefined;
  return conform(
    CityAssessmentSchema,
    {
      ...common,
      HinhThucDanhGia: 'NhanXet',
      DanhGiaDDGtx: [...a.regular],
      DanhGiaDDGgk: a.midterm ?? null,
      DanhGiaDDGck: a.final ?? null,
      KetQuaHK: complete ? commentedSemesterResult([...a.regular, a.midterm!, a.final!], required + 2) : null,
    },
    FIELDS,
  );
}

export const CityLearningResultSchema = z.strictObject({
  ...head,
  /** Kỳ: HK1, HK2, CN (cả năm). */
  KyDanhGia: z.enum(['HK1', 'HK2', 'CN']),
  MonHoc: z
    .array(
      z.strictObject({
        MaMonHoc: code(),
        /** ĐTBmhk, or ĐTBmcn recomputed from the two semesters when both are given. */
        DiemTB: scoreOut().optional(),
        KetQua: commentOut().optional(),
      }),
    )
    .min(1),
  /** Mức đánh giá kết quả học tập, recomputed (Art. 9(2)–(3)). */
  KetQuaHocTap: z.enum(['Tốt', 'Khá', 'Đạt', 'Chưa đạt']),
  /** Kết quả rèn luyện, as the school stated it. */
  KetQuaRenLuyen: text().optional(),
});
export type CityLearningResult = z.infer<typeof CityLearningResultSchema>;

const PERIOD = { semester1: 'HK1', semester2: 'HK2', year: 'CN' } as const;

export function mapLearningResult(r: LearningResult): CityLearningResult {
  const subjects = r.subjects.map((s, i) => {
    if (s.evaluation === 'commented') return { MaMonHoc: s.subjectCode, KetQua: s.result };
    const field = `subjects.${i}`;
    const average =
      r.period === 'year' && s.semester1 !== undefined && s.semester2 !== undefined
        ? yearAverage(score(s.semester1, `${field}.semester1`), score(s.semester2, `${field}.semester2`))
        : score(s.average, `${field}.average`);
    return { MaMonHoc: s.subjectCode, DiemTB: average };
  });
  const { level } = learningLevel({
    scored: subjects.flatMap((s) => (s.DiemTB !== undefined ? [s.DiemTB] : [])),
    commented: subjects.flatMap((s) => (s.KetQua !== undefined ? [s.KetQua] : [])),
  });
  return conform(
    CityLearningResultSchema,
    {
      MaTruong: r.schoolCode,
      NamHoc: r.schoolYear,
      MaLop: classCode(r.schoolCode, r.schoolYear, r.className),
      MaHocSinh: r.studentCode,
      KyDanhGia: PERIOD[r.period],
      MonHoc: subjects,
      KetQuaHocTap: level,
      ...(r.conduct !== undefined ? { KetQuaRenLuyen: r.conduct } : {}),
    },
    FIELDS,
  );
}
