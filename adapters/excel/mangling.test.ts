/**
 * What Excel does to IDs, phones and dates, on files written as a school's staff would have them:
 * each value either read as the one it was (the model's rules saying what was restored), or
 * rejected with what Excel probably did and how to fix it in Excel.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CanonicalRecord, checkRecord, type Student } from '../../src/model/index.ts';
import { readContext, silentLogger } from '../../src/sdk/conformance/index.ts';
import {
  isSignal,
  parseAdapterConfig,
  parseDate,
  type ReadItem,
  type RecordError,
} from '../../src/sdk/index.ts';
import { dateHint, relaxedDate } from './dates.ts';
import excel from './index.ts';

const SCHOOL = '79NB0001';
const asOf = new Date('2026-11-27T00:00:00Z');

async function read(input: Record<string, unknown>) {
  const config = parseAdapterConfig(excel.configSchema, { schoolCode: SCHOOL, ...input }, 'excel');
  const ctx = readContext(
    { logger: silentLogger, signal: new AbortController().signal, now: () => asOf },
    config,
    undefined,
  );
  const records: CanonicalRecord[] = [];
  const rejected: RecordError[] = [];
  for await (const item of excel.read('students', ctx) as AsyncIterable<ReadItem>) {
    if (!isSignal(item)) records.push(item);
    else if (item.kind === 'rejected') rejected.push(item.error);
  }
  return { records, rejected };
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'edubridge-mangling-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const HEADER = [
  'Mã học sinh',
  'Họ tên',
  'Ngày sinh',
  'Giới tính',
  'Số định danh cá nhân',
  'Họ tên mẹ',
  'SĐT mẹ',
];

describe('IDs and phones typed into a General column', () => {
  it('are kept as Excel stored them, and the rules restore them with warnings naming the fix', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sheet1');
    ws.addRow(HEADER);
    // Hà Nội (001) lost two zeros, Hồ Chí Minh City (079) one; the phones their 0.
    ws.addRow(['0100000001', 'Nguyễn Văn An', '05/09/2014', 'Nam', 1214012345, 'Lê Thị Hoa', 912345678]);
    ws.addRow(['7900000002', 'Trần Thị Bình', '12/03/2014', 'Nữ', 79314012346, 'Võ Thị Lan', 383456789]);
    const path = join(tmp, 'numbers.xlsx');
    await wb.xlsx.writeFile(path);

    const { records, rejected } = await read({ path, kind: 'students' });
    expect(rejected).toEqual([]);
    expect(records.map((r) => [(r as Student).personalId, (r as Student).guardians[0]!.phone])).toEqual([
      ['1214012345', '912345678'],
      ['79314012346', '383456789'],
    ]);
    const checked = records.map((r) => checkRecord(r, { asOf }));
    expect(checked.map((c) => c.valid)).toEqual([true, true]);
    expect(checked.map((c) => (c.record as Student).personalId)).toEqual(['001214012345', '079314012346']);
    expect(checked.map((c) => (c.record as Student).guardians[0]!.phone)).toEqual([
      '0912345678',
      '0383456789',
    ]);
    expect(checked[0]!.problems.map((p) => [p.code, p.field])).toEqual([
      ['PERSONAL_ID_LEADING_ZERO_RESTORED', 'personalId'],
      ['PHONE_LEADING_ZERO_RESTORED', 'guardians.0.phone'],
    ]);
    for (const p of checked[0]!.problems) {
      expect(p.message.vi).toContain('định dạng cột là Text (Văn bản) trước khi nhập hoặc dán');
      expect(p.message.en).toContain('format the column as Text before typing or pasting');
    }
  });

  it('in a CSV saved from Excel: scientific notation is refused as lost digits, ".0" and separators undone', async () => {
    const path = join(tmp, 'mangled.csv');
    await writeFile(
      path,
      [
        HEADER.join(';'),
        '7900000001;Nguyễn Văn An;05/09/2014;Nam;7,92134E+11;Lê Thị Hoa;0912345678',
        '7900000002;Trần Thị Bình;12/03/2014;Nữ;79314012346.0;Võ Thị Lan;9,12346E+08',
        '7900000003;Lê Minh Cường;01/02/2014;Nam;79 214 012 347;Phạm Thị Dung;912345678.0',
        '',
      ].join('\n'),
    );
    const { records, rejected } = await read({ path, kind: 'students' });
    expect(rejected.map((e) => [e.code, e.location])).toEqual([
      ['PHONE_INVALID', 'mangled.csv!mangled row 3 col G (SĐT mẹ)'],
    ]);
    expect(rejected[0]!.message).toContain(
      "is in Excel's scientific notation (e.g. 9.12E+08): its last digits are lost",
    );
    const checks = records.map((r) => checkRecord(r, { asOf }));
    expect(checks.map((c) => c.problems.map((p) => p.code))).toEqual([
      ['PERSONAL_ID_FORMAT'],
      [
        'PERSONAL_ID_SEPARATORS_REMOVED',
        'PERSONAL_ID_LEADING_ZERO_RESTORED',
        'PHONE_DECIMAL_REMOVED',
        'PHONE_LEADING_ZERO_RESTORED',
      ],
    ]);
    expect(checks[0]!.problems[0]!.message.en).toContain('scientific notation');
    expect((checks[1]!.record as Student).personalId).toBe('079214012347');
  });
});

describe('dates as Excel leaves them', () => {
  const rows = (dates: string[]) =>
    [
      'Mã học sinh;Họ tên;Ngày sinh;Giới tính',
      ...dates.map((d, i) => `79000000${String(i + 10)};Học Sinh ${String.fromCharCode(65 + i)};${d};Nam`),
      '',
    ].join('\n');

  it('reads the shapes that say one date only: a time after it, year first, in words, an English month and full year', async () => {
    const path = join(tmp, 'dates-ok.csv');
    await writeFile(
      path,
      rows([
        '05/09/2014 00:00:00',
        '05/09/2014 12:00 AM',
        '2014/09/05',
        '2014-09-05 00:00:00',
        'ngày 5 tháng 9 năm 2014',
        '5-Sep-2014',
        'Sep 5, 2014',
        '41887',
      ]),
    );
    const { records, rejected } = await read({ path, kind: 'students' });
    expect(rejected).toEqual([]);
    expect(records.map((r) => (r as Student).birthDate)).toEqual(Array(8).fill('2014-09-05'));
  });

  it('rejects the others, each saying what Excel probably did, never quoting the date', async () => {
    const path = join(tmp, 'dates-bad.csv');
    const dates = [
      '04/25/2014',
      '12/3/14',
      '31/04/2014',
      '5-Sep-14',
      '5092014',
      '123',
      'mùng năm tháng chín',
    ];
    await writeFile(path, rows(dates));
    const { rejected } = await read({ path, kind: 'students' });
    expect(rejected.map((e) => e.code)).toEqual(Array(dates.length).fill('DATE_UNPARSEABLE'));
    const en = rejected.map((e) => e.message.split(' / ')[1]);
    expect(en[0]).toMatch(
      /reads month first \(US style.*set the Region to Vietnam.*may have had day and month swapped/,
    );
    expect(en[1]).toMatch(/the year has 2 digits/);
    expect(en[2]).toMatch(/the month has no such day/);
    expect(en[3]).toMatch(/English Excel date \(d-mmm-yy\)/);
    expect(en[4]).toMatch(/digits of day, month and year run together/);
    expect(en[5]).toMatch(/holds a number that is no date/);
    expect(en[6]).toMatch(/a date in words/);
    for (const [i, e] of rejected.entries()) {
      expect(e.message).toContain('format the column as Text before typing or pasting');
      expect(e.message).not.toContain(dates[i]);
    }
  });

  it('hints from the value itself: a number cell, a profile read month first', () => {
    expect(dateHint(5092014, false).en).toMatch(/Excel made the date a number and dropped its leading zero/);
    expect(dateHint(99_999_999, false).en).toMatch(/no date/);
    expect(dateHint('25/04/2014', true).en).toMatch(/read month first \(profile\.dateFormat MM\/dd\/yyyy\)/);
    const parse = (t: string) => parseDate(t, { field: 'birthDate', formats: ['dd/MM/yyyy'] });
    expect(relaxedDate('2014/02/30', parse)).toBeUndefined();
    expect(relaxedDate('05/09/2014 07:30', parse)).toBe('2014-09-05');
    expect(relaxedDate('Foo 5, 2014', parse)).toBeUndefined();
  });
});
