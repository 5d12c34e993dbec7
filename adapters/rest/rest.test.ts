/**
 * The REST adapter against the live sandbox school system on loopback.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { feesDir, gradesDir } from '../../sandbox/vendors/rest-school/fees-dir.ts';
import {
  type RestSchool,
  type RestSchoolOptions,
  startRestSchool,
} from '../../sandbox/vendors/rest-school/index.ts';
import { sandboxSchoolProfile } from '../../sandbox/vendors/rest-school/profile.ts';
import { districtDir, readStream } from '../../sandbox/vendors/shared/district.ts';
import {
  type Assessment,
  type CanonicalRecord,
  checkRecord,
  type FeeItem,
  type LearningResult,
  type Receivable,
  type Student,
} from '../../src/model/index.ts';
import { readContext } from '../../src/sdk/conformance/index.ts';
import { parseAdapterConfig, RecordError, RetryableError } from '../../src/sdk/index.ts';
import adapter from './index.ts';
import { compileMapping } from './mapping.ts';
import sandboxProfile from './profiles/sandbox-school.json' with { type: 'json' };
import { baseContext, memoryLogger, readAll, TEST_NOW } from './testing.ts';

const DISTRICT = { seed: 7, schools: 1, classesPerGrade: 2, classSize: 20 };
const API_KEY = 'rest-test-api-key';
const asOf = TEST_NOW;
const fastRetry = { maxAttempts: 4, backoffMs: 5, maxRetryAfterMs: 5_000 };

const open: RestSchool[] = [];
async function sandbox(options: RestSchoolOptions = {}): Promise<RestSchool> {
  const school = await startRestSchool({ ...DISTRICT, auth: { type: 'apiKey', key: API_KEY }, ...options });
  open.push(school);
  return school;
}
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
});

const configFor = (school: RestSchool, extra: Record<string, unknown> = {}) => ({
  baseUrl: school.url,
  profile: 'sandbox-school',
  auth: { type: 'apiKey', key: API_KEY },
  retry: fastRetry,
  ...extra,
});

describe('rest adapter: full read', () => {
  let school: RestSchool;
  beforeAll(async () => {
    school = await sandbox();
  });

  it.each(['students', 'teachers', 'classes', 'enrollments'] as const)(
    'maps every %s record to a canonical record without a single problem',
    async (stream) => {
      const { records, rejected } = await readAll(adapter, stream, configFor(school));
      const expected =
        stream === 'teachers'
          ? school.state.data.teachers.size
          : stream === 'classes'
            ? school.state.data.classes.size
            : school.state.data.students.size;
      expect(records).toHaveLength(expected);
      expect(rejected).toEqual([]);
      const problems = records.flatMap((r) =>
        checkRecord(r, { asOf }).problems.map((p) => `${r.key} ${p.code}`),
      );
      expect(problems).toEqual([]);
    },
  );

  it('gives back the district the sandbox was generated from, field for field', async () => {
    const { records } = await readAll(adapter, 'students', configFor(school));
    const byCode = new Map(records.map((r) => [(r as Student).studentCode, r]));
    let compared = 0;
    for await (const original of readStream<Student>(await districtDir(DISTRICT), 'students')) {
      const { key: _k, source: _s, ...fields } = original;
      const mapped = byCode.get(original.studentCode)!;
      const { key, source, ...mappedFields } = mapped as Student;
      expect(mappedFields).toEqual(fields);
      expect(key).toBe(`rest-sandbox-school:student-${original.studentCode}`);
      expect(source).toEqual({
        adapter: 'rest',
        adapterVersion: '1.1.0',
        schoolCode: original.schoolCode,
        pulledAt: TEST_NOW.toISOString(),
        location: expect.stringMatching(/^\/api\/v1\/hoc-sinh page \d+ item \d+$/),
      });
      compared++;
    }
    expect(compared).toBe(records.length);
  });

  it('keeps personal ID numbers as 12-digit text with their leading zero', async () => {
    const { records } = await readAll(adapter, 'students', configFor(school));
    const ids = records.map((r) => (r as Student).personalId);
    expect(ids.every((id) => typeof id === 'string' && /^0\d{11}$/.test(id))).toBe(true);
  });

  it('gives the same keys on two reads', async () => {
    const a = await readAll(adapter, 'students', configFor(school));
    const b = await readAll(adapter, 'students', configFor(school));
    expect(b.records.map((r) => r.key)).toEqual(a.records.map((r) => r.key));
    expect(new Set(a.records.map((r) => r.key)).size).toBe(a.records.length);
  });

  it('ends with a checkpoint at the latest update it saw', async () => {
    const { checkpoint } = await readAll(adapter, 'teachers', configFor(school));
    const latest = Math.max(
      ...school.state.data.teachers.idList().map((id) => school.state.data.teachers.updatedAt(id)!),
    );
    expect(checkpoint).toMatchObject({ since: new Date(latest).toISOString() });
  });

  it('discovers the streams with their counts and the schools', async () => {
    const config = parseAdapterConfig(adapter.configSchema, configFor(school), 'rest');
    const discovery = await adapter.discover(config, baseContext());
    expect(discovery.streams).toEqual([
      { name: 'students', count: school.state.data.students.size },
      { name: 'teachers', count: school.state.data.teachers.size },
      { name: 'classes', count: school.state.data.classes.size },
      { name: 'enrollments', count: school.state.data.students.size },
      { name: 'fees', count: school.state.data.feeItems.size + school.state.data.feeNotices.size },
      // This school keeps no grade books (the sandbox's `grades` option is off).
      { name: 'assessments', count: 0 },
    ]);
    expect(discovery.schools).toEqual([{ schoolCode: '79NB0001', name: 'THCS Nguyễn Bình Khiêm' }]);
  });
});

describe('rest adapter: paging', () => {
  it.each([
    ['page', { type: 'page', pageParam: 'trang', sizeParam: 'kichThuoc', pageSize: 17 }, 'page'],
    ['offset', { type: 'offset', offsetParam: 'batDau', limitParam: 'kichThuoc', limit: 17 }, 'page'],
    [
      'nextLink in the body',
      { type: 'nextLink', next: '/tiepTheo', sizeParam: 'kichThuoc', pageSize: 17 },
      'nextLink',
    ],
    ['nextLink in the Link header', { type: 'nextLink', sizeParam: 'kichThuoc', pageSize: 17 }, 'nextLink'],
  ] as const)('reads every student by %s', async (_name, pagination, paging) => {
    const school = await sandbox({ paging });
    const { records } = await readAll(adapter, 'students', configFor(school, { pagination }));
    const size = school.state.data.students.size;
    expect(records).toHaveLength(size);
    expect(new Set(records.map((r) => r.key)).size).toBe(size);
    expect(school.state.requests.get('/api/v1/hoc-sinh')).toBe(Math.floor(size / 17) + 1);
  });
});

describe('rest adapter: incremental reads and deletions', () => {
  it('returns only the changed records and the deletions after a mutation (tombstones)', async () => {
    const school = await sandbox();
    const full = await readAll(adapter, 'students', configFor(school));
    const { students } = school.state.mutate({ students: { update: 5, delete: 3 } });
    const next = await readAll(adapter, 'students', configFor(school), { checkpoint: full.checkpoint! });
    expect(next.records.map((r) => r.key).sort()).toEqual(
      students!.updated.map((id) => `rest-sandbox-school:student-${id}`).sort(),
    );
    expect(next.deleted.sort()).toEqual(
      students!.deleted.map((id) => `rest-sandbox-school:student-${id}`).sort(),
    );
    const changed = next.records[0] as Student;
    expect(changed.guardians[0]!.phone).toBe(
      school.state.data.students.get(changed.studentCode)!.phuHuynh[0]!.dienThoai,
    );
  });

  it('returns nothing when nothing changed, and keeps its checkpoint', async () => {
    const school = await sandbox();
    const full = await readAll(adapter, 'students', configFor(school));
    const next = await readAll(adapter, 'students', configFor(school), { checkpoint: full.checkpoint! });
    expect(next.records).toEqual([]);
    expect(next.deleted).toEqual([]);
    expect(next.checkpoint).toEqual(full.checkpoint);
  });

  it('reads deletions from a deleted-records endpoint when the list leaves them out', async () => {
    const school = await sandbox({ deletions: 'endpoint' });
    const students = {
      ...sandboxProfile.streams.students,
      deleted: {
        path: '/api/v1/da-xoa',
        query: { loai: 'hoc-sinh' },
        items: '/duLieu',
        deletedAt: '/thoiGianXoa',
      },
    };
    const profile = { ...sandboxProfile, streams: { students } };
    const full = await readAll(adapter, 'students', configFor(school, { profile }));
    const { students: changed } = school.state.mutate({ students: { update: 2, delete: 4 } });
    const next = await readAll(adapter, 'students', configFor(school, { profile }), {
      checkpoint: full.checkpoint!,
    });
    expect(next.records.map((r) => r.key).sort()).toEqual(
      changed!.updated.map((id) => `rest-sandbox-school:student-${id}`).sort(),
    );
    expect(next.deleted.sort()).toEqual(
      changed!.deleted.map((id) => `rest-sandbox-school:student-${id}`).sort(),
    );
    // The deletions moved the checkpoint: the same deletions do not come again.
    const again = await readAll(adapter, 'students', configFor(school, { profile }), {
      checkpoint: next.checkpoint!,
    });
    expect(again.deleted).toEqual([]);
  });

  it('deletes classes by the same key the full read gave them', async () => {
    const school = await sandbox();
    const full = await readAll(adapter, 'classes', configFor(school));
    const { classes } = school.state.mutate({ classes: { delete: 1 } });
    const next = await readAll(adapter, 'classes', configFor(school), { checkpoint: full.checkpoint! });
    const [maTruong, namHoc, maLop] = classes!.deleted[0]!.split('/');
    expect(next.deleted).toEqual([`rest-sandbox-school:class-${maTruong}-${namHoc}-${maLop}`]);
    expect(full.records.map((r) => r.key)).toContain(next.deleted[0]);
  });
});

describe('rest adapter: fees', () => {
  const TWO_SCHOOLS = { seed: 9, schools: 2, classesPerGrade: 1, classSize: 12 };
  const SCHOOL = '79NB0002';
  let school: RestSchool;
  beforeAll(async () => {
    school = await sandbox(TWO_SCHOOLS);
  });
  const feesConfig = () => configFor(school, { profile: sandboxSchoolProfile(SCHOOL) });
  /** What the generator wrote for the school, in its order. */
  async function generated(): Promise<Array<FeeItem | Receivable>> {
    const out: Array<FeeItem | Receivable> = [];
    const dir = (await feesDir(await districtDir(TWO_SCHOOLS)))!;
    for await (const f of readStream<FeeItem | Receivable>(dir, 'fees'))
      if (f.schoolCode === SCHOOL) out.push(f);
    return out;
  }
  const fieldsOf = (r: CanonicalRecord) => {
    const { key: _k, source: _s, ...fields } = r;
    return fields;
  };

  it('reads a school’s fee items and notices: exactly what the generator wrote for it, field for field', async () => {
    const { records, rejected, checkpoint } = await readAll(adapter, 'fees', feesConfig());
    const expected = await generated();
    expect(rejected).toEqual([]);
    expect(records.map((r) => r.type)).toEqual(expected.map((r) => r.type));
    const notices = expected.filter((r): r is Receivable => r.type === 'receivable');
    const latest = notices
      .map((n) => n.dueDate)
      .sort()
      .at(-1);
    // The school shows its latest billing period unpaid (see sandbox/vendors/rest-school/README.md).
    const asServed = expected.map((r) =>
      r.type === 'receivable' && r.dueDate === latest ? { ...r, status: 'open' as const } : r,
    );
    expect(records.map(fieldsOf)).toEqual(asServed.map(fieldsOf));
    expect(records.map((r) => r.key)).toEqual(
      expected.map((r) =>
        r.type === 'feeItem'
          ? `rest-sandbox-school:fee-item-${SCHOOL}-${r.schoolYear}-${r.feeCode}`
          : `rest-sandbox-school:receivable-${(r as Receivable).receivableNo}`,
      ),
    );
    expect(records.filter((r) => r.type === 'feeItem')).toHaveLength(5);
    expect(records.every((r) => r.source.schoolCode === SCHOOL)).toBe(true);
    expect(checkpoint).toMatchObject({
      parts: { feeItem: { since: expect.any(String) }, receivable: { since: expect.any(String) } },
    });
  });

  it('passes the canonical schemas and rules, with a realistic share of notices open', async () => {
    const { records } = await readAll(adapter, 'fees', feesConfig());
    const problems = records.flatMap((r) =>
      checkRecord(r, { asOf }).problems.map((p) => `${r.key} ${p.code}`),
    );
    expect(problems).toEqual([]);
    const notices = records.filter((r): r is Receivable => r.type === 'receivable');
    const open = notices.filter((n) => n.status === 'open').length;
    expect(open / notices.length).toBeGreaterThan(0.45);
    expect(open).toBeLessThan(notices.length);
    expect(notices.every((n) => n.total === n.items.reduce((a, i) => a + i.amount, 0))).toBe(true);
  });

  it('returns only the changed fee item and notice, and reports the deleted notice', async () => {
    const s = await sandbox(TWO_SCHOOLS);
    const config = configFor(s, { profile: sandboxSchoolProfile(SCHOOL) });
    const full = await readAll(adapter, 'fees', config);
    const ids = (table: typeof s.state.data.feeNotices | typeof s.state.data.feeItems) =>
      table.idList().filter((id) => id.startsWith(SCHOOL));
    const item = ids(s.state.data.feeItems)[2]!;
    const [changed, gone] = [ids(s.state.data.feeNotices)[1]!, ids(s.state.data.feeNotices)[6]!];
    s.state.mutate({ feeItems: { update: [item] }, feeNotices: { update: [changed], delete: [gone] } });
    const next = await readAll(adapter, 'fees', config, { checkpoint: full.checkpoint! });
    expect(next.records.map((r) => r.key)).toEqual([
      `rest-sandbox-school:fee-item-${item.replaceAll('/', '-')}`,
      `rest-sandbox-school:receivable-${changed}`,
    ]);
    expect(next.deleted).toEqual([`rest-sandbox-school:receivable-${gone}`]);
    const before = full.records.find((r) => r.key === next.records[1]!.key) as Receivable;
    const after = next.records[1] as Receivable;
    expect(Date.parse(after.dueDate) - Date.parse(before.dueDate)).toBe(15 * 86_400_000);
    const amountBefore = (full.records.find((r) => r.key === next.records[0]!.key) as FeeItem).amount;
    expect((next.records[0] as FeeItem).amount).toBe(amountBefore + 1_000);

    const again = await readAll(adapter, 'fees', config, { checkpoint: next.checkpoint! });
    expect([again.records, again.deleted]).toEqual([[], []]);
    expect(again.checkpoint).toEqual(next.checkpoint);
  });

  it('reads the other school’s fees only with its own profile, and every school’s without a filter', async () => {
    const other = await readAll(
      adapter,
      'fees',
      configFor(school, { profile: sandboxSchoolProfile('79NB0001') }),
    );
    const all = await readAll(adapter, 'fees', configFor(school));
    const mine = await readAll(adapter, 'fees', feesConfig());
    expect(other.records.every((r) => r.schoolCode === '79NB0001')).toBe(true);
    expect(all.records).toHaveLength(other.records.length + mine.records.length);
    expect(all.records).toHaveLength(school.state.data.feeItems.size + school.state.data.feeNotices.size);
  });

  it('refuses a profile whose stream carries a record type not of that stream', async () => {
    const [items, notices] = sandboxProfile.streams.fees;
    const profile = {
      ...sandboxProfile,
      streams: { fees: [items, { ...notices, record: 'payment' }] },
    };
    await expect(readAll(adapter, 'fees', configFor(school, { profile }))).rejects.toMatchObject({
      code: 'PROFILE_INVALID',
      message: expect.stringContaining('streams.fees.1.record: stream fees carries feeItem, receivable'),
    });
  });
});

describe('rest profile engine: the number[] field type', () => {
  const head = {
    schoolCode: '/t',
    schoolYear: '/y',
    semester: { pointer: '/k', type: 'integer' as const },
    studentCode: '/s',
    className: '/l',
    subjectCode: '/m',
    evaluation: { const: 'scored' },
  };
  const map = compileMapping(
    'assessment',
    { ...head, regular: { pointer: '/tx', type: 'number[]', default: [] } },
    {},
  );
  const regularOf = (tx: unknown) =>
    map({ t: '79NB0001', y: '2025-2026', k: 1, s: '1', l: '6A1', m: 'TOAN', tx }).regular;

  it.each([
    [
      [8, 7.5, 10],
      [8, 7.5, 10],
    ],
    [
      ['8', '7,5', ' 9.25 '],
      [8, 7.5, 9.25],
    ],
    ['8; 7,5 ;10', [8, 7.5, 10]],
    ['6,5', [6.5]],
    [[], []],
    ['', []],
  ])('reads %j as %j', (tx, expected) => {
    expect(regularOf(tx)).toEqual(expected);
  });

  it.each([
    [[8, 'vắng'], 'regular.1'],
    [['1e1'], 'regular.0'],
    [[true], 'regular.0'],
    [[7, null], 'regular.1'],
    ['8;x', 'regular.1'],
  ])('refuses %j at %s, without quoting the value', (tx, field) => {
    let error: unknown;
    try {
      regularOf(tx);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RecordError);
    expect(error).toMatchObject({
      code: 'FIELD_INVALID',
      field,
      message: `${field}: không phải số / not a number`,
    });
  });
});

describe('rest adapter: grades (number[] marks, two endpoints of one record type)', () => {
  const GRADES = { seed: 13, schools: 1, classesPerGrade: 1, classSize: 6, grades: true };
  const SCHOOL = '79NB0001';
  let school: RestSchool;
  beforeAll(async () => {
    school = await sandbox(GRADES);
  });
  const gradesConfig = (s = school) => configFor(s, { profile: sandboxSchoolProfile(SCHOOL) });
  /** What the generator wrote: the grade book rows and the learning results, by their keys here. */
  async function generated(): Promise<Map<string, CanonicalRecord>> {
    const dir = (await gradesDir(await districtDir(GRADES)))!;
    const out = new Map<string, CanonicalRecord>();
    for await (const a of readStream<Assessment>(dir, 'assessments'))
      out.set(
        `rest-sandbox-school:assessment-${a.schoolCode}-${a.schoolYear}-${a.semester}-${a.studentCode}-${a.subjectCode}`,
        a,
      );
    const period = { semester1: 'HK1', semester2: 'HK2', year: 'CN' } as const;
    for await (const r of readStream<LearningResult>(dir, 'learning-results'))
      out.set(
        `rest-sandbox-school:learning-result-${r.schoolCode}-${r.schoolYear}-${period[r.period]}-${r.studentCode}`,
        r,
      );
    return out;
  }
  const fieldsOf = (r: CanonicalRecord) => {
    const { key: _k, source: _s, ...fields } = r;
    return fields;
  };

  it('reads every mark, comment and learning result the generator wrote, field for field', async () => {
    const { records, rejected, checkpoint } = await readAll(adapter, 'assessments', gradesConfig());
    const expected = await generated();
    expect(rejected).toEqual([]);
    expect(records).toHaveLength(expected.size);
    for (const r of records) expect([r.key, fieldsOf(r)]).toEqual([r.key, fieldsOf(expected.get(r.key)!)]);
    const scored = records.filter((r) => r.type === 'assessment' && r.evaluation === 'scored');
    const commented = records.filter((r) => r.type === 'assessment' && r.evaluation === 'commented');
    const count = (pick: (r: CanonicalRecord) => boolean) => [...expected.values()].filter(pick).length;
    expect([scored.length, commented.length]).toEqual([
      count((r) => r.type === 'assessment' && r.evaluation === 'scored'),
      count((r) => r.type === 'assessment' && r.evaluation === 'commented'),
    ]);
    expect(commented.length).toBeGreaterThan(100);
    // Three learning results a student: both semesters and the year.
    const students = new Set(records.map((r) => (r as Assessment).studentCode));
    expect(records.filter((r) => r.type === 'learningResult')).toHaveLength(students.size * 3);
    expect((scored[0] as Assessment).regular.every((m) => typeof m === 'number')).toBe(true);
    // The marks and comments books both give assessments: each part keeps its checkpoint by name.
    expect(checkpoint).toMatchObject({
      parts: {
        marks: { since: expect.any(String) },
        comments: { since: expect.any(String) },
        learningResult: { since: expect.any(String) },
      },
    });
  });

  it('passes the canonical schemas and rules without a single problem', async () => {
    const { records } = await readAll(adapter, 'assessments', gradesConfig());
    const problems = records.flatMap((r) =>
      checkRecord(r, { asOf }).problems.map((p) => `${r.key} ${p.code}`),
    );
    expect(problems).toEqual([]);
  });

  it('returns only the corrected mark, comment and conduct, and reports the deleted row', async () => {
    const s = await sandbox(GRADES);
    const full = await readAll(adapter, 'assessments', gradesConfig(s));
    const mark = s.state.data.marks.idList()[5]!;
    const comment = s.state.data.comments.idList()[3]!;
    const result = s.state.data.learningResults.idList()[0]!;
    const gone = s.state.data.marks.idList()[9]!;
    const before = s.state.data.marks.get(mark)!.diemTX.at(-1)!;
    s.state.mutate({
      marks: { update: [mark], delete: [gone] },
      comments: { update: [comment] },
      learningResults: { update: [result] },
    });
    const next = await readAll(adapter, 'assessments', gradesConfig(s), { checkpoint: full.checkpoint! });
    const keyOf = (id: string, kind: string) => `rest-sandbox-school:${kind}-${id.replaceAll('/', '-')}`;
    expect(next.records.map((r) => r.key)).toEqual([
      keyOf(mark, 'assessment'),
      keyOf(comment, 'assessment'),
      keyOf(result, 'learning-result'),
    ]);
    expect(next.deleted).toEqual([keyOf(gone, 'assessment')]);
    const corrected = next.records[0] as Extract<Assessment, { evaluation: 'scored' }>;
    expect(corrected.regular.at(-1)).toBe(before >= 10 ? 9.5 : before + 0.5);
    expect(checkRecord(corrected, { asOf }).problems).toEqual([]);
    const again = await readAll(adapter, 'assessments', gradesConfig(s), { checkpoint: next.checkpoint! });
    expect([again.records, again.deleted]).toEqual([[], []]);
  });

  it('takes marks as numbers, as text with a decimal comma, or as text split on ";"', async () => {
    const s = await sandbox({
      ...GRADES,
      corrupt: [
        { kind: 'marks', index: 0, set: { diemTX: ['8', '7,5', ' 9 '] } },
        { kind: 'marks', index: 1, set: { diemTX: '6,5; 7;10' } },
      ],
    });
    const { records, rejected } = await readAll(adapter, 'assessments', gradesConfig(s));
    expect(rejected).toEqual([]);
    const byKey = new Map(records.map((r) => [r.key, r]));
    const [first, second] = s.state.data.marks
      .idList()
      .map((id) => `rest-sandbox-school:assessment-${id.replaceAll('/', '-')}`);
    expect((byKey.get(first!) as Assessment).regular).toEqual([8, 7.5, 9]);
    expect((byKey.get(second!) as Assessment).regular).toEqual([6.5, 7, 10]);
  });

  it('rejects a mark that is not a number, naming its place in the list, and reads the rest', async () => {
    const s = await sandbox({
      ...GRADES,
      corrupt: [
        { kind: 'marks', index: 2, set: { diemTX: [8, 'vắng', 7] } },
        { kind: 'marks', index: 3, set: { diemTX: [8, ''] } },
      ],
    });
    const { records, rejected } = await readAll(adapter, 'assessments', gradesConfig(s));
    expect(records).toHaveLength((await generated()).size - 2);
    expect(rejected.map((e) => [e.code, e.field, e.location])).toEqual([
      ['FIELD_INVALID', 'regular.1', '/api/v1/so-diem page 1 item 3'],
      ['FIELD_INVALID', 'regular.1', '/api/v1/so-diem page 1 item 4'],
    ]);
    // The value is never quoted: it may be a person's.
    expect(rejected[0]!.message).toBe('regular.1: không phải số / not a number');
  });

  it('refuses a profile with two parts of one record type unless each is named', async () => {
    const [marks, comments, results] = sandboxProfile.streams.assessments;
    const { name: _m, ...unnamedMarks } = marks!;
    const { name: _c, ...unnamedComments } = comments!;
    const profile = { ...sandboxProfile, streams: { assessments: [unnamedMarks, unnamedComments, results] } };
    await expect(readAll(adapter, 'assessments', configFor(school, { profile }))).rejects.toMatchObject({
      code: 'PROFILE_INVALID',
      message: expect.stringContaining('a record type read from two endpoints needs a "name" on each part'),
    });
  });
});

describe('rest adapter: authentication', () => {
  it('reads with HTTP basic', async () => {
    const school = await sandbox({ auth: { type: 'basic', username: 'truong', password: 'mat-khau-1' } });
    const { records } = await readAll(
      adapter,
      'classes',
      configFor(school, { auth: { type: 'basic', username: 'truong', password: 'mat-khau-1' } }),
    );
    expect(records).toHaveLength(school.state.data.classes.size);
  });

  it('reads with OAuth2 client credentials, one token for the whole read', async () => {
    const school = await sandbox({ auth: { type: 'oauth2', clientId: 'edubridge', clientSecret: 'bi-mat' } });
    const auth = { type: 'oauth2', tokenUrl: '/oauth/token', clientId: 'edubridge', clientSecret: 'bi-mat' };
    const { records } = await readAll(adapter, 'students', configFor(school, { auth, pageSize: 50 }));
    expect(records).toHaveLength(school.state.data.students.size);
    expect(school.state.auth.counters.tokensIssued).toBe(1);
  });

  it('refreshes a revoked token once and goes on', async () => {
    const school = await sandbox({ auth: { type: 'oauth2', clientId: 'edubridge', clientSecret: 'bi-mat' } });
    const auth = { type: 'oauth2', tokenUrl: '/oauth/token', clientId: 'edubridge', clientSecret: 'bi-mat' };
    let pages = 0;
    const config = parseAdapterConfig(
      adapter.configSchema,
      configFor(school, { auth, pageSize: 50 }),
      'rest',
    );
    let records = 0;
    for await (const item of adapter.read('students', readContext(baseContext(), config, undefined))) {
      if ('kind' in item) continue;
      if (++records % 50 === 1 && ++pages === 2) school.state.auth.revokeTokens();
    }
    expect(records).toBe(school.state.data.students.size);
    expect(school.state.auth.counters.tokensIssued).toBe(2);
    expect(school.state.auth.counters.requestsRefused).toBe(1);
  });

  it('refreshes a token that dies before the time it announced', async () => {
    const school = await sandbox({
      auth: {
        type: 'oauth2',
        clientId: 'edubridge',
        clientSecret: 'bi-mat',
        tokenTtlSeconds: 0.05,
        advertisedExpiresIn: 3600,
      },
      faults: { latencyMs: 30 },
    });
    const auth = { type: 'oauth2', tokenUrl: '/oauth/token', clientId: 'edubridge', clientSecret: 'bi-mat' };
    const { records } = await readAll(adapter, 'classes', configFor(school, { auth, pageSize: 4 }));
    expect(records).toHaveLength(school.state.data.classes.size);
    expect(school.state.auth.counters.requestsRefused).toBeGreaterThan(0);
    expect(school.state.auth.counters.tokensIssued).toBe(school.state.auth.counters.requestsRefused + 1);
  });

  it.each([
    ['API key', { type: 'apiKey', key: API_KEY }, { type: 'apiKey', key: 'khoa-sai-123' }],
    [
      'basic',
      { type: 'basic', username: 'truong', password: 'mat-khau-1' },
      { type: 'basic', username: 'truong', password: 'mat-khau-sai' },
    ],
    [
      'OAuth2',
      { type: 'oauth2', clientId: 'edubridge', clientSecret: 'bi-mat' },
      { type: 'oauth2', tokenUrl: '/oauth/token', clientId: 'edubridge', clientSecret: 'bi-mat-sai' },
    ],
  ] as const)(
    'reports refused %s credentials as a problem, without the secret',
    async (_name, serverAuth, clientAuth) => {
      const school = await sandbox({ auth: serverAuth as never });
      const config = parseAdapterConfig(
        adapter.configSchema,
        configFor(school, { auth: clientAuth }),
        'rest',
      );
      const result = await adapter.check(config, baseContext());
      expect(result.ok).toBe(false);
      const problems = result.ok ? [] : result.problems;
      expect(problems.map((p) => p.code)).toEqual(['AUTH_REFUSED']);
      const secret =
        'key' in clientAuth
          ? clientAuth.key
          : 'password' in clientAuth
            ? clientAuth.password
            : clientAuth.clientSecret;
      expect(problems[0]!.message).not.toContain(secret);
      expect(problems[0]!.message).toContain('Sandbox school system (REST)');
    },
  );

  it('says ok when the credentials work', async () => {
    const school = await sandbox();
    const config = parseAdapterConfig(adapter.configSchema, configFor(school), 'rest');
    expect(await adapter.check(config, baseContext())).toEqual({ ok: true });
  });

  it('reports an unreachable source as a problem', async () => {
    const school = await sandbox();
    const url = school.url;
    await school.close();
    open.splice(open.indexOf(school), 1);
    const config = parseAdapterConfig(adapter.configSchema, { ...configFor(school), baseUrl: url }, 'rest');
    const result = await adapter.check(config, baseContext());
    expect(result).toMatchObject({ ok: false, problems: [{ code: 'UNREACHABLE' }] });
  });

  it('rejects a config whose auth lacks its secret, naming the field', () => {
    expect(() =>
      parseAdapterConfig(
        adapter.configSchema,
        { baseUrl: 'http://127.0.0.1:1', profile: 'sandbox-school', auth: { type: 'basic', username: 'a' } },
        'rest',
      ),
    ).toThrow(/auth\.password: required for basic auth/);
  });
});

describe('rest adapter: misbehaving source', () => {
  it('waits out 429s with Retry-After and counts them', async () => {
    const school = await sandbox({ faults: { after: 1, rateLimit: { count: 2, retryAfterSeconds: 0.05 } } });
    const logger = memoryLogger();
    const started = Date.now();
    const { records } = await readAll(adapter, 'students', configFor(school, { pageSize: 40 }), { logger });
    expect(records).toHaveLength(school.state.data.students.size);
    expect(school.state.faults.injected.rateLimited).toBe(2);
    expect(logger.entries.filter((e) => e.msg === 'retrying').map((e) => e.data?.code)).toEqual([
      'HTTP_429',
      'HTTP_429',
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('survives a burst of 5xx and counts it', async () => {
    const school = await sandbox({ faults: { after: 2, serverErrors: { count: 3, status: 502 } } });
    const logger = memoryLogger();
    const { records } = await readAll(adapter, 'students', configFor(school, { pageSize: 40 }), { logger });
    expect(records).toHaveLength(school.state.data.students.size);
    expect(school.state.faults.injected.serverErrors).toBe(3);
    expect(logger.entries.filter((e) => e.msg === 'retrying')).toHaveLength(3);
  });

  it('gives up with a RetryableError when the 5xx outlast its tries', async () => {
    const school = await sandbox({ faults: { serverErrors: { count: 10 } } });
    await expect(readAll(adapter, 'students', configFor(school))).rejects.toMatchObject({
      name: 'RetryableError',
      code: 'HTTP_503',
    });
  });

  it('hands a long Retry-After to the hub instead of waiting', async () => {
    const school = await sandbox({ faults: { rateLimit: { count: 1, retryAfterSeconds: 120 } } });
    const error = await readAll(adapter, 'students', configFor(school)).catch((e) => e);
    // A quota is a ThrottledError: a RetryableError the push side waits out without an attempt.
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ name: 'ThrottledError', code: 'HTTP_429', retryAfterMs: 120_000 });
  });

  it('stops promptly when the read is aborted', async () => {
    const school = await sandbox({ faults: { latencyMs: 200 } });
    const controller = new AbortController();
    const config = parseAdapterConfig(adapter.configSchema, configFor(school, { pageSize: 10 }), 'rest');
    let abortedAt = 0;
    let records = 0;
    const reading = (async () => {
      for await (const item of adapter.read(
        'students',
        readContext(baseContext({ signal: controller.signal }), config, undefined),
      )) {
        if (!('kind' in item) && ++records === 15) {
          // In the middle of the next page's 200 ms wait.
          setTimeout(() => {
            abortedAt = Date.now();
            controller.abort();
          }, 50);
        }
      }
    })();
    await expect(reading).rejects.toThrow();
    expect(Date.now() - abortedAt).toBeLessThan(100);
    expect(records).toBe(20);
    expect(school.state.requests.get('/api/v1/hoc-sinh')).toBeLessThanOrEqual(3);
  });
});

describe('rest adapter: broken pages (the SDK page policy)', () => {
  let school: RestSchool;
  let expected: string[];
  const broken = () => ({ ...school.state.faults.injected });
  const keysOf = (outcome: { records: CanonicalRecord[] }) => outcome.records.map((r) => r.key);
  beforeAll(async () => {
    school = await sandbox();
    expected = keysOf(await readAll(adapter, 'students', configFor(school, { pageSize: 40 })));
  });
  afterEach(() => school.state.faults.set({}));

  it.each([
    ['cut off mid-JSON', { brokenPages: 1 }, 'PAGE_MALFORMED'],
    ['short of items while its total says more', { shortPages: 1 }, 'PAGE_TRUNCATED'],
    ['empty while its total says more', { emptyPages: 1 }, 'PAGE_EMPTY_UNEXPECTED'],
    ['hollow, without its list and total', { hollowPages: 1 }, 'PAGE_MALFORMED'],
  ] as const)('asks again for a page %s, and reads every record exactly once', async (_name, fault, code) => {
    school.state.faults.set({ after: 1, ...fault });
    const logger = memoryLogger();
    const read = await readAll(adapter, 'students', configFor(school, { pageSize: 40 }), { logger });
    expect(keysOf(read)).toEqual(expected);
    expect(logger.entries.filter((e) => e.msg === 'retrying').map((e) => e.data?.code)).toEqual([code]);
  });

  it('asks again for a page at an offset that is empty while its total says more', async () => {
    const pagination = { type: 'offset', offsetParam: 'batDau', limitParam: 'kichThuoc', limit: 40 };
    school.state.faults.set({ after: 2, emptyPages: 1 });
    const logger = memoryLogger();
    const read = await readAll(adapter, 'students', configFor(school, { pagination }), { logger });
    expect(keysOf(read)).toEqual(expected);
    expect(logger.entries.filter((e) => e.msg === 'retrying').map((e) => e.data?.code)).toEqual([
      'PAGE_EMPTY_UNEXPECTED',
    ]);
  });

  it('asks again for a page that is empty although it links a next one', async () => {
    const linked = await sandbox({ paging: 'nextLink' });
    const config = configFor(linked, {
      pagination: { type: 'nextLink', next: '/tiepTheo', sizeParam: 'kichThuoc', pageSize: 40 },
    });
    const whole = keysOf(await readAll(adapter, 'students', config));
    linked.state.faults.set({ after: 1, emptyPages: 1 });
    const read = await readAll(adapter, 'students', config);
    expect(keysOf(read)).toEqual(whole);
    expect(linked.state.faults.injected.emptyPages).toBe(1);
  });

  it('fails after three tries in all with a RetryableError naming the URL, the page and what was wrong', async () => {
    const before = broken();
    school.state.faults.set({ after: 1, brokenPages: 100 });
    const error = await readAll(adapter, 'students', configFor(school, { pageSize: 40 })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ code: 'PAGE_MALFORMED', tries: 3 });
    expect((error as Error).message).toBe(
      'Sandbox school system (REST): Trang 2 của /api/v1/hoc-sinh?trang=2&kichThuoc=40: JSON hỏng sau 3 lần thử' +
        ' / Page 2 of /api/v1/hoc-sinh?trang=2&kichThuoc=40: malformed JSON after 3 tries',
    );
    expect(broken().brokenPages - before.brokenPages).toBe(3);
  });

  it('names how many items a page cut short every time held, and how many its total promised', async () => {
    school.state.faults.set({ after: 1, shortPages: 100 });
    const error = await readAll(adapter, 'students', configFor(school, { pageSize: 40 })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'PAGE_TRUNCATED', retryable: true, tries: 3 });
    expect((error as Error).message).toContain(
      'Page 2 of /api/v1/hoc-sinh?trang=2&kichThuoc=40: 20 items where the total promised 40 after 3 tries',
    );
  });

  it('takes its number of tries from retry.pageAttempts', async () => {
    const before = broken();
    school.state.faults.set({ after: 1, brokenPages: 100 });
    const config = configFor(school, { pageSize: 40, retry: { ...fastRetry, pageAttempts: 5 } });
    await expect(readAll(adapter, 'students', config)).rejects.toMatchObject({ tries: 5 });
    expect(broken().brokenPages - before.brokenPages).toBe(5);
  });

  it('stops promptly when the read is aborted while it waits to ask again', async () => {
    const before = broken();
    school.state.faults.set({ after: 1, brokenPages: 100 });
    const controller = new AbortController();
    const config = configFor(school, { pageSize: 40, retry: { ...fastRetry, backoffMs: 60_000 } });
    const reading = readAll(adapter, 'students', config, { signal: controller.signal });
    while (broken().brokenPages === before.brokenPages) await new Promise((r) => setTimeout(r, 5));
    const abortedAt = performance.now();
    controller.abort();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - abortedAt).toBeLessThan(200);
    expect(broken().brokenPages - before.brokenPages).toBe(1);
  });
});

describe('rest adapter: records that cannot be mapped', () => {
  it('rejects each with its page, item and field, and reads the rest', async () => {
    const school = await sandbox({
      corrupt: [
        { kind: 'students', index: 3, set: { ngaySinh: '31/02/2013' } },
        { kind: 'students', index: 25, set: { gioiTinh: 'X' } },
        { kind: 'students', index: 26, set: { hoTen: null } },
      ],
    });
    const { records, rejected } = await readAll(adapter, 'students', configFor(school, { pageSize: 20 }));
    expect(records).toHaveLength(school.state.data.students.size - 3);
    expect(rejected.every((e) => e instanceof RecordError)).toBe(true);
    expect(rejected.map((e) => ({ code: e.code, field: e.field, location: e.location }))).toEqual([
      { code: 'DATE_UNPARSEABLE', field: 'birthDate', location: '/api/v1/hoc-sinh page 1 item 4' },
      { code: 'CODE_UNKNOWN', field: 'gender', location: '/api/v1/hoc-sinh page 2 item 6' },
      { code: 'FIELD_MISSING', field: 'fullName', location: '/api/v1/hoc-sinh page 2 item 7' },
    ]);
  });

  it('rejects a record without its id as RECORD_KEY_MISSING, a record code apart from the keyring KEY_MISSING', async () => {
    const school = await sandbox({ corrupt: [{ kind: 'students', index: 2, set: { maHocSinh: null } }] });
    const { records, rejected } = await readAll(adapter, 'students', configFor(school));
    expect(records).toHaveLength(school.state.data.students.size - 1);
    expect(rejected.map((e) => [e.code, e.field])).toEqual([['RECORD_KEY_MISSING', 'key']]);
    expect(rejected[0]!.message).toBe(
      'Bản ghi không có mã (khóa student-{/maHocSinh}) / The record has no id for its key student-{/maHocSinh}',
    );
  });

  it('names the guardian a bad relationship belongs to', async () => {
    const school = await sandbox();
    const id = school.state.data.students.idList()[0]!;
    school.state.data.students.update(
      id,
      (s) => {
        s.phuHuynh[1]!.quanHe = 'Hàng xóm';
      },
      Date.now(),
    );
    const { rejected } = await readAll(adapter, 'students', configFor(school));
    expect(rejected.map((e) => [e.code, e.field])).toEqual([['CODE_UNKNOWN', 'guardians.1.relationship']]);
  });

  it('refuses a profile that maps no required field, before reading', async () => {
    const school = await sandbox();
    const { gender: _g, ...fields } = sandboxProfile.streams.students.fields;
    const profile = {
      ...sandboxProfile,
      streams: { students: { ...sandboxProfile.streams.students, fields } },
    };
    await expect(readAll(adapter, 'students', configFor(school, { profile }))).rejects.toMatchObject({
      code: 'PROFILE_INVALID',
      message: expect.stringContaining('gender'),
    });
    const config = parseAdapterConfig(
      adapter.configSchema,
      configFor(school, { profile: { ...profile, system: 'Bad Name' } }),
      'rest',
    );
    expect(await adapter.check(config, baseContext())).toMatchObject({
      ok: false,
      problems: [{ code: 'PROFILE_INVALID' }],
    });
  });
});
