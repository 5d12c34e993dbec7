/**
 * Spreadsheets as schools hand them over, with what sits around the table: footers under a grade
 * book (place and date, who signs, signatures, totals), blank rows inside and after the table, and
 * files with nothing in them or nothing under the header.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalRecord } from '../../src/model/index.ts';
import { readContext, silentLogger } from '../../src/sdk/conformance/index.ts';
import {
  isSignal,
  PermanentError,
  parseAdapterConfig,
  type ReadItem,
  type RecordError,
} from '../../src/sdk/index.ts';
import excel from './index.ts';

const SCHOOL = '79NB0001';

interface Read {
  records: CanonicalRecord[];
  rejected: RecordError[];
  logs: Array<{ msg: string; data: Record<string, unknown> | undefined }>;
}

async function read(stream: Parameters<typeof excel.read>[0], input: Record<string, unknown>): Promise<Read> {
  const config = parseAdapterConfig(excel.configSchema, { schoolCode: SCHOOL, ...input }, 'excel');
  const out: Read = { records: [], rejected: [], logs: [] };
  const logger = {
    ...silentLogger,
    info: (msg: string, data?: Record<string, unknown>) => out.logs.push({ msg, data }),
  };
  const ctx = readContext(
    { logger, signal: new AbortController().signal, now: () => new Date('2026-06-15T00:00:00Z') },
    config,
    undefined,
  );
  for await (const item of excel.read(stream, ctx) as AsyncIterable<ReadItem>) {
    if (!isSignal(item)) out.records.push(item);
    else if (item.kind === 'rejected') out.rejected.push(item.error);
  }
  return out;
}

async function failure(stream: Parameters<typeof excel.read>[0], input: Record<string, unknown>) {
  try {
    await read(stream, input);
  } catch (error) {
    if (error instanceof PermanentError) return error;
    throw error;
  }
  throw new Error('the read did not fail');
}

const tableEnd = (r: Read) => r.logs.filter((l) => l.msg === 'excel table end').map((l) => l.data);

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'edubridge-footers-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

type Row = Array<string | number | null>;

/** A grade book sheet as vnEdu prints it: titles, a two-row header, the rows given, then `after`. */
async function gradeBook(name: string, rows: Row[], after: Row[]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Toán HK1');
  ws.addRow(['SỔ ĐIỂM MÔN: TOÁN']);
  ws.addRow(['LỚP: 6A1 - HỌC KỲ I - NĂM HỌC 2025-2026']);
  ws.addRow([]);
  ws.addRow(['STT', 'Mã học sinh', 'Họ và tên', 'ĐĐGtx', null, null, null, 'ĐĐGgk', 'ĐĐGck', 'ĐTBmhk']);
  ws.addRow([null, null, null, '1', '2', '3', '4']);
  for (const row of rows) ws.addRow(row);
  for (const row of after) ws.addRow(row);
  const path = join(tmp, name);
  await wb.xlsx.writeFile(path);
  return path;
}

const AN: Row = [1, '7900000101', 'Nguyễn Văn An', 8, 7, 9, 8, 7.5, 8, 7.9];
const BINH: Row = [2, '7900000102', 'Trần Thị Bình', 6, 7, 8, 8, 7, 6, 6.8];
const CUONG: Row = [3, '7900000103', 'Lê Minh Cường', 9, 9, 9, 9, 9, 9, 9];

/** The footer a grade book is printed with: totals, place and date, who signs, their names. */
const FOOTER: Row[] = [
  [],
  ['Tổng cộng', null, 2],
  ['Sĩ số: 2'],
  [null, null, null, null, null, null, 'Nhà Bè, ngày 20 tháng 12 năm 2025'],
  [null, 'Giáo viên bộ môn', null, null, null, null, 'Hiệu trưởng'],
  [null, '(Ký, ghi rõ họ tên)', null, null, null, null, '(Ký, ghi rõ họ tên, đóng dấu)'],
  [],
  [],
  [null, 'Lê Văn Cường', null, null, null, null, 'Phạm Thị Dung'],
];

describe('the table ends where the data ends', () => {
  it('does not read the footer under a grade book (totals, place and date, who signs, names) as students', async () => {
    const path = await gradeBook('footer.xlsx', [AN, BINH], FOOTER);
    const r = await read('assessments', { path, kind: 'grades' });
    expect(r.rejected).toEqual([]);
    expect(r.records.map((x) => x.source.location)).toEqual([
      'footer.xlsx!Toán HK1 row 6',
      'footer.xlsx!Toán HK1 row 7',
    ]);
    // Six non-blank lines under the table, from "Tổng cộng" (row 9) to the names (row 16).
    expect(tableEnd(r)).toEqual([
      {
        file: 'footer.xlsx',
        sheet: 'Toán HK1',
        row: 7,
        footer: { row: 9, text: 'Tổng cộng' },
        rowsAfter: 6,
      },
    ]);
  });

  it('takes a footer line right under the last row, without a blank row, quoted up to "ngày"', async () => {
    const path = await gradeBook(
      'no-blank.xlsx',
      [AN, BINH],
      [
        [null, 'Nhà Bè, ngày 20 tháng 12 năm 2025'],
        [null, 'Người lập biểu'],
        [null, 'Lê Văn Cường'],
      ],
    );
    const r = await read('assessments', { path, kind: 'grades' });
    expect(r.rejected).toEqual([]);
    expect(r.records).toHaveLength(2);
    expect(tableEnd(r)).toEqual([
      expect.objectContaining({ row: 7, footer: { row: 8, text: 'Nhà Bè, ngày…' }, rowsAfter: 3 }),
    ]);
  });

  it('never quotes a signer’s name written after the label', async () => {
    const path = await gradeBook('signer.xlsx', [AN], [[], [null, 'Giáo viên bộ môn: Lê Văn Cường']]);
    const r = await read('assessments', { path, kind: 'grades' });
    expect(tableEnd(r)[0]).toMatchObject({ footer: { row: 8, text: 'Giáo viên bộ môn…' } });
  });

  it('goes on after a blank row when more data rows follow, and after a subtotal between two blocks', async () => {
    const path = await gradeBook(
      'blocks.xlsx',
      [AN, [], BINH, ['Cộng', null, 2], CUONG],
      [[], ['Ghi chú: điểm đã được tổ chuyên môn duyệt']],
    );
    const r = await read('assessments', { path, kind: 'grades' });
    expect(r.rejected).toEqual([]);
    expect(r.records.map((x) => x.source.location)).toEqual([
      'blocks.xlsx!Toán HK1 row 6',
      'blocks.xlsx!Toán HK1 row 8',
      'blocks.xlsx!Toán HK1 row 10',
    ]);
    expect(tableEnd(r)).toEqual([
      expect.objectContaining({ row: 10, footer: { row: 12, text: 'Ghi chú…' }, rowsAfter: 1 }),
    ]);
  });

  it('still reports a student row whose code is missing, before and after the footer when its STT is filled', async () => {
    const path = await gradeBook(
      'missing-code.xlsx',
      [AN, [2, null, 'Trần Thị Bình', 6, 7, 8, 8, 7, 6, 6.8]],
      [[], [null, 'Người lập biểu'], [3, null, 'Lê Minh Cường', 9, 9, 9, 9, 9, 9, 9]],
    );
    const r = await read('assessments', { path, kind: 'grades' });
    expect(r.rejected.map((e) => [e.code, e.location])).toEqual([
      ['FIELD_MISSING', 'missing-code.xlsx!Toán HK1 row 7 col B (Mã học sinh)'],
      ['FIELD_MISSING', 'missing-code.xlsx!Toán HK1 row 10 col B (Mã học sinh)'],
    ]);
    // Row 10 is a row of the table again: the footer line before it was not the end.
    expect(tableEnd(r)).toEqual([expect.objectContaining({ row: 10, rowsAfter: 0 })]);
    expect(tableEnd(r)[0]).not.toHaveProperty('footer');
  });

  it('reads a CSV student list whose footer sits in the name and code columns', async () => {
    const path = join(tmp, 'hs-footer.csv');
    await writeFile(
      path,
      [
        'STT;Mã học sinh;Họ tên;Ngày sinh;Giới tính',
        '1;7900000101;Nguyễn Văn An;05/09/2014;Nam',
        '2;7900000102;Trần Thị Bình;12/03/2014;Nữ',
        ';;;;',
        ';Tổng số: 2 học sinh;;;',
        ';;Nhà Bè, ngày 20 tháng 12 năm 2025;;',
        ';Người lập biểu;Hiệu trưởng;;',
        ';Lê Văn Cường;Phạm Thị Dung;;',
        '',
      ].join('\n'),
    );
    const r = await read('students', { path, kind: 'students' });
    expect(r.rejected).toEqual([]);
    expect(r.records).toHaveLength(2);
    expect(tableEnd(r)).toEqual([
      expect.objectContaining({ row: 3, footer: { row: 5, text: 'Tổng số…' }, rowsAfter: 4 }),
    ]);
  });
});

describe('files with nothing to read', () => {
  it('calls a 0-byte file empty, whatever its extension', async () => {
    for (const name of ['empty.xlsx', 'empty.csv']) {
      const path = join(tmp, name);
      await writeFile(path, '');
      const error = await failure('students', { path, kind: 'students' });
      expect(error.code).toBe('FILE_EMPTY');
      expect(error.message).toContain(`"${name}" is empty`);
    }
  });

  it('calls a workbook without a single cell, or a CSV of blank lines, empty, not "missing columns"', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Sheet1');
    wb.addWorksheet('Sheet2');
    const book = join(tmp, 'no-cells.xlsx');
    await wb.xlsx.writeFile(book);
    expect((await failure('students', { path: book, kind: 'students' })).code).toBe('FILE_EMPTY');
    const blank = join(tmp, 'blank.csv');
    await writeFile(blank, '\ufeff\n\n;;;\n');
    expect((await failure('students', { path: blank, kind: 'students' })).code).toBe('FILE_EMPTY');
  });

  it('refuses a file with the header and no row under it (a sync would otherwise delete every record)', async () => {
    const path = await gradeBook('header-only.xlsx', [], []);
    const error = await failure('assessments', { path, kind: 'grades' });
    expect(error.code).toBe('FILE_HAS_NO_ROWS');
    expect(error.message).toContain('"header-only.xlsx" has the header but no data rows (sheets: Toán HK1)');
    const csv = join(tmp, 'header-only.csv');
    await writeFile(csv, 'Mã học sinh;Họ tên;Ngày sinh;Giới tính\n');
    expect((await failure('students', { path: csv, kind: 'students' })).code).toBe('FILE_HAS_NO_ROWS');
  });

  it('check() names both, before any read', async () => {
    const empty = join(tmp, 'check-empty.csv');
    await writeFile(empty, '');
    const headerOnly = await gradeBook('check-header-only.xlsx', [], []);
    const config = parseAdapterConfig(
      excel.configSchema,
      {
        schoolCode: SCHOOL,
        files: [
          { path: empty, kind: 'students' },
          { path: headerOnly, kind: 'grades' },
        ],
      },
      'excel',
    );
    const result = await excel.check(config, {
      logger: silentLogger,
      signal: new AbortController().signal,
      now: () => new Date(),
    });
    expect(result.ok ? [] : result.problems.map((p) => p.code)).toEqual(['FILE_EMPTY', 'FILE_HAS_NO_ROWS']);
  });

  it('refuses a header followed by a footer only', async () => {
    const path = await gradeBook('footer-only.xlsx', [], FOOTER.slice(3));
    expect((await failure('assessments', { path, kind: 'grades' })).code).toBe('FILE_HAS_NO_ROWS');
  });
});
