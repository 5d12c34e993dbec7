/**
 * Replaying dead letters: the records a target refused (or whose batch exhausted its attempts) are
 * sent again once the cause is fixed. Each letter's body is recovered from the staged batch it
 * names (sealed at rest, unsealed here), the letters are grouped by target, stream and school into
 * batches, pushed, and the answers applied as a run's would be: accepted records go into the
 * ledger and their letters are marked replayed; refused ones stay open with one attempt more and
 * the target's new answer.
 *
 * A replay uses the mapping version of the original run: the staged body is the output of the
 * mapping that run used (and its ledger hash was computed under that mapping version), so sending
 * it as is replays that mapping, whatever the target's current mapping version is. A record whose
 * mapping changed since is then found changed by the next run and sent again in the new mapping.
 */
import { createHash } from 'node:crypto';
import { RetryableError, type StreamName } from '../sdk/index.ts';
import {
  applyTargetResults,
  type Database,
  type DeadLetterBatchRef,
  type DeadLetterFilter,
  type DeadLetterRow,
  type Keyring,
  ledgerPushTimes,
  listDeadLetters,
  loadStagedPayload,
  markDeadLettersDiscarded,
  markDeadLettersReplayed,
  recordDeadLetterAttempt,
} from '../store/index.ts';
import type { MappedRecord, Target, TargetRecordResult } from '../targets/target.ts';
import type { RunService } from './service.ts';
import { idempotencyKeyOf } from './sync.ts';

/** What a staged batch holds (the shape `runSync` stages). */
interface StagedPayload {
  schoolCode: string;
  upserts: Array<MappedRecord & { hash: string; created: boolean; location?: string }>;
  deletes: string[];
}

export interface ReplayOptions {
  db: Database;
  keyring: Keyring;
  targets: readonly Target[];
  /** These letters (only the open ones are replayed); else every open letter matching `filter`. */
  ids?: readonly string[];
  filter?: Omit<DeadLetterFilter, 'ids' | 'state' | 'after' | 'limit'>;
  /** Who asked: `key:<prefix>` or `cli:<user>`; goes to the audit log. */
  replayedBy: string;
  /** Records a push (default 500). */
  batchSize?: number;
  /** Tries of a push the target answers with a retryable error (default 3). */
  pushAttempts?: number;
  signal?: AbortSignal;
}

export interface ReplayResult {
  /** Letters whose records the target accepted: marked replayed. */
  replayed: number;
  /** Letters the target refused again: still open, one attempt more. */
  stillRefused: number;
  /** Letters that could not be sent (no body, unknown target, the push failed): still open. */
  failed: number;
  /** Letters whose record a later run delivered already: discarded, not sent (it would be older). */
  superseded: number;
}

/** One record to send again, and the letters it answers for. */
interface Unit {
  key: string;
  upsert?: StagedPayload['upserts'][number];
  isDelete: boolean;
  letters: DeadLetterRow[];
  /** The newest letter's run: the ledger row names it. */
  runId: string;
}

const PAGE = 1000;

/**
 * Sends open dead letters again and records the outcome.
 *
 * @example
 * const counts = await replayDeadLetters({ db, keyring, targets, filter: { schools: ['79NB0001'] },
 *   replayedBy: 'cli:an' });
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayResult> {
  const { db, keyring } = options;
  const result: ReplayResult = { replayed: 0, stillRefused: 0, failed: 0, superseded: 0 };
  const letters = await openLetters(options);
  if (letters.length === 0) return result;
  const targets = new Map(options.targets.map((t) => [t.id, t]));
  const payloads = new Map<string, StagedPayload | undefined>();
  const failed: DeadLetterRow[] = [];
  // target, stream, school → key → unit. Several letters of one record (each run that was refused
  // leaves one) make one unit: the newest letter's body goes, and its outcome answers for all.
  const groups = new Map<string, Map<string, Unit>>();

  for (const letter of letters) {
    const ref = letter.batch as DeadLetterBatchRef;
    if (!targets.has(letter.target) || !ref?.stagedBatchId) {
      failed.push(letter);
      continue;
    }
    if (!payloads.has(ref.stagedBatchId))
      payloads.set(ref.stagedBatchId, await loadStagedPayload<StagedPayload>(db, keyring, ref.stagedBatchId));
    const payload = payloads.get(ref.stagedBatchId);
    const keys = letter.record_key !== null ? [letter.record_key] : (ref.keys ?? allKeys(payload));
    const found = payload ? keys.map((k) => recover(payload, k)) : [];
    if (!payload || keys.length === 0 || found.some((f) => f === undefined)) {
      failed.push(letter);
      continue;
    }
    const groupKey = `${letter.target}\u0000${letter.stream}\u0000${letter.school_code}`;
    const group = groups.get(groupKey) ?? new Map<string, Unit>();
    groups.set(groupKey, group);
    for (const f of found) {
      const unit = group.get(f!.key);
      if (!unit) {
        group.set(f!.key, { ...f!, letters: [letter], runId: letter.run_id });
        continue;
      }
      unit.letters.push(letter);
      // The newest letter carries the newest body.
      if (letter.created_at > newest(unit.letters.slice(0, -1)).created_at) {
        Object.assign(unit, f, { runId: letter.run_id });
      }
    }
  }

  for (const [groupKey, group] of groups) {
    const [targetId, stream, schoolCode] = groupKey.split('\u0000') as [string, string, string];
    const target = targets.get(targetId)!;
    // A record a later run delivered is newer at the target than this body: do not overwrite it.
    const pushedAt = await ledgerPushTimes(db, targetId, stream, [...group.keys()]);
    const units: Unit[] = [];
    const superseded: string[] = [];
    for (const unit of group.values()) {
      const at = pushedAt.get(unit.key);
      if (at && at > newest(unit.letters).created_at) superseded.push(...unit.letters.map((l) => l.id));
      else units.push(unit);
    }
    result.superseded += await markDeadLettersDiscarded(db, superseded, options.replayedBy, {
      reason: 'superseded by a later delivery',
    });
    const size = options.batchSize ?? 500;
    for (let i = 0; i < units.length; i += size) {
      const counts = await replayBatch(
        options,
        target,
        stream as StreamName,
        schoolCode,
        units.slice(i, i + size),
      );
      result.replayed += counts.replayed;
      result.stillRefused += counts.stillRefused;
      result.failed += counts.failed;
    }
  }

  await recordDeadLetterAttempt(
    db,
    failed.map((l) => l.id),
    { code: 'REPLAY_UNAVAILABLE', answer: { message: 'the staged body or the target is gone' } },
  );
  result.failed += failed.length;
  return result;
}

async function openLetters(options: ReplayOptions): Promise<DeadLetterRow[]> {
  const rows: DeadLetterRow[] = [];
  for (let after: string | undefined; ; ) {
    const page = await listDeadLetters(options.db, {
      ...(options.filter ?? {}),
      ...(options.ids ? { ids: options.ids } : {}),
      state: 'open',
      limit: PAGE,
      ...(after ? { after } : {}),
    });
    rows.push(...page);
    if (page.length < PAGE) return rows;
    after = page.at(-1)!.id;
  }
}

const allKeys = (payload: StagedPayload | undefined) =>
  payload ? [...payload.upserts.map((u) => u.key), ...payload.deletes] : [];

function recover(payload: StagedPayload, key: string): Omit<Unit, 'letters' | 'runId'> | undefined {
  const upsert = payload.upserts.find((u) => u.key === key);
  if (upsert) return { key, upsert, isDelete: false };
  if (payload.deletes.includes(key)) return { key, isDelete: true };
  return undefined;
}

const newest = (letters: readonly DeadLetterRow[]) =>
  letters.reduce((a, b) => (b.created_at > a.created_at ? b : a));

async function replayBatch(
  options: ReplayOptions,
  target: Target,
  stream: StreamName,
  schoolCode: string,
  units: Unit[],
): Promise<Omit<ReplayResult, 'superseded'>> {
  const { db } = options;
  const payload: StagedPayload = {
    schoolCode,
    upserts: units.flatMap((u) => (u.upsert ? [u.upsert] : [])),
    deletes: units.filter((u) => u.isDelete).map((u) => u.key),
  };
  // Derived from the content like a run's key, and from the letters' attempts: the same replay
  // retried (a crash before the answer was recorded) is applied once, while a replay after a
  // refusal is a new message, not the target's remembered refusal of the same content.
  const attempts = units
    .flatMap((u) => u.letters.map((l) => `${l.id}:${l.attempts}`))
    .sort()
    .join(',');
  const idempotencyKey = createHash('sha256')
    .update(`replay\u0000${idempotencyKeyOf(target.id, stream, payload)}\u0000${attempts}`)
    .digest('hex');
  const letterIds = (us: readonly Unit[]) => [...new Set(us.flatMap((u) => u.letters.map((l) => l.id)))];

  let answer: { messageId: string; results: TargetRecordResult[] } | undefined;
  let lastError: unknown;
  const tries = options.pushAttempts ?? 3;
  for (let attempt = 1; attempt <= tries && !answer; attempt++) {
    try {
      answer = await target.push(
        {
          target: target.id,
          stream,
          schoolCode,
          runId: units[0]!.runId,
          idempotencyKey,
          upserts: payload.upserts.map(({ key, body }) => ({ key, body })),
          deletes: payload.deletes,
          correlationId: `replay:${idempotencyKey.slice(0, 16)}`,
        },
        options.signal ? { signal: options.signal } : {},
      );
    } catch (error) {
      lastError = error;
      if (!(error instanceof RetryableError) || attempt === tries) break;
      const wait = Math.min(error.retryAfterMs ?? 200 * 2 ** (attempt - 1), 10_000);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
  if (!answer) {
    const ids = letterIds(units);
    await recordDeadLetterAttempt(db, ids, {
      code: (lastError as { code?: string })?.code ?? 'PUSH_FAILED',
      answer: { message: (lastError as Error)?.message },
    });
    return { replayed: 0, stillRefused: 0, failed: ids.length };
  }

  const byKey = new Map(units.map((u) => [u.key, u]));
  const accepted: Unit[] = [];
  const ledger = new Map<string, Parameters<typeof applyTargetResults>[1]['results'][number][]>();
  const counts = { replayed: 0, stillRefused: 0, failed: 0 };
  // A whole-batch letter covers several records: it is replayed only when all of them are.
  const letterOutcome = new Map<string, TargetRecordResult>();
  for (const r of answer.results) {
    const unit = byKey.get(r.key);
    if (!unit) continue;
    if (r.outcome === 'accepted') {
      accepted.push(unit);
      const rows = ledger.get(unit.runId) ?? [];
      ledger.set(unit.runId, rows);
      rows.push(
        unit.isDelete
          ? { key: r.key, hash: '00', accepted: true, deleted: true }
          : {
              key: r.key,
              hash: unit.upsert!.hash,
              accepted: true,
              ...(r.targetVersion ? { targetVersion: r.targetVersion } : {}),
            },
      );
    }
    for (const l of unit.letters) {
      if (r.outcome !== 'accepted' || !letterOutcome.has(l.id)) letterOutcome.set(l.id, r);
    }
  }
  for (const [runId, results] of ledger) {
    await applyTargetResults(db, { target: target.id, stream, schoolCode, runId, results });
  }
  const done = [...letterOutcome].filter(([, r]) => r.outcome === 'accepted').map(([id]) => id);
  counts.replayed = await markDeadLettersReplayed(db, done, options.replayedBy, {
    target: target.id,
    stream,
    messageId: answer.messageId,
  });
  const byAnswer = new Map<string, { ids: string[]; r: TargetRecordResult }>();
  for (const [id, r] of letterOutcome) {
    if (r.outcome === 'accepted') continue;
    const k = `${r.outcome}\u0000${r.code ?? ''}\u0000${r.message ?? ''}`;
    const entry = byAnswer.get(k) ?? { ids: [], r };
    entry.ids.push(id);
    byAnswer.set(k, entry);
    if (r.outcome === 'refused') counts.stillRefused++;
    else counts.failed++;
  }
  for (const { ids, r } of byAnswer.values()) {
    await recordDeadLetterAttempt(db, ids, {
      code: r.code ?? (r.outcome === 'refused' ? 'REFUSED' : 'FAILED'),
      answer: { outcome: r.outcome, code: r.code, message: r.message, messageId: answer.messageId },
    });
  }
  // Letters the target gave no result for at all.
  const answered = new Set(letterOutcome.keys());
  const silent = letterIds(units).filter((id) => !answered.has(id));
  if (silent.length > 0) {
    await recordDeadLetterAttempt(db, silent, {
      code: 'TARGET_NO_RESULT',
      answer: { message: 'the target gave no result', messageId: answer.messageId },
    });
    counts.failed += silent.length;
  }
  return counts;
}

/**
 * Replays with what a run service was built with (its database, keyring and targets): what the API
 * uses. Reads the service's dependencies until RunService offers a `replayDeadLetters` of its own.
 */
export function replayThrough(
  service: RunService,
  input: Omit<ReplayOptions, 'db' | 'keyring' | 'targets'>,
): Promise<ReplayResult> {
  return service.replayDeadLetters(input);
}
