/**
 * The state transitions of a run carried out as steps (pull, then one push per staged batch), each
 * in one transaction with the outbox row that announces the next job, so a crash or a Redis that
 * forgot its jobs can always be picked up from PostgreSQL:
 *
 *   queued ──claimPull──► pulling ──enterPushing──► pushing ──recordBatch…──► finishIfDone ──► succeeded
 *                             │                        ▲                            └── (counts do not
 *                             └──(held)──► held ──release──┘                             reconcile) ──► failed
 *
 * Each step is owned through a lease with a fencing token (leases.ts): the pull's writes name the
 * run's token, a push's writes the batch's.
 *
 * Outbox topics: `run.pull` (key: run id) and `batch.push` (key: staged batch id).
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Keyring } from './crypto.ts';
import { type Db, kyselyOf } from './db.ts';
import { addDeadLetters, type DeadLetterInput, resolveDeadLetters } from './dead-letters.ts';
import { publishRunEnded } from './events.ts';
import {
  assertPullLease,
  LeaseLostError,
  type LeaseTerms,
  leaseInterval,
  nextFencingToken,
  type PullLease,
  type PushLease,
} from './leases.ts';
import { applyTargetResults, renameLedgerKeys, type TargetResult } from './ledger.ts';
import { addLineage, type LineageEntry } from './lineage.ts';
import { reconcileRun, reconciliationFailure } from './run-reconciliation.ts';
import { saveCheckpoint, setRunState, ZERO_COUNTS } from './runs.ts';
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
  | { claimed: true; lease: PullLease }
  | { claimed: false; reason: 'busy'; blockingRunId: string }
  | { claimed: false; reason: 'leased'; retryInMs: number; owner: string | null }
  | { claimed: false; reason: 'gone'; state?: string };

/**
 * Takes a queued run, or one left `pulling` by a worker whose lease has lapsed, for its pull step,
 * under a new lease. One run per school at a time: its ledger diff must see what the previous run
 * delivered. A run still pulling under a live lease is refused (`leased`): its owner is at work.
 * A run taken over starts its pull over: nothing it staged was sent, so its unsent batches go, in
 * this transaction; the old owner's later writes name an older token and are refused.
 */
export async function claimPull(
  db: Db,
  runId: string,
  adapterVersion: string,
  terms: LeaseTerms,
): Promise<ClaimOutcome> {
  return kyselyOf(db)
    .transaction()
    .execute(async (trx) => {
      const { rows } = await sql<{
        state: string;
        school_code: string;
        owner: string | null;
        left_ms: number;
      }>`
        select state, school_code, lease_owner as owner,
          coalesce(greatest(0, ceil(extract(epoch from (lease_until - now())) * 1000)), 0)::int as left_ms
        from runs where id = ${runId}::uuid
        for update
      `.execute(trx);
      const run = rows[0];
      if (!run) return { claimed: false, reason: 'gone' };
      if (run.state !== 'queued' && run.state !== 'pulling') {
        return { claimed: false, reason: 'gone', state: run.state };
      }
      if (run.state === 'pulling' && run.left_ms > 0) {
        return { claimed: false, reason: 'leased', retryInMs: run.left_ms, owner: run.owner };
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
      const token = await nextFencingToken(trx);
      await sql`
        update runs set state = 'pulling', started_at = now(), adapter_version = ${adapterVersion},
          counts = ${JSON.stringify(ZERO_COUNTS)}::jsonb, carry = null,
          lease_token = ${token}::bigint, lease_until = now() + ${leaseInterval(terms.leaseMs)},
          lease_owner = ${terms.owner}
        where id = ${runId}::uuid
      `.execute(trx);
      await trx
        .deleteFrom('staged_batches')
        .where('run_id', '=', runId)
        .where('pushed_at', 'is', null)
        .execute();
      return { claimed: true, lease: { runId, token } };
    });
}

/** Writes the pull step's running counts (for progress); refused once the lease is lost. */
export async function savePullProgress(db: Db, lease: PullLease, counts: RunCounts): Promise<void> {
  const { rows } = await sql<{ one: number }>`
    update runs set counts = ${JSON.stringify(counts)}::jsonb
    where id = ${lease.runId}::uuid and lease_token = ${lease.token}::bigint and state = 'pulling'
    returning 1 as one
  `.execute(kyselyOf(db));
  if (rows.length === 0) throw new LeaseLostError('pull', `lần chạy / run ${lease.runId}`);
}

/**
 * The run has staged what it will send: `pushing`, with one `batch.push` outbox row per unsent
 * batch, in one transaction. From a pull, only under its lease (else LeaseLostError); from a hold
 * (a person released it), under a new token, so a pull that was still writing cannot any more.
 * Returns the announcements, or undefined when a held run was decided by someone else first.
 */
export async function enterPushing(
  db: Db,
  from: { lease: PullLease } | { heldRunId: string },
  summary: {
    counts?: RunCounts;
    report?: unknown;
    timings?: Record<string, number>;
    carry: RunCarry;
    hold?: unknown;
    /** Records with each rule's problems, per record type (the data-quality scorecard). */
    ruleRecords?: readonly RuleRecordCount[];
  },
): Promise<PushAnnouncement[] | undefined> {
  const runId = 'lease' in from ? from.lease.runId : from.heldRunId;
  return kyselyOf(db)
    .transaction()
    .execute(async (trx) => {
      const { rows } = await sql<{ pull_token: string | null }>`
        select lease_token::text as pull_token from runs
        where id = ${runId}::uuid and state = ${'lease' in from ? 'pulling' : 'held'}
          ${'lease' in from ? sql`and lease_token = ${from.lease.token}::bigint` : sql``}
        for update
      `.execute(trx);
      const run = rows[0];
      if (!run) {
        if ('lease' in from) throw new LeaseLostError('pull', `lần chạy / run ${runId}`);
        return undefined;
      }
      // Only what this claim staged goes out; a stale claim's rows (there should be none: staging
      // is fenced too) would be sent by nobody and must not hold the run open.
      await trx
        .deleteFrom('staged_batches')
        .where('run_id', '=', runId)
        .where('pushed_at', 'is', null)
        .where((eb) =>
          run.pull_token === null
            ? eb('pull_token', 'is not', null)
            : eb.or([eb('pull_token', 'is', null), eb('pull_token', '<>', run.pull_token)]),
        )
        .execute();
      await sql`
        update runs set state = 'pushing', lease_until = null,
          lease_token = ${'lease' in from ? sql`lease_token` : sql`nextval('fencing_tokens')`},
          carry = ${JSON.stringify({ ...summary.carry, pushStartedAt: new Date().toISOString() })}::jsonb
          ${summary.counts ? sql`, counts = ${JSON.stringify(summary.counts)}::jsonb` : sql``}
          ${summary.report !== undefined ? sql`, report = ${JSON.stringify(summary.report)}::jsonb` : sql``}
          ${summary.timings ? sql`, timings = ${JSON.stringify(summary.timings)}::jsonb` : sql``}
          ${summary.hold !== undefined ? sql`, hold = ${JSON.stringify(summary.hold)}::jsonb` : sql``}
        where id = ${runId}::uuid
      `.execute(trx);
      if (summary.ruleRecords) await saveRuleRecords(trx, runId, summary.ruleRecords);
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

/** Per record type and rule, the records of a run with at least one of the rule's problems. */
export interface RuleRecordCount {
  recordType: string;
  rule: string;
  severity: string;
  records: number;
}

// Written with the run's end of pull, in its transaction and under its lease: a pull started over
// by another worker replaces them.
async function saveRuleRecords(
  trx: Transaction<Tables>,
  runId: string,
  counts: readonly RuleRecordCount[],
): Promise<void> {
  await sql`delete from run_rule_records where run_id = ${runId}::uuid`.execute(trx);
  if (counts.length === 0) return;
  await sql`
    insert into run_rule_records (run_id, record_type, rule_code, severity, records)
    select ${runId}::uuid, x.record_type, x.rule_code, x.severity, x.records
    from jsonb_to_recordset(${JSON.stringify(
      counts.map((c) => ({
        record_type: c.recordType,
        rule_code: c.rule,
        severity: c.severity,
        records: c.records,
      })),
    )}::jsonb) as x(record_type text, rule_code text, severity text, records integer)
  `.execute(trx);
}

/**
 * The pull step ended in a hold or a failure: the run's state and its outbox row done, under the
 * pull's lease (a worker that lost it must not fail a run another is carrying: LeaseLostError).
 */
export async function endPull(
  db: Db,
  lease: PullLease,
  state: 'held' | 'failed',
  extra: {
    counts?: RunCounts;
    report?: unknown;
    hold?: unknown;
    timings?: Record<string, number>;
    ruleRecords?: readonly RuleRecordCount[];
  },
): Promise<void> {
  const { ruleRecords, ...fields } = extra;
  const ended = await kyselyOf(db)
    .transaction()
    .execute(async (trx) => {
      await assertPullLease(trx, lease);
      await setRunState(trx, lease.runId, state, fields);
      if (ruleRecords) await saveRuleRecords(trx, lease.runId, ruleRecords);
      const { rows } = await sql<{ school_code: string }>`
        update runs set lease_until = null where id = ${lease.runId}::uuid returning school_code`.execute(
        trx,
      );
      await complete(trx, 'run.pull', lease.runId);
      return rows[0]?.school_code;
    });
  if (ended !== undefined) publishRunEnded({ schoolCode: ended, state });
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
  /** Keys the target accepted under a new key (`previousKey` → `key`): their ledger rows move. */
  renames?: ReadonlyArray<{ from: string; to: string }>;
  /** The batch's attempts as they stand when it is recorded (dead-lettered after its last). */
  attempts?: number;
}

/** What recording a batch's answer came to. */
export type RecordOutcome = 'recorded' | 'already' | 'lost';

/**
 * Everything one pushed batch changes, in one transaction, under the push's lease: the ledger from
 * the target's answers, lineage, dead letters, the run's counts, the batch marked pushed and its
 * outbox row completed. A batch recorded before (its job ran twice) changes nothing: `already`; a
 * worker whose lease another has taken changes nothing either: `lost` (the new owner sends the
 * batch again under the same idempotency key, and the target answers from its memory of it).
 */
export async function recordBatch(db: Db, outcome: BatchOutcome, lease: PushLease): Promise<RecordOutcome> {
  return kyselyOf(db)
    .transaction()
    .execute(async (trx) => {
      const began = performance.now();
      const marked = await trx
        .updateTable('staged_batches')
        .set({
          pushed_at: new Date(),
          result: JSON.stringify(outcome.counts),
          push_lease_until: null,
          ...(outcome.attempts !== undefined ? { attempts: outcome.attempts } : {}),
        })
        .where('id', '=', outcome.batchId)
        .where('push_token', '=', lease.token)
        .where('pushed_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!marked) {
        const row = await trx
          .selectFrom('staged_batches')
          .select('pushed_at')
          .where('id', '=', outcome.batchId)
          .executeTakeFirst();
        return row?.pushed_at ? 'already' : 'lost';
      }
      await applyTargetResults(trx, {
        target: outcome.target,
        stream: outcome.stream,
        schoolCode: outcome.schoolCode,
        runId: outcome.runId,
        results: outcome.ledger,
      });
      if (outcome.renames && outcome.renames.length > 0) {
        await renameLedgerKeys(trx, outcome.target, outcome.stream, outcome.renames);
      }
      if (outcome.lineage) {
        await addLineage(trx, {
          target: outcome.target,
          stream: outcome.stream,
          runId: outcome.runId,
          stagedBatchId: outcome.batchId,
          ...outcome.lineage,
        });
      }
      // Delivered now: whatever letters those records had are closed; refused ones are parked.
      await resolveDeadLetters(trx, {
        target: outcome.target,
        stream: outcome.stream,
        schoolCode: outcome.schoolCode,
        keys: outcome.ledger.filter((r) => r.accepted).map((r) => r.key),
      });
      await addDeadLetters(trx, outcome.deadLetters);
      await addToRun(trx, outcome.runId, 'counts', outcome.counts);
      if (outcome.timings) {
        const pushRecordMs = Math.round(performance.now() - began);
        await addToRun(trx, outcome.runId, 'timings', { ...outcome.timings, pushRecordMs });
      }
      await complete(trx, 'batch.push', outcome.batchId);
      return 'recorded';
    });
}

/** Why a push is tried again later, and what it costs the batch. */
export type DeferKind =
  /** The target answered with a retryable error: one of PUSH_ATTEMPTS spent. */
  | 'attempt'
  /** The target (or the gateway before it) was unavailable: no attempt spent, time counted. */
  | 'wait'
  /** The gateway's quota: nothing spent. */
  | 'throttled';

/**
 * A push that will be tried again: the lease released (the retry may land on any worker), the
 * attempt or the wait counted, the error kept for the operator. Returns the batch's tallies after.
 * LeaseLostError when another worker holds the batch now.
 */
export async function deferPush(
  db: Db,
  lease: PushLease,
  kind: DeferKind,
  error: { code: string; message: string },
): Promise<{ attempts: number; waits: number; unavailableMs: number }> {
  const lastError = JSON.stringify({
    code: error.code,
    message: error.message,
    at: new Date().toISOString(),
  });
  const { rows } = await sql<{ attempts: number; waits: number; unavailable_ms: number }>`
    update staged_batches set
      push_lease_until = null,
      attempts = attempts + ${kind === 'attempt' ? 1 : 0},
      waits = waits + ${kind === 'wait' ? 1 : 0},
      unavailable_since = ${
        kind === 'wait'
          ? sql`coalesce(unavailable_since, now())`
          : kind === 'attempt'
            ? sql`null`
            : sql`unavailable_since`
      },
      last_error = ${lastError}::jsonb
    where id = ${lease.batchId}::bigint and push_token = ${lease.token}::bigint and pushed_at is null
    returning attempts, waits,
      coalesce(floor(extract(epoch from (now() - unavailable_since)) * 1000), 0)::int as unavailable_ms
  `.execute(kyselyOf(db));
  const row = rows[0];
  if (!row) throw new LeaseLostError('push', `lô / batch ${lease.batchId}`);
  return { attempts: row.attempts, waits: row.waits, unavailableMs: row.unavailable_ms };
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
 * Ends a pushing run once none of its batches is left. It succeeds only when its counts reconcile
 * (see run-reconciliation.ts): then its checkpoints are saved, in the same transaction, and never
 * before. Counts that do not add up fail the run with the reason, and the checkpoints stay where
 * they were, so the next incremental run reads the same changes again. Safe to call from every push
 * job: the run's row is locked, and only the call that sees it pushing with nothing left ends it.
 */
export async function finishIfDone(
  db: Db,
  runId: string,
): Promise<'succeeded' | 'failed' | 'pending' | 'not-pushing'> {
  let changed = 0;
  let schoolCode = '';
  const outcome = await kyselyOf(db)
    .transaction()
    .execute(async (trx) => {
      const run = await trx
        .selectFrom('runs')
        .select(['state', 'school_code', 'adapter_id', 'carry', 'timings', 'counts', 'report'])
        .where('id', '=', runId)
        .forUpdate()
        .executeTakeFirst();
      if (run?.state !== 'pushing') return 'not-pushing';
      schoolCode = run.school_code;
      const left = await trx
        .selectFrom('staged_batches')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('run_id', '=', runId)
        .where('pushed_at', 'is', null)
        .executeTakeFirstOrThrow();
      if (left.n > 0) return 'pending';
      const counts = { ...ZERO_COUNTS, ...run.counts };
      const reconciliation = await reconcileRun(trx, runId, run.counts);
      const carry = run.carry as RunCarry | null;
      const timings = carry?.pushStartedAt
        ? { ...run.timings, pushMs: Date.now() - Date.parse(carry.pushStartedAt) }
        : run.timings;
      const report = {
        ...((run.report as Record<string, unknown> | null) ?? {}),
        reconciliation,
        ...(reconciliation.ok ? {} : { failure: reconciliationFailure(reconciliation) }),
      };
      await trx
        .updateTable('runs')
        .set({
          state: reconciliation.ok ? 'succeeded' : 'failed',
          finished_at: new Date(),
          timings: JSON.stringify(timings),
          report: JSON.stringify(report),
        })
        .where('id', '=', runId)
        .execute();
      if (!reconciliation.ok) return 'failed' as const;
      changed = counts.created + counts.updated + counts.deleted;
      for (const { stream, checkpoint } of carry?.pendingCheckpoints ?? []) {
        await saveCheckpoint(
          trx,
          { schoolCode: run.school_code, adapterId: run.adapter_id, stream, runId },
          checkpoint,
        );
      }
      return 'succeeded' as const;
    });
  // The run may have grown the ledger and the identity tables by a good share: the next run's
  // bulk look-ups need the planner to know it (see statistics.ts).
  // Only an optimisation: a failed ANALYZE must not fail a run that has succeeded.
  if (outcome === 'succeeded' || outcome === 'failed') publishRunEnded({ schoolCode, state: outcome });
  if (outcome === 'succeeded') await refreshPlannerStatistics(db, changed).catch(() => []);
  return outcome;
}

/**
 * Runs left `pushing` with every batch answered: their last push job recorded its batch but could
 * not end the run (PostgreSQL went away between the two), and no job is left to try again. The
 * sweeper ends them (finishIfDone is safe to call from anywhere).
 */
export async function strandedPushingRuns(db: Db, limit = 1_000): Promise<string[]> {
  const rows = await kyselyOf(db)
    .selectFrom('runs')
    .select('id')
    .where('state', '=', 'pushing')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('staged_batches')
            .select(sql`1`.as('one'))
            .whereRef('staged_batches.run_id', '=', 'runs.id')
            .where('staged_batches.pushed_at', 'is', null),
        ),
      ),
    )
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
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
            and d.replayed_at is null and d.discarded_at is null and d.resolved_at is null)
      returning 1)
    select count(*)::int as n from purged
  `.execute(kyselyOf(db));
  return rows[0]?.n ?? 0;
}

/** Where a run's batches stand: what district IT reads while a run is pushing. */
export interface BatchProgress {
  batches: number;
  pushed: number;
  /** Tries the target answered with a retryable error, over every batch (they count against PUSH_ATTEMPTS). */
  attempts: number;
  /** Tries that found the target unavailable (no attempt spent). */
  waits: number;
  /** The latest failure of a batch still waiting, if any: its code, message and when. */
  lastError: { code: string; message: string; at: string } | null;
  /** Workers holding a batch now (host:pid). */
  owners: string[];
}

export async function batchProgress(db: Db, runId: string): Promise<BatchProgress> {
  const { rows } = await sql<{
    batches: number;
    pushed: number;
    attempts: number;
    waits: number;
    owners: string[] | null;
  }>`
    select count(*)::int as batches, count(pushed_at)::int as pushed,
      coalesce(sum(attempts), 0)::int as attempts, coalesce(sum(waits), 0)::int as waits,
      array_remove(array_agg(distinct push_owner) filter (where pushed_at is null and push_lease_until > now()), null) as owners
    from staged_batches where run_id = ${runId}::uuid
  `.execute(kyselyOf(db));
  const last = await kyselyOf(db)
    .selectFrom('staged_batches')
    .select('last_error')
    .where('run_id', '=', runId)
    .where('pushed_at', 'is', null)
    .where('last_error', 'is not', null)
    .orderBy(sql`last_error ->> 'at'`, 'desc')
    .limit(1)
    .executeTakeFirst();
  const r = rows[0]!;
  return {
    batches: r.batches,
    pushed: r.pushed,
    attempts: r.attempts,
    waits: r.waits,
    lastError: (last?.last_error as BatchProgress['lastError']) ?? null,
    owners: r.owners ?? [],
  };
}
