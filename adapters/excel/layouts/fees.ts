/**
 * Fee lists (danh sách khoản thu): one row per student and fee item, the rows of one notice
 * (phiếu báo thu) next to each other, as school accounting exports them. Rows are grouped into
 * `receivable` records: by "Số phiếu" when the list has it, else by student and due date.
 * A notice with a bad row is rejected whole: a notice without one of its items would bill the wrong
 * total.
 */
import type { Receivable } from '../../../src/model/index.ts';
import { fold, RecordError } from '../../../src/sdk/index.ts';
import { amountOf, idText } from '../cells.ts';
import type { FieldSpec } from '../header.ts';
import type { Mapped, RowView, SheetEnv } from '../rows.ts';
import type { TabularLayout } from './layout.ts';

export const FEE_FIELDS: Record<string, FieldSpec> = {
  receivableNo: {
    aliases: ['Số phiếu', 'Số phiếu báo thu', 'Mã phiếu', 'Mã phiếu thu', 'Số phiếu thu', 'Mã phiếu báo thu'],
    en: 'Notice number',
  },
  studentCode: { aliases: ['Mã học sinh', 'Mã HS', 'Mã số học sinh', 'Mã số HS'], en: 'Student code' },
  fullName: { aliases: ['Họ tên', 'Họ và tên', 'Họ và tên học sinh', 'Họ tên học sinh'], en: 'Full name' },
  className: { aliases: ['Lớp', 'Mã lớp', 'Tên lớp'], en: 'Class' },
  feeCode: { aliases: ['Mã khoản thu', 'Mã khoản', 'Mã phí', 'Mã khoản phí'], en: 'Fee code' },
  feeName: {
    aliases: ['Khoản thu', 'Tên khoản thu', 'Nội dung thu', 'Khoản phí', 'Tên khoản phí'],
    en: 'Fee',
  },
  amount: {
    aliases: [
      'Số tiền',
      'Thành tiền',
      'Số tiền phải nộp',
      'Phải nộp',
      'Số tiền (đồng)',
      'Số tiền (VNĐ)',
      'Mức thu',
    ],
    en: 'Amount (VND)',
  },
  dueDate: { aliases: ['Hạn nộp', 'Hạn thanh toán', 'Hạn chót', 'Ngày hết hạn', 'Hạn thu'], en: 'Due date' },
  status: { aliases: ['Trạng thái', 'Tình trạng', 'Tình trạng nộp', 'Trạng thái thanh toán'], en: 'Status' },
  paymentReference: {
    aliases: ['Nội dung chuyển khoản', 'Nội dung CK', 'Mã thanh toán', 'Mã tham chiếu'],
    en: 'Payment reference',
  },
};

const STATUS = new Map<string, Receivable['status']>(
  (
    [
      ['open', ['Chưa nộp', 'Chưa thu', 'Chưa thanh toán', 'Chờ thanh toán', 'open']],
      ['paid', ['Đã nộp', 'Đã thu', 'Đã thanh toán', 'Hoàn thành', 'paid']],
      ['partially_paid', ['Nộp một phần', 'Thanh toán một phần', 'Còn nợ', 'partially_paid']],
      ['cancelled', ['Hủy', 'Đã hủy', 'Huỷ', 'cancelled']],
    ] as const
  ).flatMap(([code, names]) => names.map((n) => [fold(n).replace(/ /g, ''), code] as const)),
);

/** A fee code from the fee's name when the list has no code column: "Nước uống" → NUOC_UONG. */
export const feeCodeOfName = (name: string): string => fold(name).toUpperCase().replace(/ /g, '_');

interface Row {
  view: RowView;
  studentCode: string;
  feeCode: string;
  amount: number;
  dueDate: string;
  status: Receivable['status'];
  paymentReference: string;
}

interface Group {
  id: string;
  receivableNo: string;
  rows: Row[];
  failed: boolean;
}

function readRow(view: RowView): Row {
  const studentCode = view.need('studentCode');
  const feeName = view.text('feeName');
  const feeCode = view.text('feeCode') || (feeName ? feeCodeOfName(feeName) : view.need('feeCode'));
  const amount = amountOf(view.get('amount'));
  if (amount === undefined) view.need('amount');
  if (Number.isNaN(amount)) {
    throw view.fail(
      'AMOUNT_INVALID',
      'amount',
      `"${view.label('amount')}" phải là số tiền nguyên, không âm (đồng)`,
      `"${view.label('amount')}" must be a whole, non-negative amount of đồng`,
      'items',
    );
  }
  const dueDate = view.date('dueDate', 'dueDate', true)!;
  let status: Receivable['status'] = 'open';
  if (!view.blank('status')) {
    const s = STATUS.get(fold(view.text('status')).replace(/ /g, ''));
    if (!s) {
      throw view.fail(
        'CODE_UNKNOWN',
        'status',
        `"${view.label('status')}" phải là Chưa nộp, Đã nộp, Nộp một phần hoặc Hủy`,
        `"${view.label('status')}" must be Chưa nộp (open), Đã nộp (paid), Nộp một phần (partially paid) or Hủy (cancelled)`,
      );
    }
    status = s;
  }
  return {
    view,
    studentCode,
    feeCode,
    amount: amount!,
    dueDate,
    status,
    paymentReference: view.text('paymentReference'),
  };
}

/** The notice a row belongs to, read leniently (the row's own problems are reported by readRow). */
function groupOf(view: RowView): { id: string; receivableNo: string } | undefined {
  const no = idText(view.get('receivableNo'));
  if (no) return { id: `receivable-${no}`, receivableNo: no };
  const student = idText(view.get('studentCode'));
  let due: string | undefined;
  try {
    due = view.date('dueDate', 'dueDate', true);
  } catch {
    due = undefined;
  }
  if (!student || !due) return undefined;
  const receivableNo = `${student}-${due.replace(/-/g, '')}`;
  return { id: `receivable-${receivableNo}`, receivableNo };
}

function start(env: SheetEnv) {
  const done = new Set<string>();
  let group: Group | null = null;
  const schoolYear = env.titles.schoolYear ?? env.config.schoolYear;

  const flush = (): Mapped[] => {
    const g = group;
    group = null;
    if (!g || g.failed || g.rows.length === 0) return [];
    done.add(g.id);
    const first = g.rows[0]!;
    const record: Receivable = {
      type: 'receivable',
      key: `${env.system}:${g.id}`,
      source: env.source(first.view.place),
      schoolCode: env.config.schoolCode,
      schoolYear: schoolYear!,
      receivableNo: g.receivableNo,
      studentCode: first.studentCode,
      items: g.rows.map((r) => ({ feeCode: r.feeCode, amount: r.amount })),
      total: g.rows.reduce((sum, r) => sum + r.amount, 0),
      dueDate: first.dueDate,
      // Parents quote the notice number on a transfer when the list gives no other reference.
      paymentReference: g.rows.find((r) => r.paymentReference)?.paymentReference ?? g.receivableNo,
      status: first.status,
    };
    return [{ id: g.id, record }];
  };

  return {
    row(view: RowView): Mapped[] {
      const out: Mapped[] = [];
      const where = groupOf(view);
      if (group && (!where || where.id !== group.id)) out.push(...flush());
      if (where && !group) {
        group = { id: where.id, receivableNo: where.receivableNo, rows: [], failed: false };
        if (done.has(where.id)) {
          group.failed = true;
          out.push({
            id: where.id,
            error: view.fail(
              'FEE_ROWS_APART',
              view.col('receivableNo') !== undefined ? 'receivableNo' : 'studentCode',
              `Các dòng của phiếu ${where.receivableNo} phải liền nhau (sắp xếp theo số phiếu hoặc mã học sinh)`,
              `The rows of notice ${where.receivableNo} must be next to each other (sort by notice number or student code)`,
              'receivableNo',
            ),
          });
          return out;
        }
      }
      try {
        if (!schoolYear) {
          throw view.fail(
            'CONTEXT_MISSING',
            'studentCode',
            'Không biết năm học: thêm dòng tiêu đề "Năm học 2025-2026" hoặc schoolYear trong cấu hình',
            'The school year is unknown: add a title row "Năm học 2025-2026" or schoolYear to the config',
            'schoolYear',
          );
        }
        const row = readRow(view);
        if (group && group.rows.length > 0 && group.rows[0]!.studentCode !== row.studentCode) {
          throw view.fail(
            'FEE_NOTICE_CONFLICT',
            'studentCode',
            `Phiếu ${group.receivableNo} có dòng của học sinh khác`,
            `Notice ${group.receivableNo} has a row of another student`,
            'studentCode',
          );
        }
        if (group && !group.failed) group.rows.push(row);
      } catch (error) {
        if (!(error instanceof RecordError)) throw error;
        const g = group as Group | null;
        if (!g) {
          out.push({ id: undefined, error });
        } else {
          g.failed = true;
          out.push({
            id: g.id,
            error: new RecordError(
              error.code,
              `${error.message} (phiếu ${g.receivableNo} không được nhập / notice ${g.receivableNo} is not imported)`,
              { location: error.location, field: error.field },
            ),
          });
        }
      }
      return out;
    },
    end: flush,
  };
}

export const feesLayout: TabularLayout = {
  kind: 'fees',
  header: {
    fields: FEE_FIELDS,
    required: [['studentCode'], ['feeCode', 'feeName'], ['amount'], ['dueDate']],
  },
  start,
};
