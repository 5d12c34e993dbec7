/**
 * Files that are not `.xlsx` or UTF-8 CSV but that schools hand over as spreadsheets: Excel's
 * "Unicode Text" (UTF-16, tab-separated), an HTML table saved as `.xls` (the "export to Excel" of
 * many school systems), Excel 2003's XML spreadsheet, a tab-separated text named `.xls`.
 */

import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalRecord, Student, Teacher } from '../../src/model/index.ts';
import { readContext, silentLogger } from '../../src/sdk/conformance/index.ts';
import {
  DEFAULT_INPUT_LIMITS,
  type InputLimits,
  isSignal,
  PermanentError,
  parseAdapterConfig,
  type ReadItem,
  type RecordError,
} from '../../src/sdk/index.ts';
import { csvEncodingOf } from './csv.ts';
import excel from './index.ts';
import { decodeEntities, markupKindOf } from './markup.ts';

const SCHOOL = '79NB0001';

interface Read {
  records: CanonicalRecord[];
  rejected: RecordError[];
  logs: Array<{ msg: string; data: Record<string, unknown> | undefined }>;
}

async function read(
  stream: Parameters<typeof excel.read>[0],
  input: Record<string, unknown>,
  limits?: Partial<InputLimits>,
): Promise<Read> {
  const config = parseAdapterConfig(excel.configSchema, { schoolCode: SCHOOL, ...input }, 'excel');
  const out: Read = { records: [], rejected: [], logs: [] };
  const logger = {
    ...silentLogger,
    info: (msg: string, data?: Record<string, unknown>) => out.logs.push({ msg, data }),
  };
  const ctx = readContext(
    {
      logger,
      signal: new AbortController().signal,
      now: () => new Date('2026-06-15T00:00:00Z'),
      ...(limits ? { limits } : {}),
    },
    config,
    undefined,
  );
  for await (const item of excel.read(stream, ctx) as AsyncIterable<ReadItem>) {
    if (!isSignal(item)) out.records.push(item);
    else if (item.kind === 'rejected') out.rejected.push(item.error);
  }
  return out;
}

async function failure(input: Record<string, unknown>, limits?: Partial<InputLimits>) {
  try {
    await read('students', input, limits);
  } catch (error) {
    if (error instanceof PermanentError) return error;
    throw error;
  }
  throw new Error('the read did not fail');
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'edubridge-formats-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const HEADER = ['Mã học sinh', 'Họ tên', 'Ngày sinh', 'Giới tính', 'Họ tên mẹ'];
const student = (i: number) => [
  `79000${String(i).padStart(5, '0')}`,
  `Nguyễn Thị Ngọc Ánh ${['Hằng', 'Phượng', 'Trâm', 'Yến'][i % 4]}`,
  '05/09/2014',
  'Nữ',
  'Lê Thị Hoà',
];

describe("Excel's Unicode Text (UTF-16)", () => {
  it('reads a UTF-16 LE file with its BOM, tab-separated, as .txt and as .csv, across many chunks', async () => {
    // Over 64 KiB: letters are cut between the file's chunks and must come out whole.
    const lines = [HEADER, ...Array.from({ length: 1500 }, (_, i) => student(i + 1))].map((r) =>
      r.join('\t'),
    );
    const bytes = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf16le'),
    ]);
    expect(bytes.length).toBeGreaterThan(2 * 65536);
    for (const name of ['DanhSach.txt', 'DanhSach-unicode.csv']) {
      const path = join(tmp, name);
      await writeFile(path, bytes);
      const r = await read('students', { path, kind: 'students' });
      expect(r.rejected).toEqual([]);
      expect(r.records).toHaveLength(1500);
      const names = new Set(r.records.map((x) => (x as Student).fullName));
      expect(names).toEqual(
        new Set(['Hằng', 'Phượng', 'Trâm', 'Yến'].map((n) => `Nguyễn Thị Ngọc Ánh ${n}`)),
      );
      expect((r.records[0] as Student).guardians[0]!.fullName).toBe('Lê Thị Hoà');
    }
  });

  it('reads UTF-16 BE (BOM FE FF), and UTF-16 LE without a BOM', async () => {
    const text = `${[HEADER, student(1)].map((r) => r.join('\t')).join('\n')}\n`;
    const le = Buffer.from(text, 'utf16le');
    const be = Buffer.from(le);
    be.swap16();
    const withBom = join(tmp, 'be.txt');
    await writeFile(withBom, Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
    const noBom = join(tmp, 'le-no-bom.csv');
    await writeFile(noBom, le);
    for (const path of [withBom, noBom]) {
      const r = await read('students', { path, kind: 'students' });
      expect(r.rejected).toEqual([]);
      expect((r.records[0] as Student).fullName).toBe('Nguyễn Thị Ngọc Ánh Phượng');
    }
  });

  it('tells the encodings apart by the first bytes', () => {
    expect(csvEncodingOf(Buffer.from([0xff, 0xfe, 0x4d, 0]))).toBe('utf-16le');
    expect(csvEncodingOf(Buffer.from([0xfe, 0xff, 0, 0x4d]))).toBe('utf-16be');
    expect(csvEncodingOf(Buffer.from('Mã học sinh;Họ tên\n', 'utf8'))).toBe('utf-8');
    expect(csvEncodingOf(Buffer.from('Mã học sinh\tHọ tên\n', 'utf16le'))).toBe('utf-16le');
  });
});

/** A student list as a school system exports it "to Excel": an HTML page named `.xls`. */
const HTML_LIST = `<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">
<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<style>td { mso-number-format:"\\@"; } .t > b { color: red }</style>
<!--[if gte mso 9]><xml><x:ExcelWorkbook><x:Name>DS</x:Name></x:ExcelWorkbook></xml><![endif]-->
<script>if (a < b && c > d) document.write("<tr><td>not a row</td></tr>");</script>
<title>Danh sách <học sinh></title></head>
<body>
<h3>DANH S&Aacute;CH H&#7884;C SINH L&#7898;P 6A1</h3>
<p>N&#x103;m h&#7885;c 2025-2026</p>
<table border="1">
<tr><th rowspan="2">STT</th><th rowspan="2">Mã học sinh</th><th rowspan="2">Họ và tên</th><th rowspan="2">Ngày sinh</th><th rowspan="2">Giới tính</th><th colspan="2">Mẹ</th></tr>
<tr><th>Họ tên</th><th>Số định danh</th></tr>
<tr><td>1</td><td>7900000101</td><td>Nguyễn&nbsp;Văn
    An</td><td>05/09/2014</td><td>Nam</td><td>Lê Thị <b>Hoa</b></td><td>079186001234</td></tr>
<tr><td>2</td><td>7900000102</td><td>Trần Thị Bình</td><td>12/03/2014</td><td>Nữ</td><td>Võ Thị Lan<br>(mẹ kế)</td><td>079185001235</td></tr>
<tr><td colspan="3">Tổng số: 2 học sinh</td></tr>
</table>
<p>Nhà Bè, ngày 20 tháng 12 năm 2025</p>
<p>Người lập biểu</p>
</body></html>
`;

describe('an HTML table saved as .xls', () => {
  it('is read as Excel shows it: titles above the table, merged header cells, entities, line breaks', async () => {
    const path = join(tmp, 'DanhSachHocSinh.xls');
    await writeFile(path, HTML_LIST);
    const r = await read('students', { path, kind: 'students' });
    expect(r.rejected).toEqual([]);
    const [an, binh] = r.records as Student[];
    // Rows: the h3 title 1, the school year 2, the header 3–4, the students 5–6.
    expect(an).toMatchObject({
      studentCode: '7900000101',
      fullName: 'Nguyễn Văn An',
      birthDate: '2014-09-05',
      className: '6A1',
      schoolYear: '2025-2026',
      guardians: [{ relationship: 'mother', fullName: 'Lê Thị Hoa', personalId: '079186001234' }],
      source: { location: 'DanhSachHocSinh.xls!DanhSachHocSinh row 5' },
    });
    expect(binh!.guardians[0]!.fullName).toBe('Võ Thị Lan\n(mẹ kế)');
    expect(r.logs.find((l) => l.msg === 'excel table end')?.data).toMatchObject({
      row: 6,
      footer: { row: 7, text: 'Tổng số…' },
      rowsAfter: 3,
    });
  });

  it('places cells under a rowspan in the columns after it, as Excel merges them', async () => {
    const path = join(tmp, 'rowspan.xls');
    await writeFile(
      path,
      `<table><tr><td>Lớp</td><td>Mã học sinh</td><td>Họ tên</td><td>Ngày sinh</td><td>Giới tính</td></tr>
      <tr><td rowspan="2">6A2</td><td>7900000201</td><td>An</td><td>01/02/2014</td><td>Nam</td></tr>
      <tr><td>7900000202</td><td>Bình</td><td>03/04/2014</td><td>Nữ</td></tr></table>`,
    );
    const r = await read('students', { path, kind: 'students' });
    expect(r.rejected).toEqual([]);
    expect(r.records.map((x) => [(x as Student).studentCode, (x as Student).className ?? null])).toEqual([
      ['7900000201', '6A2'],
      // The merged cell's value is in its first row only, as in Excel.
      ['7900000202', null],
    ]);
  });

  it('stops at a tag longer than the bound, and at a colspan wider than a row may be', async () => {
    const long = join(tmp, 'long-tag.xls');
    await writeFile(long, `<html><body><table><tr><td title="${'x'.repeat(5000)}">A</td></tr></table>`);
    const tag = await failure(
      { path: long, kind: 'students' },
      { ...DEFAULT_INPUT_LIMITS, maxXmlTextBytes: 4096 },
    );
    expect(tag.code).toBe('FILE_LIMIT_EXCEEDED');
    expect(tag.message).toContain('XLSX_MAX_TEXT_BYTES');
    const wide = join(tmp, 'wide.xls');
    await writeFile(wide, '<table><tr><td>Mã học sinh</td><td colspan="100000">x</td></tr></table>');
    const width = await failure({ path: wide, kind: 'students' });
    expect(width.code).toBe('FILE_LIMIT_EXCEEDED');
    expect(width.message).toContain('SHEET_MAX_CELLS_PER_ROW');
  });

  it('bounds a cell made of many small pieces, and a line of text outside any table, as they grow', async () => {
    const limits = { ...DEFAULT_INPUT_LIMITS, maxRowCharacters: 10_000 };
    const pieces = join(tmp, 'pieces.xls');
    await writeFile(pieces, `<table><tr><td>${'<b>xy</b>'.repeat(6000)}</td></tr></table>`);
    const cell = await failure({ path: pieces, kind: 'students' }, limits);
    expect(cell.code).toBe('FILE_LIMIT_EXCEEDED');
    expect(cell.message).toContain('XLSX_MAX_ROW_CHARACTERS');
    const prose = join(tmp, 'prose.xls');
    await writeFile(prose, `<html><body>${'<i>lorem</i> '.repeat(3000)}</body></html>`);
    expect((await failure({ path: prose, kind: 'students' }, limits)).code).toBe('FILE_LIMIT_EXCEEDED');
  });

  it('reads rows under a wall of rowspans in time: a bounded number of columns stay covered', async () => {
    const wall = join(tmp, 'rowspan-wall.xls');
    const spans = '<td rowspan="1000000000">x</td>'.repeat(16_000);
    const rows = '<tr><td>y</td></tr>'.repeat(100_000);
    const header = '<tr><td>Mã học sinh</td><td>Họ tên</td><td>Ngày sinh</td><td>Giới tính</td></tr>';
    const first = '<tr><td>7900000001</td><td>An</td><td>01/01/2014</td><td>Nam</td></tr>';
    await writeFile(wall, `<table>${header}${first}<tr>${spans}</tr>${rows}</table>`);
    const started = Date.now();
    const r = await read('students', { path: wall, kind: 'students' });
    // The wall is a row of its own (rejected: "x" is no student); the 100,000 rows under it are
    // placed after its first 256 columns, which no field maps.
    expect(r.records).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('visits only the cells a row has, however far right they are', async () => {
    const far = join(tmp, 'far-cells.xls');
    const rows = '<tr><td colspan="16000"></td><td> </td></tr>'.repeat(50_000);
    await writeFile(
      far,
      `<table><tr><td>Mã học sinh</td><td>Họ tên</td><td>Ngày sinh</td><td>Giới tính</td></tr><tr><td>7900000001</td><td>An</td><td>01/01/2014</td><td>Nam</td></tr>${rows}</table>`,
    );
    const started = Date.now();
    const r = await read('students', { path: far, kind: 'students' });
    expect(r.records).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('decodes character references and tells markup from other files', () => {
    expect(decodeEntities('L&#7898;P 6A1 &amp; N&#x103;m &Aacute; &bogus; &#0;')).toBe(
      'LỚP 6A1 & Năm Á &bogus; &#0;',
    );
    expect(markupKindOf(Buffer.from('\ufeff  <!-- export --><HTML><body>'))).toBe('html');
    expect(markupKindOf(Buffer.from('<table border=1><tr>'))).toBe('html');
    expect(markupKindOf(Buffer.from('<!DOCTYPE html>\n<html>', 'utf16le'))).toBe('html');
    expect(markupKindOf(Buffer.from('Mã học sinh,Họ tên\n'))).toBeUndefined();
    expect(markupKindOf(Buffer.from('<?xml version="1.0"?><note/>'))).toBeUndefined();
  });
});

describe('other files named .xls', () => {
  it('reads an Excel 2003 XML spreadsheet: each Worksheet a sheet, Row and Cell indexes, merges, numbers and dates', async () => {
    const path = join(tmp, 'CSDL_GiaoVien.xls');
    await writeFile(
      path,
      `<?xml version="1.0"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="Hướng dẫn"><Table><Row><Cell><Data ss:Type="String">Điền từ dòng 4</Data></Cell></Row></Table></Worksheet>
 <Worksheet ss:Name="CSDL_GiaoVien">
  <Table>
   <Row><Cell ss:MergeAcross="3"><Data ss:Type="String">DANH SÁCH CÁN BỘ, GIÁO VIÊN</Data></Cell></Row>
   <Row ss:Index="3"><Cell><Data ss:Type="String">Mã cán bộ</Data></Cell><Cell><Data ss:Type="String">Họ tên</Data></Cell><Cell><Data ss:Type="String">Ngày sinh</Data></Cell><Cell ss:Index="5"><Data ss:Type="String">Số điện thoại</Data></Cell></Row>
   <Row><Cell><Data ss:Type="String">GV001</Data></Cell><Cell><Data ss:Type="String">Lê Văn Cường</Data></Cell><Cell><Data ss:Type="DateTime">1985-04-02T00:00:00.000</Data></Cell><Cell ss:Index="5"><Data ss:Type="String">0912345678</Data></Cell></Row>
   <Row><Cell><Data ss:Type="String">GV002</Data></Cell><Cell><Data ss:Type="String">Phạm Thị Dung</Data></Cell><Cell><Data ss:Type="String">12/11/1990</Data></Cell></Row>
  </Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Selected/></WorksheetOptions>
 </Worksheet>
</Workbook>`,
    );
    const r = await read('teachers', { path, kind: 'teachers' });
    expect(r.rejected).toEqual([]);
    expect(r.records.map((x) => x as Teacher)).toMatchObject([
      {
        teacherCode: 'GV001',
        fullName: 'Lê Văn Cường',
        birthDate: '1985-04-02',
        phone: '0912345678',
        source: { location: 'CSDL_GiaoVien.xls!CSDL_GiaoVien row 4' },
      },
      { teacherCode: 'GV002', birthDate: '1990-11-12' },
    ]);
  });

  it('reads a tab-separated text named .xls, and an .xlsx named .xls', async () => {
    const path = join(tmp, 'tab.xls');
    await writeFile(path, `${HEADER.join('\t')}\n${student(7).join('\t')}\n`);
    const r = await read('students', { path, kind: 'students' });
    expect(r.records).toHaveLength(1);
    const renamed = join(tmp, 'C1-HocSinh.xls');
    await copyFile(join(import.meta.dirname, '..', '..', 'fixtures', 'excel', 'students-c1.xlsx'), renamed);
    const workbook = await read('students', { path: renamed, kind: 'students' });
    expect(workbook.rejected).toEqual([]);
    expect(workbook.records.length).toBeGreaterThan(0);
  });

  it('still refuses a real Excel 97-2003 file, saying how to resave it', async () => {
    const path = join(tmp, 'biff.xls');
    await writeFile(path, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]));
    const error = await failure({ path, kind: 'students' });
    expect(error.code).toBe('FORMAT_UNSUPPORTED');
    expect(error.message).toContain('is an Excel 97-2003 file (.xls); open it in Excel and save it as .xlsx');
  });
});
