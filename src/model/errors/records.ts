/**
 * Codes of one record that cannot be read or mapped (a `RecordError`): the record goes to the run's
 * report with its place, and the stream goes on. The data-quality rules' codes are another
 * catalogue (`RULES`, `edubridge rules`): these are what adapters and mappings say before the rules
 * ever see a record.
 */
import type { ErrorEntry } from './types.ts';

const fixAtSchool = {
  vi: 'Sửa bản ghi trong phần mềm (hoặc tệp) của trường ở chỗ được nêu; lần đồng bộ sau sẽ lấy lại',
  en: "Fix the record in the school's software (or file) where named; the next sync picks it up",
} as const;

export const RECORD_ERRORS = {
  FIELD_MISSING: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Thiếu giá trị bắt buộc', en: 'Required value missing' },
    message: { vi: '{field}: thiếu {what}', en: '{field}: the {what} is missing' },
    values: ['field', 'what'],
    action: fixAtSchool,
  },
  FIELD_INVALID: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Giá trị sai kiểu', en: 'Value of the wrong type' },
    message: { vi: '{field}: không phải {what}', en: '{field}: not {what}' },
    values: ['field', 'what'],
    action: fixAtSchool,
  },
  DATE_MISSING: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Thiếu ngày', en: 'Date missing' },
    message: { vi: '{field}: thiếu ngày', en: '{field}: the date is missing' },
    values: ['field'],
    action: fixAtSchool,
  },
  DATE_UNPARSEABLE: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Ngày không hợp lệ', en: 'Invalid date' },
    message: {
      vi: '{field}: không phải ngày hợp lệ (dd/mm/yyyy)',
      en: '{field}: not a valid date (dd/mm/yyyy)',
    },
    values: ['field'],
    action: fixAtSchool,
  },
  CODE_UNKNOWN: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Giá trị không có trong danh mục', en: 'Value not in the code list' },
    message: {
      vi: '{field}: giá trị không có trong danh mục ({accepted})',
      en: '{field}: the value is not in the code list ({accepted})',
    },
    values: ['field', 'accepted'],
    action: fixAtSchool,
  },
  CODE_UNMAPPED: {
    kind: 'configuration',
    status: 422,
    actor: 'district-it',
    title: { vi: 'Danh mục của hồ sơ thiếu mã', en: "The profile's code list lacks a code" },
    message: {
      vi: 'Danh mục "{list}" không có nhãn cho mã "{code}"',
      en: 'Code list "{list}" has no label for code "{code}"',
    },
    values: ['list', 'code'],
    action: {
      vi: 'Thêm mã vào danh mục trong hồ sơ của adapter',
      en: "Add the code to the code list in the adapter's profile",
    },
  },
  RECORD_KEY_MISSING: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Bản ghi không có mã', en: 'Record without an id' },
    message: {
      vi: 'Bản ghi không có mã (khóa {template})',
      en: 'The record has no id for its key {template}',
    },
    values: ['template'],
    action: fixAtSchool,
  },
  GRADE_MISSING: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Thiếu khối', en: 'Grade missing' },
    message: { vi: 'grade: {what} không có khối', en: 'grade: the {what} has no grade' },
    values: ['what'],
    action: fixAtSchool,
  },
  CLASS_NAME_UNREADABLE: {
    kind: 'configuration',
    status: 422,
    actor: 'district-it',
    title: { vi: 'Không đọc được tên lớp', en: 'Class name unreadable' },
    message: {
      vi: '{field}: không đọc được tên lớp từ tiêu đề lớp (classNamePattern)',
      en: '{field}: cannot read the class name from the class title (classNamePattern)',
    },
    values: ['field'],
    action: {
      vi: 'Sửa classNamePattern trong cấu hình cho khớp tiêu đề lớp của trường',
      en: "Fix classNamePattern in the config to match the school's class titles",
    },
  },
  DEMOGRAPHICS_MISSING: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Học sinh thiếu ngày sinh, giới tính', en: 'Student without demographics' },
    message: {
      vi: 'birthDate: học sinh không có demographics (ngày sinh, giới tính)',
      en: 'birthDate: the student has no demographics (birth date, sex)',
    },
    action: fixAtSchool,
  },
  ORG_UNKNOWN: {
    kind: 'bad-input',
    status: 422,
    actor: 'vendor',
    title: { vi: 'Trường không có trong danh sách orgs', en: 'School not among the orgs' },
    message: {
      vi: '{field}: trường (org {org}) không có trong danh sách orgs',
      en: '{field}: the school (org {org}) is not among the orgs',
    },
    values: ['field', 'org'],
    action: {
      vi: 'Báo nhà cung cấp: dữ liệu trỏ tới một org không có',
      en: 'Tell the vendor: the data points at an org that is not there',
    },
  },
  SCHOOL_CODE_MISSING: {
    kind: 'configuration',
    status: 422,
    actor: 'district-it',
    title: { vi: 'Org không có mã trường', en: 'Org without a school code' },
    message: {
      vi: '{field}: org {org} không có identifier (mã trường)',
      en: '{field}: org {org} has no identifier (school code)',
    },
    values: ['field', 'org'],
    action: {
      vi: 'Khai báo mã trường của org trong schoolCodeOf',
      en: "Map the org's school code in schoolCodeOf",
    },
  },
  SESSION_UNKNOWN: {
    kind: 'bad-input',
    status: 422,
    actor: 'vendor',
    title: { vi: 'Không có kỳ học này', en: 'Unknown academic session' },
    message: {
      vi: '{field}: academic session {session} không có',
      en: '{field}: academic session {session} is unknown',
    },
    values: ['field', 'session'],
    action: {
      vi: 'Báo nhà cung cấp: dữ liệu trỏ tới một kỳ học không có',
      en: 'Tell the vendor: the data points at a session that is not there',
    },
  },
  SESSION_UNMAPPABLE: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Học kỳ không thuộc năm học nào', en: 'Term in no school year' },
    message: {
      vi: 'semester: học kỳ không thuộc năm học nào',
      en: 'semester: the term belongs to no school year',
    },
    action: fixAtSchool,
  },
  SCHOOL_YEAR_UNMAPPABLE: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Không phải một năm học', en: 'Not one school year' },
    message: {
      vi: '{field}: năm học {start}–{end} không phải một năm học',
      en: '{field}: {start}–{end} is not one school year',
    },
    values: ['field', 'start', 'end'],
    action: fixAtSchool,
  },
  SEMESTER_UNMAPPABLE: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Không xác định được học kỳ', en: 'Semester cannot be told' },
    message: { vi: '{field}: {reason}', en: '{field}: {reason}' },
    values: ['field', 'reason'],
    action: fixAtSchool,
  },
  SCORE_UNREADABLE: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Không đọc được điểm', en: 'Score unreadable' },
    message: { vi: '{field}: {reason}', en: '{field}: {reason}' },
    values: ['field', 'reason'],
    action: fixAtSchool,
  },
  SCORE_UNPARSEABLE: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Không phải điểm số', en: 'Not a score' },
    message: {
      vi: '"{column}" không phải điểm số (0–10, ví dụ 7,5)',
      en: '"{column}" is not a score (0–10, e.g. 7.5)',
    },
    values: ['column'],
    action: fixAtSchool,
  },
  COMMENT_UNPARSEABLE: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Nhận xét không phải Đ hoặc CĐ', en: 'Assessment neither Đ nor CĐ' },
    message: {
      vi: '"{column}": môn đánh giá bằng nhận xét chỉ nhận Đ hoặc CĐ',
      en: '"{column}": a commented subject takes Đ or CĐ only',
    },
    values: ['column'],
    action: fixAtSchool,
  },
  RESULT_DUPLICATE: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Kết quả trùng', en: 'Duplicate result' },
    message: {
      vi: '{field}: học sinh có hai kết quả cùng loại trong học kỳ',
      en: '{field}: two results of the same kind in one semester',
    },
    values: ['field'],
    action: fixAtSchool,
  },
  LINE_ITEM_KIND_UNKNOWN: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Cột điểm không rõ loại', en: 'Line item of unknown kind' },
    message: {
      vi: 'category: cột điểm không phải TX, GK, CK hay TB',
      en: 'category: the line item is not TX, GK, CK or TB',
    },
    action: {
      vi: 'Đặt loại (category) của cột điểm là TX, GK, CK hoặc TB trong sổ điểm',
      en: "Set the line item's category to TX, GK, CK or TB in the gradebook",
    },
  },
  AMOUNT_INVALID: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Số tiền không hợp lệ', en: 'Invalid amount' },
    message: {
      vi: '"{column}" phải là số tiền nguyên, không âm (đồng)',
      en: '"{column}" must be a whole, non-negative amount of đồng',
    },
    values: ['column'],
    action: fixAtSchool,
  },
  EMAIL_INVALID: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Không phải thư điện tử', en: 'Not an e-mail address' },
    message: {
      vi: '"{column}" không phải địa chỉ thư điện tử',
      en: '"{column}" is not an e-mail address',
    },
    values: ['column'],
    action: fixAtSchool,
  },
  PHONE_INVALID: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Không phải số điện thoại', en: 'Not a phone number' },
    message: {
      vi: '"{column}" không phải số điện thoại (8–15 chữ số)',
      en: '"{column}" is not a phone number (8–15 digits)',
    },
    values: ['column'],
    action: fixAtSchool,
  },
  CONTEXT_MISSING: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Thiếu thông tin chung của trang', en: "The sheet's context is missing" },
    message: { vi: 'Không biết {what} của dòng này', en: "The row's {what} is unknown" },
    values: ['what'],
    action: {
      vi: 'Thêm cột, dòng tiêu đề (ví dụ "Năm học 2025-2026", "Lớp 6A1") hoặc khai báo trong cấu hình',
      en: 'Add a column, a title row (e.g. "Năm học 2025-2026", "Lớp 6A1") or set it in the config',
    },
  },
  FEE_ROWS_APART: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Các dòng của phiếu không liền nhau', en: "A notice's rows are apart" },
    message: {
      vi: 'Các dòng của phiếu {notice} phải liền nhau',
      en: 'The rows of notice {notice} must be next to each other',
    },
    values: ['notice'],
    action: {
      vi: 'Sắp xếp tệp theo số phiếu hoặc mã học sinh',
      en: 'Sort the file by notice number or student code',
    },
  },
  FEE_NOTICE_CONFLICT: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Phiếu có dòng của học sinh khác', en: 'A notice holds another student' },
    message: {
      vi: 'Phiếu {notice} có dòng của học sinh khác',
      en: 'Notice {notice} has a row of another student',
    },
    values: ['notice'],
    action: fixAtSchool,
  },
  FIELD_UNMAPPABLE: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: {
      vi: 'Bản ghi không chuyển được sang dạng của đích',
      en: "Record does not map to the target's format",
    },
    message: { vi: '{field}: {reason}', en: '{field}: {reason}' },
    values: ['field', 'reason'],
    action: fixAtSchool,
  },
  SSC_PAYMENT_INVALID: {
    kind: 'permanent',
    status: 502,
    actor: 'city',
    title: { vi: 'Giao dịch SSC sai dạng', en: 'Malformed SSC payment' },
    message: {
      vi: 'Giao dịch SSC: trường {field} không hợp lệ: {reason}',
      en: 'SSC payment: field {field} is invalid: {reason}',
    },
    values: ['field', 'reason'],
    action: {
      vi: 'Báo bộ phận hỗ trợ SSC kèm mã giao dịch: giao dịch không đúng hợp đồng',
      en: 'Tell the SSC helpdesk the payment id: it breaks the contract',
    },
  },
} as const satisfies Record<string, ErrorEntry>;
