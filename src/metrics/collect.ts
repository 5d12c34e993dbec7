/**
 * The gauges read at scrape time: queue depth and the age of the oldest waiting job per queue
 * (BullMQ, in Redis), runs not yet ended, open dead letters and each school's last success (the
 * store). Read at most once per `cacheMs` whatever the number of scrapers, each part within
 * `timeoutMs`: a scrape never waits longer than that for a store that is slow or away, and is
 * answered with the values last read, `edubridge_metrics_collect_ok{part}` 0 saying they are old.
 * A part still running from an earlier scrape is waited for, never started twice.
 */
import type { Job, Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';
import type { AdapterLogger } from '../sdk/index.ts';
import { type Database, storeGauges } from '../store/index.ts';

export interface QueueSource {
  /** The queues to watch, made once (on the first scrape), closed with the metrics. */
  open(): Queue[];
  close(): Promise<void>;
}

export interface CollectOptions {
  database?: Database;
  /** The configured targets: open dead letters are reported for each (0 when none). */
  targets?: readonly string[];
  queues?: QueueSource;
  /** Reads are shared for this long (default 5 s). */
  cacheMs?: number;
  /** A part that takes longer is reported as failed and its last values kept (default 2 s). */
  timeoutMs?: number;
  logger?: AdapterLogger;
  now?: () => number;
}

/** The states of a queue's jobs reported; a push job waits in `prioritized` (fair shares by ordinal). */
const JOB_STATES = ['wait', 'prioritized', 'active', 'delayed', 'failed'] as const;
/** Jobs read from each end of a queue's waiting lists to find the oldest: bounded, whatever the depth. */
const AGE_SAMPLE = 20;

interface Part {
  name: 'store' | 'queues';
  read(): Promise<() => void>;
  running?: Promise<void> | undefined;
}

export interface Collector {
  /** Brings the gauges up to date (or leaves them, within the cache's life). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

export function createCollector(registry: Registry, options: CollectOptions): Collector {
  const registers = [registry];
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? 2_000;

  const collectOk = new Gauge({
    name: 'edubridge_metrics_collect_ok',
    help: 'Whether the last read of a part of the scrape-time gauges (store, queues) succeeded in time (1) or not (0: its values are older)',
    labelNames: ['part'] as const,
    registers,
  });
  const collectSeconds = new Gauge({
    name: 'edubridge_metrics_collect_seconds',
    help: 'How long the last read of a part of the scrape-time gauges took',
    labelNames: ['part'] as const,
    registers,
  });

  const parts: Part[] = [];
  if (options.database) parts.push(storePart(registry, options.database, options.targets ?? []));
  if (options.queues) parts.push(queuePart(registry, options.queues, now));

  let freshUntil = 0;
  let refreshing: Promise<void> | undefined;

  const runPart = async (part: Part) => {
    if (!part.running) {
      const started = performance.now();
      part.running = part
        .read()
        .then(
          (apply) => {
            apply();
            collectOk.set({ part: part.name }, 1);
          },
          (error: unknown) => {
            collectOk.set({ part: part.name }, 0);
            options.logger?.warn('metrics: a part could not be read', {
              part: part.name,
              message: (error as Error).message,
            });
          },
        )
        .finally(() => {
          collectSeconds.set({ part: part.name }, (performance.now() - started) / 1_000);
          part.running = undefined;
        });
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    const outcome = await Promise.race([part.running.then(() => 'done' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late') collectOk.set({ part: part.name }, 0);
  };

  return {
    async refresh() {
      if (now() < freshUntil) return;
      refreshing ??= Promise.all(parts.map(runPart))
        .then(() => {
          freshUntil = now() + cacheMs;
        })
        .finally(() => {
          refreshing = undefined;
        });
      await refreshing;
    },
    async close() {
      await options.queues?.close();
    },
  };
}

function storePart(registry: Registry, database: Database, targets: readonly string[]): Part {
  const registers = [registry];
  const runs = new Gauge({
    name: 'edubridge_runs',
    help: 'Runs not yet ended, by state (queued, pulling, validating, diffing, held, pushing); ended runs are counted by edubridge_runs_ended_total',
    labelNames: ['state'] as const,
    registers,
  });
  const deadLetters = new Gauge({
    name: 'edubridge_dead_letters_open',
    help: 'Dead letters neither replayed, discarded nor resolved, by school and target (0 for a school that has run and a configured target with none)',
    labelNames: ['school', 'target'] as const,
    registers,
  });
  const lastSuccess = new Gauge({
    name: 'edubridge_school_last_success_timestamp_seconds',
    help: "When a school's last successful run ended (Unix seconds); 0 for a school that has run but never succeeded",
    labelNames: ['school'] as const,
    registers,
  });
  return {
    name: 'store',
    async read() {
      const read = await storeGauges(database, targets);
      // Applied whole, once read: a school whose letters were all replayed drops out.
      return () => {
        runs.reset();
        for (const [state, n] of read.activeRuns) runs.set({ state }, n);
        deadLetters.reset();
        for (const d of read.openDeadLetters)
          deadLetters.set({ school: d.schoolCode, target: d.target }, d.count);
        lastSuccess.reset();
        for (const s of read.lastSuccess)
          lastSuccess.set({ school: s.schoolCode }, s.at ? s.at.getTime() / 1_000 : 0);
      };
    },
  };
}

function queuePart(registry: Registry, source: QueueSource, now: () => number): Part {
  const registers = [registry];
  const jobs = new Gauge({
    name: 'edubridge_queue_jobs',
    help: 'Jobs in a queue, by state (wait, prioritized: waiting their turn; active; delayed: retrying later; failed: kept for inspection)',
    labelNames: ['queue', 'state'] as const,
    registers,
  });
  const oldest = new Gauge({
    name: 'edubridge_queue_oldest_waiting_age_seconds',
    help: 'Age of the oldest job waiting its turn in a queue (wait or prioritized), 0 when none waits; sampled from both ends of each list',
    labelNames: ['queue'] as const,
    registers,
  });
  let queues: Queue[] | undefined;
  return {
    name: 'queues',
    async read() {
      queues ??= source.open();
      const read = await Promise.all(
        queues.map(async (queue) => ({
          name: queue.name,
          counts: await queue.getJobCounts(...JOB_STATES),
          oldest: await oldestWaiting(queue),
        })),
      );
      const at = now();
      return () => {
        for (const q of read) {
          for (const state of JOB_STATES) jobs.set({ queue: q.name, state }, q.counts[state] ?? 0);
          oldest.set({ queue: q.name }, q.oldest === undefined ? 0 : Math.max(0, (at - q.oldest) / 1_000));
        }
      };
    },
  };
}

/**
 * When the oldest job waiting its turn was added. The wait list is in order of arrival; the
 * prioritized set is in order of priority (a batch's ordinal in its run), where an old backfill's
 * last batches sit at the far end: both ends of both are read, AGE_SAMPLE jobs each.
 */
async function oldestWaiting(queue: Queue): Promise<number | undefined> {
  const ends = await Promise.all(
    (['wait', 'prioritized'] as const).flatMap((state) => [
      queue.getJobs([state], 0, AGE_SAMPLE - 1, true),
      queue.getJobs([state], 0, AGE_SAMPLE - 1, false),
    ]),
  );
  let oldest: number | undefined;
  for (const job of ends.flat() as Job[]) {
    if (typeof job?.timestamp === 'number' && (oldest === undefined || job.timestamp < oldest))
      oldest = job.timestamp;
  }
  return oldest;
}
