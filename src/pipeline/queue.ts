/**
 * The run queue on BullMQ: one job per requested run, carrying only the run's id (job data is
 * visible to whoever can read Redis; the run itself, and everything personal, is in PostgreSQL).
 * Redis may lose a job; the run row stays `queued` and `requeueStaleRuns` finds it again.
 */
import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

export const RUN_QUEUE = 'runs';

export interface RunJob {
  runId: string;
}

/** A connection as BullMQ workers need it: commands wait for Redis instead of failing. */
export function queueConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

export function createRunQueue(connection: Redis, prefix: string): Queue<RunJob> {
  return new Queue<RunJob>(RUN_QUEUE, { connection, prefix });
}

/** Enqueues a run once: the job id is the run id, so a repeat while it waits is a no-op. */
export async function enqueueRun(queue: Queue<RunJob>, runId: string): Promise<void> {
  await queue.add(
    'sync',
    { runId },
    {
      jobId: runId,
      attempts: 3,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: 1_000,
      removeOnFail: 5_000,
    },
  );
}

/**
 * Starts a worker that carries out queued runs. `execute` throws a RetryableError for a failure
 * worth another attempt; anything else fails the job for good (the run row says why).
 */
export function startRunWorker(options: {
  connection: Redis;
  prefix: string;
  concurrency?: number;
  execute: (runId: string, job: Job<RunJob>) => Promise<void>;
}): Worker<RunJob> {
  return new Worker<RunJob>(RUN_QUEUE, async (job) => options.execute(job.data.runId, job), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency ?? 2,
  });
}

/**
 * Re-enqueues runs that PostgreSQL says are queued but Redis no longer has a job for (Redis
 * restarted without persistence, a flushed queue). The job id is the run id, so a run whose job is
 * still there is left alone. Returns the run ids enqueued again.
 */
export async function requeueLostRuns(
  queue: Queue<RunJob>,
  queuedRunIds: readonly string[],
): Promise<string[]> {
  const requeued: string[] = [];
  for (const runId of queuedRunIds) {
    const job = await queue.getJob(runId);
    if (job) continue;
    await enqueueRun(queue, runId);
    requeued.push(runId);
  }
  return requeued;
}
