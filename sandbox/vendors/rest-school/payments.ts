/**
 * The vendor's fee book taking payments in (`POST /api/v1/thanh-toan`): what parents paid through
 * SSC, written back by the hub so the school's software shows the notice paid. Strict, as a
 * school's accounting module is: the envelope and every field are checked, the notice must be one
 * the school issued to that student, and a payment id already held answers `DA_CO` (the same
 * payment) or `GIAO_DICH_XUNG_DOT` (another payment under that id), never a second entry.
 *
 * Request `{ "duLieu": [{ maGiaoDich, maTruong, soPhieu, maHocSinh, soTien, phiGiaoDich?,
 * kenhThanhToan, thoiGianNop }] }`; answer `{ "ketQua": [{ viTri, maGiaoDich, trangThai: "DA_GHI" |
 * "DA_CO" | "TU_CHOI", maLoi?, thongBao? }] }`, one per item in order.
 */
import { z } from 'zod';
import type { VendorData } from './data.ts';
import type { VendorFeeNotice } from './records.ts';

export const PAYMENTS_PATH = '/api/v1/thanh-toan';
export const MAX_PAYMENTS_PER_REQUEST = 500;

/** Payment channels as the vendor labels them. */
export const VENDOR_CHANNELS = [
  'Chuyển khoản',
  'Thẻ',
  'Ví điện tử',
  'POS',
  'Trích nợ tự động',
  'Tiền mặt',
  'Cổng SSC',
] as const;

const PaymentSchema = z.strictObject({
  maGiaoDich: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'mã giao dịch: 1–64 chữ, số, ".", "_", "-"'),
  maTruong: z.string().min(1).max(32),
  soPhieu: z.string().min(1).max(64),
  maHocSinh: z.string().min(1).max(32),
  soTien: z.int().positive().max(1_000_000_000),
  phiGiaoDich: z.int().nonnegative().max(1_000_000).optional(),
  kenhThanhToan: z.enum(VENDOR_CHANNELS),
  thoiGianNop: z.iso.datetime({ offset: true }),
});
export type VendorPaymentInput = z.infer<typeof PaymentSchema>;
export interface VendorPayment extends VendorPaymentInput {
  /** When the fee book took it (the vendor's clock). */
  ngayGhiNhan: string;
}

const EnvelopeSchema = z.strictObject({
  duLieu: z.array(z.unknown()).min(1).max(MAX_PAYMENTS_PER_REQUEST),
});

export type PaymentAnswerStatus = 'DA_GHI' | 'DA_CO' | 'TU_CHOI';
export interface PaymentAnswer {
  viTri: number;
  maGiaoDich: string | null;
  trangThai: PaymentAnswerStatus;
  maLoi?: string;
  thongBao?: string;
}

export type PaymentsReply =
  | { status: 200; body: { ketQua: PaymentAnswer[] } }
  | { status: 400; title: string; detail: string };

const same = (a: VendorPaymentInput, b: VendorPaymentInput) =>
  (Object.keys(PaymentSchema.shape) as Array<keyof VendorPaymentInput>).every((k) => a[k] === b[k]);

export class VendorPayments {
  private readonly held = new Map<string, VendorPayment>();
  private closed: { reason: string } | undefined;
  /** Write requests answered (200 or 400), and per-item outcomes over all of them. */
  readonly counters = { requests: 0, written: 0, repeated: 0, refused: 0 };

  constructor(private readonly data: VendorData) {}

  /** Payments held, in the order they were written. */
  all(): VendorPayment[] {
    return [...this.held.values()].map((p) => ({ ...p }));
  }

  get size(): number {
    return this.held.size;
  }

  /**
   * Khóa sổ: the accountant closed the books (month end, an audit); every new payment is refused
   * with `SO_DA_KHOA` until `openBooks()`. Payments already held still answer `DA_CO`.
   */
  closeBooks(reason = 'Kế toán đang khóa sổ / the books are closed'): void {
    this.closed = { reason };
  }

  openBooks(): void {
    this.closed = undefined;
  }

  get booksClosed(): boolean {
    return this.closed !== undefined;
  }

  /** Takes a request body in; 400 when the envelope itself is wrong, else one answer per item. */
  accept(body: unknown): PaymentsReply {
    this.counters.requests++;
    const envelope = EnvelopeSchema.safeParse(body);
    if (!envelope.success) {
      const issue = envelope.error.issues[0]!;
      return {
        status: 400,
        title: 'Yêu cầu không hợp lệ / Invalid request',
        detail: `${issue.path.join('.') || '(body)'}: ${issue.message}`,
      };
    }
    const ketQua = envelope.data.duLieu.map((item, viTri) => this.one(item, viTri));
    for (const a of ketQua) {
      if (a.trangThai === 'DA_GHI') this.counters.written++;
      else if (a.trangThai === 'DA_CO') this.counters.repeated++;
      else this.counters.refused++;
    }
    return { status: 200, body: { ketQua } };
  }

  private one(item: unknown, viTri: number): PaymentAnswer {
    const parsed = PaymentSchema.safeParse(item);
    const id = (item as { maGiaoDich?: unknown } | null)?.maGiaoDich;
    const refuse = (maLoi: string, thongBao: string): PaymentAnswer => ({
      viTri,
      maGiaoDich: typeof id === 'string' ? id : null,
      trangThai: 'TU_CHOI',
      maLoi,
      thongBao,
    });
    if (!parsed.success) {
      // The field and the rule, never the value: it may be personal data.
      const issue = parsed.error.issues[0]!;
      return refuse('DU_LIEU_KHONG_HOP_LE', `${issue.path.join('.') || '(bản ghi)'}: ${issue.message}`);
    }
    const p = parsed.data;
    const known = this.held.get(p.maGiaoDich);
    if (known) {
      return same(known, p)
        ? { viTri, maGiaoDich: p.maGiaoDich, trangThai: 'DA_CO' }
        : refuse(
            'GIAO_DICH_XUNG_DOT',
            'Đã có giao dịch khác cùng mã / another payment is held under this id',
          );
    }
    if (this.closed) return refuse('SO_DA_KHOA', this.closed.reason);
    if (!this.data.schools.some((s) => s.maTruong === p.maTruong)) {
      return refuse('TRUONG_KHONG_TON_TAI', 'Không có trường này / no such school');
    }
    const notices = this.data.feeNotices;
    const notice = notices.get(p.soPhieu);
    if (!notice || notices.isDeleted(p.soPhieu) || notice.maTruong !== p.maTruong) {
      return refuse('PHIEU_KHONG_TON_TAI', 'Không có phiếu báo thu này / no such fee notice');
    }
    if (notice.maHocSinh !== p.maHocSinh) {
      return refuse(
        'HOC_SINH_KHONG_KHOP',
        'Phiếu báo thu của học sinh khác / the notice is another student’s',
      );
    }
    if (notice.trangThai === 'Đã hủy') {
      return refuse('PHIEU_DA_HUY', 'Phiếu báo thu đã hủy / the notice was cancelled');
    }
    this.held.set(p.maGiaoDich, { ...p, ngayGhiNhan: new Date(this.data.clock.next()).toISOString() });
    this.settle(notice);
    return { viTri, maGiaoDich: p.maGiaoDich, trangThai: 'DA_GHI' };
  }

  /** The notice's status from what was paid on it: "Đã thu" once the total is reached. */
  private settle(notice: VendorFeeNotice): void {
    let paid = 0;
    for (const p of this.held.values()) if (p.soPhieu === notice.soPhieu) paid += p.soTien;
    const status = paid >= notice.tongTien ? 'Đã thu' : 'Thu một phần';
    if (status === notice.trangThai) return;
    this.data.feeNotices.update(
      notice.soPhieu,
      (n) => {
        n.trangThai = status;
      },
      this.data.clock.next(),
    );
  }
}
