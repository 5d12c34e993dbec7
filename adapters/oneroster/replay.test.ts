/**
 * The OneRoster adapter against recordings of the sandbox provider (fixtures/oneroster): no network,
 * every request must match a recorded one. Record them again against the live sandbox with
 *
 *   RECORD=1 npx vitest run adapters/oneroster/replay.test.ts
 */
import { describe, expect, it } from 'vitest';
import { type OneRosterProvider, startOneRosterProvider } from '../../sandbox/vendors/oneroster/index.ts';
import { nockFixture } from '../../sandbox/vendors/shared/nock-fixture.ts';
import { checkRecord } from '../../src/model/index.ts';
import adapter from './index.ts';
import { baseContext, collect, ofType, parse, sandboxConfig } from './testing.ts';

const fixture = (name: string) => new URL(`../../fixtures/oneroster/${name}.json`, import.meta.url);
const SECRETS = ['sandbox-secret'];
const AS_OF = new Date('2026-11-27T00:00:00Z');
/** A tiny district: one school, one class 6A1 of four students, two subjects (one scored, one commented). */
const TINY = { schools: 1, seed: 1, classSize: 1, grades: [6], subjects: ['TOAN', 'GDTC'] } as const;
const STUDENTS = 4;

async function withFixture(
  name: string,
  start: () => Promise<OneRosterProvider>,
  body: (config: Record<string, unknown>, live: OneRosterProvider | undefined) => Promise<void>,
): Promise<void> {
  const fx = await nockFixture({ file: fixture(name), start, secrets: SECRETS });
  try {
    await body(sandboxConfig({ url: fx.url }), fx.live);
  } finally {
    await fx.done();
  }
}

const invalid = (records: readonly unknown[]) =>
  records.filter((r) => !checkRecord(r, { asOf: AS_OF }).valid).map((r) => (r as { key: string }).key);

describe('replayed from fixtures/oneroster', () => {
  it('roster: check, discover and every roster stream of a tiny district', async () => {
    await withFixture(
      'roster',
      () => startOneRosterProvider({ ...TINY, gradebook: false }),
      async (config) => {
        expect(await adapter.check(parse(config), baseContext())).toEqual({ ok: true });
        const discovery = await adapter.discover(parse(config), baseContext());
        expect(discovery.streams.find((s) => s.name === 'students')?.count).toBe(STUDENTS);
        expect(discovery.schools).toEqual([{ schoolCode: '79NB0001', name: 'THCS Nguyễn Bình Khiêm' }]);

        const schools = await collect('schools', config);
        expect(schools.records.map((r) => r.key)).toEqual([
          'oneroster-sandbox:school-org-79nb0001',
          'oneroster-sandbox:school-year-as-2025-2026@org-79nb0001',
          'oneroster-sandbox:semester-as-2025-2026-hk1@org-79nb0001',
          'oneroster-sandbox:semester-as-2025-2026-hk2@org-79nb0001',
        ]);

        const students = ofType((await collect('students', config)).records, 'student');
        expect(students).toHaveLength(STUDENTS);
        expect(students[0]).toMatchObject({
          key: 'oneroster-sandbox:student-st-7988503709',
          studentCode: '7988503709',
          personalId: '079314031761',
          fullName: 'Trần Minh Ngọc',
          birthDate: '2014-11-04',
          gender: 'female',
          guardians: [
            { relationship: 'father', fullName: 'Trần Quang Kiệt', personalId: '079089636073' },
            { relationship: 'mother', fullName: 'Nguyễn Kim Trang', personalId: '079180420988' },
          ],
        });

        const teachers = ofType((await collect('teachers', config)).records, 'teacher');
        expect(teachers.length).toBeGreaterThan(0);
        // Only Toán and GDTC are taught in this district.
        expect(new Set(teachers.flatMap((t) => t.subjectCodes))).toEqual(new Set(['TOAN', 'GDTC']));

        const classes = await collect('classes', config);
        expect(ofType(classes.records, 'class').map((c) => c.className)).toEqual(['6A1']);

        const enrollments = ofType((await collect('enrollments', config)).records, 'enrollment');
        expect(enrollments.map((e) => e.studentCode).sort()).toEqual(
          students.map((s) => s.studentCode).sort(),
        );

        expect(
          invalid([...schools.records, ...students, ...teachers, ...classes.records, ...enrollments]),
        ).toEqual([]);
      },
    );
  });

  it('assessments: scored and commented subjects from the gradebook', async () => {
    await withFixture(
      'assessments',
      () => startOneRosterProvider(TINY),
      async (config) => {
        const { records, rejected } = await collect('assessments', config);
        expect(rejected).toEqual([]);
        const assessments = ofType(records, 'assessment');
        // 2 subjects, 2 semesters.
        expect(assessments).toHaveLength(STUDENTS * 2 * 2);
        expect(assessments[0]).toMatchObject({
          studentCode: '7988503709',
          className: '6A1',
          subjectCode: 'TOAN',
          semester: 1,
          evaluation: 'scored',
          regular: [7, 9, 7, 9],
          midterm: 8.3,
          final: 7.3,
          average: 7.8,
        });
        expect(assessments.find((a) => a.subjectCode === 'GDTC')).toMatchObject({
          evaluation: 'commented',
          regular: ['Đ', 'Đ', 'Đ'],
        });
        expect(invalid(assessments)).toEqual([]);
      },
    );
  });

  it('incremental students: the changed ones, and the deleted one as a key', async () => {
    const changed = ['st-7950307108', 'st-7973913906'];
    const deleted = ['st-7912110507'];
    await withFixture(
      'students-incremental',
      () => startOneRosterProvider({ ...TINY, gradebook: false }),
      async (config, live) => {
        live?.mutate({ change: changed, delete: deleted });
        // Generated records date from 2025-09-01; the changes from when they were recorded.
        const delta = await collect('students', config, '2026-01-01T00:00:00.000Z');
        expect(delta.records.map((r) => r.key)).toEqual(
          changed.map((id) => `oneroster-sandbox:student-${id}`),
        );
        expect(delta.deleted).toEqual(deleted.map((id) => `oneroster-sandbox:student-${id}`));
        expect(ofType(delta.records, 'student').every((s) => s.fullName.includes(' Ngọc'))).toBe(true);
      },
    );
  });

  it('refused credentials: check() reports AUTH_REFUSED', async () => {
    await withFixture(
      'check-refused',
      () => startOneRosterProvider({ ...TINY, gradebook: false }),
      async (config) => {
        const result = await adapter.check(parse({ ...config, clientSecret: 'wrong-secret' }), baseContext());
        expect(result).toEqual({
          ok: false,
          problems: [{ code: 'AUTH_REFUSED', message: expect.any(String) }],
        });
      },
    );
  });

  it('429 and 503 on a page: the read waits, retries and completes', async () => {
    await withFixture(
      'students-429-503',
      () => startOneRosterProvider({ ...TINY, gradebook: false }),
      async (config, live) => {
        live?.fail({ kind: 'status', status: 429, retryAfter: 0, path: '/students' });
        live?.fail({ kind: 'status', status: 503, path: '/students' });
        const { records } = await collect('students', config);
        expect(records).toHaveLength(STUDENTS);
        if (live) expect(live.faultsServed).toMatchObject({ 'status:429': 1, 'status:503': 1 });
      },
    );
  });
});
