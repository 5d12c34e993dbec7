/**
 * The worker pool of one process: a pull worker on the run queue and a push worker per target,
 * each with the target's rate limit (requests a second and batches in flight, enforced across
 * every worker process through Redis), a circuit breaker, and a sweeper that re-enqueues what the
 * outbox still shows pending. `edubridge worker`, the demo and the tests all start it this way.
 */
import { DelayedError, type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { silentLogger } from '../sdk/adapter.ts';
import type { AdapterLogger } from '../sdk/index.ts';
import { purgeBatchBodies } from '../store/index.ts';
import { type BreakerOptions, CircuitBreaker } from './breaker.ts';
import type { PushStepOutcome } from './push.ts';
import { type PushJob, pushQueueName, RUN_QUEUE, type RunJob } from './queue.ts';
import type { RunService } from './service.ts';

export interface TargetLimits {
  requestsPerSecond?: number;
  concurrentBatches?: number;
}

export interface SyncWorkersOptions {
  /** A new Redis connection (each BullMQ worker needs its own). */
  connect: () => Redis;
  prefix: string;
  service: RunService;
  /** Pull jobs (runs) this process carries out at once (default 2). */
  pullConcurrency?: number;
  limits?: Record<string, TargetLimits>;
  breaker?: BreakerOptions;
  /** How long a dead worker's job stays locked before another picks it up (default 30 s). */
  lockDurationMs?: number;
  /** Sweep the outbox and purge old bodies this often (default 60 s; 0 = never). */
  sweepEveryMs?: number;
  /** Outbox rows younger than this are not second-guessed (default 30 s). */
  sweepOlderThanMs?: number;
  /** Days a pushed batch's sealed body is kept (default 30). */
  bodyDays?: number;
  logger?: AdapterLogger;
}

export interface SyncWorkers {
  breakers: ReadonlyMap<string, CircuitBreaker>;
  /**
   * One sweep now: the outbox resent (rows older than `olderThanMs`), runs whose every batch is
   * answered but still `pushing` ended (`finished`), old bodies purged.
   */
  sweep(
    olderThanMs?: number,
  ): Promise<{ pulls: string[]; pushes: string[]; finished: string[]; purged: number }>;
  close(): Promise<void>;
}

/**
 * What one push tells the target's circuit breaker: an answer closes it, a target found down or
 * answering badly counts toward opening it, the rest (quota, someone else's lease, our database)
 * says nothing about the target.
 */
function judge(breaker: CircuitBreaker, outcome: PushStepOutcome): void {
  if (outcome.kind === 'pushed') breaker.success();
  else if (outcome.kind === 'retry' && (outcome.cause === 'wait' || outcome.cause === 'attempt'))
    breaker.failure();
  else if (outcome.kind === 'dead-lettered' && outcome.reason !== 'refused') breaker.failure();
  else breaker.release();
}

export async function startSyncWorkers(options: SyncWorkersOptions): Promise<SyncWorkers> {
  const { service, prefix } = options;
  const logger = options.logger ?? silentLogger;
  const connections: Redis[] = [];
  const connect = () => {
    const c = options.connect();
    connections.push(c);
    return c;
  };
  const lockDuration = options.lockDurationMs ?? 30_000;
  const common = {
    prefix,
    lockDuration,
    stalledInterval: Math.max(1_000, Math.round(lockDuration / 2)),
    // A job whose worker died is put back; twice is an accident, more is a job that kills workers.
    maxStalledCount: 2,
  };

  const pullWorker = new Worker<RunJob>(
    RUN_QUEUE,
    async (job: Job<RunJob>, token?: string) => {
      const outcome = await service.executePull(job.data.runId);
      if (outcome.kind === 'retry') {
        // Another run of the school, another worker's live lease, or the database away: wait.
        await job.moveToDelayed(Date.now() + outcome.delayMs, token);
        throw new DelayedError();
      }
    },
    { ...common, connection: connect(), concurrency: options.pullConcurrency ?? 2 },
  );
  pullWorker.on('error', (error) => logger.warn('pull worker error', { message: error.message }));

  const breakers = new Map<string, CircuitBreaker>();
  const pushWorkers: Worker<PushJob>[] = [];
  for (const target of service.targets().keys()) {
    const limits = options.limits?.[target] ?? {};
    const breaker = new CircuitBreaker(options.breaker);
    breakers.set(target, breaker);
    const queue = service.pushQueues.get(target);
    // Batches in flight for the target across every worker process, kept in Redis by BullMQ.
    await queue.setGlobalConcurrency(limits.concurrentBatches ?? 4);
    const worker: Worker<PushJob> = new Worker<PushJob>(
      pushQueueName(target),
      async (job, token) => {
        const gate = breaker.acquire();
        if (!gate.allowed) {
          // Parks the queue (every worker, through Redis); nothing is spent.
          await worker.rateLimit(gate.waitMs);
          throw Worker.RateLimitError();
        }
        let outcome: PushStepOutcome;
        try {
          outcome = await service.executePush(job.data);
        } catch (error) {
          breaker.release();
          throw error;
        }
        judge(breaker, outcome);
        if (outcome.kind !== 'retry') return;
        if (outcome.cause === 'throttled') {
          // The gateway's quota: the whole queue waits as told.
          await worker.rateLimit(outcome.delayMs);
          throw Worker.RateLimitError();
        }
        await job.moveToDelayed(Date.now() + outcome.delayMs, token);
        throw new DelayedError();
      },
      {
        ...common,
        connection: connect(),
        concurrency: limits.concurrentBatches ?? 4,
        limiter: { max: limits.requestsPerSecond ?? 20, duration: 1_000 },
      },
    );
    worker.on('error', (error) => logger.warn('push worker error', { target, message: error.message }));
    pushWorkers.push(worker);
  }

  const sweep = async (olderThanMs = options.sweepOlderThanMs ?? 30_000) => {
    // A Redis restarted empty forgot the global concurrency too.
    for (const target of service.targets().keys()) {
      await service.pushQueues
        .get(target)
        .setGlobalConcurrency(options.limits?.[target]?.concurrentBatches ?? 4);
    }
    const resent = await service.resendPending(olderThanMs);
    const finished = await service.finishStranded();
    const purged = await purgeBatchBodies(service.database, options.bodyDays ?? 30);
    if (resent.pulls.length + resent.pushes.length > 0) {
      logger.warn('outbox resent', { pulls: resent.pulls.length, pushes: resent.pushes.length });
    }
    if (finished.length > 0)
      logger.warn('runs left pushing with every batch answered ended', { runs: finished });
    return { ...resent, finished, purged };
  };
  const every = options.sweepEveryMs ?? 60_000;
  const timer =
    every > 0
      ? setInterval(
          () => void sweep().catch((e) => logger.warn('sweep failed', { message: (e as Error).message })),
          every,
        )
      : undefined;
  timer?.unref();
  // Redis back after an outage may have come back empty: sweep at once rather than at the next
  // minute, whatever the outbox rows' age (a job Redis still holds is left alone).
  if (every > 0) {
    let seenReady = connections[0]?.status === 'ready';
    connections[0]?.on('ready', () => {
      if (!seenReady) {
        seenReady = true;
        return;
      }
      logger.warn('redis is back: sweeping the outbox now');
      void sweep(0).catch((e) => logger.warn('sweep failed', { message: (e as Error).message }));
    });
  }

  return {
    breakers,
    sweep,
    async close() {
      if (timer) clearInterval(timer);
      // close() waits for the jobs in hand: SIGTERM finishes them (or a stalled check returns them).
      await Promise.all([pullWorker.close(), ...pushWorkers.map((w) => w.close())]);
      for (const c of connections) c.disconnect();
    },
  };
}
