/**
 * `edubridge report <enrolment|scores|levels|district|quality>`: the education reports from a
 * running hub (EDUBRIDGE_URL, EDUBRIDGE_API_KEY) or the configured database (DATABASE_URL, or the
 * PGlite directory), printed as tables, as JSON (`--json`, the API's answer) or written to an
 * Excel file (`--xlsx FILE`, the API's file, made here from the same answer).
 */
import type { Command } from 'commander';
import type { AnyReport, ReportFilters, ReportName } from '../../reports/index.ts';
import { printJson, printLine, UsageError } from '../io.ts';

interface ReportOptions {
  school?: string;
  schoolYear?: string;
  grade?: string;
  class?: string;
  subject?: string;
  semester?: string;
  period?: string;
  xlsx?: string;
  json?: boolean;
}

const NAMES: readonly ReportName[] = ['enrolment', 'scores', 'levels', 'district', 'quality'];

/**
 * The report as the API answers it: from the running hub's API when EDUBRIDGE_URL and
 * EDUBRIDGE_API_KEY are set, else from the configured database (refused when that is an empty
 * in-memory one, which would answer about nothing).
 */
export async function fetchReport(name: ReportName, filters: ReportFilters): Promise<AnyReport> {
  const { withHubAccess } = await import('../hub-access.ts');
  const { REPORTS } = await import('../../reports/index.ts');
  return withHubAccess(async (access) =>
    access.kind === 'remote'
      ? access.client.getReport<AnyReport>(name, { ...filters })
      : REPORTS[name](access.hub.database, filters),
  );
}

function percent(value: unknown): string {
  return typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : '';
}

/** A table as fixed-width columns: header line, then a line per row (shares as percentages). */
export async function reportLines(report: AnyReport): Promise<string[]> {
  const { reportTables } = await import('../../reports/tables.ts');
  const lines: string[] = [];
  for (const table of reportTables(report)) {
    const cells = [
      table.columns.map((c) => c.header),
      ...table.rows.map((row) =>
        table.columns.map((c) => (c.share ? percent(row[c.key]) : String(row[c.key] ?? ''))),
      ),
    ];
    const widths = table.columns.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
    lines.push(`== ${table.sheet} ==`);
    for (const row of cells)
      lines.push(
        row
          .map((v, i) => v.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      );
    if (table.rows.length === 0) lines.push('(không có dữ liệu / no data)');
    lines.push('');
  }
  return lines;
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description(
      'Báo cáo giáo dục: sĩ số, điểm, xếp loại, toàn quận, chất lượng dữ liệu / Education reports: enrolment, scores, levels, district, data quality',
    )
    .argument('<name>', NAMES.join(' | '))
    .option('--school <code>', 'mã trường / school code')
    .option('--school-year <year>', 'năm học / school year, e.g. 2025-2026')
    .option('--grade <n>', 'khối / grade 1–12')
    .option('--class <name>', 'lớp / class, e.g. 6A1')
    .option('--subject <code>', 'mã môn / subject code, e.g. TOAN')
    .option('--semester <n>', 'học kỳ / semester 1 or 2')
    .option('--period <period>', 'kỳ / semester1 | semester2 | year (levels, district)')
    .option('--xlsx <file>', 'ghi file Excel / write an Excel file')
    .option('--json', 'in JSON như API / print the JSON the API answers')
    .action(async (name: string, opts: ReportOptions) => {
      if (!(NAMES as readonly string[]).includes(name))
        throw new UsageError(
          'OPTION_INVALID',
          `Báo cáo "${name}" không có; chọn ${NAMES.join(', ')}`,
          `There is no report "${name}"; choose ${NAMES.join(', ')}`,
        );
      const { reportFiltersSchema } = await import('../../reports/schemas.ts');
      const parsed = reportFiltersSchema.safeParse({
        school: opts.school,
        schoolYear: opts.schoolYear,
        grade: opts.grade,
        className: opts.class,
        subject: opts.subject,
        semester: opts.semester,
        period: opts.period,
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const flag = `--${String(issue.path[0] ?? '')
          .replace('className', 'class')
          .replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
        throw new UsageError(
          'OPTION_INVALID',
          `${flag}: giá trị không hợp lệ (${issue.message})`,
          `${flag}: invalid value (${issue.message})`,
        );
      }
      const report = await fetchReport(name as ReportName, parsed.data);
      if (opts.xlsx) {
        const { writeReportXlsx } = await import('../../reports/xlsx.ts');
        await writeReportXlsx(report, { filename: opts.xlsx });
      }
      if (opts.json) printJson(report);
      else if (!opts.xlsx) for (const line of await reportLines(report)) printLine(line);
      else printLine(`Đã ghi / Written: ${opts.xlsx}`);
    });
}
