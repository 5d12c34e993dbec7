/**
 * Identity end to end: a sync run registers the people the school knows (students, their
 * guardians, teachers); online checks go through the X-Road gateway simulator to the sandbox C06,
 * whose population carries realistic discrepancies; each kind of discrepancy ends in the status it
 * should; a card read at school verifies offline; the API shows status and coverage; every check
 * is in the audit log, whose hash chain holds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rest from '../adapters/rest/index.ts';
import { populationFromRecords, startC06Sandbox } from '../sandbox/c06/index.ts';
import {
  readDistrict,
  sandboxGatewayClientOptions,
  startCitySandbox,
  startSandboxGateway,
} from '../sandbox/city-edudb/index.ts';
import { generateDistrict } from '../sandbox/generator/index.ts';
import { startRestSchool } from '../sandbox/vendors/rest-school/index.ts';
import { identityObserver } from '../src/app/identity.ts';
import { buildApp } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { createGatewayClient, type GatewayClientOptions } from '../src/gateway/index.ts';
import { createC06Client } from '../src/identity/c06/client.ts';
import { formatCccdQr } from '../src/identity/offline/qr.ts';
import { IdentityError, IdentityService } from '../src/identity/service.ts';
import type { CanonicalRecord, Student } from '../src/model/records.ts';
import { runSync } from '../src/pipeline/sync.ts';
import {
  createApiKey,
  createDatabase,
  type Database,
  guardianKeyOf,
  guardianLinksOf,
  identityCoverage,
  type Keyring,
  listAudit,
  loadKeyring,
  migrateToLatest,
  peopleByPersonalId,
  personIdsOf,
  verifyAuditChain,
} from '../src/store/index.ts';
import { createCityEduDbTarget } from '../src/targets/city-edudb.ts';

const DISTRICT = { schools: 1, seed: 11, classesPerGrade: 1, classSize: 16 };
const SCHOOL = '79NB0001';
const API_KEY = 'identity-test-key';
const ASKER = { actor: 'cli:test', role: 'district', purpose: 'enrolment-verification' };

let db: Database;
let keyring: Keyring;
let records: CanonicalRecord[];
let population: ReturnType<typeof populationFromRecords>;
const closers: Array<() => Promise<unknown>> = [];
let service: IdentityService;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'edubridge-identity-'));
  try {
    await generateDistrict({ ...DISTRICT, outDir: dir, streams: ['teachers', 'students'] });
    records = [...(await readDistrict(dir, ['teachers', 'students'])).values()].flat();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  population = populationFromRecords(records, { seed: 5, spellingEvery: 7, wrongBirthDateEvery: 9 });
  const c06 = await startC06Sandbox({ population: population.citizens });
  closers.push(() => c06.close());
  const gateway = await startSandboxGateway('xroad', { routes: { c06: c06.url } });
  closers.push(() => gateway.close());
  db = await createDatabase({ DATABASE_URL: undefined, PGLITE_DIR: undefined } as never);
  closers.push(() => db.close());
  await migrateToLatest(db);
  keyring = loadKeyring({ NODE_ENV: 'test' });
  service = new IdentityService({
    db,
    keyring,
    c06: createC06Client({
      gateway: createGatewayClient(
        sandboxGatewayClientOptions(gateway.url, 'xroad', 'c06', '') as unknown as GatewayClientOptions,
      ),
      service: 'c06',
      requester: { officialId: '079085000123', unitCode: 'H29.09', account: 'edubridge' },
    }),
  });
}, 120_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

const students = () => records.filter((r): r is Student => r.type === 'student' && r.schoolCode === SCHOOL);
const personOf = async (personalId: string) =>
  (await peopleByPersonalId(db, keyring, personalId, [SCHOOL]))[0];

describe('identity', () => {
  it('a sync run registers the school’s students and guardians, unchecked, with their links', async () => {
    const school = await startRestSchool({ ...DISTRICT, auth: { type: 'apiKey', key: API_KEY } });
    const city = await startCitySandbox({ personality: 'wso2', district: DISTRICT });
    closers.push(
      () => school.close(),
      () => city.close(),
    );
    const observe = identityObserver(db, keyring);
    const result = await runSync({
      db,
      keyring,
      adapter: rest,
      adapterConfig: {
        baseUrl: school.url,
        profile: 'sandbox-school',
        auth: { type: 'apiKey', key: API_KEY },
      },
      targets: [
        createCityEduDbTarget({
          gateway: createGatewayClient(city.gatewayClientOptions() as unknown as GatewayClientOptions),
        }),
      ],
      schoolCode: SCHOOL,
      streams: ['students'],
      mode: 'full',
      asOf: new Date('2026-11-27T00:00:00Z'),
      onValidRecords: (batch) => observe(SCHOOL, batch),
    });
    expect(result.counts.valid).toBeGreaterThan(0);
    const coverage = await identityCoverage(db, SCHOOL);
    expect(coverage.student.total).toBe(result.counts.valid);
    expect(coverage.student.verified).toBe(0);
    expect(coverage.student.unchecked + coverage.student.noPersonalId).toBe(coverage.student.total);
    // Each guardian with an ID is one person, however many children they have at the school.
    const guardianIds = new Set(
      students()
        .flatMap((s) => s.guardians)
        .map((g) => g.personalId)
        .filter(Boolean),
    );
    expect(coverage.guardian.total - coverage.guardian.noPersonalId).toBeLessThanOrEqual(guardianIds.size);
    // The adapter keys records its own way: the student is found by ID number, as SSO would.
    const first = students().find((s) => s.personalId && s.guardians.some((g) => g.personalId))!;
    const firstKey = (await personOf(first.personalId!))!.recordKey;
    const links = await guardianLinksOf(db, { schoolCode: SCHOOL, studentKey: firstKey });
    expect(links.map((l) => l.guardianKey)).toContain(
      guardianKeyOf(keyring, first.guardians.find((g) => g.personalId)!.personalId!),
    );
    expect(links.every((l) => !l.verified)).toBe(true);
  }, 120_000);

  it('checks everyone against C06: each discrepancy ends in the status it should', async () => {
    const ids = await personIdsOf(db, { schoolCode: SCHOOL });
    const outcomes = await service.checkOnline(ids, ASKER);
    expect(outcomes).toHaveLength(ids.length);
    expect(outcomes.filter((o) => o.result === 'error')).toEqual([]);

    const byKind = new Map<string, string[]>();
    for (const d of population.discrepancies)
      byKind.set(d.kind, [...(byKind.get(d.kind) ?? []), d.personalId]);
    const checkedStatus = async (personalId: string) => (await personOf(personalId))?.status;

    for (const id of byKind.get('unknown') ?? []) {
      const status = await checkedStatus(id);
      if (status) expect(status).toBe('not_found');
    }
    for (const id of byKind.get('tone_placement') ?? []) {
      const status = await checkedStatus(id);
      if (status) expect(status).toBe('verified');
    }
    let spelled = 0;
    for (const id of byKind.get('spelling') ?? []) {
      const person = await personOf(id);
      if (!person) continue;
      spelled++;
      expect(person.status).toBe('mismatch');
      expect(person.statusDetail).toMatchObject({ fields: [{ field: 'fullName', how: 'diacritics_only' }] });
    }
    let misdated = 0;
    for (const id of byKind.get('wrong_birth_date') ?? []) {
      const person = await personOf(id);
      if (!person?.facts?.birthDate) continue;
      misdated++;
      expect(person.status).toBe('mismatch');
      expect(person.statusDetail).toMatchObject({ fields: [{ field: 'birthDate', how: 'different' }] });
    }
    expect(spelled + misdated).toBeGreaterThan(0);

    // A guardian C06 does not list as the student's parent or representative stays unconfirmed;
    // every other link of a student C06 knows is confirmed.
    const unregistered = population.discrepancies.filter((d) => d.kind === 'not_registered_guardian');
    expect(unregistered.length).toBeGreaterThan(0);
    for (const d of unregistered) {
      const student = await personOf(d.personalId);
      if (student?.role !== 'student') continue;
      const links = await guardianLinksOf(db, { schoolCode: SCHOOL, studentKey: student.recordKey });
      const key = guardianKeyOf(keyring, d.guardianPersonalId!);
      expect(links.find((l) => l.guardianKey === key)?.verified).toBe(false);
    }
    const plain = students().find(
      (s) =>
        s.personalId &&
        s.guardians.some((g) => g.personalId) &&
        !population.discrepancies.some((d) => d.personalId === s.personalId),
    )!;
    const plainKey = (await personOf(plain.personalId!))!.recordKey;
    const plainLinks = await guardianLinksOf(db, { schoolCode: SCHOOL, studentKey: plainKey });
    expect(plainLinks.filter((l) => l.guardianKey.startsWith('guardian:') && l.verified).length).toBe(
      plain.guardians.filter((g) => g.personalId).length,
    );
    expect((await personOf(plain.personalId!))?.status).toBe('verified');

    // Who asked, for what, about whom: one audit entry a check, in a chain that holds.
    const entries = await listAudit(db, { action: 'identity:check:c06', limit: 1000 });
    expect(entries).toHaveLength(outcomes.filter((o) => o.result !== 'skipped').length);
    expect(entries.every((e) => e.detail?.purpose === ASKER.purpose && e.actor === ASKER.actor)).toBe(true);
    expect(JSON.stringify(entries)).not.toContain(plain.personalId!);
    expect((await verifyAuditChain(db)).broken).toBeUndefined();
  }, 120_000);

  it('a card read at school verifies offline, and a broken payload names its rule and field', async () => {
    const student = students().find(
      (s) => s.personalId && !population.discrepancies.some((d) => d.personalId === s.personalId),
    )!;
    const qr = formatCccdQr({
      personalId: student.personalId!,
      legacyId: null,
      fullName: student.fullName,
      birthDate: student.birthDate,
      gender: student.gender,
      address: '12 Lê Lợi, xã Nhà Bè, TP.HCM',
      issueDate: '2025-08-01',
      extra: [],
    });
    const outcome = await service.checkOffline({ payload: qr, schoolCodes: [SCHOOL] }, ASKER);
    expect(outcome).toMatchObject({ method: 'qr', result: 'verified_offline', fields: [] });
    expect((await personOf(student.personalId!))?.status).toBe('verified_offline');

    const other = await service
      .checkOffline({ payload: qr, schoolCodes: ['79XX9999'] }, ASKER)
      .catch((e: unknown) => e);
    expect(other).toBeInstanceOf(IdentityError);
    expect((other as IdentityError).code).toBe('IDENTITY_PERSON_UNKNOWN');

    const broken = await service
      .checkOffline({ payload: qr.replace(/\|Nam\||\|Nữ\|/, '|X|'), schoolCodes: [SCHOOL] }, ASKER)
      .catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(IdentityError);
    expect((broken as IdentityError).details).toMatchObject({
      rule: 'QR_GENDER',
      field: 'gender',
      position: 5,
    });
  });

  it('the coverage report lists, in Excel, everyone to follow up with what differs', async () => {
    const { writeIdentityReport } = await import('../src/cli/commands/identity-store.ts');
    const { peopleToFollowUp } = await import('../src/store/index.ts');
    const ExcelJS = (await import('exceljs')).default;
    const dir = await mkdtemp(join(tmpdir(), 'edubridge-identity-report-'));
    try {
      const file = join(dir, 'report.xlsx');
      const coverage = await identityCoverage(db, SCHOOL);
      const people = await peopleToFollowUp(db, keyring, SCHOOL);
      await writeIdentityReport(file, SCHOOL, coverage, people);
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(file);
      const summary = book.getWorksheet('Tong hop')!;
      expect(summary.getRow(3).values).toEqual([
        undefined,
        'Học sinh / student',
        coverage.student.total,
        coverage.student.verified,
        coverage.student.verified_offline,
        coverage.student.mismatch,
        coverage.student.not_found,
        coverage.student.error,
        coverage.student.unchecked + coverage.student.pending,
        coverage.student.noPersonalId,
      ]);
      const list = book.getWorksheet('Can xu ly')!;
      expect(list.rowCount - 1).toBe(people.length);
      const spelled = people.find((p) =>
        (p.statusDetail as { fields?: Array<{ how: string }> } | null)?.fields?.some(
          (f) => f.how === 'diacritics_only',
        ),
      );
      if (spelled) {
        const row = list
          .getRows(2, list.rowCount - 1)!
          .find((r) => r.getCell(8).value === spelled.recordKey)!;
        expect(String(row.getCell(5).value)).toContain('họ tên: chỉ khác dấu');
        expect(String(row.getCell(4).value)).toBe('Sai lệch / mismatch');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the API shows a person’s status and the school’s coverage, within the key’s schools', async () => {
    const app = await buildApp(loadConfig({ LOG_LEVEL: 'silent' }, { envFile: false }), {
      database: db,
      redis: new Redis({ lazyConnect: true, enableOfflineQueue: false }),
      identity: { service },
    });
    closers.push(() => app.close());
    const own = await createApiKey(db, { role: 'district', schools: [SCHOOL] });
    const other = await createApiKey(db, { role: 'district', schools: ['79XX9999'] });
    const auth = (key: string) => ({ authorization: `Bearer ${key}` });

    const coverage = await app.inject({
      method: 'GET',
      url: `/v1/schools/${SCHOOL}/identity-coverage`,
      headers: auth(own.key),
    });
    expect(coverage.statusCode).toBe(200);
    const roles = coverage.json().roles;
    expect(roles.student.total).toBe(students().length);
    expect(roles.student.verified + roles.student.verified_offline).toBeGreaterThan(0);
    expect(
      (
        await app.inject({
          method: 'GET',
          url: `/v1/schools/${SCHOOL}/identity-coverage`,
          headers: auth(other.key),
        })
      ).statusCode,
    ).toBe(403);

    const someone = students().find((s) => s.personalId)!;
    const person = (await personOf(someone.personalId!))!;
    const status = await app.inject({
      method: 'GET',
      url: `/v1/identity/people/${person.id}/status`,
      headers: auth(own.key),
    });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ personId: person.id, role: 'student', status: person.status });
    expect(status.json().checks.length).toBeGreaterThan(0);
    expect(status.body).not.toContain(someone.personalId!);
    expect(
      (
        await app.inject({
          method: 'GET',
          url: `/v1/identity/people/${person.id}/status`,
          headers: auth(other.key),
        })
      ).statusCode,
    ).toBe(403);

    const checked = await app.inject({
      method: 'POST',
      url: '/v1/identity/checks',
      headers: auth(own.key),
      payload: { school: SCHOOL, personIds: [person.id], purpose: 'enrolment-verification', wait: true },
    });
    expect(checked.statusCode).toBe(200);
    expect(checked.json()).toMatchObject({ checked: 1, outcomes: [{ personId: person.id }] });

    const bad = await app.inject({
      method: 'POST',
      url: '/v1/identity/offline',
      headers: auth(own.key),
      payload: { school: SCHOOL, payload: '079203001234|x', purpose: 'gate-check' },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ code: 'IDENTITY_PAYLOAD', rule: 'QR_FIELD_COUNT' });
  });
});
