/**
 * Codes of reading a school's source: the SDK's HTTP client and page policy, the built-in adapters
 * (REST, SOAP, OneRoster, Excel/CSV), their configuration and the adapter kit. Transport codes
 * (`TIMEOUT`, `UNREACHABLE`, `AUTH_REFUSED`, `TOKEN_*`) are shared with the LGSP gateway client:
 * the message names which system it was.
 */
import type { ErrorEntry } from './types.ts';

export const SOURCE_ERRORS = {
  AUTH_REFUSED: {
    kind: 'configuration',
    status: 502,
    actor: 'district-it',
    title: { vi: 'Thông tin đăng nhập bị từ chối', en: 'Credentials refused' },
    message: {
      vi: '{system} từ chối thông tin đăng nhập (HTTP {status})',
      en: '{system} refused the credentials (HTTP {status})',
    },
    values: ['system', 'status'],
    action: {
      vi: 'Kiểm tra khoá, client id/secret hoặc chứng thư đã cấu hình cho hệ thống được nêu; xin cấp lại nếu đã hết hạn',
      en: 'Check the key, client id/secret or certificate configured for the system named; ask for new ones if they expired',
    },
  },
  TOKEN_UNREACHABLE: {
    kind: 'unavailable',
    status: 503,
    actor: 'district-it',
    title: { vi: 'Không lấy được token', en: 'Token endpoint unreachable' },
    message: {
      vi: 'Không lấy được token từ {system}',
      en: 'Cannot reach the token endpoint of {system}',
    },
    values: ['system'],
    action: {
      vi: 'Không cần làm gì nếu thoáng qua; nếu kéo dài, kiểm tra mạng và địa chỉ token (tokenUrl)',
      en: 'Nothing if brief; if it lasts, check the network and the token address (tokenUrl)',
    },
  },
  TOKEN_FAILED: {
    kind: 'transient',
    status: 502,
    actor: 'district-it',
    title: { vi: 'Cấp token lỗi', en: 'Token request failed' },
    message: {
      vi: '{system}: cấp token lỗi HTTP {status}',
      en: '{system}: token request failed (HTTP {status})',
    },
    values: ['system', 'status'],
    action: {
      vi: 'Được thử lại; nếu lặp lại, báo bên vận hành máy chủ token (cổng LGSP hoặc nhà cung cấp phần mềm)',
      en: 'Tried again; if it repeats, tell whoever runs the token server (the LGSP gateway or the software vendor)',
    },
  },
  TOKEN_MALFORMED: {
    kind: 'permanent',
    status: 502,
    actor: 'district-it',
    title: { vi: 'Phản hồi token không có access_token', en: 'Token answer without access_token' },
    message: {
      vi: '{system}: phản hồi token không có access_token',
      en: '{system}: the token answer has no access_token',
    },
    values: ['system'],
    action: {
      vi: 'Kiểm tra địa chỉ token đã cấu hình; nếu đúng, báo bên vận hành máy chủ token',
      en: 'Check the token address configured; if right, tell whoever runs the token server',
    },
  },
  TIMEOUT: {
    kind: 'unavailable',
    status: 504,
    actor: 'district-it',
    title: { vi: 'Hết thời gian chờ', en: 'No answer in time' },
    message: {
      vi: '{system} không trả lời trong {ms} ms',
      en: '{system} did not answer within {ms} ms',
    },
    values: ['system', 'ms'],
    action: {
      vi: 'Không cần làm gì nếu thoáng qua (được thử lại, không tính lượt); nếu kéo dài, báo bên vận hành hệ thống được nêu',
      en: 'Nothing if brief (tried again, no attempt spent); if it lasts, tell whoever runs the system named',
    },
  },
  UNREACHABLE: {
    kind: 'unavailable',
    status: 503,
    actor: 'district-it',
    title: { vi: 'Không kết nối được', en: 'Cannot connect' },
    message: { vi: 'Không kết nối được {system}: {reason}', en: 'Cannot reach {system}: {reason}' },
    values: ['system', 'reason'],
    action: {
      vi: 'Không cần làm gì nếu thoáng qua; nếu kéo dài, kiểm tra mạng, DNS, tường lửa và địa chỉ đã cấu hình',
      en: 'Nothing if brief; if it lasts, check the network, DNS, firewall and the address configured',
    },
  },
  PAGE_MALFORMED: {
    kind: 'transient',
    status: 502,
    actor: 'vendor',
    title: { vi: 'Trang dữ liệu hỏng', en: 'Malformed page' },
    message: { vi: '{page}: dữ liệu hỏng, không đọc được', en: '{page}: malformed, cannot be parsed' },
    values: ['page'],
    action: {
      vi: 'Được hỏi lại; nếu lần sau vẫn hỏng, báo nhà cung cấp phần mềm kèm đường dẫn và trang',
      en: 'Asked for again; if a later pull still finds it broken, tell the vendor the path and the page',
    },
  },
  TRANSFER_BROKEN: {
    kind: 'transient',
    status: 502,
    actor: 'vendor',
    title: { vi: 'Kết nối đứt giữa chừng', en: 'Transfer broken off' },
    message: { vi: '{page}: kết nối đứt giữa chừng', en: '{page}: the connection broke off mid-body' },
    values: ['page'],
    action: {
      vi: 'Được hỏi lại; nếu lặp lại, kiểm tra proxy/mạng giữa hub và nguồn',
      en: 'Asked for again; if it repeats, check the proxy/network between the hub and the source',
    },
  },
  PAGE_TRUNCATED: {
    kind: 'transient',
    status: 502,
    actor: 'vendor',
    title: { vi: 'Trang thiếu bản ghi', en: 'Page cut short' },
    message: { vi: '{page}: thiếu bản ghi', en: '{page}: fewer items than promised' },
    values: ['page'],
    action: {
      vi: 'Được hỏi lại; nếu lặp lại, báo nhà cung cấp: tổng số và số bản ghi của trang không khớp',
      en: "Asked for again; if it repeats, tell the vendor: the page's total and its items disagree",
    },
  },
  PAGE_EMPTY_UNEXPECTED: {
    kind: 'transient',
    status: 502,
    actor: 'vendor',
    title: { vi: 'Trang trống bất thường', en: 'Unexpectedly empty page' },
    message: {
      vi: '{page}: trống dù nguồn báo còn dữ liệu',
      en: '{page}: empty although the source says more follows',
    },
    values: ['page'],
    action: {
      vi: 'Được hỏi lại; nếu lặp lại, báo nhà cung cấp kèm đường dẫn và trang',
      en: 'Asked for again; if it repeats, tell the vendor the path and the page',
    },
  },
  RESPONSE_UNEXPECTED: {
    kind: 'permanent',
    status: 502,
    actor: 'vendor',
    title: { vi: 'Câu trả lời của nguồn sai dạng', en: "The source's answer has the wrong shape" },
    message: { vi: '{where}: {reason}', en: '{where}: {reason}' },
    values: ['where', 'reason'],
    action: {
      vi: 'So câu trả lời với hồ sơ (profile) của adapter: nếu nguồn đổi API, báo nhà cung cấp hoặc sửa hồ sơ',
      en: "Compare the answer with the adapter's profile: if the source changed its API, tell the vendor or fix the profile",
    },
  },
  RESPONSE_MALFORMED: {
    kind: 'permanent',
    status: 502,
    actor: 'vendor',
    title: { vi: 'Nguồn trả về dữ liệu không đọc được', en: 'The source answered unreadable data' },
    message: {
      vi: '{system}: {where} trả về dữ liệu không đọc được',
      en: '{system}: {where} answered something that is not a readable SOAP message',
    },
    values: ['system', 'where'],
    action: {
      vi: 'Kiểm tra địa chỉ WSDL đã cấu hình; nếu đúng, báo nhà cung cấp',
      en: 'Check the WSDL address configured; if right, tell the vendor',
    },
  },
  WSDL_TOO_LARGE: {
    kind: 'permanent',
    status: 502,
    actor: 'vendor',
    title: { vi: 'WSDL quá lớn', en: 'WSDL too large' },
    message: {
      vi: '{system}: WSDL lớn hơn giới hạn {limit} (tăng bằng {setting})',
      en: '{system}: the WSDL is larger than the limit of {limit} (raised by {setting})',
    },
    values: ['system', 'limit', 'setting'],
    action: {
      vi: 'Kiểm tra địa chỉ WSDL đã cấu hình (có thể trỏ nhầm tới một tệp khác); nếu WSDL của nhà cung cấp thật sự lớn như vậy, nâng giới hạn được nêu',
      en: "Check the WSDL address configured (it may point at some other file); if the vendor's WSDL really is that large, raise the limit named",
    },
  },
  SOAP_RESPONSE_TOO_LARGE: {
    kind: 'permanent',
    status: 502,
    actor: 'vendor',
    title: { vi: 'Câu trả lời SOAP quá lớn', en: 'SOAP answer too large' },
    message: {
      vi: '{system}: câu trả lời của {where} lớn hơn giới hạn {limit} (tăng bằng {setting})',
      en: '{system}: the answer to {where} is larger than the limit of {limit} (raised by {setting})',
    },
    values: ['system', 'where', 'limit', 'setting'],
    action: {
      vi: 'Giảm pageSize trong cấu hình adapter để mỗi trang nhỏ hơn; nếu một câu trả lời thật sự cần lớn như vậy, nâng giới hạn được nêu',
      en: "Lower pageSize in the adapter's config so that each page is smaller; if an answer really needs to be that large, raise the limit named",
    },
  },
  SOAP_FAULT_SERVER: {
    kind: 'transient',
    status: 502,
    actor: 'vendor',
    title: { vi: 'Nguồn báo lỗi máy chủ (SOAP)', en: 'The source reported a server fault (SOAP)' },
    message: {
      vi: '{system}: {where} trả lỗi SOAP {fault}',
      en: '{system}: {where} answered a SOAP fault {fault}',
    },
    values: ['system', 'where', 'fault'],
    action: {
      vi: 'Được thử lại; nếu lặp lại, báo nhà cung cấp kèm mã lỗi',
      en: 'Tried again; if it repeats, tell the vendor the fault code',
    },
  },
  SOAP_FAULT_CLIENT: {
    kind: 'permanent',
    status: 502,
    actor: 'vendor',
    title: { vi: 'Nguồn từ chối yêu cầu (SOAP)', en: 'The source refused the request (SOAP)' },
    message: {
      vi: '{system}: {where} trả lỗi SOAP {fault}',
      en: '{system}: {where} answered a SOAP fault {fault}',
    },
    values: ['system', 'where', 'fault'],
    action: {
      vi: 'Kiểm tra hồ sơ và tham số của thao tác; nếu đúng, báo nhà cung cấp',
      en: "Check the profile and the operation's arguments; if right, tell the vendor",
    },
  },
  OPERATION_UNKNOWN: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'WSDL không có thao tác', en: 'Operation not in the WSDL' },
    message: {
      vi: 'WSDL của {system} không có thao tác {operation}',
      en: "{system}'s WSDL has no operation {operation}",
    },
    values: ['system', 'operation'],
    action: {
      vi: 'Sửa tên thao tác trong hồ sơ, hoặc hỏi nhà cung cấp thao tác đã đổi tên gì',
      en: 'Fix the operation in the profile, or ask the vendor what it was renamed to',
    },
  },
  PROFILE_INVALID: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Hồ sơ adapter không hợp lệ', en: 'Invalid adapter profile' },
    message: { vi: 'Hồ sơ {profile} không hợp lệ: {reason}', en: 'Invalid profile {profile}: {reason}' },
    values: ['profile', 'reason'],
    action: {
      vi: 'Sửa hồ sơ ở chỗ được nêu (xem docs/adapters.md)',
      en: 'Fix the profile where named (see docs/adapters.md)',
    },
  },
  PROFILE_NOT_FOUND: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Không tìm thấy hồ sơ', en: 'Profile not found' },
    message: { vi: 'Không tìm thấy hồ sơ "{profile}"', en: 'Profile "{profile}" not found' },
    values: ['profile'],
    action: {
      vi: 'Dùng tên một hồ sơ có sẵn hoặc đường dẫn tới tệp hồ sơ',
      en: 'Give the name of a shipped profile or the path of a profile file',
    },
  },
  STREAM_NOT_IN_PROFILE: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Hồ sơ không khai báo luồng', en: 'Stream not in the profile' },
    message: {
      vi: 'Hồ sơ "{profile}" không khai báo luồng {stream}',
      en: 'Profile "{profile}" declares no stream {stream}',
    },
    values: ['profile', 'stream'],
    action: {
      vi: 'Bỏ luồng khỏi lần chạy, hoặc khai báo nó trong hồ sơ',
      en: 'Leave the stream out of the run, or declare it in the profile',
    },
  },
  SCHOOLS_UNKNOWN: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Không biết các trường của nguồn', en: "The source's schools are unknown" },
    message: {
      vi: 'Cần schoolCodes trong cấu hình hoặc thao tác schools trong hồ sơ',
      en: 'Give schoolCodes in the config or a schools operation in the profile',
    },
    action: {
      vi: 'Thêm schoolCodes vào cấu hình adapter',
      en: "Add schoolCodes to the adapter's config",
    },
  },
  CHECKPOINT_INVALID: {
    kind: 'permanent',
    status: 500,
    actor: 'hub',
    title: { vi: 'Điểm dừng không hợp lệ', en: 'Invalid checkpoint' },
    message: { vi: 'Điểm dừng không hợp lệ: {reason}', en: 'Invalid checkpoint: {reason}' },
    values: ['reason'],
    action: {
      vi: 'Báo nhóm phát triển; chạy đồng bộ đầy đủ (mode full) để bắt đầu lại từ đầu',
      en: 'Report it; run a full sync (mode full) to start again from scratch',
    },
  },
  CHECK_FAILED: {
    kind: 'permanent',
    status: 502,
    actor: 'vendor',
    title: { vi: 'Kiểm tra kết nối thất bại', en: 'Connection check failed' },
    message: { vi: 'Kiểm tra thất bại: {reason}', en: 'Check failed: {reason}' },
    values: ['reason'],
    action: {
      vi: 'Đọc lý do; lỗi không có mã là lỗi của adapter: báo người viết adapter',
      en: "Read the reason; a failure without a code is the adapter's: tell its author",
    },
  },
  UNEXPECTED: {
    kind: 'permanent',
    status: 502,
    actor: 'vendor',
    title: { vi: 'Lỗi không mong đợi', en: 'Unexpected failure' },
    message: { vi: 'Lỗi không mong đợi: {reason}', en: 'Unexpected failure: {reason}' },
    values: ['reason'],
    action: {
      vi: 'Đọc lý do; nếu không rõ, báo người viết adapter',
      en: "Read the reason; if unclear, tell the adapter's author",
    },
  },
  SCOPE_MISSING: {
    kind: 'configuration',
    status: 502,
    actor: 'vendor',
    title: { vi: 'Client thiếu quyền đọc', en: 'The client lacks a scope' },
    message: {
      vi: '{system} không cho đọc {what}: cấp thêm scope cho client',
      en: '{system} does not let this client read {what}: grant the scope',
    },
    values: ['system', 'what'],
    action: {
      vi: 'Quản trị viên của phần mềm cấp thêm scope cho client của hub',
      en: "The software's administrator grants the hub's client the scope",
    },
  },
  FILE_UNREADABLE: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Không đọc được tệp của trường', en: "The school's file cannot be read" },
    message: { vi: 'Không đọc được tệp "{file}": {reason}', en: 'Cannot read "{file}": {reason}' },
    values: ['file', 'reason'],
    action: {
      vi: 'Mở tệp bằng Excel và lưu lại dạng .xlsx (hoặc CSV UTF-8), rồi đặt lại vào thư mục',
      en: 'Open the file in Excel and save it again as .xlsx (or CSV UTF-8), then put it back',
    },
  },
  FILE_EMPTY: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Tệp của trường trống', en: "The school's file is empty" },
    message: {
      vi: 'Tệp "{file}" trống: không có ô nào có nội dung',
      en: '"{file}" is empty: no cell holds anything',
    },
    values: ['file'],
    action: {
      vi: 'Xuất lại tệp từ phần mềm của trường (tệp 0 byte thường là lần tải hoặc sao chép bị hỏng), rồi đặt lại vào thư mục',
      en: "Export the file again from the school's software (a 0-byte file is usually a failed download or copy), then put it back",
    },
  },
  FILE_HAS_NO_ROWS: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Tệp chỉ có dòng tiêu đề', en: 'File with a header and no rows' },
    message: {
      vi: 'Tệp "{file}" chỉ có dòng tiêu đề, không có dòng dữ liệu nào (trang tính: {sheets})',
      en: '"{file}" has the header but no data rows (sheets: {sheets})',
    },
    values: ['file', 'sheets'],
    action: {
      vi: 'Có thể đã xuất nhầm mẫu trống: xuất lại danh sách có dữ liệu từ phần mềm của trường. Tệp như vậy không được đọc thành "không còn bản ghi nào", để lần đồng bộ không xoá những gì tệp trước đã gửi',
      en: 'Perhaps an empty template was exported: export the list with its rows from the school\'s software. Such a file is not read as "no records left", so that a sync does not delete what the file sent before',
    },
  },
  FORMAT_UNSUPPORTED: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Định dạng tệp không hỗ trợ', en: 'Unsupported file format' },
    message: { vi: '"{file}": {reason}', en: '"{file}": {reason}' },
    values: ['file', 'reason'],
    action: {
      vi: 'Lưu tệp thành .xlsx hoặc CSV UTF-8',
      en: 'Save the file as .xlsx or CSV UTF-8',
    },
  },
  FILE_LIMIT_EXCEEDED: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Tệp vượt giới hạn đọc', en: 'File beyond a reading limit' },
    message: {
      vi: 'Tệp "{file}" bị từ chối: {what} đã tới {measured}, vượt giới hạn {limit} (tăng bằng {setting})',
      en: '"{file}" refused: {what} reached {measured}, over the limit of {limit} (raised by {setting})',
    },
    values: ['file', 'what', 'measured', 'limit', 'setting'],
    action: {
      vi: 'Tệp như vậy thường hỏng hoặc cố ý gây hại (zip bomb): đừng mở, hỏi lại người gửi và xin xuất lại từ phần mềm của trường. Nếu tệp thật sự lớn như vậy, người vận hành hub nâng giới hạn được nêu',
      en: "Such a file is usually damaged or hostile (a zip bomb): do not open it, ask whoever sent it for a fresh export from the school's software. If the file really is that large, the hub's operator raises the limit named",
    },
  },
  ENCODING_UNSUPPORTED: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Tệp văn bản không phải UTF-8 hay UTF-16', en: 'Text file neither UTF-8 nor UTF-16' },
    message: {
      vi: 'Tệp "{file}" không phải CSV UTF-8',
      en: '"{file}" is not UTF-8 CSV',
    },
    values: ['file'],
    action: {
      vi: 'Tệp đang ở bảng mã cũ (Windows-1258, TCVN3 …): trong Excel chọn Lưu thành "CSV UTF-8 (Comma delimited)" hoặc .xlsx',
      en: 'The file is in a legacy code page (Windows-1258, TCVN3 …): in Excel use Save As "CSV UTF-8 (Comma delimited)" or .xlsx',
    },
  },
  SHEET_NOT_FOUND: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Không có trang tính', en: 'Sheet not found' },
    message: {
      vi: 'Tệp "{file}" không có trang tính "{sheet}" (có: {sheets})',
      en: '"{file}" has no sheet "{sheet}" (it has: {sheets})',
    },
    values: ['file', 'sheet', 'sheets'],
    action: {
      vi: 'Đổi tên trang tính, hoặc sửa tên trang tính trong cấu hình',
      en: 'Rename the sheet, or fix the sheet name in the config',
    },
  },
  HEADER_MISSING: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Không tìm thấy dòng tiêu đề', en: 'Header row not found' },
    message: {
      vi: 'Không tìm thấy cột bắt buộc trong {where}: {columns}',
      en: 'Required column(s) not found in {where}: {columns}',
    },
    values: ['where', 'columns'],
    action: {
      vi: 'Thêm cột vào tệp, hoặc khai báo tên cột của trường trong profile.columns',
      en: "Add the column to the file, or name the school's header in profile.columns",
    },
  },
  ADAPTER_NOT_FOUND: {
    kind: 'bad-input',
    status: 404,
    actor: 'vendor',
    title: { vi: 'Không tìm thấy adapter', en: 'Adapter not found' },
    message: { vi: 'Không tìm thấy adapter ở "{path}": {reason}', en: 'No adapter at "{path}": {reason}' },
    values: ['path', 'reason'],
    action: {
      vi: 'Chỉ tới thư mục adapter có index.ts xuất một adapter tạo bằng defineAdapter',
      en: 'Point at an adapter folder whose index.ts exports an adapter made with defineAdapter',
    },
  },
  RECORDING_UNAVAILABLE: {
    kind: 'configuration',
    status: 500,
    actor: 'vendor',
    title: { vi: 'Không phát lại được API đã ghi', en: 'Recorded API cannot be replayed' },
    message: {
      vi: 'Không phát lại được API đã ghi: {reason}',
      en: 'Cannot replay the recorded API: {reason}',
    },
    values: ['reason'],
    action: {
      vi: 'Sửa điều được nêu (tệp ghi API trong fixtures/, hoặc gói nock), rồi chạy lại npm test',
      en: 'Fix what is named (the recording in fixtures/, or the nock package), then run npm test again',
    },
  },
  SUITE_NOT_FOUND: {
    kind: 'bad-input',
    status: 404,
    actor: 'vendor',
    title: { vi: 'Không tìm thấy bộ kiểm tra', en: 'Suite file not found' },
    message: { vi: 'Không tìm thấy tệp cấu hình "{path}"', en: 'Suite file "{path}" not found' },
    values: ['path'],
    action: { vi: 'Kiểm tra đường dẫn của bộ kiểm tra', en: 'Check the path of the suite' },
  },
  SUITE_MALFORMED: {
    kind: 'bad-input',
    status: 422,
    actor: 'vendor',
    title: { vi: 'Bộ kiểm tra sai dạng', en: 'Malformed suite' },
    message: { vi: 'Tệp "{path}": {reason}', en: '"{path}": {reason}' },
    values: ['path', 'reason'],
    action: {
      vi: 'Sửa bộ kiểm tra: JSON, hoặc một mô-đun xuất đối tượng có "config"',
      en: 'Fix the suite: JSON, or a module exporting an object with "config"',
    },
  },
  ADAPTER_ID_INVALID: {
    kind: 'bad-input',
    status: 400,
    actor: 'vendor',
    title: { vi: 'Mã adapter không hợp lệ', en: 'Invalid adapter id' },
    message: {
      vi: 'Mã adapter "{id}" chỉ gồm chữ thường, số và "-" (2–41 ký tự)',
      en: 'Adapter id "{id}" must be lower-case letters, digits and "-" (2–41 characters)',
    },
    values: ['id'],
    action: { vi: 'Chọn mã khác', en: 'Choose another id' },
  },
  ADAPTER_EXISTS: {
    kind: 'bad-input',
    status: 409,
    actor: 'vendor',
    title: { vi: 'Thư mục adapter đã có', en: 'Adapter folder exists' },
    message: { vi: 'Thư mục "{dir}" đã có', en: 'Folder "{dir}" already exists' },
    values: ['dir'],
    action: {
      vi: 'Chọn thư mục khác hoặc xoá thư mục cũ',
      en: 'Choose another folder or remove the old one',
    },
  },
} as const satisfies Record<string, ErrorEntry>;
