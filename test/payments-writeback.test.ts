/**
 * Payments go on into the school's software: after a pull from SSC (through the sandbox gateway),
 * the hub writes the school's new payments back through its adapter (the REST adapter with the
 * sandbox profile, into the sandbox vendor's fee book, over HTTP), once; keeps a refusal with the
 * vendor's code and offers it again at the next pull; and leaves alone a school whose adapter
 * writes nothing. Real PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltInAdapter } from '../adapters/index.ts';
import { SSC_CHANNELS, type SscPayment } from '../mappings/ssc/v1/index.ts';
import { type SscSandbox, startSscSandbox } from '../sandbox/ssc/index.ts';
import { type RestSchool, startRestSchool } from '../sandbox/vendors/rest-school/index.ts';
import { sandboxSchoolProfile } from '../sandbox/vendors/rest-school/profile.ts';
import { buildApp } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { createGatewayClient, type GatewayClientOptions } from '../src/gateway/index.ts';
import type { FeeItem, Receivable } from '../src/model/index.ts';
import { writeBackPayments } from '../src/pipeline/payment-writeback.ts';
import { createRunQueue, queueConnection } from '../src/pipeline/queue.ts';
import { RunService } from '../src/pipeline/service.ts';
import type { Sources } from '../src/pipeline/sources/index.ts';
import {
  createApiKey,
  createDatabase,
  type Database,
  type Keyring,
  loadKeyring,
  migrateToLatest,
} from '../src/store/index.ts';
import { createSscTarget, type SscTarget } from '../src/targets/ssc.ts';
import { memoryDatabase } from './support/memory-database.ts';
import { freshPostgres } from './support/services.ts';

// The same generated district on both sides: SSC bills the notices the school's software issued.
const DISTRICT = { schools: 1, seed: 7, classesPerGrade: 1, classSize: 12 };
const API_KEY = 'writeback-api-key';
const PREFIX = `edubridge-test-${randomUUID().slice(0, 8)}`;
const CHANNEL_LABELS: Record<string, string> = {
  bank_transfer: 'Chuyển khoản',
  card: 'Thẻ',
  e_wallet: 'Ví điện tử',
  pos: 'POS',
  auto_debit: 'Trích nợ tự động',
  cash: 'Tiền mặt',
  ssc_portal: 'Cổng SSC',
};

let sandbox: SscSandbox;
let target: SscTarget;
let vendor: RestSchool;
let redis: Redis;
let keyring: Keyring;
let school: string;
const cleanup: Array<() => Promise<void>> = [];

beforeAll(async () => {
  sandbox = await startSscSandbox({ personality: 'wso2', district: DISTRICT });
  target = createSscTarget({
    gateway: createGatewayClient(sandbox.gatewayClientOptions() as unknown as GatewayClientOptions),
    collectionAccounts: sandbox.collectionAccounts,
  });
  const fees = sandbox.records.get('fees')!;
  const items = fees.filter((r): r is FeeItem => r.type === 'feeItem');
  const notices = fees
    .filter((r): r is Receivable => r.type === 'receivable')
    .map((r) => ({ ...r, status: 'open' as const }));
  school = items[0]!.schoolCode;
  const answer = await target.push({
    target: 'ssc',
    stream: 'fees',
    schoolCode: school,
    runId: 'seed',
    idempotencyKey: 'seed-fees',
    upserts: [...items, ...notices].map((r) => target.map(r)!),
    deletes: [],
    correlationId: 'seed',
  });
  expect(answer.results.every((r) => r.outcome === 'accepted')).toBe(true);
  vendor = await startRestSchool({ ...DISTRICT, auth: { type: 'apiKey', key: API_KEY } });
  redis = queueConnection('redis://127.0.0.1:6379');
  keyring = loadKeyring({ NODE_ENV: 'test' });
}, 90_000);

afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
  redis?.disconnect();
  await vendor?.close();
  await sandbox?.close();
});

/** A database of the test's own and a run service whose school reads through `sources`. */
async function hub(label: string, sources: Sources): Promise<{ db: Database; service: RunService }> {
  const pg = await freshPostgres(label);
  const db = await createDatabase({ DATABASE_URL: pg.url, PGLITE_DIR: undefined } as never);
  await migrateToLatest(db);
  const service = new RunService({
    db,
    keyring,
    queue: createRunQueue(redis, PREFIX),
    sources: async () => sources,
    targets: () => [target],
    loadAdapter: (id) => loadBuiltInAdapter(id as never),
  });
  cleanup.push(async () => {
    await service.close();
    await db.close();
    await pg.drop();
  });
  return { db, service };
}

const restSource = (profile: Record<string, unknown> = sandboxSchoolProfile(school)) => ({
  adapter: 'rest',
  config: {
    baseUrl: vendor.url,
    profile,
    auth: { type: 'apiKey', key: API_KEY },
    retry: { maxAttempts: 2, backoffMs: 10, maxRetryAfterMs: 1_000 },
  },
});

const idsOf = (payments: readonly SscPayment[]) => payments.map((p) => p.MaGiaoDich).sort();

describe('payments written back to the school’s software', () => {
  let db: Database;
  let service: RunService;
  beforeAll(async () => {
    ({ db, service } = await hub('writeback', { [school]: restSource() }));
  });

  it('a pull writes its new payments into the vendor’s fee book, and a second pull writes nothing', async () => {
    const paid = sandbox.ssc.payNotices({ share: 0.5, seed: 3, schoolCode: school });
    expect(paid.length).toBeGreaterThan(3);

    const first = await service.pullPayments(school);

    expect(first).toMatchObject({
      new: paid.length,
      writeBackTo: 'rest',
      writtenBack: paid.length,
      writeBackRefused: 0,
      writeBackErrors: [],
    });
    const held = vendor.state.payments.all();
    expect(held.map((p) => p.maGiaoDich).sort()).toEqual(idsOf(paid));
    const one = paid[0]!;
    const mine = held.find((p) => p.maGiaoDich === one.MaGiaoDich)!;
    expect(mine).toMatchObject({
      maTruong: one.MaTruong,
      soPhieu: one.SoPhieu,
      maHocSinh: one.MaHocSinh,
      soTien: one.SoTien,
      kenhThanhToan: CHANNEL_LABELS[SSC_CHANNELS[one.KenhThanhToan]],
    });
    expect(Date.parse(mine.thoiGianNop)).toBe(Date.parse(one.ThoiGian));
    // The school's books now say which notices are paid: in full "Đã thu", else "Thu một phần".
    const paidOn = new Map<string, number>();
    for (const p of paid) paidOn.set(p.SoPhieu, (paidOn.get(p.SoPhieu) ?? 0) + p.SoTien);
    const statuses = [...paidOn].map(([soPhieu, sum]) => {
      const notice = vendor.state.data.feeNotices.get(soPhieu)!;
      return [notice.trangThai, sum >= notice.tongTien ? 'Đã thu' : 'Thu một phần'];
    });
    expect(statuses.map(([got]) => got)).toEqual(statuses.map(([, want]) => want));
    expect(statuses.some(([got]) => got === 'Đã thu')).toBe(true);
    const listed = await service.listPayments({ schoolCode: school });
    expect(listed.every((p) => p.writtenBackAt !== null && p.writeBackCode === null)).toBe(true);
    expect(listed.map((p) => p.writeBackAttempts)).toEqual(listed.map(() => 1));

    const requests = vendor.state.payments.counters.requests;
    const second = await service.pullPayments(school);

    expect(second).toMatchObject({ new: 0, writeBackTo: 'rest', writtenBack: 0, writeBackRefused: 0 });
    expect(vendor.state.payments.counters.requests).toBe(requests);
    expect(vendor.state.payments.size).toBe(paid.length);
  });

  it('a refusal is kept with the vendor’s code, offered again at the next pull, and then written', async () => {
    vendor.state.payments.closeBooks();
    const more = sandbox.ssc.payNotices({ share: 0.3, seed: 4, schoolCode: school });
    expect(more.length).toBeGreaterThan(0);
    const before = vendor.state.payments.size;

    const refused = await service.pullPayments(school);

    expect(refused).toMatchObject({ new: more.length, writtenBack: 0, writeBackRefused: more.length });
    expect(refused.writeBackErrors.map((e) => e.paymentId).sort()).toEqual(idsOf(more));
    expect(new Set(refused.writeBackErrors.map((e) => e.code))).toEqual(new Set(['SO_DA_KHOA']));
    expect(refused.writeBackErrors[0]!.message).toContain('SO_DA_KHOA');
    expect(vendor.state.payments.size).toBe(before);
    const kept = (await service.listPayments({ schoolCode: school })).filter((p) =>
      idsOf(more).includes(p.paymentId),
    );
    expect(kept.map((p) => [p.writtenBackAt, p.writeBackCode, p.writeBackAttempts])).toEqual(
      kept.map(() => [null, 'SO_DA_KHOA', 1]),
    );

    vendor.state.payments.openBooks();
    const retried = await service.pullPayments(school);

    expect(retried).toMatchObject({
      new: 0,
      writtenBack: more.length,
      writeBackRefused: 0,
      writeBackErrors: [],
    });
    expect(vendor.state.payments.size).toBe(before + more.length);
    const now = (await service.listPayments({ schoolCode: school })).filter((p) =>
      idsOf(more).includes(p.paymentId),
    );
    expect(
      now.every((p) => p.writtenBackAt !== null && p.writeBackCode === null && p.writeBackError === null),
    ).toBe(true);
    expect(now.map((p) => p.writeBackAttempts)).toEqual(now.map(() => 2));
  });

  it('a vendor that is down: the failure is reported, nothing is marked written, the next pull writes', async () => {
    const more = sandbox.ssc.payNotices({ share: 0.2, seed: 5, schoolCode: school });
    expect(more.length).toBeGreaterThan(0);
    vendor.state.faults.set({ serverErrors: { count: 2, status: 503 }, paths: ['/api/v1/thanh-toan'] });

    const down = await service.pullPayments(school);

    expect(down).toMatchObject({ new: more.length, writtenBack: 0, writeBackRefused: 0 });
    expect(down.writeBackErrors).toEqual([
      { paymentId: null, code: 'HTTP_503', message: expect.any(String) },
    ]);
    const waiting = (await service.listPayments({ schoolCode: school })).filter(
      (p) => p.writtenBackAt === null,
    );
    expect(waiting.map((p) => p.paymentId).sort()).toEqual(idsOf(more));
    expect(new Set(waiting.map((p) => p.writeBackCode))).toEqual(new Set(['HTTP_503']));

    const back = await service.pullPayments(school);

    expect(back).toMatchObject({ writtenBack: more.length, writeBackErrors: [] });
  });

  it('shows each payment’s write-back state in the API', async () => {
    const app = await buildApp(
      loadConfig({ LOG_LEVEL: 'silent', REDIS_PREFIX: PREFIX }, { envFile: false }),
      {
        database: db,
        redis: new Redis({ lazyConnect: true, enableOfflineQueue: false }),
        runService: service,
      },
    );
    try {
      const key = await createApiKey(db, { role: 'district', schools: [school] });
      const reply = await app.inject({
        method: 'GET',
        url: `/v1/schools/${school}/payments?limit=2`,
        headers: { authorization: `Bearer ${key.key}` },
      });
      expect(reply.statusCode).toBe(200);
      const body = reply.json() as { payments: Array<Record<string, unknown>> };
      expect(body.payments[0]).toMatchObject({
        writtenBackAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        writeBackCode: null,
        writeBackError: null,
        writeBackAttempts: 1,
      });
      const pulled = await app.inject({
        method: 'POST',
        url: `/v1/schools/${school}/payments/pull`,
        headers: { authorization: `Bearer ${key.key}` },
      });
      expect(pulled.statusCode).toBe(200);
      expect(pulled.json()).toMatchObject({
        writeBackTo: 'rest',
        writtenBack: 0,
        writeBackRefused: 0,
        writeBackErrors: [],
      });
    } finally {
      await app.close();
    }
  });
});

describe('schools whose software takes no payments', () => {
  it('an adapter that declares no writes is left alone', async () => {
    const { service } = await hub('nowrite', {
      [school]: { adapter: 'excel', config: { files: ['/nonexistent/HocSinh.xlsx'] } },
    });
    const requests = vendor.state.payments.counters.requests;

    const pulled = await service.pullPayments(school);

    expect(pulled.new).toBeGreaterThan(0);
    expect(pulled).toMatchObject({
      writeBackTo: null,
      writtenBack: 0,
      writeBackRefused: 0,
      writeBackErrors: [],
    });
    const listed = await service.listPayments({ schoolCode: school });
    expect(listed.map((p) => [p.writtenBackAt, p.writeBackCode, p.writeBackAttempts])).toEqual(
      listed.map(() => [null, null, 0]),
    );
    expect(vendor.state.payments.counters.requests).toBe(requests);
  });

  it('a REST profile with no write endpoint is left alone too', async () => {
    const { write: _none, ...profile } = sandboxSchoolProfile(school);
    const { service } = await hub('noendpoint', { [school]: restSource(profile) });
    const requests = vendor.state.payments.counters.requests;

    const pulled = await service.pullPayments(school);

    expect(pulled).toMatchObject({ writeBackTo: null, writtenBack: 0, writeBackErrors: [] });
    expect((await service.listPayments({ schoolCode: school })).every((p) => p.writeBackAttempts === 0)).toBe(
      true,
    );
    expect(vendor.state.payments.counters.requests).toBe(requests);
  });
});

describe('writeBackPayments', () => {
  it('pages through more payments than one write carries, each written once', async () => {
    const { db, service } = await hub('pages', {});
    await service.pullPayments(school);
    const all = await service.listPayments({ schoolCode: school });
    expect(all.length).toBeGreaterThan(5);
    const seen: string[] = [];
    const adapter = await loadBuiltInAdapter('rest');
    const counting = {
      ...adapter,
      async write(...args: Parameters<NonNullable<typeof adapter.write>>) {
        seen.push(...args[2].map((p) => p.paymentId));
        return adapter.write!(...args);
      },
    };

    const report = await writeBackPayments({
      db,
      keyring,
      schoolCode: school,
      destination: { adapter: counting, config: restSource().config },
      pageSize: 2,
    });

    expect(report).toMatchObject({ writeBackTo: 'rest', writtenBack: all.length, writeBackRefused: 0 });
    expect(seen.sort()).toEqual(all.map((p) => p.paymentId).sort());
  });
});

describe('writeBackPayments on PGlite', () => {
  it('keeps a payment the adapter gave no answer for as WRITE_UNANSWERED, and the others written', async () => {
    const db = await memoryDatabase();
    const service = new RunService({
      db,
      keyring,
      queue: createRunQueue(redis, PREFIX),
      sources: async () => ({}),
      targets: () => [target],
    });
    try {
      await service.pullPayments(school);
      const all = await service.listPayments({ schoolCode: school });
      const skipped = all[1]!.paymentId;
      const rest = await loadBuiltInAdapter('rest');
      // A fee book that forgets one payment in its answer.
      const forgetful = {
        ...rest,
        async write(...args: Parameters<NonNullable<typeof rest.write>>) {
          return {
            results: args[2]
              .filter((p) => p.paymentId !== skipped)
              .map((p) => ({ key: p.key, status: 'written' as const })),
          };
        },
      };

      const report = await writeBackPayments({
        db,
        keyring,
        schoolCode: school,
        destination: { adapter: forgetful, config: restSource().config },
        pageSize: 3,
      });

      expect(report).toMatchObject({ writtenBack: all.length - 1, writeBackRefused: 1 });
      expect(report.writeBackErrors).toEqual([
        { paymentId: skipped, code: 'WRITE_UNANSWERED', message: expect.stringContaining('rest') },
      ]);
      const after = await service.listPayments({ schoolCode: school });
      expect(
        after.filter((p) => p.writtenBackAt === null).map((p) => [p.paymentId, p.writeBackCode]),
      ).toEqual([[skipped, 'WRITE_UNANSWERED']]);
    } finally {
      await service.close();
      await db.close();
    }
  });
});
