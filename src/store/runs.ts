/**
 * Sync runs, their checkpoints and staged batches: the state a run leaves in PostgreSQL, which is
 * the truth whatever happens to the process or to Redis.
 */
import { sql } from 'kysely';
import type { Keyring } from './crypto.ts';
import { type Db, kyselyOf } from './db.ts';
import { assertPullLease, LeaseLostError, type PullLease } from './leases.ts';
import { seal } from './sealed.ts';
import type { RunCounts, RunState, SyncMode } from './tables.ts';

export const ZERO_COUNTS: RunCounts = {
  pulled: 0,
  valid: 0,
  invalid: 0,
  excluded: 0,
  unchanged: 0,
  staged: 0,
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

/** A request that carried an `Idempotency-Key`: the key, and a hash of what it asked for. */
export interface IdempotentRequest {
  key: string;
  requestHash: string;
}

export type IdempotentOutcome =
  | { runId: string; replayed: boolean }
  /** The key was used before by the same requester for a different request. */
  | { conflict: true; runId: string };

/**
 * A queued run for a request that carried an `Idempotency-Key` (scoped to who asked): the first
 * request with the key creates the run; a repeat with the same request gets that run back
 * (`replayed`), one with a different request is a conflict. Two repeats at once are settled by the
 * unique index: the loser reads the winner's run.
 */
export async function createQueuedRunOnce(
  db: Db,
  run: NewRun & { requestedBy: string },
  idempotency: IdempotentRequest,
): Promise<IdempotentOutcome> {
  const existing = async (): Promise<IdempotentOutcome | undefined> => {
    const row = await kyselyOf(db)
      .selectFrom('runs')
      .select(['id', 'request_hash'])
      .where('requested_by', '=', run.requestedBy)
      .where('idempotency_key', '=', idempotency.key)
      .executeTakeFirst();
    if (!row) return undefined;
    return row.request_hash === idempotency.requestHash
      ? { runId: row.id, replayed: true }
      : { conflict: true, runId: row.id };
  };
  const before = await existing();
  if (before) return before;
  try {
    const runId = await kyselyOf(db)
      .transaction()
      .execute(async (trx) => {
        const row = await trx
          .insertInto('runs')
          .values({
            ...runRow(run),
            idempotency_key: idempotency.key,
            request_hash: idempotency.requestHash,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('outbox')
          .values({ topic: 'run.pull', key: row.id, payload: JSON.stringify({ runId: row.id }) })
          .execute();
        return row.id;
      });
    return { runId, replayed: false };
  } catch (error) {
    // 23505: another request with the same key committed first.
    if ((error as { code?: string }).code !== '23505') throw error;
    const winner = await existing();
    if (!winner) throw error;
    return winner;
  }
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

/**
 * Keeps a batch for the push step, sealed (it holds personal data), under the pull's lease: the
 * row is written only while the run is still `pulling` under this token (the run's row is share-
 * locked, so a claim that takes the run over waits for this insert, then deletes it with the rest).
 * LeaseLostError otherwise.
 */
export async function stageBatch(
  db: Db,
  keyring: Keyring,
  lease: PullLease,
  batch: { target: string; stream: string; count: number; payload: unknown; ordinal?: number },
): Promise<string> {
  const sealed = seal(keyring, batch.payload);
  const { rows } = await sql<{ id: string }>`
    insert into staged_batches (run_id, target, stream, kind, payload, key_id, record_count, ordinal, pull_token)
    select r.id, ${batch.target}, ${batch.stream}, 'push', ${sealed.payload}, ${sealed.keyId},
      ${batch.count}, ${batch.ordinal ?? 0}, r.lease_token
    from runs r
    where r.id = ${lease.runId}::uuid and r.lease_token = ${lease.token}::bigint and r.state = 'pulling'
    for share
    returning id::text as id
  `.execute(kyselyOf(db));
  if (!rows[0]) throw new LeaseLostError('pull', `lần chạy / run ${lease.runId}`);
  return rows[0].id;
}

/**
 * Rewrites a staged batch of the pull that holds `lease` (records taken out after it was staged);
 * a batch left with nothing to send is dropped. LeaseLostError when the lease is gone.
 */
export async function restageBatch(
  db: Db,
  keyring: Keyring,
  lease: PullLease,
  batchId: string,
  batch: { count: number; payload: unknown },
): Promise<void> {
  await kyselyOf(db)
    .transaction()
    .execute(async (trx) => {
      await assertPullLease(trx, lease);
      if (batch.count === 0) {
        await trx.deleteFrom('staged_batches').where('id', '=', batchId).execute();
        return;
      }
      const sealed = seal(keyring, batch.payload);
      await trx
        .updateTable('staged_batches')
        .set({ payload: sealed.payload, key_id: sealed.keyId, record_count: batch.count })
        .where('id', '=', batchId)
        .where('pushed_at', 'is', null)
        .execute();
    });
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
