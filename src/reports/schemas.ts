/**
 * The education reports' answers: the same JSON from the API (`GET /v1/reports/...`), the CLI
 * (`edubridge report ... --json`) and, row for row, the Excel files. Shares are fractions 0–1
 * (null with nothing to divide by); averages have one decimal, rounded as Circular 22 rounds.
 */
import { z } from 'zod';

import { LEVELS, PERIODS } from './names.ts';

export { LEVELS, PERIODS, REPORT_NAMES, type ReportName } from './names.ts';

const share = () => z.number().min(0).max(1).nullable();
const schoolYear = () => z.string().describe('Năm học / School year, `YYYY-YYYY`');

/** Query filters every report accepts a part of (bounded: codes and names are short). */
export const reportFiltersSchema = z
  .object({
    school: z.string().min(1).max(32).optional().describe('Mã trường / One school'),
    schoolYear: z
      .string()
      .regex(/^\d{4}-\d{4}$/)
      .optional()
      .describe('Năm học / School year, e.g. 2025-2026'),
    grade: z.coerce.number().int().min(1).max(12).optional().describe('Khối / Grade 1–12'),
    className: z.string().min(1).max(32).optional().describe('Lớp / Class name, e.g. 6A1'),
    subject: z.string().min(1).max(32).optional().describe('Mã môn / Subject code, e.g. TOAN'),
    semester: z.coerce
      .number()
      .int()
      .min(1)
      .max(2)
      .optional()
      .describe('Học kỳ / Semester 1 or 2 (levels: the semester’s period)'),
    period: z.enum(PERIODS).optional().describe('Kỳ / semester1, semester2 or year (levels, district)'),
  })
  .meta({ id: 'ReportFilters' });
export type ReportFilters = z.infer<typeof reportFiltersSchema>;

const levelShares = z
  .array(z.object({ level: z.enum(LEVELS), students: z.number().int(), share: share() }))
  .describe('Tốt, Khá, Đạt, Chưa đạt in that order: students and share of the students rated');

export const enrolmentReportSchema = z
  .object({
    report: z.literal('enrolment'),
    generatedAt: z.iso.datetime({ offset: true }),
    filters: reportFiltersSchema,
    totals: z.object({ students: z.number().int(), male: z.number().int(), female: z.number().int() }),
    byGrade: z.array(
      z.object({
        schoolCode: z.string(),
        schoolYear: schoolYear().nullable(),
        grade: z.number().int().nullable().describe('null: the class says no grade'),
        students: z.number().int(),
        male: z.number().int(),
        female: z.number().int(),
      }),
    ),
    byEthnicity: z.array(
      z.object({
        schoolCode: z.string(),
        ethnicityCode: z.string().nullable().describe('Mã dân tộc / 2-digit code; null: not given'),
        ethnicity: z.string().nullable().describe('Tên dân tộc / Name from the code list'),
        students: z.number().int(),
        male: z.number().int(),
        female: z.number().int(),
      }),
    ),
  })
  .meta({
    id: 'EnrolmentReport',
    description:
      'Sĩ số / Students at school: status studying, transferred in, readmitted, class changed, repeating, or none given',
  });
export type EnrolmentReport = z.infer<typeof enrolmentReportSchema>;

export const scoresReportSchema = z
  .object({
    report: z.literal('scores'),
    generatedAt: z.iso.datetime({ offset: true }),
    filters: reportFiltersSchema,
    rows: z.array(
      z.object({
        schoolCode: z.string(),
        schoolYear: schoolYear(),
        semester: z.number().int(),
        grade: z.number().int().nullable(),
        subjectCode: z.string(),
        evaluation: z.enum(['scored', 'commented']),
        students: z.number().int().describe('Assessment rows (one per student) of the group'),
        average: z
          .number()
          .nullable()
          .describe('Mean of the ĐTBmhk, one decimal rounded half up; null: commented or none yet'),
        bands: z
          .array(z.number().int())
          .length(10)
          .describe('Students per band of ĐTBmhk: [0,1), [1,2) … [8,9), [9,10]'),
        withoutAverage: z
          .number()
          .int()
          .describe('Scored rows with no ĐTBmhk yet (midterm or final missing)'),
        passed: z.number().int().describe('Commented: Đ'),
        notPassed: z.number().int().describe('Commented: CĐ'),
        withoutResult: z.number().int().describe('Commented rows with no result yet'),
      }),
    ),
  })
  .meta({
    id: 'ScoresReport',
    description: 'Điểm / Score distribution and averages per subject (Circular 22)',
  });
export type ScoresReport = z.infer<typeof scoresReportSchema>;

export const levelsReportSchema = z
  .object({
    report: z.literal('levels'),
    generatedAt: z.iso.datetime({ offset: true }),
    filters: reportFiltersSchema,
    rows: z.array(
      z.object({
        schoolCode: z.string(),
        schoolYear: schoolYear(),
        period: z.enum(PERIODS),
        grade: z.number().int().nullable(),
        students: z.number().int().describe('Students with a learning level'),
        learning: levelShares,
        passRate: share().describe('Share not Chưa đạt'),
        conductRated: z
          .number()
          .int()
          .describe('Students with a conduct level (only learning results carry one)'),
        conduct: levelShares,
        fromLearningResults: z.number().int().describe("Levels from the school's learning results"),
        fromAssessments: z.number().int().describe('Levels computed from the assessments (Art. 9)'),
        incomplete: z
          .number()
          .int()
          .describe(
            'Students with assessments whose level cannot be computed yet (a subject without result)',
          ),
      }),
    ),
  })
  .meta({
    id: 'LevelsReport',
    description: 'Kết quả học tập và rèn luyện / Learning and conduct levels (Circular 22 Art. 9)',
  });
export type LevelsReport = z.infer<typeof levelsReportSchema>;

export const districtReportSchema = z
  .object({
    report: z.literal('district'),
    generatedAt: z.iso.datetime({ offset: true }),
    filters: reportFiltersSchema,
    schoolYear: schoolYear().nullable().describe('The school year compared'),
    period: z.enum(PERIODS).nullable().describe('The period compared: asked, or the latest with data'),
    schools: z.array(
      z.object({
        schoolCode: z.string(),
        students: z.number().int().describe('Enrolled students'),
        averageScore: z
          .number()
          .nullable()
          .describe('Mean ĐTBmhk of every scored subject in the period (year: both semesters)'),
        rated: z.number().int().describe('Students with a learning level in the period'),
        learning: levelShares,
        passRate: share(),
        c06ConfirmedShare: share().describe('Students whose personal ID C06 confirmed, of those known'),
      }),
    ),
  })
  .meta({ id: 'DistrictReport', description: 'Toàn quận / The district compared across schools' });
export type DistrictReport = z.infer<typeof districtReportSchema>;

export const qualityReportSchema = z
  .object({
    report: z.literal('quality'),
    generatedAt: z.iso.datetime({ offset: true }),
    filters: reportFiltersSchema,
    streams: z.array(
      z.object({
        schoolCode: z.string(),
        stream: z.string(),
        runId: z.string(),
        runAt: z.iso.datetime({ offset: true }),
        records: z.number().int().describe("Records the run read of the stream's types"),
        invalid: z.number().int(),
        rules: z.array(
          z.object({
            rule: z.string(),
            severity: z.string(),
            records: z.number().int().describe('Records with at least one problem of the rule'),
            share: share(),
          }),
        ),
      }),
    ),
  })
  .meta({
    id: 'QualityReport',
    description: 'Chất lượng dữ liệu / Share of records with each rule’s problems, last run of each stream',
  });
export type QualityReport = z.infer<typeof qualityReportSchema>;

export type AnyReport = EnrolmentReport | ScoresReport | LevelsReport | DistrictReport | QualityReport;
