/**
 * The education reports: `GET /v1/reports/{enrolment,scores,levels,district,quality}`, as JSON or,
 * with `?format=xlsx` or `Accept: <xlsx type>`, as an Excel file with the same numbers (streamed).
 * A school key reads its own school only (a `school` it does not hold is 403 FORBIDDEN_SCOPE); a
 * district key its schools; a city key every school.
 */
import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  districtReportSchema,
  enrolmentReportSchema,
  levelsReportSchema,
  qualityReportSchema,
  REPORTS,
  type ReportName,
  reportFiltersSchema,
  scoresReportSchema,
} from '../../reports/index.ts';
import { reportFileName, writeReportXlsx, XLSX_TYPE } from '../../reports/xlsx.ts';
import type { Database } from '../../store/index.ts';
import { authorize, SECURED } from '../auth.ts';
import { problemResponses } from '../responses.ts';

const ROUTES: Record<
  ReportName,
  { schema: z.ZodType; operationId: string; summary: string; description: string }
> = {
  enrolment: {
    schema: enrolmentReportSchema,
    operationId: 'getEnrolmentReport',
    summary: 'Sĩ số theo khối, giới tính, dân tộc / Enrolment by grade, gender and ethnicity',
    description:
      'Students at school (an active status, or none given) per school, school year and grade, with male and female, and per ethnic group. Filters: school, schoolYear, grade, className.',
  },
  scores: {
    schema: scoresReportSchema,
    operationId: 'getScoresReport',
    summary: 'Phổ điểm và điểm trung bình / Score distribution and averages',
    description:
      'Per school, school year, semester, grade and subject: the ten bands of the semester averages (ĐTBmhk, Circular 22 Art. 9(1b)), their mean rounded half up to one decimal, and Đ/CĐ counts of commented subjects. Filters: school, schoolYear, grade, className, subject, semester.',
  },
  levels: {
    schema: levelsReportSchema,
    operationId: 'getLevelsReport',
    summary: 'Kết quả học tập, rèn luyện / Learning and conduct levels',
    description:
      "Per school, school year, period and grade: students rated Tốt, Khá, Đạt, Chưa đạt (Circular 22 Art. 9(2)–(3)) as counts and shares, the pass rate (not Chưa đạt) and conduct. Levels from the school's learning results, else computed from the assessments. Filters: school, schoolYear, grade, className, period (or semester).",
  },
  district: {
    schema: districtReportSchema,
    operationId: 'getDistrictReport',
    summary: 'So sánh các trường / The district compared across schools',
    description:
      "One row per school: enrolled students, mean semester average, learning levels' shares and pass rate for one period (asked, or the latest with data), and the share of students whose personal ID C06 confirmed.",
  },
  quality: {
    schema: qualityReportSchema,
    operationId: 'getQualityReport',
    summary: 'Bảng điểm chất lượng dữ liệu / Data-quality scorecard',
    description:
      "Per school and stream, the last run whose pull ended: records read and, per rule, the records with the rule's problems and their share. Filter: school.",
  },
};

const querySchema = reportFiltersSchema.extend({
  format: z
    .enum(['json', 'xlsx'])
    .optional()
    .describe(`xlsx: an Excel file (or send \`Accept: ${XLSX_TYPE}\`)`),
});

export const reportsRoutes: FastifyPluginAsyncZod<{ database: Database }> = async (app, { database }) => {
  for (const name of Object.keys(ROUTES) as ReportName[]) {
    const route = ROUTES[name];
    app.get(
      `/reports/${name}`,
      {
        schema: {
          operationId: route.operationId,
          tags: ['reports'],
          summary: route.summary,
          description: route.description,
          security: SECURED,
          querystring: querySchema,
          response: {
            200: {
              description: 'The report as JSON, or as an Excel file with the same numbers',
              content: {
                'application/json': { schema: route.schema },
                [XLSX_TYPE]: { schema: z.string().describe('The .xlsx file') },
              },
            },
            ...problemResponses(400, 401, 403),
          },
        },
      },
      async (request, reply) => {
        const { format, ...filters } = request.query;
        const principal = await authorize(request, {
          action: 'reports:read',
          roles: ['district', 'school', 'city'],
          ...(filters.school ? { schoolCode: filters.school } : {}),
        });
        const scope = { schools: principal.role === 'city' ? undefined : principal.schools };
        const report = await REPORTS[name](database, filters, scope);
        const wantsXlsx = format === 'xlsx' || (format === undefined && acceptsXlsx(request.headers.accept));
        if (!wantsXlsx) return reply.type('application/json; charset=utf-8').send(report);
        const body = new PassThrough();
        writeReportXlsx(report, { stream: body }).catch((error) => body.destroy(error as Error));
        return reply
          .type(XLSX_TYPE)
          .header('content-disposition', `attachment; filename="${reportFileName(report, filters.school)}"`)
          .send(body);
      },
    );
  }
};

function acceptsXlsx(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => part.trim().split(';')[0] === XLSX_TYPE);
}
