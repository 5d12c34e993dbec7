import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CitySandbox, startCitySandbox } from '../sandbox/city-edudb/index.ts';
import {
  createGatewayClient,
  type GatewayClient,
  type GatewayClientOptions,
  GatewayRetryableError,
} from '../src/gateway/index.ts';
import type { CanonicalRecord, Student } from '../src/model/index.ts';
import { PermanentError, type StreamName } from '../src/sdk/index.ts';
import { type CityEduDbTarget, createCityEduDbTarget } from '../src/targets/city-edudb.ts';
import type { MappedRecord, PushBatch } from '../src/targets/target.ts';

const DISTRICT = { schools: 1, seed: 7, classesPerGrade: 1, classSize: 12, unknownEvery: 5 };

const hash = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');

function batchOf(
  target: CityEduDbTarget,
  stream: StreamName,
  records: CanonicalRecord[],
  extra: Partial<PushBatch> = {},
): PushBatch {
  const upserts = records.map((r) => target.map(r)).filter((m): m is MappedRecord => m !== undefined);
  return {
    target: 'city-edudb',
    stream,
    schoolCode: records[0]?.source.schoolCode ?? '79NB0001',
    runId: 'run-1',
    idempotencyKey: `city-edudb:${stream}:${hash(upserts).slice(0, 16)}`,
    upserts,
    deletes: [],
    correlationId: 'corr-1',
    ...extra,
  };
}

describe.each(['wso2', 'vnpt-lgsp'] as const)(
  'city Education DB target through the %s gateway',
  (personality) => {
    let sandbox: CitySandbox;
    let client: GatewayClient;
    let target: CityEduDbTarget;
    let students: Student[];
    let school: string;

    beforeAll(async () => {
      sandbox = await startCitySandbox({ personality, district: DISTRICT });
      client = createGatewayClient(sandbox.gatewayClientOptions() as unknown as GatewayClientOptions);
      target = createCityEduDbTarget({ gateway: client });
      students = sandbox.records.get('students') as Student[];
      school = students[0]!.schoolCode;
    });
    afterAll(async () => {
      client.close();
      await sandbox.close();
    });

    it('accepts the students the city knows and holds unknown ones for review with UNKNOWN_MASTER', async () => {
      const batch = batchOf(target, 'students', students);
      const { results, messageId } = await target.push(batch);
      expect(messageId).not.toBe('');
      expect(results).toHaveLength(students.length);
      const unknownKeys = new Set(
        students.filter((s) => sandbox.unknownStudentCodes.has(s.studentCode)).map((s) => s.key),
      );
      expect(unknownKeys.size).toBe(Math.floor(students.length / DISTRICT.unknownEvery));
      for (const r of results) {
        if (unknownKeys.has(r.key)) {
          expect(r).toMatchObject({ outcome: 'refused', code: 'UNKNOWN_MASTER' });
          expect(r.message).toMatch(/MaHocSinh/);
        } else expect(r).toMatchObject({ outcome: 'accepted', targetVersion: '1' });
      }
      expect(new Set(sandbox.city.state.review.keys())).toEqual(unknownKeys);
      // What the city holds is exactly what was mapped for the accepted keys.
      const held = sandbox.city.contentOf(school);
      const sent = new Map(
        batch.upserts.filter((u) => !unknownKeys.has(u.key)).map((u) => [u.key, hash(u.body)]),
      );
      expect(new Map([...held].map(([k, v]) => [k, hash(v)]))).toEqual(sent);
    });

    it('applies a repeated idempotency key once and answers it the same', async () => {
      const enrollments = sandbox.records.get('enrollments')!.slice(0, 6);
      const batch = batchOf(target, 'enrollments', enrollments);
      const appliedBefore = sandbox.city.state.batchesApplied;
      const first = await target.push(batch);
      // Same key, different content: a replay must not change anything.
      const replay = await target.push({ ...batch, upserts: batch.upserts.slice(0, 1) });
      expect(replay.results.slice(0, 1)).toEqual(first.results.slice(0, 1));
      const again = await target.push(batch);
      expect(again.results).toEqual(first.results);
      expect(sandbox.city.state.batchesApplied).toBe(appliedBefore + 1);
      expect(sandbox.city.state.idempotencyKeys.get(batch.idempotencyKey)).toBe(3);
      expect(first.results.every((r) => r.targetVersion === undefined || r.targetVersion === '1')).toBe(true);
    });

    it('deletes operational records and refuses to delete master data', async () => {
      const enrollment = sandbox.records
        .get('enrollments')!
        .find((e) => e.type === 'enrollment' && !sandbox.unknownStudentCodes.has(e.studentCode))!;
      await target.push(batchOf(target, 'enrollments', [enrollment], { idempotencyKey: 'del-setup' }));
      expect(sandbox.city.contentOf().has(enrollment.key)).toBe(true);
      const known = students.find((s) => !sandbox.unknownStudentCodes.has(s.studentCode))!;
      const { results } = await target.push({
        ...batchOf(target, 'enrollments', [], { idempotencyKey: 'del-1' }),
        deletes: [enrollment.key, known.key],
      });
      expect(results).toEqual([
        { key: enrollment.key, outcome: 'accepted', deleted: true, targetVersion: '2' },
        expect.objectContaining({
          key: known.key,
          outcome: 'refused',
          code: 'MASTER_IMMUTABLE',
          deleted: true,
        }),
      ]);
      expect(sandbox.city.contentOf().has(enrollment.key)).toBe(false);
      expect(sandbox.city.contentOf().has(known.key)).toBe(true);
    });

    it('passes on the city refusals with their code and message', async () => {
      const assessments = sandbox.records
        .get('assessments')!
        .filter((a) => a.type === 'assessment' && !sandbox.unknownStudentCodes.has(a.studentCode))
        .slice(0, 4);
      const batch = batchOf(target, 'assessments', assessments, { idempotencyKey: 'refusals-1' });
      // A record that breaks the city schema (the sandbox checks it, the hub never sends it).
      const broken = { key: assessments[3]!.key, body: { kind: 'DiemMonHoc', record: { MaTruong: school } } };
      sandbox.city.faults.set({
        refuse: { count: 1, code: 'HS_DA_KHOA_SO', message: 'Sổ điểm đã khóa / grade book locked' },
      });
      const { results } = await target.push({ ...batch, upserts: [...batch.upserts.slice(0, 3), broken] });
      expect(results[0]).toMatchObject({
        outcome: 'refused',
        code: 'HS_DA_KHOA_SO',
        message: 'Sổ điểm đã khóa / grade book locked',
      });
      expect(results[1]).toMatchObject({ outcome: 'accepted' });
      expect(results[3]).toMatchObject({ outcome: 'refused', code: 'SCHEMA_INVALID' });
      expect(results[3]!.message).toMatch(/NamHoc|HinhThucDanhGia/);
    });

    it('refuses operational data about a student the city does not know', async () => {
      const unknown = sandbox.records
        .get('learning-results')!
        .find((a) => a.type === 'learningResult' && sandbox.unknownStudentCodes.has(a.studentCode))!;
      const { results } = await target.push(
        batchOf(target, 'assessments', [unknown], { idempotencyKey: 'unk-1' }),
      );
      expect(results).toEqual([
        expect.objectContaining({ key: unknown.key, outcome: 'refused', code: 'UNKNOWN_MASTER' }),
      ]);
    });

    it('throws the gateway client retryable error while the city answers 503', async () => {
      sandbox.city.faults.set({ unavailable: { count: 1, retryAfterSeconds: 2 } });
      const batch = batchOf(target, 'timetable', sandbox.records.get('timetable')!.slice(0, 2), {
        idempotencyKey: 'busy-1',
      });
      await expect(target.push(batch)).rejects.toBeInstanceOf(GatewayRetryableError);
      const { results } = await target.push(batch);
      expect(results.map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
    });

    it('reads the roster of a school for reconciliation', async () => {
      const roster = await target.readRoster(school);
      expect(roster.MaTruong).toBe(school);
      expect(roster.HocSinh).toHaveLength(students.length - sandbox.unknownStudentCodes.size);
      expect(roster.LopHoc).toHaveLength(4);
      expect(roster.GiaoVien.length).toBe(sandbox.records.get('teachers')!.length);
      const codes = new Set(roster.HocSinh.map((s) => s.MaHocSinh));
      for (const code of sandbox.unknownStudentCodes) expect(codes.has(code)).toBe(false);
    });
  },
);

describe('city Education DB target mapping', () => {
  it('maps only the record types the city takes, keyed by the canonical key', () => {
    const target = createCityEduDbTarget({ gateway: {} as GatewayClient });
    expect(target.id).toBe('city-edudb');
    expect(target.mappingVersion).toBe('v1');
    expect(target.streams).toEqual([
      'students',
      'teachers',
      'classes',
      'enrollments',
      'assessments',
      'timetable',
    ]);
  });

  it('refuses a stream the city does not take before sending anything, naming the stream', async () => {
    // A gateway that is not there: the refusal must come before any call.
    const target = createCityEduDbTarget({ gateway: {} as GatewayClient });
    const push = target.push({
      target: 'city-edudb',
      stream: 'fees',
      schoolCode: '79NB0001',
      runId: 'run-1',
      idempotencyKey: 'k-1',
      upserts: [],
      deletes: ['fee-1'],
      correlationId: 'corr-1',
    });
    await expect(push).rejects.toBeInstanceOf(PermanentError);
    await expect(push).rejects.toMatchObject({
      code: 'TARGET_STREAM_UNSUPPORTED',
      message: 'CSDL ngành không nhận luồng fees / the city DB takes no stream fees',
    });
  });
});
