/**
 * A report as an Excel workbook, streamed (exceljs's WorkbookWriter): the sheets of tables.ts,
 * headers frozen, shares as percentages (the cell holds the fraction, as the JSON does).
 */
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { AnyReport } from './schemas.ts';
import { reportTables } from './tables.ts';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const HEADER_FILL = { type: 'pattern' as const, pattern: 'solid' as const, fgColor: { argb: 'FFDDEBF7' } };

const FILE_WORD: Record<AnyReport['report'], string> = {
  enrolment: 'si-so',
  scores: 'diem',
  levels: 'xep-loai',
  district: 'toan-quan',
  quality: 'chat-luong-du-lieu',
};

/** `bao-cao-diem-79NB0001-2026-06-15.xlsx`; `toan-quan` in place of the school without one. */
export function reportFileName(report: AnyReport, school: string | undefined, at = new Date()): string {
  const where = (school ?? 'toan-quan').replace(/[^A-Za-z0-9_-]/g, '');
  return `bao-cao-${FILE_WORD[report.report]}-${where}-${at.toISOString().slice(0, 10)}.xlsx`;
}

/** Writes the workbook to `stream` (or to the file `filename`), and resolves once it is complete. */
export async function writeReportXlsx(
  report: AnyReport,
  to: { stream: Writable } | { filename: string },
): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ ...to, useStyles: true });
  workbook.creator = 'EduBridge';
  for (const table of reportTables(report)) {
    const sheet = workbook.addWorksheet(table.sheet.slice(0, 31), {
      views: [{ state: 'frozen', ySplit: 1 }],
    });
    sheet.columns = table.columns.map((c) => ({
      header: c.header,
      key: c.key,
      width: c.width,
      ...(c.share ? { style: { numFmt: '0.0%' } } : {}),
    }));
    const head = sheet.getRow(1);
    head.font = { bold: true };
    head.fill = HEADER_FILL;
    head.commit();
    for (const row of table.rows) sheet.addRow(row).commit();
    sheet.commit();
  }
  await workbook.commit();
}
