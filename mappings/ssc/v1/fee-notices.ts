/**
 * Phiếu báo thu: canonical `receivable` → SSC's fee notice for one student, item by item, with the
 * VietQR payload (`MaQR`, domain README §5.3) parents scan to pay it into the school's collection
 * account. The account is not in the canonical record: it comes from the school's settings
 * (`SscMappingOptions.collectionAccounts`).
 *
 * The QR is dynamic (amount = total) while nothing is paid, static (the payer types the rest) on a
 * partly paid notice, and absent on a paid or cancelled one, so nobody is asked to pay twice.
 */
import { z } from 'zod';
import type { Receivable } from '../../../src/model/index.ts';
import {
  buildVietQr,
  foldVietnamese,
  parseVietQr,
  VIETQR_TEXT_MAX,
  type VietQrData,
  VietQrError,
} from '../../../src/model/vietqr.ts';
import {
  type CollectionAccount,
  CollectionAccountSchema,
  code,
  conform,
  feeCodeOut,
  isoDateOut,
  type SscMappingOptions,
  schoolYearOut,
  unmappable,
  vnd,
} from './common.ts';

/** Trạng thái: the school's view of the notice. SSC keeps its own record of what was paid. */
export const SSC_NOTICE_STATUSES = {
  open: 'CHUA_THU',
  partially_paid: 'THU_MOT_PHAN',
  paid: 'DA_THU',
  cancelled: 'HUY',
} as const satisfies Record<Receivable['status'], string>;

/** Statuses on which a notice can still be paid, and so carries a QR. */
export const COLLECTABLE_STATUSES: ReadonlySet<string> = new Set(['CHUA_THU', 'THU_MOT_PHAN']);

const printableAscii = /^[\x20-\x7e]+$/;

export const SscFeeNoticeSchema = z
  .strictObject({
    MaTruong: code(),
    NamHoc: schoolYearOut(),
    /** Số phiếu báo thu: unique in the school. */
    SoPhieu: code(),
    MaHocSinh: code(),
    ChiTiet: z.array(z.strictObject({ MaKhoanThu: feeCodeOut(), SoTien: vnd() })).min(1),
    TongTien: vnd().min(1),
    /** Hạn nộp. */
    HanNop: isoDateOut(),
    /** What parents put on a transfer so SSC finds the notice. */
    NoiDungChuyenKhoan: z.string().trim().min(1).max(100),
    TrangThai: z.enum(['CHUA_THU', 'THU_MOT_PHAN', 'DA_THU', 'HUY']),
    /** VietQR (EMVCo) payload; present exactly when the notice can be paid. */
    MaQR: z.string().min(20).max(512).optional(),
  })
  .superRefine((n, ctx) => {
    const sum = n.ChiTiet.reduce((a, i) => a + i.SoTien, 0);
    if (sum !== n.TongTien)
      ctx.addIssue({
        code: 'custom',
        path: ['TongTien'],
        message: `TongTien ${n.TongTien} is not the sum of ChiTiet (${sum})`,
      });
    const codes = n.ChiTiet.map((i) => i.MaKhoanThu);
    const repeated = codes.findIndex((c, i) => codes.indexOf(c) !== i);
    if (repeated >= 0)
      ctx.addIssue({
        code: 'custom',
        path: ['ChiTiet', repeated, 'MaKhoanThu'],
        message: `MaKhoanThu ${codes[repeated]} appears twice`,
      });
    const collectable = COLLECTABLE_STATUSES.has(n.TrangThai);
    if (n.MaQR === undefined) {
      if (collectable)
        ctx.addIssue({
          code: 'custom',
          path: ['MaQR'],
          message: `MaQR is required while TrangThai is ${n.TrangThai}`,
        });
      return;
    }
    if (!collectable) {
      ctx.addIssue({
        code: 'custom',
        path: ['MaQR'],
        message: `a notice with TrangThai ${n.TrangThai} carries no MaQR`,
      });
      return;
    }
    let qr: VietQrData;
    try {
      qr = parseVietQr(n.MaQR);
    } catch (e) {
      ctx.addIssue({
        code: 'custom',
        path: ['MaQR'],
        message: e instanceof VietQrError ? e.en : 'unreadable VietQR payload',
      });
      return;
    }
    const problem =
      n.TrangThai === 'CHUA_THU' && qr.amount !== n.TongTien
        ? `the QR amount (${qr.amount ?? 'none'}) is not TongTien (${n.TongTien})`
        : n.TrangThai === 'THU_MOT_PHAN' && qr.amount !== undefined
          ? 'a partly paid notice carries a QR without an amount'
          : qr.purpose !== foldVietnamese(n.NoiDungChuyenKhoan)
            ? 'the QR purpose (62/08) is not NoiDungChuyenKhoan'
            : qr.billNumber !== undefined && qr.billNumber !== n.SoPhieu
              ? 'the QR bill number (62/01) is not SoPhieu'
              : undefined;
    if (problem) ctx.addIssue({ code: 'custom', path: ['MaQR'], message: problem });
  });
export type SscFeeNotice = z.infer<typeof SscFeeNoticeSchema>;

export const FEE_NOTICE_FIELDS = {
  MaTruong: 'schoolCode',
  NamHoc: 'schoolYear',
  SoPhieu: 'receivableNo',
  MaHocSinh: 'studentCode',
  ChiTiet: 'items',
  MaKhoanThu: 'feeCode',
  SoTien: 'amount',
  TongTien: 'total',
  HanNop: 'dueDate',
  NoiDungChuyenKhoan: 'paymentReference',
  TrangThai: 'status',
};

/** The VietQR error of an input, as the canonical field a person fixes. */
const QR_FIELDS: Partial<Record<VietQrError['code'], string>> = {
  VIETQR_BANK_BIN: 'schoolCode',
  VIETQR_ACCOUNT: 'schoolCode',
  VIETQR_AMOUNT: 'total',
  VIETQR_PURPOSE: 'paymentReference',
  VIETQR_BILL: 'receivableNo',
};

function collectionAccount(r: Receivable, options: SscMappingOptions): CollectionAccount {
  const account = options.collectionAccounts[r.schoolCode];
  if (!account)
    throw unmappable(
      'schoolCode',
      `Trường ${r.schoolCode} chưa khai báo tài khoản thu, không tạo được MaQR (SSC_COLLECTION_ACCOUNTS)`,
      `School ${r.schoolCode} has no collection account configured, so no MaQR can be made (SSC_COLLECTION_ACCOUNTS)`,
    );
  if (!CollectionAccountSchema.safeParse(account).success)
    throw unmappable(
      'schoolCode',
      `Tài khoản thu của trường ${r.schoolCode} không hợp lệ (BIN 6 chữ số, số tài khoản 1–19 ký tự)`,
      `The collection account of school ${r.schoolCode} is invalid (6-digit BIN, 1–19 character account)`,
    );
  return account;
}

/** The notice's QR: dynamic with the total while unpaid, static once partly paid. */
function noticeQr(r: Receivable, status: string, options: SscMappingOptions): string | undefined {
  if (!COLLECTABLE_STATUSES.has(status)) return undefined;
  const { bankBin, account } = collectionAccount(r, options);
  // 62/01 is cut beyond 25 characters by bank apps; the purpose alone still finds the notice.
  const bill =
    r.receivableNo.length <= VIETQR_TEXT_MAX && printableAscii.test(r.receivableNo)
      ? { billNumber: r.receivableNo }
      : {};
  try {
    return buildVietQr({
      bankBin,
      account,
      ...(status === 'CHUA_THU' ? { amount: r.total } : {}),
      purpose: r.paymentReference,
      ...bill,
    });
  } catch (e) {
    if (!(e instanceof VietQrError)) throw e;
    throw unmappable(QR_FIELDS[e.code] ?? 'paymentReference', `MaQR: ${e.vi}`, `MaQR: ${e.en}`);
  }
}

export function mapFeeNotice(r: Receivable, options: SscMappingOptions): SscFeeNotice {
  const sum = r.items.reduce((a, i) => a + i.amount, 0);
  if (sum !== r.total)
    throw unmappable(
      'total',
      `Tổng tiền ${r.total} khác tổng các khoản (${sum})`,
      `The total ${r.total} is not the sum of the items (${sum})`,
    );
  if (r.total <= 0)
    throw unmappable(
      'total',
      'Phiếu báo thu 0 đồng không có gì để thu',
      'A notice of 0 VND has nothing to collect',
    );
  const status = SSC_NOTICE_STATUSES[r.status];
  const qr = noticeQr(r, status, options);
  return conform(
    SscFeeNoticeSchema,
    {
      MaTruong: r.schoolCode,
      NamHoc: r.schoolYear,
      SoPhieu: r.receivableNo,
      MaHocSinh: r.studentCode,
      ChiTiet: r.items.map((i) => ({ MaKhoanThu: i.feeCode, SoTien: i.amount })),
      TongTien: r.total,
      HanNop: r.dueDate,
      NoiDungChuyenKhoan: r.paymentReference,
      TrangThai: status,
      ...(qr !== undefined ? { MaQR: qr } : {}),
    },
    FEE_NOTICE_FIELDS,
  );
}
