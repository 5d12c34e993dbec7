import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amountInWords, type SscFeeNotice } from '../mappings/ssc/v1/index.ts';
import { type SscSandbox, startSsc, startSscSandbox } from '../sandbox/ssc/index.ts';
import {
  createGatewayClient,
  type GatewayClient,
  type GatewayClientOptions,
  GatewayPermanentError,
  GatewayRetryableError,
} from '../src/gateway/index.ts';
import {
  type CanonicalRecord,
  type FeeItem,
  type Payment,
  PaymentSchema,
  type Receivable,
} from '../src/model/index.ts';
import { crc16CcittFalse, parseVietQr } from '../src/model/vietqr.ts';
import { PermanentError, RecordError } from '../src/sdk/errors.ts';
import { createSscTarget, type SscTarget, sscRecordResults } from '../src/targets/ssc.ts';
import type { MappedRecord, PushBatch } from '../src/targets/target.ts';

const DISTRICT = { schools: 1, seed: 7, classesPerGrade: 1, classSize: 8 };

const hash = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');

function batchOf(target: SscTarget, records: CanonicalRecord[], extra: Partial<PushBatch> = {}): PushBatch {
  const upserts = records.map((r) => target.map(r)).filter((m): m is MappedRecord => m !== undefined);
  return {
    target: 'ssc',
    stream: 'fees',
    schoolCode: records[0]?.source.schoolCode ?? '79NB0001',
    runId: 'run-1',
    idempotencyKey: `ssc:fees:${hash(upserts).slice(0, 16)}`,
    upserts,
    deletes: [],
    correlationId: 'corr-1',
    ...extra,
  };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const xml = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (n) => n === 'HHDVu' });

describe.each(['wso2', 'vnpt-lgsp', 'xroad'] as const)('SSC target through the %s gateway', (personality) => {
  let sandbox: SscSandbox;
  let client: GatewayClient;
  let target: SscTarget;
  let school: string;
  let feeItems: FeeItem[];
  /** The notices as the school issues them at the start of a semester: nothing paid yet. */
  let notices: Receivable[];
  let paid: Payment[] = [];

  beforeAll(async () => {
    sandbox = await startSscSandbox({ personality, district: DISTRICT });
    client = createGatewayClient(sandbox.gatewayClientOptions() as unknown as GatewayClientOptions);
    target = createSscTarget({ gateway: client, collectionAccounts: sandbox.collectionAccounts });
    const fees = sandbox.records.get('fees')!;
    feeItems = fees.filter((r): r is FeeItem => r.type === 'feeItem');
    notices = fees
      .filter((r): r is Receivable => r.type === 'receivable')
      .map((r) => ({ ...r, status: 'open' as const }));
    school = feeItems[0]!.schoolCode;
  });
  afterAll(async () => {
    client.close();
    await sandbox.close();
  });

  it('stores fee items and notices, each notice with a VietQR into the school account that verifies', async () => {
    expect(notices.length).toBeGreaterThan(10);
    const batch = batchOf(target, [...feeItems, ...notices]);
    const { results, messageId } = await target.push(batch);
    expect(messageId).not.toBe('');
    expect(results).toHaveLength(feeItems.length + notices.length);
    for (const r of results) expect(r).toMatchObject({ outcome: 'accepted', targetVersion: '1' });
    // What SSC holds is exactly what was mapped.
    const held = sandbox.ssc.contentOf(school);
    expect(new Map([...held].map(([k, v]) => [k, hash(v)]))).toEqual(
      new Map(batch.upserts.map((u) => [u.key, hash(u.body)])),
    );
    const account = sandbox.collectionAccounts[school]!;
    for (const n of notices) {
      const record = held.get(n.key)!.record as SscFeeNotice;
      const payload = record.MaQR!;
      expect(payload.slice(-4)).toBe(crc16CcittFalse(payload.slice(0, -4)));
      expect(parseVietQr(payload)).toMatchObject({
        bankBin: account.bankBin,
        account: account.account,
        dynamic: true,
        amount: n.total,
        purpose: n.paymentReference,
        billNumber: n.receivableNo,
      });
    }
  });

  it('applies the same batch once and answers its repeat the same', async () => {
    const moved = notices.slice(0, 3).map((n) => ({ ...n, dueDate: '2025-11-15' }));
    const batch = batchOf(target, moved);
    const applied = sandbox.ssc.state().batchesApplied;
    const first = await target.push(batch);
    const again = await target.push(batch);
    expect(again.results).toEqual(first.results);
    expect(first.results.map((r) => r.targetVersion)).toEqual(['2', '2', '2']);
    const state = sandbox.ssc.state();
    expect(state.batchesApplied).toBe(applied + 1);
    expect(state.idempotencyKeys[batch.idempotencyKey]).toBe(2);
    expect(state.notices.find((n) => n.key === moved[0]!.key)).toMatchObject({
      version: 2,
      record: { HanNop: '2025-11-15' },
    });
    expect(
      state.requests.filter((r) => r.idempotencyKey === batch.idempotencyKey).map((r) => r.replayed),
    ).toEqual([undefined, true]);
  });

  it('refuses a notice with a wrong field, naming it, and accepts the rest of the batch', async () => {
    const batch = batchOf(target, notices.slice(3, 7), { idempotencyKey: `refusals-${personality}` });
    const body = (i: number) => batch.upserts[i]!.body as { kind: string; record: Record<string, unknown> };
    const unknownField = {
      ...batch.upserts[1]!,
      body: { ...body(1), record: { ...body(1).record, GhiChu: 'x' } },
    };
    const items = body(2).record.ChiTiet as Array<Record<string, unknown>>;
    const textAmount = {
      ...batch.upserts[2]!,
      body: {
        ...body(2),
        record: { ...body(2).record, ChiTiet: [{ ...items[0], SoTien: '1000' }, ...items.slice(1)] },
      },
    };
    const { results } = await target.push({
      ...batch,
      upserts: [batch.upserts[0]!, unknownField, textAmount, batch.upserts[3]!],
    });
    expect(results.map((r) => r.outcome)).toEqual(['accepted', 'refused', 'refused', 'accepted']);
    expect(results[1]).toMatchObject({ code: 'SCHEMA_INVALID' });
    expect(results[1]!.message).toMatch(/field GhiChu is not in the contract/);
    expect(results[2]).toMatchObject({ code: 'SCHEMA_INVALID' });
    expect(results[2]!.message).toMatch(/field ChiTiet\.0\.SoTien is invalid/);
  });

  it('refuses a notice naming a fee item SSC does not hold', async () => {
    const n = notices[7]!;
    const bus = {
      ...n,
      items: [...n.items, { feeCode: 'XEDUADON', amount: 500_000 }],
      total: n.total + 500_000,
    };
    const { results } = await target.push(batchOf(target, [bus]));
    expect(results).toEqual([expect.objectContaining({ outcome: 'refused', code: 'UNKNOWN_FEE_ITEM' })]);
    expect(results[0]!.message).toMatch(/XEDUADON/);
  });

  it('reads back what parents paid as canonical payments, page by page', async () => {
    const at = new Date();
    const since = new Date(at.getTime() - 7 * 3_600_000).toISOString();
    const made = sandbox.ssc.payNotices({ share: 0.6, seed: 11, at, partialShare: 0.3 });
    expect(made.length).toBeGreaterThan(3);
    const pagesBefore = sandbox.ssc.state().requests.filter((r) => r.operation === 'giaodich').length;
    paid = await collect(target.readPayments(school, { since, pageSize: 4 }));
    const pages = sandbox.ssc.state().requests.filter((r) => r.operation === 'giaodich').length - pagesBefore;
    expect(pages).toBe(Math.ceil(made.length / 4));
    expect(paid.map((p) => p.paymentId).sort()).toEqual(made.map((p) => p.MaGiaoDich).sort());
    const byNotice = new Map(notices.map((n) => [n.receivableNo, n]));
    for (const p of paid) {
      expect(PaymentSchema.safeParse(p).success).toBe(true);
      expect(p).toMatchObject({ type: 'payment', schoolCode: school, source: { adapter: 'ssc' } });
      expect(p.fee).toBeGreaterThanOrEqual(7_500);
      expect(p.fee).toBeLessThanOrEqual(11_000);
      expect(p.channel).not.toBe('cash');
      expect(p.bankReference).toMatch(/^(FT|MW|SSC)?\d+$/);
      const notice = byNotice.get(p.receivableNo)!;
      expect(p.studentCode).toBe(notice.studentCode);
      expect(p.amount).toBeLessThanOrEqual(notice.total);
      expect(Date.parse(p.paidAt)).toBeGreaterThanOrEqual(Date.parse(since));
    }
    // Oldest first, and some paid only part of what they owed.
    expect(paid.map((p) => Date.parse(p.paidAt))).toEqual(
      paid.map((p) => Date.parse(p.paidAt)).sort((a, b) => a - b),
    );
    const state = sandbox.ssc.state();
    const partly = state.notices.filter((n) => n.paymentStatus === 'THU_MOT_PHAN');
    const fully = state.notices.filter((n) => n.paymentStatus === 'DA_THU');
    expect(partly.length).toBeGreaterThan(0);
    expect(partly.length + fully.length).toBe(made.length);
    expect(
      await collect(target.readPayments(school, { since: new Date(at.getTime() + 1000).toISOString() })),
    ).toEqual([]);
  });

  it('issues an e-invoice for a payment with the notice lines and the right totals, once', async () => {
    const payment = paid.find(
      (p) => notices.find((n) => n.receivableNo === p.receivableNo)!.total === p.amount,
    )!;
    const notice = notices.find((n) => n.receivableNo === payment.receivableNo)!;
    const issued = await target.issueReceipt(payment.paymentId, {
      kind: 'e_invoice',
      buyer: { name: 'Nguyễn Văn Hùng', contactName: 'Nguyễn Văn Hùng' },
    });
    expect(issued.invoice).toMatchObject({
      type: 'invoice',
      kind: 'e_invoice',
      schoolCode: school,
      paymentId: payment.paymentId,
      receivableNo: payment.receivableNo,
      studentCode: payment.studentCode,
      total: payment.amount,
      issuedAt: payment.paidAt.slice(0, 10),
    });
    const doc = xml.parse(issued.xml).HDon;
    const ttChung = doc.DLHDon.TTChung;
    expect(ttChung).toMatchObject({
      PBan: '2.1.0',
      KHMSHDon: issued.invoice.template,
      KHHDon: issued.invoice.series,
      SHDon: issued.invoice.number,
      HTTToan: 'CK',
    });
    const lines = doc.DLHDon.NDHDon.DSHHDVu.HHDVu as Array<Record<string, string>>;
    expect(lines.map((l) => l.MHHDVu)).toEqual(notice.items.map((i) => i.feeCode));
    const names = new Map(feeItems.map((f) => [f.feeCode, f.name]));
    expect(lines.map((l) => l.THHDVu)).toEqual(notice.items.map((i) => names.get(i.feeCode)));
    expect(lines.reduce((a, l) => a + Number(l.ThTien), 0)).toBe(payment.amount);
    expect(doc.DLHDon.NDHDon.TToan).toMatchObject({
      TgTCThue: String(payment.amount),
      TgTThue: '0',
      TgTTTBSo: String(payment.amount),
      TgTTTBChu: amountInWords(payment.amount),
    });
    expect(doc.DLHDon.NDHDon.NMua).toMatchObject({ Ten: 'Nguyễn Văn Hùng', MKHang: payment.studentCode });
    // Asked again, SSC answers with the same document.
    const again = await target.issueReceipt(payment.paymentId, { kind: 'e_invoice' });
    expect(again.invoice.number).toBe(issued.invoice.number);
    expect(sandbox.ssc.state().counts.documents).toBe(1);
  });

  it('issues an e-receipt of one line for a payment of part of a notice', async () => {
    const partial = paid.find(
      (p) => notices.find((n) => n.receivableNo === p.receivableNo)!.total > p.amount,
    )!;
    const { invoice, xml: text } = await target.issueReceipt(partial.paymentId);
    expect(invoice).toMatchObject({ kind: 'e_receipt', total: partial.amount, template: '01BLP0-001' });
    const doc = xml.parse(text).HDon;
    expect(doc.DLHDon.TTChung.THDon).toBe('Biên lai thu tiền');
    expect(doc.DLHDon.NDHDon.DSHHDVu.HHDVu).toHaveLength(1);
    expect(doc.DLHDon.NDHDon.TToan.TgTTTBSo).toBe(String(partial.amount));
  });

  it('refuses to issue a document for a payment it does not hold', async () => {
    await expect(target.issueReceipt('79NB0001-GD-9999999')).rejects.toBeInstanceOf(GatewayPermanentError);
  });

  it('deletes a notice nobody paid and refuses to delete one with payments', async () => {
    const paidKeys = new Set(
      sandbox.ssc
        .state()
        .notices.filter((n) => n.paid > 0)
        .map((n) => n.key),
    );
    const unpaid = notices.find((n) => !paidKeys.has(n.key))!;
    const withPayment = notices.find((n) => paidKeys.has(n.key))!;
    const { results } = await target.push({
      ...batchOf(target, [], { idempotencyKey: `del-${personality}` }),
      deletes: [unpaid.key, withPayment.key],
    });
    expect(results).toEqual([
      { key: unpaid.key, outcome: 'accepted', deleted: true, targetVersion: '2' },
      expect.objectContaining({
        key: withPayment.key,
        outcome: 'refused',
        code: 'NOTICE_HAS_PAYMENTS',
        deleted: true,
      }),
    ]);
    expect(sandbox.ssc.contentOf().has(unpaid.key)).toBe(false);
    expect(sandbox.ssc.contentOf().has(withPayment.key)).toBe(true);
  });

  it('throws the gateway client retryable error during a 503 burst, then goes through', async () => {
    sandbox.ssc.faults.set({ unavailable: { count: 2, retryAfterSeconds: 2 } });
    const batch = batchOf(target, feeItems.slice(0, 2), { idempotencyKey: `busy-${personality}` });
    await expect(target.push(batch)).rejects.toBeInstanceOf(GatewayRetryableError);
    await expect(collect(target.readPayments(school))).rejects.toBeInstanceOf(GatewayRetryableError);
    const { results } = await target.push(batch);
    expect(results.map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
    expect(sandbox.ssc.state().faultsInjected.unavailable).toBe(2);
  });

  it('treats a cut-off answer as retryable, and the retry finds the batch applied once', async () => {
    // vnpt-lgsp carries SSC's body as a string in `message`: what SSC cuts off arrives as a
    // well-formed string (a permanent TARGET_ANSWER_INVALID, as for the city DB), so there the
    // gateway garbles its own envelope instead.
    if (personality === 'vnpt-lgsp') sandbox.gateway.faults.set({ malformed: { count: 1 } });
    else sandbox.ssc.faults.set({ malformed: { count: 1 } });
    const batch = batchOf(
      target,
      notices.slice(0, 2).map((n) => ({ ...n, dueDate: '2025-12-01' })),
    );
    const applied = sandbox.ssc.state().batchesApplied;
    await expect(target.push(batch)).rejects.toBeInstanceOf(GatewayRetryableError);
    const { results } = await target.push(batch);
    expect(results.map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
    expect(sandbox.ssc.state().batchesApplied).toBe(applied + 1);
  });
});

describe('SSC target without a gateway', () => {
  const gateway = {} as GatewayClient;
  const account = { '79NB0001': { bankBin: '970436', account: '0071000888999' } };

  it('takes the fees stream, keyed by the canonical key, under mapping v1', () => {
    const target = createSscTarget({ gateway, collectionAccounts: account });
    expect(target.id).toBe('ssc');
    expect(target.mappingVersion).toBe('v1');
    expect(target.streams).toEqual(['fees']);
  });

  it('refuses, at creation, a collection account that cannot make a QR', () => {
    expect(() =>
      createSscTarget({ gateway, collectionAccounts: { '79NB0001': { bankBin: '9704', account: '1' } } }),
    ).toThrow(PermanentError);
  });

  it('refuses, record by record, a notice of a school without a collection account', () => {
    const target = createSscTarget({ gateway, collectionAccounts: {} });
    const notice = {
      type: 'receivable',
      key: 'x:1',
      source: { adapter: 'x', schoolCode: '79NB0002', pulledAt: '2026-01-01T00:00:00+07:00' },
      schoolCode: '79NB0002',
      schoolYear: '2025-2026',
      receivableNo: 'R1',
      studentCode: 'S1',
      items: [{ feeCode: 'BHYT', amount: 1_000 }],
      total: 1_000,
      dueDate: '2025-10-31',
      paymentReference: 'SSC S1',
      status: 'open',
    } as CanonicalRecord;
    expect(() => target.map(notice)).toThrow(RecordError);
    try {
      target.map(notice);
    } catch (e) {
      expect((e as RecordError).field).toBe('schoolCode');
    }
  });

  it('reads an answer without per-record results as a permanent error', () => {
    const batch = { upserts: [{ key: 'a:1', body: {} }], deletes: [] } as unknown as PushBatch;
    expect(() => sscRecordResults(batch, { ok: true })).toThrow(PermanentError);
    expect(sscRecordResults(batch, { results: [] })).toEqual([
      expect.objectContaining({ key: 'a:1', outcome: 'failed', code: 'TARGET_NO_RESULT' }),
    ]);
  });
});

describe('SSC simulator: parents paying', () => {
  it('pays the same notices the same way for the same seed', async () => {
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const sandbox = await startSscSandbox({ district: { ...DISTRICT, classSize: 5 } });
      const client = createGatewayClient(sandbox.gatewayClientOptions() as unknown as GatewayClientOptions);
      const target = createSscTarget({ gateway: client, collectionAccounts: sandbox.collectionAccounts });
      const fees = sandbox.records
        .get('fees')!
        .map((r) => (r.type === 'receivable' ? { ...r, status: 'open' } : r));
      await target.push(batchOf(target, fees as CanonicalRecord[]));
      runs.push(sandbox.ssc.payNotices({ share: 0.5, seed: 3, at: '2026-02-20T10:00:00+07:00' }));
      client.close();
      await sandbox.close();
    }
    expect(runs[0]!.length).toBeGreaterThan(0);
    expect(runs[1]).toEqual(runs[0]);
    for (const p of runs[0]!)
      expect(Date.parse(p.ThoiGian)).toBeLessThanOrEqual(Date.parse('2026-02-20T10:00:00+07:00'));
  });

  it('refuses a list request with a field outside the contract, naming it', async () => {
    const ssc = await startSsc();
    try {
      const response = await fetch(`${ssc.upstreamUrl}/giaodich`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ MaTruong: '79NB0001', tuNgay: '2026-01-01' }),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'SCHEMA_INVALID', field: 'tuNgay' });
    } finally {
      await ssc.close();
    }
  });

  it('answers 500 on a share of calls when asked to, and shows its faults in /_sandbox/state', async () => {
    const ssc = await startSsc({ faults: { errorRate: 1 } });
    try {
      const call = () =>
        fetch(`${ssc.upstreamUrl}/giaodich`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ MaTruong: '79NB0001' }),
        });
      expect((await call()).status).toBe(500);
      await fetch(`${ssc.url}/_sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({}),
      });
      expect((await call()).status).toBe(200);
      const state = (await (await fetch(`${ssc.url}/_sandbox/state`)).json()) as {
        faultsInjected: { errors: number };
        requests: Array<{ status: number }>;
      };
      expect(state.faultsInjected.errors).toBe(1);
      expect(state.requests.map((r) => r.status)).toEqual([500, 200]);
    } finally {
      await ssc.close();
    }
  });
});
