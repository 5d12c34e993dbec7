/**
 * Keeping a step's lease while the step works, and telling a store that is away from a step that
 * failed. The lease is what lets another worker take a step over when its owner dies; the
 * heartbeat renews it a third of its length at a time, so a living owner keeps it through one or
 * two late renewals. A renewal the store refuses (another worker holds the step now) aborts the
 * step's signal with LeaseLostError: the step stops reading and writing. A renewal that fails
 * because the database is away is only logged: the step's writes are fenced anyway, and fail on
 * their own once the lease has passed.
 */
import { errorMessage } from '../model/error-catalogue.ts';
import { AdapterError, type AdapterLogger, RetryableError } from '../sdk/index.ts';
import type { LeaseLostError } from '../store/index.ts';

export interface Heartbeat {
  /** Aborted (reason: LeaseLostError) once the lease is known lost. */
  readonly signal: AbortSignal;
  stop(): void;
}

export function keepLease(
  renew: () => Promise<boolean>,
  options: { leaseMs: number; logger: AdapterLogger; lost: () => LeaseLostError },
): Heartbeat {
  const controller = new AbortController();
  let renewing = false;
  const timer = setInterval(
    () => {
      if (renewing || controller.signal.aborted) return;
      renewing = true;
      renew()
        .then((held) => {
          if (!held) controller.abort(options.lost());
        })
        .catch((error: unknown) => {
          options.logger.warn('lease renewal failed', { message: describe(error) });
        })
        .finally(() => {
          renewing = false;
        });
    },
    Math.max(50, Math.floor(options.leaseMs / 3)),
  );
  timer.unref();
  return {
    signal: controller.signal,
    stop: () => clearInterval(timer),
  };
}

/** The database or Redis could not be reached: the step is tried again once the store is back. */
export class StoreUnavailableError extends RetryableError {
  constructor(store: 'postgres' | 'redis', cause: unknown) {
    const code = store === 'postgres' ? 'DATABASE_UNAVAILABLE' : 'REDIS_UNAVAILABLE';
    super(code, errorMessage(code, { reason: describe(cause) }), { cause });
  }
}

// SQLSTATE classes and codes that mean "the server or the connection went away", not "your SQL is
// wrong": 08 connection exceptions, 57P01-57P03 shutdown and start-up, 53300 too many connections.
const PG_GONE_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const PG_GONE_MESSAGES =
  /Connection terminated|connection (?:is )?closed|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection|the database system is (?:starting up|shutting down)|Client was closed/i;

/** True when `error` says PostgreSQL is unreachable (a restart, a failover, a killed connection). */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    // A target's or a source's error (their network failures carry the same errno codes) is theirs.
    if (e instanceof AdapterError) return false;
    if (e instanceof AggregateError && e.errors.some(isDatabaseUnavailable)) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('08') || PG_GONE_CODES.has(code) || NET_CODES.has(code)))
      return true;
    if (e instanceof Error && PG_GONE_MESSAGES.test(e.message)) return true;
  }
  return false;
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && !error.message) return error.errors.map(describe).join('; ');
  if (error instanceof Error) return error.message || (error as NodeJS.ErrnoException).code || error.name;
  return String(error);
}

// ioredis's own words while Redis is away: a client that queues nothing offline, one that gave up
// retrying a command, one whose connection closed under a command, one whose command timed out.
const REDIS_GONE_MESSAGES =
  /Stream isn't writeable|Connection is closed|Reached the max retries per request limit|Command timed out/;

/** True when `error` says Redis is unreachable. */
export function isRedisUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof AdapterError) return false;
    if ((e as { name?: unknown }).name === 'MaxRetriesPerRequestError') return true;
    if (e instanceof Error && REDIS_GONE_MESSAGES.test(e.message)) return true;
  }
  return false;
}
