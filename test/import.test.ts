/**
 * The `edubridge import` contract that scripts rely on, run as a user runs it: the real
 * bin/edubridge.js in a child process, its stdout, stderr and exit code.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeXlsxBomb } from '../sandbox/generator/excel/bomb.ts';
import { jsonlLines, writeStudentsWorkbook } from '../sandbox/generator/excel/index.ts';
import { generateDistrict } from '../sandbox/generator/index.ts';
import type { Student } from '../src/model/index.ts';

const ROOT = join(import.meta.dirname, '..');
const FIXTURES = join(ROOT, 'fixtures', 'excel');
const BIN = join(ROOT, 'bin', 'edubridge.js');

function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'edubridge-import-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const known = JSON.parse(readFileSync(join(FIXTURES, 'students-known-errors.expected.json'), 'utf8')) as {
  school: string;
  asOf: string;
  summary: Record<string, number>;
  problems: Array<{ row: number; column: string; field: string; code: string; level: string }>;
};
const knownArgs = [
  'import',
  join(FIXTURES, 'students-known-errors.xlsx'),
  '--kind',
  'students',
  '--school',
  known.school,
  '--as-of',
  known.asOf,
];

interface Group {
  code: string;
  level: string;
  column: string | null;
  header?: string;
  field: string;
  count: number;
  message: string;
  samples: Array<{ sheet: string; row: number; value?: string; message?: string }>;
}

/** What the known-errors file's impossible birth date (30/02) is told, with how to fix it in Excel. */
const BAD_DAY = {
  vi: 'tháng đó không có ngày này (ví dụ 31/04, 29/02 năm không nhuận); ghi ngày dạng ngày/tháng/năm đủ 4 chữ số năm (dd/mm/yyyy); trong Excel, định dạng cột là Text (Văn bản) trước khi nhập hoặc dán, hoặc là Date kiểu Việt Nam',
  en: 'the month has no such day (e.g. 31/04, 29/02 in a common year); write it day/month/year with a four-digit year (dd/mm/yyyy); in Excel, format the column as Text before typing or pasting, or as a Vietnamese Date',
};

describe('edubridge import', () => {
  it('--json prints the summary and the problems grouped by rule and column, each at its rows, and exits 1 when a row is invalid', () => {
    const r = run([...knownArgs, '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { summary: unknown; groups: Group[]; tableEnds: unknown };
    // `tableEnds` is there because a row under the table was not read: "Tổng số: 15 học sinh".
    expect(Object.keys(out)).toEqual(['summary', 'groups', 'tableEnds']);
    expect(out.tableEnds).toEqual([
      {
        file: 'students-known-errors.xlsx',
        sheet: 'Sheet1',
        row: 20,
        footer: { row: 21, text: 'Tổng số…' },
        rowsAfter: 1,
      },
    ]);
    expect(out.summary).toEqual(known.summary);
    for (const group of out.groups) {
      expect(Object.keys(group)).toEqual(
        group.header === undefined
          ? ['code', 'level', 'column', 'field', 'count', 'message', 'samples']
          : ['code', 'level', 'column', 'header', 'field', 'count', 'message', 'samples'],
      );
      expect(group.message).toMatch(/\S \/ \S/);
    }
    // Each known problem is one row of its group: rule, column and row as the school opens them.
    const placed = out.groups.flatMap((g) =>
      g.samples.map((s) => `${s.row} ${g.column} ${g.code} ${g.level}`),
    );
    expect(placed.sort()).toEqual(
      known.problems.map(({ row, column, code, level }) => `${row} ${column} ${code} ${level}`).sort(),
    );
    expect(out.groups.find((g) => g.code === 'DATE_UNPARSEABLE')).toEqual({
      code: 'DATE_UNPARSEABLE',
      level: 'error',
      column: 'E',
      header: 'Ngày sinh',
      field: 'birthDate',
      count: 1,
      message: `"Ngày sinh" không phải ngày hợp lệ (dd/mm/yyyy): ${BAD_DAY.vi} / "Ngày sinh" is not a valid date (dd/mm/yyyy): ${BAD_DAY.en}`,
      samples: [{ sheet: 'Sheet1', row: 7 }],
    });
    // A value the rules read is shown as an example, masked: the age is wrong, the birth date is personal.
    expect(out.groups.find((g) => g.code === 'STUDENT_AGE_GRADE')?.samples).toEqual([
      { sheet: 'Sheet1', row: 20, value: '2005-**-**' },
    ]);
  });

  it('--json --all adds each problem at its row and column', () => {
    const r = run([...knownArgs, '--json', '--all']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { summary: unknown; issues: Array<Record<string, unknown>> };
    expect(Object.keys(out)).toEqual(['summary', 'groups', 'issues', 'tableEnds']);
    expect(out.summary).toEqual({ total: 15, valid: 4, invalid: 11, warnings: 2 });
    for (const issue of out.issues) {
      expect(Object.keys(issue)).toEqual(['row', 'column', 'field', 'code', 'level', 'message']);
      expect(issue.message).toMatch(/\S \/ \S/);
    }
    expect(out.issues.map(({ message: _m, ...rest }) => rest)).toEqual(
      known.problems.map(({ row, column, field, code, level }) => ({ row, column, field, code, level })),
    );
  });

  it('--out writes the valid records (warnings included) as canonical JSONL, normalised by the rules', () => {
    const out = join(tmp, 'records.jsonl');
    const r = run([...knownArgs, '--out', out]);
    expect(r.code).toBe(1);
    const records = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((x) => x.studentCode)).toEqual([
      '7900000101',
      '7900000109',
      '7900000113',
      '7900000114',
    ]);
    expect(records[1]).toMatchObject({
      type: 'student',
      key: 'excel-79test01:student-7900000109',
      personalId: '079214300109',
      birthDate: '2014-03-12',
      gender: 'male',
      ethnicityCode: '01',
      className: '6A1',
      schoolYear: '2025-2026',
      status: 'studying',
      guardians: [
        { relationship: 'father', fullName: 'Trần Văn Phúc' },
        { relationship: 'mother', fullName: 'Lê Thị Hoa' },
      ],
      source: {
        adapter: 'excel',
        schoolCode: '79TEST01',
        location: 'students-known-errors.xlsx!Sheet1 row 14',
      },
    });
    expect(records[3]).toMatchObject({ fullName: 'Trần Khánh Vy' });
    expect(existsSync(`${out}.partial`)).toBe(false);
    expect(r.stdout).toContain('Wrote 4 valid records');
  });

  it('reads learning results with a period column, its first row kept, a bad score placed in its subject’s column', () => {
    const file = join(tmp, 'ket-qua.csv');
    writeFileSync(
      file,
      [
        'KẾT QUẢ HỌC TẬP - NĂM HỌC 2025-2026',
        'Mã học sinh;Họ tên;Lớp;Học kỳ;Toán;Ngữ văn;Kết quả học tập;Kết quả rèn luyện',
        // "CN" is the whole year here, and also the code of Công nghệ: still a data row.
        '7912345678;Nguyễn Văn An;6A1;CN;11;7,5;Khá;Tốt',
        '7912345679;Trần Thị Bình;6A1;CN;8;7,0;Khá;Tốt',
        '',
      ].join('\n'),
    );
    const r = run(['import', file, '--kind', 'results', '--school', '79NB0001', '--json', '--all']);
    const out = JSON.parse(r.stdout) as {
      summary: { total: number };
      issues: Array<{ row: number; column: string | null; field: string; code: string }>;
    };
    expect(out.summary.total).toBe(2);
    expect(out.issues).toContainEqual(
      expect.objectContaining({ row: 3, column: 'E', field: 'subjects.0.average', code: 'SCORE_RANGE' }),
    );
  });

  it('prints a readable bilingual report and exits 0 for a clean file', () => {
    const r = run([
      'import',
      join(FIXTURES, 'students-semicolon-bom.csv'),
      '--kind',
      'students',
      '--school',
      '79NB0001',
      '--as-of',
      '2026-11-27',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Dòng / Rows: 8   hợp lệ / valid: 8   lỗi / invalid: 0');
    expect(r.stdout).toContain('KẾT QUẢ: không có lỗi / RESULT: no errors');
  });

  it('--dry-run checks and reports', () => {
    const r = run([...knownArgs, '--dry-run']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('(chỉ kiểm tra / dry run)');
    expect(r.stdout).toContain('DATE_UNPARSEABLE');
  });

  it('prints one line a group: a rule at a column, its count and first rows', () => {
    const r = run(knownArgs);
    expect(r.stdout).toContain(
      `  LỖI/ERROR  E (Ngày sinh)  birthDate  DATE_UNPARSEABLE  × 1  dòng/rows Sheet1!7 — "Ngày sinh" không phải ngày hợp lệ (dd/mm/yyyy): ${BAD_DAY.vi} / "Ngày sinh" is not a valid date (dd/mm/yyyy): ${BAD_DAY.en}`,
    );
    expect(r.stdout.split('\n').filter((l) => / × \d/.test(l))).toHaveLength(known.problems.length);
    expect(r.stdout).toContain('--xlsx <report.xlsx>');
  });

  it('refuses in one line, exit 2, a missing file, a bad --kind, and a file without the columns the kind needs', () => {
    const missing = run(['import', join(tmp, 'nope.xlsx'), '--kind', 'students', '--school', 'X']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('nope.xlsx');

    const kind = run(['import', join(FIXTURES, 'fees.xlsx'), '--kind', 'pupils', '--school', 'X']);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain('--kind');

    const header = run([
      'import',
      join(FIXTURES, 'fees.xlsx'),
      '--kind',
      'teachers',
      '--school',
      'X',
      '--json',
    ]);
    expect(header.code).toBe(2);
    expect(header.stdout).toBe('');
    expect(header.stderr.trim().split('\n')).toHaveLength(1);
    expect(header.stderr).toContain('Mã cán bộ');
    expect(header.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('refuses in one line, exit 2, an empty file and a file with only its header, each with its own code', () => {
    const empty = join(tmp, 'C1-HocSinh-empty.xlsx');
    writeFileSync(empty, '');
    const r = run(['import', empty, '--kind', 'students', '--school', '79NB0001', '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('[FILE_EMPTY]');
    expect(r.stderr).toContain('"C1-HocSinh-empty.xlsx" is empty');

    const headerOnly = join(tmp, 'hs-header-only.csv');
    writeFileSync(headerOnly, 'Mã học sinh;Họ tên;Ngày sinh;Giới tính\n');
    const h = run(['import', headerOnly, '--kind', 'students', '--school', '79NB0001']);
    expect(h.code).toBe(2);
    expect(h.stderr.trim().split('\n')).toHaveLength(1);
    expect(h.stderr).toContain('[FILE_HAS_NO_ROWS]');
    expect(h.stderr).toContain('"hs-header-only.csv" has the header but no data rows');
  });

  it('says where the table ended when a footer follows it, and reads none of the footer as students', () => {
    const file = join(tmp, 'hs-footer.csv');
    writeFileSync(
      file,
      [
        'STT;Mã học sinh;Họ tên;Ngày sinh;Giới tính;Họ tên mẹ',
        '1;7900000101;Nguyễn Văn An;05/09/2014;Nam;Lê Thị Hoa',
        '2;7900000102;Trần Thị Bình;12/03/2014;Nữ;Võ Thị Lan',
        ';;;;;',
        ';;Nhà Bè, ngày 20 tháng 12 năm 2025;;;',
        ';Người lập biểu;Hiệu trưởng;;;',
        ';Lê Văn Cường;Phạm Thị Dung;;;',
        '',
      ].join('\n'),
    );
    const r = run(['import', file, '--kind', 'students', '--school', '79NB0001', '--as-of', '2026-11-27']);
    expect(r.stdout).toContain('Dòng / Rows: 2   hợp lệ / valid: 2   lỗi / invalid: 0');
    expect(r.stdout).toContain(
      'hs-footer: Bảng dữ liệu kết thúc ở dòng 3 (sau đó là phần chân trang từ dòng 5: "Nhà Bè, ngày…"; 3 dòng không đọc) / The table was taken to end at row 3 (what follows is a footer from row 5: "Nhà Bè, ngày…"; 3 rows not read)',
    );
    expect(r.stdout).not.toContain('Lê Văn Cường');
  });

  it('refuses a zip bomb in one line, exit 2, naming the file, what went over and the setting that raises it', async () => {
    const bomb = join(tmp, 'C1-HocSinh-bomb.xlsx');
    await writeXlsxBomb(bomb, { inflatedBytes: 64 * 1024 * 1024 });
    const args = ['import', bomb, '--kind', 'students', '--school', '79NB0001', '--json'];

    const refused = run(args);

    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(
      /^Lỗi \/ Error \[FILE_LIMIT_EXCEEDED\]: Tệp "C1-HocSinh-bomb\.xlsx" bị từ chối: tỉ lệ nén đã tới [\d.,]+:1, vượt giới hạn 100:1 \(tăng bằng XLSX_MAX_COMPRESSION_RATIO\) \/ "C1-HocSinh-bomb\.xlsx" refused: the compression ratio reached [\d,.]+:1, over the limit of 100:1 \(raised by XLSX_MAX_COMPRESSION_RATIO\)$/m,
    );
    expect(refused.stderr).not.toMatch(/at .*\.ts:\d+/);

    // The settings are the command's: with the ratio raised, the inflated size stops it.
    const bySize = run(args, { XLSX_MAX_COMPRESSION_RATIO: '100000', XLSX_MAX_INFLATED_BYTES: '4194304' });
    expect(bySize.code).toBe(2);
    expect(bySize.stderr.trim().split('\n')).toHaveLength(1);
    expect(bySize.stderr).toContain('over the limit of 4,194,304 bytes (raised by XLSX_MAX_INFLATED_BYTES)');
  });
});

/** One line on stderr, exit 2, nothing on stdout: a usage error, Vietnamese first and English beside. */
function expectUsageError(r: ReturnType<typeof run>, line: RegExp | string) {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  if (typeof line === 'string') expect(r.stderr.trim()).toBe(line);
  else expect(r.stderr.trim()).toMatch(line);
  expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
}

describe('edubridge import: flags that contradict each other, and other usage mistakes', () => {
  it('refuses --dry-run with --out, which would write nothing, and writes nothing', () => {
    const out = join(tmp, 'dry.jsonl');
    expectUsageError(
      run([...knownArgs, '--dry-run', '--out', out]),
      'Lỗi / Error [OPTIONS_CONFLICT]: Không dùng được --dry-run cùng với --out: chạy thử không ghi bản ghi nào, nên --out sẽ không có tác dụng; bỏ --dry-run để ghi, hoặc bỏ --out / --dry-run cannot be used with --out: a dry run writes no records, so --out would do nothing; drop --dry-run to write them, or drop --out',
    );
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('refuses --all without --json, and an output that would overwrite the school’s file or the other output', () => {
    expectUsageError(
      run([...knownArgs, '--all']),
      /^Lỗi \/ Error \[OPTION_INVALID\]: --all chỉ dùng cùng --json .* \/ --all applies to --json only/,
    );
    const input = knownArgs[1]!;
    expectUsageError(
      run([...knownArgs, '--xlsx', input]),
      /\[OPTION_INVALID\]: --xlsx trùng với tệp đang nhập .* \/ --xlsx is the file being imported/,
    );
    expectUsageError(
      run([...knownArgs, '--out', input]),
      /\[OPTION_INVALID\]: --out trùng với tệp đang nhập/,
    );
    const both = join(tmp, 'both.xlsx');
    expectUsageError(
      run([...knownArgs, '--out', both, '--xlsx', both]),
      /\[OPTIONS_CONFLICT\]: Không dùng được --out cùng với --xlsx/,
    );
    expectUsageError(
      run([...knownArgs, '--xlsx', join(tmp, 'report.csv')]),
      /\[OPTION_INVALID\]: --xlsx phải là tệp \.xlsx .* \/ --xlsx must be an \.xlsx file/,
    );
    expectUsageError(run([...knownArgs, '--xlsx', join(tmp, 'no-dir', 'r.xlsx')]), /\[OUT_DIR_NOT_FOUND\]/);
  });

  it("says commander's own mistakes in both languages: a missing option, an unknown one, a missing file argument", () => {
    const file = knownArgs[1]!;
    expectUsageError(
      run(['import', file, '--kind', 'students']),
      'Lỗi / Error [OPTION_MISSING]: Thiếu --school <code> / Missing --school <code>',
    );
    expectUsageError(
      run(['import', file, '--school', 'X']),
      'Lỗi / Error [OPTION_MISSING]: Thiếu --kind (một trong: students, teachers, grades, results, timetable, fees) / Missing --kind (one of: students, teachers, grades, results, timetable, fees)',
    );
    expectUsageError(
      run([...knownArgs, '--outt', 'x.jsonl']),
      'Lỗi / Error [OPTION_UNKNOWN]: Lệnh không có tuỳ chọn --outt (có phải ý bạn là --out?) / Unknown option --outt (did you mean --out?)',
    );
    expectUsageError(
      run(['import', '--kind', 'students', '--school', 'X']),
      'Lỗi / Error [ARGUMENT_MISSING]: Thiếu đối số file / Missing argument file',
    );
    expectUsageError(
      run([...knownArgs, '--school']),
      'Lỗi / Error [OPTION_INVALID]: --school <code> cần một giá trị / --school <code> needs a value',
    );
  });
});

const fillOf = (cell: ExcelJS.Cell) => (cell.fill as ExcelJS.FillPattern | undefined)?.fgColor?.argb;
const noteOf = (cell: ExcelJS.Cell) =>
  typeof cell.note === 'string' ? cell.note : (cell.note?.texts ?? []).map((t) => t.text).join('');

describe('edubridge import --xlsx', () => {
  it("gives the school's file back with each problem cell marked and noted, and the findings listed on their own sheet", async () => {
    const report = join(tmp, 'students-known-errors.loi.xlsx');
    const r = run([...knownArgs, '--xlsx', report]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `Đã ghi tệp đánh dấu 13 ô có vấn đề và trang "Lỗi - Findings" (14 vấn đề) vào / Wrote the file with 13 problem cells marked and a "Lỗi - Findings" sheet (14 findings) to ${report}`,
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(report);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Sheet1', 'Lỗi - Findings']);
    const sheet = wb.getWorksheet('Sheet1')!;
    for (const p of known.problems) {
      const cell = sheet.getCell(`${p.column}${p.row}`);
      expect(fillOf(cell), `${p.column}${p.row}`).toBe(p.level === 'error' ? 'FFFFC7CE' : 'FFFFEB9C');
      expect(noteOf(cell)).toContain(p.code);
    }
    expect(noteOf(sheet.getCell('E7'))).toBe(
      `[LỖI / ERROR] DATE_UNPARSEABLE\n"Ngày sinh" không phải ngày hợp lệ (dd/mm/yyyy): ${BAD_DAY.vi}\n"Ngày sinh" is not a valid date (dd/mm/yyyy): ${BAD_DAY.en}`,
    );
    // The school's values are as they were, a clean row unmarked.
    expect(sheet.getCell('E7').value).toBe('31/02/2014');
    expect(fillOf(sheet.getCell('D6'))).toBeUndefined();
    const findings = wb.getWorksheet('Lỗi - Findings')!;
    expect(findings.rowCount).toBe(1 + known.problems.length);
    expect(findings.getRow(2).values).toEqual([
      undefined,
      'Sheet1',
      7,
      'E',
      'birthDate',
      'DATE_UNPARSEABLE',
      'Lỗi / Error',
      `"Ngày sinh" không phải ngày hợp lệ (dd/mm/yyyy): ${BAD_DAY.vi}`,
      `"Ngày sinh" is not a valid date (dd/mm/yyyy): ${BAD_DAY.en}`,
    ]);
  });

  it('is a report, not a write of records: allowed with --dry-run, and the marked copy imports as the original did', () => {
    const report = join(tmp, 'dry-report.xlsx');
    const r = run([...knownArgs, '--dry-run', '--xlsx', report, '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { groups: unknown; xlsx: unknown };
    expect(out.xlsx).toEqual({ path: report, copied: true, sheets: 1, cells: 13, findings: 14 });
    const again = run(['import', report, ...knownArgs.slice(2), '--json']);
    expect(JSON.parse(again.stdout).groups).toEqual(out.groups);
  });

  it('writes a CSV back as a workbook, its one sheet named as the import names it', async () => {
    const file = join(tmp, 'hs-lop6.csv');
    writeFileSync(
      file,
      [
        'Mã lớp;Mã học sinh;Họ tên;Ngày sinh;Giới tính;Số định danh',
        '6A1;7900000201;Nguyễn Văn An;12/03/2014;Nam;079214000201',
        '6A1;7900000202;Trần Thị Bình;31/02/2014;Nữ;079314000202',
        '',
      ].join('\n'),
    );
    const report = join(tmp, 'hs-lop6.loi.xlsx');
    const r = run([
      'import',
      file,
      '--kind',
      'students',
      '--school',
      '79NB0001',
      '--as-of',
      '2026-11-27',
      '--json',
      '--xlsx',
      report,
    ]);
    expect(r.code).toBe(1);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(report);
    const sheet = wb.getWorksheet('hs-lop6')!;
    expect(sheet.getCell('F2').value).toBe('079214000201');
    expect(fillOf(sheet.getCell('D3'))).toBe('FFFFC7CE');
    expect(noteOf(sheet.getCell('D3'))).toContain('DATE_UNPARSEABLE');
  });
});

describe('edubridge import of a 10,000-row file with one systematic fault', () => {
  const file = join(tmp, 'C1-HocSinh-10000.xlsx');
  const args = ['import', file, '--kind', 'students', '--school', '79NB0001', '--as-of', '2026-01-15'];
  let rows = 0;

  beforeAll(async () => {
    const district = join(tmp, 'district-10000');
    await generateDistrict({ outDir: district, schools: 8, seed: 7, streams: ['students'] });
    async function* students() {
      for await (const { record } of jsonlLines<Student>(join(district, 'students.jsonl'))) {
        if (rows === 10_000) return;
        rows++;
        // The school's software wrote the ID column as numbers: Excel dropped every leading zero.
        yield record.personalId ? { ...record, personalId: record.personalId.slice(1) } : record;
      }
    }
    await writeStudentsWorkbook({
      students: students(),
      output: file,
      schoolName: 'THCS Nguyễn Bình Khiêm',
      schoolYear: '2025-2026',
      statusDate: '2025-09-05',
      created: new Date('2026-01-01T00:00:00Z'),
    });
  }, 120_000);

  it('--json gives one group with its count and 10 masked examples, in a few KB instead of megabytes', () => {
    const r = run([...args, '--json']);
    const out = JSON.parse(r.stdout) as { summary: { total: number; warnings: number }; groups: Group[] };
    expect(out.summary.total).toBe(10_000);
    const group = out.groups.find((g) => g.code === 'PERSONAL_ID_LEADING_ZERO_RESTORED')!;
    expect(group).toMatchObject({
      level: 'warning',
      column: 'K',
      header: 'Số định danh cá nhân',
      field: 'personalId',
    });
    expect(group.count).toBe(out.summary.warnings);
    expect(group.count).toBeGreaterThan(9_000);
    expect(group.samples.map((s) => s.row)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    for (const s of group.samples) expect(s.value).toMatch(/^0\d\*{8}\d\d$/);
    // Every finding listed was 2.8 MB of JSON (10,000 issues); the groups are under 4 KB.
    expect(Buffer.byteLength(r.stdout)).toBeLessThan(4_000);
    expect(r.stdout).not.toMatch(/\d{11}/);
  }, 120_000);

  it('prints the fault as one line', () => {
    const r = run(args);
    const lines = r.stdout.split('\n').filter((l) => l.includes('PERSONAL_ID_LEADING_ZERO_RESTORED'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      // Every row: the IDs of provinces 001–009 lost two zeros, which are restored too.
      /^ {2}CẢNH BÁO\/WARNING {2}K \(Số định danh cá nhân\) {2}personalId {2}PERSONAL_ID_LEADING_ZERO_RESTORED {2}× 10,000 {2}dòng\/rows Sheet1!6, 7, 8, 9, 10, … — /,
    );
    expect(r.stdout.split('\n').length).toBeLessThan(20);
  }, 120_000);
});
