/** Khoản thu: canonical `feeItem` → SSC's fee item, what a school collects and for whom. */
import { z } from 'zod';
import type { FeeItem } from '../../../src/model/index.ts';
import { code, conform, feeCodeOut, schoolYearOut, text, vnd } from './common.ts';

/** Kỳ thu: per month, semester, year, or once. */
export const SSC_FEE_PERIODS = {
  month: 'THANG',
  semester: 'HOC_KY',
  year: 'NAM',
  once: 'MOT_LAN',
} as const satisfies Record<FeeItem['period'], string>;

export const SscFeeItemSchema = z.strictObject({
  MaTruong: code(),
  NamHoc: schoolYearOut(),
  MaKhoanThu: feeCodeOut(),
  TenKhoanThu: text(),
  /** Amount per period, whole đồng. */
  SoTien: vnd(),
  KyThu: z.enum(['THANG', 'HOC_KY', 'NAM', 'MOT_LAN']),
  /** Bắt buộc (mandatory) or tự nguyện (optional). */
  BatBuoc: z.boolean(),
  /** Khối áp dụng: the grades it applies to; absent = every grade. */
  KhoiApDung: z.array(z.int().min(1).max(12)).min(1).optional(),
});
export type SscFeeItem = z.infer<typeof SscFeeItemSchema>;

export const FEE_ITEM_FIELDS = {
  MaTruong: 'schoolCode',
  NamHoc: 'schoolYear',
  MaKhoanThu: 'feeCode',
  TenKhoanThu: 'name',
  SoTien: 'amount',
  KyThu: 'period',
  BatBuoc: 'mandatory',
  KhoiApDung: 'grades',
};

export function mapFeeItem(f: FeeItem): SscFeeItem {
  return conform(
    SscFeeItemSchema,
    {
      MaTruong: f.schoolCode,
      NamHoc: f.schoolYear,
      MaKhoanThu: f.feeCode,
      TenKhoanThu: f.name,
      SoTien: f.amount,
      KyThu: SSC_FEE_PERIODS[f.period],
      BatBuoc: f.mandatory,
      ...(f.grades !== undefined && f.grades.length > 0
        ? { KhoiApDung: [...new Set(f.grades)].sort((a, b) => a - b) }
        : {}),
    },
    FEE_ITEM_FIELDS,
  );
}
