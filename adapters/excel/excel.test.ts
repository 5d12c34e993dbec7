/**
 * The excel adapter read on the sample files of `fixtures/excel/` (synthetic people from the
 * sandbox generator, in the layouts schools hand over) and on small files written here.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalRecord } from '../../src/model/index.ts';
import { readContext, silentLogger } from '../../src/sdk/conformance/index.ts';
import {
  type Checkpoint,
  isSignal,
  PermanentError,
  parseAdapterConfig,
  type ReadItem,
  type RecordError,
} from '../../src/sdk/index.ts';
import { amountOf, columnLetter, decimalOf } from './cells.ts';
import { detectDelimiter } from './csv.ts';
import { HeaderIndex } from './header.ts';
import excel from './index.ts';
import { STUDENT_FIELDS } from './layouts/students.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'excel');
const fixture = (name: string) => join(FIXTURES, name);
const SCHOOL = '79NB0001';
const base = () => ({
  logger: silentLogger,
  signal: new AbortController().signal,
  now: () => new Date('2026-06-15T00:00:00Z'),
});

interface Read {
  records: CanonicalRecord[];
  rejected: RecordError[];
  deleted: string[];
  checkpoint: Checkpoint | undefined;
  logs: Array<{ msg: string; data: Record<string, unknown> | undefined }>;
}

async function read(
  stream: Parameters<typeof excel.read>[0],
  input: Record<string, unknown>,
  checkpoint?: Checkpoint,
): Promise<Read> {
  const config = parseAdapterConfig(excel.configSchema, { schoolCode: SCHOOL, ...input }, 'excel');
  const out: Read = { records: [], rejected: [], deleted: [], checkpoint: undefined, logs: [] };
  const logger = {
    ...silentLogger,
    info: (msg: string, data?: Record<string, unknown>) => out.logs.push({ msg, data }),
    warn: (msg: string, data?: Record<string, unknown>) => out.logs.push({ msg, data }),
  };
  for await (const item of excel.read(
    stream,
    readContext({ ...base(), logger }, config, checkpoint),
  ) as AsyncIterable<ReadItem>) {
    if (!isSignal(item)) out.records.push(item);
    else if (item.kind === 'rejected') out.rejected.push(item.error);
    else if (item.kind === 'deleted') out.deleted.push(...item.keys);
    else if (item.kind === 'checkpoint') out.checkpoint = item.checkpoint;
  }
  return out;
}

/** Records without the part that says where and when they were read, keyed by their id. */
function content(records: readonly object[]): Map<string, unknown> {
  return new Map(
    records.map((r) => {
      const { key, source: _source, ...rest } = r as { key: string; source?: unknown };
      return [key.replace(/^[^:]+:/, ''), rest];
    }),
  );
}

async function expected(stream: string): Promise<Map<string, unknown>> {
  const text = await readFile(fixture(`${stream}.expected.jsonl`), 'utf8');
  return content(
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as object),
  );
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'edubridge-excel-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('layouts schools hand over', () => {
  it('reads a C1-HocSinh list under title rows and merged cells, every field as the generator made it', async () => {
    const { records, rejected, logs } = await read('students', {
      path: fixture('students-c1.xlsx'),
      kind: 'students',
    });
    expect(rejected).toEqual([]);
    expect(content(records)).toEqual(await expected('students'));
    // Three merged title rows and a blank row above the header; the catalogue sheet is skipped.
    expect(logs.filter((l) => l.msg === 'excel header').map((l) => [l.data?.sheet, l.data?.row])).toEqual([
      ['Sheet1', 5],
    ]);
    expect(records[0]!.source.location).toBe('students-c1.xlsx!Sheet1 row 6');
  });

  it('reads a CSV with a BOM, semicolons, other header names in another order and dates typed loosely', async () => {
    const { records, rejected } = await read('students', {
      path: fixture('students-semicolon-bom.csv'),
      kind: 'students',
    });
    expect(rejected).toEqual([]);
    const want = await expected('students');
    expect(records).toHaveLength(8);
    for (const [id, got] of content(records)) {
      const w = want.get(id) as { guardians: Array<{ relationship: string }> } & Record<string, unknown>;
      // The CSV carries parents' names and phones only, and no status.
      expect(got).toMatchObject({
        studentCode: w.studentCode,
        fullName: w.fullName,
        birthDate: w.birthDate,
        gender: w.gender,
        personalId: w.personalId,
        ethnicityCode: w.ethnicityCode,
        className: w.className,
        schoolYear: '2025-2026',
      });
    }
    expect(records[0]).toMatchObject({
      studentCode: '7991870427',
      fullName: 'Huỳnh Trọng Tài',
      birthDate: '2014-01-05',
      guardians: [
        { relationship: 'father', fullName: 'Huỳnh Văn Lợi', phone: '0352095750' },
        { relationship: 'mother', fullName: 'Trần Thị Tâm', phone: '0342244828' },
      ],
      source: { location: 'students-semicolon-bom.csv!students-semicolon-bom row 4' },
    });
  });

  it('reads a CSDL_GiaoVien staff list, subjects by name', async () => {
    const { records, rejected } = await read('teachers', {
      path: fixture('teachers.xlsx'),
      kind: 'teachers',
    });
    expect(rejected).toEqual([]);
    expect(content(records)).toEqual(await expected('teachers'));
  });

  it('reads a grade book: a sheet per subject and semester, ĐĐGtx merged over numbered columns, Đ/CĐ subjects', async () => {
    const { records, rejected } = await read('assessments', {
      path: fixture('grades-6A1.xlsx'),
      kind: 'grades',
    });
    expect(rejected).toEqual([]);
    expect(content(records)).toEqual(await expected('assessments'));
    const commented = records.find((r) => r.type === 'assessment' && r.evaluation === 'commented');
    expect(commented).toMatchObject({ subjectCode: 'GDTC', regular: ['Đ', 'Đ', 'Đ'] });
  });

  it('reads a timetable grid per class and the whole school on one sheet alike', async () => {
    const want = await expected('timetable');
    const perClass = await read('timetable', { path: fixture('timetable.xlsx'), kind: 'timetable' });
    const school = await read('timetable', { path: fixture('timetable-school.csv'), kind: 'timetable' });
    expect(perClass.rejected).toEqual([]);
    expect(school.rejected).toEqual([]);
    expect(content(perClass.records)).toEqual(want);
    expect(content(school.records)).toEqual(want);
    expect(perClass.records[0]).toMatchObject({
      className: '6A1',
      weekday: 1,
      period: 1,
      subjectCode: 'HDTN',
    });
    expect(perClass.records[0]!.source.location).toBe('timetable.xlsx!6A1 row 6 col C');
  });

  it('groups a fee list into notices, one row per fee item', async () => {
    const { records, rejected } = await read('fees', { path: fixture('fees.xlsx'), kind: 'fees' });
    expect(rejected).toEqual([]);
    expect(content(records)).toEqual(await expected('fees'));
  });
});

describe('cells as Excel keeps them', () => {
  it('reads a date typed as text and a date cell (a serial number) alike, and keeps a numeric ID as its digits', async () => {
    const { records } = await read('students', {
      path: fixture('students-known-errors.xlsx'),
      kind: 'students',
      schoolCode: '79TEST01',
    });
    const byCode = new Map(records.map((r) => [(r as { studentCode: string }).studentCode, r]));
    expect(byCode.get('7900000101')).toMatchObject({ birthDate: '2014-03-12' });
    expect(byCode.get('7900000113')).toMatchObject({ birthDate: '2014-07-21' });
    // 079214300109 typed as a number: 11 digits, left for the personal-ID rule to restore.
    expect(byCode.get('7900000109')).toMatchObject({ personalId: '79214300109' });
  });

  it('parses amounts and scores written the Vietnamese way', () => {
    expect(amountOf('1.263.600')).toBe(1_263_600);
    expect(amountOf('1,263,600 đ')).toBe(1_263_600);
    expect(amountOf(884520)).toBe(884_520);
    expect(amountOf('12,5')).toBeNaN();
    expect(decimalOf('7,5')).toBe(7.5);
    expect(decimalOf('')).toBeUndefined();
    expect(decimalOf('Đ')).toBeNaN();
    expect(columnLetter(1)).toBe('A');
    expect(columnLetter(28)).toBe('AB');
  });

  it('tells a semicolon file with decimal commas from a comma file', () => {
    expect(detectDelimiter('Mã HS;Họ tên;TX1;TX2\n7901;An;7,5;8,25\n7902;Bình;6,5;9\n7903;C;1;2\n')).toBe(
      ';',
    );
    expect(detectDelimiter('Mã HS,Họ tên,TX1\n7901,An,7.5\n7902,"Lê, Bình",6\n7903,C,1\n')).toBe(',');
  });
});

describe('headers', () => {
  const index = new HeaderIndex(
    { fields: STUDENT_FIELDS, required: [['studentCode']] },
    { studentCode: ['Mã HS Bộ cấp'] },
  );

  it('matches header text whatever the case, diacritics, spacing and notes', () => {
    expect(index.match('SỐ ĐỊNH DANH CÁ NHÂN')).toBe('personalId');
    expect(index.match('so dinh danh ca nhan (12 số)')).toBe('personalId');
    expect(index.match('Mã định danh')).toBe('personalId');
    expect(index.match('CCCD')).toBe('personalId');
    expect(index.match('Số  CCCD')).toBe('personalId');
    expect(index.match('Ngày sinh*')).toBe('birthDate');
    expect(index.match('Họ tên cha')).toBe('father.fullName');
    expect(index.match('Ghi chú')).toBeUndefined();
  });

  it("adds a school's own header names from its profile", () => {
    expect(index.match('Mã HS Bộ cấp')).toBe('studentCode');
  });

  it('finds the columns whatever their order, and the header row the profile names', async () => {
    const path = join(tmp, 'reordered.csv');
    await writeFile(
      path,
      'Danh sách lớp 7A2\nGhi chú: số liệu tháng 9\nGiới tính,Ngày sinh,Mã HS Bộ cấp,Họ và tên\nNữ,01/02/2013,7901,Phạm Thu Trang\n',
    );
    const profile = { columns: { studentCode: ['Mã HS Bộ cấp'] }, headerRow: 3 };
    const { records } = await read('students', { path, kind: 'students', profile });
    expect(records).toEqual([
      expect.objectContaining({
        studentCode: '7901',
        fullName: 'Phạm Thu Trang',
        birthDate: '2013-02-01',
        gender: 'female',
        className: '7A2',
      }),
    ]);
  });

  it('stops with HEADER_MISSING, naming the column and the names it accepts, when a required column is absent', async () => {
    const path = join(tmp, 'no-birth-date.csv');
    await writeFile(path, 'Mã học sinh,Họ tên,Giới tính\n7901,An,Nam\n');
    const error = await read('students', { path, kind: 'students' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'HEADER_MISSING' });
    expect((error as Error).message).toContain('Ngày sinh');
    expect((error as Error).message).toContain('"Ngày tháng năm sinh"');
    expect((error as Error).message).toContain('no-birth-date.csv');
  });

  it('reads dates month first when the profile says so', async () => {
    const path = join(tmp, 'us-dates.csv');
    await writeFile(path, 'Mã học sinh,Họ tên,Ngày sinh,Giới tính\n7901,An,02/13/2013,Nam\n');
    const { records } = await read('students', {
      path,
      kind: 'students',
      profile: { dateFormat: 'MM/dd/yyyy' },
    });
    expect(records[0]).toMatchObject({ birthDate: '2013-02-13' });
  });
});

describe('rows that cannot be mapped', () => {
  it('are rejected one by one, each naming file, sheet, row, column and field; the stream goes on', async () => {
    const known = JSON.parse(await readFile(fixture('students-known-errors.expected.json'), 'utf8')) as {
      problems: Array<{ row: number; column: string; field: string; code: string; stage: string }>;
    };
    const { records, rejected } = await read('students', {
      path: fixture('students-known-errors.xlsx'),
      kind: 'students',
      schoolCode: '79TEST01',
    });
    const want = known.problems.filter((p) => p.stage === 'adapter');
    expect(rejected.map((e) => ({ code: e.code, field: e.field, location: e.location }))).toEqual(
      want.map((p) => ({
        code: p.code,
        field: p.field,
        location: expect.stringMatching(
          new RegExp(`^students-known-errors\\.xlsx!Sheet1 row ${p.row} col ${p.column} \\(.+\\)$`),
        ),
      })),
    );
    expect(rejected[0]!.location).toBe('students-known-errors.xlsx!Sheet1 row 7 col E (Ngày sinh)');
    expect(rejected[0]!.message).toContain(' / ');
    expect(records).toHaveLength(15 - want.length);
  });

  it('never quote an ethnicity, which is sensitive personal data', async () => {
    const { rejected } = await read('students', {
      path: fixture('students-known-errors.xlsx'),
      kind: 'students',
      schoolCode: '79TEST01',
    });
    const ethnicity = rejected.find((e) => e.field === 'ethnicityCode');
    expect(ethnicity?.message).not.toContain('Kinhh');
  });
});

describe('keys', () => {
  it('are the natural ids, the same on two reads', async () => {
    const a = await read('students', { path: fixture('students-c1.xlsx'), kind: 'students' });
    const b = await read('students', { path: fixture('students-c1.xlsx'), kind: 'students' });
    expect(a.records.map((r) => r.key)).toEqual(b.records.map((r) => r.key));
    expect(a.records[0]!.key).toMatch(/^excel-79nb0001:student-\d{10}$/);
  });
});

describe('incremental reads', () => {
  const csv = (rows: string[]) => `Mã học sinh;Họ tên;Ngày sinh;Giới tính;Lớp\n${rows.join('\n')}\n`;

  it('skip a file whose bytes have not changed', async () => {
    const path = join(tmp, 'unchanged.xlsx');
    await copyFile(fixture('students-c1.xlsx'), path);
    const first = await read('students', { path, kind: 'students' });
    const again = await read('students', { path, kind: 'students' }, first.checkpoint);
    expect(again.records).toEqual([]);
    expect(again.deleted).toEqual([]);
    expect(again.checkpoint).toEqual(first.checkpoint);
  });

  it('return the rows that changed and the keys that left a changed file', async () => {
    const path = join(tmp, 'changing.csv');
    await writeFile(
      path,
      csv(['7901;An;01/01/2014;Nam;6A1', '7902;Bình;02/02/2014;Nữ;6A1', '7903;Chi;03/03/2014;Nữ;6A1']),
    );
    const first = await read('students', { path, kind: 'students' });
    await writeFile(
      path,
      csv(['7902;Bình Minh;02/02/2014;Nữ;6A1', '7903;Chi;03/03/2014;Nữ;6A1', '7904;Dũng;04/04/2014;Nam;6A1']),
    );
    const second = await read('students', { path, kind: 'students' }, first.checkpoint);
    expect(second.records.map((r) => r.key)).toEqual([
      'excel-79nb0001:student-7902',
      'excel-79nb0001:student-7904',
    ]);
    expect(second.deleted).toEqual(['excel-79nb0001:student-7901']);
  });

  it('do not delete a row that became unreadable: it is rejected, and read again once fixed', async () => {
    const path = join(tmp, 'broken.csv');
    await writeFile(path, csv(['7901;An;01/01/2014;Nam;6A1', '7902;Bình;02/02/2014;Nữ;6A1']));
    const first = await read('students', { path, kind: 'students' });
    await writeFile(path, csv(['7901;An;31/02/2014;Nam;6A1', '7902;Bình;02/02/2014;Nữ;6A1']));
    const broken = await read('students', { path, kind: 'students' }, first.checkpoint);
    expect(broken.deleted).toEqual([]);
    expect(broken.rejected.map((e) => e.code)).toEqual(['DATE_UNPARSEABLE']);
    await writeFile(path, csv(['7901;An;01/01/2014;Nam;6A1', '7902;Bình;02/02/2014;Nữ;6A1']));
    const fixed = await read('students', { path, kind: 'students' }, broken.checkpoint);
    expect(fixed.records.map((r) => r.key)).toEqual(['excel-79nb0001:student-7901']);
  });

  it('re-read a changed file beyond maxTrackedRows whole, without deletions, and say so', async () => {
    const path = join(tmp, 'big.csv');
    await writeFile(path, csv(['7901;An;01/01/2014;Nam;6A1', '7902;Bình;02/02/2014;Nữ;6A1']));
    const limits = { incremental: { maxTrackedRows: 1 } };
    const first = await read('students', { path, kind: 'students', ...limits });
    await writeFile(path, csv(['7902;Bình;02/02/2014;Nữ;6A1']));
    const second = await read('students', { path, kind: 'students', ...limits }, first.checkpoint);
    expect(second.records.map((r) => r.key)).toEqual(['excel-79nb0001:student-7902']);
    expect(second.deleted).toEqual([]);
    expect(second.logs.map((l) => l.msg)).toContain('excel deletions not tracked');
  });
});

describe('check and discover', () => {
  const ctx = base();

  it('check() accepts the samples and names what is wrong with files it cannot use', async () => {
    const good = parseAdapterConfig(
      excel.configSchema,
      {
        schoolCode: SCHOOL,
        files: [
          { path: fixture('students-c1.xlsx'), kind: 'students' },
          { path: fixture('fees.xlsx'), kind: 'fees' },
        ],
      },
      'excel',
    );
    expect(await excel.check(good, ctx)).toEqual({ ok: true });
    const xls = join(tmp, 'old.xls');
    await writeFile(xls, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0, 0, 0]));
    const bad = parseAdapterConfig(
      excel.configSchema,
      {
        schoolCode: SCHOOL,
        files: [
          { path: join(tmp, 'missing.xlsx'), kind: 'students' },
          { path: xls, kind: 'students' },
          { path: fixture('students-c1.xlsx'), kind: 'teachers' },
          { path: fixture('students-c1.xlsx'), kind: 'students', sheet: 'HocSinh' },
        ],
      },
      'excel',
    );
    const result = await excel.check(bad, ctx);
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((p) => p.code)).toEqual([
      'FILE_NOT_FOUND',
      'FORMAT_UNSUPPORTED',
      'HEADER_MISSING',
      'SHEET_NOT_FOUND',
    ]);
    expect(problems[1]!.message).toContain('.xlsx');
    expect(problems[2]!.message).toContain('Mã cán bộ');
    expect(problems[3]!.message).toContain('Sheet1');
  });

  it('check() says a damaged workbook or a CSV that is not UTF-8 cannot be read, and how to fix it', async () => {
    const renamed = join(tmp, 'renamed.xlsx');
    await writeFile(renamed, 'Mã học sinh,Họ tên\n7901,An\n');
    const truncated = join(tmp, 'truncated.xlsx');
    await writeFile(truncated, (await readFile(fixture('students-c1.xlsx'))).subarray(0, 4000));
    // Saved in a legacy code page (Windows-1252/1258, TCVN3), not UTF-8: "Mã" as 4D E3.
    const legacy = join(tmp, 'windows-1258.csv');
    await writeFile(legacy, Buffer.from('M\u00e3 h\u00f4c sinh,H\u00f4 t\u00ean\n', 'latin1'));
    const config = parseAdapterConfig(
      excel.configSchema,
      {
        schoolCode: SCHOOL,
        files: [
          { path: renamed, kind: 'students' },
          { path: truncated, kind: 'students' },
          { path: legacy, kind: 'students' },
        ],
      },
      'excel',
    );
    const result = await excel.check(config, ctx);
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((p) => p.code)).toEqual([
      'FILE_UNREADABLE',
      'FILE_UNREADABLE',
      'ENCODING_UNSUPPORTED',
    ]);
    expect(problems[2]!.message).toContain('CSV UTF-8');
  });

  it('discover() lists the streams the files feed, with counts, the school and the school year', async () => {
    const config = parseAdapterConfig(
      excel.configSchema,
      {
        schoolCode: SCHOOL,
        files: [
          { path: fixture('students-c1.xlsx'), kind: 'students' },
          { path: fixture('grades-6A1.xlsx'), kind: 'grades' },
        ],
      },
      'excel',
    );
    expect(await excel.discover(config, ctx)).toEqual({
      streams: [
        { name: 'students', count: 12 },
        { name: 'assessments', count: 52 },
      ],
      schools: [{ schoolCode: SCHOOL }],
      schoolYears: ['2025-2026'],
    });
  });

  it('rejects a config with neither files nor path and kind, naming the fields', () => {
    expect(() => parseAdapterConfig(excel.configSchema, { schoolCode: SCHOOL }, 'excel')).toThrow(/path/);
    expect(() =>
      parseAdapterConfig(excel.configSchema, { path: 'a.xlsx', kind: 'students' }, 'excel'),
    ).toThrow(/schoolCode/);
  });
});

describe('learning results (KetQuaHocTap)', () => {
  type Cell = string | number | null;
  const SUBJECT_HEADERS = ['Ngữ văn', 'Toán', 'Tiếng Anh', 'Thể dục', 'HĐTN'];

  /**
   * A KetQuaHocTap as the city's template lays it out: three merged title rows, a blank row, a
   * two-row header (the subjects under a merged "Kết quả các môn", the other columns merged down),
   * a row per student, a footer. Columns: A STT, B Mã lớp, C Mã học sinh, D Họ tên, E Ngày sinh,
   * F Giới tính, G Ngữ văn, H Toán, I Tiếng Anh, J Thể dục, K HĐTN, L Kết quả học tập, M Kết quả
   * rèn luyện. Data from row 7.
   */
  async function writeResults(path: string, title: string, rows: readonly Cell[][]): Promise<void> {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('KetQuaHocTap');
    const width = 6 + SUBJECT_HEADERS.length + 2;
    ['SỞ GIÁO DỤC VÀ ĐÀO TẠO TP. HỒ CHÍ MINH', 'TRƯỜNG THCS MẪU', title].forEach((text, i) => {
      ws.getCell(i + 1, 1).value = text;
      ws.mergeCells(i + 1, 1, i + 1, width);
    });
    ['STT', 'Mã lớp', 'Mã học sinh', 'Họ tên', 'Ngày sinh', 'Giới tính'].forEach((text, i) => {
      ws.getCell(5, i + 1).value = text;
      ws.mergeCells(5, i + 1, 6, i + 1);
    });
    ws.getCell(5, 7).value = 'Kết quả các môn';
    ws.mergeCells(5, 7, 5, 6 + SUBJECT_HEADERS.length);
    SUBJECT_HEADERS.forEach((text, i) => {
      ws.getCell(6, 7 + i).value = text;
    });
    ['Kết quả học tập', 'Kết quả rèn luyện'].forEach((text, i) => {
      const col = 7 + SUBJECT_HEADERS.length + i;
      ws.getCell(5, col).value = text;
      ws.mergeCells(5, col, 6, col);
    });
    for (const row of rows) ws.addRow(row);
    ws.addRow([`Tổng số: ${rows.length} học sinh`]);
    await wb.xlsx.writeFile(path);
  }

  const YEAR = 'KẾT QUẢ HỌC TẬP CẢ NĂM - NĂM HỌC 2025-2026';
  const student = (n: number, className = '6A1'): Cell[] => [
    n,
    className,
    `790000030${n}`,
    `Học Sinh ${n}`,
    '05/09/2014',
    n % 2 ? 'Nam' : 'Nữ',
  ];

  it('reads one learningResult per student under merged titles and a two-row header; a bad row is rejected with its row, column and field, and the rows after it are read', async () => {
    const path = join(tmp, 'ketqua.xlsx');
    await writeResults(path, YEAR, [
      [...student(1), 8.5, 9, '7,5', 'Đ', 'Đạt', 'Tốt', 'Tốt'],
      // The code typed as a number; no Tiếng Anh result (a blank cell is no subject).
      [2, '6A1', 7900000302, 'Học Sinh 2', '05/09/2014', 'Nữ', 6.8, 5, null, 'CĐ', 'Đ', 'Đạt', 'khá'],
      [...student(3), 7, 'tám', 6.5, 'Đ', 'Đ', 'Khá', 'Tốt'],
      [...student(4, '7A1'), 9.1, 8.7, 9.4, 'Đ', 'Đ', 'Tốt', null],
    ]);
    const { records, rejected, logs } = await read('assessments', { path, kind: 'results' });
    expect(rejected.map((e) => ({ code: e.code, field: e.field, location: e.location }))).toEqual([
      {
        code: 'SCORE_UNPARSEABLE',
        field: 'subjects.1.average',
        location: 'ketqua.xlsx!KetQuaHocTap row 9 col H (Kết quả các môn Toán)',
      },
    ]);
    expect(rejected[0]!.message).toMatch(/không phải điểm .* \/ .* is not a subject average/);
    const year = { type: 'learningResult', schoolCode: SCHOOL, schoolYear: '2025-2026', period: 'year' };
    expect(content(records)).toEqual(
      new Map([
        [
          'learning-result-2025-2026-year-7900000301',
          {
            ...year,
            studentCode: '7900000301',
            className: '6A1',
            subjects: [
              { subjectCode: 'NV', evaluation: 'scored', average: 8.5 },
              { subjectCode: 'TOAN', evaluation: 'scored', average: 9 },
              { subjectCode: 'NN1', evaluation: 'scored', average: 7.5 },
              { subjectCode: 'GDTC', evaluation: 'commented', result: 'Đ' },
              { subjectCode: 'HDTN', evaluation: 'commented', result: 'Đ' },
            ],
            level: 'Tốt',
            conduct: 'Tốt',
          },
        ],
        [
          'learning-result-2025-2026-year-7900000302',
          {
            ...year,
            studentCode: '7900000302',
            className: '6A1',
            subjects: [
              { subjectCode: 'NV', evaluation: 'scored', average: 6.8 },
              { subjectCode: 'TOAN', evaluation: 'scored', average: 5 },
              { subjectCode: 'GDTC', evaluation: 'commented', result: 'CĐ' },
              { subjectCode: 'HDTN', evaluation: 'commented', result: 'Đ' },
            ],
            level: 'Đạt',
            conduct: 'Khá',
          },
        ],
        [
          'learning-result-2025-2026-year-7900000304',
          {
            ...year,
            studentCode: '7900000304',
            className: '7A1',
            subjects: [
              { subjectCode: 'NV', evaluation: 'scored', average: 9.1 },
              { subjectCode: 'TOAN', evaluation: 'scored', average: 8.7 },
              { subjectCode: 'NN1', evaluation: 'scored', average: 9.4 },
              { subjectCode: 'GDTC', evaluation: 'commented', result: 'Đ' },
              { subjectCode: 'HDTN', evaluation: 'commented', result: 'Đ' },
            ],
            level: 'Tốt',
          },
        ],
      ]),
    );
    expect(records[0]!.source.location).toBe('ketqua.xlsx!KetQuaHocTap row 7');
    // The header log names each subject's column by code, for `edubridge import` to place problems.
    const header = logs.find((l) => l.msg === 'excel header')!.data!;
    expect(header.row).toBe(5);
    expect(header.columns).toMatchObject({
      studentCode: 'C',
      className: 'B',
      'subjects[NV]': 'G',
      'subjects[TOAN]': 'H',
      'subjects[HDTN]': 'K',
      level: 'L',
      conduct: 'M',
    });
  });

  it('takes the period from a "Học kỳ" column, and rejects a period, level or Đ/CĐ it cannot read', async () => {
    const path = join(tmp, 'tong-ket.csv');
    await writeFile(
      path,
      [
        'BẢNG TỔNG KẾT LỚP 6A1;;;;;;;',
        'Mã HS;Lớp;Học kỳ;Toán;Ngữ văn;Giáo dục thể chất;KQHT;Hạnh kiểm',
        '7901;6A1;HK1;7,5;8;Đ;Khá;Tốt',
        '7901;6A1;II;8;8,5;Đạt;Tốt;T',
        '7901;6A1;Cả năm;7,8;8,3;Đ;Khá;Tốt',
        '7902;6A1;HK1;6;7;8;Đạt;Tốt',
        '7903;6A1;HK1;6;7;Đ;Giỏi;Tốt',
        // The file ends on a Vietnamese letter and a newline: still UTF-8.
        '7904;6A1;Học kỳ 3;6;7;Đ;Đạt;Tốt\n',
      ].join('\n'),
    );
    const { records, rejected } = await read('assessments', {
      path,
      kind: 'results',
      schoolYear: '2025-2026',
    });
    expect(records.map((r) => r.key)).toEqual([
      'excel-79nb0001:learning-result-2025-2026-semester1-7901',
      'excel-79nb0001:learning-result-2025-2026-semester2-7901',
      'excel-79nb0001:learning-result-2025-2026-year-7901',
    ]);
    expect(records[1]).toMatchObject({
      period: 'semester2',
      subjects: [
        { subjectCode: 'TOAN', evaluation: 'scored', average: 8 },
        { subjectCode: 'NV', evaluation: 'scored', average: 8.5 },
        { subjectCode: 'GDTC', evaluation: 'commented', result: 'Đ' },
      ],
      level: 'Tốt',
      conduct: 'Tốt',
    });
    expect(rejected.map((e) => [e.code, e.field, e.location])).toEqual([
      ['COMMENT_UNPARSEABLE', 'subjects.2.result', 'tong-ket.csv!tong-ket row 6 col F (Giáo dục thể chất)'],
      ['CODE_UNKNOWN', 'level', 'tong-ket.csv!tong-ket row 7 col G (KQHT)'],
      ['CODE_UNKNOWN', 'period', 'tong-ket.csv!tong-ket row 8 col C (Học kỳ)'],
    ]);
    for (const e of rejected) expect(e.message).toContain(' / ');
  });

  it('takes the period from the title, else the config; without either the row is rejected as CONTEXT_MISSING', async () => {
    const semester = join(tmp, 'ketqua-hk2.xlsx');
    await writeResults(semester, 'KẾT QUẢ HỌC TẬP HỌC KỲ II - NĂM HỌC 2025-2026', [
      [...student(1), 8, 8, 8, 'Đ', 'Đ', 'Tốt', 'Tốt'],
    ]);
    const hk2 = await read('assessments', { path: semester, kind: 'results' });
    expect(hk2.records.map((r) => r.key)).toEqual([
      'excel-79nb0001:learning-result-2025-2026-semester2-7900000301',
    ]);
    const untitled = join(tmp, 'ketqua-untitled.xlsx');
    await writeResults(untitled, 'KẾT QUẢ HỌC TẬP - NĂM HỌC 2025-2026', [
      [...student(1), 8, 8, 8, 'Đ', 'Đ', 'Tốt', 'Tốt'],
    ]);
    const unknown = await read('assessments', { path: untitled, kind: 'results' });
    expect(unknown.records).toEqual([]);
    expect(unknown.rejected.map((e) => [e.code, e.field, e.location])).toEqual([
      ['CONTEXT_MISSING', 'period', 'ketqua-untitled.xlsx!KetQuaHocTap row 7'],
    ]);
    const configured = await read('assessments', { path: untitled, kind: 'results', semester: 1 });
    expect(configured.records).toEqual([expect.objectContaining({ period: 'semester1' })]);
  });

  it("reads a subject column by the school profile's own name, which wins over a built-in one", async () => {
    const path = join(tmp, 'ketqua-profile.csv');
    await writeFile(
      path,
      'KẾT QUẢ HỌC KỲ I NĂM HỌC 2025-2026\nMã học sinh,Lớp,Toán,Tin học ứng dụng,Tiếng Anh\n7901,6A1,7,8.5,9\n',
    );
    const { records } = await read('assessments', {
      path,
      kind: 'results',
      // This school teaches English as its second foreign language.
      profile: { subjects: { TIN: ['Tin học ứng dụng'], NN2: ['Tiếng Anh'] } },
    });
    expect(records).toEqual([
      expect.objectContaining({
        period: 'semester1',
        subjects: [
          { subjectCode: 'TOAN', evaluation: 'scored', average: 7 },
          { subjectCode: 'TIN', evaluation: 'scored', average: 8.5 },
          { subjectCode: 'NN2', evaluation: 'scored', average: 9 },
        ],
      }),
    ]);
  });

  it('check() accepts a KetQuaHocTap as results and names the subject columns a student list given as results lacks', async () => {
    const path = join(tmp, 'ketqua-check.xlsx');
    await writeResults(path, YEAR, [[...student(1), 8, 8, 8, 'Đ', 'Đ', 'Tốt', 'Tốt']]);
    const config = parseAdapterConfig(
      excel.configSchema,
      {
        schoolCode: SCHOOL,
        files: [
          { path, kind: 'results' },
          { path: fixture('students-c1.xlsx'), kind: 'results' },
        ],
      },
      'excel',
    );
    const result = await excel.check(config, base());
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((p) => p.code)).toEqual(['HEADER_MISSING']);
    expect(problems[0]!.message).toContain('Ngữ văn | Toán | Ngoại ngữ 1');
    expect(problems[0]!.message).toContain('students-c1.xlsx');
  });
});

describe('workbooks written by Excel itself', () => {
  it('reads rich text, formulas, booleans and inline strings, and every sheet of a many-sheet workbook', async () => {
    const path = join(tmp, 'in-memory-writer.xlsx');
    const wb = new ExcelJS.Workbook();
    for (let s = 0; s < 30; s++) {
      const ws = wb.addWorksheet(`Lớp ${s}`);
      ws.addRow(['Mã học sinh', 'Họ tên', 'Ngày sinh', 'Giới tính']);
      ws.addRow([
        { formula: '7900+1', result: 7901 + s * 10 },
        { richText: [{ text: 'Nguyễn ' }, { text: 'Văn An', font: { bold: true } }] },
        '01/01/2014',
        'Nam',
      ]);
    }
    await wb.xlsx.writeFile(path);
    const { records } = await read('students', { path, kind: 'students' });
    expect(records).toHaveLength(30);
    expect(records[29]).toMatchObject({ studentCode: '8191', fullName: 'Nguyễn Văn An' });
    expect(records[29]!.source.location).toBe('in-memory-writer.xlsx!Lớp 29 row 2');
  });
});
