/**
 * Giao dịch: SSC is where parents pay, so payments travel the other way: SSC's transaction row →
 * canonical `payment`. The row is read leniently (a field SSC adds later is ignored), its known
 * fields strictly; a row that does not fit is a RecordError naming SSC's field.
 *
 * @example
 * const payment = paymentFromSsc(row, { pulledAt: '2026-06-15T02:00:00+07:00' });
 * // { type: 'payment', key: 'ssc:79NB0001-GD-…', paymentId, receivableNo, amount, channel, fee, … }
 */
import { z } from 'zod';
import { type Payment, PaymentSchema } from '../../../src/model/index.ts';
import { RecordError } from '../../../src/sdk/errors.ts';
import { code, timestampOut, vnd } from './common.ts';

/** Kênh thanh toán ↔ canonical channel. */
export const SSC_CHANNELS = {
  CHUYEN_KHOAN: 'bank_transfer',
  THE: 'card',
  VI_DIEN_TU: 'e_wallet',
  POS: 'pos',
  TRICH_NO_TU_DONG: 'auto_debit',
  TIEN_MAT: 'cash',
  CONG_SSC: 'ssc_portal',
} as const satisfies Record<string, Payment['channel']>;
export type SscChannel = keyof typeof SSC_CHANNELS;
export const SSC_CHANNEL_CODES = Object.keys(SSC_CHANNELS) as SscChannel[];

export const SscPaymentSchema = z.object({
  MaGiaoDich: code(),
  MaTruong: code(),
  SoPhieu: code(),
  MaHocSinh: code(),
  /** Amount credited to the notice, whole đồng. */
  SoTien: vnd().min(1),
  /** Phí giao dịch charged to the payer (7,500–11,000 đ, README §5.1), not part of SoTien. */
  PhiGiaoDich: vnd().optional(),
  KenhThanhToan: z.enum(SSC_CHANNEL_CODES as [SscChannel, ...SscChannel[]]),
  /** The bank's or wallet's reference (FT…, MW…); none for cash. */
  MaThamChieuNganHang: z.string().trim().min(1).max(50).optional(),
  /** When the payer paid. */
  ThoiGian: timestampOut(),
});
export type SscPayment = z.infer<typeof SscPaymentSchema>;

/** The source system of payments read from SSC: canonical keys are `ssc:<MaGiaoDich>`. */
export const SSC_SOURCE_SYSTEM = 'ssc';

export interface PaymentFromSscOptions {
  /** When the row was read (ISO 8601 with offset); default now, in Vietnam time. */
  pulledAt?: string;
  /** Where the row was read, for the run report (`ssc:giaodich page 2`). */
  location?: string;
}

/** Now as `yyyy-MM-ddTHH:mm:ss+07:00`. */
export function vietnamNow(now = Date.now()): string {
  return `${new Date(now + 7 * 3_600_000).toISOString().slice(0, 19)}+07:00`;
}

export function paymentFromSsc(row: unknown, options: PaymentFromSscOptions = {}): Payment {
  const parsed = SscPaymentSchema.safeParse(row);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.') || 'GiaoDich';
    throw new RecordError(
      'SSC_PAYMENT_INVALID',
      `Giao dịch SSC: trường ${field} không hợp lệ: ${issue.message} / SSC payment: field ${field} is invalid: ${issue.message}`,
      { field, ...(options.location ? { location: options.location } : {}) },
    );
  }
  const p = parsed.data;
  const payment: Payment = {
    type: 'payment',
    key: `${SSC_SOURCE_SYSTEM}:${p.MaGiaoDich}`,
    source: {
      adapter: SSC_SOURCE_SYSTEM,
      adapterVersion: 'v1',
      schoolCode: p.MaTruong,
      pulledAt: options.pulledAt ?? vietnamNow(),
      ...(options.location ? { location: options.location } : {}),
    },
    schoolCode: p.MaTruong,
    paymentId: p.MaGiaoDich,
    receivableNo: p.SoPhieu,
    studentCode: p.MaHocSinh,
    amount: p.SoTien,
    channel: SSC_CHANNELS[p.KenhThanhToan],
    paidAt: p.ThoiGian,
    ...(p.MaThamChieuNganHang !== undefined ? { bankReference: p.MaThamChieuNganHang } : {}),
    ...(p.PhiGiaoDich !== undefined ? { fee: p.PhiGiaoDich } : {}),
  };
  // The canonical schema is the last word: what passes here passes everywhere in the hub.
  const canonical = PaymentSchema.safeParse(payment);
  if (canonical.success) return canonical.data;
  const issue = canonical.error.issues[0]!;
  const field = issue.path.map(String).join('.');
  throw new RecordError(
    'SSC_PAYMENT_INVALID',
    `Giao dịch SSC ${p.MaGiaoDich}: ${field} không hợp lệ: ${issue.message} / SSC payment ${p.MaGiaoDich}: ${field} is invalid: ${issue.message}`,
    { field, ...(options.location ? { location: options.location } : {}) },
  );
}

/** The other way, for the simulator and tests: a canonical payment as SSC's row. */
export function paymentToSsc(p: Payment): SscPayment {
  const channel = SSC_CHANNEL_CODES.find((c) => SSC_CHANNELS[c] === p.channel)!;
  return SscPaymentSchema.parse({
    MaGiaoDich: p.paymentId,
    MaTruong: p.schoolCode,
    SoPhieu: p.receivableNo,
    MaHocSinh: p.studentCode,
    SoTien: p.amount,
    ...(p.fee !== undefined ? { PhiGiaoDich: p.fee } : {}),
    KenhThanhToan: channel,
    ...(p.bankReference !== undefined ? { MaThamChieuNganHang: p.bankReference } : {}),
    ThoiGian: p.paidAt,
  });
}
