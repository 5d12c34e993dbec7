/**
 * Vietnamese first, English on a switch. Every text of the console is here, in both languages, so
 * a missing translation is a type error rather than a blank on the page.
 */
import { useEffect, useState } from 'preact/hooks';

export type Lang = 'vi' | 'en';
const STORAGE = 'edubridge.console.lang';

let current: Lang = (localStorage.getItem(STORAGE) as Lang | null) === 'en' ? 'en' : 'vi';
const listeners = new Set<(lang: Lang) => void>();

export function setLang(lang: Lang): void {
  current = lang;
  localStorage.setItem(STORAGE, lang);
  document.documentElement.lang = lang;
  for (const listener of listeners) listener(lang);
}

export function lang(): Lang {
  return current;
}

/** Re-renders the calling component when the language changes. */
export function useLang(): Lang {
  const [value, set] = useState(current);
  useEffect(() => {
    listeners.add(set);
    return () => {
      listeners.delete(set);
    };
  }, []);
  return value;
}

const TEXT = {
  title: { vi: 'Bảng điều khiển EduBridge', en: 'EduBridge console' },
  district: { vi: 'Toàn quận', en: 'District' },
  reports: { vi: 'Báo cáo giáo dục', en: 'Education reports' },
  signOut: { vi: 'Đăng xuất', en: 'Sign out' },
  signIn: { vi: 'Đăng nhập', en: 'Sign in' },
  signInVneid: { vi: 'Đăng nhập bằng VNeID', en: 'Sign in with VNeID' },
  signInKey: { vi: 'Đăng nhập bằng khóa API', en: 'Sign in with an API key' },
  apiKey: { vi: 'Khóa API', en: 'API key' },
  keyHint: {
    vi: 'Khóa của quận (xem tất cả trường) hoặc của trường (chỉ trường đó). Khóa chỉ được giữ trong thẻ này.',
    en: 'A district key (every school) or a school key (that school only). The key stays in this tab only.',
  },
  ssoOff: { vi: 'Máy chủ chưa bật đăng nhập VNeID.', en: 'VNeID sign-in is not configured on this hub.' },
  signedInAs: { vi: 'Đang đăng nhập', en: 'Signed in' },
  loading: { vi: 'Đang tải…', en: 'Loading…' },
  retry: { vi: 'Thử lại', en: 'Try again' },
  schools: { vi: 'Trường', en: 'Schools' },
  school: { vi: 'Trường', en: 'School' },
  status: { vi: 'Tình trạng', en: 'Status' },
  reason: { vi: 'Lý do', en: 'Reason' },
  lastRuns: { vi: 'Lần chạy gần nhất theo luồng', en: 'Last run per stream' },
  deadLetters: { vi: 'Bản ghi bị từ chối', en: 'Dead letters' },
  held: { vi: 'Chờ duyệt', en: 'Held' },
  identity: { vi: 'Đã xác thực C06', en: 'Confirmed by C06' },
  search: { vi: 'Tìm trường (mã hoặc tên)', en: 'Search schools (code or name)' },
  allColours: { vi: 'Mọi tình trạng', en: 'Every status' },
  sortBy: { vi: 'Sắp xếp', en: 'Sort' },
  green: { vi: 'Ổn', en: 'OK' },
  amber: { vi: 'Cần xử lý', en: 'Needs action' },
  red: { vi: 'Lỗi', en: 'Failing' },
  grey: { vi: 'Chưa chạy', en: 'Never run' },
  never: { vi: 'chưa có', en: 'none' },
  read: { vi: 'đọc', en: 'read' },
  sent: { vi: 'gửi', en: 'sent' },
  refused: { vi: 'từ chối', en: 'refused' },
  runHistory: { vi: 'Lịch sử đồng bộ', en: 'Run history' },
  chartRecords: { vi: 'Bản ghi đọc và bị từ chối theo thời gian', en: 'Records read and refused over time' },
  when: { vi: 'Lúc', en: 'When' },
  state: { vi: 'Trạng thái', en: 'State' },
  duration: { vi: 'Thời lượng', en: 'Duration' },
  streams: { vi: 'Luồng', en: 'Streams' },
  counts: { vi: 'Đọc / gửi / từ chối', en: 'Read / sent / refused' },
  whoActs: { vi: 'Ai xử lý', en: 'Who acts' },
  whatToDo: { vi: 'Cần làm gì', en: 'What to do' },
  count: { vi: 'Số bản ghi', en: 'Records' },
  replay: { vi: 'Gửi lại', en: 'Replay' },
  discard: { vi: 'Bỏ qua', en: 'Discard' },
  replayDone: { vi: 'Đã gửi lại', en: 'Replayed' },
  replayPending: {
    vi: 'Gửi lại nhiều bản ghi cần một cán bộ quận thứ hai duyệt. Yêu cầu đã được ghi.',
    en: 'Replaying this many records needs a second district user to approve. The request is recorded.',
  },
  replayRequests: { vi: 'Yêu cầu gửi lại chờ duyệt', en: 'Replay requests awaiting approval' },
  approve: { vi: 'Duyệt', en: 'Approve' },
  reject: { vi: 'Từ chối', en: 'Reject' },
  requestedBy: { vi: 'Người yêu cầu', en: 'Requested by' },
  target: { vi: 'Hệ thống nhận', en: 'Target' },
  holdHeld: { vi: 'Đang có ở hệ thống nhận', en: 'Held by the target' },
  holdChanged: { vi: 'Sẽ thay đổi', en: 'Would change' },
  holdDeleted: { vi: 'Sẽ xóa', en: 'Would delete' },
  holdShare: { vi: 'Tỷ lệ (ngưỡng)', en: 'Share (threshold)' },
  holdSample: { vi: 'Ví dụ mã bản ghi', en: 'Sample record keys' },
  heldRuns: { vi: 'Lần đồng bộ bị tạm giữ', en: 'Held runs' },
  holdWhy: { vi: 'Vì sao bị giữ', en: 'Why it is held' },
  release: { vi: 'Cho phép gửi', en: 'Release' },
  discardRun: { vi: 'Hủy lần chạy', en: 'Discard run' },
  lineage: { vi: 'Tra cứu nguồn gốc dữ liệu của một người', en: "Look up a person's lineage" },
  personalId: { vi: 'Số định danh cá nhân (12 số)', en: 'Personal ID number (12 digits)' },
  lookUp: { vi: 'Tra cứu', en: 'Look up' },
  lookupAudited: {
    vi: 'Mỗi lần tra cứu được ghi vào nhật ký kiểm toán.',
    en: 'Every look-up is written to the audit log.',
  },
  showRecords: { vi: 'Xem từng bản ghi', en: 'Show each record' },
  noRecords: { vi: 'Không có bản ghi nào', en: 'No records' },
  run: { vi: 'Lần đồng bộ', en: 'Run' },
  liveProgress: { vi: 'Tiến trình trực tiếp', en: 'Live progress' },
  events: { vi: 'Sự kiện', en: 'Events' },
  failure: { vi: 'Lỗi', en: 'Failure' },
  reconciliation: { vi: 'Đối soát', en: 'Reconciliation' },
  back: { vi: 'Quay lại', en: 'Back' },
  downloadExcel: { vi: 'Tải Excel', en: 'Download Excel' },
  none: { vi: 'Không có', en: 'None' },
  language: { vi: 'English', en: 'Tiếng Việt' },
  notFound: { vi: 'Không có trang này', en: 'No such page' },
  total: { vi: 'Tổng', en: 'Total' },
  openLetters: { vi: 'thư chờ xử lý', en: 'open letters' },
  confirmedShare: { vi: 'Tỷ lệ xác thực', en: 'Confirmed share' },
  people: { vi: 'người', en: 'people' },
  actor_school: { vi: 'Trường', en: 'The school' },
  actor_vendor: { vi: 'Nhà cung cấp phần mềm', en: 'The software vendor' },
  actor_city: { vi: 'Sở / CSDL ngành', en: 'The city' },
  'actor_district-it': { vi: 'CNTT quận', en: 'District IT' },
  actor_hub: { vi: 'EduBridge (lỗi phần mềm)', en: 'EduBridge (a bug)' },
  year: { vi: 'Năm học', en: 'School year' },
  period: { vi: 'Kỳ', en: 'Period' },
  grade: { vi: 'Khối', en: 'Grade' },
  class: { vi: 'Lớp', en: 'Class' },
  subject: { vi: 'Môn', en: 'Subject' },
  report_district: { vi: 'Toàn quận', en: 'District' },
  report_enrolment: { vi: 'Sĩ số', en: 'Enrolment' },
  report_scores: { vi: 'Điểm', en: 'Scores' },
  report_levels: { vi: 'Xếp loại', en: 'Levels' },
  report_quality: { vi: 'Chất lượng dữ liệu', en: 'Data quality' },
  allSchools: { vi: 'Mọi trường', en: 'All schools' },
  allGrades: { vi: 'Mọi khối', en: 'All grades' },
  allSubjects: { vi: 'Mọi môn', en: 'All subjects' },
  semester: { vi: 'Học kỳ', en: 'Semester' },
  bothSemesters: { vi: 'Cả hai học kỳ', en: 'Both semesters' },
  latestPeriod: { vi: 'Kỳ gần nhất có dữ liệu', en: 'Latest period with data' },
  semester1: { vi: 'Học kỳ I', en: 'Semester 1' },
  semester2: { vi: 'Học kỳ II', en: 'Semester 2' },
  wholeYear: { vi: 'Cả năm', en: 'Whole year' },
  noData: { vi: 'Chưa có dữ liệu', en: 'No data yet' },
  rowsShown: { vi: 'dòng hiển thị; tệp Excel có đủ', en: 'rows shown; the Excel file has them all' },
  chartPassRate: { vi: 'Tỉ lệ đạt (%) theo trường', en: 'Pass rate (%) by school' },
  chartAverage: { vi: 'Điểm trung bình theo trường', en: 'Average score by school' },
  chartEnrolment: { vi: 'Học sinh theo khối', en: 'Students by grade' },
  chartBands: { vi: 'Phân bố điểm trung bình môn', en: 'Distribution of subject averages' },
  chartLearning: { vi: 'Kết quả học tập', en: 'Learning results' },
  chartConduct: { vi: 'Kết quả rèn luyện', en: 'Conduct results' },
  chartQuality: {
    vi: 'Tỉ lệ bản ghi có vấn đề theo quy tắc (%)',
    en: 'Share of records with each rule’s problems (%)',
  },
  passRate: { vi: 'Tỉ lệ đạt', en: 'Pass rate' },
  average: { vi: 'Điểm trung bình', en: 'Average' },
  students: { vi: 'Học sinh', en: 'Students' },
  band: { vi: 'Khoảng điểm', en: 'Band' },
  level: { vi: 'Mức', en: 'Level' },
  rule: { vi: 'Quy tắc', en: 'Rule' },
  share: { vi: 'Tỉ lệ', en: 'Share' },
  mainNav: { vi: 'Điều hướng chính', en: 'Main navigation' },
  skip: { vi: 'Bỏ qua đến nội dung', en: 'Skip to content' },
} as const;

export type TextKey = keyof typeof TEXT;

export function t(key: TextKey): string {
  return TEXT[key][current];
}

/** A text the API gives in both languages. */
export function bi(text: { vi: string; en: string } | undefined | null): string {
  return text ? text[current] : '';
}

/** A "vi / en" message as the hub writes them: the half of the current language. */
export function half(message: string | null | undefined): string {
  if (!message) return '';
  const at = message.indexOf(' / ');
  if (at < 0) return message;
  return current === 'vi' ? message.slice(0, at) : message.slice(at + 3);
}

const STATES: Record<string, { vi: string; en: string }> = {
  queued: { vi: 'đang chờ', en: 'queued' },
  pulling: { vi: 'đang đọc', en: 'pulling' },
  validating: { vi: 'đang kiểm tra', en: 'validating' },
  held: { vi: 'tạm giữ', en: 'held' },
  pushing: { vi: 'đang gửi', en: 'pushing' },
  reconciling: { vi: 'đang đối soát', en: 'reconciling' },
  succeeded: { vi: 'thành công', en: 'succeeded' },
  failed: { vi: 'thất bại', en: 'failed' },
  cancelled: { vi: 'đã hủy', en: 'cancelled' },
};

const STREAMS: Record<string, { vi: string; en: string }> = {
  schools: { vi: 'trường', en: 'schools' },
  students: { vi: 'học sinh', en: 'students' },
  teachers: { vi: 'giáo viên', en: 'teachers' },
  guardianships: { vi: 'phụ huynh', en: 'guardians' },
  classes: { vi: 'lớp, môn', en: 'classes' },
  enrollments: { vi: 'ghi danh', en: 'enrolments' },
  assessments: { vi: 'điểm', en: 'assessments' },
  timetable: { vi: 'thời khóa biểu', en: 'timetable' },
  fees: { vi: 'khoản thu', en: 'fees' },
  payments: { vi: 'thanh toán', en: 'payments' },
  invoices: { vi: 'hóa đơn', en: 'invoices' },
};

/** A run's state in words (the API's value when the console does not know it). */
export function stateName(state: string): string {
  return STATES[state]?.[current] ?? state;
}

/** A stream's name in words. */
export function streamName(stream: string): string {
  return STREAMS[stream]?.[current] ?? stream;
}

const locale = () => (current === 'vi' ? 'vi-VN' : 'en-GB');

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(locale()).format(n);
}

export function formatShare(share: number | null): string {
  if (share === null) return '—';
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(share);
}

export function formatTime(iso: string | null): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
