/**
 * Writes the excel adapter's sample files in `fixtures/excel/`: small, synthetic (the sandbox
 * generator's people, no real person), in the layouts schools hand over, plus a reference input
 * with known errors and the exact problems it must produce.
 *
 *   npx tsx adapters/excel/scripts/make-fixtures.ts
 *
 * Cell contents are the same on every run; the .xlsx bytes are not (zip entries carry the time).
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDistrictExcel } from '../../../sandbox/generator/excel/index.ts';
import { SUBJECT_SHORT_NAMES } from '../../../sandbox/generator/excel/teachers.ts';
import {
  dateCell,
  openWorkbook,
  writeHeader,
  writeTitles,
} from '../../../sandbox/generator/excel/workbook.ts';
import type { Student, TimetableSlot } from '../../../src/model/index.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
export const FIXTURES = join(ROOT, 'fixtures', 'excel');
export const FIXTURE_SCHOOL = '79NB0001';
const CREATED = new Date('2026-06-15T00:00:00Z');

const jsonl = async <T>(path: string): Promise<T[]> =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);

/** `05/09/2014` → `5/9/2014`: how a person types a date. */
const loose = (iso: string) => `${Number(iso.slice(8, 10))}/${Number(iso.slice(5, 7))}/${iso.slice(0, 4)}`;
const csvField = (v: string) => (/[;"\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The generator's students as a school's own CSV export: BOM, semicolons, other headers and order. */
function studentsCsv(students: readonly Student[]): string {
  const header = [
    'TT',
    'Họ và tên',
    'Mã HS',
    'Lớp',
    'Ngày tháng năm sinh',
    'Giới tính',
    'CCCD',
    'Dân tộc',
    'Họ tên mẹ',
    'SĐT mẹ',
    'Họ tên cha',
    'SĐT cha',
  ];
  const lines = [
    ['TRƯỜNG THCS NGUYỄN BÌNH KHIÊM', ...Array(header.length - 1).fill('')],
    ['DANH SÁCH HỌC SINH NĂM HỌC 2025-2026', ...Array(header.length - 1).fill('')],
    header,
    ...students.map((s, i) => {
      const father = s.guardians.find((g) => g.relationship === 'father');
      const mother = s.guardians.find((g) => g.relationship === 'mother');
      return [
        String(i + 1),
        s.fullName,
        s.studentCode,
        s.className ?? '',
        loose(s.birthDate),
        s.gender === 'male' ? 'Nam' : 'Nữ',
        s.personalId ?? '',
        s.ethnicityCode ?? '',
        mother?.fullName ?? '',
        mother?.phone ?? '',
        father?.fullName ?? '',
        father?.phone ?? '',
      ];
    }),
  ];
  return `\ufeff${lines.map((l) => l.map(csvField).join(';')).join('\r\n')}\r\n`;
}

/** The whole school's timetable on one sheet: "Thứ | Tiết | 6A1 | 7A1 …", the day merged down. */
function schoolTimetableCsv(slots: readonly TimetableSlot[]): string {
  const classes = [...new Set(slots.map((s) => s.className))];
  const at = new Map(slots.map((s) => [`${s.className}|${s.weekday}|${s.period}`, s]));
  const lines: string[][] = [
    ['THỜI KHÓA BIỂU TOÀN TRƯỜNG - NĂM HỌC 2025-2026', ...Array(classes.length + 1).fill('')],
    ['Áp dụng từ ngày 05/09/2025', ...Array(classes.length + 1).fill('')],
    ['Thứ', 'Tiết', ...classes],
  ];
  for (let day = 1; day <= 6; day++) {
    for (let period = 1; period <= 5; period++) {
      lines.push([
        period === 1 ? `Thứ ${day + 1}` : '',
        String(period),
        ...classes.map((c) => {
          const s = at.get(`${c}|${day}|${period}`);
          return s ? `${SUBJECT_SHORT_NAMES[s.subjectCode] ?? s.subjectCode} (${s.teacherCode})` : '';
        }),
      ]);
    }
  }
  return `${lines.map((l) => l.map((v) => (/[,"\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',')).join('\n')}\n`;
}

/** One problem the reference input must produce, as `edubridge import --json` lists it. */
interface KnownProblem {
  row: number;
  column: string | null;
  field: string;
  code: string;
  level: 'error' | 'warning';
  /** `adapter`: the row is rejected (RecordError); `rules`: the model's rules report it. */
  stage: 'adapter' | 'rules';
}

/**
 * A student list with one known fault a row (and clean rows around them), and the problems.
 * Columns: A STT, B Mã lớp, C Mã học sinh, D Họ tên, E Ngày sinh, F Giới tính, G Trạng thái HS,
 * H Dân tộc, I Số định danh cá nhân, J Họ tên cha, K Số định danh cha, L SĐT cha, M Họ tên mẹ,
 * N Số định danh mẹ, O SĐT mẹ.
 */
async function knownErrors(): Promise<KnownProblem[]> {
  const wb = openWorkbook(join(FIXTURES, 'students-known-errors.xlsx'), {
    created: CREATED,
    sharedStrings: true,
  });
  const ws = wb.addWorksheet('Sheet1');
  const headers = [
    'STT',
    'Mã lớp',
    'Mã học sinh',
    'Họ tên',
    'Ngày sinh',
    'Giới tính',
    'Trạng thái HS',
    'Dân tộc',
    'Số định danh cá nhân',
    'Họ tên cha',
    'Số định danh cha',
    'SĐT cha',
    'Họ tên mẹ',
    'Số định danh mẹ',
    'SĐT mẹ',
  ];
  writeTitles(
    ws,
    ['SỞ GD&ĐT TP. HỒ CHÍ MINH', 'TRƯỜNG THCS MẪU', 'DANH SÁCH HỌC SINH LỚP 6A1 - NĂM HỌC 2025-2026'],
    headers.length,
  );
  ws.addRow([]).commit();
  writeHeader(ws, headers);
  // Clean parents; every number distinct and consistent (province 079, gender digit, birth year).
  let n = 0;
  const parent = (gender: 'male' | 'female', year: number) => {
    n++;
    const digit = gender === 'male' ? 0 : 1;
    return `079${digit}${String(year % 100).padStart(2, '0')}${String(100_000 + n).padStart(6, '0')}`;
  };
  const child = (gender: 'male' | 'female') => {
    n++;
    return `079${gender === 'male' ? 2 : 3}14${String(200_000 + n).padStart(6, '0')}`;
  };
  type Cell = string | number | Date | null;
  const row = (cells: Partial<Record<string, Cell>>, gender: 'male' | 'female' = 'male'): Cell[] => {
    const base: Record<string, Cell> = {
      'Mã lớp': '6A1',
      'Ngày sinh': '12/03/2014',
      'Giới tính': gender === 'male' ? 'Nam' : 'Nữ',
      'Trạng thái HS': 'Đang học',
      'Dân tộc': 'Kinh',
      'Số định danh cá nhân': child(gender),
      'Họ tên cha': 'Trần Văn Phúc',
      'Số định danh cha': parent('male', 1984),
      'SĐT cha': '0903123456',
      'Họ tên mẹ': 'Lê Thị Hoa',
      'Số định danh mẹ': parent('female', 1986),
      'SĐT mẹ': '0913123456',
      ...cells,
    };
    return headers.map((h) => base[h] ?? null);
  };
  const rows: Array<{ cells: Cell[]; problems: Array<Omit<KnownProblem, 'row'>> }> = [
    { cells: row({ 'Mã học sinh': '7900000101', 'Họ tên': 'Trần Minh Khôi' }), problems: [] },
    {
      cells: row({ 'Mã học sinh': '7900000102', 'Họ tên': 'Trần Gia Huy', 'Ngày sinh': '31/02/2014' }),
      problems: [
        { column: 'E', field: 'birthDate', code: 'DATE_UNPARSEABLE', level: 'error', stage: 'adapter' },
      ],
    },
    {
      cells: row({ 'Mã học sinh': '7900000103', 'Họ tên': 'Trần Bảo Nam', 'Giới tính': 'X' }),
      problems: [{ column: 'F', field: 'gender', code: 'CODE_UNKNOWN', level: 'error', stage: 'adapter' }],
    },
    {
      cells: row({ 'Mã học sinh': null, 'Họ tên': 'Trần Anh Tuấn' }),
      problems: [
        { column: 'C', field: 'studentCode', code: 'FIELD_MISSING', level: 'error', stage: 'adapter' },
      ],
    },
    {
      cells: row({ 'Mã học sinh': '7900000105', 'Họ tên': 'Trần Đức Anh', 'Dân tộc': 'Kinhh' }),
      problems: [
        { column: 'H', field: 'ethnicityCode', code: 'CODE_UNKNOWN', level: 'error', stage: 'adapter' },
      ],
    },
    {
      cells: row({ 'Mã học sinh': '7900000106', 'Họ tên': 'Trần Quốc Bảo', 'Trạng thái HS': 'Đang học tập' }),
      problems: [{ column: 'G', field: 'status', code: 'CODE_UNKNOWN', level: 'error', stage: 'adapter' }],
    },
    {
      cells: row({ 'Mã học sinh': '7900000107', 'Họ tên': 'Trần Minh Quân', 'SĐT cha': 'không có' }),
      problems: [
        { column: 'L', field: 'guardians.0.phone', code: 'PHONE_INVALID', level: 'error', stage: 'adapter' },
      ],
    },
    {
      cells: row({ 'Mã học sinh': '7900000108', 'Họ tên': 'Trần Hoàng Long', 'Họ tên mẹ': null }),
      problems: [
        {
          column: 'N',
          field: 'guardians.1.fullName',
          code: 'FIELD_MISSING',
          level: 'error',
          stage: 'adapter',
        },
      ],
    },
    {
      // An ID typed as a number: Excel drops its leading zero; the rule restores it, with a warning.
      cells: row({
        'Mã học sinh': '7900000109',
        'Họ tên': 'Trần Thanh Tùng',
        'Số định danh cá nhân': 79214300109,
      }),
      problems: [
        {
          column: 'I',
          field: 'personalId',
          code: 'PERSONAL_ID_LEADING_ZERO_RESTORED',
          level: 'warning',
          stage: 'rules',
        },
      ],
    },
    {
      // Digit 4 says a girl (3) for a boy.
      cells: row({
        'Mã học sinh': '7900000110',
        'Họ tên': 'Trần Văn Lâm',
        'Số định danh cá nhân': '079314300110',
      }),
      problems: [
        {
          column: 'I',
          field: 'personalId',
          code: 'PERSONAL_ID_CENTURY_GENDER',
          level: 'error',
          stage: 'rules',
        },
      ],
    },
    {
      // The first row's student entered a second time: same code, same person.
      cells: row({
        'Mã học sinh': '7900000101',
        'Họ tên': 'Trần Minh Khôi',
        'Số định danh cá nhân': '079214300111',
      }),
      problems: [
        { column: 'C', field: 'key', code: 'RECORD_KEY_DUPLICATE', level: 'error', stage: 'rules' },
        { column: 'C', field: 'studentCode', code: 'STUDENT_CODE_DUPLICATE', level: 'error', stage: 'rules' },
      ],
    },
    {
      cells: row(
        {
          'Mã học sinh': '7900000112',
          'Họ tên': 'Trần Ngọc Hân',
          'Họ tên cha': null,
          'Số định danh cha': null,
          'SĐT cha': null,
          'Họ tên mẹ': null,
          'Số định danh mẹ': null,
          'SĐT mẹ': null,
        },
        'female',
      ),
      problems: [
        { column: 'J', field: 'guardians', code: 'STUDENT_GUARDIAN_MISSING', level: 'error', stage: 'rules' },
      ],
    },
    {
      // A birth date stored as a date cell (Excel's serial number): read, no problem.
      cells: row({
        'Mã học sinh': '7900000113',
        'Họ tên': 'Trần Gia Bảo',
        'Ngày sinh': dateCell('2014-07-21'),
      }),
      problems: [],
    },
    {
      cells: row({ 'Mã học sinh': '7900000114', 'Họ tên': 'Trần  Khánh Vy' }, 'female'),
      problems: [
        { column: 'D', field: 'fullName', code: 'NAME_NORMALISED', level: 'warning', stage: 'rules' },
      ],
    },
    {
      // Born 2005, in grade 6 in 2025: too old for the grade, even allowing for repeaters.
      cells: row({
        'Mã học sinh': '7900000115',
        'Họ tên': 'Trần Công Danh',
        'Ngày sinh': '02/02/2005',
        'Số định danh cá nhân': '079205300115',
      }),
      problems: [
        { column: 'E', field: 'birthDate', code: 'STUDENT_AGE_GRADE', level: 'error', stage: 'rules' },
      ],
    },
  ];
  const problems: KnownProblem[] = [];
  const firstRow = 6;
  rows.forEach((r, i) => {
    const written = ws.addRow([i + 1, ...r.cells.slice(1)]);
    written.getCell(5).numFmt = 'dd/mm/yyyy';
    written.commit();
    for (const p of r.problems) problems.push({ row: firstRow + i, ...p });
  });
  // A footer, as exports end: not a student.
  ws.addRow([`Tổng số: ${rows.length} học sinh`]).commit();
  ws.commit();
  await wb.commit();
  return problems;
}

export async function makeFixtures(): Promise<void> {
  await mkdir(FIXTURES, { recursive: true });
  const dir = await mkdtemp(join(tmpdir(), 'edubridge-fixtures-'));
  try {
    await writeDistrictExcel({ outDir: dir, schools: 1, seed: 2026, classesPerGrade: 1, classSize: 5 });
    const school = join(dir, 'excel', FIXTURE_SCHOOL);
    await copyFile(join(school, 'C1-HocSinh.xlsx'), join(FIXTURES, 'students-c1.xlsx'));
    await copyFile(join(school, 'CSDL_GiaoVien.xlsx'), join(FIXTURES, 'teachers.xlsx'));
    await copyFile(join(school, 'SoDiem-6A1.xlsx'), join(FIXTURES, 'grades-6A1.xlsx'));
    await copyFile(join(school, 'TKB.xlsx'), join(FIXTURES, 'timetable.xlsx'));
    await copyFile(join(school, 'KhoanThu.xlsx'), join(FIXTURES, 'fees.xlsx'));
    const students = await jsonl<Student>(join(dir, 'students.jsonl'));
    await writeFile(join(FIXTURES, 'students-semicolon-bom.csv'), studentsCsv(students.slice(0, 8)));
    const slots = await jsonl<TimetableSlot>(join(dir, 'timetable.jsonl'));
    await writeFile(join(FIXTURES, 'timetable-school.csv'), schoolTimetableCsv(slots));
    // What the files hold (canonical records without their source), for the tests to compare with.
    for (const stream of ['students', 'teachers', 'assessments', 'timetable', 'fees']) {
      const records = (await jsonl<Record<string, unknown>>(join(dir, `${stream}.jsonl`))).filter(
        (r) => r.type !== 'feeItem' && (stream !== 'assessments' || r.className === '6A1'),
      );
      const lines = records.map(({ source: _source, ...rest }) => JSON.stringify(rest));
      await writeFile(join(FIXTURES, `${stream}.expected.jsonl`), `${lines.join('\n')}\n`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const problems = await knownErrors();
  await writeFile(
    join(FIXTURES, 'students-known-errors.expected.json'),
    `${JSON.stringify(
      {
        file: 'students-known-errors.xlsx',
        kind: 'students',
        school: '79TEST01',
        asOf: '2026-11-27',
        summary: {
          total: 15,
          valid: 15 - new Set(problems.filter((p) => p.level === 'error').map((p) => p.row)).size,
          invalid: new Set(problems.filter((p) => p.level === 'error').map((p) => p.row)).size,
          warnings: problems.filter((p) => p.level === 'warning').length,
        },
        problems,
      },
      null,
      2,
    )}\n`,
  );
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await makeFixtures();
