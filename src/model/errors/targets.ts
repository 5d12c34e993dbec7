/**
 * Codes of the push side: the LGSP gateway client, the targets behind it, and the codes the targets
 * themselves give for a record (passed on as is into dead letters). The families of codes built
 * from a status or a gateway's own code are patterns, tried after the exact entries.
 */
import type { ErrorEntry, ErrorPattern } from './types.ts';

const waitForIt = {
  vi: 'Không cần làm gì: được thử lại khi hệ thống trở lại, không tính lượt; nếu kéo dài, báo bên vận hành',
  en: 'Nothing: tried again once the system is back, no attempt spent; if it lasts, tell whoever runs it',
} as const;

export const TARGET_ERRORS = {
  HTTP_408: {
    kind: 'transient',
    status: 504,
    actor: 'district-it',
    title: { vi: 'Hết thời gian chờ yêu cầu (HTTP 408)', en: 'Request timeout (HTTP 408)' },
    message: {
      vi: '{system} trả lời HTTP {status} ở {where}',
      en: '{system} answered HTTP {status} at {where}',
    },
    values: ['system', 'status', 'where'],
    action: {
      vi: 'Được thử lại; nếu lặp lại, kiểm tra mạng giữa hub và hệ thống',
      en: 'Tried again; if it repeats, check the network between the hub and the system',
    },
  },
  HTTP_425: {
    kind: 'transient',
    status: 503,
    actor: 'district-it',
    title: { vi: 'Quá sớm (HTTP 425)', en: 'Too early (HTTP 425)' },
    message: {
      vi: '{system} trả lời HTTP {status} ở {where}',
      en: '{system} answered HTTP {status} at {where}',
    },
    values: ['system', 'status', 'where'],
    action: { vi: 'Không cần làm gì: được thử lại', en: 'Nothing: tried again' },
  },
  HTTP_429: {
    kind: 'throttled',
    status: 429,
    actor: 'district-it',
    title: { vi: 'Vượt hạn mức gọi (HTTP 429)', en: 'Quota exceeded (HTTP 429)' },
    message: {
      vi: '{system} trả lời HTTP {status} ở {where}',
      en: '{system} answered HTTP {status} at {where}',
    },
    values: ['system', 'status', 'where'],
    action: {
      vi: 'Không cần làm gì: hub chờ như được bảo (Retry-After) rồi gửi tiếp; nếu thường xuyên, giảm tốc độ gửi hoặc xin tăng hạn mức',
      en: 'Nothing: the hub waits as told (Retry-After), then goes on; if frequent, send slower or ask for a higher quota',
    },
  },
  HTTP_500: {
    kind: 'transient',
    status: 502,
    actor: 'district-it',
    title: { vi: 'Lỗi máy chủ (HTTP 500)', en: 'Server error (HTTP 500)' },
    message: {
      vi: '{system} trả lời HTTP {status} ở {where}',
      en: '{system} answered HTTP {status} at {where}',
    },
    values: ['system', 'status', 'where'],
    action: {
      vi: 'Được thử lại (tính lượt); nếu lặp lại, báo bên vận hành hệ thống kèm thời điểm',
      en: 'Tried again (an attempt spent); if it repeats, tell whoever runs the system, with the time',
    },
  },
  HTTP_502: {
    kind: 'unavailable',
    status: 502,
    actor: 'district-it',
    title: { vi: 'Cổng nối lỗi (HTTP 502)', en: 'Bad gateway (HTTP 502)' },
    message: {
      vi: '{system} trả lời HTTP {status} ở {where}',
      en: '{system} answered HTTP {status} at {where}',
    },
    values: ['system', 'status', 'where'],
    action: waitForIt,
  },
  HTTP_503: {
    kind: 'unavailable',
    status: 503,
    actor: 'district-it',
    title: { vi: 'Dịch vụ tạm ngừng (HTTP 503)', en: 'Service unavailable (HTTP 503)' },
    message: {
      vi: '{system} trả lời HTTP {status} ở {where}',
      en: '{system} answered HTTP {status} at {where}',
    },
    values: ['system', 'status', 'where'],
    action: waitForIt,
  },
  HTTP_504: {
    kind: 'unavailable',
    status: 504,
    actor: 'district-it',
    title: { vi: 'Cổng nối hết thời gian chờ (HTTP 504)', en: 'Gateway timeout (HTTP 504)' },
    message: {
      vi: '{system} trả lời HTTP {status} ở {where}',
      en: '{system} answered HTTP {status} at {where}',
    },
    values: ['system', 'status', 'where'],
    action: waitForIt,
  },
  TLS_CLIENT_CERT_REFUSED: {
    kind: 'configuration',
    status: 502,
    actor: 'district-it',
    title: { vi: 'Cổng từ chối chứng thư số của hub', en: "The gateway refused the hub's certificate" },
    message: {
      vi: 'Cổng {target} từ chối chứng thư số của hub {what} ({reason})',
      en: "gateway {target} refused the hub's client certificate {what} ({reason})",
    },
    values: ['target', 'what', 'reason'],
    action: {
      vi: 'Gia hạn hoặc cài lại chứng thư số của hub (GATEWAY TLS), và xin cổng LGSP tin nó',
      en: "Renew or reinstall the hub's client certificate (gateway TLS settings), and have the LGSP gateway trust it",
    },
  },
  TLS_SERVER_CERT_UNTRUSTED: {
    kind: 'configuration',
    status: 502,
    actor: 'district-it',
    title: {
      vi: 'Hub không tin chứng thư số của cổng',
      en: "The hub does not trust the gateway's certificate",
    },
    message: {
      vi: 'Hub không tin chứng thư số của cổng {target} {what} ({reason})',
      en: "the hub does not trust gateway {target}'s certificate {what} ({reason})",
    },
    values: ['target', 'what', 'reason'],
    action: {
      vi: 'Cài chứng thư CA của cổng vào cấu hình TLS của hub; nếu chứng thư của cổng hết hạn, báo thành phố',
      en: "Install the gateway's CA in the hub's TLS settings; if the gateway's certificate expired, tell the city",
    },
  },
  RESPONSE_TOO_LARGE: {
    kind: 'permanent',
    status: 502,
    actor: 'district-it',
    title: { vi: 'Câu trả lời quá lớn', en: 'Answer too large' },
    message: {
      vi: 'Cổng {target} trả về quá {bytes} byte {what}',
      en: 'gateway {target} answered {what} with more than {bytes} bytes',
    },
    values: ['target', 'bytes', 'what'],
    action: {
      vi: 'Tăng giới hạn maxResponseBytes của cổng, hoặc gửi lô nhỏ hơn (BATCH_SIZE)',
      en: "Raise the gateway's maxResponseBytes, or send smaller batches (BATCH_SIZE)",
    },
  },
  MESSAGE_MALFORMED: {
    kind: 'transient',
    status: 502,
    actor: 'city',
    title: { vi: 'Câu trả lời của cổng không đọc được', en: "The gateway's answer is unreadable" },
    message: {
      vi: 'Cổng {target} trả về {what} không đọc được ở {where}',
      en: 'gateway {target} answered {where} with an unreadable {what}',
    },
    values: ['target', 'what', 'where'],
    action: {
      vi: 'Được thử lại; nếu lặp lại, báo cổng LGSP kèm thời điểm',
      en: 'Tried again; if it repeats, tell the LGSP gateway, with the time',
    },
  },
  SOAP_FAULT: {
    kind: 'permanent',
    status: 502,
    actor: 'city',
    title: { vi: 'Dịch vụ trả SOAP Fault', en: 'The service answered a SOAP Fault' },
    message: {
      vi: 'Cổng {target}: dịch vụ trả SOAP Fault{fault} (HTTP {status}) ở {where}',
      en: 'gateway {target}: the service answered a SOAP Fault{fault} (HTTP {status}) at {where}',
    },
    values: ['target', 'fault', 'status', 'where'],
    action: {
      vi: 'Đọc mã lỗi; nếu lỗi chỉ thoáng qua, thêm nó vào transientSoapFaults; nếu không, báo bên vận hành dịch vụ',
      en: 'Read the fault; if it is one that passes, list it in transientSoapFaults; else tell whoever runs the service',
    },
  },
  SOAP_FAULT_TRANSIENT: {
    kind: 'transient',
    status: 502,
    actor: 'city',
    title: { vi: 'Dịch vụ tạm báo lỗi (SOAP)', en: 'The service reported a passing fault (SOAP)' },
    message: {
      vi: 'Cổng {target}: dịch vụ trả SOAP Fault{fault} (HTTP {status}) ở {where}',
      en: 'gateway {target}: the service answered a SOAP Fault{fault} (HTTP {status}) at {where}',
    },
    values: ['target', 'fault', 'status', 'where'],
    action: {
      vi: 'Được thử lại; nếu lặp lại, báo bên vận hành dịch vụ',
      en: 'Tried again; if it repeats, tell whoever runs the service',
    },
  },
  TARGET_ANSWER_INVALID: {
    kind: 'permanent',
    status: 502,
    actor: 'city',
    title: { vi: 'Câu trả lời của đích sai dạng', en: "The target's answer has the wrong shape" },
    message: { vi: '{target}: {reason}', en: '{target}: {reason}' },
    values: ['target', 'reason'],
    action: {
      vi: 'Báo bộ phận hỗ trợ của đích kèm thời điểm: câu trả lời không đúng hợp đồng (openapi/)',
      en: "Tell the target's helpdesk, with the time: the answer breaks the contract (openapi/)",
    },
  },
  TARGET_STREAM_UNSUPPORTED: {
    kind: 'permanent',
    status: 500,
    actor: 'hub',
    title: { vi: 'Đích không nhận luồng này', en: 'The target takes no such stream' },
    message: { vi: '{target} không nhận luồng {stream}', en: '{target} takes no stream {stream}' },
    values: ['target', 'stream'],
    action: {
      vi: 'Báo nhóm phát triển: hub chỉ gửi tới đích những luồng nó nhận',
      en: 'Report it: the hub sends a target only the streams it takes',
    },
  },
  TARGET_NO_RESULT: {
    kind: 'transient',
    status: 502,
    actor: 'city',
    title: { vi: 'Đích không trả kết quả cho bản ghi', en: 'The target gave no result for the record' },
    message: {
      vi: '{target} không trả kết quả cho bản ghi này',
      en: '{target} gave no result for this record',
    },
    values: ['target'],
    action: {
      vi: 'Gửi lại thư chết; nếu lặp lại, báo bộ phận hỗ trợ của đích kèm khoá bản ghi',
      en: "Replay the dead letter; if it repeats, tell the target's helpdesk the record's key",
    },
  },
  TARGET_STATUS_UNKNOWN: {
    kind: 'permanent',
    status: 502,
    actor: 'city',
    title: { vi: 'Đích trả trạng thái lạ', en: 'The target answered an unknown status' },
    message: {
      vi: '{target} trả trạng thái "{status}" không có trong hợp đồng',
      en: '{target} answered status "{status}", which is not in the contract',
    },
    values: ['target', 'status'],
    action: {
      vi: 'Báo bộ phận hỗ trợ của đích; báo cả nhóm phát triển nếu trạng thái là mới',
      en: "Tell the target's helpdesk; report it too if the status is a new one",
    },
  },
  REFUSED: {
    kind: 'permanent',
    status: 422,
    actor: 'city',
    title: { vi: 'Bị từ chối, không có mã', en: 'Refused without a code' },
    message: { vi: '{system} từ chối bản ghi: {reason}', en: '{system} refused the record: {reason}' },
    values: ['system', 'reason'],
    action: {
      vi: 'Đọc lời nhắn của hệ thống đã từ chối (đích với thư chết, phần mềm của trường với ghi ngược) và hỏi họ',
      en: 'Read the message of the system that refused (the target for a dead letter, the school software for a write-back) and ask them',
    },
  },
  FAILED: {
    kind: 'transient',
    status: 502,
    actor: 'city',
    title: { vi: 'Đích báo lỗi, không có mã', en: 'Failed without a code' },
    message: {
      vi: '{target} không nhận bản ghi: {reason}',
      en: '{target} did not take the record: {reason}',
    },
    values: ['target', 'reason'],
    action: {
      vi: 'Gửi lại thư chết; nếu lặp lại, báo bộ phận hỗ trợ của đích',
      en: "Replay the dead letter; if it repeats, tell the target's helpdesk",
    },
  },

  // What the targets answer for a record (openapi/city-edudb.md, openapi/ssc.md).
  UNKNOWN_MASTER: {
    kind: 'permanent',
    status: 422,
    actor: 'city',
    origin: 'target',
    title: { vi: 'CSDL ngành chưa có hồ sơ gốc', en: 'The city DB does not hold the master record' },
    message: {
      vi: 'CSDL ngành chưa có {kind} {id}: hồ sơ được đưa vào danh sách chờ duyệt',
      en: 'The city Education DB does not hold {kind} {id}: it went to the review list',
    },
    values: ['kind', 'id'],
    action: {
      vi: 'Người phụ trách CSDL ngành duyệt học sinh/giáo viên/lớp trong danh sách chờ, rồi gửi lại thư chết; nếu mã sai, trường sửa mã trong phần mềm',
      en: 'A person at the city DB approves the student/teacher/class on its review list, then replay the dead letter; if the code is wrong, the school fixes it in its software',
    },
  },
  SCHEMA_INVALID: {
    kind: 'permanent',
    status: 422,
    actor: 'hub',
    origin: 'target',
    title: { vi: 'Bản ghi sai lược đồ của đích', en: "Record breaks the target's schema" },
    message: { vi: '{target} từ chối: {reason}', en: '{target} refused: {reason}' },
    values: ['target', 'reason'],
    action: {
      vi: 'Hub kiểm tra bản ghi theo lược đồ của đích trước khi gửi: báo nhóm phát triển kèm thư chết (lược đồ đã đổi?)',
      en: "The hub checks records against the target's schema before sending: report it with the dead letter (did the schema change?)",
    },
  },
  MASTER_IMMUTABLE: {
    kind: 'permanent',
    status: 422,
    actor: 'school',
    origin: 'target',
    title: { vi: 'Không xoá được hồ sơ gốc', en: 'Master data cannot be deleted' },
    message: {
      vi: 'CSDL ngành không xoá hồ sơ gốc {id} (Thông tư 42/2021)',
      en: 'The city Education DB never deletes master record {id} (Circular 42/2021)',
    },
    values: ['id'],
    action: {
      vi: 'Đừng xoá học sinh/giáo viên trong phần mềm: đổi trạng thái (chuyển đi, nghỉ học), rồi bỏ thư chết này',
      en: 'Do not delete the student/teacher in the software: change their status (left, moved), then discard this dead letter',
    },
  },
  UNKNOWN_FEE_ITEM: {
    kind: 'permanent',
    status: 422,
    actor: 'school',
    origin: 'target',
    title: { vi: 'SSC chưa có khoản thu', en: 'SSC does not hold the fee item' },
    message: {
      vi: 'SSC chưa có khoản thu {feeItem} của trường trong năm học',
      en: "SSC does not hold fee item {feeItem} of the school's year",
    },
    values: ['feeItem'],
    action: {
      vi: 'Khai báo khoản thu trong phần mềm của trường (luồng feeItems) rồi gửi lại thư chết',
      en: "Declare the fee item in the school's software (the feeItems stream), then replay the dead letter",
    },
  },
  DUPLICATE_FEE_ITEM: {
    kind: 'permanent',
    status: 422,
    actor: 'school',
    origin: 'target',
    title: { vi: 'Mã khoản thu trùng', en: 'Duplicate fee item code' },
    message: {
      vi: 'SSC đã có khoản thu {feeItem} dưới khoá khác',
      en: 'SSC holds fee item {feeItem} under another key',
    },
    values: ['feeItem'],
    action: {
      vi: 'Sửa để mỗi khoản thu có một mã (MaKhoanThu) trong năm học',
      en: 'Give each fee item one code (MaKhoanThu) in the school year',
    },
  },
  DUPLICATE_NOTICE: {
    kind: 'permanent',
    status: 422,
    actor: 'school',
    origin: 'target',
    title: { vi: 'Số phiếu báo thu trùng', en: 'Duplicate notice number' },
    message: {
      vi: 'SSC đã có phiếu {notice} dưới khoá khác',
      en: 'SSC holds notice {notice} under another key',
    },
    values: ['notice'],
    action: {
      vi: 'Sửa để mỗi phiếu báo thu có một số phiếu (SoPhieu)',
      en: 'Give each notice one number (SoPhieu)',
    },
  },
  NOTICE_HAS_PAYMENTS: {
    kind: 'permanent',
    status: 422,
    actor: 'school',
    origin: 'target',
    title: { vi: 'Phiếu đã có tiền nộp', en: 'The notice has payments' },
    message: {
      vi: 'Phiếu {notice} đã thu tiền: không huỷ, xoá hay giảm dưới số đã thu được',
      en: 'Notice {notice} has payments: it cannot be cancelled, deleted or lowered below them',
    },
    values: ['notice'],
    action: {
      vi: 'Giữ phiếu trong phần mềm; hoàn tiền hay điều chỉnh làm theo thủ tục với SSC, rồi bỏ thư chết này',
      en: 'Keep the notice in the software; refunds or corrections go through SSC, then discard this dead letter',
    },
  },
  FEE_ITEM_IN_USE: {
    kind: 'permanent',
    status: 422,
    actor: 'school',
    origin: 'target',
    title: { vi: 'Khoản thu còn được dùng', en: 'Fee item still in use' },
    message: {
      vi: 'Khoản thu {feeItem} còn có phiếu báo thu dùng',
      en: 'Fee item {feeItem} is still named by notices',
    },
    values: ['feeItem'],
    action: {
      vi: 'Giữ khoản thu trong phần mềm khi còn phiếu dùng nó',
      en: 'Keep the fee item in the software while notices name it',
    },
  },
  PAYMENT_UNKNOWN: {
    kind: 'permanent',
    status: 404,
    actor: 'city',
    origin: 'target',
    title: { vi: 'SSC không có giao dịch này', en: 'SSC does not hold the payment' },
    message: { vi: 'SSC không có giao dịch {payment}', en: 'SSC holds no payment {payment}' },
    values: ['payment'],
    action: {
      vi: 'Kéo lại khoản nộp từ SSC rồi thử lại; nếu vẫn vậy, báo bộ phận hỗ trợ SSC',
      en: 'Pull payments from SSC again and retry; if it stays, tell the SSC helpdesk',
    },
  },
  NOTICE_UNKNOWN: {
    kind: 'permanent',
    status: 404,
    actor: 'city',
    origin: 'target',
    title: { vi: 'SSC không có phiếu này', en: 'SSC does not hold the notice' },
    message: { vi: 'SSC không có phiếu {notice}', en: 'SSC holds no notice {notice}' },
    values: ['notice'],
    action: {
      vi: 'Kiểm tra phiếu đã được gửi tới SSC (thư chết của luồng receivables); nếu có, báo bộ phận hỗ trợ SSC',
      en: 'Check the notice reached SSC (dead letters of the receivables stream); if it did, tell the SSC helpdesk',
    },
  },
  DOCUMENT_INVALID: {
    kind: 'permanent',
    status: 502,
    actor: 'city',
    origin: 'target',
    title: { vi: 'SSC không lập được chứng từ', en: 'SSC cannot issue the document' },
    message: { vi: 'SSC không lập được chứng từ: {reason}', en: 'SSC cannot issue the document: {reason}' },
    values: ['reason'],
    action: {
      vi: 'Báo bộ phận hỗ trợ SSC kèm mã giao dịch',
      en: 'Tell the SSC helpdesk the payment id',
    },
  },
} as const satisfies Record<string, ErrorEntry>;

/**
 * Codes built from a status or a gateway's own code. Exact entries win; of these, the first that
 * matches. WSO2 publishes its codes: 900800–900806 throttling, 101503–101505 back-end connection
 * failures and timeouts; X-Road's network faults are `*.NetworkError`.
 */
export const TARGET_PATTERNS: readonly ErrorPattern[] = [
  {
    pattern: 'HTTP_5xx',
    match: /^HTTP_5\d\d$/,
    kind: 'transient',
    status: 502,
    actor: 'district-it',
    title: { vi: 'Lỗi máy chủ (HTTP 5xx)', en: 'Server error (HTTP 5xx)' },
    message: {
      vi: '{system} trả lời HTTP {status} ở {where}',
      en: '{system} answered HTTP {status} at {where}',
    },
    values: ['system', 'status', 'where'],
    action: {
      vi: 'Được thử lại; nếu lặp lại, báo bên vận hành hệ thống kèm thời điểm',
      en: 'Tried again; if it repeats, tell whoever runs the system, with the time',
    },
  },
  {
    pattern: 'HTTP_4xx',
    match: /^HTTP_4\d\d$/,
    kind: 'permanent',
    status: 502,
    actor: 'district-it',
    title: { vi: 'Yêu cầu bị từ chối (HTTP 4xx)', en: 'Request refused (HTTP 4xx)' },
    message: {
      vi: '{system} trả lời HTTP {status} ở {where}',
      en: '{system} answered HTTP {status} at {where}',
    },
    values: ['system', 'status', 'where'],
    action: {
      vi: 'Đọc câu trả lời được giữ trong lỗi: 404 thường là địa chỉ hoặc tên dịch vụ sai trong cấu hình; 400/422 là dữ liệu hoặc hợp đồng lệch nhau: báo nhóm phát triển',
      en: 'Read the answer kept with the error: a 404 is mostly a wrong address or service name in the settings; a 400/422 data or a contract out of step: report it',
    },
  },
  {
    pattern: 'GATEWAY_900800…900806',
    match: /^GATEWAY_90080[0-6]/,
    kind: 'throttled',
    status: 429,
    actor: 'district-it',
    title: { vi: 'Cổng WSO2 giới hạn tốc độ', en: 'WSO2 gateway throttling' },
    message: {
      vi: '{system} báo lỗi {code} ở {where}',
      en: '{system} reported error {code} at {where}',
    },
    values: ['system', 'code', 'where'],
    action: {
      vi: 'Không cần làm gì: hub chờ rồi gửi tiếp; nếu thường xuyên, giảm tốc độ gửi hoặc xin tăng hạn mức',
      en: 'Nothing: the hub waits, then goes on; if frequent, send slower or ask for a higher quota',
    },
  },
  {
    pattern: 'GATEWAY_101503…101505',
    match: /^GATEWAY_10150[3-5]$/,
    kind: 'unavailable',
    status: 503,
    actor: 'city',
    title: { vi: 'Cổng WSO2 không nối được dịch vụ', en: 'WSO2 gateway cannot reach the service' },
    message: {
      vi: '{system} báo lỗi {code} ở {where}',
      en: '{system} reported error {code} at {where}',
    },
    values: ['system', 'code', 'where'],
    action: waitForIt,
  },
  {
    pattern: 'GATEWAY_….NetworkError',
    match: /^GATEWAY_.*NetworkError$/,
    kind: 'unavailable',
    status: 503,
    actor: 'city',
    title: { vi: 'Lỗi mạng của X-Road', en: 'X-Road network fault' },
    message: {
      vi: '{system} báo lỗi {code} ở {where}',
      en: '{system} reported error {code} at {where}',
    },
    values: ['system', 'code', 'where'],
    action: waitForIt,
  },
  {
    pattern: 'GATEWAY_{code}',
    match: /^GATEWAY_./,
    kind: 'permanent',
    status: 502,
    actor: 'city',
    title: { vi: 'Cổng LGSP báo lỗi', en: 'The LGSP gateway reported an error' },
    message: {
      vi: '{system} báo lỗi {code} ở {where}',
      en: '{system} reported error {code} at {where}',
    },
    values: ['system', 'code', 'where'],
    action: {
      vi: 'Hỏi cổng LGSP mã lỗi nghĩa là gì; nếu là lỗi thoáng qua, thêm mã vào transientCodes để hub thử lại',
      en: 'Ask the LGSP gateway what the code means; if it is one that passes, list it in transientCodes so the hub retries it',
    },
  },
];
