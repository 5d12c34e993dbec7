/**
 * A school's fee list (danh sách khoản thu): one row per student and fee item, the rows of one
 * notice (phiếu báo thu) together, as school accounting exports it.
 */
import type { FeeItem, Receivable } from '../../../src/model/records.ts';
import { dmy, openWorkbook, writeHeader, writeTitles } from './workbook.ts';

export const FEE_HEADERS = [
  'STT',
  'Số phiếu',
  'Mã học sinh',
  'Họ và tên',
  'Lớp',
  'Mã khoản thu',
  'Khoản thu',
  'Số tiền',
  'Hạn nộp',
  'Trạng thái',
  'Nội dung chuyển khoản',
] as const;

const STATUS: Record<Receivable['status'], string> = {
  open: 'Chưa nộp',
  paid: 'Đã nộp',
  partially_paid: 'Nộp một phần',
  cancelled: 'Hủy',
};

export async function writeFeesWorkbook(options: {
  items: readonly FeeItem[];
  receivables: readonly Receivable[];
  students: ReadonlyMap<string, { fullName: string; className?: string }>;
  output: string;
  schoolName: string;
  schoolYear: string;
  created: Date;
}): Promise<void> {
  const names = new Map(options.items.map((f) => [f.feeCode, f.name]));
  const wb = openWorkbook(options.output, { created: options.created });
  const ws = wb.addWorksheet('KhoanThu');
  writeTitles(
    ws,
    [options.schoolName.toUpperCase(), `DANH SÁCH KHOẢN THU NĂM HỌC ${options.schoolYear}`],
    FEE_HEADERS.length,
  );
  writeHeader(ws, FEE_HEADERS);
  let n = 0;
  for (const r of options.receivables) {
    const student = options.students.get(r.studentCode);
    for (const item of r.items) {
      ws.addRow([
        ++n,
        r.receivableNo,
        r.studentCode,
        student?.fullName ?? null,
        student?.className ?? null,
        item.feeCode,
        names.get(item.feeCode) ?? item.feeCode,
        item.amount,
        dmy(r.dueDate),
        STATUS[r.status],
        r.paymentReference,
      ]).commit();
    }
  }
  ws.commit();
  await wb.commit();
}
