/**
 * Runs as the API and schedules ask for them (a queued run row and its outbox row, then a job),
 * and the work of each job in a worker: a run's pull step, a staged batch's push.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CanonicalRecord } from '../model/index.ts';
import type { Adapter, AdapterLogger, StreamName } from '../sdk/index.ts';
import { AdapterError, canWrite, PermanentError, RetryableError, silentLogger } from '../sdk/index.ts';
import {
  claimPull,
  completeOutbox,
  createQueuedRun,
  type Database,
  finishIfDone,
  getRun,
  guardianKeyOf,
  guardianLinksOf,
  type Keyring,
  listPayments,
  loadStagedBatch,
  markDispatched,
  type PushAnnouncement,
  pendingOutbox,
  unpushedBatchIds,
} from '../store/index.ts';
import type { Target } from '../targets/target.ts';
import { type ReplayOptions, replayDeadLetters } from './dead-letters.ts';
import type { PaymentDestination } from './payment-writeback.ts';
import { paymentSourceOf, pullPayments } from './payments.ts';
import { failBatch, isThrottle, type PushContext, pushBatchOnce, type StagedPayload } from './push.ts';
import {
  enqueuePushes,
  enqueueRun,
  type PushJob,
  type PushQueues,
  pushQueueName,
  type RunJob,
  resendOutbox,
} from './queue.ts';
import { type CityRosterSource, reconcileSchool } from './reconcile.ts';
import { decideHeldRun } from './release.ts';
import type { Sources } from './sources.ts';
import { pullStep, RunBusyError } from './sync.ts';

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
          q = new Queue<PushJob>(pushQueueName(target), { connection, ...(prefix ? { prefix } : {}) });
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

  /** The adapter a school's source uses, or undefined when the school has none. */
  async adapterOf(schoolCode: string): Promise<string | undefined> {
    return (await this.deps.sources())[schoolCode]?.adapter;
  }

  /** Records the run as queued (with its outbox row) and enqueues its pull job; answers at once. */
  async request(input: RunRequest): Promise<{ runId: string; adapterId: string }> {
    const source = (await this.deps.sources())[input.schoolCode];
    if (!source) {
      throw new PermanentError(
        'SCHOOL_NOT_CONFIGURED',
        `Trường ${input.schoolCode} chưa có nguồn dữ liệu / School ${input.schoolCode} has no configured source`,
      );
    }
    const runId = await createQueuedRun(this.deps.db, {
      schoolCode: input.schoolCode,
      adapterId: source.adapter,
      // The version is known once a worker loads the adapter; it writes it then.
      adapterVersion: 'pending',
      mappingVersions: Object.fromEntries([...this.targets().values()].map((t) => [t.id, t.mappingVersion])),
      streams: input.streams,
      mode: input.mode,
      requestedBy: input.requestedBy,
    });
    await enqueueRun(this.deps.queue, runId);
    await markDispatched(this.deps.db, 'run.pull', [runId]);
    return { runId, adapterId: source.adapter };
  }

  /**
   * A run's pull job: claim the run, pull, validate, diff and stage, then queue its push jobs.
   * A run a dead worker left half-pulled starts its pull over; one left pushing gets its remaining
   * push jobs queued again. Throws RunBusyError while another run of the school is in progress.
   */
  async executePull(runId: string): Promise<void> {
    const { db, keyring } = this.deps;
    const run = await getRun(db, runId);
    if (!run) {
      await completeOutbox(db, 'run.pull', runId);
      return;
    }
    if (run.state === 'pushing') {
      await this.enqueuePushes(await unpushedBatchIds(db, runId));
      await finishIfDone(db, runId);
      await completeOutbox(db, 'run.pull', runId);
      return;
    }
    if (run.state !== 'queued' && run.state !== 'pulling') {
      await completeOutbox(db, 'run.pull', runId);
      return;
    }
    const source = (await this.deps.sources())[run.school_code];
    if (!source || !this.deps.loadAdapter) {
      throw new PermanentError('SCHOOL_NOT_CONFIGURED', `School ${run.school_code} has no configured source`);
    }
    const adapter = await this.deps.loadAdapter(source.adapter);
    const claim = await claimPull(db, runId, adapter.version);
    if (!claim.claimed) {
      if (claim.reason === 'busy') throw new RunBusyError(runId, claim.blockingRunId);
      return;
    }
    const pulled = await pullStep({
      db,
      keyring,
      adapter,
      adapterConfig: source.config,
      targets: [...this.targets().values()],
      schoolCode: run.school_code,
      streams: run.streams as StreamName[],
      mode: run.mode,
      runId,
      logger: this.deps.logger ?? silentLogger,
      ...(this.deps.holdThreshold !== undefined ? { holdThreshold: this.deps.holdThreshold } : {}),
      ...(this.deps.batchSize !== undefined ? { batchSize: this.deps.batchSize } : {}),
      ...(this.deps.observeRecords
        ? { onValidRecords: (records) => this.deps.observeRecords!(run.school_code, records) }
        : {}),
    });
    if (pulled.state !== 'pushing') return;
    if (pulled.pushes.length === 0) await finishIfDone(db, runId);
    else await this.enqueuePushes(pulled.pushes);
  }

  /**
   * A staged batch's push job, one attempt: sends it and records the answer, then ends the run if
   * it was the last. A retryable failure is rethrown while attempts remain (the queue retries it
   * with backoff); after the last, or on a permanent failure, the batch goes to dead letters.
   */
  async executePush(job: {
    runId: string;
    batchId: string;
    attempt: number;
  }): Promise<'pushed' | 'already' | 'gave-up' | 'refused'> {
    const ctx: PushContext = {
      db: this.deps.db,
      keyring: this.deps.keyring,
      targets: this.targets(),
      logger: this.deps.logger ?? silentLogger,
    };
    let outcome: 'pushed' | 'already' | 'gave-up' | 'refused';
    try {
      outcome = await pushBatchOnce(ctx, job.batchId);
      if (outcome === 'already') await completeOutbox(this.deps.db, 'batch.push', job.batchId);
    } catch (error) {
      const retryable = error instanceof RetryableError;
      if (retryable && (isThrottle(error) || job.attempt < this.pushAttempts)) throw error;
      await failBatch(ctx, job.batchId, error, job.attempt);
      outcome = retryable ? 'gave-up' : 'refused';
    }
    await finishIfDone(this.deps.db, job.runId);
    return outcome;
  }

  get database(): Database {
    return this.deps.db;
  }

  async enqueuePushes(pushes: readonly PushAnnouncement[]): Promise<void> {
    if (pushes.length === 0) return;
    await enqueuePushes(this.pushQueues, pushes, this.pushAttempts);
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
    const resent = await resendOutbox(this.deps.queue, this.pushQueues, pending, this.pushAttempts);
    await markDispatched(this.deps.db, 'run.pull', resent.pulls);
    await markDispatched(this.deps.db, 'batch.push', resent.pushes);
    return resent;
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
    const adapter = await this.deps.loadAdapter(source.adapter);
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
      throw new PermanentError(
        'TARGET_NOT_CONFIGURED',
        'Chưa cấu hình SSC (SSC_GATEWAY_URL) / SSC is not configured (SSC_GATEWAY_URL)',
      );
    }
    return ssc.issueReceipt(paymentId, { kind });
  }

  listPayments(filter: Parameters<typeof listPayments>[2]) {
    return listPayments(this.deps.db, this.deps.keyring, filter);
  }

  /** Cross-target reconciliation of a school, read fresh from its source (see reconcile.ts). */
  async reconcile(schoolCode: string, options: { limit?: number } = {}) {
    const source = (await this.deps.sources())[schoolCode];
    if (!source) {
      throw new PermanentError(
        'SCHOOL_NOT_CONFIGURED',
        `Trường ${schoolCode} chưa có nguồn dữ liệu / School ${schoolCode} has no configured source`,
      );
    }
    if (!this.deps.loadAdapter) {
      throw new PermanentError(
        'ADAPTERS_UNAVAILABLE',
        'Tiến trình này không nạp adapter / This process has no adapters loaded',
      );
    }
    const city = [...this.targets().values()].find((t) => 'readRoster' in t) as CityRosterSource | undefined;
    // Guardian links as C06 checks left them: confirmed, checked and not confirmed, or never checked.
    const links = await guardianLinksOf(this.deps.db, { schoolCode });
    const linkOf = new Map(links.map((l) => [`${l.studentKey}\u0000${l.guardianKey}`, l]));
    const keyring = this.deps.keyring;
    return reconcileSchool({
      db: this.deps.db,
      adapter: await this.deps.loadAdapter(source.adapter),
      adapterConfig: source.config,
      schoolCode,
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
