/**
 * Grade books (sổ điểm) as vnEdu and SMAS export them: one workbook per class, a sheet per subject
 * and semester ("Toán HK1"), the subject, class, semester and year in the title rows, a two-row
 * header whose "ĐĐGtx" cell is merged over the regular-assessment columns numbered 1–4, and the
 * footer they are printed with under the table: a blank row, the class size, the place and date,
 * who signs ("Giáo viên bộ môn", "Hiệu trưởng") in the table's own columns, "(Ký, ghi rõ họ tên)".
 */
import type Excel from 'exceljs';
import type { Assessment } from '../../../src/model/records.ts';
import { subjectName } from './teachers.ts';
import { letter, openWorkbook, sheetName, writeTitles } from './workbook.ts';

/** Where an assessment's fields sit in its sheet. */
export interface GradeCell {
  sheet: string;
  row: number;
  /** Column letter of each canonical field (`regular.0`, `midterm`, `final`, `average`/`result`). */
  columns: Record<string, string>;
}

const FIRST_DATA_ROW = 6;

function writeSheet(
  wb: Excel.stream.xlsx.WorkbookWriter,
  name: string,
  records: ReadonlyArray<{ a: Assessment; fullName: string }>,
  onRow: (a: Assessment, cell: GradeCell) => void,
  created: Date,
): void {
  const first = records[0]!.a;
  const commented = first.evaluation === 'commented';
  const regular = Math.max(...records.map((r) => r.a.regular.length), 1);
  const ws = wb.addWorksheet(name);
  const width = 3 + regular + 3;
  writeTitles(
    ws,
    [
      `SỔ ĐIỂM MÔN: ${subjectName(first.subjectCode).toUpperCase()}`,
      `LỚP: ${first.className} - HỌC KỲ ${first.semester === 1 ? 'I' : 'II'} - NĂM HỌC ${first.schoolYear}`,
    ],
    width,
  );
  ws.addRow([]).commit();
  // Row 4: group labels; row 5: the regular assessments' numbers under "ĐĐGtx".
  const top = ws.addRow([
    'STT',
    'Mã học sinh',
    'Họ và tên',
    'ĐĐGtx',
    ...Array(regular - 1).fill(null),
    'ĐĐGgk',
    'ĐĐGck',
    commented ? 'Kết quả' : 'ĐTBmhk',
  ]);
  top.font = { bold: true };
  const sub = ws.addRow([null, null, null, ...Array.from({ length: regular }, (_, i) => String(i + 1))]);
  sub.font = { bold: true };
  // Merges are made once both header rows exist: the streaming writer numbers a new row after the
  // last row it holds, and a merge creates the rows it covers.
  if (regular > 1) ws.mergeCells(4, 4, 4, 3 + regular);
  for (const col of [1, 2, 3, 4 + regular, 5 + regular, 6 + regular]) ws.mergeCells(4, col, 5, col);
  top.commit();
  sub.commit();
  const columns: Record<string, string> = {
    ...Object.fromEntries(Array.from({ length: regular }, (_, i) => [`regular.${i}`, letter(4 + i)])),
    midterm: letter(4 + regular),
    final: letter(5 + regular),
    [commented ? 'result' : 'average']: letter(6 + regular),
  };
  records.forEach(({ a, fullName }, i) => {
    const regularCells = Array.from({ length: regular }, (_, k) => a.regular[k] ?? null);
    const last = a.evaluation === 'scored' ? a.average : a.result;
    ws.addRow([
      i + 1,
      a.studentCode,
      fullName,
      ...regularCells,
      a.midterm ?? null,
      a.final ?? null,
      last ?? null,
    ]).commit();
    onRow(a, { sheet: name, row: FIRST_DATA_ROW + i, columns });
  });
  const signs = 4 + regular;
  const pad = (col: number, text: string) => [...Array(col - 1).fill(null), text];
  ws.addRow([]).commit();
  ws.addRow([`Sĩ số: ${records.length}`]).commit();
  ws.addRow(
    pad(
      signs,
      `Nhà Bè, ngày ${created.getUTCDate()} tháng ${created.getUTCMonth() + 1} năm ${created.getUTCFullYear()}`,
    ),
  ).commit();
  ws.addRow([null, 'Giáo viên bộ môn', ...pad(signs - 2, 'Hiệu trưởng')]).commit();
  ws.addRow([null, '(Ký, ghi rõ họ tên)', ...pad(signs - 2, '(Ký, ghi rõ họ tên, đóng dấu)')]).commit();
  ws.commit();
}

/**
 * Writes a class's grade book: one sheet per subject and semester, in the order the assessments
 * come (semester I's subjects, then semester II's).
 */
export async function writeGradeBook(options: {
  assessments: ReadonlyArray<{ a: Assessment; fullName: string }>;
  output: string;
  created: Date;
  onRow: (a: Assessment, cell: GradeCell) => void;
}): Promise<void> {
  const sheets = new Map<string, Array<{ a: Assessment; fullName: string }>>();
  for (const entry of options.assessments) {
    const name = sheetName(`${subjectName(entry.a.subjectCode)} HK${entry.a.semester}`);
    let list = sheets.get(name);
    if (!list) {
      list = [];
      sheets.set(name, list);
    }
    list.push(entry);
  }
  const ordered = [...sheets.entries()].sort(([, a], [, b]) => a[0]!.a.semester - b[0]!.a.semester);
  const wb = openWorkbook(options.output, { created: options.created });
  for (const [name, records] of ordered) writeSheet(wb, name, records, options.onRow, options.created);
  await wb.commit();
}
