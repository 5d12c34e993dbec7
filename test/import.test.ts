/**
 * The `edubridge import` contract that scripts rely on, run as a user runs it: the real
 * bin/edubridge.js in a child process, its stdout, stderr and exit code.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeXlsxBomb } from '../sandbox/generator/excel/bomb.ts';

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

describe('edubridge import', () => {
  it('--json prints the summary and each problem at its row and column, and exits 1 when a row is invalid', () => {
    const r = run([...knownArgs, '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      summary: unknown;
      issues: Array<Record<string, unknown>>;
      tableEnds: unknown;
    };
    // `tableEnds` is there because rows under the table were not read: "Tổng số: 15 học sinh".
    expect(Object.keys(out)).toEqual(['summary', 'issues', 'tableEnds']);
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
    const r = run(['import', file, '--kind', 'results', '--school', '79NB0001', '--json']);
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

  it('--dry-run checks and reports but writes nothing, even with --out', () => {
    const out = join(tmp, 'dry.jsonl');
    const r = run([...knownArgs, '--dry-run', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('(chỉ kiểm tra / dry run)');
    expect(r.stdout).toContain('DATE_UNPARSEABLE');
    expect(existsSync(out)).toBe(false);
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
