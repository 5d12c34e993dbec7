/**
 * A school at a glance: each stream's last run, what waits for people (dead letters, held runs), how
 * much of its people C06 confirmed, and one colour with its reason in words. District IT scans a
 * column of colours; the words say what to do first ("City refused 12 students: unknown class 6A9"),
 * so the reason is the most urgent fact, not a list of every one.
 */

import type { Db } from '../store/db.ts';
import type { StreamLastRun } from '../store/index.ts';
import { type SchoolActivity, schoolActivity } from '../store/index.ts';
import { deadLetterGuidance, type LetterActor } from './dead-letter-guidance.ts';

export type StatusColour = 'green' | 'amber' | 'red' | 'grey';

/**
 * The codes of a school's status reasons, worst first. They say why a school has its colour; they
 * are not errors (no failure is made from them), so they are listed here and in the OpenAPI enum,
 * not in the error catalogue.
 */
export const STATUS_REASON_CODES = [
  'SOURCE_PROBLEM',
  'RUN_FAILED',
  'DEAD_LETTERS_OPEN',
  'RUN_HELD',
  'NOT_SYNCED_RECENTLY',
  'RUNNING',
  'NEVER_SYNCED',
  'OK',
] as const;

/** Why a school has its colour: a stable code and the words, in Vietnamese and English. */
export interface StatusReason {
  code: (typeof STATUS_REASON_CODES)[number];
  colour: StatusColour;
  vi: string;
  en: string;
}

export interface StreamStatus {
  stream: string;
  targets: string[];
  runId: string;
  state: string;
  mode: string;
  createdAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  read: number;
  sent: number;
  refused: number;
  deadLettered: number;
  failure: { code: string; message: string } | null;
}

export interface DeadLetterReason {
  target: string;
  stream: string;
  code: string;
  message: string | null;
  count: number;
  actor: LetterActor;
  action: { vi: string; en: string };
}

export interface SchoolStatus {
  schoolCode: string;
  name: string | null;
  adapter: string | null;
  /** Named in the sources file (false: the database has its runs, the file no longer names it). */
  configured: boolean;
  colour: StatusColour;
  /** The most urgent reason first; at least one. */
  reasons: StatusReason[];
  streams: StreamStatus[];
  lastRunAt: string | null;
  lastSuccessAt: string | null;
  deadLetters: { open: number; reasons: DeadLetterReason[] };
  heldRuns: string[];
  identity: { people: number; withPersonalId: number; confirmed: number; confirmedShare: number | null };
}

export interface ConfiguredSchool {
  code: string;
  name?: string;
  adapter: string;
  problem?: { code: string; message: string };
}

export interface StatusOptions {
  /** A school not synced successfully for longer than this is amber (default a day). */
  staleAfterMs?: number;
  now?: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const ACTIVE = new Set(['queued', 'pulling', 'validating', 'pushing', 'reconciling']);

/** What one record of a stream is called in a sentence: "12 học sinh / 12 students". */
const NOUNS: Record<string, { vi: string; en: string }> = {
  schools: { vi: 'bản ghi trường', en: 'school records' },
  students: { vi: 'học sinh', en: 'students' },
  teachers: { vi: 'giáo viên', en: 'teachers' },
  guardianships: { vi: 'phụ huynh', en: 'guardians' },
  classes: { vi: 'lớp, môn', en: 'classes and subjects' },
  enrollments: { vi: 'ghi danh', en: 'enrolments' },
  assessments: { vi: 'bản ghi điểm', en: 'grade records' },
  timetable: { vi: 'tiết học', en: 'timetable periods' },
  fees: { vi: 'khoản thu', en: 'fee records' },
  payments: { vi: 'khoản thanh toán', en: 'payments' },
  invoices: { vi: 'hóa đơn', en: 'invoices' },
};

/** Who refused, in a sentence. */
const TARGETS: Record<string, { vi: string; en: string }> = {
  'city-edudb': { vi: 'CSDL ngành', en: 'City' },
  ssc: { vi: 'SSC', en: 'SSC' },
};

/** A bilingual message "vi / en" as its two halves; a one-language message serves both. */
function halves(message: string | null): { vi: string; en: string } | undefined {
  if (!message) return undefined;
  const at = message.indexOf(' / ');
  return at < 0 ? { vi: message, en: message } : { vi: message.slice(0, at), en: message.slice(at + 3) };
}

function streamStatus(run: StreamLastRun): StreamStatus {
  const c = run.counts;
  const n = (v: number | undefined) => v ?? 0;
  return {
    stream: run.stream,
    targets: run.targets,
    runId: run.runId,
    state: run.state,
    mode: run.mode,
    createdAt: run.createdAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    durationMs:
      run.finishedAt && (run.startedAt ?? run.createdAt)
        ? run.finishedAt.getTime() - (run.startedAt ?? run.createdAt).getTime()
        : null,
    read: n(c.pulled),
    // Sent: what the targets acknowledged or refused, and what ran out of attempts.
    sent: n(c.created) + n(c.updated) + n(c.deleted) + n(c.refused) + n(c.failed),
    refused: n(c.refused),
    deadLettered: n(c.failed),
    failure: run.failure,
  };
}

/** The reasons a school has, most urgent first; the first one's colour is the school's. */
function reasonsOf(
  school: ConfiguredSchool | undefined,
  streams: StreamStatus[],
  letters: DeadLetterReason[],
  held: string[],
  lastSuccess: Date | undefined,
  options: Required<StatusOptions>,
): StatusReason[] {
  const reasons: StatusReason[] = [];
  if (school?.problem) {
    const m = halves(school.problem.message)!;
    reasons.push({
      code: 'SOURCE_PROBLEM',
      colour: 'red',
      vi: `Không đọc được phần mềm của trường: ${m.vi}`,
      en: `The school's software cannot be read: ${m.en}`,
    });
  }
  // One failed run is reported once, however many streams it carried.
  const failed = new Map<string, StreamStatus>();
  for (const s of streams) if (s.state === 'failed' && !failed.has(s.runId)) failed.set(s.runId, s);
  for (const s of failed.values()) {
    const m = halves(s.failure?.message ?? null) ?? { vi: 'không rõ lý do', en: 'no reason recorded' };
    reasons.push({
      code: 'RUN_FAILED',
      colour: 'red',
      vi: `Lần đồng bộ gần nhất thất bại: ${m.vi}`,
      en: `The last sync failed: ${m.en}`,
    });
  }
  for (const letter of letters.slice(0, 3)) {
    const who = TARGETS[letter.target] ?? { vi: letter.target, en: letter.target };
    const noun = NOUNS[letter.stream] ?? { vi: `bản ghi ${letter.stream}`, en: `${letter.stream} records` };
    const m = halves(letter.message) ?? { vi: letter.code, en: letter.code };
    reasons.push({
      code: 'DEAD_LETTERS_OPEN',
      colour: 'amber',
      vi: `${who.vi} từ chối ${letter.count} ${noun.vi}: ${m.vi}`,
      en: `${who.en} refused ${letter.count} ${noun.en}: ${m.en}`,
    });
  }
  if (held.length > 0) {
    reasons.push({
      code: 'RUN_HELD',
      colour: 'amber',
      vi: `${held.length} lần đồng bộ đang chờ duyệt (thay đổi lớn bất thường)`,
      en: `${held.length} run(s) held for approval (an unusually large change)`,
    });
  }
  const running = streams.some((s) => ACTIVE.has(s.state));
  if (streams.length === 0 && !running) {
    reasons.push({
      code: 'NEVER_SYNCED',
      colour: 'grey',
      vi: 'Chưa đồng bộ lần nào',
      en: 'Never synced',
    });
  } else if (
    !running &&
    (!lastSuccess || options.now.getTime() - lastSuccess.getTime() > options.staleAfterMs)
  ) {
    const hours = Math.round(options.staleAfterMs / 3_600_000);
    reasons.push({
      code: 'NOT_SYNCED_RECENTLY',
      colour: 'amber',
      vi: lastSuccess ? `Không đồng bộ thành công trong ${hours} giờ qua` : 'Chưa có lần đồng bộ thành công',
      en: lastSuccess ? `No successful sync in the last ${hours} hours` : 'No successful sync yet',
    });
  }
  if (running) {
    reasons.push({ code: 'RUNNING', colour: 'green', vi: 'Đang đồng bộ', en: 'Syncing now' });
  }
  if (reasons.length === 0) reasons.push({ code: 'OK', colour: 'green', vi: 'Ổn', en: 'All good' });
  const rank: Record<StatusColour, number> = { red: 0, amber: 1, grey: 2, green: 3 };
  // Stable: within a colour, the order above (source, failure, refusals, holds, staleness).
  return reasons
    .map((reason, index) => ({ reason, index }))
    .sort((a, b) => rank[a.reason.colour] - rank[b.reason.colour] || a.index - b.index)
    .map(({ reason }) => reason);
}

/** Every school's status from the activity the store read, the configured schools first. */
export function statusesOf(
  activity: SchoolActivity,
  configured: readonly ConfiguredSchool[],
  options: StatusOptions = {},
): SchoolStatus[] {
  const opts = { staleAfterMs: options.staleAfterMs ?? DAY_MS, now: options.now ?? new Date() };
  const byCode = new Map(configured.map((s) => [s.code, s]));
  const codes = [...new Set([...configured.map((s) => s.code), ...activity.seen])].sort();
  return codes.map((code) => {
    const school = byCode.get(code);
    const streams = activity.lastRuns.filter((r) => r.schoolCode === code).map(streamStatus);
    const letters = activity.deadLetters
      .filter((l) => l.schoolCode === code)
      .map((l) => ({ ...l, ...deadLetterGuidance(l.code) }))
      .map(({ schoolCode: _s, ...rest }) => rest);
    const held = activity.held.get(code) ?? [];
    const lastSuccess = activity.lastSuccess.get(code);
    const reasons = reasonsOf(school, streams, letters, held, lastSuccess, opts);
    const identity = activity.identity.get(code);
    const lastRunAt = streams.reduce<string | null>(
      (latest, s) => (latest === null || s.createdAt > latest ? s.createdAt : latest),
      null,
    );
    return {
      schoolCode: code,
      name: school?.name ?? null,
      adapter: school?.adapter ?? null,
      configured: school !== undefined,
      colour: reasons[0]!.colour,
      reasons,
      streams,
      lastRunAt,
      lastSuccessAt: lastSuccess?.toISOString() ?? null,
      deadLetters: { open: letters.reduce((sum, l) => sum + l.count, 0), reasons: letters },
      heldRuns: held,
      identity: {
        people: identity?.people ?? 0,
        withPersonalId: identity?.withPersonalId ?? 0,
        confirmed: identity?.confirmed ?? 0,
        confirmedShare: identity && identity.people > 0 ? identity.confirmed / identity.people : null,
      },
    };
  });
}

/**
 * The status of the schools a caller may see: `schools` undefined for every school (a city key).
 * Configured schools outside the scope are left out before anything is read.
 */
export async function schoolStatuses(
  db: Db,
  configured: readonly ConfiguredSchool[],
  schools: readonly string[] | undefined,
  options: StatusOptions = {},
): Promise<SchoolStatus[]> {
  const inScope = schools ? configured.filter((s) => schools.includes(s.code)) : configured;
  const activity = await schoolActivity(db, schools);
  return statusesOf(activity, inScope, options);
}
