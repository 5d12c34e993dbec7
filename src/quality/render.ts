/**
 * The data-quality report as people read it in a terminal: Vietnamese first, English beside.
 */
import type { DataQualityReport } from './report.ts';

const TYPE_VI: Record<string, string> = {
  school: 'Trường',
  schoolYear: 'Năm học',
  semester: 'Học kỳ',
  class: 'Lớp',
  subject: 'Môn học',
  person: 'Người',
  student: 'Học sinh',
  teacher: 'Giáo viên',
  guardianship: 'Quan hệ giám hộ',
  enrollment: 'Ghi danh',
  assessment: 'Đánh giá',
  learningResult: 'Kết quả học tập',
  timetableSlot: 'Thời khóa biểu',
  feeItem: 'Khoản thu',
  receivable: 'Phiếu báo thu',
  payment: 'Giao dịch',
  invoice: 'Hóa đơn/biên lai',
  unknown: 'Không xác định',
};

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const padLeft = (s: string | number, n: number) => String(s).padStart(n);
const num = (n: number) => n.toLocaleString('en-US');

/** Renders the report; `maxListed` problems are printed one a line after the summary tables. */
export function renderReportText(report: DataQualityReport, maxListed = 50): string {
  const out: string[] = [];
  const t = report.totals;
  out.push('BÁO CÁO CHẤT LƯỢNG DỮ LIỆU / DATA-QUALITY REPORT');
  out.push(`Ngày đối chiếu / As of: ${report.asOf}    Tệp / Files: ${report.files.length}`);
  out.push(
    `Bản ghi / Records: ${num(t.records)}   hợp lệ / valid: ${num(t.valid)}   lỗi / invalid: ${num(t.invalid)}   có cảnh báo / with warnings: ${num(t.withWarnings)}`,
  );
  out.push('');
  out.push(
    `${pad('Loại / Type', 38)}${padLeft('Bản ghi', 10)}${padLeft('Hợp lệ', 10)}${padLeft('Lỗi', 10)}${padLeft('Cảnh báo', 10)}`,
  );
  for (const [type, c] of Object.entries(report.byType)) {
    const label = `${TYPE_VI[type] ?? type} / ${type}`;
    out.push(
      `${pad(label, 38)}${padLeft(num(c.records), 10)}${padLeft(num(c.valid), 10)}${padLeft(num(c.invalid), 10)}${padLeft(num(c.withWarnings), 10)}`,
    );
  }
  const rules = Object.entries(report.byRule);
  if (rules.length > 0) {
    out.push('');
    out.push(`${pad('Quy tắc / Rule', 40)}${pad('Mức / Level', 14)}${padLeft('Số lần / Count', 14)}`);
    for (const [code, r] of rules) {
      const level = r.severity === 'error' ? 'lỗi / error' : 'cảnh báo / warning';
      out.push(`${pad(code, 40)}${pad(level, 20)}${padLeft(num(r.count), 8)}`);
    }
  }
  if (report.problems.length > 0) {
    out.push('');
    out.push('Chi tiết / Details (tệp:dòng  trường  mã — thông báo / file:line  field  code — message)');
    for (const p of report.problems.slice(0, maxListed)) {
      out.push(`${p.file}:${p.line}  ${p.field || '-'}  ${p.code} — ${p.message.vi} / ${p.message.en}`);
    }
    const more =
      report.problems.length - Math.min(maxListed, report.problems.length) + report.problemsNotListed;
    if (more > 0) {
      out.push(
        `… và ${num(more)} vấn đề khác (dùng --json để xem) / … and ${num(more)} more (use --json to see them)`,
      );
    }
  }
  out.push('');
  out.push(
    t.errors > 0
      ? `KẾT QUẢ: ${num(t.errors)} lỗi cần sửa / RESULT: ${num(t.errors)} errors to fix`
      : `KẾT QUẢ: không có lỗi / RESULT: no errors${t.warnings > 0 ? ` (${num(t.warnings)} cảnh báo / warnings)` : ''}`,
  );
  return out.join('\n');
}
