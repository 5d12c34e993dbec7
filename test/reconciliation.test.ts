/**
 * Cross-target reconciliation of a school, read from its software (the sandbox REST school, with
 * fees) and compared with the payments SSC reported: a student who dropped out but still has an
 * open notice is listed until it is paid; a student whose notices were withdrawn is listed as
 * enrolled without a notice; billing guardians are not verified until C06 checks exist. And the
 * school's students and teachers against the city Education DB's roster (the sandbox city, which
 * does not know some students, spells some names without marks, has some birth dates a day off
 * and still holds students who moved away).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import rest from '../adapters/rest/index.ts';
import { type CitySandbox, startCitySandbox } from '../sandbox/city-edudb/index.ts';
import { type RestSchool, startRestSchool } from '../sandbox/vendors/rest-school/index.ts';
import { buildApp } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { createGatewayClient, type GatewayClientOptions } from '../src/gateway/index.ts';
import { createRunQueue, queueConnection } from '../src/pipeline/queue.ts';
import type { ReconciliationReport } from '../src/pipeline/reconcile.ts';
import { RunService } from '../src/pipeline/service.ts';
import { createApiKey, type Database, loadKeyring, upsertPayments } from '../src/store/index.ts';
import { createCityEduDbTarget } from '../src/targets/city-edudb.ts';
import { memoryDatabase } from './support/memory-database.ts';

const DISTRICT = { schools: 1, seed: 31, classesPerGrade: 1, classSize: 10 };
const SCHOOL = '79NB0001';
const KEY = 'reconcile-key';
const PREFIX = `edubridge-test-${randomUUID().slice(0, 8)}`;

interface VendorNotice {
  soPhieu: string;
  maHocSinh: string;
  tongTien: number;
  trangThai: string;
}

let school: RestSchool;
let city: CitySandbox;
let db: Database;
let redis: Redis;
let service: RunService;
let droppedOut: string;
let withoutNotice: string;
let openNotice: VendorNotice;

beforeAll(async () => {
  // The first student dropped out (Thôi học) while the school's books still bill them.
  school = await startRestSchool({
    ...DISTRICT,
    auth: { type: 'apiKey', key: KEY },
    corrupt: [{ kind: 'students', index: 0, set: { trangThai: 'Thôi học' } }],
  });
  const students = school.state.data.students.idList().map(
    (id) =>
      school.state.data.students.get(id) as {
        maHocSinh: string;
      },
  );
  droppedOut = students[0]!.maHocSinh;
  withoutNotice = students[1]!.maHocSinh;
  const notices = school.state.data.feeNotices
    .idList()
    .map((id) => school.state.data.feeNotices.get(id) as VendorNotice);
  openNotice = notices.find((n) => n.maHocSinh === droppedOut && n.trangThai === 'Chưa thu')!;
  expect(openNotice).toBeDefined();
  // The second student's notices were withdrawn at the school.
  school.state.data.mutate({
    feeNotices: { delete: notices.filter((n) => n.maHocSinh === withoutNotice).map((n) => n.soPhieu) },
  });
  city = await startCitySandbox({
    personality: 'wso2',
    district: { ...DISTRICT, unknownEvery: 7, differEvery: 5, cityOnly: 2 },
  });
  db = await memoryDatabase();
  redis = queueConnection('redis://127.0.0.1:6379');
  service = new RunService({
    db,
    keyring: loadKeyring({ NODE_ENV: 'test' }),
    queue: createRunQueue(redis, PREFIX),
    sources: async () => ({
      [SCHOOL]: {
        adapter: 'rest',
        config: { baseUrl: school.url, profile: 'sandbox-school', auth: { type: 'apiKey', key: KEY } },
      },
    }),
    targets: () => [
      createCityEduDbTarget({
        gateway: createGatewayClient(city.gatewayClientOptions() as unknown as GatewayClientOptions),
      }),
    ],
    loadAdapter: async () => rest,
  });
}, 60_000);

afterAll(async () => {
  await service?.close();
  redis?.disconnect();
  await db?.close();
  await school?.close();
  await city?.close();
});

it('lists the dropped-out student still billed and the enrolled student with no notice', async () => {
  const report = await service.reconcile(SCHOOL);
  // This school system carries guardians on the student (no guardianship stream): said, not hidden.
  expect(report.unavailable).toEqual(['guardianships']);
  expect(report.withdrawnStillBilled).toContainEqual({
    studentCode: droppedOut,
    status: 'dropped_out',
    receivableNo: openNotice.soPhieu,
    total: openNotice.tongTien,
    paid: 0,
    outstanding: openNotice.tongTien,
  });
  expect(report.withdrawnStillBilled.every((w) => w.studentCode === droppedOut)).toBe(true);
  expect(report.enrolledWithoutNotice).toEqual([
    { studentCode: withoutNotice, className: expect.any(String) },
  ]);
  expect(report.counts.enrolled).toBe(report.counts.students - 1);
  // No C06 checks yet: every billed guardian is unverified, and the report says why.
  expect(report.verificationSource).toBe('none');
  expect(report.counts.billedGuardianNotVerified).toBeGreaterThan(0);
  expect(
    report.billedGuardianNotVerified.every((g) =>
      ['not_checked', 'no_personal_id', 'no_guardian'].includes(g.reason),
    ),
  ).toBe(true);
  expect(report.billedGuardianNotVerified.some((g) => g.reason === 'not_checked')).toBe(true);
});

it('compares the school’s students and teachers with the city’s roster, naming fields, not values', async () => {
  const { cityRoster } = await service.reconcile(SCHOOL);
  expect(cityRoster).not.toBeNull();
  const roster = cityRoster!;
  expect(roster.students).toBe(school.state.data.students.size);
  expect(roster.teachers).toBeGreaterThan(0);
  // Students the city does not know yet: only in the school's software.
  expect(new Set(roster.onlyInSchool.map((o) => o.code))).toEqual(city.unknownStudentCodes);
  // Students who moved away: only in the city.
  expect(roster.onlyInCity).toEqual(
    [...city.cityOnlyStudentCodes].map((code) => ({ kind: 'HocSinh', code })),
  );
  // Each drifted record with the one field that drifted; the dropped-out student's status too.
  const expected = new Map<string, string[]>(
    [...city.differingStudents].map(([code, field]) => [code, [field]]),
  );
  expected.set(droppedOut, [...(expected.get(droppedOut) ?? []), 'TrangThai']);
  expect(new Map(roster.differing.map((d) => [d.code, d.fields]))).toEqual(expected);
  expect(roster.differing.every((d) => d.kind === 'HocSinh' && d.matchedBy === 'code')).toBe(true);
  expect(JSON.stringify(roster)).not.toMatch(/\d{12}/); // no personal ID in the report
});

it('a notice paid in full at SSC is no longer listed', async () => {
  await upsertPayments(db, loadKeyring({ NODE_ENV: 'test' }), [
    {
      type: 'payment',
      key: 'ssc:GD-1',
      source: { adapter: 'ssc', schoolCode: SCHOOL, pulledAt: new Date().toISOString() },
      schoolCode: SCHOOL,
      paymentId: 'GD-1',
      receivableNo: openNotice.soPhieu,
      studentCode: droppedOut,
      amount: openNotice.tongTien,
      channel: 'bank_transfer',
      paidAt: new Date().toISOString(),
    },
  ]);
  const report = await service.reconcile(SCHOOL);
  expect(report.withdrawnStillBilled.map((w) => w.receivableNo)).not.toContain(openNotice.soPhieu);
});

it('answers through the API to the school’s district and refuses another district', async () => {
  const app = await buildApp(loadConfig({ LOG_LEVEL: 'silent', REDIS_PREFIX: PREFIX }, { envFile: false }), {
    database: db,
    redis: new Redis({ lazyConnect: true, enableOfflineQueue: false }),
    runService: service,
  });
  try {
    const own = await createApiKey(db, { role: 'district', schools: [SCHOOL] });
    const other = await createApiKey(db, { role: 'district', schools: ['79XX0001'] });
    const url = `/v1/schools/${SCHOOL}/reconciliation`;
    const ok = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${own.key}` } });
    expect(ok.statusCode).toBe(200);
    expect((ok.json() as ReconciliationReport).enrolledWithoutNotice.map((e) => e.studentCode)).toEqual([
      withoutNotice,
    ]);
    const refused = await app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${other.key}` },
    });
    expect(refused.statusCode).toBe(403);
    // A school with no configured source is a clear 409, not a crash.
    const unknown = await app.inject({
      method: 'GET',
      url: '/v1/schools/79XX0001/reconciliation',
      headers: { authorization: `Bearer ${other.key}` },
    });
    expect(unknown.statusCode).toBe(409);
    expect(unknown.json()).toMatchObject({ code: 'SCHOOL_NOT_CONFIGURED' });
  } finally {
    await app.close();
  }
});
