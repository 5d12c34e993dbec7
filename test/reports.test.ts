/**
 * The education reports over real syncs: the REST school system's students and classes and the
 * OneRoster provider's gradebook (the same generated school) synced into a PostgreSQL database of
 * the test's own, through the city simulator. Every expected number is counted here from the
 * simulators' own data (with the model's Circular 22 arithmetic, tested on its own in
 * src/model/grading.test.ts), not by the reports' code; the Excel file and the CLI must show the
 * same numbers as the JSON.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import oneroster from '../adapters/oneroster/index.ts';
import { sandboxConfig } from '../adapters/oneroster/testing.ts';
import rest from '../adapters/rest/index.ts';
import { type CitySandbox, startCitySandbox } from '../sandbox/city-edudb/index.ts';
import { type OneRosterProvider, startOneRosterProvider } from '../sandbox/vendors/oneroster/index.ts';
import { type RestSchool, startRestSchool } from '../sandbox/vendors/rest-school/index.ts';
import { type App, buildApp } from '../src/app/index.ts';
import { runObservers } from '../src/app/observers.ts';
import { loadConfig } from '../src/config/index.ts';
import { createGatewayClient, type GatewayClientOptions } from '../src/gateway/index.ts';
import {
  type Assessment,
  LEARNING_LEVELS,
  learningLevel,
  semesterAverage,
  yearAverage,
} from '../src/model/index.ts';
import type { RunService } from '../src/pipeline/service.ts';
import { runSync, type SyncResult } from '../src/pipeline/sync.ts';
import type { AnyReport } from '../src/reports/index.ts';
import type { StreamName } from '../src/sdk/index.ts';
import {
  createApiKey,
  createDatabase,
  type Database,
  loadKeyring,
  migrateToLatest,
} from '../src/store/index.ts';
import { createCityEduDbTarget } from '../src/targets/city-edudb.ts';
import { freshPostgres } from './support/services.ts';

const SCHOOL = '79NB0001';
const DISTRICT = { schools: 1, seed: 11, classesPerGrade: 1, classSize: 9 };
const KEY = 'reports-test-key';
const BIN = join(import.meta.dirname, '..', 'bin', 'edubridge.js');
const keyring = loadKeyring({ NODE_ENV: 'test' });
// The code list's active statuses, as the REST vendor labels them.
const ACTIVE_LABELS = new Set(['Đang học', 'Chuyển đến', 'Nghỉ học xin học lại', 'Chuyển lớp', 'Lưu ban']);

let postgres: { url: string; drop(): Promise<void> };
let db: Database;
let city: CitySandbox;
let school: RestSchool;
let provider: OneRosterProvider;
let app: App;
let cityKey: string;
let assessmentRun: SyncResult;

const observers = () => {
  const o = runObservers(db, keyring);
  return {
    onValidRecords: (records: Parameters<typeof o.observeRecords>[1]) => o.observeRecords(SCHOOL, records),
    onKeysChanged: (renames: Parameters<typeof o.observeKeyChanges>[1]) =>
      o.observeKeyChanges(SCHOOL, renames),
    onStreamEnd: (end: Parameters<typeof o.observeStreamEnd>[1]) => o.observeStreamEnd(SCHOOL, end),
  };
};

const target = () =>
  createCityEduDbTarget({
    gateway: createGatewayClient(city.gatewayClientOptions() as unknown as GatewayClientOptions),
  });

function syncRest(streams: StreamName[]) {
  return runSync({
    db,
    keyring,
    adapter: rest,
    adapterConfig: { baseUrl: school.url, profile: 'sandbox-school', auth: { type: 'apiKey', key: KEY } },
    targets: [target()],
    schoolCode: SCHOOL,
    streams,
    mode: 'full',
    holdThreshold: 1,
    ...observers(),
  });
}

beforeAll(async () => {
  postgres = await freshPostgres('reports');
  db = await createDatabase({ DATABASE_URL: postgres.url } as never);
  await migrateToLatest(db);
  city = await startCitySandbox({ personality: 'wso2', district: { ...DISTRICT, unknownEvery: 0 } });
  school = await startRestSchool({ ...DISTRICT, auth: { type: 'apiKey', key: KEY } });
  provider = await startOneRosterProvider(DISTRICT);
  const students = await syncRest(['classes', 'students']);
  expect(students.state).toBe('succeeded');
  assessmentRun = await runSync({
    db,
    keyring,
    adapter: oneroster,
    adapterConfig: sandboxConfig(provider),
    targets: [target()],
    schoolCode: SCHOOL,
    streams: ['assessments'],
    mode: 'full',
    holdThreshold: 1,
    ...observers(),
  });
  expect(assessmentRun.state).toBe('succeeded');
  app = await buildApp(loadConfig({ LOG_LEVEL: 'silent' }, { envFile: false }), {
    database: db,
    runService: { configuredSchools: async () => [], close: async () => {} } as unknown as RunService,
    sso: null,
  });
  cityKey = (await createApiKey(db, { role: 'city', schools: [] })).key;
}, 180_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  await provider?.close();
  await school?.close();
  await city?.close();
  await postgres?.drop();
});

async function get(url: string, key = cityKey, headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url, headers: { 'x-api-key': key, ...headers } });
}

type VendorStudent = {
  maTruong: string;
  maLop: string;
  gioiTinh: string;
  trangThai?: string;
  maDanToc?: string;
};
function vendorStudents(): VendorStudent[] {
  const table = school.state.data.students;
  return table.idList().map((id) => table.get(id) as VendorStudent);
}

/** Enrolment counted from the vendor's own records: grade from the class name's digits. */
function expectedEnrolment() {
  const byGrade = new Map<number, { students: number; male: number; female: number }>();
  const byEthnicity = new Map<string, number>();
  for (const s of vendorStudents()) {
    if (s.maTruong !== SCHOOL || (s.trangThai && !ACTIVE_LABELS.has(s.trangThai))) continue;
    const grade = Number(/^\d+/.exec(s.maLop)![0]);
    const g = byGrade.get(grade) ?? { students: 0, male: 0, female: 0 };
    g.students++;
    if (s.gioiTinh === 'Nam') g.male++;
    if (s.gioiTinh === 'Nữ') g.female++;
    byGrade.set(grade, g);
    byEthnicity.set(s.maDanToc ?? '', (byEthnicity.get(s.maDanToc ?? '') ?? 0) + 1);
  }
  return { byGrade, byEthnicity };
}

const mine = () => provider.source.assessments.filter((a) => a.schoolCode === SCHOOL) as Assessment[];
const gradeOf = (className: string) => Number(/^\d+/.exec(className)![0]);
/** The semester average Circular 22 gives, as the rules normalise it (Art. 9(1b)). */
function averageOf(a: Assessment): number | null {
  if (a.evaluation !== 'scored') return null;
  if (a.midterm !== undefined && a.final !== undefined) return semesterAverage(a.regular, a.midterm, a.final);
  return a.average ?? null;
}

describe('enrolment', () => {
  it('counts the school’s active students by grade and gender as the vendor holds them', async () => {
    const expected = expectedEnrolment();
    expect(expected.byGrade.size).toBe(4);
    const answer = await get(`/v1/reports/enrolment?school=${SCHOOL}`);
    expect(answer.statusCode).toBe(200);
    const report = answer.json();
    expect(
      report.byGrade.map((r: { grade: number; students: number; male: number; female: number }) => [
        r.grade,
        r.students,
        r.male,
        r.female,
      ]),
    ).toEqual(
      [...expected.byGrade.entries()]
        .sort(([a], [b]) => a - b)
        .map(([g, c]) => [g, c.students, c.male, c.female]),
    );
    const total = [...expected.byGrade.values()].reduce((n, c) => n + c.students, 0);
    expect(report.totals.students).toBe(total);
    const ethnic = Object.fromEntries(
      report.byEthnicity.map((r: { ethnicityCode: string | null; students: number }) => [
        r.ethnicityCode ?? '',
        r.students,
      ]),
    );
    expect(ethnic).toEqual(Object.fromEntries(expected.byEthnicity));
    expect(
      report.byEthnicity.find((r: { ethnicityCode: string }) => r.ethnicityCode === '01')?.ethnicity,
    ).toBe('Kinh');
  });

  it('a full run no longer counting students the school deleted', async () => {
    const before = (await get('/v1/reports/enrolment')).json().totals.students;
    school.state.mutate({ students: { delete: 2 } });
    const run = await syncRest(['students']);
    expect(run.state).toBe('succeeded');
    const after = (await get('/v1/reports/enrolment')).json();
    expect(after.totals.students).toBe(before - 2);
    const expected = [...expectedEnrolment().byGrade.values()].reduce((n, c) => n + c.students, 0);
    expect(after.totals.students).toBe(expected);
  });
});

describe('scores', () => {
  it('bands and means per semester, grade and subject equal those of the gradebook', async () => {
    const groups = new Map<
      string,
      { bands: number[]; sum: number; n: number; passed: number; notPassed: number }
    >();
    for (const a of mine()) {
      const k = `${a.semester}|${gradeOf(a.className)}|${a.subjectCode}`;
      const g = groups.get(k) ?? { bands: Array(10).fill(0), sum: 0, n: 0, passed: 0, notPassed: 0 };
      groups.set(k, g);
      const average = averageOf(a);
      if (average !== null) {
        g.bands[Math.min(Math.floor(average), 9)]++;
        g.sum += Math.round(average * 10);
        g.n++;
      }
      if (a.evaluation === 'commented') {
        if (a.result === 'Đ') g.passed++;
        if (a.result === 'CĐ') g.notPassed++;
      }
    }
    const report = (await get(`/v1/reports/scores?school=${SCHOOL}`)).json();
    expect(report.rows).toHaveLength(groups.size);
    for (const row of report.rows) {
      const g = groups.get(`${row.semester}|${row.grade}|${row.subjectCode}`)!;
      expect(row.bands).toEqual(g.bands);
      // Half up at one decimal, in integers: (2·sum + n) div 2n tenths.
      expect(row.average).toBe(g.n === 0 ? null : Math.floor((2 * g.sum + g.n) / (2 * g.n)) / 10);
      expect([row.passed, row.notPassed]).toEqual([g.passed, g.notPassed]);
    }
    const maths = report.rows.filter((r: { subjectCode: string }) => r.subjectCode === 'TOAN');
    expect(maths.length).toBeGreaterThan(0);
    const filtered = (await get(`/v1/reports/scores?subject=TOAN&semester=1&grade=7`)).json();
    expect(filtered.rows).toEqual(
      maths.filter((r: { semester: number; grade: number }) => r.semester === 1 && r.grade === 7),
    );
  });

  it('the Excel file holds the JSON’s numbers, row for row', async () => {
    const json = (await get(`/v1/reports/scores?school=${SCHOOL}`)).json();
    const file = await get(`/v1/reports/scores?school=${SCHOOL}`, cityKey, {
      accept: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toContain('spreadsheetml');
    expect(file.headers['content-disposition']).toMatch(
      new RegExp(`^attachment; filename="bao-cao-diem-${SCHOOL}-\\d{4}-\\d{2}-\\d{2}\\.xlsx"$`),
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(file.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Điểm - Scores')!;
    expect(sheet.getRow(1).getCell(8).value).toBe('ĐTB / Average');
    expect(sheet.rowCount).toBe(json.rows.length + 1);
    json.rows.forEach(
      (
        row: { subjectCode: string; average: number | null; bands: number[]; students: number },
        i: number,
      ) => {
        const cells = sheet.getRow(i + 2).values as unknown[];
        expect(cells[5]).toBe(row.subjectCode);
        expect(cells[7]).toBe(row.students);
        expect(cells[8] ?? null).toBe(row.average);
        expect(cells.slice(9, 19)).toEqual(row.bands);
      },
    );
  });
});

describe('levels', () => {
  it('computes each student’s level from the assessments (Art. 9) when the school sent no learning result', async () => {
    // student → semester → subject results, from the gradebook.
    const students = new Map<string, { grade: number; subjects: Map<string, Assessment[]> }>();
    for (const a of mine()) {
      const s = students.get(a.studentCode) ?? { grade: gradeOf(a.className), subjects: new Map() };
      students.set(a.studentCode, s);
      s.subjects.set(a.subjectCode, [...(s.subjects.get(a.subjectCode) ?? []), a]);
    }
    const expected = new Map<string, Map<string, number>>();
    const count = (period: string, grade: number, level: string) => {
      const k = `${period}|${grade}`;
      const m = expected.get(k) ?? new Map();
      expected.set(k, m);
      m.set(level, (m.get(level) ?? 0) + 1);
    };
    for (const s of students.values()) {
      for (const period of ['semester1', 'semester2', 'year']) {
        const scored: number[] = [];
        const commented: Array<'Đ' | 'CĐ'> = [];
        let complete = true;
        for (const results of s.subjects.values()) {
          const sem = (n: number) => results.find((a) => a.semester === n);
          const one = sem(1);
          const two = sem(2);
          const kind = (one ?? two)!.evaluation;
          if (kind === 'scored') {
            const a1 = one ? averageOf(one) : null;
            const a2 = two ? averageOf(two) : null;
            const v =
              period === 'semester1'
                ? a1
                : period === 'semester2'
                  ? a2
                  : a1 !== null && a2 !== null
                    ? yearAverage(a1, a2)
                    : null;
            if (v === null) complete = false;
            else scored.push(v);
          } else {
            const r = period === 'semester1' ? one : two;
            const result = r?.evaluation === 'commented' ? r.result : undefined;
            if (result === undefined) complete = false;
            else commented.push(result);
          }
        }
        count(period, s.grade, complete ? learningLevel({ scored, commented }).level : 'incomplete');
      }
    }
    const report = (await get(`/v1/reports/levels?school=${SCHOOL}`)).json();
    expect(report.rows).toHaveLength(expected.size);
    for (const row of report.rows) {
      const m = expected.get(`${row.period}|${row.grade}`)!;
      expect(row.learning.map((l: { students: number }) => l.students)).toEqual(
        LEARNING_LEVELS.map((l) => m.get(l) ?? 0),
      );
      expect(row.incomplete).toBe(m.get('incomplete') ?? 0);
      expect(row.fromAssessments).toBe(row.students);
      expect(row.fromLearningResults).toBe(0);
      expect(row.passRate).toBe(
        row.students === 0 ? null : (row.students - (m.get('Chưa đạt') ?? 0)) / row.students,
      );
    }
    const rated = report.rows.reduce((n: number, r: { students: number }) => n + r.students, 0);
    expect(rated).toBeGreaterThan(0);
  });
});

describe('district and quality', () => {
  it('the district compares the school over its latest period with data', async () => {
    const report = (await get('/v1/reports/district')).json();
    const levels = (await get(`/v1/reports/levels?school=${SCHOOL}&period=${report.period}`)).json();
    expect(report.period).toBe('year');
    const [row] = report.schools;
    expect(row.schoolCode).toBe(SCHOOL);
    expect(row.students).toBe((await get('/v1/reports/enrolment')).json().totals.students);
    expect(row.rated).toBe(levels.rows.reduce((n: number, r: { students: number }) => n + r.students, 0));
    const scoredAverages = mine()
      .map(averageOf)
      .filter((v): v is number => v !== null);
    const sum = scoredAverages.reduce((n, v) => n + Math.round(v * 10), 0);
    expect(row.averageScore).toBe(
      Math.floor((2 * sum + scoredAverages.length) / (2 * scoredAverages.length)) / 10,
    );
  });

  it('the scorecard is, per rule, the share of records read with the rule’s problems', async () => {
    const report = (await get(`/v1/reports/quality?school=${SCHOOL}`)).json();
    const assessments = report.streams.find((s: { stream: string }) => s.stream === 'assessments');
    expect(assessments.runId).toBe(assessmentRun.runId);
    expect(assessments.records).toBe(assessmentRun.report.byType.assessment?.records);
    // Records with each rule's problem, counted from the run's own list of problems (under its cap).
    expect(assessmentRun.report.problemsNotListed).toBe(0);
    const keys = new Map<string, Set<string>>();
    for (const p of assessmentRun.report.problems) {
      const set = keys.get(p.code) ?? new Set();
      set.add(`${p.key}|${p.line}`);
      keys.set(p.code, set);
    }
    expect(
      Object.fromEntries(
        assessments.rules.map((r: { rule: string; records: number }) => [r.rule, r.records]),
      ),
    ).toEqual(Object.fromEntries([...keys].map(([code, set]) => [code, set.size])));
    for (const r of assessments.rules) expect(r.share).toBe(r.records / assessments.records);
    expect(report.streams.map((s: { stream: string }) => s.stream).sort()).toEqual([
      'assessments',
      'classes',
      'students',
    ]);
  });

  it('a school key reads its own school and is refused another', async () => {
    const own = (await createApiKey(db, { role: 'school', schools: [SCHOOL] })).key;
    const other = (await createApiKey(db, { role: 'school', schools: ['79NB0002'] })).key;
    expect((await get(`/v1/reports/levels?school=${SCHOOL}`, own)).statusCode).toBe(200);
    const refused = await get(`/v1/reports/levels?school=${SCHOOL}`, other);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('FORBIDDEN_SCOPE');
    // Without a school: only the key's schools, none of which has data.
    expect((await get('/v1/reports/district', other)).json().schools).toEqual([]);
    const vendor = (
      await createApiKey(db, { role: 'vendor', schools: [SCHOOL], vendorAdapters: ['rest'] } as never)
    ).key;
    expect((await get('/v1/reports/scores', vendor)).statusCode).toBe(403);
  });
});

describe('the CLI', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, [BIN, 'report', ...args], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, DATABASE_URL: postgres.url, LOG_LEVEL: 'silent' },
    });
  const strip = ({ generatedAt: _, ...rest }: AnyReport) => rest;

  it('prints the API’s JSON with --json, and the same totals in its table', async () => {
    for (const name of ['enrolment', 'levels', 'quality']) {
      const cli = run([name, '--json', '--school', SCHOOL]);
      expect(cli.status, cli.stderr).toBe(0);
      const api = (await get(`/v1/reports/${name}?school=${SCHOOL}`)).json();
      expect(strip(JSON.parse(cli.stdout))).toEqual(strip(api));
    }
    const enrolment = (await get('/v1/reports/enrolment')).json();
    const table = run(['enrolment']);
    expect(table.status, table.stderr).toBe(0);
    for (const r of enrolment.byGrade) {
      expect(table.stdout).toMatch(
        new RegExp(
          `^${SCHOOL}\\s+${r.schoolYear}\\s+${r.grade}\\s+${r.students}\\s+${r.male}\\s+${r.female}$`,
          'm',
        ),
      );
    }
  });

  it('writes the Excel file with --xlsx, and refuses an unknown report by name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edubridge-report-'));
    try {
      const path = join(dir, 'district.xlsx');
      const cli = run(['district', '--xlsx', path]);
      expect(cli.status, cli.stderr).toBe(0);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(path);
      const api = (await get('/v1/reports/district')).json();
      const sheet = workbook.getWorksheet('Toàn quận - District')!;
      const cells = sheet.getRow(2).values as unknown[];
      expect(cells.slice(1, 5)).toEqual([
        SCHOOL,
        api.schools[0].students,
        api.schools[0].averageScore,
        api.schools[0].rated,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const wrong = run(['grades']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('There is no report "grades"');
  });
});
