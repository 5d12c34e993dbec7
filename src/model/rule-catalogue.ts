/**
 * The catalogue of rule codes: every code a record or dataset rule can report, with its severity
 * and what it checks, in Vietnamese and English. Codes are stable: scripts, dashboards and the
 * generator's defect list key on them. A test checks that every code the rules emit is listed here.
 */
export const RULES = {
  RECORD_TYPE_UNKNOWN: {
    severity: 'error',
    vi: 'Trường type không phải loại bản ghi đã biết',
    en: 'The type field is not a known record type',
  },
  JSON_MALFORMED: { severity: 'error', vi: 'Dòng không phải JSON hợp lệ', en: 'The line is not valid JSON' },
  SCHEMA_REQUIRED: { severity: 'error', vi: 'Thiếu trường bắt buộc', en: 'A required field is missing' },
  SCHEMA_INVALID_TYPE: {
    severity: 'error',
    vi: 'Trường có kiểu dữ liệu sai (ví dụ số thay cho chuỗi)',
    en: 'A field has the wrong type (e.g. a number for text)',
  },
  SCHEMA_INVALID_FORMAT: {
    severity: 'error',
    vi: 'Trường sai định dạng (ngày YYYY-MM-DD, thư điện tử, mẫu)',
    en: 'A field has the wrong format (YYYY-MM-DD date, e-mail, pattern)',
  },
  SCHEMA_INVALID_VALUE: {
    severity: 'error',
    vi: 'Giá trị không thuộc danh sách cho phép',
    en: 'A value is not one of those allowed',
  },
  SCHEMA_INVALID_UNION: {
    severity: 'error',
    vi: 'Bản ghi không khớp dạng nào được phép (ví dụ đánh giá điểm số hay nhận xét)',
    en: 'The record matches none of its allowed shapes (e.g. scored or commented assessment)',
  },
  SCHEMA_TOO_SMALL: {
    severity: 'error',
    vi: 'Giá trị hoặc danh sách quá nhỏ / quá ngắn',
    en: 'A value or list is too small or too short',
  },
  SCHEMA_TOO_BIG: {
    severity: 'error',
    vi: 'Giá trị hoặc danh sách quá lớn / quá dài',
    en: 'A value or list is too big or too long',
  },
  SCHEMA_NOT_MULTIPLE_OF: {
    severity: 'error',
    vi: 'Giá trị không phải bội số yêu cầu',
    en: 'A value is not the multiple required',
  },
  SCHEMA_UNRECOGNIZED_KEYS: {
    severity: 'error',
    vi: 'Có trường không được biết',
    en: 'Unknown fields are present',
  },
  SCHEMA_INVALID_KEY: { severity: 'error', vi: 'Khóa không hợp lệ', en: 'An invalid key' },
  SCHEMA_INVALID_ELEMENT: { severity: 'error', vi: 'Phần tử không hợp lệ', en: 'An invalid element' },
  SCHEMA_CUSTOM: { severity: 'error', vi: 'Không đạt kiểm tra của lược đồ', en: 'A schema check failed' },
  PERSONAL_ID_FORMAT: {
    severity: 'error',
    vi: 'Số định danh cá nhân phải có đúng 12 chữ số',
    en: 'A personal ID must be exactly 12 digits',
  },
  PERSONAL_ID_LEGACY_CMND: {
    severity: 'error',
    vi: 'Số CMND 9 chữ số cũ không phải số định danh cá nhân',
    en: 'A legacy 9-digit CMND number is not a personal ID',
  },
  PERSONAL_ID_PROVINCE: {
    severity: 'error',
    vi: '3 chữ số đầu phải là mã tỉnh nơi đăng ký khai sinh (63 tỉnh, có thể cấu hình thêm)',
    en: 'Digits 1–3 must be a birth-registration province code (63 provinces, more configurable)',
  },
  PERSONAL_ID_FUTURE_BIRTH_YEAR: {
    severity: 'error',
    vi: 'Năm sinh đọc từ chữ số 4–6 không được ở tương lai',
    en: 'The birth year read from digits 4–6 cannot be in the future',
  },
  PERSONAL_ID_CENTURY_GENDER: {
    severity: 'error',
    vi: 'Chữ số thứ 4 phải khớp giới tính và thế kỷ năm sinh',
    en: 'Digit 4 must match the gender and the century of birth',
  },
  PERSONAL_ID_BIRTH_YEAR: {
    severity: 'error',
    vi: 'Chữ số 5–6 phải là hai số cuối năm sinh',
    en: 'Digits 5–6 must be the last two digits of the birth year',
  },
  PERSONAL_ID_LEADING_ZERO_RESTORED: {
    severity: 'warning',
    vi: 'Số 11 (hoặc 10, mã tỉnh 001–009) chữ số do Excel bỏ số 0 đầu đã được khôi phục',
    en: 'An 11-digit (or 10-digit, provinces 001–009) number whose leading zeros Excel dropped was restored',
  },
  PERSONAL_ID_SEPARATORS_REMOVED: {
    severity: 'warning',
    vi: 'Đã bỏ dấu cách, dấu chấm, dấu phẩy hoặc gạch (dấu phân cách hàng nghìn) trong số định danh',
    en: 'Spaces, dots, commas or dashes (thousands separators) were removed from a personal ID',
  },
  PERSONAL_ID_DECIMAL_REMOVED: {
    severity: 'warning',
    vi: 'Đã bỏ phần thập phân ",0" của số định danh được lưu thành số thực',
    en: 'The decimal ".0" of a personal ID stored as a decimal number was removed',
  },
  PHONE_LEADING_ZERO_RESTORED: {
    severity: 'warning',
    vi: 'Số điện thoại Excel bỏ mất số 0 đầu (9 chữ số bắt đầu bằng 3, 5, 7, 8, 9; hoặc 10 chữ số bắt đầu bằng 2) đã được thêm lại số 0',
    en: 'A phone number whose leading 0 Excel dropped (9 digits starting 3, 5, 7, 8, 9; or 10 starting 2) got its 0 back',
  },
  STUDENT_CODE_LEADING_ZERO: {
    severity: 'warning',
    vi: 'Mã học sinh ngắn hơn các mã khác của trường 1–2 chữ số trong khi các mã ấy bắt đầu bằng 0: có thể Excel đã bỏ số 0 đầu',
    en: "A student code 1–2 digits shorter than the school's others, which start with 0: Excel may have dropped leading zeros",
  },
  PHONE_DECIMAL_REMOVED: {
    severity: 'warning',
    vi: 'Đã bỏ phần thập phân ",0" của số điện thoại được lưu thành số thực',
    en: 'The decimal ".0" of a phone number stored as a decimal number was removed',
  },
  PERSONAL_ID_DUPLICATE: {
    severity: 'error',
    vi: 'Không hai người có cùng số định danh trong dữ liệu một trường; không một người hai lần',
    en: "No two people share a personal ID within a school's data; no person twice",
  },
  NAME_EMPTY: { severity: 'error', vi: 'Họ tên bị trống', en: 'The name is empty' },
  NAME_INVALID_CHARACTERS: {
    severity: 'error',
    vi: 'Họ tên chỉ gồm chữ cái, dấu cách, dấu nháy, gạch nối',
    en: 'A name holds only letters, spaces, apostrophes and hyphens',
  },
  NAME_NORMALISED: {
    severity: 'warning',
    vi: 'Họ tên đã được chuẩn hóa (NFC, khoảng trắng, ký tự ẩn)',
    en: 'The name was normalised (NFC, spaces, invisible characters)',
  },
  TEXT_TOO_LONG: {
    severity: 'error',
    vi: 'Họ tên, địa chỉ, tên lớp, tên trường, môn, khoản thu … không dài quá giới hạn (ký tự Unicode sau NFC; TEXT_LIMITS)',
    en: 'Names, addresses, class, school, subject and fee item names … stay within their limit (Unicode characters after NFC; TEXT_LIMITS)',
  },
  BIRTH_DATE_FUTURE: {
    severity: 'error',
    vi: 'Ngày sinh không được ở tương lai',
    en: 'A birth date cannot be in the future',
  },
  FEE_CODE_UNLISTED: {
    severity: 'warning',
    vi: 'Mã khoản thu không có trong danh mục khoản thu dùng chung',
    en: 'The fee code is not in the shared list of fee types',
  },
  ETHNICITY_CODE_UNKNOWN: {
    severity: 'error',
    vi: 'Mã dân tộc phải có trong danh mục 54 dân tộc (55, 00 mở rộng)',
    en: 'The ethnicity code must be in the list of 54 groups (55, 00 extensions)',
  },
  STUDENT_PERSONAL_ID_MISSING: {
    severity: 'warning',
    vi: 'Học sinh chưa có số định danh cá nhân',
    en: 'The student has no personal ID number',
  },
  STUDENT_GUARDIAN_MISSING: {
    severity: 'error',
    vi: 'Học sinh dưới 18 tuổi có ít nhất một cha, mẹ hoặc người giám hộ',
    en: 'A student under 18 has at least one parent or guardian',
  },
  STUDENT_AGE_GRADE: {
    severity: 'error',
    vi: 'Năm sinh phù hợp khối lớp (sớm 1 năm, muộn 3 năm được chấp nhận)',
    en: 'The birth year fits the grade (1 year early or 3 late accepted)',
  },
  STUDENT_CODE_DUPLICATE: {
    severity: 'error',
    vi: 'Mã học sinh không trùng trong một trường',
    en: 'A student code is unique within a school',
  },
  GUARDIAN_NOT_ADULT: {
    severity: 'error',
    vi: 'Người giám hộ phải đủ 18 tuổi',
    en: 'A guardian must be an adult (18 or over)',
  },
  GUARDIAN_RELATIONSHIP_GENDER: {
    severity: 'warning',
    vi: 'Quan hệ cha/mẹ khớp giới tính trong số định danh',
    en: 'Father/mother matches the gender in the personal ID',
  },
  TEACHER_PERSONAL_ID_MISSING: {
    severity: 'warning',
    vi: 'Giáo viên chưa có số định danh cá nhân',
    en: 'The teacher has no personal ID number',
  },
  TEACHER_NOT_ADULT: { severity: 'error', vi: 'Giáo viên phải đủ 18 tuổi', en: 'A teacher must be an adult' },
  RECORD_KEY_DUPLICATE: {
    severity: 'error',
    vi: 'Khóa bản ghi không lặp lại',
    en: 'A record key appears only once',
  },
  CLASS_NAME_FORMAT: {
    severity: 'error',
    vi: 'Tên lớp bắt đầu bằng khối (6A1, 10CT)',
    en: 'A class name starts with its grade (6A1, 10CT)',
  },
  CLASS_NAME_GRADE: {
    severity: 'error',
    vi: 'Tên lớp khớp khối của lớp',
    en: "A class name matches the class's grade",
  },
  SUBJECT_UNKNOWN: {
    severity: 'error',
    vi: 'Môn học có trong chương trình 2018 của khối',
    en: 'The subject is in the 2018 curriculum of the grade',
  },
  ASSESSMENT_EVALUATION_KIND: {
    severity: 'error',
    vi: 'Môn đánh giá bằng điểm số hay nhận xét đúng theo Thông tư 22',
    en: 'A subject is scored or commented as Circular 22 says',
  },
  ASSESSMENT_REGULAR_COUNT: {
    severity: 'error',
    vi: 'Số đánh giá thường xuyên mỗi học kỳ theo số tiết/năm (≤35: 2; ≤70: 3; >70: 4)',
    en: 'Regular assessments per semester by periods a year (≤35: 2; ≤70: 3; >70: 4)',
  },
  ASSESSMENT_INCOMPLETE: {
    severity: 'warning',
    vi: 'Chưa có điểm giữa kỳ hoặc cuối kỳ',
    en: 'Midterm or final missing',
  },
  ASSESSMENT_AVERAGE_MISMATCH: {
    severity: 'warning',
    vi: 'ĐTB môn học kỳ của nguồn khác kết quả tính lại theo Thông tư 22',
    en: "The source's semester average differs from Circular 22's",
  },
  ASSESSMENT_RESULT_MISMATCH: {
    severity: 'warning',
    vi: 'Kết quả Đ/CĐ học kỳ của nguồn khác kết quả tính lại',
    en: "The source's semester Đ/CĐ differs from the recomputed one",
  },
  SCORE_NOT_A_NUMBER: { severity: 'error', vi: 'Điểm phải là một số', en: 'A score must be a number' },
  SCORE_RANGE: { severity: 'error', vi: 'Điểm trong thang 0–10', en: 'A score is on the 0–10 scale' },
  SCORE_PRECISION: {
    severity: 'error',
    vi: 'Điểm có tối đa một chữ số thập phân',
    en: 'A score has at most one decimal',
  },
  YEAR_AVERAGE_MISMATCH: {
    severity: 'warning',
    vi: 'ĐTB môn cả năm của nguồn khác (HKI + 2·HKII)/3',
    en: "The source's yearly average differs from (I + 2·II)/3",
  },
  LEARNING_LEVEL_MISMATCH: {
    severity: 'warning',
    vi: 'Mức kết quả học tập của nguồn khác mức tính theo Điều 9',
    en: "The source's learning level differs from Article 9's",
  },
  LEARNING_RESULT_SUBJECT_DUPLICATE: {
    severity: 'error',
    vi: 'Mỗi môn xuất hiện một lần trong kết quả học tập',
    en: 'Each subject appears once in a learning result',
  },
  DATE_RANGE: {
    severity: 'error',
    vi: 'Ngày kết thúc không trước ngày bắt đầu',
    en: 'An end date is not before its start date',
  },
  RECEIVABLE_TOTAL: {
    severity: 'error',
    vi: 'Tổng phiếu báo thu bằng tổng các khoản',
    en: "A fee notice's total is the sum of its items",
  },
  INVOICE_TEMPLATE: {
    severity: 'error',
    vi: 'Ký hiệu mẫu số hóa đơn (KHMSHDon) là một chữ số',
    en: 'The invoice form symbol (KHMSHDon) is one digit',
  },
  INVOICE_SERIES: {
    severity: 'error',
    vi: 'Ký hiệu hóa đơn (KHHDon) gồm 6 ký tự theo Thông tư 78',
    en: 'The invoice series (KHHDon) has the 6 characters of Circular 78',
  },
} as const satisfies Record<string, { severity: 'error' | 'warning'; vi: string; en: string }>;

export type RuleCode = keyof typeof RULES;

/** The rule codes (an alias of the catalogue, kept for the name other modules use). */
export const RULE_CODES = RULES;
