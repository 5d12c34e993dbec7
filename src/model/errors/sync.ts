/**
 * Codes of sync runs: their steps and leases, what a run's report or its end says, and the
 * write-back of payments to a school's software.
 */
import type { ErrorEntry } from './types.ts';

export const SYNC_ERRORS = {
  SCHOOL_BUSY: {
    kind: 'transient',
    status: 409,
    actor: 'district-it',
    title: { vi: 'Trường đang có lần đồng bộ khác', en: 'The school has another run in progress' },
    message: {
      vi: 'Trường đang có lần đồng bộ khác ({run})',
      en: 'The school has another run in progress ({run})',
    },
    values: ['run'],
    action: {
      vi: 'Không cần làm gì: lần chạy này chờ lần kia xong rồi tự tiếp tục',
      en: 'Nothing: this run waits for the other to end, then goes on by itself',
    },
  },
  LEASE_HELD: {
    kind: 'transient',
    status: 409,
    actor: 'district-it',
    title: { vi: 'Bước đang do tiến trình khác giữ', en: 'The step is held by another worker' },
    message: {
      vi: 'Bước này đang do {owner} thực hiện',
      en: 'This step is being carried out by {owner}',
    },
    values: ['owner'],
    action: {
      vi: 'Không cần làm gì: bước được thử lại khi hợp đồng thuê (lease) kia hết hạn',
      en: "Nothing: the step is tried again once the other worker's lease lapses",
    },
  },
  RUN_LEASED: {
    kind: 'transient',
    status: 409,
    actor: 'district-it',
    title: { vi: 'Lần chạy đang do tiến trình khác thực hiện', en: 'The run is held by another worker' },
    message: {
      vi: 'Lần chạy {run} đang do {owner} thực hiện',
      en: 'Run {run} is being carried out by {owner}',
    },
    values: ['run', 'owner'],
    action: {
      vi: 'Không cần làm gì: thử lại khi hợp đồng thuê kia hết hạn',
      en: "Nothing: it is tried again once the other worker's lease lapses",
    },
  },
  RUN_NOT_QUEUED: {
    kind: 'transient',
    status: 409,
    actor: 'district-it',
    title: { vi: 'Lần chạy không còn chờ', en: 'The run is no longer queued' },
    message: { vi: 'Lần chạy {run} đang ở trạng thái {state}', en: 'Run {run} is {state}' },
    values: ['run', 'state'],
    action: {
      vi: 'Không cần làm gì: việc đã được tiến trình khác làm hoặc lần chạy đã kết thúc',
      en: 'Nothing: another worker did it or the run ended',
    },
  },
  LEASE_LOST: {
    kind: 'transient',
    status: 409,
    actor: 'district-it',
    title: { vi: 'Bước đã do tiến trình khác đảm nhận', en: 'The step was taken over' },
    message: {
      vi: 'Bước {step} của {subject} đã do tiến trình khác đảm nhận',
      en: 'The {step} step of {subject} was taken over by another worker',
    },
    values: ['step', 'subject'],
    action: {
      vi: 'Không cần làm gì; nếu lặp lại nhiều, tăng WORKER_LOCK_MS hoặc xem tải của worker',
      en: "Nothing; if it happens often, raise WORKER_LOCK_MS or look at the workers' load",
    },
  },
  RUN_NOT_RECONCILED: {
    kind: 'permanent',
    status: 500,
    actor: 'hub',
    title: { vi: 'Số liệu của lần chạy không khớp', en: "The run's counts do not reconcile" },
    message: {
      vi: 'Số liệu của lần chạy không khớp: {checks}',
      en: "The run's counts do not reconcile: {checks}",
    },
    values: ['checks'],
    action: {
      vi: 'Báo nhóm phát triển kèm mã lần chạy; chạy lại đồng bộ của trường sau khi đã báo',
      en: "Report it with the run id; run the school's sync again once reported",
    },
  },
  RUN_IN_PROGRESS: {
    kind: 'transient',
    status: 409,
    actor: 'district-it',
    title: { vi: 'Lần chạy chưa xong', en: 'The run is still under way' },
    message: {
      vi: 'Lần chạy {run} chưa xong; gửi lại sau khi nó kết thúc',
      en: 'Run {run} is still under way; replay once it has ended',
    },
    values: ['run'],
    action: {
      vi: 'Chờ lần chạy kết thúc (GET /v1/runs/{run}), rồi gửi lại thư chết',
      en: 'Wait for the run to end (GET /v1/runs/{run}), then replay the dead letter',
    },
  },
  DELETES_SKIPPED: {
    kind: 'bad-input',
    status: 422,
    actor: 'school',
    title: { vi: 'Không xoá bản ghi nào của luồng', en: 'Nothing of the stream was deleted' },
    message: {
      vi: 'Không xóa bản ghi nào của luồng {stream}: {count} bản ghi nguồn không đọc được khóa',
      en: 'Nothing of stream {stream} was deleted: {count} source record(s) could not be read with a key',
    },
    values: ['stream', 'count'],
    action: {
      vi: 'Sửa các bản ghi thiếu mã trong phần mềm của trường; lần chạy đầy đủ sau sẽ xoá đúng',
      en: "Fix the records without a code in the school's software; the next full run deletes rightly",
    },
  },
  PUSH_FAILED: {
    kind: 'permanent',
    status: 500,
    actor: 'hub',
    title: { vi: 'Gửi lô thất bại', en: 'Pushing the batch failed' },
    message: { vi: 'Gửi lô thất bại: {reason}', en: 'Pushing the batch failed: {reason}' },
    values: ['reason'],
    action: {
      vi: 'Lỗi không có mã: báo nhóm phát triển kèm thư chết; gửi lại thư chết sau khi sửa',
      en: 'A failure without a code: report it with the dead letter; replay it once fixed',
    },
  },
  WRITE_NOT_CONFIGURED: {
    kind: 'configuration',
    status: 409,
    actor: 'district-it',
    title: { vi: 'Không có nơi ghi ngược', en: 'Nowhere to write back' },
    message: {
      vi: 'Cấu hình của adapter {adapter} không có nơi ghi luồng {stream}',
      en: "Adapter {adapter}'s config has nowhere to write stream {stream}",
    },
    values: ['adapter', 'stream'],
    action: {
      vi: 'Không cần làm gì nếu trường không nhận dữ liệu ghi ngược; nếu có, khai báo điểm ghi trong hồ sơ của adapter',
      en: "Nothing if the school takes no write-back; else declare the write endpoint in the adapter's profile",
    },
  },
  WRITE_REFUSED: {
    kind: 'permanent',
    status: 422,
    actor: 'school',
    title: { vi: 'Phần mềm của trường từ chối', en: "The school's software refused" },
    message: {
      vi: 'Phần mềm của trường từ chối ({code})',
      en: "The school's software refused ({code})",
    },
    values: ['code'],
    action: {
      vi: 'Xem khoản nộp trong phần mềm của trường (đã khoá sổ, sai mã phiếu) rồi kéo lại khoản nộp',
      en: "Look at the payment in the school's software (books closed, wrong notice) then pull payments again",
    },
  },
  WRITE_UNANSWERED: {
    kind: 'transient',
    status: 502,
    actor: 'vendor',
    title: {
      vi: 'Phần mềm của trường không trả lời cho bản ghi',
      en: "The school's software gave no answer",
    },
    message: {
      vi: '{source} không trả lời cho bản ghi này',
      en: '{source} gave no answer for this record',
    },
    values: ['source'],
    action: {
      vi: 'Được thử lại ở lần kéo khoản nộp sau; nếu lặp lại, báo nhà cung cấp phần mềm',
      en: 'Tried again at the next payment pull; if it repeats, tell the software vendor',
    },
  },
  WRITE_FAILED: {
    kind: 'transient',
    status: 502,
    actor: 'vendor',
    title: { vi: 'Ghi ngược thất bại', en: 'Write-back failed' },
    message: { vi: 'Ghi ngược thất bại: {reason}', en: 'Write-back failed: {reason}' },
    values: ['reason'],
    action: {
      vi: 'Được thử lại ở lần kéo khoản nộp sau; nếu lặp lại, xem lý do cùng nhà cung cấp',
      en: 'Tried again at the next payment pull; if it repeats, look at the reason with the vendor',
    },
  },
  WRITE_BACK_UNAVAILABLE: {
    kind: 'transient',
    status: 503,
    actor: 'district-it',
    title: { vi: 'Không mở được nơi ghi ngược', en: 'Write-back unavailable' },
    message: {
      vi: 'Không mở được nơi ghi ngược: {reason}',
      en: 'Cannot open the write-back: {reason}',
    },
    values: ['reason'],
    action: {
      vi: 'Được thử lại ở lần kéo khoản nộp sau; nếu lặp lại, kiểm tra nguồn dữ liệu của trường',
      en: "Tried again at the next payment pull; if it repeats, check the school's source",
    },
  },
} as const satisfies Record<string, ErrorEntry>;
