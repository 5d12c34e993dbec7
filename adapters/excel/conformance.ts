/**
 * The excel adapter's conformance suite: working and broken configs over the sample files in
 * `fixtures/excel/` and a learning-results workbook written here, an incremental case (a CSV
 * rewritten between two reads), the reference input with known errors, and a large generated
 * workbook for the memory and abort checks.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { ConformanceSuite, ExpectedRejection } from '../../src/sdk/conformance/index.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'excel');
export const SUITE_SCHOOL = '79NB0001';
const SYSTEM = 'excel-79nb0001';

/** Rows of the large workbook: enough that holding them would show in the heap. */
export const LARGE_ROWS = 50_000;

interface KnownProblem {
  row: number;
  column: string | null;
  field: string;
  code: string;
  stage: 'adapter' | 'rules';
}

const CSV_HEADER = 'Mã học sinh;Họ và tên;Ngày sinh;Giới tính;Lớp';
const csv = (rows: readonly string[]) =>
  `\ufeffDANH SÁCH HỌC SINH NĂM HỌC 2025-2026;;;;\n${CSV_HEADER}\n${rows.join('\n')}\n`;
const BEFORE = [
  '7900000201;Lê Minh An;03/04/2014;Nam;6A1',
  '7900000202;Lê Thu Bình;15/06/2014;Nữ;6A1',
  '7900000203;Lê Quốc Cường;21/09/2014;Nam;6A1',
  '7900000204;Lê Hải Dương;01/12/2014;Nam;6A1',
];
// 202 renamed, 203 gone, 205 new; 201 and 204 unchanged (204 moved up a row: still unchanged).
const AFTER = [
  '7900000201;Lê Minh An;03/04/2014;Nam;6A1',
  '7900000204;Lê Hải Dương;01/12/2014;Nam;6A1',
  '7900000202;Lê Thu Bình An;15/06/2014;Nữ;6A1',
  '7900000205;Lê Gia Hân;08/02/2014;Nữ;6A1',
];

/** A plain student list of `rows` rows (the minimum C1 columns), written as a stream. */
export async function writeLargeWorkbook(path: string, rows = LARGE_ROWS): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useSharedStrings: true,
    useStyles: false,
  });
  const ws = wb.addWorksheet('Sheet1');
  ws.addRow(['DANH SÁCH HỌC SINH NĂM HỌC 2025-2026']).commit();
  ws.addRow(['STT', 'Mã học sinh', 'Họ tên', 'Ngày sinh', 'Giới tính', 'Mã lớp']).commit();
  for (let i = 0; i < rows; i++) {
    const day = String((i % 28) + 1).padStart(2, '0');
    ws.addRow([
      i + 1,
      String(7_950_000_000 + i),
      `Nguyễn Văn ${i}`,
      `${day}/0${(i % 9) + 1}/2014`,
      i % 2 ? 'Nữ' : 'Nam',
      `6A${(i % 8) + 1}`,
    ]).commit();
  }
  ws.commit();
  await wb.commit();
}

/**
 * A small KetQuaHocTap (learning results of the year) as the city's template lays it out: title
 * rows, the identity columns, a column per subject of grade 6, level and conduct.
 */
export async function writeResultsWorkbook(path: string): Promise<void> {
  const subjects = ['Ngữ văn', 'Toán', 'Ngoại ngữ 1', 'Giáo dục công dân', 'Lịch sử và Địa lí'];
  const more = ['Khoa học tự nhiên', 'Công nghệ', 'Tin học', 'Giáo dục thể chất', 'Âm nhạc', 'Mĩ thuật'];
  const last = ['Hoạt động trải nghiệm, hướng nghiệp', 'Nội dung giáo dục địa phương'];
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true });
  const ws = wb.addWorksheet('KetQuaHocTap');
  ws.addRow(['SỞ GIÁO DỤC VÀ ĐÀO TẠO TP. HỒ CHÍ MINH']).commit();
  ws.addRow(['KẾT QUẢ HỌC TẬP CẢ NĂM - NĂM HỌC 2025-2026']).commit();
  ws.addRow([]).commit();
  ws.addRow([
    'STT',
    'Mã lớp',
    'Mã học sinh',
    'Họ tên',
    'Ngày sinh',
    'Giới tính',
    ...subjects,
    ...more,
    ...last,
    'Kết quả học tập',
    'Kết quả rèn luyện',
  ]).commit();
  const rows: Array<[string, string, number[], string, string]> = [
    ['7900000401', 'Ngô Minh An', [8.5, 8.2, 8.8, 9, 8.1, 8.4, 7.9, 8.6], 'Tốt', 'Tốt'],
    ['7900000402', 'Ngô Thu Hà', [6.8, 7.1, 6.5, 7.4, 6.9, 7, 7.2, 6.6], 'Khá', 'Tốt'],
    ['7900000403', 'Ngô Gia Huy', [5.2, 4.8, 5.6, 6, 5.5, 5.1, 6.2, 5.9], 'Đạt', 'Khá'],
  ];
  rows.forEach(([code, name, scores, level, conduct], i) => {
    ws.addRow([
      i + 1,
      '6A1',
      code,
      name,
      `0${i + 1}/03/2014`,
      i === 1 ? 'Nữ' : 'Nam',
      ...scores,
      'Đ',
      'Đ',
      'Đ',
      'Đ',
      'Đ',
      level,
      conduct,
    ]).commit();
  });
  ws.commit();
  await wb.commit();
}

/**
 * Builds the suite; writes its working files (the incremental CSV, the large workbook) in `tmpDir`.
 *
 * @example
 * const report = await runConformance(excel, await excelSuite(tmp), { asOf: new Date('2026-11-27') });
 */
export async function excelSuite(tmpDir: string): Promise<ConformanceSuite> {
  const changing = join(tmpDir, 'students-changing.csv');
  await writeFile(changing, csv(BEFORE));
  const large = join(tmpDir, 'students-large.xlsx');
  await writeLargeWorkbook(large);
  const results = join(tmpDir, 'KetQuaHocTap.xlsx');
  await writeResultsWorkbook(results);
  const known = JSON.parse(await readFile(join(FIXTURES, 'students-known-errors.expected.json'), 'utf8')) as {
    school: string;
    problems: KnownProblem[];
  };
  const rejected: ExpectedRejection[] = known.problems
    .filter((p) => p.stage === 'adapter')
    .map((p) => ({ code: p.code, location: `row ${p.row} col ${p.column}`, field: p.field }));
  const fixture = (name: string) => join(FIXTURES, name);
  return {
    // One sample of each kind (the CSV sample holds the same students as the C1 list).
    config: {
      schoolCode: SUITE_SCHOOL,
      files: [
        { path: fixture('students-c1.xlsx'), kind: 'students' },
        { path: fixture('teachers.xlsx'), kind: 'teachers' },
        { path: fixture('grades-6A1.xlsx'), kind: 'grades' },
        { path: results, kind: 'results' },
        { path: fixture('timetable.xlsx'), kind: 'timetable' },
        { path: fixture('fees.xlsx'), kind: 'fees' },
      ],
    },
    invalidConfig: { path: fixture('students-c1.xlsx'), kind: 'pupils' },
    refusedConfig: { path: join(tmpDir, 'no-such-file.xlsx'), kind: 'students', schoolCode: SUITE_SCHOOL },
    incremental: {
      stream: 'students',
      before: { path: changing, kind: 'students', schoolCode: SUITE_SCHOOL },
      after: { path: changing, kind: 'students', schoolCode: SUITE_SCHOOL },
      mutate: () => writeFile(changing, csv(AFTER)),
      changed: [`${SYSTEM}:student-7900000202`, `${SYSTEM}:student-7900000205`],
      deleted: [`${SYSTEM}:student-7900000203`],
    },
    references: [
      {
        name: 'students-known-errors.xlsx',
        config: { path: fixture('students-known-errors.xlsx'), kind: 'students', schoolCode: known.school },
        stream: 'students',
        expect: {
          // 15 rows, of which the adapter rejects those listed; the rules judge the others.
          records: 15 - rejected.length,
          rejected,
        },
      },
    ],
    large: {
      config: { path: large, kind: 'students', schoolCode: SUITE_SCHOOL },
      stream: 'students',
      minRecords: LARGE_ROWS,
    },
  };
}
