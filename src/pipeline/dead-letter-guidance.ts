/**
 * Who has to act on a dead letter, and what to do, by its reason (the code the target or the gateway
 * gave). A letter that says only "refused" leaves district IT guessing; one that says "the city must
 * approve this student on its review list" gets acted on.
 */
import { type DeadLetterRow, deadLetterState } from '../store/index.ts';

export type LetterActor = 'school' | 'vendor' | 'city' | 'district-it' | 'hub';

export interface LetterGuidance {
  actor: LetterActor;
  action: { vi: string; en: string };
}

const GUIDANCE: Record<string, LetterGuidance> = {
  UNKNOWN_MASTER: {
    actor: 'city',
    action: {
      vi: 'Cán bộ CSDL ngành duyệt bản ghi trong danh sách chờ duyệt (hoặc trường sửa mã nếu mã sai), rồi gửi lại',
      en: 'A person at the city DB approves the record on its review list (or the school corrects the code if it is wrong), then replay',
    },
  },
  SCHEMA_INVALID: {
    actor: 'school',
    action: {
      vi: 'Trường sửa trường dữ liệu mà thông báo nêu trong phần mềm của trường; lần chạy sau gửi lại (nếu dữ liệu đúng mà vẫn bị từ chối, báo nhà cung cấp phần mềm)',
      en: 'The school corrects the field the message names in its software; the next run sends it again (if the data is right and still refused, tell the software vendor)',
    },
  },
  MASTER_IMMUTABLE: {
    actor: 'district-it',
    action: {
      vi: 'CSDL ngành không xóa dữ liệu gốc: bỏ thư này; nếu học sinh đã nghỉ, ghi trạng thái nghỉ học trong phần mềm của trường',
      en: 'The city never deletes master data: discard this letter; if the student has left, record the leaving status in the school software',
    },
  },
  TARGET_NO_RESULT: {
    actor: 'city',
    action: {
      vi: 'Hệ thống đích không trả kết quả cho bản ghi: hỏi đơn vị vận hành, rồi gửi lại',
      en: 'The target gave no result for the record: ask its operator, then replay',
    },
  },
  TARGET_STATUS_UNKNOWN: {
    actor: 'city',
    action: {
      vi: 'Hệ thống đích trả một trạng thái hub không biết: hỏi đơn vị vận hành, rồi gửi lại',
      en: 'The target answered a status the hub does not know: ask its operator, then replay',
    },
  },
  REPLAY_UNAVAILABLE: {
    actor: 'district-it',
    action: {
      vi: 'Không còn nội dung để gửi lại: bỏ thư này, lần chạy toàn bộ sau sẽ gửi lại bản ghi',
      en: 'Nothing is left to send again: discard this letter; the next full run sends the record again',
    },
  },
  AUTH_REFUSED: {
    actor: 'district-it',
    action: {
      vi: 'Cổng từ chối thông tin đăng nhập của hub: kiểm tra khóa/chứng thư trong cấu hình, rồi gửi lại',
      en: 'The gateway refused the hub’s credentials: check the keys or certificates in the settings, then replay',
    },
  },
};

/** The target or the gateway was unavailable when the batch gave up: nothing is wrong with the record. */
const OUTAGE =
  /^(TIMEOUT|UNREACHABLE|TOKEN_UNREACHABLE|HTTP_5\d\d|GATEWAY_1015\d\d|GATEWAY_.*NetworkError|MESSAGE_MALFORMED)$/;

export function deadLetterGuidance(code: string): LetterGuidance {
  const known = GUIDANCE[code];
  if (known) return known;
  if (OUTAGE.test(code)) {
    return {
      actor: 'district-it',
      action: {
        vi: 'Hệ thống đích hoặc cổng LGSP không sẵn sàng khi gửi: bản ghi không có lỗi; gửi lại khi hệ thống hoạt động',
        en: 'The target or the LGSP gateway was unavailable when the batch was sent: the record is fine; replay once it is back',
      },
    };
  }
  return {
    actor: 'district-it',
    action: {
      vi: `Đọc thông báo của hệ thống đích (mã ${code}) và hỏi đơn vị vận hành nếu cần; sửa rồi gửi lại`,
      en: `Read the target's message (code ${code}) and ask its operator if need be; fix, then replay`,
    },
  };
}

/** A letter as people read it (API, CLI): its reason, who acts and what to do, where it stands. */
export function describeDeadLetter(row: DeadLetterRow) {
  const answer = row.answer as { message?: unknown } | null;
  const guidance = deadLetterGuidance(row.code);
  return {
    id: row.id,
    runId: row.run_id,
    firstRunId: row.first_run_id,
    schoolCode: row.school_code,
    target: row.target,
    stream: row.stream,
    recordKey: row.record_key,
    code: row.code,
    message: typeof answer?.message === 'string' ? answer.message : null,
    actor: guidance.actor,
    action: guidance.action,
    occurrences: row.occurrences,
    attempts: row.attempts,
    state: deadLetterState(row),
    firstSeenAt: row.first_seen_at.toISOString(),
    lastSeenAt: row.last_seen_at.toISOString(),
    replayedAt: row.replayed_at?.toISOString() ?? null,
    discardedAt: row.discarded_at?.toISOString() ?? null,
    resolvedAt: row.resolved_at?.toISOString() ?? null,
  };
}
