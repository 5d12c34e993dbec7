/**
 * The data-quality report as an Excel workbook, for the people who fix the data: they filter the
 * problems by school file, rule or field in Excel, not in a terminal. Written with exceljs's
 * streaming writer, so a long problem list does not sit in memory twice.
 */
import ExcelJS from 'exceljs';
import { RULES, type RuleCode } from '../model/index.ts';
import type { DataQualityReport } from './report.ts';

const HEADER_FILL = { type: 'pattern' as const, pattern: 'solid' as const, fgColor: { argb: 'FFDDEBF7' } };

function header(sheet: ExcelJS.Worksheet, columns: Array<{ header: string; key: string; width: number }>) {
  sheet.columns = columns;
  const row = sheet.getRow(1);
  row.font = { bold: true };
  row.fill = HEADER_FILL;
  row.commit();
}

/**
 * Writes the report to `path` with three sheets: summary, rules and problems (one row each, with
 * file, line, field, code and both messages).
 */
export async function writeReportXlsx(report: DataQualityReport, path: string): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useStyles: true });
  workbook.creator = 'EduBridge';

  const summary = workbook.addWorksheet('Tổng hợp - Summary', { views: [{ state: 'frozen', ySplit: 1 }] });
  header(summary, [
    { header: 'Loại bản ghi / Record type', key: 'type', width: 30 },
    { header: 'Bản ghi / Records', key: 'records', width: 16 },
    { header: 'Hợp lệ / Valid', key: 'valid', width: 16 },
    { header: 'Lỗi / Invalid', key: 'invalid', width: 16 },
    { header: 'Có cảnh báo / With warnings', key: 'withWarnings', width: 26 },
  ]);
  for (const [type, c] of Object.entries(report.byType)) summary.addRow({ type, ...c }).commit();
  const total = summary.addRow({ type: 'Tổng / Total', ...report.totals });
  total.font = { bold: true };
  total.commit();
  summary.addRow({}).commit();
  summary.addRow({ type: `Ngày đối chiếu / As of: ${report.asOf}` }).commit();
  summary.commit();

  const rules = workbook.addWorksheet('Quy tắc - Rules', { views: [{ state: 'frozen', ySplit: 1 }] });
  header(rules, [
    { header: 'Mã quy tắc / Rule code', key: 'code', width: 38 },
    { header: 'Mức / Severity', key: 'severity', width: 14 },
    { header: 'Số lần / Count', key: 'count', width: 14 },
    { header: 'Quy tắc', key: 'vi', width: 70 },
    { header: 'Rule', key: 'en', width: 70 },
  ]);
  for (const [code, r] of Object.entries(report.byRule)) {
    const rule = RULES[code as RuleCode];
    rules.addRow({ code, ...r, vi: rule?.vi ?? '', en: rule?.en ?? '' }).commit();
  }
  rules.commit();

  const problems = workbook.addWorksheet('Chi tiết - Problems', { views: [{ state: 'frozen', ySplit: 1 }] });
  header(problems, [
    { header: 'Tệp / File', key: 'file', width: 26 },
    { header: 'Dòng / Line', key: 'line', width: 10 },
    { header: 'Loại / Type', key: 'type', width: 14 },
    { header: 'Khóa / Key', key: 'key', width: 30 },
    { header: 'Trường / Field', key: 'field', width: 24 },
    { header: 'Mã / Code', key: 'code', width: 34 },
    { header: 'Mức / Severity', key: 'severity', width: 12 },
    { header: 'Thông báo', key: 'vi', width: 70 },
    { header: 'Message', key: 'en', width: 70 },
  ]);
  problems.autoFilter = { from: 'A1', to: 'I1' };
  for (const p of report.problems) {
    problems.addRow({ ...p, vi: p.message.vi, en: p.message.en }).commit();
  }
  if (report.problemsNotListed > 0) {
    problems
      .addRow({
        file: `… ${report.problemsNotListed} vấn đề khác không liệt kê / more problems not listed (--max-problems)`,
      })
      .commit();
  }
  problems.commit();
  await workbook.commit();
}
