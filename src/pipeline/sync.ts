/**
 * One sync run, every step in this process (the CLI, tests): claim the run, pull (pull/: read,
 * validate, diff, stage, hold or go on), push every staged batch (push.ts), then finish: the run
 * succeeds only when its counts reconcile, and only then are its checkpoints saved.
 *
 * Each step's state lives in PostgreSQL (the run, staged batches, outbox, ledger, dead letters) and
 * each step is owned through a lease with a fencing token, so the same steps run as queue jobs on
 * any worker (service.ts) and a run survives its worker.
 */
import { errorMessage } from '../model/index.ts';
import type { DataQualityReport } from '../quality/report.ts';
import { silentLogger } from '../sdk/adapter.ts';
import { hubError } from '../sdk/errors.ts';
import { type AdapterLogger, RetryableError } from '../sdk/index.ts';
import { sleep } from '../sdk/sleep.ts';
import {
  type ClaimOutcome,
  claimPull,
  createRun,
  type Database,
  finishIfDone,
  getRun,
  type Keyring,
  leaseOwner,
  type RunCounts,
  unpushedBatchIds,
  ZERO_COUNTS,
} from '../store/index.ts';
import type { Target } from '../targets/target.ts';
import { type HoldReport, type PullOptions, pullStep } from './pull/index.ts';
import { DEFAULT_PUSH_POLICY, type PushContext, pushStep } from './push.ts';

export type { HoldReport } from './pull/index.ts';
export { idempotencyKeyOf, type StagedPayload } from './push.ts';

/** A run's pull as `pullStep` takes it, and what the push and the run's creation add. */
export interface SyncOptions extends Omit<PullOptions, 'lease'> {
  /** Tries of a batch the target answers with a retryable error (default 5). */
  pushAttempts?: number;
  /** How long a batch may find its target unavailable before it is given up (default 24 h). */
  outageMaxMs?: number;
  requestedBy?: string;
  /** An existing queued run to carry out, instead of creating one. */
  runId?: string;
}

export interface SyncResult {
  runId: string;
  state: 'succeeded' | 'held' | 'failed';
  counts: RunCounts;
  report: DataQualityReport;
  hold?: HoldReport;
  /** Why the run failed at its end (its counts did not reconcile). */
  failure?: { code: string; message: string };
}

export class RunBusyError extends RetryableError {
  constructor(
    readonly runId: string,
    readonly blockingRunId: string | undefined,
  ) {
    super('SCHOOL_BUSY', errorMessage('SCHOOL_BUSY', { run: blockingRunId ?? '?' }));
  }
}

/**
 * Runs one sync of one school from one adapter to the given targets, every step in this process.
 *
 * @example
 * const result = await runSync({ db, keyring, adapter, adapterConfig, targets: [cityEduDb],
 *   schoolCode: '79NB0001', streams: ['students'], mode: 'full' });
 */
export async function runSync(options: SyncOptions): Promise<SyncResult> {
  const { db, adapter, targets } = options;
  const logger = options.logger ?? silentLogger;
  const leaseMs = options.leaseMs ?? DEFAULT_PUSH_POLICY.leaseMs;
  // A run requested through the API or a schedule exists already (queued); the CLI creates its own.
  const runId =
    options.runId ??
    (await createRun(db, {
      schoolCode: options.schoolCode,
      adapterId: adapter.id,
      adapterVersion: adapter.version,
      mappingVersions: Object.fromEntries(targets.map((t) => [t.id, t.mappingVersion])),
      streams: [...options.streams],
      mode: options.mode,
      ...(options.requestedBy ? { requestedBy: options.requestedBy } : {}),
    }));
  const claim = await claimPull(db, runId, adapter.version, { leaseMs, owner: leaseOwner() });
  if (!claim.claimed) throw claimError(runId, claim);
  const pulled = await pullStep({
    ...options,
    lease: claim.lease,
    leaseMs,
    logger,
  });
  if (pulled.state === 'held') {
    return {
      runId,
      state: 'held',
      counts: pulled.counts,
      report: pulled.report,
      ...(pulled.hold ? { hold: pulled.hold } : {}),
    };
  }
  await pushInProcess({
    db,
    keyring: options.keyring,
    targets,
    runId,
    logger,
    leaseMs,
    ...(options.pushAttempts !== undefined ? { attempts: options.pushAttempts } : {}),
    ...(options.outageMaxMs !== undefined ? { outageMaxMs: options.outageMaxMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const run = await getRun(db, runId);
  const counts = { ...ZERO_COUNTS, ...run!.counts };
  const state = run!.state === 'succeeded' ? 'succeeded' : 'failed';
  options.onProgress?.({ runId, step: state, counts });
  const failure = (run!.report as { failure?: { code: string; message: string } } | null)?.failure;
  return { runId, state, counts, report: pulled.report, ...(failure ? { failure } : {}) };
}

function claimError(runId: string, claim: Exclude<ClaimOutcome, { claimed: true }>): Error {
  if (claim.reason === 'busy') return new RunBusyError(runId, claim.blockingRunId);
  if (claim.reason === 'leased')
    return hubError(
      'RUN_LEASED',
      { run: runId, owner: claim.owner ?? '?' },
      { retryAfterMs: claim.retryInMs },
    );
  return hubError('RUN_NOT_QUEUED', { run: runId, state: claim.state ?? 'gone' });
}

/**
 * Pushes every staged batch of a pushing run in this process, waiting between tries as the push
 * step says (the target's Retry-After, backoff, an outage), then ends the run. Used by `runSync`
 * and by the release of a held run when no queue is at hand.
 */
export async function pushInProcess(options: {
  db: Database;
  keyring: Keyring;
  targets: readonly Target[];
  runId: string;
  logger: AdapterLogger;
  attempts?: number;
  outageMaxMs?: number;
  leaseMs?: number;
  signal?: AbortSignal;
}): Promise<void> {
  const ctx: PushContext = {
    db: options.db,
    keyring: options.keyring,
    targets: new Map(options.targets.map((t) => [t.id, t])),
    logger: options.logger,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const policy = {
    leaseMs: options.leaseMs ?? DEFAULT_PUSH_POLICY.leaseMs,
    attempts: options.attempts ?? DEFAULT_PUSH_POLICY.attempts,
    outageMaxMs: options.outageMaxMs ?? DEFAULT_PUSH_POLICY.outageMaxMs,
    owner: leaseOwner(),
  };
  for (const { batchId, target } of await unpushedBatchIds(options.db, options.runId)) {
    for (;;) {
      const outcome = await pushStep(ctx, batchId, policy);
      if (outcome.kind !== 'retry') break;
      options.logger.warn('push retry', {
        runId: options.runId,
        target,
        code: outcome.code,
        cause: outcome.cause,
        waitMs: Math.round(outcome.delayMs),
      });
      await sleep(outcome.delayMs, options.signal);
    }
  }
  await finishIfDone(options.db, options.runId);
}
