/**
 * The push step, one staged batch at a time: claim it, send it through its target once, and record
 * the answer (ledger, lineage, dead letters, counts) in one transaction under the claim's lease.
 * When to try again is decided here (`pushStep`), with the batch's attempts kept in PostgreSQL;
 * waiting is the caller's business: a delayed queue job in a worker, a sleep when run in-process.
 *
 * Exactly once at the target: the batch's idempotency key is derived from its content and run,
 * so a batch sent again after a crash (the worker died between the target's answer and the
 * transaction) is answered from the target's memory of the key and applied once.
 */
import { createHash } from 'node:crypto';
import { errorKind } from '../model/error-catalogue.ts';
import { type AdapterLogger, RetryableError, type StreamName, ThrottledError } from '../sdk/index.ts';
import {
  type BatchOutcome,
  claimPush,
  completeOutbox,
  type Database,
  deferPush,
  getRun,
  type Keyring,
  LeaseLostError,
  loadStagedBatch,
  type PushLease,
  type RecordOutcome,
  type RunCarry,
  type RunCounts,
  recordBatch,
  renewPushLease,
} from '../store/index.ts';
import type { MappedRecord, Target } from '../targets/target.ts';
import { publishBatchPushed } from './events.ts';
import { isDatabaseUnavailable, keepLease, StoreUnavailableError } from './lease.ts';

/** What a staged batch carries to the push step. */
export interface StagedPayload {
  schoolCode: string;
  upserts: Array<
    MappedRecord & {
      hash: string;
      created: boolean;
      location?: string;
      /** The key the target holds the record under until now (the source changed its key). */
      previousKey?: string;
      /** Hex hash of the source record when it had no problem: kept in the ledger once accepted. */
      sourceHash?: string;
    }
  >;
  deletes: string[];
}

/**
 * A batch's idempotency key, derived from its content and the run that sends it: a retry of the
 * same batch in the same run is applied once, while the next run's attempt at a record the target
 * refused is a new request (a target replays its stored answer for a key it has seen).
 */
export function idempotencyKeyOf(target: string, stream: string, payload: StagedPayload, runId = ''): string {
  const h = createHash('sha256').update(
    `${target}\u0000${stream}\u0000${payload.schoolCode}\u0000${runId}\u0000`,
  );
  for (const u of [...payload.upserts].sort((a, b) => a.key.localeCompare(b.key)))
    h.update(`u\u0000${u.key}\u0000${u.hash}\n`);
  for (const d of [...payload.deletes].sort()) h.update(`d\u0000${d}\n`);
  return h.digest('hex');
}

export interface PushContext {
  db: Database;
  keyring: Keyring;
  targets: ReadonlyMap<string, Target>;
  logger: AdapterLogger;
  signal?: AbortSignal;
}

/** How the push step of one batch is carried out: leases, attempts, how long an outage may last. */
export interface PushPolicy {
  /** A push's lease (default 30 s, WORKER_LOCK_MS): renewed while the target is asked. */
  leaseMs: number;
  /** Tries of a batch the target answers with a retryable error (PUSH_ATTEMPTS). */
  attempts: number;
  /** How long a batch may find its target unavailable before it is given up (PUSH_OUTAGE_MAX_MS). */
  outageMaxMs: number;
  owner: string;
}

export const DEFAULT_PUSH_POLICY: Omit<PushPolicy, 'owner'> = {
  leaseMs: 30_000,
  attempts: 5,
  outageMaxMs: 24 * 3_600_000,
};

/** What one go at a batch's push step came to. */
export type PushStepOutcome =
  /** Sent and recorded. */
  | { kind: 'pushed' }
  /** Recorded before (a job delivered twice), or its run no longer pushing. */
  | { kind: 'already' }
  /** Another worker took the batch over while this one was at it: its work is that worker's now. */
  | { kind: 'lost' }
  /** Given up: in dead letters, counted failed. */
  | { kind: 'dead-lettered'; reason: 'attempts' | 'refused' | 'outage'; code: string }
  /** To be tried again after `delayMs`; `cause` says what it cost (see DeferKind). */
  | {
      kind: 'retry';
      delayMs: number;
      cause: 'attempt' | 'wait' | 'throttled' | 'leased' | 'store';
      code: string;
    };

/**
 * One go at the push step of a staged batch: claim it (a lease with a fencing token), send it once,
 * record the answer under the lease. A failure is sorted by what it says of the target:
 * - the gateway's quota (`throttled`): wait as told, nothing spent;
 * - the target or the gateway unavailable (unreachable, 502/503/504, timed out: `wait`): no attempt
 *   spent, since an outage is not the batch's fault; the time is counted, and a batch that finds its
 *   target down for longer than `outageMaxMs` is given up;
 * - any other retryable answer (`attempt`): one of `attempts` spent, given up after the last;
 * - a permanent one: given up at once.
 * A batch given up goes to dead letters, so its records can be replayed. A database that is away
 * (`store`) leaves the batch as it is: the lease lapses and the next go claims it again.
 */
export async function pushStep(
  ctx: PushContext,
  batchId: string,
  policy: PushPolicy,
): Promise<PushStepOutcome> {
  let claim: Awaited<ReturnType<typeof claimPush>>;
  try {
    claim = await claimPush(ctx.db, batchId, { leaseMs: policy.leaseMs, owner: policy.owner });
  } catch (error) {
    if (isDatabaseUnavailable(error)) return storeRetry(error, policy);
    throw error;
  }
  if (!claim.claimed) {
    if (claim.reason === 'leased')
      return { kind: 'retry', delayMs: claim.retryInMs + jitter(500), cause: 'leased', code: 'LEASE_HELD' };
    if (claim.reason === 'not-pushing') await completeOutbox(ctx.db, 'batch.push', batchId);
    return { kind: 'already' };
  }
  const lease = claim.lease;
  const heartbeat = keepLease(() => renewPushLease(ctx.db, lease, policy.leaseMs), {
    leaseMs: policy.leaseMs,
    logger: ctx.logger,
    lost: () => new LeaseLostError('push', `lô / batch ${batchId}`),
  });
  try {
    const signal = ctx.signal ? AbortSignal.any([ctx.signal, heartbeat.signal]) : heartbeat.signal;
    const recorded = await pushBatchOnce({ ...ctx, signal }, lease);
    return recorded === 'recorded' ? { kind: 'pushed' } : { kind: recorded };
  } catch (error) {
    return await afterFailure(ctx, lease, policy, heartbeat.signal.aborted ? heartbeat.signal.reason : error);
  } finally {
    heartbeat.stop();
  }
}

async function afterFailure(
  ctx: PushContext,
  lease: PushLease,
  policy: PushPolicy,
  error: unknown,
): Promise<PushStepOutcome> {
  if (error instanceof LeaseLostError) return { kind: 'lost' };
  if (isDatabaseUnavailable(error)) return storeRetry(error, policy);
  const code = (error as { code?: string })?.code ?? 'PUSH_FAILED';
  const message = (error as Error)?.message ?? String(error);
  try {
    if (!(error instanceof RetryableError)) {
      await failBatch(ctx, lease, error, lease.attempts + 1, 'refused');
      return { kind: 'dead-lettered', reason: 'refused', code };
    }
    if (isThrottle(error)) {
      await deferPush(ctx.db, lease, 'throttled', { code, message });
      return { kind: 'retry', delayMs: retryDelayMs(error, 1, 1_000), cause: 'throttled', code };
    }
    if (isUnavailable(error)) {
      if (lease.unavailableMs >= policy.outageMaxMs) {
        await failBatch(ctx, lease, error, lease.attempts, 'outage');
        return { kind: 'dead-lettered', reason: 'outage', code };
      }
      const after = await deferPush(ctx.db, lease, 'wait', { code, message });
      return { kind: 'retry', delayMs: retryDelayMs(error, after.waits, 500, 60_000), cause: 'wait', code };
    }
    if (lease.attempts + 1 >= policy.attempts) {
      await failBatch(ctx, lease, error, lease.attempts + 1, 'attempts');
      return { kind: 'dead-lettered', reason: 'attempts', code };
    }
    const after = await deferPush(ctx.db, lease, 'attempt', { code, message });
    return { kind: 'retry', delayMs: retryDelayMs(error, after.attempts, 500), cause: 'attempt', code };
  } catch (bookkeeping) {
    if (bookkeeping instanceof LeaseLostError) return { kind: 'lost' };
    if (isDatabaseUnavailable(bookkeeping)) return storeRetry(bookkeeping, policy);
    throw bookkeeping;
  }
}

/** The database is away: the batch's lease lapses by itself, then the step is tried again. */
function storeRetry(error: unknown, policy: PushPolicy): PushStepOutcome {
  return {
    kind: 'retry',
    delayMs: policy.leaseMs + jitter(1_000),
    cause: 'store',
    code: new StoreUnavailableError('postgres', error).code,
  };
}

const jitter = (ms: number) => Math.round(Math.random() * ms);

interface Prepared {
  batch: { id: string; runId: string; target: string; stream: string };
  target: Target;
  payload: StagedPayload;
  idempotencyKey: string;
  run: NonNullable<Awaited<ReturnType<typeof getRun>>>;
}

/** Loads a batch and what it needs; undefined when there is nothing (left) to send. */
async function prepare(ctx: PushContext, batchId: string): Promise<Prepared | undefined> {
  const batch = await loadStagedBatch<StagedPayload>(ctx.db, ctx.keyring, batchId);
  if (!batch || batch.pushed || !batch.payload) return undefined;
  const run = await getRun(ctx.db, batch.runId);
  if (!run) return undefined;
  const target = ctx.targets.get(batch.target);
  if (!target) {
    throw new RetryableError(
      'TARGET_NOT_CONFIGURED',
      `Lần chạy ${batch.runId} có lô cho đích "${batch.target}" chưa cấu hình / Run ${batch.runId} staged a batch for target "${batch.target}", which is not configured`,
    );
  }
  const payload = batch.payload;
  // Runs staged before late exclusions were taken out of their batches carry them in `carry`.
  const excluded = new Set((run.carry as RunCarry | null)?.excluded ?? []);
  if (excluded.size > 0) payload.upserts = payload.upserts.filter((u) => !excluded.has(u.key));
  const idempotencyKey = idempotencyKeyOf(target.id, batch.stream, payload, batch.runId);
  return { batch, target, payload, idempotencyKey, run };
}

/**
 * Sends one staged batch once and records the target's answer under the push's lease. Throws the
 * target's RetryableError or PermanentError for `pushStep` to sort.
 */
async function pushBatchOnce(ctx: PushContext, lease: PushLease): Promise<RecordOutcome> {
  const started = performance.now();
  const prepared = await prepare(ctx, lease.batchId);
  if (!prepared) return 'already';
  const sending = performance.now();
  const { batch, target, payload, idempotencyKey, run } = prepared;
  const answer = await target.push(
    {
      target: target.id,
      stream: batch.stream as StreamName,
      schoolCode: payload.schoolCode,
      runId: batch.runId,
      idempotencyKey,
      upserts: payload.upserts.map(({ key, body, previousKey }) => ({
        key,
        body,
        ...(previousKey ? { previousKey } : {}),
      })),
      deletes: payload.deletes,
      correlationId: `${batch.runId}:${batch.id}`,
    },
    ctx.signal ? { signal: ctx.signal } : {},
  );
  const sent = performance.now();
  const byKey = new Map(payload.upserts.map((u) => [u.key, u]));
  const deletes = new Set(payload.deletes);
  const counts: Partial<RunCounts> = {};
  const add = (k: keyof RunCounts) => {
    counts[k] = (counts[k] ?? 0) + 1;
  };
  const ledger: BatchOutcome['ledger'][number][] = [];
  const letters: BatchOutcome['deadLetters'][number][] = [];
  const renames: Array<{ from: string; to: string }> = [];
  for (const r of answer.results) {
    const upsert = byKey.get(r.key);
    if (r.outcome === 'accepted') {
      if (deletes.has(r.key)) {
        add('deleted');
        ledger.push({ key: r.key, hash: '00', accepted: true, deleted: true });
      } else if (upsert) {
        add(upsert.created ? 'created' : 'updated');
        ledger.push({
          key: r.key,
          hash: upsert.hash,
          accepted: true,
          ...(r.targetVersion ? { targetVersion: r.targetVersion } : {}),
          ...(upsert.sourceHash ? { sourceHash: upsert.sourceHash } : {}),
        });
        if (upsert.previousKey) renames.push({ from: upsert.previousKey, to: r.key });
      }
      continue;
    }
    add(r.outcome === 'refused' ? 'refused' : 'failed');
    letters.push({
      runId: batch.runId,
      schoolCode: payload.schoolCode,
      target: target.id,
      stream: batch.stream,
      recordKey: r.key,
      batch: { stagedBatchId: batch.id, idempotencyKey },
      code: r.code ?? (r.outcome === 'refused' ? 'REFUSED' : 'FAILED'),
      answer: { outcome: r.outcome, code: r.code, message: r.message, messageId: answer.messageId },
      attempts: lease.attempts + 1,
    });
  }
  const recorded = await recordBatch(
    ctx.db,
    {
      runId: batch.runId,
      batchId: batch.id,
      target: target.id,
      stream: batch.stream,
      schoolCode: payload.schoolCode,
      counts,
      ledger,
      deadLetters: letters,
      renames,
      // No `attempts`: the count is of retryable answers (batchProgress), and this one was not.
      lineage: {
        adapterId: run.adapter_id,
        adapterVersion: run.adapter_version,
        mappingVersion: target.mappingVersion,
        gatewayMessageId: answer.messageId,
        entries: answer.results.map((r) => ({
          recordKey: r.key,
          sourceLocation: byKey.get(r.key)?.location ?? null,
          outcome: r.outcome,
          code: r.code,
          message: r.message,
          targetVersion: r.targetVersion,
          deleted: deletes.has(r.key),
        })),
      },
      // Where push time goes, summed over the run's batches: loading and unsealing the batch, and
      // the target's answer (gateway included); recordBatch adds its own transaction's time.
      timings: {
        pushLoadMs: Math.round(sending - started),
        pushSendMs: Math.round(sent - sending),
      },
    },
    lease,
  );
  if (recorded === 'recorded') {
    publishBatchPushed({
      schoolCode: payload.schoolCode,
      target: target.id,
      stream: batch.stream,
      outcome: 'answered',
      counts,
      sendMs: sent - sending,
    });
  }
  return recorded;
}

/**
 * Gives up on a batch (attempts exhausted, refused as a whole, or its target down for too long):
 * a dead letter for each of its records, with the error as the answer, and the batch counted failed.
 * Nothing reaches the ledger, so the records are sent again by a replay or by the next run.
 */
async function failBatch(
  ctx: PushContext,
  lease: PushLease,
  error: unknown,
  attempts: number,
  reason: 'attempts' | 'refused' | 'outage',
): Promise<void> {
  const prepared = await prepare(ctx, lease.batchId);
  if (!prepared) return;
  const { batch, payload, idempotencyKey } = prepared;
  const keys = [...payload.upserts.map((u) => u.key), ...payload.deletes];
  ctx.logger.warn('push gave up', {
    runId: batch.runId,
    target: batch.target,
    code: (error as { code?: string })?.code,
    attempts,
  });
  const outcome = await recordBatch(
    ctx.db,
    {
      runId: batch.runId,
      batchId: batch.id,
      target: batch.target,
      stream: batch.stream,
      schoolCode: payload.schoolCode,
      counts: { failed: keys.length },
      ledger: [],
      attempts,
      // One letter a record, each with the batch's reason: a replay answers for each, and a record
      // met again by a later run is the same letter seen again.
      deadLetters: keys.map((recordKey) => ({
        runId: batch.runId,
        schoolCode: payload.schoolCode,
        target: batch.target,
        stream: batch.stream,
        recordKey,
        batch: { stagedBatchId: batch.id, idempotencyKey },
        code: (error as { code?: string })?.code ?? 'PUSH_FAILED',
        answer: { message: (error as Error)?.message },
        attempts,
      })),
    },
    lease,
  );
  if (outcome === 'lost') throw new LeaseLostError('push', `lô / batch ${lease.batchId}`);
  if (outcome === 'recorded') {
    publishBatchPushed({
      schoolCode: payload.schoolCode,
      target: batch.target,
      stream: batch.stream,
      outcome: 'given_up',
      reason,
      counts: { failed: keys.length },
    });
  }
}

/**
 * The gateway's quota (429, WSO2 throttling codes 900800–900806): a reason to wait, not a failure
 * of the target, so it neither spends an attempt nor counts toward the circuit breaker. The
 * clients throw a ThrottledError for it; which codes throttle is the error catalogue's to say.
 */
export function isThrottle(error: unknown): boolean {
  return error instanceof ThrottledError;
}

/**
 * The target, or the gateway in front of it, could not take the batch at all (connection refused,
 * no answer in time, a proxy's 502/503/504, WSO2's back-end failures, X-Road's network faults):
 * an outage, not an answer about this batch, so it spends no attempt. The error catalogue's kind
 * `unavailable` says which codes are.
 */
export function isUnavailable(error: unknown): boolean {
  return error instanceof RetryableError && errorKind(error.code) === 'unavailable';
}

/** Backoff before attempt `attempt + 1`: the target's Retry-After, else exponential with jitter. */
export function retryDelayMs(error: unknown, attempt: number, baseMs = 200, capMs = 30_000): number {
  const after = (error as { retryAfterMs?: number })?.retryAfterMs;
  if (typeof after === 'number' && after >= 0) return Math.min(after, capMs);
  return Math.min(baseMs * 2 ** (Math.max(attempt, 1) - 1) * (0.5 + Math.random()), capMs);
}
