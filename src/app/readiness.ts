import type { Redis } from 'ioredis';
import type { Database } from '../store/index.ts';

/** Resolves when the dependency answers; rejects with the reason it does not. */
export type Check = () => Promise<void>;

export type CheckResult = 'ok' | `down: ${string}`;

/** How long a readiness probe waits for each dependency before calling it down. */
export const CHECK_TIMEOUT_MS = 1_000;

/**
 * A PING against `redis`, connecting first if the client is lazy and has not connected yet.
 *
 * ioredis quirks this works around: with `enableOfflineQueue: false` a command sent before the
 * connection is up fails at once with "Stream isn't writeable…", and a failed `connect()` rejects
 * with only "Connection is closed." — the real cause (ECONNREFUSED, ENOTFOUND, auth) arrives as an
 * `error` event, so the last one is kept to report.
 */
export function redisCheck(redis: Redis, onError?: (error: Error) => void): Check {
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => {
    if (lastError?.message !== error.message) onError?.(error);
    lastError = error;
  });
  redis.on('ready', () => {
    lastError = undefined;
  });

  return async () => {
    try {
      if (redis.status === 'wait' || redis.status === 'end') await redis.connect();
      // A probe arriving while another one is connecting: `connect()` would refuse, so wait for it.
      else if (redis.status === 'connecting' || redis.status === 'connect') await untilReady(redis);
      const reply = await redis.ping();
      if (reply !== 'PONG') throw new Error(`unexpected PING reply ${JSON.stringify(reply)}`);
    } catch (error) {
      throw lastError ?? error;
    }
  };
}

function untilReady(redis: Redis): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      redis.off('ready', onReady);
      redis.off('error', onError);
      redis.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => settle();
    const onError = (error: Error) => settle(error);
    const onClose = () => settle(new Error('Connection is closed.'));
    redis.on('ready', onReady);
    redis.on('error', onError);
    redis.on('close', onClose);
  });
}

export function databaseCheck(database: Database): Check {
  return () => database.ping();
}

/** Runs every check at once; each gets `timeoutMs`, so the whole probe takes at most that long. */
export async function runChecks<K extends string>(
  checks: Record<K, Check>,
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<Record<K, CheckResult>> {
  const names = Object.keys(checks) as K[];
  const outcomes = await Promise.allSettled(names.map((name) => withTimeout(checks[name](), timeoutMs)));
  const results = {} as Record<K, CheckResult>;
  names.forEach((name, i) => {
    const outcome = outcomes[i]!;
    results[name] = outcome.status === 'fulfilled' ? 'ok' : `down: ${describeError(outcome.reason)}`;
  });
  return results;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A one-line reason. Node's dual-stack connect ("localhost" → ::1 and 127.0.0.1) fails with an
 * AggregateError whose own message is empty, so the inner errors are read instead.
 */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && !error.message) {
    const inner = [...new Set(error.errors.map(describeError))];
    if (inner.length > 0) return inner.join('; ');
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return (error.message || code || error.name).replaceAll(/\s+/g, ' ').trim();
  }
  return String(error);
}
