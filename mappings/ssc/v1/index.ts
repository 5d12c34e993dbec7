/**
 * SSC mapping, version 1: canonical fee records → `{ key, body: { kind, record } }`, where `kind`
 * names SSC's record type and `record` is its body in SSC's field names; and SSC's payments back to
 * canonical ones. A change of SSC's format is a new folder (`v2/`), never an edit here.
 *
 * @example
 * const options = { collectionAccounts: { '79NB0001': { bankBin: '970436', account: '0123456789' } } };
 * const mapped = mapToSsc(receivable, options);
 * // { key, body: { kind: 'PhieuBaoThu', record: { SoPhieu, ChiTiet, TongTien, HanNop, MaQR, … } } }
 */
import type { z } from 'zod';
import type { CanonicalRecord } from '../../../src/model/index.ts';
import type { SscMappingOptions } from './common.ts';
import { mapFeeItem, SscFeeItemSchema } from './fee-items.ts';
import { mapFeeNotice, SscFeeNoticeSchema } from './fee-notices.ts';

export {
  type CollectionAccount,
  CollectionAccountSchema,
  CollectionAccountsSchema,
  conform,
  issuePath,
  type SscMappingOptions,
} from './common.ts';
export {
  amountInWords,
  buildEInvoiceXml,
  dlHDonId,
  EINVOICE_VERSION,
  type EInvoiceBuyer,
  type EInvoiceOptions,
  type EInvoiceSeller,
  escapeXml,
  paymentMethodOf,
} from './e-invoice.ts';
export { mapFeeItem, SSC_FEE_PERIODS, type SscFeeItem, SscFeeItemSchema } from './fee-items.ts';
export {
  COLLECTABLE_STATUSES,
  mapFeeNotice,
  SSC_NOTICE_STATUSES,
  type SscFeeNotice,
  SscFeeNoticeSchema,
} from './fee-notices.ts';
export {
  type PaymentFromSscOptions,
  paymentFromSsc,
  paymentToSsc,
  SSC_CHANNEL_CODES,
  SSC_CHANNELS,
  SSC_SOURCE_SYSTEM,
  type SscChannel,
  type SscPayment,
  SscPaymentSchema,
  vietnamNow,
} from './payments.ts';

export const SSC_MAPPING_VERSION = 'v1';

/** SSC's record types and their schemas (what SSC accepts, as we model it). */
export const SSC_RECORD_SCHEMAS = {
  KhoanThu: SscFeeItemSchema,
  PhieuBaoThu: SscFeeNoticeSchema,
} as const satisfies Record<string, z.ZodType>;
export type SscRecordKind = keyof typeof SSC_RECORD_SCHEMAS;

/** The streams SSC takes, the batch operation of each, and the record kinds it carries. */
export const SSC_STREAMS = {
  fees: { operation: 'baothu', kinds: ['KhoanThu', 'PhieuBaoThu'] },
} as const satisfies Record<string, { operation: string; kinds: readonly SscRecordKind[] }>;
export type SscStream = keyof typeof SSC_STREAMS;

/** SSC's other operations: reading payments back and issuing a receipt or invoice for one. */
export const SSC_OPERATIONS = {
  listPayments: 'giaodich',
  issueReceipt: 'xuatchungtu',
} as const;

export interface SscBody {
  kind: SscRecordKind;
  record: Record<string, unknown>;
}

export interface SscMappedRecord {
  /** The canonical record key: SSC echoes it and deletes by it. */
  key: string;
  body: SscBody;
}

/**
 * Maps one canonical record, or undefined when SSC takes no such record (payments and invoices
 * come from SSC; students and grades are the city DB's). Throws a RecordError naming the
 * canonical field when it cannot map.
 */
export function mapToSsc(
  record: CanonicalRecord,
  options: SscMappingOptions = { collectionAccounts: {} },
): SscMappedRecord | undefined {
  switch (record.type) {
    case 'feeItem':
      return { key: record.key, body: { kind: 'KhoanThu', record: mapFeeItem(record) } };
    case 'receivable':
      return { key: record.key, body: { kind: 'PhieuBaoThu', record: mapFeeNotice(record, options) } };
    default:
      return undefined;
  }
}
