/**
 * The OneRoster adapter against the live sandbox provider: what a full read of each stream yields
 * compared with the generated district it was built from, and what incremental reads yield after
 * the provider changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OneRosterProvider, startOneRosterProvider } from '../../sandbox/vendors/oneroster/index.ts';
import { checkRecord } from '../../src/model/index.ts';
import adapter from './index.ts';
import { baseContext, collect, ofType, parse, sandboxConfig } from './testing.ts';

const AS_OF = new Date('2026-11-27T00:00:00Z');

function problemsOf(records: readonly unknown[]) {
  return records.flatMap((r) =>
    checkRecord(r, { asOf: AS_OF }).problems.map((p) => `${(r as { key: string }).key} ${p.field} ${p.code}`),
  );
}

describe('a full read of the sandbox district', () => {
  let provider: OneRosterProvider;
  let config: Record<string, unknown>;
  beforeAll(async () => {
    provider = await startOneRosterProvider({ schools: 1, seed: 7, classSize: 10 });
    config = sandboxConfig(provider);
  });
  afterAll(() => provider.close());

  it('schools: the school with its commune, and the year and both semesters of the calendar', async () => {
    const { records, rejected } = await collect('schools', config);
    expect(rejected).toEqual([]);
    const [source] = provider.source.schools;
    expect(ofType(records, 'school')).toEqual([
      expect.objectContaining({
        key: 'oneroster-sandbox:school-org-79nb0001',
        schoolCode: source!.schoolCode,
        name: source!.name,
        level: 'lower_secondary',
        commune: source!.commune,
        provinceCode: '79',
      }),
    ]);
    expect(ofType(records, 'schoolYear').map((y) => [y.schoolYear, y.startDate, y.endDate])).toEqual([
      ['2025-2026', '2025-09-05', '2026-05-31'],
    ]);
    expect(ofType(records, 'semester').map((s) => [s.semester, s.startDate, s.endDate])).toEqual([
      [1, '2025-09-05', '2026-01-17'],
      [2, '2026-01-19', '2026-05-31'],
    ]);
    expect(problemsOf(records)).toEqual([]);
  });

  it('students: every generated student, guardians inline, and no rule finds a problem', async () => {
    const { records, rejected, deleted } = await collect('students', config);
    expect(rejected).toEqual([]);
    expect(deleted).toEqual([]);
    const students = ofType(records, 'student');
    expect(students).toHaveLength(provider.source.students.length);
    const byCode = new Map(students.map((s) => [s.studentCode, s]));
    for (const want of provider.source.students) {
      const got = byCode.get(want.studentCode);
      expect(got, want.studentCode).toBeDefined();
      expect({
        fullName: got!.fullName,
        birthDate: got!.birthDate,
        gender: got!.gender,
        personalId: got!.personalId,
        ethnicityCode: got!.ethnicityCode,
        guardians: got!.guardians,
      }).toEqual({
        fullName: want.fullName,
        birthDate: want.birthDate,
        gender: want.gender,
        personalId: want.personalId,
        ethnicityCode: want.ethnicityCode,
        guardians: want.guardians,
      });
    }
    expect(students.every((s) => s.guardians.length > 0)).toBe(true);
    expect(problemsOf(students)).toEqual([]);
  });

  it('teachers: codes, IDs and the subjects they are enrolled to teach', async () => {
    const { records, rejected } = await collect('teachers', config);
    expect(rejected).toEqual([]);
    const teachers = ofType(records, 'teacher');
    expect(teachers.map((t) => t.teacherCode).sort()).toEqual(
      provider.source.teachers.map((t) => t.teacherCode).sort(),
    );
    for (const t of teachers) {
      const want = provider.source.teachers.find((x) => x.teacherCode === t.teacherCode)!;
      expect([t.fullName, t.personalId, t.birthDate, t.gender, t.email, t.phone]).toEqual([
        want.fullName,
        want.personalId,
        want.birthDate,
        want.gender,
        want.email,
        want.phone,
      ]);
      expect(t.subjectCodes).toEqual([...(provider.source.teaching.get(t.teacherCode) ?? [])].sort());
    }
    expect(problemsOf(teachers)).toEqual([]);
  });

  it('classes: homeroom classes with their homeroom teacher, and each grade’s subjects', async () => {
    const { records, rejected } = await collect('classes', config);
    expect(rejected).toEqual([]);
    expect(
      ofType(records, 'class').map((c) => [c.className, c.grade, c.schoolYear, c.homeroomTeacherCode]),
    ).toEqual(
      provider.source.classes.map((c) => [c.className, c.grade, c.schoolYear, c.homeroomTeacherCode]),
    );
    const subjects = ofType(records, 'subject');
    expect(subjects).toHaveLength(4 * 13);
    expect(subjects.find((s) => s.subjectCode === 'TOAN' && s.grade === 6)).toMatchObject({
      name: 'Toán',
      periodsPerYear: 140,
      evaluation: 'scored',
    });
    expect(subjects.find((s) => s.subjectCode === 'GDTC' && s.grade === 9)).toMatchObject({
      evaluation: 'commented',
    });
    expect(problemsOf(records)).toEqual([]);
  });

  it('enrollments: each student once, in the homeroom class, dated the first day of the year', async () => {
    const { records, rejected } = await collect('enrollments', config);
    expect(rejected).toEqual([]);
    const enrollments = ofType(records, 'enrollment');
    expect(enrollments.map((e) => [e.studentCode, e.className, e.status]).sort()).toEqual(
      provider.source.students.map((s) => [s.studentCode, s.className, s.status]).sort(),
    );
    expect(new Set(enrollments.map((e) => e.statusDate))).toEqual(new Set(['2025-09-05']));
    expect(problemsOf(enrollments)).toEqual([]);
  });

  it('assessments: the generated grade book, and Circular 22 recomputes the averages the source stated', async () => {
    const { records, rejected } = await collect('assessments', config);
    expect(rejected).toEqual([]);
    const got = ofType(records, 'assessment');
    expect(got).toHaveLength(provider.source.assessments.length);
    const strip = (a: (typeof got)[number]) => {
      const { key: _k, source: _s, ...rest } = a;
      return rest;
    };
    const want = new Map(
      provider.source.assessments.map((a) => [`${a.studentCode}|${a.subjectCode}|${a.semester}`, strip(a)]),
    );
    for (const a of got)
      expect(strip(a)).toEqual(want.get(`${a.studentCode}|${a.subjectCode}|${a.semester}`));
    // No ASSESSMENT_AVERAGE_MISMATCH or ASSESSMENT_RESULT_MISMATCH: the rules compute what the source said.
    expect(problemsOf(got)).toEqual([]);
    const scored = got.find((a) => a.evaluation === 'scored' && a.subjectCode === 'TOAN');
    expect(scored?.evaluation === 'scored' && scored.average).toBeGreaterThan(0);
    expect(checkRecord(scored, { asOf: AS_OF }).record).toMatchObject({
      average: (scored as { average: number }).average,
    });
  });

  it('keys are the same on a second read', async () => {
    for (const stream of ['students', 'enrollments'] as const) {
      const first = (await collect(stream, config)).records.map((r) => r.key);
      const second = (await collect(stream, config)).records.map((r) => r.key);
      expect(second).toEqual(first);
      expect(new Set(first).size).toBe(first.length);
    }
  });

  it('discover: streams with X-Total-Count counts, the school and the school year', async () => {
    const discovery = await adapter.discover(parse(config), baseContext());
    expect(discovery).toEqual({
      streams: [
        { name: 'schools', count: 1 },
        { name: 'students', count: provider.source.students.length },
        { name: 'teachers', count: provider.source.teachers.length },
        { name: 'classes', count: 4 },
        { name: 'enrollments' },
        { name: 'assessments' },
      ],
      schools: [{ schoolCode: '79NB0001', name: provider.source.schools[0]!.name }],
      schoolYears: ['2025-2026'],
    });
  });

  it('check: a working config is ok', async () => {
    expect(await adapter.check(parse(config), baseContext())).toEqual({ ok: true });
  });
});

describe('incremental reads after the provider changes', () => {
  let provider: OneRosterProvider;
  let config: Record<string, unknown>;
  const key = (kind: string, id: string) => `oneroster-sandbox:${kind}-${id}`;
  // The provider's clock runs a second ahead after each change, as the next night's read would:
  // a read starting within the same second as a change reads that change again (at least once).
  let offset = 0;
  const later = <T>(result: T): T => {
    offset += 1000;
    return result;
  };
  beforeAll(async () => {
    provider = await startOneRosterProvider({
      schools: 1,
      seed: 11,
      classSize: 8,
      now: () => new Date(Date.now() + offset),
    });
    config = sandboxConfig(provider);
  });
  afterAll(() => provider.close());

  it('students: only the changed students come back, and the deleted ones as deleted keys', async () => {
    const full = await collect('students', config);
    expect(typeof full.checkpoint).toBe('string');
    const { changed, deleted } = later(provider.mutate({ change: 2, delete: 1 }));
    const delta = await collect('students', config, full.checkpoint);
    expect(delta.records.map((r) => r.key).sort()).toEqual(changed.map((id) => key('student', id)).sort());
    expect(delta.deleted).toEqual(deleted.map((id) => key('student', id)));
    // The change itself: the middle name gained "Ngọc".
    const before = ofType(full.records, 'student').find((s) => s.key === key('student', changed[0]!))!;
    const after = ofType(delta.records, 'student').find((s) => s.key === key('student', changed[0]!))!;
    expect(after.fullName).not.toBe(before.fullName);
    expect(after.fullName.split(' ')).toContain('Ngọc');
    // Nothing changed since: nothing comes back.
    const quiet = await collect('students', config, delta.checkpoint);
    expect([quiet.records.length, quiet.deleted.length]).toEqual([0, 0]);
  });

  it('students: a guardian’s new phone brings back the guardian’s children', async () => {
    const full = await collect('students', config);
    const { changed } = later(provider.mutate({ role: 'guardian', change: 1 }));
    const guardian = provider.data.users.find((u) => u.sourcedId === changed[0])!;
    const children = provider.data.users.filter((u) =>
      guardian.agents.some((a) => a.sourcedId === u.sourcedId),
    );
    const delta = await collect('students', config, full.checkpoint);
    const keysOf = (active: boolean) =>
      children.filter((c) => (c.status === 'active') === active).map((c) => key('student', c.sourcedId));
    expect(delta.records.map((r) => r.key).sort()).toEqual(keysOf(true).sort());
    expect(delta.deleted.sort()).toEqual(keysOf(false).sort());
    for (const s of ofType(delta.records, 'student')) {
      expect(s.guardians.map((g) => g.phone)).toContain(guardian.phone);
    }
  });

  it('teachers: a changed phone comes back alone', async () => {
    const full = await collect('teachers', config);
    const { changed } = later(provider.mutate({ role: 'teacher', change: 1 }));
    const delta = await collect('teachers', config, full.checkpoint);
    expect(delta.records.map((r) => r.key)).toEqual([key('teacher', changed[0]!)]);
    expect(ofType(delta.records, 'teacher')[0]!.phone).toBe(
      provider.data.users.find((u) => u.sourcedId === changed[0])!.phone,
    );
  });

  it('enrollments: a deleted student’s homeroom enrollment is reported deleted', async () => {
    const full = await collect('enrollments', config);
    const { deleted } = later(provider.mutate({ delete: 1 }));
    const delta = await collect('enrollments', config, full.checkpoint);
    const homerooms = new Set(
      provider.data.classes.filter((c) => c.classType === 'homeroom').map((c) => c.sourcedId),
    );
    const homeroom = provider.data.enrollments.find(
      (e) => e.user.sourcedId === deleted[0] && homerooms.has(e.class.sourcedId),
    )!;
    expect(delta.records).toEqual([]);
    expect(delta.deleted).toEqual([key('enrollment', homeroom.sourcedId)]);
  });

  it('assessments: a changed midterm brings back that student’s subject and semester, recomputed', async () => {
    const full = await collect('assessments', config);
    const changedResults = later(provider.changeResults(2));
    const delta = await collect('assessments', config, full.checkpoint);
    const expected = changedResults.map((id) => {
      const r = provider.data.results.find((x) => x.sourcedId === id)!;
      const term = provider.data.lineItems.find((l) => l.sourcedId === r.lineItem.sourcedId)!.academicSession;
      return key('assessment', `${r.class.sourcedId}.${r.student.sourcedId}.${term.sourcedId}`);
    });
    expect(delta.records.map((r) => r.key).sort()).toEqual(expected.sort());
    for (const a of ofType(delta.records, 'assessment')) {
      const old = ofType(full.records, 'assessment').find((x) => x.key === a.key)!;
      expect(a.midterm).not.toEqual(old.midterm);
    }
    // The provider recomputed its average with the new midterm: the rules agree with it.
    expect(problemsOf(delta.records)).toEqual([]);
  });
});
