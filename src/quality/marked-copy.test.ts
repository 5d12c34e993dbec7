import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from './findings.ts';
import { FINDINGS_SHEET, writeMarkedCopy } from './marked-copy.ts';

const dir = mkdtempSync(join(tmpdir(), 'edubridge-marked-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RED = 'FFFFC7CE';
const YELLOW = 'FFFFEB9C';

const finding = (over: Partial<Finding>): Finding => ({
  sheet: 'Sheet1',
  row: 3,
  column: 'C',
  field: 'studentCode',
  code: 'FIELD_MISSING',
  level: 'error',
  message: { vi: 'Thiếu "Mã học sinh"', en: '"Mã học sinh" is empty' },
  ...over,
});

async function readBack(path: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  return wb;
}

const fillOf = (cell: ExcelJS.Cell) => (cell.fill as ExcelJS.FillPattern | undefined)?.fgColor?.argb;
const noteOf = (cell: ExcelJS.Cell) =>
  typeof cell.note === 'string' ? cell.note : (cell.note?.texts ?? []).map((t) => t.text).join('');

describe('writeMarkedCopy of an .xlsx', () => {
  const input = join(dir, 'C1-HocSinh.xlsx');
  const out = join(dir, 'C1-HocSinh.loi.xlsx');
  const findings: Finding[] = [
    finding({}),
    finding({
      row: 4,
      column: 'E',
      field: 'personalId',
      code: 'PERSONAL_ID_LEADING_ZERO_RESTORED',
      level: 'warning',
      message: { vi: 'Số 79214300109 có 11 chữ số', en: '79214300109 has 11 digits' },
    }),
    finding({
      row: 4,
      column: 'E',
      field: 'personalId',
      code: 'PERSONAL_ID_DUPLICATE',
      message: { vi: 'Số định danh đã có', en: 'The personal ID is taken' },
    }),
    finding({ row: 5, column: null, field: 'schoolYear', code: 'CONTEXT_MISSING' }),
    // A blank row the file does not hold, and a sheet it does not have: listed all the same.
    finding({ row: 9, column: 'B', field: 'className', code: 'FIELD_MISSING' }),
    finding({ sheet: 'Nowhere', row: 2, column: 'A' }),
  ];

  beforeAll(async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sheet1');
    ws.columns = [{ width: 6 }, { width: 8 }, { width: 14 }, { width: 26 }, { width: 15 }];
    ws.addRow(['DANH SÁCH HỌC SINH']).font = { bold: true };
    const header = ws.addRow(['STT', 'Mã lớp', 'Mã học sinh', 'Họ tên', 'Số định danh cá nhân']);
    header.font = { bold: true };
    ws.addRow([1, '6A1', null, 'Trần Minh Khôi', '079214200001']);
    ws.addRow([2, '6A1', '7900000102', 'Lê Thị Hoa', 79214300109]);
    ws.addRow([3, '6A2', '7900000103', 'Phạm Văn Nam', '079214300110']);
    ws.getCell('E5').numFmt = '@';
    wb.addWorksheet('Lỗi - Findings').addRow(['the school’s own sheet of this name']);
    await wb.xlsx.writeFile(input);
    expect(await writeMarkedCopy({ input, out, findings })).toEqual({
      copied: true,
      sheets: 2,
      cells: 4,
      findings: 6,
    });
  });

  it("keeps the school's sheets, values and styles, and adds the findings sheet last", async () => {
    const wb = await readBack(out);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Sheet1', 'Lỗi - Findings', `${FINDINGS_SHEET} (2)`]);
    const ws = wb.getWorksheet('Sheet1')!;
    expect(ws.getRow(3).values).toEqual([undefined, 1, '6A1', undefined, 'Trần Minh Khôi', '079214200001']);
    expect(ws.getCell('E4').value).toBe(79214300109);
    expect(ws.getCell('A2').font?.bold).toBe(true);
    // Columns sized by their values (the streaming reader loses the file's widths), not by a title.
    expect(ws.getColumn(4).width).toBe('Trần Minh Khôi'.length + 2);
    expect(ws.getColumn(1).width).toBeLessThan(10);
  });

  it('fills each problem cell by its worst severity and notes every finding on it in both languages', async () => {
    const ws = (await readBack(out)).getWorksheet('Sheet1')!;
    expect(fillOf(ws.getCell('C3'))).toBe(RED);
    expect(noteOf(ws.getCell('C3'))).toBe(
      '[LỖI / ERROR] FIELD_MISSING\nThiếu "Mã học sinh"\n"Mã học sinh" is empty',
    );
    // An error and a warning on one cell: red, the error first.
    expect(fillOf(ws.getCell('E4'))).toBe(RED);
    expect(noteOf(ws.getCell('E4'))).toBe(
      '[LỖI / ERROR] PERSONAL_ID_DUPLICATE\nSố định danh đã có\nThe personal ID is taken\n\n' +
        '[CẢNH BÁO / WARNING] PERSONAL_ID_LEADING_ZERO_RESTORED\nSố 79*******09 có 11 chữ số\n79*******09 has 11 digits',
    );
    // A finding of the whole row marks its first cell; a row the file left blank is marked too.
    expect(noteOf(ws.getCell('A5'))).toContain('CONTEXT_MISSING');
    expect(fillOf(ws.getCell('B9'))).toBe(RED);
    // Nothing else is marked, and the style a marked cell shared is left alone elsewhere.
    expect(fillOf(ws.getCell('C4'))).toBeUndefined();
    expect(fillOf(ws.getCell('B3'))).toBeUndefined();
    expect(ws.getCell('D3').note).toBeUndefined();
  });

  it('lists every finding on the findings sheet, bilingual, with personal numbers masked', async () => {
    const ws = (await readBack(out)).getWorksheet(`${FINDINGS_SHEET} (2)`)!;
    const rows = ws.getSheetValues().filter(Boolean) as unknown[][];
    expect(rows[0]).toEqual([
      undefined,
      'Trang tính / Sheet',
      'Dòng / Row',
      'Cột / Column',
      'Trường / Field',
      'Mã / Code',
      'Mức / Severity',
      'Thông báo (tiếng Việt)',
      'Message (English)',
    ]);
    expect(rows).toHaveLength(1 + findings.length);
    expect(rows[2]).toEqual([
      undefined,
      'Sheet1',
      4,
      'E',
      'personalId',
      'PERSONAL_ID_LEADING_ZERO_RESTORED',
      'Cảnh báo / Warning',
      'Số 79*******09 có 11 chữ số',
      '79*******09 has 11 digits',
    ]);
    expect(rows[6]!.slice(1, 4)).toEqual(['Nowhere', 2, 'A']);
    expect(fillOf(ws.getCell('F3'))).toBe(YELLOW);
    expect(JSON.stringify(rows)).not.toMatch(/\d{11}/);
  });
});

describe('writeMarkedCopy of a workbook saved by a streaming writer', () => {
  it('copies every sheet of a 26-sheet grade book under its name, in order, and marks the 25th', async () => {
    // Sheets first, then the shared strings and the workbook part: what exceljs's own streaming
    // reader loses sheets of (17 to 20 of 26) and names "Sheet1" ….
    const input = join(dir, 'SoDiem-6A1.xlsx');
    const names = Array.from({ length: 26 }, (_, i) => `Môn ${i + 1} HK${i < 13 ? 1 : 2}`);
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: input, useSharedStrings: true });
    for (const name of names) {
      const ws = writer.addWorksheet(name);
      ws.addRow(['Mã học sinh', 'Họ tên', 'TX1']).commit();
      ws.addRow(['7900000101', 'Nguyễn Văn An', name === 'Môn 25 HK2' ? 11 : 7.5]).commit();
      ws.commit();
    }
    await writer.commit();
    const out = join(dir, 'SoDiem-6A1.loi.xlsx');
    const result = await writeMarkedCopy({
      input,
      out,
      findings: [
        finding({ sheet: 'Môn 25 HK2', row: 2, column: 'C', code: 'SCORE_RANGE', field: 'regular.0' }),
      ],
    });
    expect(result).toEqual({ copied: true, sheets: 26, cells: 1, findings: 1 });
    const wb = await readBack(out);
    expect(wb.worksheets.map((w) => w.name)).toEqual([...names, FINDINGS_SHEET]);
    const marked = wb.getWorksheet('Môn 25 HK2')!;
    expect(marked.getCell('C2').value).toBe(11);
    expect(fillOf(marked.getCell('C2'))).toBe(RED);
    expect(marked.getCell('B2').value).toBe('Nguyễn Văn An');
    expect(fillOf(wb.getWorksheet('Môn 24 HK2')!.getCell('C2'))).toBeUndefined();
  });
});

describe('writeMarkedCopy of a .csv', () => {
  it('writes the rows as text (IDs keep their zero) in a sheet named after the file, marked', async () => {
    const input = join(dir, 'hoc-sinh.csv');
    writeFileSync(
      input,
      '\ufeffMã học sinh;Họ tên;Số định danh\n7900000101;Nguyễn Văn An;079214300109\n;Trần Thị Bình;0792143\n',
    );
    const out = join(dir, 'hoc-sinh.loi.xlsx');
    const result = await writeMarkedCopy({
      input,
      out,
      findings: [
        finding({ sheet: 'hoc-sinh', row: 3, column: 'A' }),
        finding({ sheet: 'hoc-sinh', row: 3, column: 'C', code: 'PERSONAL_ID_FORMAT', field: 'personalId' }),
      ],
    });
    expect(result).toEqual({ copied: true, sheets: 1, cells: 2, findings: 2 });
    const ws = (await readBack(out)).getWorksheet('hoc-sinh')!;
    expect(ws.getRow(1).values).toEqual([undefined, 'Mã học sinh', 'Họ tên', 'Số định danh']);
    expect(ws.getCell('C2').value).toBe('079214300109');
    expect(fillOf(ws.getCell('A3'))).toBe(RED);
    expect(noteOf(ws.getCell('C3'))).toContain('PERSONAL_ID_FORMAT');
  });

  it('reads a UTF-16 CSV as Excel saves "Unicode text"', async () => {
    const input = join(dir, 'utf16.csv');
    writeFileSync(
      input,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Mã\tHọ tên\n1\tÂn\n', 'utf16le')]),
    );
    const out = join(dir, 'utf16.loi.xlsx');
    await writeMarkedCopy({ input, out, findings: [] });
    const ws = (await readBack(out)).getWorksheet('utf16')!;
    expect(ws.getRow(2).values).toEqual([undefined, '1', 'Ân']);
  });
});

describe('writeMarkedCopy of a file it cannot copy', () => {
  it('writes the findings sheet alone, and says so', async () => {
    const input = join(dir, 'broken.xlsx');
    writeFileSync(input, 'PK not really a zip');
    const out = join(dir, 'broken.loi.xlsx');
    const result = await writeMarkedCopy({ input, out, findings: [finding({})] });
    expect(result).toEqual({ copied: false, sheets: 0, cells: 0, findings: 1 });
    expect((await readBack(out)).worksheets.map((w) => w.name)).toEqual([FINDINGS_SHEET]);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });
});
