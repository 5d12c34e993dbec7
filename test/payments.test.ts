/**
 * Payments flow back from SSC: the hub pulls what parents paid (through the sandbox gateway), keeps
 * it with the bank reference sealed, reads only what is new the next time, and shows it per school
 * to whoever may see that school, on record in the audit log.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SscSandbox, startSscSandbox } from '../sandbox/ssc/index.ts';
import { buildApp } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { createGatewayClient, type GatewayClientOptions } from '../src/gateway/index.ts';
import type { FeeItem, Receivable } from '../src/model/index.ts';
import { createRunQueue, queueConnection } from '../src/pipeline/queue.ts';
import { RunService } from '../src/pipeline/service.ts';
import { createApiKey, type Database, listAudit, loadKeyring } from '../src/store/index.ts';
import { createSscTarget, type SscTarget } from '../src/targets/ssc.ts';
import { memoryDatabase } from './support/memory-database.ts';

const DISTRICT = { schools: 1, seed: 7, classesPerGrade: 1, classSize: 12 };
const PREFIX = `edubridge-test-${randomUUID().slice(0, 8)}`;

let sandbox: SscSandbox;
let target: SscTarget;
let db: Database;
let service: RunService;
let redis: Redis;
let school: string;

beforeAll(async () => {
  sandbox = await startSscSandbox({ personality: 'wso2', district: DISTRICT });
  target = createSscTarget({
    gateway: createGatewayClient(sandbox.gatewayClientOptions() as unknown as GatewayClientOptions),
    collectionAccounts: sandbox.collectionAccounts,
  });
  const fees = sandbox.records.get('fees')!;
  const items = fees.filter((r): r is FeeItem => r.type === 'feeItem');
  // The notices as issued at the start of the semester: nothing paid yet.
  const notices = fees
    .filter((r): r is Receivable => r.type === 'receivable')
    .map((r) => ({ ...r, status: 'open' as const }));
  school = items[0]!.schoolCode;
  const upserts = [...items, ...notices].map((r) => target.map(r)!);
  const answer = await target.push({
    target: 'ssc',
    stream: 'fees',
    schoolCode: school,
    runId: 'seed',
    idempotencyKey: 'seed-fees',
    upserts,
    deletes: [],
    correlationId: 'seed',
  });
  expect(answer.results.every((r) => r.outcome === 'accepted')).toBe(true);
  db = await memoryDatabase();
  redis = queueConnection('redis://127.0.0.1:6379');
  service = new RunService({
    db,
    keyring: loadKeyring({ NODE_ENV: 'test' }),
    queue: createRunQueue(redis, PREFIX),
    sources: async () => ({}),
    targets: () => [target],
  });
}, 60_000);

afterAll(async () => {
  await service?.close();
  redis?.disconnect();
  await db?.close();
  await sandbox?.close();
});

describe('payments from SSC', () => {
  it('pulls every payment once, seals the bank reference, and reads only new ones next time', async () => {
    const paid = sandbox.ssc.payNotices({ share: 0.5, seed: 3, schoolCode: school });
    expect(paid.length).toBeGreaterThan(3);
    const first = await service.pullPayments(school);
    expect(first).toMatchObject({ read: paid.length, new: paid.length, invalid: [] });
    const listed = await service.listPayments({ schoolCode: school });
    expect(listed.map((p) => p.paymentId).sort()).toEqual(paid.map((p) => p.MaGiaoDich).sort());
    const one = paid.find((p) => p.MaThamChieuNganHang)!;
    const stored = listed.find((p) => p.paymentId === one.MaGiaoDich)!;
    expect(stored).toMatchObject({
      receivableNo: one.SoPhieu,
      studentCode: one.MaHocSinh,
      amount: one.SoTien,
      bankReferenceTail: one.MaThamChieuNganHang!.slice(-4),
    });
    // At rest the reference is ciphertext.
    const raw = await db.kysely
      .selectFrom('payments')
      .select('bank_reference')
      .where('payment_id', '=', one.MaGiaoDich)
      .executeTakeFirstOrThrow();
    expect(raw.bank_reference!.includes(Buffer.from(one.MaThamChieuNganHang!))).toBe(false);

    const again = await service.pullPayments(school);
    expect(again.new).toBe(0);
    const more = sandbox.ssc.payNotices({ share: 0.5, seed: 4, schoolCode: school });
    const third = await service.pullPayments(school);
    expect(third.new).toBe(more.length);
    expect(await service.listPayments({ schoolCode: school })).toHaveLength(paid.length + more.length);
  });

  it('shows a school’s payments to its district, refuses another district, and audits the reading', async () => {
    const app = await buildApp(
      loadConfig({ LOG_LEVEL: 'silent', REDIS_PREFIX: PREFIX }, { envFile: false }),
      {
        database: db,
        redis: new Redis({ lazyConnect: true, enableOfflineQueue: false }),
        runService: service,
      },
    );
    try {
      const own = await createApiKey(db, { role: 'district', schools: [school] });
      const other = await createApiKey(db, { role: 'district', schools: ['79XX9999'] });
      const ok = await app.inject({
        method: 'GET',
        url: `/v1/schools/${school}/payments?limit=5`,
        headers: { authorization: `Bearer ${own.key}` },
      });
      expect(ok.statusCode).toBe(200);
      const body = ok.json() as { payments: Array<{ paymentId: string; amount: number }> };
      expect(body.payments).toHaveLength(5);
      expect(body.payments.every((p) => p.amount > 0)).toBe(true);
      const refused = await app.inject({
        method: 'GET',
        url: `/v1/schools/${school}/payments`,
        headers: { authorization: `Bearer ${other.key}` },
      });
      expect(refused.statusCode).toBe(403);
      const entries = await listAudit(db, { action: 'payments:read' });
      expect(entries.some((e) => e.resource === `school:${school}` && e.decision === 'allow')).toBe(true);

      // The e-receipt of a pulled payment, issued by SSC once however often it is asked for.
      const payment = body.payments[0]!;
      const url = `/v1/schools/${school}/payments/${payment.paymentId}/receipt`;
      const receipt = await app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${own.key}` },
      });
      expect(receipt.statusCode).toBe(200);
      const issued = receipt.json() as {
        invoice: { kind: string; total: number; paymentId: string };
        xml: string;
      };
      expect(issued.invoice).toMatchObject({
        kind: 'e_receipt',
        total: payment.amount,
        paymentId: payment.paymentId,
      });
      expect(issued.xml).toContain(`<TgTTTBSo>${payment.amount}</TgTTTBSo>`);
      const again = await app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${own.key}` },
      });
      expect((again.json() as { invoice: unknown }).invoice).toEqual(issued.invoice);
      const unknown = await app.inject({
        method: 'POST',
        url: `/v1/schools/${school}/payments/GD-KHONG-CO/receipt`,
        headers: { authorization: `Bearer ${own.key}` },
      });
      expect(unknown.statusCode).toBe(404);
      expect(
        (await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${other.key}` } }))
          .statusCode,
      ).toBe(403);
    } finally {
      await app.close();
    }
  });
});
