/**
 * Replaying dead letters: the records a target refused (or whose batch exhausted its attempts) are
 * sent again once the cause is fixed, and each letter gets its own answer. Each letter's body is
 * recovered from the staged batch it names (sealed at rest, unsealed here), the letters are grouped
 * by target, stream and school into batches, pushed, and the answers applied as a run's would be:
 * - accepted: the record goes into the ledger, its letters are marked replayed (and any other open
 *   letter of the record is resolved: nobody has to act on it any more);
 * - refused again for the same reason: the letter stays open, one attempt more, with the answer;
 * - refused for another reason: the letter is resolved and the new reason is a letter of its own
 *   (codes stay as the target gave them; who acts follows the reason);
 * - not delivered (the push failed after its tries, no body left, the letter's run still running):
 *   the letter stays open.
 *
 * A replay uses the mapping version of the original run: the staged body is the output of the
 * mapping that run used (and its ledger hash was computed under that mapping version), so sending
 * it as is replays that mapping, whatever the target's current mapping version is. A record whose
 * mapping changed since is then found changed by the next run and sent again in the new mapping.
 */
import { createHash } from 'node:crypto';
import { errorMessage } from '../model/index.ts';
import { RetryableError, type StreamName } from '../sdk/index.ts';
import { sleep } from '../sdk/sleep.ts';
import {
  addDeadLetters,
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
  resolveDeadLetters,
  resolveDeadLettersById,
} from '../store/index.ts';
import type { Target, TargetRecordResult } from '../targets/target.ts';
import { idempotencyKeyOf, type StagedPayload } from './push.ts';

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

/** What became of one letter. */
export interface LetterOutcome {
  id: string;
  target: string;
  stream: string;
  recordKey: string;
  /**
   * `accepted`: delivered, the letter is replayed. `refused`: the target said no again (`code` is
   * its reason now; `newLetterId` when that reason differs from the letter's). `failed`: not
   * delivered (`code` says why); the letter stays open. `superseded`: a later run delivered the
   * record already; the letter is discarded, nothing sent.
   */
  outcome: 'accepted' | 'refused' | 'failed' | 'superseded';
  code: string;
  message?: string;
  newLetterId?: string;
}

export interface ReplayResult {
  /** Letters whose records the target accepted: marked replayed. */
  replayed: number;
  /** Letters the target refused again (for the same reason or another). */
  stillRefused: number;
  /** Letters that could not be delivered (no body, unknown target, the push failed, their run still running). */
  failed: number;
  /** Letters whose record a later run delivered already: discarded, not sent (it would be older). */
  superseded: number;
  /** Each letter's outcome, in the order of the letters. */
  letters: LetterOutcome[];
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
const ACTIVE_RUN_STATES = ['queued', 'pulling', 'held', 'pushing'];

/**
 * Sends open dead letters again and records the outcome of each.
 *
 * @example
 * const result = await replayDeadLetters({ db, keyring, targets, filter: { schools: ['79NB0001'] },
 *   replayedBy: 'cli:an' });
 * for (const l of result.letters) console.log(l.recordKey, l.outcome, l.code);
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayResult> {
  const { db, keyring } = options;
  const outcomes = new Map<string, LetterOutcome>();
  const letters = await openLetters(options);
  const targets = new Map(options.targets.map((t) => [t.id, t]));
  const payloads = new Map<string, StagedPayload | undefined>();
  /** Letters that cannot be replayed at all (no body, no target): the failed try is on record. */
  const unavailable: string[] = [];
  const notSent = (letter: DeadLetterRow, code: string, message: string) => {
    outcomes.set(letter.id, { ...describe(letter), outcome: 'failed', code, message });
    if (code === 'REPLAY_UNAVAILABLE') unavailable.push(letter.id);
  };
  // A letter of a run still under way waits for it: the run's own reconciliation counts the ledger
  // rows it writes, and a replay writing some under its name would upset it.
  const active = await activeRuns(db, [...new Set(letters.map((l) => l.run_id))]);
  // target, stream, school → key → unit. Several letters of one record (one a reason) make one
  // unit: the newest letter's body goes, and its outcome answers for all.
  const groups = new Map<string, Map<string, Unit>>();

  for (const letter of letters) {
    if (active.has(letter.run_id)) {
      notSent(letter, 'RUN_IN_PROGRESS', errorMessage('RUN_IN_PROGRESS', { run: letter.run_id }));
      continue;
    }
    const ref = letter.batch as DeadLetterBatchRef;
    if (!targets.has(letter.target) || !ref?.stagedBatchId) {
      notSent(letter, 'REPLAY_UNAVAILABLE', errorMessage('REPLAY_UNAVAILABLE', {}));
      continue;
    }
    if (!payloads.has(ref.stagedBatchId))
      payloads.set(ref.stagedBatchId, await loadStagedPayload<StagedPayload>(db, keyring, ref.stagedBatchId));
    const payload = payloads.get(ref.stagedBatchId);
    const found = payload ? recover(payload, letter.record_key) : undefined;
    if (!found) {
      notSent(letter, 'REPLAY_UNAVAILABLE', errorMessage('REPLAY_UNAVAILABLE', {}));
      continue;
    }
    const groupKey = `${letter.target}\u0000${letter.stream}\u0000${letter.school_code}`;
    const group = groups.get(groupKey) ?? new Map<string, Unit>();
    groups.set(groupKey, group);
    const unit = group.get(found.key);
    if (!unit) {
      group.set(found.key, { ...found, letters: [letter], runId: letter.run_id });
      continue;
    }
    unit.letters.push(letter);
    // The newest letter carries the newest body.
    if (letter.last_seen_at > newest(unit.letters.slice(0, -1)).last_seen_at) {
      Object.assign(unit, found, { runId: letter.run_id });
    }
  }

  for (const [groupKey, group] of groups) {
    const [targetId, stream, schoolCode] = groupKey.split('\u0000') as [string, string, string];
    const target = targets.get(targetId)!;
    // A record a later run delivered is newer at the target than this body: do not overwrite it.
    const pushedAt = await ledgerPushTimes(db, targetId, stream, [...group.keys()]);
    const units: Unit[] = [];
    const superseded: DeadLetterRow[] = [];
    for (const unit of group.values()) {
      const at = pushedAt.get(unit.key);
      if (at && at > newest(unit.letters).last_seen_at) superseded.push(...unit.letters);
      else units.push(unit);
    }
    await markDeadLettersDiscarded(
      db,
      superseded.map((l) => l.id),
      options.replayedBy,
      { reason: 'superseded by a later delivery' },
    );
    for (const l of superseded) outcomes.set(l.id, { ...describe(l), outcome: 'superseded', code: l.code });
    const size = options.batchSize ?? 500;
    for (let i = 0; i < units.length; i += size) {
      const answered = await replayBatch(
        options,
        target,
        stream as StreamName,
        schoolCode,
        units.slice(i, i + size),
      );
      for (const o of answered) outcomes.set(o.id, o);
    }
  }

  await recordDeadLetterAttempt(db, unavailable, { code: 'REPLAY_UNAVAILABLE' });
  const ordered = letters.map((l) => outcomes.get(l.id)!).filter(Boolean);
  return {
    replayed: ordered.filter((o) => o.outcome === 'accepted').length,
    stillRefused: ordered.filter((o) => o.outcome === 'refused').length,
    failed: ordered.filter((o) => o.outcome === 'failed').length,
    superseded: ordered.filter((o) => o.outcome === 'superseded').length,
    letters: ordered,
  };
}

const describe = (l: DeadLetterRow) => ({
  id: l.id,
  target: l.target,
  stream: l.stream,
  recordKey: l.record_key,
});

async function activeRuns(db: Database, runIds: readonly string[]): Promise<Set<string>> {
  if (runIds.length === 0) return new Set();
  const rows = await db.kysely
    .selectFrom('runs')
    .select('id')
    .where('id', 'in', [...runIds])
    .where('state', 'in', ACTIVE_RUN_STATES as never)
    .execute();
  return new Set(rows.map((r) => r.id));
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

function recover(payload: StagedPayload, key: string): Omit<Unit, 'letters' | 'runId'> | undefined {
  const upsert = payload.upserts.find((u) => u.key === key);
  if (upsert) return { key, upsert, isDelete: false };
  if (payload.deletes.includes(key)) return { key, isDelete: true };
  return undefined;
}

const newest = (letters: readonly DeadLetterRow[]) =>
  letters.reduce((a, b) => (b.last_seen_at > a.last_seen_at ? b : a));

async function replayBatch(
  options: ReplayOptions,
  target: Target,
  stream: StreamName,
  schoolCode: string,
  units: Unit[],
): Promise<LetterOutcome[]> {
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
          upserts: payload.upserts.map(({ key, body, previousKey }) => ({
            key,
            body,
            ...(previousKey ? { previousKey } : {}),
          })),
          deletes: payload.deletes,
          correlationId: `replay:${idempotencyKey.slice(0, 16)}`,
        },
        options.signal ? { signal: options.signal } : {},
      );
    } catch (error) {
      lastError = error;
      if (!(error instanceof RetryableError) || attempt === tries) break;
      await sleep(Math.min(error.retryAfterMs ?? 200 * 2 ** (attempt - 1), 10_000), options.signal);
    }
  }
  const all = units.flatMap((u) => u.letters);
  if (!answer) {
    const code = (lastError as { code?: string })?.code ?? 'PUSH_FAILED';
    const message = (lastError as Error)?.message ?? String(lastError);
    await recordDeadLetterAttempt(
      db,
      all.map((l) => l.id),
      { code, message },
    );
    return all.map((l) => ({ ...describe(l), outcome: 'failed', code, message }));
  }

  const results = new Map(answer.results.map((r) => [r.key, r]));
  const outcomes: LetterOutcome[] = [];
  const accepted: Unit[] = [];
  for (const unit of units) {
    const r = results.get(unit.key);
    if (r?.outcome === 'accepted') {
      accepted.push(unit);
      for (const l of unit.letters) outcomes.push({ ...describe(l), outcome: 'accepted', code: l.code });
      continue;
    }
    const code = r?.code ?? (r ? (r.outcome === 'refused' ? 'REFUSED' : 'FAILED') : 'TARGET_NO_RESULT');
    const said = { outcome: r?.outcome ?? 'failed', code, message: r?.message, messageId: answer.messageId };
    for (const l of unit.letters) {
      if (code === l.code) {
        await recordDeadLetterAttempt(db, [l.id], said);
        outcomes.push({
          ...describe(l),
          outcome: 'refused',
          code,
          ...(r?.message ? { message: r.message } : {}),
        });
        continue;
      }
      // Another reason now: the old one no longer stands, the new one is a letter of its own.
      await resolveDeadLettersById(db, [l.id]);
      await addDeadLetters(db, [
        {
          runId: l.run_id,
          schoolCode,
          target: target.id,
          stream,
          recordKey: l.record_key,
          batch: l.batch as DeadLetterBatchRef,
          code,
          answer: said,
          attempts: l.attempts + 1,
        },
      ]);
      const fresh = await listDeadLetters(db, {
        schools: [schoolCode],
        target: target.id,
        stream,
        code,
        recordKeys: [l.record_key],
        state: 'open',
        limit: 1,
      });
      outcomes.push({
        ...describe(l),
        outcome: 'refused',
        code,
        ...(r?.message ? { message: r.message } : {}),
        ...(fresh[0] ? { newLetterId: fresh[0].id } : {}),
      });
    }
  }

  const ledger = new Map<string, Parameters<typeof applyTargetResults>[1]['results'][number][]>();
  for (const unit of accepted) {
    const r = results.get(unit.key)!;
    const rows = ledger.get(unit.runId) ?? [];
    ledger.set(unit.runId, rows);
    rows.push(
      unit.isDelete
        ? { key: unit.key, hash: '00', accepted: true, deleted: true }
        : {
            key: unit.key,
            hash: unit.upsert!.hash,
            accepted: true,
            ...(r.targetVersion ? { targetVersion: r.targetVersion } : {}),
            ...(unit.upsert!.sourceHash ? { sourceHash: unit.upsert!.sourceHash } : {}),
          },
    );
  }
  for (const [runId, rows] of ledger) {
    await applyTargetResults(db, { target: target.id, stream, schoolCode, runId, results: rows });
  }
  await markDeadLettersReplayed(
    db,
    accepted.flatMap((u) => u.letters.map((l) => l.id)),
    options.replayedBy,
    { target: target.id, stream, messageId: answer.messageId },
  );
  // Other open letters of a record now delivered (another reason, not part of this replay).
  await resolveDeadLetters(db, { target: target.id, stream, schoolCode, keys: accepted.map((u) => u.key) });
  return outcomes;
}
