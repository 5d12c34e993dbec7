/**
 * The excel adapter's bounds (issue 14): hostile files, written here with the sandbox's zip writer,
 * are refused while they stream, with FILE_LIMIT_EXCEEDED naming the file, what went over, the value
 * counted, the bound and the setting that raises it. The sample files of fixtures/excel stay within
 * the default bounds (excel.test.ts reads them all).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  sheetXml,
  textCell,
  workbookParts,
  writeXlsxBomb,
  writeZip,
} from '../../sandbox/generator/excel/bomb.ts';
import { C1_COLUMNS } from '../../sandbox/generator/excel/students.ts';
import { readContext, silentLogger } from '../../src/sdk/conformance/index.ts';
import {
  DEFAULT_INPUT_LIMITS,
  type InputLimitError,
  type InputLimits,
  isSignal,
  parseAdapterConfig,
} from '../../src/sdk/index.ts';
import excel from './index.ts';

const MiB = 1024 * 1024;
const SCHOOL = '79NB0001';
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'edubridge-excel-limits-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const context = (limits?: Partial<InputLimits>) => ({
  logger: silentLogger,
  signal: new AbortController().signal,
  now: () => new Date('2026-06-15T00:00:00Z'),
  ...(limits ? { limits } : {}),
});

/** Reads a students file to its end or its error: the records that came first, and the error. */
async function readStudents(path: string, limits?: Partial<InputLimits>) {
  const config = parseAdapterConfig(
    excel.configSchema,
    { path, kind: 'students', schoolCode: SCHOOL },
    'excel',
  );
  let rows = 0;
  try {
    for await (const item of excel.read('students', readContext(context(limits), config, undefined))) {
      if (!isSignal(item) || item.kind === 'rejected') rows++;
    }
  } catch (error) {
    return { rows, error: error as InputLimitError };
  }
  return { rows, error: undefined };
}

const HEADER = `<row r="1">${C1_COLUMNS.map((c) => textCell(c.header)).join('')}</row>`;
const STUDENT = ['1', '6A1', '7900000001', 'Nguyễn Văn An', '05/09/2014', 'Nam', 'Đang học'];
const studentRow = (n: number, extra = '') =>
  `<row r="${n}">${STUDENT.map((t) => textCell(t)).join('')}${extra}</row>`;

/** A one-sheet workbook of the C1 header and the given rows. */
async function workbook(
  name: string,
  rows: string[],
  more: Parameters<typeof workbookParts>[0] | object = {},
) {
  const path = join(tmp, name);
  await writeZip(path, workbookParts({ sheet: sheetXml([HEADER, ...rows]), ...more }));
  return path;
}

describe('a zip bomb', () => {
  let bomb: string;
  let bombRows: number;
  beforeAll(async () => {
    bomb = join(tmp, 'C1-HocSinh-bomb.xlsx');
    const written = await writeXlsxBomb(bomb, { inflatedBytes: 64 * MiB });
    // A bomb deflates hundreds to one: the test's has what the benchmark's has, smaller.
    expect(written.inflatedBytes / written.bytes).toBeGreaterThan(300);
    bombRows = Math.round(written.inflatedBytes / 5_300);
  });

  it('is refused by its compression ratio after its first rows, with the default bounds', async () => {
    const { rows, error } = await readStudents(bomb);

    expect(error).toMatchObject({
      name: 'InputLimitError',
      code: 'FILE_LIMIT_EXCEEDED',
      retryable: false,
      limit: 'maxCompressionRatio',
      max: 100,
      setting: 'XLSX_MAX_COMPRESSION_RATIO',
    });
    expect(error!.measured).toBeGreaterThan(100);
    expect(error!.message).toContain('"C1-HocSinh-bomb.xlsx"');
    expect(error!.message).toContain('tỉ lệ nén đã tới');
    expect(error!.message).toContain('vượt giới hạn 100:1 (tăng bằng XLSX_MAX_COMPRESSION_RATIO)');
    expect(error!.message).toContain('over the limit of 100:1 (raised by XLSX_MAX_COMPRESSION_RATIO)');
    // Stopped while streaming: a few rows of the more than 12,000 the bomb holds were read.
    expect(bombRows).toBeGreaterThan(12_000);
    expect(rows).toBeLessThan(100);
  });

  it('is refused at the inflated size counted on the bytes, whatever its headers declare', async () => {
    const liar = join(tmp, 'liar.xlsx');
    // The zip's headers say the sheet inflates to its compressed size.
    await writeXlsxBomb(liar, { inflatedBytes: 64 * MiB, declaredSizes: 'compressed' });
    const max = 8 * MiB;

    const { error } = await readStudents(liar, { maxCompressionRatio: 100_000, maxInflatedBytes: max });

    expect(error).toMatchObject({
      code: 'FILE_LIMIT_EXCEEDED',
      limit: 'maxInflatedBytes',
      max,
      setting: 'XLSX_MAX_INFLATED_BYTES',
    });
    // Stopped at the inflater's first chunk over the bound (16 KiB).
    expect(error!.measured).toBeGreaterThan(max);
    expect(error!.measured).toBeLessThanOrEqual(max + 16 * 1024);
    expect(error!.message).toContain(
      `"liar.xlsx" refused: the inflated size reached ${error!.measured!.toLocaleString('en-US')} bytes, over the limit of 8,388,608 bytes (raised by XLSX_MAX_INFLATED_BYTES)`,
    );
    expect(error!.message).toContain('dung lượng sau giải nén đã tới');
  });

  it('is a check problem naming the bound, not a crash', async () => {
    const config = parseAdapterConfig(
      excel.configSchema,
      { path: bomb, kind: 'students', schoolCode: SCHOOL },
      'excel',
    );

    const result = await excel.check(config, context());

    expect(result.ok).toBe(false);
    expect(result.ok === false && result.problems[0]).toMatchObject({
      code: 'FILE_LIMIT_EXCEEDED',
      message: expect.stringContaining('XLSX_MAX_COMPRESSION_RATIO'),
    });
  });
});

describe('an .xlsx', () => {
  it('listing more entries than the bound is refused from its directory’s end record', async () => {
    const path = join(tmp, 'entries.xlsx');
    const extra = Array.from({ length: 60 }, (_, i) => ({ name: `xl/media/image${i}.png`, content: 'x' }));
    await writeZip(path, workbookParts({ sheet: sheetXml([HEADER, studentRow(2)]), extra }));

    const { error } = await readStudents(path, { maxZipEntries: 50 });

    expect(error).toMatchObject({
      code: 'FILE_LIMIT_EXCEEDED',
      limit: 'maxZipEntries',
      measured: 65,
      max: 50,
      setting: 'XLSX_MAX_ZIP_ENTRIES',
    });
    expect(error!.message).toContain('the number of zip entries reached 65, over the limit of 50');
    // The same file within the default bound reads.
    expect((await readStudents(path)).error).toBeUndefined();
  });

  it('declaring more sheets than its sheet list’s bound holds is refused as the list is read', async () => {
    const sheets = Array.from(
      { length: 5_000 },
      (_, i) => `<sheet name="Lớp ${i}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`,
    ).join('');
    const path = join(tmp, 'sheets.xlsx');
    const parts = workbookParts({ sheet: sheetXml([HEADER, studentRow(2)]) }).map((part) =>
      part.name === 'xl/workbook.xml'
        ? {
            name: part.name,
            content: `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>${sheets}</sheets></workbook>`,
          }
        : part,
    );
    await writeZip(path, parts);

    const { error } = await readStudents(path, { maxWorkbookPartBytes: 64 * 1024 });

    expect(error).toMatchObject({
      limit: 'maxWorkbookPartBytes',
      max: 64 * 1024,
      setting: 'XLSX_MAX_WORKBOOK_PART_BYTES',
    });
    expect(error!.measured).toBeGreaterThan(64 * 1024);
    expect(error!.measured).toBeLessThanOrEqual(64 * 1024 + 16 * 1024);
  });

  it('with more shared strings than the bound is refused as the table is read', async () => {
    const strings = Array.from({ length: 1_001 }, (_, i) => `<si><t>Học sinh ${i}</t></si>`).join('');
    const path = await workbook('shared.xlsx', [studentRow(2)], {
      sharedStrings: `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${strings}</sst>`,
    });

    const { error } = await readStudents(path, { maxSharedStrings: 1_000 });

    expect(error).toMatchObject({
      limit: 'maxSharedStrings',
      measured: 1_001,
      max: 1_000,
      setting: 'XLSX_MAX_SHARED_STRINGS',
    });
  });

  it('with a shared-string table larger than its bound is refused as the table is read', async () => {
    const strings = Array.from(
      { length: 2_000 },
      (_, i) => `<si><t>Học sinh ${i} ${'x'.repeat(1_000)}</t></si>`,
    );
    const path = await workbook('shared-bytes.xlsx', [studentRow(2)], {
      sharedStrings: `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${strings.join('')}</sst>`,
    });

    const { error } = await readStudents(path, { maxSharedStringsBytes: MiB, maxCompressionRatio: 100_000 });

    expect(error).toMatchObject({
      limit: 'maxSharedStringsBytes',
      max: MiB,
      setting: 'XLSX_MAX_SHARED_STRINGS_BYTES',
    });
    expect(error!.measured).toBeGreaterThan(MiB);
    expect(error!.measured).toBeLessThanOrEqual(MiB + 16 * 1024);
  });

  it('with a row of more cells than the bound is refused at that row', async () => {
    // The header has 23 cells; row 3 has 7 and 23 more.
    const wide = Array.from({ length: 23 }, (_, i) => textCell(`x${i}`)).join('');
    const path = await workbook('wide.xlsx', [studentRow(2), studentRow(3, wide)]);

    const { error } = await readStudents(path, { maxCellsPerRow: 25 });

    expect(error).toMatchObject({ limit: 'maxCellsPerRow', measured: 26, max: 25 });
    expect(error!.message).toContain('the number of cells in a row (sheet "Sheet1" row 3) reached 26');
    expect(error!.message).toContain('(tăng bằng SHEET_MAX_CELLS_PER_ROW)');
  });

  it('with a cell beyond Excel’s last column (XFD) is refused by the default bound', async () => {
    const path = await workbook('far.xlsx', [studentRow(2, textCell('x', 'XFE2'))]);

    const { error } = await readStudents(path);

    expect(error).toMatchObject({
      limit: 'maxCellsPerRow',
      measured: 16_385,
      max: DEFAULT_INPUT_LIMITS.maxCellsPerRow,
    });
  });

  it('with a text longer than the bound is refused before the XML parser holds it', async () => {
    const path = await workbook('text.xlsx', [studentRow(2, textCell('a'.repeat(3 * MiB)))]);

    const { error } = await readStudents(path, { maxCompressionRatio: 100_000 });

    expect(error).toMatchObject({ limit: 'maxXmlTextBytes', max: MiB, setting: 'XLSX_MAX_TEXT_BYTES' });
    expect(error!.measured).toBeGreaterThan(MiB);
    expect(error!.measured).toBeLessThan(MiB + 64 * 1024);
  });

  it('with a row whose texts together pass the bound is refused at that row', async () => {
    const cells = Array.from({ length: 3 }, () => textCell('b'.repeat(400_000))).join('');
    const path = await workbook('long-row.xlsx', [studentRow(2), studentRow(3, cells)]);

    const { error } = await readStudents(path, { maxCompressionRatio: 100_000 });

    expect(error).toMatchObject({ limit: 'maxRowCharacters', max: MiB, setting: 'XLSX_MAX_ROW_CHARACTERS' });
    expect(error!.measured).toBe(1_200_000 + STUDENT.join('').length);
    expect(error!.message).toContain('row 3');
  });
});

describe('a CSV', () => {
  const csv = async (name: string, text: string) => {
    const path = join(tmp, name);
    await writeFile(path, text);
    return path;
  };
  const HEADER_LINE = 'Mã học sinh,Họ tên,Ngày sinh\n';

  it('with a record of more cells than the bound is refused at that row', async () => {
    const path = await csv('wide.csv', `${HEADER_LINE}790001,An,05/09/2014\n${'x,'.repeat(20)}x\n`);

    const { error } = await readStudents(path, { maxCellsPerRow: 10 });

    expect(error).toMatchObject({ limit: 'maxCellsPerRow', measured: 21, max: 10 });
    expect(error!.message).toContain('"wide.csv" refused: the number of cells in a row (row 3) reached 21');
  });

  it('with a record of empty cells passing the byte bound is refused while it is read', async () => {
    // Empty fields cost csv-parse's max_record_size nothing: three million of them, one record.
    const path = await csv('commas.csv', `${HEADER_LINE}${','.repeat(3_000_000)}\n`);

    const { error } = await readStudents(path, { maxCellsPerRow: 10_000_000 });

    expect(error).toMatchObject({
      limit: 'maxCsvRecordBytes',
      max: MiB,
      setting: 'CSV_MAX_RECORD_BYTES',
    });
    // Before the record ended: within a read chunk (64 KiB) or two of the bound.
    expect(error!.measured).toBeGreaterThan(MiB);
    expect(error!.measured).toBeLessThan(MiB + 3 * 64 * 1024);
  });

  it('with a field longer than the record bound is refused (csv-parse’s max_record_size)', async () => {
    const path = await csv('field.csv', `${HEADER_LINE}790001,${'a'.repeat(70_000)},05/09/2014\n`);

    const { error } = await readStudents(path, { maxCsvRecordBytes: 64 * 1024 });

    expect(error).toMatchObject({
      limit: 'maxCsvRecordBytes',
      max: 64 * 1024,
      setting: 'CSV_MAX_RECORD_BYTES',
    });
    expect(error!.message).toContain('row 2');
  });
});
