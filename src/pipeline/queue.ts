/**
 * The queues on BullMQ. A run is carried out as jobs of two kinds:
 * - `runs`: one pull job per run (read, validate, diff, stage), job id = run id;
 * - `push-<target>`: one job per staged batch (≥ 100 records each), job id = `batch-<id>`, with a
 *   queue per target so each target has its own rate limit, concurrency and circuit breaker.
 * Jobs carry only ids (job data is visible to whoever can read Redis; records, and everything
 * personal, stay sealed in PostgreSQL). Redis may lose jobs; the outbox in PostgreSQL does not,
 * and `resendOutbox` hands back to Redis whatever it still shows pending.
 *
 * Fairness: push jobs are prioritised by their batch's ordinal within its run, so when one
 * school's backfill has queued 400 batches and another school's run queues 3, the second school's
 * first batch goes next, not after the 400: schools take turns, batch by batch.
 */
import { type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { PendingJob, PushAnnouncement } from '../store/index.ts';

export const RUN_QUEUE = 'runs';
export const pushQueueName = (target: string) => `push-${target}`;

export interface RunJob {
  runId: string;
}

export interface PushJob {
  runId: string;
  batchId: string;
}

/** BullMQ priorities run from 1 (first) to 2^21. */
const MAX_PRIORITY = 2_097_152;

/** A connection as BullMQ workers need it: commands wait for Redis instead of failing. */
export function queueConnection(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
  // While Redis is away ioredis reconnects by itself and commands wait; without a listener each
  // failed reconnect would be printed as an "unhandled error event".
  redis.on('error', () => {});
  return redis;
}

/**
 * A connection for a process that only adds jobs (the API): commands fail at once while Redis is
 * away instead of waiting for it, so a request is answered (503) rather than left hanging; the
 * outbox in PostgreSQL hands the job over once Redis is back.
 */
export function producerConnection(url: string): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    enableReadyCheck: true,
  });
  redis.on('error', () => {});
  return redis;
}

/**
 * A queue's connection errors repeat every second while Redis is away, and BullMQ prints each one
 * when nobody listens. The readiness checks and the store guard report Redis's state; the queue's
 * own error events say nothing more.
 */
export function quietQueue<Q extends Queue>(queue: Q): Q {
  queue.on('error', () => {});
  return queue;
}

export function createRunQueue(connection: Redis, prefix: string): Queue<RunJob> {
  return quietQueue(new Queue<RunJob>(RUN_QUEUE, { connection, prefix }));
}

export function createPushQueue(connection: Redis, prefix: string, target: string): Queue<PushJob> {
  return quietQueue(new Queue<PushJob>(pushQueueName(target), { connection, prefix }));
}

/** Enqueues a run's pull job once: the job id is the run id, so a repeat while it waits is a no-op. */
export async function enqueueRun(queue: Queue<RunJob>, runId: string): Promise<void> {
  await queue.add(
    'pull',
    { runId },
    {
      jobId: runId,
      // A pull that fails is final (the run row says why, the adapter's client retried already);
      // one that a dead worker left is picked up again by BullMQ's stalled-job check.
      attempts: 1,
      removeOnComplete: 1_000,
      removeOnFail: 5_000,
    },
  );
}

export interface PushQueues {
  get(target: string): Queue<PushJob>;
  close(): Promise<void>;
}

/** One push queue per target, made on first use. */
export function pushQueues(connection: Redis, prefix: string): PushQueues {
  const queues = new Map<string, Queue<PushJob>>();
  return {
    get(target) {
      let queue = queues.get(target);
      if (!queue) {
        queue = createPushQueue(connection, prefix, target);
        queues.set(target, queue);
      }
      return queue;
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}

/**
 * Enqueues push jobs (one per staged batch; a batch already queued is not queued twice). A job is
 * tried once by BullMQ: when to try a batch again is the push step's decision, made from the
 * batch's attempts in PostgreSQL (which Redis may forget), and carried out by delaying the job.
 */
export async function enqueuePushes(queues: PushQueues, pushes: readonly PushAnnouncement[]): Promise<void> {
  const byTarget = new Map<string, PushAnnouncement[]>();
  for (const p of pushes) byTarget.set(p.target, [...(byTarget.get(p.target) ?? []), p]);
  for (const [target, list] of byTarget) {
    await queues.get(target).addBulk(
      list.map((p) => ({
        name: 'push',
        data: { runId: p.runId, batchId: p.batchId },
        opts: {
          jobId: pushJobId(p.batchId),
          priority: Math.min(Math.max(p.ordinal, 1), MAX_PRIORITY),
          attempts: 1,
          removeOnComplete: 5_000,
          removeOnFail: 5_000,
        },
      })),
    );
  }
}

export const pushJobId = (batchId: string) => `batch-${batchId}`;

/**
 * Hands back to Redis the outbox rows PostgreSQL still shows pending whose job Redis no longer has
 * (restarted without persistence, flushed). A job still there, waiting or running, is left alone.
 * Returns what was enqueued again.
 */
export async function resendOutbox(
  runQueue: Queue<RunJob>,
  queues: PushQueues,
  pending: readonly PendingJob[],
): Promise<{ pulls: string[]; pushes: string[] }> {
  const pulls: string[] = [];
  const pushes: PushAnnouncement[] = [];
  for (const row of pending) {
    if (row.topic === 'run.pull') {
      if (await isLive(await runQueue.getJob(row.key))) continue;
      await runQueue.remove(row.key).catch(() => 0);
      await enqueueRun(runQueue, row.key);
      pulls.push(row.key);
    } else {
      const p = row.payload as PushAnnouncement;
      const queue = queues.get(p.target);
      if (await isLive(await queue.getJob(pushJobId(p.batchId)))) continue;
      await queue.remove(pushJobId(p.batchId)).catch(() => 0);
      pushes.push(p);
    }
  }
  await enqueuePushes(queues, pushes);
  return { pulls, pushes: pushes.map((p) => p.batchId) };
}

/**
 * A job that will still run. A completed or failed one whose outbox row is pending means its
 * effect never committed (the process died in between): it is removed and queued again.
 */
async function isLive(job: Job | undefined): Promise<boolean> {
  if (!job) return false;
  const state = await job.getState();
  return state !== 'completed' && state !== 'failed' && state !== 'unknown';
}
