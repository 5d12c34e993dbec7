/**
 * Codes of the `edubridge` command and of the files it is given: flags, standard input, paths, API
 * keys. A command prints one of these as one line and exits 2.
 */
import type { ErrorEntry } from './types.ts';

export const CLI_ERRORS = {
  OPTION_INVALID: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Tuỳ chọn không hợp lệ', en: 'Invalid option' },
    message: { vi: '{option} {reason}', en: '{option} {reason}' },
    values: ['option', 'reason'],
    action: {
      vi: 'Sửa tuỳ chọn theo thông báo (edubridge <lệnh> --help liệt kê các tuỳ chọn)',
      en: 'Fix the option as the message says (edubridge <command> --help lists the options)',
    },
  },
  OPTION_MISSING: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Thiếu tuỳ chọn', en: 'Option missing' },
    message: { vi: 'Thiếu {option}', en: 'Missing {option}' },
    values: ['option'],
    action: {
      vi: 'Thêm tuỳ chọn được nêu (edubridge <lệnh> --help)',
      en: 'Add the option named (edubridge <command> --help)',
    },
  },
  OPTION_UNKNOWN: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Không có tuỳ chọn này', en: 'Unknown option' },
    message: { vi: 'Lệnh không có tuỳ chọn {option}{hint}', en: 'Unknown option {option}{hint}' },
    values: ['option', 'hint'],
    action: {
      vi: 'Sửa tên tuỳ chọn (edubridge <lệnh> --help liệt kê các tuỳ chọn)',
      en: 'Fix the option’s name (edubridge <command> --help lists the options)',
    },
  },
  OPTIONS_CONFLICT: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Các tuỳ chọn mâu thuẫn nhau', en: 'Options contradict each other' },
    message: {
      vi: 'Không dùng được {option} cùng với {other}: {reason}',
      en: '{option} cannot be used with {other}: {reason}',
    },
    values: ['option', 'other', 'reason'],
    action: {
      vi: 'Bỏ một trong hai tuỳ chọn (edubridge <lệnh> --help)',
      en: 'Drop one of the two options (edubridge <command> --help)',
    },
  },
  ARGUMENT_MISSING: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Thiếu đối số', en: 'Argument missing' },
    message: { vi: 'Thiếu đối số {argument}', en: 'Missing argument {argument}' },
    values: ['argument'],
    action: {
      vi: 'Thêm đối số được nêu (edubridge <lệnh> --help)',
      en: 'Add the argument named (edubridge <command> --help)',
    },
  },
  COMMAND_UNKNOWN: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Không có lệnh này', en: 'Unknown command' },
    message: { vi: 'Không có lệnh {command}{hint}', en: 'Unknown command {command}{hint}' },
    values: ['command', 'hint'],
    action: {
      vi: 'Sửa tên lệnh (edubridge --help liệt kê các lệnh)',
      en: 'Fix the command’s name (edubridge --help lists the commands)',
    },
  },
  ARGUMENT_INVALID: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Đối số không hợp lệ', en: 'Invalid argument' },
    message: { vi: 'Đối số không hợp lệ: {reason}', en: 'Invalid argument: {reason}' },
    values: ['reason'],
    action: { vi: 'Sửa đối số theo thông báo', en: 'Fix the argument as the message says' },
  },
  STDIN_EMPTY: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Không có JSON trên đầu vào chuẩn', en: 'No JSON on standard input' },
    message: {
      vi: "Lệnh này đọc JSON từ đầu vào chuẩn (stdin) mà không nhận được gì; ví dụ: echo '{…}' | edubridge …",
      en: "This command reads JSON on standard input and got none; e.g. echo '{…}' | edubridge …",
    },
    action: {
      vi: "Chuyển JSON vào lệnh, ví dụ: echo '…' | edubridge …",
      en: "Pipe the JSON into the command, e.g. echo '…' | edubridge …",
    },
  },
  INPUT_SHAPE: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'JSON đầu vào sai dạng', en: 'Input JSON of the wrong shape' },
    message: {
      vi: 'JSON trên stdin phải có dạng {expected}',
      en: 'The JSON on standard input must look like {expected}',
    },
    values: ['expected'],
    action: {
      vi: 'Đưa JSON đúng dạng được nêu (xem edubridge <lệnh> --help)',
      en: 'Give JSON of the shape named (see edubridge <command> --help)',
    },
  },
  FILE_NOT_FOUND: {
    kind: 'bad-input',
    status: 404,
    actor: 'district-it',
    title: { vi: 'Không tìm thấy tệp', en: 'File not found' },
    message: {
      vi: 'Không tìm thấy tệp hoặc thư mục "{path}"',
      en: 'File or directory "{path}" not found',
    },
    values: ['path'],
    action: {
      vi: 'Kiểm tra đường dẫn: tệp phải có ở nơi lệnh hoặc cấu hình nguồn dữ liệu chỉ tới',
      en: "Check the path: the file must be where the command or the source's configuration says",
    },
  },
  OUT_DIR_NOT_FOUND: {
    kind: 'bad-input',
    status: 404,
    actor: 'district-it',
    title: { vi: 'Không có thư mục để ghi', en: 'No directory to write to' },
    message: {
      vi: 'Không có thư mục "{dir}" để ghi "{path}"',
      en: 'Directory "{dir}" does not exist to write "{path}"',
    },
    values: ['dir', 'path'],
    action: { vi: 'Tạo thư mục hoặc chọn nơi ghi khác', en: 'Create the directory or write elsewhere' },
  },
  INPUT_NOT_FOUND: {
    kind: 'bad-input',
    status: 404,
    actor: 'district-it',
    title: { vi: 'Không tìm thấy dữ liệu đầu vào', en: 'Input not found' },
    message: {
      vi: 'Không tìm thấy tệp hoặc thư mục "{path}"',
      en: 'File or directory "{path}" not found',
    },
    values: ['path'],
    action: { vi: 'Kiểm tra đường dẫn đã đưa', en: 'Check the path given' },
  },
  INPUT_EMPTY: {
    kind: 'bad-input',
    status: 422,
    actor: 'district-it',
    title: { vi: 'Thư mục không có tệp .jsonl', en: 'No .jsonl file in the directory' },
    message: {
      vi: 'Thư mục "{path}" không có tệp .jsonl nào',
      en: 'Directory "{path}" holds no .jsonl file',
    },
    values: ['path'],
    action: {
      vi: 'Chỉ tới thư mục có tệp .jsonl (bản ghi chuẩn, mỗi dòng một bản ghi)',
      en: 'Point at a directory of .jsonl files (canonical records, one a line)',
    },
  },
  INPUT_UNREADABLE: {
    kind: 'bad-input',
    status: 422,
    actor: 'district-it',
    title: { vi: 'Không đọc được tệp', en: 'File cannot be read' },
    message: {
      vi: 'Không đọc được tệp "{path}": {reason}',
      en: 'Cannot read file "{path}": {reason}',
    },
    values: ['path', 'reason'],
    action: {
      vi: 'Kiểm tra quyền đọc và nội dung tệp (UTF-8)',
      en: 'Check the read permission and the content of the file (UTF-8)',
    },
  },
  SCHOOL_UNKNOWN: {
    kind: 'bad-input',
    status: 404,
    actor: 'district-it',
    title: { vi: 'Trường không có trong tệp nguồn', en: 'School not in the sources file' },
    message: { vi: 'Trường {school} không có trong {file}', en: 'School {school} is not in {file}' },
    values: ['school', 'file'],
    action: {
      vi: 'Kiểm tra mã trường, hoặc thêm trường vào SOURCES_FILE',
      en: 'Check the school code, or add the school to SOURCES_FILE',
    },
  },
  ADAPTER_UNKNOWN: {
    kind: 'bad-input',
    status: 404,
    actor: 'district-it',
    title: { vi: 'Không có adapter này', en: 'No such adapter' },
    message: { vi: 'Không có adapter "{adapter}" ({known})', en: 'No adapter "{adapter}" ({known})' },
    values: ['adapter', 'known'],
    action: {
      vi: 'Dùng một adapter có sẵn, hoặc tạo adapter mới (edubridge adapter new)',
      en: 'Use a built-in adapter, or make one (edubridge adapter new)',
    },
  },
  SCHOOL_NOT_FOUND: {
    kind: 'bad-input',
    status: 404,
    actor: 'district-it',
    title: { vi: 'Không có dữ liệu của trường', en: 'No data of the school' },
    message: {
      vi: 'Dữ liệu đầu vào không có bản ghi nào của trường {school} (các trường có: {found})',
      en: 'The input holds no record of school {school} (schools found: {found})',
    },
    values: ['school', 'found'],
    action: {
      vi: 'Kiểm tra mã trường hoặc tệp dữ liệu đã đưa',
      en: 'Check the school code or the data files given',
    },
  },
  SCHOOL_YEAR_NOT_FOUND: {
    kind: 'bad-input',
    status: 404,
    actor: 'district-it',
    title: { vi: 'Không có dữ liệu của năm học', en: 'No data of the school year' },
    message: {
      vi: 'Dữ liệu của trường {school} không có năm học {year} (có: {found})',
      en: 'The records of school {school} hold no school year {year} (they hold: {found})',
    },
    values: ['school', 'year', 'found'],
    action: {
      vi: 'Chọn một năm học có trong dữ liệu (--school-year)',
      en: 'Choose a school year the data holds (--school-year)',
    },
  },
  NOTHING_TO_EXPORT: {
    kind: 'bad-input',
    status: 422,
    actor: 'district-it',
    title: { vi: 'Không có gì để xuất', en: 'Nothing to export' },
    message: {
      vi: 'Dữ liệu đầu vào không có bản ghi {kind} nào của trường {school} để lập mẫu {template}',
      en: 'The input holds no {kind} record of school {school} to make {template} from',
    },
    values: ['kind', 'school', 'template'],
    action: {
      vi: 'Đưa dữ liệu có loại bản ghi mẫu này cần',
      en: 'Give data holding the kind of record this template needs',
    },
  },
  API_KEY_NOT_FOUND: {
    kind: 'bad-input',
    status: 404,
    actor: 'district-it',
    title: { vi: 'Không có khoá API này', en: 'No such API key' },
    message: { vi: 'Không có khoá {prefix}', en: 'No key has prefix {prefix}' },
    values: ['prefix'],
    action: {
      vi: 'Kiểm tra tiền tố khoá (edubridge apikey list)',
      en: 'Check the key prefix (edubridge apikey list)',
    },
  },
  API_KEY_ROLE_UNKNOWN: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Vai trò khoá API không tồn tại', en: 'Unknown API key role' },
    message: {
      vi: 'Vai trò "{role}" không tồn tại (chọn {roles})',
      en: 'Unknown role "{role}" (one of {roles})',
    },
    values: ['role', 'roles'],
    action: { vi: 'Chọn một vai trò được liệt kê', en: 'Choose one of the roles listed' },
  },
  API_KEY_SCHOOL_INVALID: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Mã trường của khoá không hợp lệ', en: 'Malformed school code for the key' },
    message: { vi: 'Mã trường "{school}" không hợp lệ', en: 'School code "{school}" is malformed' },
    values: ['school'],
    action: { vi: 'Kiểm tra mã trường', en: 'Check the school code' },
  },
  API_KEY_ADAPTER_INVALID: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Mã adapter của khoá không hợp lệ', en: 'Malformed adapter id for the key' },
    message: {
      vi: 'Mã bộ chuyển đổi "{adapter}" không hợp lệ',
      en: 'Adapter id "{adapter}" is malformed',
    },
    values: ['adapter'],
    action: { vi: 'Kiểm tra mã adapter', en: 'Check the adapter id' },
  },
  API_KEY_SCOPE_INVALID: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Phạm vi khoá API không hợp lệ', en: 'Invalid API key scope' },
    message: { vi: 'Phạm vi khoá không hợp lệ: {reason}', en: 'Invalid key scope: {reason}' },
    values: ['reason'],
    action: {
      vi: 'Khoá "city" không nhận trường; "school" cần đúng một trường; "district" cần ít nhất một; "vendor" cần trường và adapter',
      en: 'A "city" key takes no school; "school" exactly one; "district" at least one; "vendor" schools and adapters',
    },
  },
  HUB_UNAVAILABLE: {
    kind: 'unavailable',
    status: 503,
    actor: 'district-it',
    title: { vi: 'Không kết nối được hub', en: 'The hub cannot be reached' },
    message: { vi: 'Hub chưa trả lời: {reason}', en: 'The hub did not answer: {reason}' },
    values: ['reason'],
    action: {
      vi: 'Kiểm tra hub đang chạy và địa chỉ (--api, EDUBRIDGE_URL), rồi thử lại',
      en: 'Check that the hub runs and its address (--api, EDUBRIDGE_URL), then try again',
    },
  },
  HUB_ACCESS_INCOMPLETE: {
    kind: 'configuration',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Thiếu địa chỉ hoặc khoá của hub', en: 'Hub address or key missing' },
    message: {
      vi: 'Đã đặt {given} mà chưa đặt {missing}',
      en: '{given} is set but {missing} is not',
    },
    values: ['given', 'missing'],
    action: {
      vi: 'Đặt cả EDUBRIDGE_URL và EDUBRIDGE_API_KEY (bản demo in sẵn hai dòng), hoặc bỏ cả hai để dùng cơ sở dữ liệu đã cấu hình',
      en: 'Set both EDUBRIDGE_URL and EDUBRIDGE_API_KEY (the demo prints both lines), or neither to use the configured database',
    },
  },
  HUB_URL_REFUSED: {
    kind: 'configuration',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Địa chỉ hub không được dùng', en: 'Hub address refused' },
    message: {
      vi: 'Không dùng được EDUBRIDGE_URL "{url}": {reason}',
      en: 'EDUBRIDGE_URL "{url}" cannot be used: {reason}',
    },
    values: ['url', 'reason'],
    action: {
      vi: 'Dùng https://, hoặc http:// tới máy này (127.0.0.1, localhost) hay một máy liệt kê trong EDUBRIDGE_HTTP_HOSTS',
      en: 'Use https://, or http:// to this machine (127.0.0.1, localhost) or a host listed in EDUBRIDGE_HTTP_HOSTS',
    },
  },
  HUB_ANSWER_INVALID: {
    kind: 'unavailable',
    status: 502,
    actor: 'district-it',
    title: { vi: 'Câu trả lời của hub không đọc được', en: 'Unreadable answer from the hub' },
    message: { vi: 'Hub trả lời không đọc được: {reason}', en: 'The hub’s answer is unreadable: {reason}' },
    values: ['reason'],
    action: {
      vi: 'Kiểm tra EDUBRIDGE_URL trỏ tới API của hub (không phải trang khác hay proxy chuyển hướng)',
      en: 'Check that EDUBRIDGE_URL points at the hub’s API (not another page, nor a proxy that redirects)',
    },
  },
  HUB_DATABASE_IN_MEMORY: {
    kind: 'configuration',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Cơ sở dữ liệu trong bộ nhớ, trống', en: 'In-memory database, empty' },
    message: {
      vi: 'Cơ sở dữ liệu trong bộ nhớ, trống: tiến trình này không thấy gì của hub đang chạy; đặt EDUBRIDGE_URL và EDUBRIDGE_API_KEY (bản demo in sẵn) hoặc DATABASE_URL',
      en: 'In-memory database, empty: this process sees nothing of a running hub; set EDUBRIDGE_URL and EDUBRIDGE_API_KEY (the demo prints them) or DATABASE_URL',
    },
    action: {
      vi: 'Đặt EDUBRIDGE_URL và EDUBRIDGE_API_KEY để hỏi hub qua API, hoặc DATABASE_URL (PGLITE_DIR) để mở cơ sở dữ liệu của nó',
      en: 'Set EDUBRIDGE_URL and EDUBRIDGE_API_KEY to ask the hub through its API, or DATABASE_URL (PGLITE_DIR) to open its database',
    },
  },
} as const satisfies Record<string, ErrorEntry>;
