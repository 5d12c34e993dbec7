/**
 * Runs as the API and schedules ask for them (a queued run row and its outbox row, then a job),
 * and the work of each job in a worker: a run's pull step, a staged batch's push.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type CanonicalRecord, errorMessage, type TextLimits } from '../model/index.ts';
import { canWrite, silentLogger } from '../sdk/adapter.ts';
import { hubError } from '../sdk/errors.ts';
import type { Adapter, AdapterLogger, InputLimits, StreamName } from '../sdk/index.ts';
import { AdapterError, PermanentError } from '../sdk/index.ts';
import {
  claimPull,
  completeOutbox,
  createQueuedRun,
  createQueuedRunOnce,
  type Database,
  finishIfDone,
  getRun,
  guardianKeyOf,
  guardianLinksOf,
  type IdempotentRequest,
  type Keyring,
  LeaseLostError,
  leaseOwner,
  listPayments,
  loadStagedBatch,
  markDispatched,
  type PushAnnouncement,
  pendingOutbox,
  strandedPushingRuns,
  unpushedBatchIds,
} from '../store/index.ts';
import type { Target } from '../targets/target.ts';
import { type ReplayOptions, replayDeadLetters } from './dead-letters.ts';
import { isDatabaseUnavailable, StoreUnavailableError } from './lease.ts';
import type { PaymentDestination } from './payment-writeback.ts';
import { paymentSourceOf, pullPayments } from './payments.ts';
import { pullStep, type StreamEnd } from './pull/index.ts';
import {
  DEFAULT_PUSH_POLICY,
  type PushContext,
  type PushPolicy,
  type PushStepOutcome,
  pushStep,
  type StagedPayload,
} from './push.ts';
import {
  enqueuePushes,
  enqueueRun,
  type PushJob,
  type PushQueues,
  pushQueueName,
  quietQueue,
  type RunJob,
  resendOutbox,
} from './queue.ts';
import { type CityRosterSource, reconcileSchool } from './reconcile.ts';
import { decideHeldRun } from './release.ts';
import { requireSource, type Sources } from './sources/index.ts';

export interface RunServiceDeps {
  db: Database;
  keyring: Keyring;
  queue: Queue<RunJob>;
  sources: () => Promise<Sources>;
  targets: () => readonly Target[];
  loadAdapter?: (id: string) => Promise<Adapter>;
  holdThreshold?: number;
  /** Tries of a push job the target answers with a retryable error (default 5). */
  pushAttempts?: number;
  /** Records per staged batch, and so per push job (default 500). */
  batchSize?: number;
  logger?: AdapterLogger;
  /** Sees each batch of valid records a run reads (the identity registry); see SyncOptions. */
  observeRecords?: (schoolCode: string, records: readonly CanonicalRecord[]) => Promise<void>;
  /** Told of the source's key changes (the identity registry moves the people); see SyncOptions. */
  observeKeyChanges?: (
    schoolCode: string,
    renames: ReadonlyArray<{ from: string; to: string }>,
  ) => Promise<void>;
  /** Told at each stream's end what the source still holds (the education reports); see PullOptions. */
  observeStreamEnd?: (schoolCode: string, end: StreamEnd) => Promise<void>;
  /** Text length limits by kind (TEXT_LIMITS); the defaults without it. */
  textLimits?: TextLimits;
  /** Bounds on what adapters parse (XLSX_MAX_INFLATED_BYTES …); the defaults without it. */
  inputLimits?: InputLimits;
  /** A step's lease, renewed while it works (WORKER_LOCK_MS, default 30 s). */
  leaseMs?: number;
  /** How long a batch may find its target unavailable before it is given up (PUSH_OUTAGE_MAX_MS). */
  outageMaxMs?: number;
}

/** An `Idempotency-Key` sent again with a different request. */
export class IdempotencyKeyReusedError extends PermanentError {
  constructor(
    readonly key: string,
    readonly runId: string,
  ) {
    super('IDEMPOTENCY_KEY_REUSED', errorMessage('IDEMPOTENCY_KEY_REUSED', { run: runId }));
  }
}

/** What a pull job came to: done (whatever the run's state), or to be tried again after a delay. */
export type StepOutcome = { kind: 'done' } | { kind: 'retry'; delayMs: number; code: string };

// A run waiting for its school's previous run checks again after this long (plus jitter).
const BUSY_RETRY_MS = 3_000;
// How long a request waits for Redis to take a job before leaving it to the outbox's sweeper.
const ENQUEUE_TIMEOUT_MS = 1_500;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis took no job within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export interface RunRequest {
  schoolCode: string;
  streams: StreamName[];
  mode: 'full' | 'incremental';
  requestedBy: string;
}

export class RunService {
  readonly pushQueues: PushQueues;
  private targetsCache: ReadonlyMap<string, Target> | undefined;

  constructor(private readonly deps: RunServiceDeps) {
    // Push queues share the run queue's Redis connection and prefix (queues, unlike workers,
    // need no connection of their own).
    const queues = new Map<string, Queue<PushJob>>();
    this.pushQueues = {
      get: (target) => {
        let q = queues.get(target);
        if (!q) {
          const { connection, prefix } = deps.queue.opts as { connection: Redis; prefix?: string };
          q = quietQueue(
            new Queue<PushJob>(pushQueueName(target), { connection, ...(prefix ? { prefix } : {}) }),
          );
          queues.set(target, q);
        }
        return q;
      },
      close: async () => {
        await Promise.all([...queues.values()].map((q) => q.close()));
      },
    };
  }

  get pushAttempts(): number {
    return this.deps.pushAttempts ?? 5;
  }

  /** The configured targets by id (built once: each holds its gateway client and token cache). */
  targets(): ReadonlyMap<string, Target> {
    this.targetsCache ??= new Map(this.deps.targets().map((t) => [t.id, t]));
    return this.targetsCache;
  }

  /**
   * The schools the sources file names, with their names and any problem loading found; none when
   * there is no sources file (a hub that only receives API calls).
   */
  async configuredSchools(): Promise<
    Array<{ code: string; name?: string; adapter: string; problem?: { code: string; message: string } }>
  > {
    let sources: Sources;
    try {
      sources = await this.deps.sources();
    } catch (error) {
      if (error instanceof AdapterError && error.code === 'SOURCES_NOT_FOUND') return [];
      throw error;
    }
    return Object.entries(sources).map(([code, source]) => ({
      code,
      adapter: source.adapter,
      ...(source.name ? { name: source.name } : {}),
      ...(source.problem ? { problem: { code: source.problem.code, message: source.problem.message } } : {}),
    }));
  }

  /** The adapter a school's source uses, or undefined when the school has none. */
  async adapterOf(schoolCode: string): Promise<string | undefined> {
    return (await this.deps.sources())[schoolCode]?.adapter;
  }

  /**
   * Records the run as queued (with its outbox row) and enqueues its pull job; answers at once.
   * With `idempotency` (the client's `Idempotency-Key`), a repeat of the same request returns the
   * run the first one created (`replayed`) and a different request under the key is refused.
   */
  async request(
    input: RunRequest,
    idempotency?: IdempotentRequest,
  ): Promise<{ runId: string; adapterId: string; replayed: boolean }> {
    // A school whose adapter or config has a problem is refused here, in words, not at the pull.
    const source = requireSource(await this.deps.sources(), input.schoolCode);
    const run = {
      schoolCode: input.schoolCode,
      adapterId: source.adapter,
      // The version is known once a worker loads the adapter; it writes it then.
      adapterVersion: 'pending',
      mappingVersions: Object.fromEntries([...this.targets().values()].map((t) => [t.id, t.mappingVersion])),
      streams: input.streams,
      mode: input.mode,
      requestedBy: input.requestedBy,
    };
    let runId: string;
    if (idempotency) {
      const outcome = await createQueuedRunOnce(this.deps.db, run, idempotency);
      if ('conflict' in outcome) throw new IdempotencyKeyReusedError(idempotency.key, outcome.runId);
      if (outcome.replayed) return { runId: outcome.runId, adapterId: source.adapter, replayed: true };
      runId = outcome.runId;
    } else {
      runId = await createQueuedRun(this.deps.db, run);
    }
    try {
      // Bounded: a Redis that is away must not hold the request (the job id is the run id, so a
      // late add that lands after all is a no-op beside the sweeper's).
      await withTimeout(enqueueRun(this.deps.queue, runId), ENQUEUE_TIMEOUT_MS);
      await markDispatched(this.deps.db, 'run.pull', [runId]);
    } catch (error) {
      // The run and its outbox row are committed: the sweeper hands the job to Redis once it is
      // back. The request has its run either way.
      this.logger.warn('pull job left to the sweeper', { runId, message: (error as Error).message });
    }
    return { runId, adapterId: source.adapter, replayed: false };
  }

  /**
   * A run's pull job: claim the run, pull, validate, diff and stage, then queue its push jobs.
   * A run taken over from a worker whose lease lapsed starts its pull over; one left pushing gets
   * its remaining push jobs queued again. Answers `retry` with a delay when the job must wait: the
   * school's previous run is in progress, another worker holds the run's lease, or the database is
   * away; the worker delays the job accordingly.
   */
  async executePull(runId: string): Promise<StepOutcome> {
    try {
      return await this.pull(runId);
    } catch (error) {
      if (error instanceof LeaseLostError) {
        this.logger.warn('pull lease lost', { runId });
        return { kind: 'done' };
      }
      if (error instanceof StoreUnavailableError || isDatabaseUnavailable(error)) {
        this.logger.warn('pull postponed: the database is away', {
          runId,
          message: (error as Error).message,
        });
        return { kind: 'retry', delayMs: this.leaseMs + Math.random() * 1_000, code: 'DATABASE_UNAVAILABLE' };
      }
      throw error;
    }
  }

  private async pull(runId: string): Promise<StepOutcome> {
    const { db, keyring } = this.deps;
    const run = await getRun(db, runId);
    if (!run) {
      await completeOutbox(db, 'run.pull', runId);
      return { kind: 'done' };
    }
    if (run.state === 'pushing') {
      await this.enqueuePushesOrLeaveToSweeper(await unpushedBatchIds(db, runId));
      await finishIfDone(db, runId);
      await completeOutbox(db, 'run.pull', runId);
      return { kind: 'done' };
    }
    if (run.state !== 'queued' && run.state !== 'pulling') {
      await completeOutbox(db, 'run.pull', runId);
      return { kind: 'done' };
    }
    if (!this.deps.loadAdapter) throw hubError('ADAPTERS_UNAVAILABLE', {});
    const source = requireSource(await this.deps.sources(), run.school_code);
    const adapter = await this.deps.loadAdapter(source.specifier ?? source.adapter);
    const claim = await claimPull(db, runId, adapter.version, { leaseMs: this.leaseMs, owner: leaseOwner() });
    if (!claim.claimed) {
      if (claim.reason === 'busy')
        return { kind: 'retry', delayMs: BUSY_RETRY_MS + Math.random() * 1_000, code: 'SCHOOL_BUSY' };
      if (claim.reason === 'leased')
        return { kind: 'retry', delayMs: claim.retryInMs + Math.random() * 1_000, code: 'LEASE_HELD' };
      return { kind: 'done' };
    }
    const school = run.school_code;
    const pulled = await pullStep({
      db,
      keyring,
      adapter,
      adapterConfig: source.config,
      targets: [...this.targets().values()],
      schoolCode: school,
      streams: run.streams as StreamName[],
      mode: run.mode,
      lease: claim.lease,
      leaseMs: this.leaseMs,
      logger: this.logger,
      ...(this.deps.holdThreshold !== undefined ? { holdThreshold: this.deps.holdThreshold } : {}),
      ...(this.deps.batchSize !== undefined ? { batchSize: this.deps.batchSize } : {}),
      ...(this.deps.textLimits ? { textLimits: this.deps.textLimits } : {}),
      ...(this.deps.inputLimits ? { inputLimits: this.deps.inputLimits } : {}),
      ...(this.deps.observeRecords
        ? { onValidRecords: (records) => this.deps.observeRecords!(school, records) }
        : {}),
      ...(this.deps.observeKeyChanges
        ? { onKeysChanged: (renames) => this.deps.observeKeyChanges!(school, renames) }
        : {}),
      ...(this.deps.observeStreamEnd
        ? { onStreamEnd: (end) => this.deps.observeStreamEnd!(school, end) }
        : {}),
    });
    if (pulled.state !== 'pushing') return { kind: 'done' };
    if (pulled.pushes.length === 0) await finishIfDone(db, runId);
    else await this.enqueuePushesOrLeaveToSweeper(pulled.pushes);
    return { kind: 'done' };
  }

  /**
   * The pushes are in the outbox already (enterPushing): if Redis cannot take them now, the
   * sweeper hands them over once it is back. Failing the pull for it would gain nothing.
   */
  private async enqueuePushesOrLeaveToSweeper(pushes: readonly PushAnnouncement[]): Promise<void> {
    try {
      await this.enqueuePushes(pushes);
    } catch (error) {
      this.logger.warn('push jobs left to the sweeper', {
        batches: pushes.length,
        message: (error as Error).message,
      });
    }
  }

  /**
   * A staged batch's push job, one go (see `pushStep`): sends it and records the answer, or says
   * when to try again; then ends the run if that was its last batch.
   */
  async executePush(job: { runId: string; batchId: string }): Promise<PushStepOutcome> {
    const ctx: PushContext = {
      db: this.deps.db,
      keyring: this.deps.keyring,
      targets: this.targets(),
      logger: this.logger,
    };
    const outcome = await pushStep(ctx, job.batchId, this.pushPolicy);
    if (outcome.kind === 'pushed' || outcome.kind === 'dead-lettered' || outcome.kind === 'already') {
      try {
        await finishIfDone(this.deps.db, job.runId);
      } catch (error) {
        // The batch is recorded; the run ends with the next batch's job or the sweeper's pass.
        if (!isDatabaseUnavailable(error)) throw error;
      }
    }
    return outcome;
  }

  private get logger(): AdapterLogger {
    return this.deps.logger ?? silentLogger;
  }

  private get leaseMs(): number {
    return this.deps.leaseMs ?? DEFAULT_PUSH_POLICY.leaseMs;
  }

  get pushPolicy(): PushPolicy {
    return {
      leaseMs: this.leaseMs,
      attempts: this.pushAttempts,
      outageMaxMs: this.deps.outageMaxMs ?? DEFAULT_PUSH_POLICY.outageMaxMs,
      owner: leaseOwner(),
    };
  }

  get database(): Database {
    return this.deps.db;
  }

  async enqueuePushes(pushes: readonly PushAnnouncement[]): Promise<void> {
    if (pushes.length === 0) return;
    await enqueuePushes(this.pushQueues, pushes);
    await markDispatched(
      this.deps.db,
      'batch.push',
      pushes.map((p) => p.batchId),
    );
  }

  /**
   * The sweeper: whatever the outbox still shows pending for longer than `olderThanMs` and Redis
   * no longer holds is enqueued again (a Redis restart without persistence loses nothing).
   */
  async resendPending(olderThanMs = 30_000): Promise<{ pulls: string[]; pushes: string[] }> {
    const pending = await pendingOutbox(this.deps.db, olderThanMs);
    if (pending.length === 0) return { pulls: [], pushes: [] };
    const resent = await resendOutbox(this.deps.queue, this.pushQueues, pending);
    await markDispatched(this.deps.db, 'run.pull', resent.pulls);
    await markDispatched(this.deps.db, 'batch.push', resent.pushes);
    return resent;
  }

  /**
   * The sweeper's other half: runs whose batches are all answered but which are still `pushing`
   * (the last push job's finishIfDone met PostgreSQL away) are ended now. Returns those ended.
   */
  async finishStranded(): Promise<string[]> {
    const ended: string[] = [];
    for (const runId of await strandedPushingRuns(this.deps.db)) {
      const outcome = await finishIfDone(this.deps.db, runId);
      if (outcome === 'succeeded' || outcome === 'failed') ended.push(runId);
    }
    return ended;
  }

  /** Replays dead letters through the configured targets (see dead-letters.ts). */
  replayDeadLetters(input: Omit<ReplayOptions, 'db' | 'keyring' | 'targets'>) {
    return replayDeadLetters({
      ...input,
      db: this.deps.db,
      keyring: this.deps.keyring,
      targets: [...this.targets().values()],
    });
  }

  /** Releases (its pushes queued) or discards a held run. */
  decide(input: { runId: string; decision: 'release' | 'discard'; decidedBy: string }) {
    return decideHeldRun({
      ...input,
      db: this.deps.db,
      keyring: this.deps.keyring,
      targets: [...this.targets().values()],
      enqueue: (pushes) => this.enqueuePushes(pushes),
    });
  }

  /**
   * The body a record was sent with, from the sealed staged batch that carried it; undefined once
   * the batch's body was purged (LINEAGE_BODY_DAYS) or for a delete.
   */
  async sentBody(stagedBatchId: string, recordKey: string): Promise<unknown> {
    const batch = await loadStagedBatch<StagedPayload>(this.deps.db, this.deps.keyring, stagedBatchId);
    return batch?.payload?.upserts.find((u) => u.key === recordKey)?.body;
  }

  /**
   * Reads a school's new payments from SSC into the hub, then writes those its software does not
   * hold yet back to it, when the school's adapter writes payments.
   */
  pullPayments(schoolCode: string) {
    return pullPayments({
      db: this.deps.db,
      keyring: this.deps.keyring,
      source: paymentSourceOf(this.targets().values()),
      schoolCode,
      writeBack: () => this.paymentDestination(schoolCode),
      logger: this.deps.logger ?? silentLogger,
    });
  }

  /** The school's adapter and config, when the adapter writes payments; else undefined. */
  private async paymentDestination(schoolCode: string): Promise<PaymentDestination | undefined> {
    if (!this.deps.loadAdapter) return undefined;
    let source: Awaited<ReturnType<RunServiceDeps['sources']>>[string] | undefined;
    try {
      source = (await this.deps.sources())[schoolCode];
    } catch (error) {
      // No sources file at all: no school has software to write to.
      if (error instanceof AdapterError && error.code === 'SOURCES_NOT_FOUND') return undefined;
      throw error;
    }
    if (!source) return undefined;
    // Not "no destination": the payments wait for the school's source to be fixed.
    if (source.problem) throw source.problem;
    const adapter = await this.deps.loadAdapter(source.specifier ?? source.adapter);
    return canWrite(adapter, 'payments') ? { adapter, config: source.config } : undefined;
  }

  /**
   * Has SSC issue (or return, when issued before) the e-receipt or e-invoice of a payment the hub
   * pulled for the school; undefined when the school has no such payment.
   */
  async issueReceipt(schoolCode: string, paymentId: string, kind: 'e_receipt' | 'e_invoice') {
    const known = await listPayments(this.deps.db, this.deps.keyring, { schoolCode, paymentId, limit: 1 });
    if (known.length === 0) return undefined;
    const ssc = [...this.targets().values()].find((t) => 'issueReceipt' in t) as
      | {
          issueReceipt(
            id: string,
            o: { kind: 'e_receipt' | 'e_invoice' },
          ): Promise<{ invoice: unknown; xml: string; messageId: string }>;
        }
      | undefined;
    if (!ssc) {
      throw hubError('TARGET_NOT_CONFIGURED', {
        target: 'SSC',
        reason: { vi: 'thiếu SSC_GATEWAY_URL', en: 'SSC_GATEWAY_URL is missing' },
      });
    }
    return ssc.issueReceipt(paymentId, { kind });
  }

  listPayments(filter: Parameters<typeof listPayments>[2]) {
    return listPayments(this.deps.db, this.deps.keyring, filter);
  }

  /** Cross-target reconciliation of a school, read fresh from its source (see reconcile.ts). */
  async reconcile(schoolCode: string, options: { limit?: number } = {}) {
    const source = requireSource(await this.deps.sources(), schoolCode);
    if (!this.deps.loadAdapter) {
      throw hubError('ADAPTERS_UNAVAILABLE', {});
    }
    const city = [...this.targets().values()].find((t) => 'readRoster' in t) as CityRosterSource | undefined;
    // Guardian links as C06 checks left them: confirmed, checked and not confirmed, or never checked.
    const links = await guardianLinksOf(this.deps.db, { schoolCode });
    const linkOf = new Map(links.map((l) => [`${l.studentKey}\u0000${l.guardianKey}`, l]));
    const keyring = this.deps.keyring;
    return reconcileSchool({
      db: this.deps.db,
      adapter: await this.deps.loadAdapter(source.specifier ?? source.adapter),
      adapterConfig: source.config,
      schoolCode,
      ...(this.deps.inputLimits ? { inputLimits: this.deps.inputLimits } : {}),
      ...(links.some((l) => l.verifiedMethod !== null)
        ? {
            verification: (
              guardian: { key: string; personalId?: string | undefined },
              studentKey: string,
            ) => {
              const link =
                linkOf.get(`${studentKey}\u0000${guardian.key}`) ??
                (guardian.personalId
                  ? linkOf.get(`${studentKey}\u0000${guardianKeyOf(keyring, guardian.personalId)}`)
                  : undefined);
              if (!link || link.verifiedMethod === null) return 'not_checked' as const;
              return link.verified ? ('verified' as const) : ('not_confirmed' as const);
            },
          }
        : {}),
      ...(city ? { city } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
    });
  }

  async close(): Promise<void> {
    await this.pushQueues.close();
  }
}
