/**
 * Online checks as queued jobs, one person a job so the queue's limiter is exactly C06's quota
 * (lookups a second, every worker together). The person's status `pending` is the lease: a job
 * Redis lost makes them due again when it lapses, and the sweep queues them anew.
 */
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Database, markPending, peopleDue } from '../store/index.ts';
import type { IdentityService, Requester } from './service.ts';

export const IDENTITY_QUEUE = 'identity-checks';

export interface IdentityCheckJob {
  personId: string;
  requester: Requester;
}

const LEASE_MS = 15 * 60_000;

export function createIdentityQueue(connection: Redis, prefix: string): Queue<IdentityCheckJob> {
  const queue = new Queue<IdentityCheckJob>(IDENTITY_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: 1_000, attempts: 1 },
  });
  // Connection errors repeat while Redis is away; readiness reports Redis's state (see pipeline/queue.ts).
  queue.on('error', () => {});
  return queue;
}

/** Queues a check for each person (once: a person already queued is not queued twice). */
export async function queueChecks(
  queue: Queue<IdentityCheckJob>,
  db: Database,
  personIds: readonly string[],
  requester: Requester,
): Promise<number> {
  if (personIds.length === 0) return 0;
  await markPending(db, personIds, new Date(Date.now() + LEASE_MS));
  await queue.addBulk(
    personIds.map((personId) => ({
      name: 'check',
      data: { personId, requester },
      opts: { jobId: `check-${personId}` },
    })),
  );
  return personIds.length;
}

export interface IdentityWorker {
  worker: Worker<IdentityCheckJob>;
  /** Queues everyone due now; also runs every `sweepEveryMs`. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

export function startIdentityWorker(options: {
  connect: () => Redis;
  prefix: string;
  db: Database;
  service: IdentityService;
  queue: Queue<IdentityCheckJob>;
  requestsPerSecond: number;
  sweepEveryMs?: number;
}): IdentityWorker {
  const worker = new Worker<IdentityCheckJob>(
    IDENTITY_QUEUE,
    async (job) => {
      const [outcome] = await options.service.checkOnline([job.data.personId], job.data.requester);
      return outcome ? { result: outcome.result } : { result: 'gone' };
    },
    {
      connection: options.connect(),
      prefix: options.prefix,
      concurrency: Math.min(8, options.requestsPerSecond),
      limiter: { max: options.requestsPerSecond, duration: 1_000 },
    },
  );
  const sweepRequester: Requester = {
    actor: 'system:identity-sweep',
    role: null,
    purpose: 'identity-verification',
  };
  const sweep = async () => {
    let queued = 0;
    for (;;) {
      const due = await peopleDue(options.db, new Date(), 500);
      if (due.length === 0) return queued;
      queued += await queueChecks(options.queue, options.db, due, sweepRequester);
      if (due.length < 500) return queued;
    }
  };
  const timer = setInterval(() => {
    sweep().catch(() => undefined);
  }, options.sweepEveryMs ?? 60_000);
  timer.unref();
  return {
    worker,
    sweep,
    async close() {
      clearInterval(timer);
      await worker.close();
    },
  };
}
