/** Codes of the hub's HTTP API: its problem answers (RFC 9457) and what a route reports per item. */
import type { ErrorEntry } from './types.ts';

export const API_ERRORS = {
  ROUTE_NOT_FOUND: {
    kind: 'bad-input',
    status: 404,
    actor: 'district-it',
    title: { vi: 'Không có đường dẫn này', en: 'No such route' },
    message: { vi: 'Không có đường dẫn {route}', en: 'No route {route}' },
    values: ['route'],
    action: {
      vi: 'Kiểm tra phương thức và đường dẫn với tài liệu API (/docs) của hub',
      en: "Check the method and path against the hub's API documentation (/docs)",
    },
  },
  REQUEST_INVALID: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Yêu cầu có trường không hợp lệ', en: 'The request has invalid fields' },
    message: {
      vi: '{count} trường không hợp lệ: {fields}',
      en: '{count} invalid field(s): {fields}',
    },
    values: ['count', 'fields'],
    action: {
      vi: 'Sửa các trường liệt kê trong "errors" của câu trả lời rồi gửi lại',
      en: 'Fix the fields listed in the answer\'s "errors" and send again',
    },
  },
  REQUEST_MALFORMED: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Yêu cầu không đọc được', en: 'The request cannot be read' },
    message: { vi: 'Yêu cầu không đọc được: {reason}', en: 'The request cannot be read: {reason}' },
    values: ['reason'],
    action: {
      vi: 'Gửi thân yêu cầu là JSON hợp lệ, đúng Content-Type',
      en: 'Send a body of valid JSON with the right Content-Type',
    },
  },
  BODY_TOO_LARGE: {
    kind: 'bad-input',
    status: 413,
    actor: 'district-it',
    title: { vi: 'Thân yêu cầu quá lớn', en: 'The request body is too large' },
    message: { vi: 'Thân yêu cầu quá lớn: {reason}', en: 'The request body is too large: {reason}' },
    values: ['reason'],
    action: {
      vi: 'Gửi ít dữ liệu hơn mỗi lần, hoặc tăng BODY_LIMIT_BYTES của hub',
      en: "Send less at a time, or raise the hub's BODY_LIMIT_BYTES",
    },
  },
  BODY_TOO_DEEP: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Thân yêu cầu lồng quá sâu', en: 'The request body nests too deeply' },
    message: {
      vi: 'JSON của thân yêu cầu lồng sâu hơn {limit} cấp',
      en: 'The JSON body nests deeper than {limit} levels',
    },
    values: ['limit'],
    action: {
      vi: 'Gửi JSON ít lồng hơn (không đường dẫn nào của hub cần quá vài cấp); giới hạn là BODY_MAX_DEPTH của hub',
      en: "Send flatter JSON (no route of the hub needs more than a few levels); the limit is the hub's BODY_MAX_DEPTH",
    },
  },
  MEDIA_TYPE_UNSUPPORTED: {
    kind: 'bad-input',
    status: 415,
    actor: 'district-it',
    title: { vi: 'Kiểu nội dung không hỗ trợ', en: 'Unsupported media type' },
    message: { vi: 'Kiểu nội dung không hỗ trợ: {reason}', en: 'Unsupported media type: {reason}' },
    values: ['reason'],
    action: { vi: 'Gửi Content-Type: application/json', en: 'Send Content-Type: application/json' },
  },
  REQUEST_REJECTED: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Yêu cầu bị từ chối', en: 'The request was rejected' },
    message: { vi: 'Yêu cầu bị từ chối: {reason}', en: 'The request was rejected: {reason}' },
    values: ['reason'],
    action: {
      vi: 'Đọc lý do trong "detail", sửa yêu cầu rồi gửi lại',
      en: 'Read the reason in "detail", fix the request and send again',
    },
  },
  INTERNAL_ERROR: {
    kind: 'permanent',
    status: 500,
    actor: 'hub',
    title: { vi: 'Lỗi nội bộ của hub', en: 'Internal error of the hub' },
    message: {
      vi: 'Lỗi không mong đợi, mã yêu cầu {request}',
      en: 'Unexpected error, request id {request}',
    },
    values: ['request'],
    action: {
      vi: 'Báo cho nhóm phát triển EduBridge kèm mã yêu cầu: nhật ký của hub có chi tiết',
      en: "Report it to the EduBridge team with the request id: the hub's log has the details",
    },
  },
  NOT_READY: {
    kind: 'unavailable',
    status: 503,
    actor: 'district-it',
    title: { vi: 'Hub chưa sẵn sàng', en: 'The hub is not ready' },
    message: { vi: 'Chưa sẵn sàng: {down}', en: 'Not ready: {down}' },
    values: ['down'],
    action: {
      vi: 'Kiểm tra các kho dữ liệu được nêu (PostgreSQL, Redis) và kết nối tới chúng',
      en: 'Check the stores named (PostgreSQL, Redis) and the connection to them',
    },
  },
  STORE_UNAVAILABLE: {
    kind: 'unavailable',
    status: 503,
    actor: 'district-it',
    title: { vi: 'Kho dữ liệu của hub chưa kết nối được', en: "The hub's store cannot be reached" },
    message: {
      vi: '{stores} chưa kết nối được; thử lại sau {seconds} giây',
      en: '{stores} cannot be reached; try again in {seconds} s',
    },
    values: ['stores', 'seconds'],
    action: {
      vi: 'Thử lại sau Retry-After; nếu kéo dài, kiểm tra PostgreSQL/Redis của hub',
      en: "Try again after Retry-After; if it lasts, check the hub's PostgreSQL/Redis",
    },
  },
  RATE_LIMITED: {
    kind: 'throttled',
    status: 429,
    actor: 'district-it',
    title: { vi: 'Quá nhiều yêu cầu', en: 'Too many requests' },
    message: {
      vi: '{what}: quá {limit} lần mỗi phút từ nơi gửi này; thử lại sau {seconds} giây',
      en: '{what}: over {limit} a minute from this sender; try again in {seconds} s',
    },
    values: ['what', 'limit', 'seconds'],
    action: {
      vi: 'Chờ theo Retry-After; nếu một ứng dụng gửi sai khoá liên tục, sửa cấu hình của nó; giới hạn ở RATE_LIMIT_*',
      en: 'Wait as Retry-After says; if an application keeps sending a wrong key, fix its settings; the limits are RATE_LIMIT_*',
    },
  },
  API_KEY_MISSING: {
    kind: 'bad-input',
    status: 401,
    actor: 'district-it',
    title: { vi: 'Thiếu khoá API', en: 'API key missing' },
    message: {
      vi: 'Cần khoá API trong "Authorization: Bearer …" hoặc "X-Api-Key"',
      en: 'An API key is required in "Authorization: Bearer …" or "X-Api-Key"',
    },
    action: {
      vi: 'Gửi khoá API (edubridge apikey create tạo khoá mới)',
      en: 'Send an API key (edubridge apikey create makes one)',
    },
  },
  API_KEY_INVALID: {
    kind: 'bad-input',
    status: 401,
    actor: 'district-it',
    title: { vi: 'Khoá API không hợp lệ', en: 'API key invalid' },
    message: {
      vi: 'Khoá API không hợp lệ hoặc đã bị thu hồi',
      en: 'The API key is invalid or revoked',
    },
    action: {
      vi: 'Dùng một khoá còn hiệu lực (edubridge apikey list); khoá đã thu hồi không dùng lại được',
      en: 'Use a key still valid (edubridge apikey list); a revoked key cannot be used again',
    },
  },
  ACCESS_TOKEN_INVALID: {
    kind: 'bad-input',
    status: 401,
    actor: 'district-it',
    title: { vi: 'Phiên đăng nhập hết hạn', en: 'Sign-in expired' },
    message: {
      vi: 'Mã truy cập không hợp lệ, đã hết hạn, hoặc không cấp cho bảng điều khiển của người quản lý quận',
      en: 'The access token is invalid, expired, or not issued to the console of a district administrator',
    },
    action: {
      vi: 'Đăng nhập lại bằng VNeID; người quản lý quận được khai trong SSO_DISTRICT_ADMINS',
      en: 'Sign in again with VNeID; district administrators are listed in SSO_DISTRICT_ADMINS',
    },
  },
  METRICS_TOKEN_REQUIRED: {
    kind: 'bad-input',
    status: 401,
    actor: 'district-it',
    title: { vi: 'Thiếu hoặc sai mã đọc chỉ số', en: 'Metrics token missing or wrong' },
    message: {
      vi: 'GET /metrics cần "Authorization: Bearer <METRICS_TOKEN>"',
      en: 'GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>"',
    },
    action: {
      vi: 'Đặt cùng mã METRICS_TOKEN vào cấu hình thu thập của Prometheus (authorization.credentials_file)',
      en: "Put the same METRICS_TOKEN in Prometheus's scrape config (authorization.credentials_file)",
    },
  },
  FORBIDDEN_SCOPE: {
    kind: 'bad-input',
    status: 403,
    actor: 'district-it',
    title: { vi: 'Khoá API không có quyền này', en: 'The API key does not allow this' },
    message: {
      vi: 'Khoá API không có quyền này: {reason}',
      en: 'The API key does not allow this: {reason}',
    },
    values: ['reason'],
    action: {
      vi: 'Dùng khoá có vai trò và phạm vi (trường, adapter) phù hợp, hoặc tạo khoá mới',
      en: 'Use a key whose role and scope (schools, adapters) allow it, or create one',
    },
  },
  OUT_OF_SCOPE: {
    kind: 'bad-input',
    status: 403,
    actor: 'district-it',
    title: { vi: 'Trường ngoài phạm vi của khoá', en: "School outside the key's scope" },
    message: {
      vi: 'Trường {school} không thuộc các trường của khoá API',
      en: "School {school} is not among the API key's schools",
    },
    values: ['school'],
    action: {
      vi: 'Bỏ trường khỏi yêu cầu, hoặc dùng khoá có trường này',
      en: 'Leave the school out, or use a key that covers it',
    },
  },
  RUN_NOT_FOUND: {
    kind: 'bad-input',
    status: 404,
    actor: 'district-it',
    title: { vi: 'Không có lần chạy này', en: 'No such run' },
    message: { vi: 'Không có lần chạy {run}', en: 'No run {run}' },
    values: ['run'],
    action: {
      vi: 'Kiểm tra mã lần chạy (GET /v1/runs liệt kê các lần chạy)',
      en: 'Check the run id (GET /v1/runs lists the runs)',
    },
  },
  RUN_NOT_HELD: {
    kind: 'bad-input',
    status: 409,
    actor: 'district-it',
    title: { vi: 'Lần chạy không ở trạng thái tạm giữ', en: 'The run is not held' },
    message: {
      vi: 'Lần chạy {run} không ở trạng thái tạm giữ ({state})',
      en: 'Run {run} is not held ({state})',
    },
    values: ['run', 'state'],
    action: {
      vi: 'Chỉ quyết định (cho đi / huỷ) một lần chạy đang tạm giữ; xem trạng thái của nó',
      en: 'Only a held run can be released or cancelled; look at its state',
    },
  },
  SCHEDULE_NOT_FOUND: {
    kind: 'bad-input',
    status: 404,
    actor: 'district-it',
    title: { vi: 'Trường chưa có lịch đồng bộ', en: 'The school has no schedule' },
    message: { vi: 'Trường {school} chưa có lịch đồng bộ', en: 'School {school} has no schedule' },
    values: ['school'],
    action: {
      vi: 'Tạo lịch bằng PUT /v1/schools/<mã>/schedule',
      en: 'Create one with PUT /v1/schools/<code>/schedule',
    },
  },
  SCHEDULES_UNAVAILABLE: {
    kind: 'configuration',
    status: 503,
    actor: 'district-it',
    title: { vi: 'Lịch đồng bộ chưa được cấu hình', en: 'Schedules are not configured' },
    message: {
      vi: 'Lịch đồng bộ chưa được cấu hình trên máy chủ này',
      en: 'Schedules are not configured on this server',
    },
    action: {
      vi: 'Chạy hub có Redis (REDIS_URL) để bật lịch đồng bộ',
      en: 'Run the hub with Redis (REDIS_URL) to enable schedules',
    },
  },
  PAYMENT_NOT_FOUND: {
    kind: 'bad-input',
    status: 404,
    actor: 'district-it',
    title: { vi: 'Không có khoản nộp này', en: 'No such payment' },
    message: {
      vi: 'Không có khoản nộp {payment} của trường {school}',
      en: 'No payment {payment} at school {school}',
    },
    values: ['payment', 'school'],
    action: {
      vi: 'Kiểm tra mã giao dịch và mã trường (GET /v1/schools/<mã>/payments)',
      en: 'Check the payment id and the school (GET /v1/schools/<code>/payments)',
    },
  },
  PERSON_NOT_FOUND: {
    kind: 'bad-input',
    status: 404,
    actor: 'district-it',
    title: { vi: 'Không có người này', en: 'No such person' },
    message: { vi: 'Không có người này', en: 'No such person' },
    action: {
      vi: 'Kiểm tra mã người trong đường dẫn (mã do kết quả kiểm tra danh tính trả về)',
      en: 'Check the person id in the path (the id an identity check answered with)',
    },
  },
  IDENTITY_QUEUE_UNAVAILABLE: {
    kind: 'configuration',
    status: 503,
    actor: 'district-it',
    title: { vi: 'Không có hàng đợi kiểm tra danh tính', en: 'No identity check queue' },
    message: {
      vi: 'Không có hàng đợi kiểm tra; dùng "wait" với tối đa {limit} người',
      en: 'No check queue here; use "wait" with at most {limit} people',
    },
    values: ['limit'],
    action: {
      vi: 'Dùng "wait" cho ít người, hoặc chạy hub có Redis (REDIS_URL) và worker',
      en: 'Use "wait" for a few people, or run the hub with Redis (REDIS_URL) and a worker',
    },
  },
  IDEMPOTENCY_KEY_REUSED: {
    kind: 'bad-input',
    status: 422,
    actor: 'district-it',
    title: {
      vi: 'Idempotency-Key đã dùng cho yêu cầu khác',
      en: 'Idempotency-Key used for another request',
    },
    message: {
      vi: 'Idempotency-Key này đã dùng cho một yêu cầu khác (lần chạy {run})',
      en: 'this Idempotency-Key was used for a different request (run {run})',
    },
    values: ['run'],
    action: {
      vi: 'Dùng một khoá mới cho mỗi yêu cầu khác nhau; gửi lại đúng yêu cầu cũ thì giữ khoá cũ',
      en: 'Use a new key for each different request; keep the key only to resend the same one',
    },
  },
  STREAM_FAILED: {
    kind: 'transient',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Luồng sự kiện bị ngắt', en: 'The event stream broke off' },
    message: {
      vi: 'Luồng sự kiện của lần chạy bị ngắt',
      en: "The run's event stream broke off",
    },
    action: {
      vi: 'Kết nối lại (Last-Event-ID); nếu lặp lại, xem nhật ký của hub',
      en: "Connect again (Last-Event-ID); if it repeats, read the hub's log",
    },
  },
  DEAD_LETTER_NOT_FOUND: {
    kind: 'bad-input',
    status: 404,
    actor: 'district-it',
    title: { vi: 'Không có thư chết này', en: 'No such dead letter' },
    message: { vi: 'Không có thư chết {id}', en: 'No dead letter {id}' },
    values: ['id'],
    action: {
      vi: 'Kiểm tra mã thư chết (edubridge dead-letters list)',
      en: 'Check the dead letter id (edubridge dead-letters list)',
    },
  },
  DEAD_LETTER_CLOSED: {
    kind: 'bad-input',
    status: 409,
    actor: 'district-it',
    title: { vi: 'Thư chết đã được xử lý', en: 'The dead letter is closed' },
    message: {
      vi: 'Thư chết đã được xử lý ({state})',
      en: 'The dead letter is already {state}',
    },
    values: ['state'],
    action: {
      vi: 'Không cần làm gì: thư đã được gửi lại hoặc bỏ qua',
      en: 'Nothing to do: it was replayed or discarded already',
    },
  },
  REPLAY_SCOPE_MISSING: {
    kind: 'bad-input',
    status: 400,
    actor: 'district-it',
    title: { vi: 'Thiếu phạm vi gửi lại', en: 'Replay scope missing' },
    message: {
      vi: 'Cần ids, một bộ lọc (school, target, code) hoặc all: true',
      en: 'Give ids, a filter (school, target, code) or all: true',
    },
    action: {
      vi: 'Nêu rõ thư chết nào cần gửi lại',
      en: 'Say which dead letters to replay',
    },
  },
  REPLAY_REQUEST_NOT_FOUND: {
    kind: 'bad-input',
    status: 404,
    actor: 'district-it',
    title: { vi: 'Không có yêu cầu gửi lại này', en: 'No such replay request' },
    message: { vi: 'Không có yêu cầu gửi lại {id}', en: 'No replay request {id}' },
    values: ['id'],
    action: {
      vi: 'Kiểm tra mã yêu cầu (GET /v1/replay-requests)',
      en: 'Check the request id (GET /v1/replay-requests)',
    },
  },
  REPLAY_REQUEST_DECIDED: {
    kind: 'bad-input',
    status: 409,
    actor: 'district-it',
    title: { vi: 'Yêu cầu gửi lại đã được quyết định', en: 'The replay request is decided' },
    message: {
      vi: 'Yêu cầu gửi lại đã được quyết định ({state})',
      en: 'The replay request is already {state}',
    },
    values: ['state'],
    action: {
      vi: 'Không cần làm gì: một người khác đã quyết định',
      en: 'Nothing to do: someone else decided it',
    },
  },
  FOUR_EYES_REQUIRED: {
    kind: 'bad-input',
    status: 403,
    actor: 'district-it',
    title: { vi: 'Cần người thứ hai duyệt', en: 'A second person must approve' },
    message: {
      vi: 'Người yêu cầu gửi lại không tự duyệt được yêu cầu của mình',
      en: 'Whoever asked for a replay cannot approve it themselves',
    },
    action: {
      vi: 'Nhờ một cán bộ quận khác (khoá hoặc tài khoản VNeID khác) duyệt',
      en: 'Ask another district user (another key or VNeID account) to approve it',
    },
  },
  REPLAY_SCOPE_TOO_LARGE: {
    kind: 'bad-input',
    status: 422,
    actor: 'district-it',
    title: { vi: 'Quá nhiều thư chết trong một lần', en: 'Too many dead letters at once' },
    message: {
      vi: 'Lần gửi lại này gồm hơn {max} thư chết',
      en: 'This replay covers more than {max} dead letters',
    },
    values: ['max'],
    action: {
      vi: 'Thu hẹp theo trường, đích hoặc mã lỗi',
      en: 'Narrow it by school, target or code',
    },
  },
  REPLAY_UNAVAILABLE: {
    kind: 'permanent',
    status: 409,
    actor: 'district-it',
    title: { vi: 'Không gửi lại được', en: 'Cannot be replayed' },
    message: {
      vi: 'Không gửi lại được: lô đã lưu hoặc đích không còn',
      en: 'Cannot be replayed: the staged batch or the target is gone',
    },
    action: {
      vi: 'Chạy lại đồng bộ của trường để gửi bản ghi mới, rồi bỏ thư chết này',
      en: "Run the school's sync again to send the record afresh, then discard this dead letter",
    },
  },
} as const satisfies Record<string, ErrorEntry>;
