/**
 * Simulator of SSC, HCMC's online revenue system (fees, cashless payments, receipts), as
 * `openapi/ssc.md` models it. It sits behind the LGSP simulator (register `upstreamUrl` as the
 * route of service `ssc`) and:
 * - takes one batch per call on `baothu`, `{ idempotencyKey, records: [{ key, kind, record }],
 *   deletes }` (also inside the vnpt `{"data":[…]}` envelope), fee items (KhoanThu) and notices
 *   (PhieuBaoThu), and answers per record `{ key, status, code?, message?, field?, version? }`;
 * - refuses what breaks the contract, naming the field (an unknown field too), a notice whose QR
 *   does not verify, or whose fee items it does not hold;
 * - applies an idempotency key once and answers its repeats with the first answer;
 * - lets parents pay (`payNotices`): a deterministic share of the notices paid in full or in part,
 *   by channel, with the 7,500–11,000 đ fee, a bank reference and a time (README §5.1);
 * - lists a school's payments since a time, page by page (`giaodich`), and issues an e-receipt or
 *   e-invoice for a payment as HDon XML (`xuatchungtu`);
 * - misbehaves on demand and shows tests what it holds (`/_sandbox/...`).
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  buildEInvoiceXml,
  COLLECTABLE_STATUSES,
  type EInvoiceBuyer,
  type EInvoiceSeller,
  issuePath,
  paymentMethodOf,
  SSC_CHANNELS,
  SSC_FEE_PERIODS,
  SSC_OPERATIONS,
  SSC_RECORD_SCHEMAS,
  SSC_STREAMS,
  type SscChannel,
  type SscFeeItem,
  type SscFeeNotice,
  type SscPayment,
  type SscRecordKind,
} from '../../mappings/ssc/v1/index.ts';
import type { FeeItem, Invoice, Receivable } from '../../src/model/index.ts';
import { RecordError } from '../../src/sdk/errors.ts';
import { hash32, Random, Weighted } from '../generator/random.ts';

/** The LGSP service name SSC is published under (assumed, ❓). */
export const SSC_SERVICE = 'ssc';

export type SscRecordStatus = 'accepted' | 'refused';

export interface SscRecordResult {
  key: string;
  status: SscRecordStatus;
  code?: string;
  message?: string;
  /** The field a refusal is about, as a path in the record (`ChiTiet.0.SoTien`, `GhiChu`). */
  field?: string;
  /** The record's version in SSC after the change (counts changes of content). */
  version?: string;
  deleted?: boolean;
}

export interface SscBatchAnswer {
  idempotencyKey: string;
  results: SscRecordResult[];
}

export interface SscFaultPlan {
  /** Every call waits this long. */
  latencyMs?: number;
  /** Share (0–1) of API calls answering 500, drawn from a sequence seeded by `errorSeed`. */
  errorRate?: number;
  errorSeed?: number;
  /** The next `count` API calls answer 503 with `Retry-After`. */
  unavailable?: { count: number; retryAfterSeconds?: number };
  /** The next `count` records that pass validation are refused with this code and message. */
  refuse?: { count: number; code?: string; message?: string };
  /** The next `count` answers are cut-off JSON (after the call was applied). */
  malformed?: { count: number };
}

/** The school as seller on its receipts and invoices. */
export type SscSchoolProfile = EInvoiceSeller;

export interface SscOptions {
  faults?: SscFaultPlan;
  port?: number;
  /** The address to listen on (default 127.0.0.1). */
  host?: string;
  /** Seller details per school code; a school not listed gets a made-up profile. */
  schools?: Record<string, SscSchoolProfile>;
  /** What `xuatchungtu` issues when the call does not say: default `BIEN_LAI` (e-receipt). */
  defaultDocument?: 'BIEN_LAI' | 'HOA_DON';
  /** Refuse a notice naming a fee item SSC does not hold (default true). */
  requireKnownFeeItems?: boolean;
}

interface HeldFeeItem {
  record: SscFeeItem;
  version: number;
}

interface HeldNotice {
  record: SscFeeNotice;
  version: number;
  /** What SSC has collected on it, whole đồng. */
  paid: number;
}

export interface SscIssuedDocument {
  MaGiaoDich: string;
  SoPhieu: string;
  MaTruong: string;
  MaHocSinh: string;
  /** BIEN_LAI (e-receipt) or HOA_DON (e-invoice). */
  LoaiChungTu: 'BIEN_LAI' | 'HOA_DON';
  /** Mẫu số (KHMSHDon) and ký hiệu (KHHDon). */
  KyHieuMauSo: string;
  KyHieu: string;
  So: string;
  NgayLap: string;
  TongTien: number;
  /** HDon XML, unsigned. */
  XML: string;
}

export interface SscRequestLogEntry {
  at: string;
  operation: string;
  idempotencyKey?: string;
  status: number;
  records?: number;
  replayed?: boolean;
}

export interface SscNoticeView {
  key: string;
  record: SscFeeNotice;
  version: number;
  paid: number;
  /** SSC's own view: CHUA_THU, THU_MOT_PHAN or DA_THU from what it collected; HUY as sent. */
  paymentStatus: string;
}

export interface SscStateSnapshot {
  counts: { feeItems: number; notices: number; payments: number; documents: number };
  feeItems: Array<{ key: string; record: SscFeeItem; version: number }>;
  notices: SscNoticeView[];
  payments: SscPayment[];
  documents: Array<Omit<SscIssuedDocument, 'XML'>>;
  idempotencyKeys: Record<string, number>;
  batchesApplied: number;
  faults: SscFaultPlan;
  faultsInjected: { unavailable: number; errors: number; refuse: number; malformed: number };
  requests: SscRequestLogEntry[];
}

export interface PayNoticesOptions {
  /** Share (0–1) of the open notices that get a payment. */
  share: number;
  seed: number;
  /** Share (0–1) of those payments that pay only part of what is owed (default 0.2). */
  partialShare?: number;
  /** Payments are dated up to six hours before this (default now). */
  at?: Date | string;
  /** Only this school's notices (default every school). */
  schoolCode?: string;
}

export interface Ssc {
  url: string;
  /** What to register as the LGSP route of the service: `${url}/api`. */
  upstreamUrl: string;
  state(): SscStateSnapshot;
  faults: { set(plan: SscFaultPlan): void; current(): SscFaultPlan };
  /** Parents pay: returns the payments made, as SSC lists them. */
  payNotices(options: PayNoticesOptions): SscPayment[];
  /** What SSC holds from the hub (key → `{ kind, record }`), for a school or all. */
  contentOf(schoolCode?: string): Map<string, { kind: SscRecordKind; record: Record<string, unknown> }>;
  close(): Promise<void>;
}

const STREAM_OF_OPERATION = new Map<string, string>(
  Object.entries(SSC_STREAMS).map(([s, v]) => [v.operation, s]),
);
const KINDS = SSC_STREAMS.fees.kinds as readonly string[];
const MAX_LOG = 500;
const MAX_PAGE = 500;

const BatchSchema = z.strictObject({
  idempotencyKey: z.string().min(1).max(200).optional(),
  records: z.array(z.unknown()).default([]),
  deletes: z.array(z.unknown()).default([]),
});
const ItemSchema = z.strictObject({
  key: z.string().min(1).max(300),
  kind: z.string(),
  record: z.unknown(),
});
const ListSchema = z.strictObject({
  MaTruong: z.string().min(1),
  since: z.iso.datetime({ offset: true }).optional(),
  cursor: z.string().min(1).optional(),
  limit: z.int().min(1).max(MAX_PAGE).optional(),
});
const IssueSchema = z.strictObject({
  idempotencyKey: z.string().min(1).max(200).optional(),
  MaGiaoDich: z.string().min(1),
  LoaiChungTu: z.enum(['BIEN_LAI', 'HOA_DON']).optional(),
  NguoiMua: z
    .strictObject({
      Ten: z.string().trim().min(1).max(200),
      MST: z.string().optional(),
      DChi: z.string().max(300).optional(),
      HoTenNguoiMua: z.string().max(200).optional(),
    })
    .optional(),
});

/** The body out of the vnpt envelope (`{"data":[body]}` or `[body]`), or as it came. */
function single(body: unknown): unknown {
  let b = body;
  if (b && typeof b === 'object' && !Array.isArray(b) && Array.isArray((b as { data?: unknown }).data))
    b = (b as { data: unknown[] }).data;
  if (Array.isArray(b) && b.length === 1) return b[0];
  return b;
}

function zodProblem(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0]!;
  const field = issuePath(issue).join('.') || '(body)';
  const message =
    issue.code === 'unrecognized_keys'
      ? `Trường ${field} không có trong hợp đồng / field ${field} is not in the contract`
      : `Trường ${field} không hợp lệ / field ${field} is invalid: ${issue.message}`;
  return { field, message };
}

const sameContent = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const stringHash = (s: string) => hash32(...[...s].map((c) => c.codePointAt(0)!));

/** `yyyy-MM-ddTHH:mm:ss+07:00` for an instant. */
const vietnamTime = (ms: number) => `${new Date(ms + 7 * 3_600_000).toISOString().slice(0, 19)}+07:00`;

/** SSC is cashless: parents pay by transfer, wallet, portal, card, POS at school or auto-debit. */
const CHANNELS = new Weighted<SscChannel>([
  ['CHUYEN_KHOAN', 38],
  ['VI_DIEN_TU', 24],
  ['CONG_SSC', 22],
  ['THE', 5],
  ['POS', 5],
  ['TRICH_NO_TU_DONG', 4],
]);

function defaultProfile(schoolCode: string): SscSchoolProfile {
  const digits = String(hash32(stringHash(schoolCode)) % 100_000_000).padStart(8, '0');
  return {
    name: `Trường ${schoolCode}`,
    taxCode: `03${digits}`,
    address: 'TP. Hồ Chí Minh',
  };
}

export async function startSsc(options: SscOptions = {}): Promise<Ssc> {
  const feeItems = new Map<string, HeldFeeItem>();
  const notices = new Map<string, HeldNotice>();
  const payments: SscPayment[] = [];
  const paymentsById = new Map<string, SscPayment>();
  const documents = new Map<string, SscIssuedDocument>();
  const documentSeq = new Map<string, number>();
  const idempotencyKeys = new Map<string, number>();
  const answers = new Map<string, { operation: string; status: number; answer: unknown }>();
  const requests: SscRequestLogEntry[] = [];
  const faultsInjected = { unavailable: 0, errors: 0, refuse: 0, malformed: 0 };
  let batchesApplied = 0;
  let paymentSeq = 0;
  let plan: SscFaultPlan = structuredClone(options.faults ?? {});
  let errorRandom = new Random(plan.errorSeed ?? 1, 0x55c);
  const requireKnownFeeItems = options.requireKnownFeeItems ?? true;

  const take = <K extends 'unavailable' | 'refuse' | 'malformed'>(kind: K): SscFaultPlan[K] | undefined => {
    const f = plan[kind] as { count: number } | undefined;
    if (!f || f.count <= 0) return undefined;
    f.count--;
    faultsInjected[kind]++;
    return plan[kind];
  };
  const setPlan = (p: SscFaultPlan) => {
    plan = structuredClone(p);
    errorRandom = new Random(plan.errorSeed ?? 1, 0x55c);
  };

  const feeKey = (school: string, year: string, code: string) => `${school}|${year}|${code}`;
  const feeIndex = () => {
    const index = new Map<string, string>();
    for (const [key, f] of feeItems)
      index.set(feeKey(f.record.MaTruong, f.record.NamHoc, f.record.MaKhoanThu), key);
    return index;
  };
  const noticeBySoPhieu = (school: string, soPhieu: string) => {
    for (const [key, n] of notices)
      if (n.record.MaTruong === school && n.record.SoPhieu === soPhieu) return key;
    return undefined;
  };

  function refused(key: string, code: string, message: string, field?: string): SscRecordResult {
    return { key, status: 'refused', code, message, ...(field ? { field } : {}) };
  }

  function upsert(item: unknown, index: number, fees: Map<string, string>): SscRecordResult {
    const shape = ItemSchema.safeParse(item);
    const rawKey = (item as { key?: unknown } | null)?.key;
    const key = typeof rawKey === 'string' && rawKey !== '' ? rawKey : `#${index}`;
    if (!shape.success) {
      const p = zodProblem(shape.error);
      return refused(key, 'SCHEMA_INVALID', p.message, p.field);
    }
    const { kind } = shape.data;
    if (!KINDS.includes(kind))
      return refused(
        key,
        'SCHEMA_INVALID',
        `Trường kind phải là ${KINDS.join('|')} / kind must be ${KINDS.join('|')}`,
        'kind',
      );
    const parsed = SSC_RECORD_SCHEMAS[kind as SscRecordKind].safeParse(shape.data.record);
    if (!parsed.success) {
      const p = zodProblem(parsed.error);
      return refused(key, 'SCHEMA_INVALID', p.message, p.field);
    }
    if (kind === 'KhoanThu') {
      const record = parsed.data as SscFeeItem;
      const k = feeKey(record.MaTruong, record.NamHoc, record.MaKhoanThu);
      const other = fees.get(k);
      if (other !== undefined && other !== key)
        return refused(
          key,
          'DUPLICATE_FEE_ITEM',
          `MaKhoanThu ${record.MaKhoanThu} đã có cho năm học này / already held for this school year under another key`,
          'MaKhoanThu',
        );
      const forced = take('refuse');
      if (forced)
        return refused(key, forced.code ?? 'REFUSED', forced.message ?? 'Từ chối (sandbox) / refused');
      const previous = feeItems.get(key);
      const version =
        previous && sameContent(previous.record, record) ? previous.version : (previous?.version ?? 0) + 1;
      if (previous)
        fees.delete(feeKey(previous.record.MaTruong, previous.record.NamHoc, previous.record.MaKhoanThu));
      feeItems.set(key, { record, version });
      fees.set(k, key);
      return { key, status: 'accepted', version: String(version) };
    }
    const record = parsed.data as SscFeeNotice;
    if (requireKnownFeeItems) {
      const unknown = record.ChiTiet.findIndex(
        (i) => !fees.has(feeKey(record.MaTruong, record.NamHoc, i.MaKhoanThu)),
      );
      if (unknown >= 0)
        return refused(
          key,
          'UNKNOWN_FEE_ITEM',
          `Khoản thu ${record.ChiTiet[unknown]!.MaKhoanThu} chưa có trong SSC / fee item ${record.ChiTiet[unknown]!.MaKhoanThu} unknown to SSC`,
          `ChiTiet.${unknown}.MaKhoanThu`,
        );
    }
    const other = noticeBySoPhieu(record.MaTruong, record.SoPhieu);
    if (other !== undefined && other !== key)
      return refused(
        key,
        'DUPLICATE_NOTICE',
        `SoPhieu ${record.SoPhieu} đã có / SoPhieu ${record.SoPhieu} is already held under another key`,
        'SoPhieu',
      );
    const previous = notices.get(key);
    if (previous && previous.paid > 0) {
      if (record.TrangThai === 'HUY')
        return refused(
          key,
          'NOTICE_HAS_PAYMENTS',
          'Phiếu đã có giao dịch, không hủy được / the notice has payments and cannot be cancelled',
          'TrangThai',
        );
      if (record.TongTien < previous.paid)
        return refused(
          key,
          'NOTICE_HAS_PAYMENTS',
          `TongTien nhỏ hơn số đã thu (${previous.paid}) / TongTien is below what was collected (${previous.paid})`,
          'TongTien',
        );
    }
    const forced = take('refuse');
    if (forced)
      return refused(key, forced.code ?? 'REFUSED', forced.message ?? 'Từ chối (sandbox) / refused');
    const version =
      previous && sameContent(previous.record, record) ? previous.version : (previous?.version ?? 0) + 1;
    notices.set(key, { record, version, paid: previous?.paid ?? 0 });
    return { key, status: 'accepted', version: String(version) };
  }

  function remove(item: unknown, fees: Map<string, string>): SscRecordResult {
    if (typeof item !== 'string' || item === '')
      return {
        ...refused(String(item), 'SCHEMA_INVALID', 'delete key must be a string', 'deletes'),
        deleted: true,
      };
    const key = item;
    const notice = notices.get(key);
    if (notice) {
      if (notice.paid > 0)
        return {
          ...refused(
            key,
            'NOTICE_HAS_PAYMENTS',
            'Phiếu đã có giao dịch, không xóa được / the notice has payments and cannot be deleted',
          ),
          deleted: true,
        };
      notices.delete(key);
      return { key, status: 'accepted', deleted: true, version: String(notice.version + 1) };
    }
    const fee = feeItems.get(key);
    if (fee) {
      const { MaTruong, NamHoc, MaKhoanThu } = fee.record;
      const used = [...notices.values()].some(
        (n) =>
          n.record.MaTruong === MaTruong &&
          n.record.NamHoc === NamHoc &&
          n.record.ChiTiet.some((i) => i.MaKhoanThu === MaKhoanThu),
      );
      if (used)
        return {
          ...refused(
            key,
            'FEE_ITEM_IN_USE',
            `Khoản thu ${MaKhoanThu} có trong phiếu báo thu / fee item ${MaKhoanThu} is on notices`,
          ),
          deleted: true,
        };
      feeItems.delete(key);
      fees.delete(feeKey(MaTruong, NamHoc, MaKhoanThu));
      return { key, status: 'accepted', deleted: true, version: String(fee.version + 1) };
    }
    return { key, status: 'accepted', deleted: true };
  }

  const paymentStatusOf = (n: HeldNotice) =>
    n.record.TrangThai === 'HUY'
      ? 'HUY'
      : n.paid >= n.record.TongTien
        ? 'DA_THU'
        : n.paid > 0
          ? 'THU_MOT_PHAN'
          : 'CHUA_THU';

  // ---------------------------------------------------------------------------------------------
  // Payments

  function payNotices(o: PayNoticesOptions): SscPayment[] {
    const at = o.at === undefined ? Date.now() : new Date(o.at).getTime();
    const partialShare = o.partialShare ?? 0.2;
    const made: SscPayment[] = [];
    const keys = [...notices.keys()].sort();
    for (const key of keys) {
      const n = notices.get(key)!;
      if (o.schoolCode !== undefined && n.record.MaTruong !== o.schoolCode) continue;
      // The school's word counts too: a notice it says is paid (at its desk) or cancelled is not collected.
      if (!COLLECTABLE_STATUSES.has(n.record.TrangThai)) continue;
      const owed = n.record.TongTien - n.paid;
      if (owed <= 0) continue;
      // One stream per notice and seed: who pays does not depend on what else is held.
      const random = new Random(o.seed, stringHash(key), n.paid);
      if (!random.chance(o.share)) continue;
      const partial = owed >= 2_000 && random.chance(partialShare);
      const amount = partial
        ? Math.max(1_000, Math.floor((owed * random.between(30, 70)) / 100_000) * 1_000)
        : owed;
      const channel = CHANNELS.draw(random);
      const when = at - random.int(6 * 3_600) * 1_000;
      const time = vietnamTime(when);
      const yyddd = `${time.slice(2, 4)}${String(
        Math.floor(
          (Date.parse(`${time.slice(0, 10)}T00:00:00Z`) - Date.parse(`${time.slice(0, 4)}-01-01T00:00:00Z`)) /
            86_400_000,
        ) + 1,
      ).padStart(3, '0')}`;
      const digits = (k: number) => String(random.int(10 ** k)).padStart(k, '0');
      const reference =
        channel === 'CHUYEN_KHOAN' || channel === 'TRICH_NO_TU_DONG'
          ? `FT${yyddd}${digits(7)}`
          : channel === 'VI_DIEN_TU'
            ? `MW${yyddd}${digits(9)}`
            : channel === 'CONG_SSC'
              ? `SSC${yyddd}${digits(8)}`
              : digits(12);
      const p: SscPayment = {
        MaGiaoDich: `${n.record.MaTruong}-GD-${String(++paymentSeq).padStart(7, '0')}`,
        MaTruong: n.record.MaTruong,
        SoPhieu: n.record.SoPhieu,
        MaHocSinh: n.record.MaHocSinh,
        SoTien: amount,
        PhiGiaoDich: random.between(15, 22) * 500,
        KenhThanhToan: channel,
        MaThamChieuNganHang: reference,
        ThoiGian: time,
      };
      n.paid += amount;
      payments.push(p);
      paymentsById.set(p.MaGiaoDich, p);
      made.push(p);
    }
    return made;
  }

  const position = (p: SscPayment): [number, string] => [Date.parse(p.ThoiGian), p.MaGiaoDich];
  const after = (a: [number, string], b: [number, string]) => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
  const encodeCursor = (p: SscPayment) => Buffer.from(JSON.stringify(position(p))).toString('base64url');
  function decodeCursor(cursor: string): [number, string] | undefined {
    try {
      const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
      if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string') return [v[0], v[1]];
    } catch {}
    return undefined;
  }

  function listPayments(query: z.infer<typeof ListSchema>) {
    const since = query.since ? Date.parse(query.since) : Number.NEGATIVE_INFINITY;
    const from = query.cursor ? decodeCursor(query.cursor) : undefined;
    const limit = query.limit ?? 100;
    const matching = payments
      .filter((p) => p.MaTruong === query.MaTruong && Date.parse(p.ThoiGian) >= since)
      .filter((p) => from === undefined || after(position(p), from))
      .sort((a, b) => {
        const [x, y] = [position(a), position(b)];
        return x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0);
      });
    const items = matching.slice(0, limit);
    const last = items.at(-1);
    return {
      MaTruong: query.MaTruong,
      items,
      nextCursor: matching.length > limit && last ? encodeCursor(last) : null,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Receipts and invoices

  function issueDocument(request: z.infer<typeof IssueSchema>): {
    status: number;
    answer: SscIssuedDocument | { code: string; message: string; field?: string };
  } {
    const existing = documents.get(request.MaGiaoDich);
    if (existing) return { status: 200, answer: existing };
    const p = paymentsById.get(request.MaGiaoDich);
    if (!p)
      return {
        status: 422,
        answer: {
          code: 'PAYMENT_UNKNOWN',
          message: `Không có giao dịch ${request.MaGiaoDich} / no payment ${request.MaGiaoDich}`,
          field: 'MaGiaoDich',
        },
      };
    const noticeKey = noticeBySoPhieu(p.MaTruong, p.SoPhieu);
    const held = noticeKey ? notices.get(noticeKey) : undefined;
    if (!noticeKey || !held)
      return {
        status: 422,
        answer: { code: 'NOTICE_UNKNOWN', message: `Không có phiếu ${p.SoPhieu} / no notice ${p.SoPhieu}` },
      };
    const kind = request.LoaiChungTu ?? options.defaultDocument ?? 'BIEN_LAI';
    const date = p.ThoiGian.slice(0, 10);
    const yy = date.slice(2, 4);
    const form =
      kind === 'HOA_DON'
        ? { kind: 'e_invoice' as const, template: '2', series: `C${yy}TBL`, width: 8 }
        : { kind: 'e_receipt' as const, template: '01BLP0-001', series: `BL-${yy}T`, width: 7 };
    const seqKey = `${p.MaTruong}|${form.template}|${form.series}`;
    const n = (documentSeq.get(seqKey) ?? 0) + 1;
    const number = String(n).padStart(form.width, '0');
    const pulledAt = vietnamTime(Date.now());
    const source = { adapter: 'ssc-sandbox', schoolCode: p.MaTruong, pulledAt };
    const r = held.record;
    const receivable: Receivable = {
      type: 'receivable',
      key: noticeKey,
      source,
      schoolCode: r.MaTruong,
      schoolYear: r.NamHoc,
      receivableNo: r.SoPhieu,
      studentCode: r.MaHocSinh,
      items: r.ChiTiet.map((i) => ({ feeCode: i.MaKhoanThu, amount: i.SoTien })),
      total: r.TongTien,
      dueDate: r.HanNop,
      paymentReference: r.NoiDungChuyenKhoan,
      status: 'open',
    };
    const invoice: Invoice = {
      type: 'invoice',
      key: `ssc:${form.series}-${number}`,
      source,
      schoolCode: p.MaTruong,
      kind: form.kind,
      template: form.template,
      series: form.series,
      number,
      issuedAt: date,
      paymentId: p.MaGiaoDich,
      receivableNo: p.SoPhieu,
      studentCode: p.MaHocSinh,
      total: p.SoTien,
    };
    const periodOf = new Map(Object.entries(SSC_FEE_PERIODS).map(([canonical, ssc]) => [ssc, canonical]));
    const fees = [...feeItems.values()]
      .filter((f) => f.record.MaTruong === r.MaTruong && f.record.NamHoc === r.NamHoc)
      .map((f) => ({
        feeCode: f.record.MaKhoanThu,
        name: f.record.TenKhoanThu,
        amount: f.record.SoTien,
        period: periodOf.get(f.record.KyThu) as FeeItem['period'],
      }));
    const buyer: EInvoiceBuyer = request.NguoiMua
      ? {
          name: request.NguoiMua.Ten,
          ...(request.NguoiMua.MST ? { taxCode: request.NguoiMua.MST } : {}),
          ...(request.NguoiMua.DChi ? { address: request.NguoiMua.DChi } : {}),
          ...(request.NguoiMua.HoTenNguoiMua ? { contactName: request.NguoiMua.HoTenNguoiMua } : {}),
          customerCode: p.MaHocSinh,
        }
      : { name: `Phụ huynh học sinh ${p.MaHocSinh}`, customerCode: p.MaHocSinh };
    let xml: string;
    try {
      xml = buildEInvoiceXml(
        invoice,
        receivable,
        options.schools?.[p.MaTruong] ?? defaultProfile(p.MaTruong),
        buyer,
        {
          feeItems: fees,
          paymentMethod: paymentMethodOf(SSC_CHANNELS[p.KenhThanhToan]),
        },
      );
    } catch (e) {
      if (!(e instanceof RecordError)) throw e;
      const field = e.field?.startsWith('buyer.') ? `NguoiMua.${e.field.slice(6)}` : e.field;
      return {
        status: 422,
        answer: { code: 'DOCUMENT_INVALID', message: e.message, ...(field ? { field } : {}) },
      };
    }
    documentSeq.set(seqKey, n);
    const doc: SscIssuedDocument = {
      MaGiaoDich: p.MaGiaoDich,
      SoPhieu: p.SoPhieu,
      MaTruong: p.MaTruong,
      MaHocSinh: p.MaHocSinh,
      LoaiChungTu: kind,
      KyHieuMauSo: form.template,
      KyHieu: form.series,
      So: number,
      NgayLap: date,
      TongTien: p.SoTien,
      XML: xml,
    };
    documents.set(p.MaGiaoDich, doc);
    return { status: 200, answer: doc };
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP

  const app: FastifyInstance = Fastify({
    logger: false,
    bodyLimit: 32 * 1024 * 1024,
    forceCloseConnections: true,
  });

  app.addHook('onRequest', async () => {
    if (plan.latencyMs) await new Promise((r) => setTimeout(r, plan.latencyMs));
  });

  const log = (entry: SscRequestLogEntry) => {
    requests.push(entry);
    if (requests.length > MAX_LOG) requests.splice(0, requests.length - MAX_LOG);
  };

  const badRequest = (reply: FastifyReply, code: string, message: string, field?: string) =>
    reply.code(400).send({ code, message, ...(field ? { field } : {}) });

  app.post<{ Params: { operation: string } }>('/api/:operation', async (request, reply) => {
    const operation = request.params.operation;
    const header = request.headers['idempotency-key'];
    const headerKey = Array.isArray(header) ? header[0] : header;
    const entry: SscRequestLogEntry = {
      at: new Date().toISOString(),
      operation,
      ...(headerKey ? { idempotencyKey: headerKey } : {}),
      status: 200,
    };
    log(entry);
    const answer = (status: number, body: unknown) => {
      entry.status = status;
      if (take('malformed')) return reply.code(status).type('application/json').send('{"results":[{"key":');
      return reply.code(status).send(body);
    };

    const busy = take('unavailable');
    if (busy) {
      entry.status = 503;
      reply.header('retry-after', String(busy.retryAfterSeconds ?? 1));
      return reply.code(503).send({ code: 'UNAVAILABLE', message: 'SSC đang bảo trì / SSC is down' });
    }
    if (plan.errorRate && errorRandom.chance(plan.errorRate)) {
      faultsInjected.errors++;
      entry.status = 500;
      return reply.code(500).send({ code: 'INTERNAL', message: 'Lỗi hệ thống SSC / SSC internal error' });
    }
    const body = single(request.body);

    if (operation === SSC_OPERATIONS.listPayments) {
      const query = ListSchema.safeParse(body);
      if (!query.success) {
        entry.status = 400;
        const p = zodProblem(query.error);
        return badRequest(reply, 'SCHEMA_INVALID', p.message, p.field);
      }
      if (query.data.cursor && !decodeCursor(query.data.cursor)) {
        entry.status = 400;
        return badRequest(
          reply,
          'CURSOR_INVALID',
          'cursor không hợp lệ / cursor is not one SSC gave',
          'cursor',
        );
      }
      const page = listPayments(query.data);
      entry.records = page.items.length;
      return answer(200, page);
    }

    if (operation === SSC_OPERATIONS.issueReceipt) {
      const issue = IssueSchema.safeParse(body);
      if (!issue.success) {
        entry.status = 400;
        const p = zodProblem(issue.error);
        return badRequest(reply, 'SCHEMA_INVALID', p.message, p.field);
      }
      const key = issue.data.idempotencyKey ?? headerKey;
      if (key) {
        idempotencyKeys.set(key, (idempotencyKeys.get(key) ?? 0) + 1);
        const seen = answers.get(key);
        if (seen && seen.operation !== operation) {
          entry.status = 409;
          return reply
            .code(409)
            .send({ code: 'IDEMPOTENCY_KEY_REUSED', message: 'the key was used for another operation' });
        }
        if (seen) {
          entry.replayed = true;
          return answer(seen.status, seen.answer);
        }
      }
      const result = issueDocument(issue.data);
      if (key && result.status === 200) answers.set(key, { operation, ...result });
      return answer(result.status, result.answer);
    }

    const stream = STREAM_OF_OPERATION.get(operation);
    if (!stream) {
      entry.status = 404;
      return reply.code(404).send({ code: 'NO_OPERATION', message: `no operation ${operation}` });
    }
    const batch = BatchSchema.safeParse(body);
    if (!batch.success) {
      entry.status = 400;
      const p = zodProblem(batch.error);
      return badRequest(reply, 'SCHEMA_INVALID', p.message, p.field);
    }
    const key = batch.data.idempotencyKey ?? headerKey;
    if (!key) {
      entry.status = 400;
      return badRequest(reply, 'IDEMPOTENCY_KEY_MISSING', 'idempotencyKey is required', 'idempotencyKey');
    }
    entry.idempotencyKey = key;
    entry.records = batch.data.records.length + batch.data.deletes.length;
    idempotencyKeys.set(key, (idempotencyKeys.get(key) ?? 0) + 1);
    const seen = answers.get(key);
    if (seen) {
      if (seen.operation !== operation) {
        entry.status = 409;
        return reply
          .code(409)
          .send({ code: 'IDEMPOTENCY_KEY_REUSED', message: 'the key was used for another operation' });
      }
      entry.replayed = true;
      return answer(seen.status, seen.answer);
    }
    // Fee items first, whatever their place in the batch: a notice names them.
    const fees = feeIndex();
    const indexed = batch.data.records.map((r, i) => ({ r, i }));
    const isFee = (r: unknown) => (r as { kind?: unknown } | null)?.kind === 'KhoanThu';
    const results = new Array<SscRecordResult>(indexed.length);
    for (const { r, i } of indexed.filter((x) => isFee(x.r))) results[i] = upsert(r, i, fees);
    for (const { r, i } of indexed.filter((x) => !isFee(x.r))) results[i] = upsert(r, i, fees);
    const result: SscBatchAnswer = {
      idempotencyKey: key,
      results: [...results, ...batch.data.deletes.map((d) => remove(d, fees))],
    };
    answers.set(key, { operation, status: 200, answer: result });
    batchesApplied++;
    return answer(200, result);
  });

  function contentOf(school?: string) {
    const out = new Map<string, { kind: SscRecordKind; record: Record<string, unknown> }>();
    for (const [key, f] of feeItems)
      if (school === undefined || f.record.MaTruong === school)
        out.set(key, { kind: 'KhoanThu', record: f.record });
    for (const [key, n] of notices)
      if (school === undefined || n.record.MaTruong === school)
        out.set(key, { kind: 'PhieuBaoThu', record: n.record });
    return out;
  }

  function state(): SscStateSnapshot {
    return {
      counts: {
        feeItems: feeItems.size,
        notices: notices.size,
        payments: payments.length,
        documents: documents.size,
      },
      feeItems: [...feeItems].map(([key, f]) => ({ key, record: f.record, version: f.version })),
      notices: [...notices].map(([key, n]) => ({
        key,
        record: n.record,
        version: n.version,
        paid: n.paid,
        paymentStatus: paymentStatusOf(n),
      })),
      payments: [...payments],
      documents: [...documents.values()].map(({ XML: _x, ...d }) => d),
      idempotencyKeys: Object.fromEntries(idempotencyKeys),
      batchesApplied,
      faults: structuredClone(plan),
      faultsInjected: { ...faultsInjected },
      requests: requests.map((r) => ({ ...r })),
    };
  }

  app.get('/_sandbox/state', async () => state());
  app.get<{ Querystring: { school?: string } }>('/_sandbox/records', async (request) =>
    Object.fromEntries(contentOf(request.query.school)),
  );
  app.post('/_sandbox/faults', async (request) => {
    setPlan((request.body ?? {}) as SscFaultPlan);
    return plan;
  });
  app.post('/_sandbox/pay', async (request, reply) => {
    const o = PayBodySchema.safeParse(request.body ?? {});
    if (!o.success) {
      const p = zodProblem(o.error);
      return badRequest(reply, 'SCHEMA_INVALID', p.message, p.field);
    }
    return { payments: payNotices(o.data) };
  });

  const url = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  return {
    url,
    upstreamUrl: `${url}/api`,
    state,
    faults: { set: setPlan, current: () => structuredClone(plan) },
    payNotices,
    contentOf,
    close: () => app.close(),
  };
}

const PayBodySchema = z.strictObject({
  share: z.number().min(0).max(1),
  seed: z.int(),
  partialShare: z.number().min(0).max(1).optional(),
  at: z.iso.datetime({ offset: true }).optional(),
  schoolCode: z.string().min(1).optional(),
});
