/**
 * The state transitions of a run carried out as steps (pull, then one push per staged batch), each
 * in one transaction with the outbox row that announces the next job, so a crash or a Redis that
 * forgot its jobs can always be picked up from PostgreSQL:
 *
 *   queued ──claimPull──► pulling ──enterPushing──► pushing ──recordBatch…──► finishIfDone ──► succeeded
 *                             │                        ▲
 *                             └──(held)──► held ──release──┘
 *
 * Outbox topics: `run.pull` (key: run id) and `batch.push` (key: staged batch id).
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Keyring } from './crypto.ts';
import { type Db, kyselyOf } from './db.ts';
import { applyTargetResults, type TargetResult } from './ledger.ts';
import { addLineage, type LineageEntry } from './lineage.ts';
import { addDeadLetters, type DeadLetterInput, saveCheckpoint, setRunState, ZERO_COUNTS } from './runs.ts';
import { type Sealed, unseal } from './sealed.ts';
import { refreshPlannerStatistics } from './statistics.ts';
import type { RunCarry, RunCounts, Tables } from './tables.ts';

export type OutboxTopic = 'run.pull' | 'batch.push';

export interface PushAnnouncement {
  runId: string;
  batchId: string;
  target: string;
  ordinal: number;
}

/** Writes an outbox row (once per topic and key) inside the caller's transaction. */
async function announce(trx: Kysely<Tables>, topic: OutboxTopic, key: string, payload: unknown) {
  await trx
    .insertInto('outbox')
    .values({ topic, key, payload: JSON.stringify(payload) })
    .onConflict((oc) => oc.columns(['topic', 'key']).doNothing())
    .execute();
}

async function complete(trx: Kysely<Tables>, topic: OutboxTopic, key: string) {
  await trx
    .updateTable('outbox')
    .set({ completed_at: new Date() })
    .where('topic', '=', topic)
    .where('key', '=', key)
    .where('completed_at', 'is', null)
    .execute();
}

/** Announces the pull job of a queued run (called in the transaction that creates the run). */
export async function announcePull(trx: Kysely<Tables>, runId: string): Promise<void> {
  await announce(trx, 'run.pull', runId, { runId });
}

export type ClaimOutcome =
  | { claimed: true }
  | { claimed: false; reason: 'busy' | 'gone'; state?: string; blockingRunId?: string };

/**
 * Takes a queued (or interrupted, still `pulling`) run for its pull step. One run per school at a
 * time: its ledger diff must see what the previous run delivered. A run interrupted while pulling
 * starts over: nothing it staged was sent, so its staged batches are dropped.
 */
export async function claimPull(db: Db, runId: string, adapterVersion: string): Promise<ClaimOutcome> {
  return kyselyOf(db)
    .transaction()
    .execute(async (trx) => {
      const run = await trx
        .selectFrom('runs')
        .select(['state', 'school_code'])
        .where('id', '=', runId)
        .executeTakeFirst();
      if (!run) return { claimed: false, reason: 'gone' };
      if (run.state !== 'queued' && run.state !== 'pulling') {
        return { claimed: false, reason: 'gone', state: run.state };
      }
      // Serialises claims of one school across processes for the rest of this transaction.
      await sql`select pg_advisory_xact_lock(hashtext(${`edubridge:school:${run.school_code}`}))`.execute(
        trx,
      );
      const other = await trx
        .selectFrom('runs')
        .select('id')
        .where('school_code', '=', run.school_code)
        .where('state', 'in', ['pulling', 'pushing'])
        .where('id', '<>', runId)
        .executeTakeFirst();
      if (other) return { claimed: false, reason: 'busy', blockingRunId: other.id };
      await trx
        .deleteFrom('staged_batches')
        .where('run_id', '=', runId)
        .where('pushed_at', 'is', null)
        .execute();
      await trx
        .updateTable('runs')
        .set({
          state: 'pulling',
          started_at: new Date(),
          adapter_version: adapterVersion,
          counts: JSON.stringify(ZERO_COUNTS),
          carry: null,
        })
        .where('id', '=', runId)
        .execute();
      return { claimed: true };
    });
}

/** Writes the pull step's running counts (for progress), while it is still pulling. */
export async function savePullProgress(db: Db, runId: string, counts: RunCounts): Promise<void> {
  await kyselyOf(db)
    .updateTable('runs')
    .set({ counts: JSON.stringify(counts) })
    .where('id', '=', runId)
    .where('state', '=', 'pulling')
    .execute();
}

/**
 * The run has staged what it will send (pull ended, or a held run was released): `pushing`, with
 * one `batch.push` outbox row per unsent batch, in one transaction. Returns the announcements.
 */
export async function enterPushing(
  db: Db,
  runId: string,
  from: 'pulling' | 'held',
  summary: {
    counts?: RunCounts;
    report?: unknown;
    timings?: Record<string, number>;
    carry: RunCarry;
    hold?: unknown;
  },
): Promise<PushAnnouncement[] | undefined> {
  return kyselyOf(db)
    .transaction()
    .execute(async (trx) => {
      const moved = await trx
        .updateTable('runs')
        .set({
          state: 'pushing',
          carry: JSON.stringify({ ...summary.carry, pushStartedAt: new Date().toISOString() }),
          ...(summary.counts ? { counts: JSON.stringify(summary.counts) } : {}),
          ...(summary.report !== undefined ? { report: JSON.stringify(summary.report) } : {}),
          ...(summary.timings ? { timings: JSON.stringify(summary.timings) } : {}),
          ...(summary.hold !== undefined ? { hold: JSON.stringify(summary.hold) } : {}),
        })
        .where('id', '=', runId)
        .where('state', '=', from)
        .returning('id')
        .executeTakeFirst();
      if (!moved) return undefined;
      const announcements = await unpushedBatchIds(trx, runId);
      if (announcements.length > 0) {
        await trx
          .insertInto('outbox')
          .values(
            announcements.map((a) => ({ topic: 'batch.push', key: a.batchId, payload: JSON.stringify(a) })),
          )
          .onConflict((oc) => oc.columns(['topic', 'key']).doNothing())
          .execute();
      }
      await complete(trx, 'run.pull', runId);
      return announcements;
    });
}

/** The pull step ended in a hold, a failure or nothing to do: its outbox row is done. */
export async function endPull(
  db: Db,
  runId: string,
  state: 'held' | 'failed',
  extra: { counts?: RunCounts; report?: unknown; hold?: unknown; timings?: Record<string, number> },
): Promise<void> {
  await kyselyOf(db)
    .transaction()
    .execute(async (trx) => {
      await setRunState(trx, runId, state, extra);
      await complete(trx, 'run.pull', runId);
    });
}

export interface StagedBatch<T> {
  id: string;
  runId: string;
  target: string;
  stream: string;
  pushed: boolean;
  payload: T | undefined;
}

/** One staged batch, unsealed (payload undefined once purged). */
export async function loadStagedBatch<T>(
  db: Db,
  keyring: Keyring,
  batchId: string,
): Promise<StagedBatch<T> | undefined> {
  const row = await kyselyOf(db)
    .selectFrom('staged_batches')
    .select(['id', 'run_id', 'target', 'stream', 'payload', 'key_id', 'pushed_at'])
    .where('id', '=', batchId)
    .executeTakeFirst();
  if (!row) return undefined;
  const sealed: Sealed | undefined = row.payload ? { payload: row.payload, keyId: row.key_id } : undefined;
  return {
    id: row.id,
    runId: row.run_id,
    target: row.target,
    stream: row.stream,
    pushed: row.pushed_at !== null,
    payload: sealed ? unseal<T>(keyring, sealed) : undefined,
  };
}

/** Ids of a run's staged batches not yet pushed, in order. */
export async function unpushedBatchIds(db: Db, runId: string): Promise<PushAnnouncement[]> {
  const rows = await kyselyOf(db)
    .selectFrom('staged_batches')
    .select(['id', 'target', 'ordinal'])
    .where('run_id', '=', runId)
    .where('pushed_at', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ runId, batchId: r.id, target: r.target, ordinal: r.ordinal }));
}

export interface BatchOutcome {
  runId: string;
  batchId: string;
  target: string;
  stream: string;
  schoolCode: string;
  /** Counts this batch adds to the run. */
  counts: Partial<RunCounts>;
  /** Milliseconds this batch adds to the run's timings (summed over its batches). */
  timings?: Record<string, number>;
  ledger: readonly TargetResult[];
  lineage?: {
    adapterId: string;
    adapterVersion: string;
    mappingVersion: string;
    gatewayMessageId: string | null;
    entries: readonly LineageEntry[];
  };
  deadLetters: readonly DeadLetterInput[];
}

/**
 * Everything one pushed batch changes, in one transaction: the ledger from the target's answers,
 * lineage, dead letters, the run's counts, the batch marked pushed and its outbox row completed.
 * A batch already recorded (its job ran twice) changes nothing: returns false.
 */
export async function recordBatch(db: Db, outcome: BatchOutcome): Promise<boolean> {
  return kyselyOf(db)
    .transaction()
    .execute(async (trx) => {
      const began = performance.now();
      const marked = await trx
        .updateTable('staged_batches')
        .set({ pushed_at: new Date(), result: JSON.stringify(outcome.counts) })
        .where('id', '=', outcome.batchId)
        .where('pushed_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!marked) return false;
      await applyTargetResults(trx, {
        target: outcome.target,
        stream: outcome.stream,
        schoolCode: outcome.schoolCode,
        runId: outcome.runId,
        results: outcome.ledger,
      });
      if (outcome.lineage) {
        await addLineage(trx, {
          target: outcome.target,
          stream: outcome.stream,
          runId: outcome.runId,
          stagedBatchId: outcome.batchId,
          ...outcome.lineage,
        });
      }
      await addDeadLetters(trx, outcome.deadLetters);
      await addToRun(trx, outcome.runId, 'counts', outcome.counts);
      if (outcome.timings) {
        const pushRecordMs = Math.round(performance.now() - began);
        await addToRun(trx, outcome.runId, 'timings', { ...outcome.timings, pushRecordMs });
      }
      await complete(trx, 'batch.push', outcome.batchId);
      return true;
    });
}

/**
 * Adds numbers to a run's counts or timings in SQL, so concurrent batches of one run never lose
 * an update.
 */
async function addToRun(
  trx: Transaction<Tables>,
  runId: string,
  column: 'counts' | 'timings',
  delta: Partial<Record<string, number>>,
) {
  const entries = Object.entries(delta).filter(([, n]) => n);
  if (entries.length === 0) return;
  const add = JSON.stringify(Object.fromEntries(entries));
  const col = sql.ref(column);
  await sql`
    update runs set ${col} = (
      select jsonb_object_agg(k, coalesce((${col} ->> k)::int, 0) + coalesce((${add}::jsonb ->> k)::int, 0))
      from jsonb_object_keys(${col} || ${add}::jsonb) as k
    )
    where id = ${runId}::uuid
  `.execute(trx);
}

/**
 * Ends a pushing run once none of its batches is left: `succeeded`, checkpoints saved, push time
 * noted. Safe to call from every push job: only the call that sees the last batch done wins.
 */
export async function finishIfDone(db: Db, runId: string): Promise<'succeeded' | 'pending' | 'not-pushing'> {
  let changed = 0;
  const outcome = await kyselyOf(db)
    .transaction()
    .execute(async (trx) => {
      const left = await trx
        .selectFrom('staged_batches')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('run_id', '=', runId)
        .where('pushed_at', 'is', null)
        .executeTakeFirstOrThrow();
      if (left.n > 0) return 'pending';
      const run = await trx
        .updateTable('runs')
        .set({ state: 'succeeded', finished_at: new Date() })
        .where('id', '=', runId)
        .where('state', '=', 'pushing')
        .returning(['school_code', 'adapter_id', 'carry', 'timings', 'counts'])
        .executeTakeFirst();
      if (!run) return 'not-pushing';
      changed = run.counts.created + run.counts.updated + run.counts.deleted;
      const carry = run.carry as RunCarry | null;
      for (const { stream, checkpoint } of carry?.pendingCheckpoints ?? []) {
        await saveCheckpoint(
          trx,
          { schoolCode: run.school_code, adapterId: run.adapter_id, stream, runId },
          checkpoint,
        );
      }
      if (carry?.pushStartedAt) {
        const timings = { ...run.timings, pushMs: Date.now() - Date.parse(carry.pushStartedAt) };
        await trx
          .updateTable('runs')
          .set({ timings: JSON.stringify(timings) })
          .where('id', '=', runId)
          .execute();
      }
      return 'succeeded' as const;
    });
  // The run may have grown the ledger and the identity tables by a good share: the next run's
  // bulk look-ups need the planner to know it (see statistics.ts).
  // Only an optimisation: a failed ANALYZE must not fail a run that has succeeded.
  if (outcome === 'succeeded') await refreshPlannerStatistics(db, changed).catch(() => []);
  return outcome;
}

export interface PendingJob {
  topic: OutboxTopic;
  key: string;
  payload: unknown;
  createdAt: Date;
}

/** Outbox rows not completed and older than `olderThanMs`: what the sweeper makes sure is queued. */
export async function pendingOutbox(db: Db, olderThanMs = 0, limit = 10_000): Promise<PendingJob[]> {
  const rows = await kyselyOf(db)
    .selectFrom('outbox')
    .select(['topic', 'key', 'payload', 'created_at'])
    .where('completed_at', 'is', null)
    .where('created_at', '<', new Date(Date.now() - olderThanMs))
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    topic: r.topic as OutboxTopic,
    key: r.key,
    payload: r.payload,
    createdAt: r.created_at,
  }));
}

/** Notes that jobs were handed to Redis (for the operator; pending is `completed_at is null`). */
export async function markDispatched(db: Db, topic: OutboxTopic, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await kyselyOf(db)
    .updateTable('outbox')
    .set({ dispatched_at: new Date(), attempts: sql`attempts + 1` })
    .where('topic', '=', topic)
    .where('key', 'in', [...keys])
    .execute();
}

/** Closes outbox rows whose subject is gone or finished (a run failed, a batch already pushed). */
export async function completeOutbox(db: Db, topic: OutboxTopic, key: string): Promise<void> {
  await kyselyOf(db)
    .transaction()
    .execute((trx) => complete(trx, topic, key));
}

/**
 * Drops the sealed bodies of batches pushed more than `days` ago (hashes, ids, answers and lineage
 * stay), except batches a dead letter still waiting for replay needs. Returns how many.
 */
export async function purgeBatchBodies(db: Db, days: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    with purged as (
      update staged_batches b set payload = null, purged_at = now()
      where b.payload is not null and b.pushed_at < now() - make_interval(days => ${days}::int)
        and not exists (
          select 1 from dead_letters d
          where d.batch ->> 'stagedBatchId' = b.id::text
            and d.replayed_at is null and d.discarded_at is null)
      returning 1)
    select count(*)::int as n from purged
  `.execute(kyselyOf(db));
  return rows[0]?.n ?? 0;
}
