/**
 * The push step, one staged batch at a time: send it through its target once, and record the
 * answer (ledger, lineage, dead letters, counts) in one transaction. Retrying is the caller's
 * business: a queue job's attempts and backoff in a worker, a loop when run in-process.
 *
 * Exactly once at the target: the batch's idempotency key is derived from its content and run,
 * so a batch sent again after a crash (the worker died between the target's answer and the
 * transaction) is answered from the target's memory of the key and applied once.
 */
import { createHash } from 'node:crypto';
import { type AdapterLogger, RetryableError, type StreamName } from '../sdk/index.ts';
import {
  type BatchOutcome,
  type Database,
  getRun,
  type Keyring,
  loadStagedBatch,
  type RunCarry,
  type RunCounts,
  recordBatch,
} from '../store/index.ts';
import type { MappedRecord, Target } from '../targets/target.ts';

/** What a staged batch carries to the push step. */
export interface StagedPayload {
  schoolCode: string;
  upserts: Array<MappedRecord & { hash: string; created: boolean; location?: string }>;
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
  // Records staged before a late dataset rule found them invalid are never sent.
  const excluded = new Set((run.carry as RunCarry | null)?.excluded ?? []);
  if (excluded.size > 0) payload.upserts = payload.upserts.filter((u) => !excluded.has(u.key));
  const idempotencyKey = idempotencyKeyOf(target.id, batch.stream, payload, batch.runId);
  return { batch, target, payload, idempotencyKey, run };
}

/**
 * Sends one staged batch once and records the target's answer. Throws the target's
 * RetryableError or PermanentError for the caller to retry or give up; returns `already` when the
 * batch was recorded before (a job delivered twice).
 */
export async function pushBatchOnce(ctx: PushContext, batchId: string): Promise<'pushed' | 'already'> {
  const started = performance.now();
  const prepared = await prepare(ctx, batchId);
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
      upserts: payload.upserts.map(({ key, body }) => ({ key, body })),
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
  const outcome: BatchOutcome = {
    runId: batch.runId,
    batchId: batch.id,
    target: target.id,
    stream: batch.stream,
    schoolCode: payload.schoolCode,
    counts,
    ledger: [],
    deadLetters: [],
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
  };
  const ledger: BatchOutcome['ledger'][number][] = [];
  const letters: BatchOutcome['deadLetters'][number][] = [];
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
        });
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
      attempts: 1,
    });
  }
  const recorded = await recordBatch(ctx.db, {
    ...outcome,
    ledger,
    deadLetters: letters,
    // Where push time goes, summed over the run's batches: loading and unsealing the batch, and
    // the target's answer (gateway included); recordBatch adds its own transaction's time.
    timings: {
      pushLoadMs: Math.round(sending - started),
      pushSendMs: Math.round(sent - sending),
    },
  });
  return recorded ? 'pushed' : 'already';
}

/**
 * Gives up on a batch (attempts exhausted, or refused as a whole): one dead letter naming every
 * key, with the error as the answer, and the batch counted as failed. Nothing reaches the ledger,
 * so the records are sent again by a replay or by the next run.
 */
export async function failBatch(
  ctx: PushContext,
  batchId: string,
  error: unknown,
  attempts: number,
): Promise<void> {
  const prepared = await prepare(ctx, batchId).catch(() => undefined);
  if (!prepared) return;
  const { batch, payload, idempotencyKey } = prepared;
  const keys = [...payload.upserts.map((u) => u.key), ...payload.deletes];
  ctx.logger.warn('push gave up', {
    runId: batch.runId,
    target: batch.target,
    code: (error as { code?: string })?.code,
    attempts,
  });
  await recordBatch(ctx.db, {
    runId: batch.runId,
    batchId: batch.id,
    target: batch.target,
    stream: batch.stream,
    schoolCode: payload.schoolCode,
    counts: { failed: keys.length },
    ledger: [],
    deadLetters: [
      {
        runId: batch.runId,
        schoolCode: payload.schoolCode,
        target: batch.target,
        stream: batch.stream,
        recordKey: null,
        batch: { stagedBatchId: batch.id, idempotencyKey, keys },
        code: (error as { code?: string })?.code ?? 'PUSH_FAILED',
        answer: { message: (error as Error)?.message },
        attempts,
      },
    ],
  });
}

/**
 * The gateway's quota (429, WSO2 throttling codes 900800–900806): a reason to wait, not a failure
 * of the target, so it neither spends an attempt nor counts toward the circuit breaker.
 */
export function isThrottle(error: unknown): boolean {
  if (!(error instanceof RetryableError)) return false;
  return error.code === 'HTTP_429' || /^GATEWAY_90080[0-6]/.test(error.code);
}

/** Backoff before attempt `attempt + 1`: the target's Retry-After, else exponential with jitter. */
export function retryDelayMs(error: unknown, attempt: number, baseMs = 200, capMs = 30_000): number {
  const after = (error as { retryAfterMs?: number })?.retryAfterMs;
  if (typeof after === 'number' && after >= 0) return Math.min(after, capMs);
  return Math.min(baseMs * 2 ** (attempt - 1) * (0.5 + Math.random()), capMs);
}
