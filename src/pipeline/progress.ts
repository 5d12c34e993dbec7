/**
 * A run's progress as server-sent events, read from the `runs` table every ~500 ms.
 *
 * Why poll the table rather than Redis pub/sub from the worker's `onProgress`: the table is the
 * truth whichever process or machine carries the run out, and sees every state the engine writes
 * (queued, pulling, held, pushing, succeeded, failed…) including a run released or failed by
 * another process; pub/sub would lose events published before the client subscribed or while
 * Redis was away, and `runSync` calls `onProgress` only twice per run today, so it would add
 * nothing the table lacks. One indexed primary-key read per open stream every 500 ms is cheap.
 */
import { type Database, getRun, type RunCounts } from '../store/index.ts';

export const FINISHED_STATES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);

export type ProgressEvent =
  | { event: 'state'; data: { runId: string; state: string; at: string } }
  | { event: 'counts'; data: { runId: string; counts: RunCounts } };

/**
 * Yields `state` when the run's state changes and `counts` when its counts do, starting with the
 * current ones, and returns once the run has finished (or is gone, or `signal` aborts).
 */
export async function* watchRun(
  db: Database,
  runId: string,
  options: { intervalMs?: number; signal?: AbortSignal } = {},
): AsyncGenerator<ProgressEvent> {
  const interval = options.intervalMs ?? 500;
  let state: string | undefined;
  let counts: string | undefined;
  while (!options.signal?.aborted) {
    const run = await getRun(db, runId);
    if (!run) return;
    const nextCounts = JSON.stringify(run.counts);
    if (run.state !== state) {
      state = run.state;
      yield { event: 'state', data: { runId, state, at: stateEnteredAt(run).toISOString() } };
    }
    if (nextCounts !== counts) {
      counts = nextCounts;
      yield { event: 'counts', data: { runId, counts: run.counts } };
    }
    if (FINISHED_STATES.has(run.state)) return;
    await sleep(interval, options.signal);
  }
}

/**
 * When the run entered its present state, as far as the row records it: a client that connects late
 * (or again) learns when the run finished, not when it asked. A state the row keeps no time for
 * (held, pulling after a take-over) is dated by when it was seen.
 */
function stateEnteredAt(run: NonNullable<Awaited<ReturnType<typeof getRun>>>): Date {
  const pushing = (run.carry as { pushStartedAt?: string } | null)?.pushStartedAt;
  const at =
    run.state === 'queued'
      ? run.created_at
      : run.state === 'pulling'
        ? run.started_at
        : run.state === 'pushing' && pushing
          ? new Date(pushing)
          : FINISHED_STATES.has(run.state)
            ? run.finished_at
            : null;
  return at ? new Date(at) : new Date();
}

/** One event in the `text/event-stream` format. */
export function formatSse(event: { event: string; data: unknown; id?: number | string }): string {
  const id = event.id === undefined ? '' : `id: ${event.id}\n`;
  return `${id}event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
