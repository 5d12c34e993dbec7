/**
 * `edubridge export --target city-edudb`, run as a user runs it (the real bin/edubridge.js in a
 * child process) on a district from the sandbox generator, each file read back with the excel
 * adapter: what the city's upload gets is what the canonical records say, on every field the
 * template carries, and the learning results are Circular 22's, recomputed from the assessments.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FileKind, KIND_STREAMS } from '../adapters/excel/config.ts';
import excel from '../adapters/excel/index.ts';
import { generateDistrict } from '../sandbox/generator/index.ts';
import {
  type Assessment,
  type CanonicalRecord,
  type Comment,
  checkRecord,
  commentedSemesterResult,
  type Enrollment,
  type Guardian,
  gradeOfClassName,
  type LearningResult,
  learningLevel,
  requiredRegularAssessments,
  type Student,
  type SubjectResult,
  semesterAverage,
  subjectFor,
  type Teacher,
  yearAverage,
} from '../src/model/index.ts';
import { readContext, silentLogger } from '../src/sdk/conformance/index.ts';
import { isSignal, parseAdapterConfig } from '../src/sdk/index.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'edubridge.js');
const SCHOOL = '79NB0001';

function run(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'edubridge-export-'));
const generated = join(tmp, 'generated');
const input = join(tmp, 'input');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The generator's records of the school, as generated (before the input's changes below). */
const original = {
  students: [] as Student[],
  teachers: [] as Teacher[],
  enrollments: new Map<string, Enrollment>(),
  assessments: [] as Assessment[],
  results: new Map<string, LearningResult>(),
};
/** Records added to the input that cannot be written, by template. */
const unwritable = {
  noClass: 'test:student-no-class',
  badEthnicity: 'test:student-bad-ethnicity',
  badSubject: 'test:teacher-bad-subject',
};
/** Students whose parents the input gives as guardianship + person records instead of inline. */
const linked = new Set<string>();

const jsonl = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CanonicalRecord);
const writeJsonl = (path: string, records: readonly object[]) =>
  writeFileSync(path, records.map((r) => `${JSON.stringify(r)}\n`).join(''));

beforeAll(async () => {
  await generateDistrict({
    outDir: generated,
    schools: 2,
    seed: 11,
    classesPerGrade: 1,
    classSize: 7,
    streams: [
      'schools',
      'school-years',
      'subjects',
      'classes',
      'teachers',
      'students',
      'enrollments',
      'assessments',
      'learning-results',
    ],
  });
  mkdirSync(input);
  const links: object[] = [];
  for (const file of readdirSync(generated).filter((f) => f.endsWith('.jsonl'))) {
    const records = jsonl(join(generated, file)).map((r) => {
      if (r.schoolCode !== SCHOOL) return r;
      switch (r.type) {
        case 'student': {
          original.students.push(r);
          // The first three students' parents come as separate people, as REST and OneRoster sources give them.
          if (linked.size >= 3 || r.guardians.length === 0) return r;
          linked.add(r.studentCode);
          r.guardians.forEach((g, i) => {
            const personKey = `test:person-${r.studentCode}-${i}`;
            const { relationship, ...person } = g;
            links.push({ type: 'person', key: personKey, source: r.source, schoolCode: SCHOOL, ...person });
            links.push({
              type: 'guardianship',
              key: `test:guardianship-${r.studentCode}-${i}`,
              source: r.source,
              schoolCode: SCHOOL,
              studentKey: r.key,
              guardianKey: personKey,
              relationship,
              primaryContact: i === 0,
            });
          });
          return { ...r, guardians: [] };
        }
        case 'teacher':
          original.teachers.push(r);
          return r;
        case 'enrollment':
          original.enrollments.set(r.studentCode, r);
          return r;
        case 'assessment':
          original.assessments.push(r);
          // A stated average the export must not trust.
          return r.evaluation === 'scored' ? { ...r, average: 0 } : { ...r, result: 'CĐ' };
        case 'learningResult':
          original.results.set(`${r.period}|${r.studentCode}`, r);
          return { ...r, level: 'Chưa đạt' };
        default:
          return r;
      }
    });
    writeJsonl(join(input, file), records);
  }
  writeJsonl(join(input, 'guardianships.jsonl'), links);
  const { source } = original.students[0]!;
  const base = { source, schoolCode: SCHOOL };
  writeJsonl(join(input, 'unwritable.jsonl'), [
    {
      type: 'student',
      key: unwritable.noClass,
      ...base,
      studentCode: '7999999901',
      fullName: 'Lê Văn Tám',
      birthDate: '2014-02-03',
      gender: 'male',
    },
    {
      type: 'student',
      key: unwritable.badEthnicity,
      ...base,
      studentCode: '7999999902',
      fullName: 'Lê Thị Chín',
      birthDate: '2014-02-03',
      gender: 'female',
      ethnicityCode: '99',
      className: '6A1',
      schoolYear: '2025-2026',
    },
    {
      type: 'teacher',
      key: unwritable.badSubject,
      ...base,
      teacherCode: 'GV99999999',
      fullName: 'Phạm Thị Mười',
      subjectCodes: ['XYZ'],
      status: 'working',
    },
  ]);
}, 120_000);

interface Summary {
  template: string;
  school: string;
  rows: number;
  skipped: Array<{ key: string; field: string; reason: string }>;
  out: string;
}

function exportFile(template: string, name: string, extra: string[] = []): Summary {
  const out = join(tmp, name);
  const r = run([
    'export',
    '--target',
    'city-edudb',
    '--template',
    template,
    '--school',
    SCHOOL,
    '--in',
    input,
    '--out',
    out,
    '--json',
    ...extra,
  ]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const summary = JSON.parse(r.stdout) as Summary;
  expect(Object.keys(summary)).toEqual(['template', 'school', 'rows', 'skipped', 'out']);
  expect(existsSync(out)).toBe(true);
  return summary;
}

/** The excel adapter's read of a file, on the stream its kind feeds: records and rejections. */
async function readBack(path: string, kind: FileKind) {
  const config = parseAdapterConfig(excel.configSchema, { path, kind, schoolCode: SCHOOL }, 'excel');
  const records: CanonicalRecord[] = [];
  const rejected: string[] = [];
  const ctx = readContext(
    {
      logger: silentLogger,
      signal: new AbortController().signal,
      now: () => new Date('2026-06-15T00:00:00Z'),
    },
    config,
    undefined,
  );
  for await (const item of excel.read(KIND_STREAMS[kind], ctx)) {
    if (!isSignal(item)) records.push(item);
    else if (item.kind === 'rejected') rejected.push(item.error.message);
  }
  return { records, rejected };
}

const RELATION_ORDER = ['father', 'mother', 'guardian'];
const byRelation = (guardians: readonly Guardian[]) =>
  [...guardians].sort(
    (a, b) => RELATION_ORDER.indexOf(a.relationship) - RELATION_ORDER.indexOf(b.relationship),
  );

const studentFields = (s: Student) => ({
  studentCode: s.studentCode,
  personalId: s.personalId,
  fullName: s.fullName,
  birthDate: s.birthDate,
  gender: s.gender,
  ethnicityCode: s.ethnicityCode,
});

const sortKeys = (skipped: Summary['skipped']) => skipped.map((s) => [s.key, s.field]).sort();

describe('edubridge export --target city-edudb --template C1-HocSinh', () => {
  it("writes one row per student of the school, which the excel adapter reads back as the school's students with their class, status and parents", async () => {
    const summary = exportFile('C1-HocSinh', 'C1-HocSinh.xlsx');
    expect(summary).toMatchObject({ template: 'C1-HocSinh', school: SCHOOL, rows: original.students.length });
    const { records, rejected } = await readBack(summary.out, 'students');
    expect(rejected).toEqual([]);
    expect(records).toHaveLength(original.students.length);
    const byCode = new Map(original.students.map((s) => [s.studentCode, s]));
    for (const r of records as Student[]) {
      const s = byCode.get(r.studentCode)!;
      const enrollment = original.enrollments.get(s.studentCode)!;
      expect({ ...studentFields(r), guardians: byRelation(r.guardians) }).toEqual({
        ...studentFields(s),
        guardians: byRelation(s.guardians),
      });
      expect([r.className, r.schoolYear, r.status]).toEqual([
        enrollment.className,
        enrollment.schoolYear,
        enrollment.status,
      ]);
    }
    // The linked parents are on the rows too (they were not inline in the input).
    const linkedBack = (records as Student[]).filter((r) => linked.has(r.studentCode));
    expect(linkedBack).toHaveLength(3);
    for (const r of linkedBack) expect(r.guardians.length).toBeGreaterThan(0);
  });

  it('lists the students it could not write with their key and field, and writes every other row', () => {
    const summary = exportFile('C1-HocSinh', 'C1-skipped.xlsx');
    expect(sortKeys(summary.skipped)).toEqual([
      [unwritable.badEthnicity, 'ethnicityCode'],
      [unwritable.noClass, 'className'],
    ]);
    for (const s of summary.skipped) expect(s.reason).toMatch(/\S \/ \S/);
  });
});

describe('edubridge export --target city-edudb --template CSDL_GiaoVien', () => {
  it("writes the school's teachers, which the excel adapter reads back field for field", async () => {
    const summary = exportFile('CSDL_GiaoVien', 'CSDL_GiaoVien.xlsx');
    expect(summary.rows).toBe(original.teachers.length);
    expect(sortKeys(summary.skipped)).toEqual([[unwritable.badSubject, 'subjectCodes.0']]);
    const { records, rejected } = await readBack(summary.out, 'teachers');
    expect(rejected).toEqual([]);
    const strip = ({ key: _k, source: _s, ...rest }: Teacher) => rest;
    expect((records as Teacher[]).map(strip)).toEqual(original.teachers.map(strip));
  });
});

/** A subject's semester result by Circular 22 (src/model/grading.ts), from the generated assessment. */
function semesterResult(a: Assessment): number | Comment {
  const grade = gradeOfClassName(a.className)!;
  if (a.evaluation === 'scored') return semesterAverage(a.regular, a.midterm!, a.final!);
  const subject = subjectFor(a.subjectCode, grade)!;
  return commentedSemesterResult(
    [...a.regular, a.midterm!, a.final!],
    requiredRegularAssessments(subject.periodsPerYear[String(grade)]!) + 2,
  );
}

type ResultPeriod = LearningResult['period'];
const SEMESTERS: Record<ResultPeriod, ReadonlyArray<1 | 2>> = {
  semester1: [1],
  semester2: [2],
  year: [1, 2],
};

/**
 * The learning result the export computes for a student and period, from the generated
 * assessments by Circular 22 (src/model/grading.ts), on every field the template carries: the
 * class, each subject's average (ĐTBmhk, or ĐTBmcn from the two semesters) or Đ/CĐ, the level,
 * and the conduct the input states.
 */
function expectedResult(studentCode: string, period: ResultPeriod): Omit<LearningResult, 'key' | 'source'> {
  const semesters = SEMESTERS[period];
  const own = original.assessments.filter((a) => a.studentCode === studentCode);
  const last = own.filter((x) => x.semester === semesters.at(-1));
  const subjects: SubjectResult[] = last.map((a) => {
    let value = semesterResult(a);
    if (semesters.length === 2 && typeof value === 'number') {
      const first = own.find((x) => x.semester === 1 && x.subjectCode === a.subjectCode)!;
      value = yearAverage(semesterResult(first) as number, value);
    }
    return typeof value === 'number'
      ? { subjectCode: a.subjectCode, evaluation: 'scored', average: value }
      : { subjectCode: a.subjectCode, evaluation: 'commented', result: value };
  });
  const level = learningLevel({
    scored: subjects.flatMap((x) => (x.evaluation === 'scored' ? [x.average] : [])),
    commented: subjects.flatMap((x) => (x.evaluation === 'commented' ? [x.result] : [])),
  }).level;
  const stated = original.results.get(`${period}|${studentCode}`)!;
  return {
    type: 'learningResult',
    schoolCode: SCHOOL,
    schoolYear: last[0]!.schoolYear,
    period,
    studentCode,
    className: last[0]!.className,
    subjects,
    level,
    ...(stated.conduct !== undefined ? { conduct: stated.conduct } : {}),
  };
}

const withoutPlace = ({ key: _key, source: _source, ...rest }: LearningResult) => rest;

/**
 * Reads a KetQuaHocTap back with the excel adapter (kind `results`, stream `assessments`) and
 * checks it is, record for record, what the export computed.
 */
async function expectRoundTrip(path: string, period: ResultPeriod) {
  const { records, rejected } = await readBack(path, 'results');
  expect(rejected).toEqual([]);
  expect(records).toHaveLength(original.students.length);
  const results = records as LearningResult[];
  expect(new Set(results.map((r) => r.type))).toEqual(new Set(['learningResult']));
  const byCode = new Map(results.map((r) => [r.studentCode, r]));
  for (const s of original.students) {
    const back = byCode.get(s.studentCode)!;
    expect(back.key).toBe(`excel-79nb0001:learning-result-${back.schoolYear}-${period}-${s.studentCode}`);
    expect(withoutPlace(back)).toEqual(expectedResult(s.studentCode, period));
    // The generator computed the same with the same arithmetic (the input stated "Chưa đạt"); the
    // template has no column for a year's two semester averages.
    const generated = withoutPlace(original.results.get(`${period}|${s.studentCode}`)!);
    expect(withoutPlace(back)).toEqual({
      ...generated,
      subjects: generated.subjects.map((x) =>
        x.evaluation === 'scored'
          ? { subjectCode: x.subjectCode, evaluation: 'scored', average: x.average }
          : x,
      ),
    });
    // What comes back passes the model's rules as it is: the level is Article 9's.
    expect(checkRecord(back, { asOf: new Date('2026-06-15T00:00:00Z') }).problems).toEqual([]);
  }
}

describe('edubridge export --target city-edudb --template KetQuaHocTap', () => {
  it("writes each student's year averages and level as Circular 22 computes them from the assessments, not as stated, which the excel adapter reads back as those learning results", async () => {
    const summary = exportFile('KetQuaHocTap', 'KetQuaHocTap.xlsx');
    expect(summary.rows).toBe(original.students.length);
    expect(summary.skipped).toEqual([]);
    await expectRoundTrip(summary.out, 'year');
    // The identity columns read back as the students they are.
    const { records, rejected } = await readBack(summary.out, 'students');
    expect(rejected).toEqual([]);
    const byCode = new Map(original.students.map((s) => [s.studentCode, s]));
    expect(records).toHaveLength(original.students.length);
    for (const r of records as Student[]) {
      const s = byCode.get(r.studentCode)!;
      expect([r.fullName, r.birthDate, r.gender, r.className]).toEqual([
        s.fullName,
        s.birthDate,
        s.gender,
        original.enrollments.get(s.studentCode)!.className,
      ]);
    }
  });

  it('--period HK1 writes the semester I averages and level, read back as semester I learning results', async () => {
    const summary = exportFile('KetQuaHocTap', 'KetQuaHocTap-HK1.xlsx', ['--period', 'HK1']);
    expect(summary.rows).toBe(original.students.length);
    await expectRoundTrip(summary.out, 'semester1');
  });
});

/** A workbook's sheets, and the data sheet's dropdowns by cell (exceljs reads them cell by cell). */
async function workbookOf(path: string) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  const data = wb.worksheets[0]!;
  const validations = (
    data as unknown as { dataValidations: { model: Record<string, ExcelJS.DataValidation> } }
  ).dataValidations.model;
  /** The values of a list formula such as `DM_DanToc!$B$2:$B$57`. */
  const listValues = (formula: string): unknown[] => {
    const m = /^(\w+)!\$([A-Z])\$(\d+):\$[A-Z]\$(\d+)$/.exec(formula)!;
    const sheet = wb.getWorksheet(m[1]!)!;
    const values: unknown[] = [];
    for (let r = Number(m[3]); r <= Number(m[4]); r++) values.push(sheet.getCell(`${m[2]}${r}`).value);
    return values;
  };
  /** The header row's cells by text, and the data rows below it. */
  const headerRow = [...Array(data.rowCount).keys()]
    .map((i) => i + 1)
    .find((r) => data.getCell(`A${r}`).value === 'STT')!;
  const columnOf = (header: string) => {
    const row = data.getRow(headerRow);
    for (let c = 1; c <= row.cellCount; c++)
      if (row.getCell(c).value === header) return data.getColumn(c).letter;
    throw new Error(`no column ${header}`);
  };
  return { wb, data, validations, listValues, headerRow, columnOf };
}

describe('edubridge export: the code-list sheets and dropdowns the MOET templates carry', () => {
  it("C1-HocSinh carries DM_DanToc, DM_TinhThanh and the lists its columns take, each column's dropdown pointing at its list, every value written one of the list's", async () => {
    const summary = exportFile('C1-HocSinh', 'C1-HocSinh-lists.xlsx');
    const { wb, data, validations, listValues, headerRow, columnOf } = await workbookOf(summary.out);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'Sheet1',
      'DM_Lop',
      'DM_GioiTinh',
      'DM_TrangThaiHS',
      'DM_DanToc',
      'DM_TinhThanh',
    ]);
    const ethnicities = wb.getWorksheet('DM_DanToc')!;
    expect(ethnicities.getRow(1).values).toEqual([undefined, 'Mã', 'Tên dân tộc']);
    expect(ethnicities.getRow(2).values).toEqual([undefined, '01', 'Kinh']);
    expect(ethnicities.rowCount).toBe(1 + 56);
    expect(wb.getWorksheet('DM_TinhThanh')!.rowCount).toBe(1 + 63);
    const lastRow = headerRow + summary.rows;
    for (const [header, sheet] of [
      ['Mã lớp', 'DM_Lop'],
      ['Giới tính', 'DM_GioiTinh'],
      ['Trạng thái HS', 'DM_TrangThaiHS'],
      ['Dân tộc', 'DM_DanToc'],
    ]) {
      const col = columnOf(header!);
      const first = validations[`${col}${headerRow + 1}`];
      expect(first, header).toMatchObject({ type: 'list', allowBlank: true, showErrorMessage: true });
      expect(first!.formulae[0]).toMatch(new RegExp(`^${sheet}!`));
      // Spare rows below the data keep the dropdown, for a student added in Excel.
      expect(validations[`${col}${lastRow + 100}`]).toEqual(first);
      const allowed = listValues(first!.formulae[0] as string);
      for (let r = headerRow + 1; r <= lastRow; r++) {
        const value = data.getCell(`${col}${r}`).value;
        if (value !== null) expect(allowed, `${header} ${col}${r}`).toContain(value);
      }
    }
    // A column no code list fills has none.
    expect(validations[`${columnOf('Họ tên')}${headerRow + 1}`]).toBeUndefined();
  });

  it('KetQuaHocTap checks each score from 0 to 10, takes Đ/CĐ and the levels from their lists', async () => {
    const summary = exportFile('KetQuaHocTap', 'KetQuaHocTap-lists.xlsx');
    const { wb, validations, listValues, headerRow, columnOf } = await workbookOf(summary.out);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'KetQuaHocTap',
      'DM_Lop',
      'DM_GioiTinh',
      'DM_MonHoc',
      'DM_MucDanhGia',
      'DM_NhanXet',
    ]);
    const row = headerRow + 1;
    expect(validations[`${columnOf('Toán')}${row}`]).toMatchObject({
      type: 'decimal',
      operator: 'between',
      formulae: [0, 10],
      errorStyle: 'stop',
    });
    const commented = validations[`${columnOf('Giáo dục thể chất')}${row}`]!;
    expect(listValues(commented.formulae[0] as string)).toEqual(['Đ', 'CĐ']);
    const level = validations[`${columnOf('Kết quả học tập')}${row}`]!;
    expect(listValues(level.formulae[0] as string)).toEqual(['Tốt', 'Khá', 'Đạt', 'Chưa đạt']);
  });

  it('CSDL_GiaoVien carries DM_DanToc, DM_TinhThanh, the statuses and the subjects', async () => {
    const summary = exportFile('CSDL_GiaoVien', 'CSDL_GiaoVien-lists.xlsx');
    const { wb, validations, headerRow, columnOf } = await workbookOf(summary.out);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'CSDL_GiaoVien',
      'DM_GioiTinh',
      'DM_DanToc',
      'DM_TinhThanh',
      'DM_TrangThaiCB',
      'DM_MonHoc',
    ]);
    // Labels not confirmed against MOET's catalogue: a value outside the list is questioned, not refused.
    expect(validations[`${columnOf('Trạng thái CB')}${headerRow + 1}`]).toMatchObject({
      type: 'list',
      errorStyle: 'warning',
    });
    // Môn dạy holds a list of subjects: no dropdown.
    expect(validations[`${columnOf('Môn dạy')}${headerRow + 1}`]).toBeUndefined();
  });
});

describe('edubridge export: user mistakes', () => {
  const args = (over: Record<string, string>) => {
    const opts: Record<string, string> = {
      '--target': 'city-edudb',
      '--template': 'C1-HocSinh',
      '--school': SCHOOL,
      '--in': input,
      '--out': join(tmp, 'mistake.xlsx'),
      ...over,
    };
    return ['export', ...Object.entries(opts).flat()];
  };

  it('an unknown template exits 2 with one bilingual line listing the templates, and writes nothing', () => {
    const r = run(args({ '--template': 'C2-HocSinh' }));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--template phải là một trong: C1-HocSinh, CSDL_GiaoVien, KetQuaHocTap');
    expect(r.stderr).toContain(
      '--template must be one of: C1-HocSinh, CSDL_GiaoVien, KetQuaHocTap (got "C2-HocSinh")',
    );
    expect(existsSync(join(tmp, 'mistake.xlsx'))).toBe(false);
  });

  it('an unknown target, a missing input file and an unknown school are named, exit 2', () => {
    const target = run(args({ '--target': 'ssc' }));
    expect([target.code, target.stderr]).toEqual([
      2,
      expect.stringContaining('--target must be one of: city-edudb'),
    ]);
    const missing = join(tmp, 'nowhere.jsonl');
    const file = run(args({ '--in': missing }));
    expect([file.code, file.stderr]).toEqual([2, expect.stringContaining(`"${missing}" not found`)]);
    const school = run(args({ '--school': '79XX9999' }));
    expect(school.code).toBe(2);
    expect(school.stderr).toMatch(
      /không có bản ghi nào của trường 79XX9999 .* \/ .*schools found: .*79NB0001/,
    );
    expect(school.stderr).not.toMatch(/\n\s+at /);
  });
});
