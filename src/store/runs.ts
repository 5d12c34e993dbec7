/**
 * Sync runs, their checkpoints and staged batches: the state a run leaves in PostgreSQL, which is
 * the truth whatever happens to the process or to Redis.
 */
import { sql } from 'kysely';
import type { Keyring } from './crypto.ts';
import { type Db, kyselyOf } from './db.ts';
import { type Sealed, seal, unseal } from './sealed.ts';
import type { RunCounts, RunState, SyncMode } from './tables.ts';

export const ZERO_COUNTS: RunCounts = {
  pulled: 0,
  valid: 0,
  invalid: 0,
  unchanged: 0,
  created: 0,
  updated: 0,
  deleted: 0,
  refused: 0,
  failed: 0,
};

export interface NewRun {
  schoolCode: string;
  adapterId: string;
  adapterVersion: string;
  mappingVersions: Record<string, string>;
  streams: string[];
  mode: SyncMode;
  requestedBy?: string;
}

/** The columns of a new run's row. */
const runRow = (run: NewRun) => ({
  school_code: run.schoolCode,
  adapter_id: run.adapterId,
  adapter_version: run.adapterVersion,
  mapping_versions: JSON.stringify(run.mappingVersions),
  streams: run.streams,
  mode: run.mode,
  requested_by: run.requestedBy ?? null,
});

/** A run started here and now, in this process (`runSync` without a queued run: the CLI). */
export async function createRun(db: Db, run: NewRun): Promise<string> {
  const row = await kyselyOf(db)
    .insertInto('runs')
    .values({ ...runRow(run), started_at: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A queued run picked up by a worker: started now, with the adapter version it really runs. */
export async function markRunStarted(db: Db, runId: string, adapterVersion: string): Promise<void> {
  await kyselyOf(db)
    .updateTable('runs')
    .set({ started_at: new Date(), adapter_version: adapterVersion })
    .where('id', '=', runId)
    .execute();
}

/**
 * A run asked for (API, schedule) and not started yet, with the outbox row announcing its pull job
 * in the same transaction: if the process dies before the job reaches Redis, the sweeper sends it.
 */
export async function createQueuedRun(db: Db, run: NewRun): Promise<string> {
  return kyselyOf(db)
    .transaction()
    .execute(async (trx) => {
      const row = await trx.insertInto('runs').values(runRow(run)).returning('id').executeTakeFirstOrThrow();
      await trx
        .insertInto('outbox')
        .values({ topic: 'run.pull', key: row.id, payload: JSON.stringify({ runId: row.id }) })
        .execute();
      return row.id;
    });
}

export async function listRuns(db: Db, filter: { schools?: readonly string[]; limit?: number } = {}) {
  let q = kyselyOf(db)
    .selectFrom('runs')
    .selectAll()
    .orderBy('created_at', 'desc')
    .limit(filter.limit ?? 50);
  if (filter.schools) {
    if (filter.schools.length === 0) return [];
    q = q.where('school_code', 'in', [...filter.schools]);
  }
  return q.execute();
}

/** Runs still queued (not picked up by a worker), oldest first: what a sweeper checks against Redis. */
export async function queuedRunIds(db: Db, olderThanMs = 0): Promise<string[]> {
  const rows = await kyselyOf(db)
    .selectFrom('runs')
    .select('id')
    .where('state', '=', 'queued')
    .where('created_at', '<', new Date(Date.now() - olderThanMs))
    .orderBy('created_at')
    .execute();
  return rows.map((r) => r.id);
}

/** Drops a held run's staged batches (its changes are discarded, nothing was sent). */
export async function discardStagedBatches(db: Db, runId: string): Promise<void> {
  await kyselyOf(db)
    .deleteFrom('staged_batches')
    .where('run_id', '=', runId)
    .where('pushed_at', 'is', null)
    .execute();
}

export async function setRunState(
  db: Db,
  runId: string,
  state: RunState,
  extra: { counts?: RunCounts; report?: unknown; hold?: unknown; timings?: Record<string, number> } = {},
): Promise<void> {
  const finished = ['succeeded', 'failed', 'cancelled'].includes(state);
  await kyselyOf(db)
    .updateTable('runs')
    .set({
      state,
      ...(extra.counts ? { counts: JSON.stringify(extra.counts) } : {}),
      ...(extra.report !== undefined ? { report: JSON.stringify(extra.report) } : {}),
      ...(extra.hold !== undefined ? { hold: JSON.stringify(extra.hold) } : {}),
      ...(extra.timings ? { timings: JSON.stringify(extra.timings) } : {}),
      ...(finished ? { finished_at: new Date() } : {}),
    })
    .where('id', '=', runId)
    .execute();
}

export async function getRun(db: Db, runId: string) {
  return kyselyOf(db).selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
}

export async function loadCheckpoint(
  db: Db,
  key: { schoolCode: string; adapterId: string; stream: string },
): Promise<unknown> {
  const row = await kyselyOf(db)
    .selectFrom('checkpoints')
    .select('checkpoint')
    .where('school_code', '=', key.schoolCode)
    .where('adapter_id', '=', key.adapterId)
    .where('stream', '=', key.stream)
    .executeTakeFirst();
  return row?.checkpoint;
}

/** Saves a stream's checkpoint once its run has delivered everything it read. */
export async function saveCheckpoint(
  db: Db,
  key: { schoolCode: string; adapterId: string; stream: string; runId: string | null },
  checkpoint: unknown,
): Promise<void> {
  await kyselyOf(db)
    .insertInto('checkpoints')
    .values({
      school_code: key.schoolCode,
      adapter_id: key.adapterId,
      stream: key.stream,
      checkpoint: JSON.stringify(checkpoint),
      run_id: key.runId,
    })
    .onConflict((oc) =>
      oc.columns(['school_code', 'adapter_id', 'stream']).doUpdateSet({
        checkpoint: JSON.stringify(checkpoint),
        run_id: key.runId,
        updated_at: sql`now()`,
      }),
    )
    .execute();
}

/** Keeps a batch for the push step, sealed: it holds personal data. */
export async function stageBatch(
  db: Db,
  keyring: Keyring,
  batch: { runId: string; target: string; stream: string; count: number; payload: unknown; ordinal?: number },
): Promise<string> {
  const sealed = seal(keyring, batch.payload);
  const row = await kyselyOf(db)
    .insertInto('staged_batches')
    .values({
      run_id: batch.runId,
      target: batch.target,
      stream: batch.stream,
      kind: 'push',
      payload: sealed.payload,
      key_id: sealed.keyId,
      record_count: batch.count,
      ...(batch.ordinal !== undefined ? { ordinal: batch.ordinal } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The batches of a run not yet pushed, oldest first, unsealed one at a time. */
export async function* unpushedBatches<T>(
  db: Db,
  keyring: Keyring,
  runId: string,
): AsyncGenerator<{ id: string; target: string; stream: string; payload: T }> {
  const ids = await kyselyOf(db)
    .selectFrom('staged_batches')
    .select(['id', 'target', 'stream'])
    .where('run_id', '=', runId)
    .where('pushed_at', 'is', null)
    .orderBy('id')
    .execute();
  for (const { id, target, stream } of ids) {
    const row = await kyselyOf(db)
      .selectFrom('staged_batches')
      .select(['payload', 'key_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    if (!row.payload) continue; // purged: nothing left to send
    const sealed: Sealed = { payload: row.payload, keyId: row.key_id };
    yield { id, target, stream, payload: unseal<T>(keyring, sealed) };
  }
}

export async function markBatchPushed(db: Db, batchId: string): Promise<void> {
  await kyselyOf(db)
    .updateTable('staged_batches')
    .set({ pushed_at: new Date() })
    .where('id', '=', batchId)
    .execute();
}

/** Records the target holds for a school (not deleted): the base of the hold threshold. */
export async function ledgerCount(
  db: Db,
  target: string,
  schoolCode: string,
  stream: string,
): Promise<number> {
  const row = await kyselyOf(db)
    .selectFrom('ledger')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('target', '=', target)
    .where('school_code', '=', schoolCode)
    .where('stream', '=', stream)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return row.n;
}

export interface DeadLetterInput {
  runId: string;
  schoolCode: string;
  target: string;
  stream: string;
  recordKey: string | null;
  /** Where the record's body is (staged batch id) and what was sent: never the body itself. */
  batch: { stagedBatchId: string; idempotencyKey: string; keys?: string[] };
  code: string;
  answer: unknown;
  attempts: number;
}

export async function addDeadLetters(db: Db, letters: readonly DeadLetterInput[]): Promise<void> {
  if (letters.length === 0) return;
  await kyselyOf(db)
    .insertInto('dead_letters')
    .values(
      letters.map((l) => ({
        run_id: l.runId,
        school_code: l.schoolCode,
        target: l.target,
        stream: l.stream,
        record_key: l.recordKey,
        batch: JSON.stringify(l.batch),
        code: l.code,
        answer: JSON.stringify(l.answer ?? null),
        attempts: l.attempts,
      })),
    )
    .execute();
}
