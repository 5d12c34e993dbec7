/**
 * Each report as flat tables: the Excel file's sheets and the CLI's printed tables are both made
 * from these, so they hold the numbers of the JSON row for row. Headers in Vietnamese with the
 * English beside.
 */
import { LEVELS } from './names.ts';
import type { AnyReport } from './schemas.ts';

export interface Column {
  key: string;
  header: string;
  width: number;
  /** A share 0–1: Excel shows it as a percentage, the CLI as `12.5%`. */
  share?: boolean;
}

export interface ReportTable {
  /** The sheet's name (at most 31 characters, Excel's limit). */
  sheet: string;
  columns: Column[];
  rows: Array<Record<string, string | number | null>>;
}

const LEVEL_KEYS = ['tot', 'kha', 'dat', 'chuaDat'] as const;
const LEVEL_EN = ['Good', 'Fair', 'Pass', 'Not yet'];

function levelColumns(prefix: string, vi: string, en: string): Column[] {
  return LEVELS.flatMap((level, i) => [
    { key: `${prefix}${LEVEL_KEYS[i]}`, header: `${vi} ${level} / ${en} ${LEVEL_EN[i]}`, width: 14 },
    {
      key: `${prefix}${LEVEL_KEYS[i]}Share`,
      header: `Tỉ lệ ${level} / Share ${LEVEL_EN[i]}`,
      width: 12,
      share: true,
    },
  ]);
}

function levelCells(
  prefix: string,
  levels: ReadonlyArray<{ students: number; share: number | null }>,
): Record<string, number | null> {
  return Object.fromEntries(
    levels.flatMap((l, i) => [
      [`${prefix}${LEVEL_KEYS[i]}`, l.students],
      [`${prefix}${LEVEL_KEYS[i]}Share`, l.share],
    ]),
  );
}

const SCHOOL: Column = { key: 'schoolCode', header: 'Mã trường / School', width: 12 };
const YEAR: Column = { key: 'schoolYear', header: 'Năm học / School year', width: 12 };
const GRADE: Column = { key: 'grade', header: 'Khối / Grade', width: 8 };

export function reportTables(report: AnyReport): ReportTable[] {
  switch (report.report) {
    case 'enrolment':
      return [
        {
          sheet: 'Sĩ số theo khối - By grade',
          columns: [
            SCHOOL,
            YEAR,
            GRADE,
            { key: 'students', header: 'Học sinh / Students', width: 12 },
            { key: 'male', header: 'Nam / Male', width: 10 },
            { key: 'female', header: 'Nữ / Female', width: 10 },
          ],
          rows: report.byGrade.map((r) => ({ ...r })),
        },
        {
          sheet: 'Sĩ số theo dân tộc - Ethnicity',
          columns: [
            SCHOOL,
            { key: 'ethnicityCode', header: 'Mã dân tộc / Code', width: 10 },
            { key: 'ethnicity', header: 'Dân tộc / Ethnic group', width: 16 },
            { key: 'students', header: 'Học sinh / Students', width: 12 },
            { key: 'male', header: 'Nam / Male', width: 10 },
            { key: 'female', header: 'Nữ / Female', width: 10 },
          ],
          rows: report.byEthnicity.map((r) => ({ ...r })),
        },
      ];
    case 'scores':
      return [
        {
          sheet: 'Điểm - Scores',
          columns: [
            SCHOOL,
            YEAR,
            { key: 'semester', header: 'Học kỳ / Semester', width: 9 },
            GRADE,
            { key: 'subjectCode', header: 'Môn / Subject', width: 10 },
            { key: 'evaluation', header: 'Hình thức / Evaluation', width: 11 },
            { key: 'students', header: 'Học sinh / Students', width: 10 },
            { key: 'average', header: 'ĐTB / Average', width: 9 },
            ...Array.from({ length: 10 }, (_, i) => ({
              key: `band${i}`,
              header: i === 9 ? '[9;10]' : `[${i};${i + 1})`,
              width: 8,
            })),
            { key: 'withoutAverage', header: 'Chưa có ĐTB / No average', width: 11 },
            { key: 'passed', header: 'Đ / Passed', width: 8 },
            { key: 'notPassed', header: 'CĐ / Not yet', width: 8 },
            { key: 'withoutResult', header: 'Chưa có KQ / No result', width: 11 },
          ],
          rows: report.rows.map(({ bands, ...r }) => ({
            ...r,
            ...Object.fromEntries(bands.map((n, i) => [`band${i}`, n])),
          })),
        },
      ];
    case 'levels':
      return [
        {
          sheet: 'Xếp loại - Levels',
          columns: [
            SCHOOL,
            YEAR,
            { key: 'period', header: 'Kỳ / Period', width: 10 },
            GRADE,
            { key: 'students', header: 'Học sinh / Students', width: 10 },
            ...levelColumns('learning', 'HT', 'Learning'),
            { key: 'passRate', header: 'Tỉ lệ đạt / Pass rate', width: 11, share: true },
            { key: 'conductRated', header: 'Có RL / Conduct rated', width: 10 },
            ...levelColumns('conduct', 'RL', 'Conduct'),
            { key: 'fromLearningResults', header: 'Từ KQHT / From results', width: 11 },
            { key: 'fromAssessments', header: 'Tính từ điểm / From marks', width: 11 },
            { key: 'incomplete', header: 'Chưa đủ / Incomplete', width: 10 },
          ],
          rows: report.rows.map(({ learning, conduct, ...r }) => ({
            ...r,
            ...levelCells('learning', learning),
            ...levelCells('conduct', conduct),
          })),
        },
      ];
    case 'district':
      return [
        {
          sheet: 'Toàn quận - District',
          columns: [
            SCHOOL,
            { key: 'students', header: 'Học sinh / Students', width: 10 },
            { key: 'averageScore', header: 'ĐTB / Average', width: 9 },
            { key: 'rated', header: 'Có xếp loại / Rated', width: 10 },
            ...levelColumns('learning', 'HT', 'Learning'),
            { key: 'passRate', header: 'Tỉ lệ đạt / Pass rate', width: 11, share: true },
            { key: 'c06ConfirmedShare', header: 'C06 xác thực / C06 confirmed', width: 12, share: true },
          ],
          rows: report.schools.map(({ learning, ...r }) => ({ ...r, ...levelCells('learning', learning) })),
        },
      ];
    case 'quality':
      return [
        {
          sheet: 'Chất lượng - Data quality',
          columns: [
            SCHOOL,
            { key: 'stream', header: 'Luồng / Stream', width: 12 },
            { key: 'runAt', header: 'Lần chạy / Run at', width: 22 },
            { key: 'records', header: 'Bản ghi / Records', width: 10 },
            { key: 'invalid', header: 'Lỗi / Invalid', width: 9 },
            { key: 'rule', header: 'Quy tắc / Rule', width: 30 },
            { key: 'severity', header: 'Mức / Severity', width: 9 },
            { key: 'withProblem', header: 'Có vấn đề / With problem', width: 11 },
            { key: 'share', header: 'Tỉ lệ / Share', width: 9, share: true },
          ],
          // One line per stream and rule; a stream without problems keeps one line, rule empty.
          rows: report.streams.flatMap((s): ReportTable['rows'] => {
            const base = {
              schoolCode: s.schoolCode,
              stream: s.stream,
              runAt: s.runAt,
              records: s.records,
              invalid: s.invalid,
            };
            if (s.rules.length === 0)
              return [{ ...base, rule: null, severity: null, withProblem: 0, share: 0 }];
            return s.rules.map((r) => ({
              ...base,
              rule: r.rule,
              severity: r.severity,
              withProblem: r.records,
              share: r.share,
            }));
          }),
        },
      ];
  }
}
