/**
 * SSC (HCMC's online revenue system: fee notices, cashless payments, receipts) as a target: fee
 * items and notices mapped by `mappings/ssc/v1` (each open notice with the VietQR of the school's
 * collection account), pushed one batch per call through the LGSP gateway as
 * `{ idempotencyKey, records: [{ key, kind, record }], deletes: [key] }` and answered per record;
 * and, because parents pay at SSC, the payments read back as canonical records and a receipt or
 * invoice issued for one. The contract is ours (SSC publishes none): see `openapi/ssc.md`.
 *
 * @example
 * const target = createSscTarget({ gateway: createGatewayClient(options), collectionAccounts });
 * const { results } = await target.push({ …batch, upserts: [target.map(receivable)!] });
 * for await (const payment of target.readPayments('79NB0001', { since: '2026-02-01T00:00:00+07:00' })) …
 * const { invoice, xml } = await target.issueReceipt(payment.paymentId);
 */
import { z } from 'zod';
import {
  type CollectionAccount,
  CollectionAccountsSchema,
  mapToSsc,
  paymentFromSsc,
  SSC_MAPPING_VERSION,
  SSC_OPERATIONS,
  SSC_STREAMS,
  type SscStream,
  vietnamNow,
} from '../../mappings/ssc/v1/index.ts';
import type { GatewayClient } from '../gateway/index.ts';
import { type CanonicalRecord, type Invoice, InvoiceSchema, type Payment } from '../model/index.ts';
import { hubError, RecordError } from '../sdk/errors.ts';
import { type GatewayBatchTarget, pushGatewayBatch, streamOperations } from './gateway-batch.ts';
import { perRecordResults } from './record-results.ts';
import type { MappedRecord, PushBatch, PushResult, Target, TargetRecordResult } from './target.ts';

export const SSC_TARGET_ID = 'ssc';

export interface SscTargetOptions {
  gateway: GatewayClient;
  /** The collection account of each school, by school code (SSC_COLLECTION_ACCOUNTS). */
  collectionAccounts: Readonly<Record<string, CollectionAccount>>;
  /** LGSP service of SSC; default `ssc` (assumed, ❓). */
  service?: string;
  /** Operation per stream (default `baothu`), and of the payment list and receipt calls. */
  operations?: Partial<Record<SscStream, string>> & { listPayments?: string; issueReceipt?: string };
  /** Payments per page when reading (default 100, SSC allows up to 500). */
  pageSize?: number;
}

export interface ReadPaymentsOptions {
  /** Payments made at or after this instant (ISO 8601 with offset); default all. */
  since?: string;
  signal?: AbortSignal;
  pageSize?: number;
  correlationId?: string;
  /**
   * A row that does not map (RecordError naming SSC's field). Given: it is reported here and the
   * read goes on; absent: the error is thrown.
   */
  onInvalid?: (error: RecordError, row: unknown) => void;
}

export interface IssueReceiptOptions {
  /** `e_receipt` (biên lai, default) or `e_invoice` (hóa đơn). */
  kind?: Invoice['kind'];
  /** The payer as the document names them; default "Phụ huynh học sinh <student code>". */
  buyer?: { name: string; taxCode?: string; address?: string; contactName?: string };
  /** Default `ssc-receipt:<paymentId>`: one document per payment, however often asked. */
  idempotencyKey?: string;
  correlationId?: string;
}

export interface IssuedReceipt {
  /** The document as a canonical `invoice` record (key `ssc:<school>-<series>-<number>`). */
  invoice: Invoice;
  /** HDon XML as SSC issued it (unsigned in the sandbox). */
  xml: string;
  messageId: string;
}

export interface SscTarget extends Target {
  /** A school's payments at SSC, oldest first, page by page, as canonical `payment` records. */
  readPayments(schoolCode: string, options?: ReadPaymentsOptions): AsyncGenerator<Payment, void, undefined>;
  /** Issues (or fetches, when already issued) the e-receipt or e-invoice of a payment. */
  issueReceipt(paymentId: string, options?: IssueReceiptOptions): Promise<IssuedReceipt>;
}

const invalidAnswer = (vi: string, en: string) =>
  hubError('TARGET_ANSWER_INVALID', { target: 'SSC', reason: { vi, en } });

/** Turns SSC's answer into one result per key of the batch; a key it skipped has failed. */
const SSC_NAME = { vi: 'SSC', en: 'SSC' };

export function sscRecordResults(batch: PushBatch, answer: unknown): TargetRecordResult[] {
  return perRecordResults(batch, answer, { name: SSC_NAME });
}

/** A page of payments: the rows are checked one by one when mapped, not here. */
const PageSchema = z.object({
  items: z.array(z.unknown()),
  nextCursor: z.string().min(1).nullable().optional(),
});

const DocumentSchema = z.object({
  MaGiaoDich: z.string().min(1),
  SoPhieu: z.string().min(1),
  MaTruong: z.string().min(1),
  MaHocSinh: z.string().min(1),
  LoaiChungTu: z.enum(['BIEN_LAI', 'HOA_DON']),
  KyHieuMauSo: z.string().min(1),
  KyHieu: z.string().min(1),
  So: z.string().min(1),
  NgayLap: z.iso.date(),
  TongTien: z.int().nonnegative(),
  XML: z.string().regex(/<HDon>/, 'XML must hold an HDon'),
});

export function createSscTarget(options: SscTargetOptions): SscTarget {
  const accounts = CollectionAccountsSchema.safeParse(options.collectionAccounts);
  if (!accounts.success) {
    const where = accounts.error.issues[0]!.path.map(String).join('.');
    throw hubError('TARGET_NOT_CONFIGURED', {
      target: 'SSC',
      reason: {
        vi: `tài khoản thu SSC_COLLECTION_ACCOUNTS.${where} không hợp lệ (bankBin 6 chữ số, tài khoản 1–19 ký tự)`,
        en: `SSC_COLLECTION_ACCOUNTS.${where} is invalid (6-digit bankBin, 1–19 character account)`,
      },
    });
  }
  const mapping = { collectionAccounts: accounts.data };
  const service = options.service ?? 'ssc';
  const listOperation = options.operations?.listPayments ?? SSC_OPERATIONS.listPayments;
  const issueOperation = options.operations?.issueReceipt ?? SSC_OPERATIONS.issueReceipt;
  const batches: GatewayBatchTarget = {
    gateway: options.gateway,
    service,
    name: SSC_NAME,
    operations: streamOperations(SSC_STREAMS, options.operations),
  };

  return {
    id: SSC_TARGET_ID,
    mappingVersion: SSC_MAPPING_VERSION,
    streams: Object.keys(SSC_STREAMS) as SscStream[],
    mappingSettings: mapping,

    map(record: CanonicalRecord): MappedRecord | undefined {
      return mapToSsc(record, mapping);
    },

    push(batch: PushBatch, pushOptions?: { signal?: AbortSignal }): Promise<PushResult> {
      return pushGatewayBatch(batches, batch, pushOptions?.signal);
    },

    async *readPayments(schoolCode: string, read: ReadPaymentsOptions = {}) {
      const limit = read.pageSize ?? options.pageSize ?? 100;
      let cursor: string | undefined;
      let page = 0;
      do {
        read.signal?.throwIfAborted();
        page++;
        const response = await options.gateway.send({
          service,
          operation: listOperation,
          body: {
            MaTruong: schoolCode,
            ...(read.since !== undefined ? { since: read.since } : {}),
            ...(cursor !== undefined ? { cursor } : {}),
            limit,
          },
          // A read changes nothing; the key only satisfies gateways that want one on every call.
          idempotencyKey: `ssc-payments:${schoolCode}:${page}:${Date.now()}`,
          correlationId: read.correlationId ?? `ssc-payments:${schoolCode}`,
        });
        const parsed = PageSchema.safeParse(response.body);
        if (!parsed.success)
          throw invalidAnswer(
            'Danh sách giao dịch của SSC không đúng dạng',
            'the SSC payment list has the wrong shape',
          );
        const location = `ssc:${listOperation} page ${page}`;
        for (const row of parsed.data.items) {
          let payment: Payment;
          try {
            payment = paymentFromSsc(row, { location });
          } catch (error) {
            if (!(error instanceof RecordError) || !read.onInvalid) throw error;
            read.onInvalid(error, row);
            continue;
          }
          if (payment.schoolCode !== schoolCode)
            throw invalidAnswer(
              `SSC trả giao dịch của trường khác (${payment.schoolCode})`,
              `SSC answered with another school's payment (${payment.schoolCode})`,
            );
          yield payment;
        }
        const next = parsed.data.nextCursor ?? undefined;
        if (next !== undefined && next === cursor)
          throw invalidAnswer('SSC trả lại cùng một con trỏ', 'SSC answered the same cursor again');
        cursor = next;
      } while (cursor !== undefined);
    },

    async issueReceipt(paymentId: string, issue: IssueReceiptOptions = {}): Promise<IssuedReceipt> {
      const idempotencyKey = issue.idempotencyKey ?? `ssc-receipt:${paymentId}`;
      const response = await options.gateway.send({
        service,
        operation: issueOperation,
        body: {
          idempotencyKey,
          MaGiaoDich: paymentId,
          LoaiChungTu: issue.kind === 'e_invoice' ? 'HOA_DON' : 'BIEN_LAI',
          ...(issue.buyer
            ? {
                NguoiMua: {
                  Ten: issue.buyer.name,
                  ...(issue.buyer.taxCode ? { MST: issue.buyer.taxCode } : {}),
                  ...(issue.buyer.address ? { DChi: issue.buyer.address } : {}),
                  ...(issue.buyer.contactName ? { HoTenNguoiMua: issue.buyer.contactName } : {}),
                },
              }
            : {}),
        },
        idempotencyKey,
        correlationId: issue.correlationId ?? `ssc-receipt:${paymentId}`,
      });
      const parsed = DocumentSchema.safeParse(response.body);
      if (!parsed.success || parsed.data.MaGiaoDich !== paymentId)
        throw invalidAnswer(
          'Chứng từ SSC trả về không đúng dạng',
          'the SSC document answer has the wrong shape',
        );
      const d = parsed.data;
      const invoice = InvoiceSchema.safeParse({
        type: 'invoice',
        key: `ssc:${d.MaTruong}-${d.KyHieu}-${d.So}`,
        source: {
          adapter: 'ssc',
          adapterVersion: SSC_MAPPING_VERSION,
          schoolCode: d.MaTruong,
          pulledAt: vietnamNow(),
          location: `ssc:${issueOperation}`,
        },
        schoolCode: d.MaTruong,
        kind: d.LoaiChungTu === 'HOA_DON' ? 'e_invoice' : 'e_receipt',
        template: d.KyHieuMauSo,
        series: d.KyHieu,
        number: d.So,
        issuedAt: d.NgayLap,
        paymentId: d.MaGiaoDich,
        receivableNo: d.SoPhieu,
        studentCode: d.MaHocSinh,
        total: d.TongTien,
      });
      if (!invoice.success)
        throw invalidAnswer('Chứng từ SSC không đọc được', 'the SSC document cannot be read as an invoice');
      return { invoice: invoice.data, xml: d.XML, messageId: response.messageId };
    },
  };
}
