/**
 * The API fails fast while a store is away. Before a route runs, the stores it needs (PostgreSQL
 * for every route; Redis for the routes that queue work) are known to answer: each is probed with a
 * one-second timeout and the answer kept for a second, so a burst of requests costs one probe and a
 * request waits at most about a second before a `503` with `Retry-After`, instead of hanging on a
 * client that retries for ever. A store that dies after the probe is caught by the error handler:
 * its errors are answered the same way.
 */
import { type ProblemError, problem } from '../api/problem.ts';
import type { StoreGuard, StoreName } from '../api/stores.ts';
import { type Check, runChecks } from './readiness.ts';

/** What a client is told to wait before it tries again. */
export const STORE_RETRY_AFTER_SECONDS = 5;

const NAMES: Record<StoreName, string> = { database: 'PostgreSQL', redis: 'Redis' };

export function createStoreGuard(
  checks: Record<StoreName, Check>,
  options: { cacheMs?: number; timeoutMs?: number; now?: () => number } = {},
): StoreGuard {
  const cacheMs = options.cacheMs ?? 1_000;
  const timeoutMs = options.timeoutMs ?? 1_000;
  const now = options.now ?? Date.now;
  const known = new Map<StoreName, { at: number; down: string | undefined }>();
  const probing = new Map<StoreName, Promise<string | undefined>>();

  const probe = (store: StoreName): Promise<string | undefined> => {
    const cached = known.get(store);
    if (cached && now() - cached.at < cacheMs) return Promise.resolve(cached.down);
    let inFlight = probing.get(store);
    if (!inFlight) {
      inFlight = runChecks({ [store]: checks[store] } as Record<StoreName, Check>, timeoutMs)
        .then((results) => {
          const result = results[store];
          const down = result === 'ok' ? undefined : result.replace(/^down: /, '');
          known.set(store, { at: now(), down });
          return down;
        })
        .finally(() => probing.delete(store));
      probing.set(store, inFlight);
    }
    return inFlight;
  };

  return {
    async ensure(stores) {
      const outcomes = await Promise.all(stores.map(async (s) => [s, await probe(s)] as const));
      const down = outcomes.filter(([, reason]) => reason !== undefined);
      if (down.length === 0) return;
      throw storeUnavailable(down.map(([s]) => s));
    },
    forget(store) {
      known.delete(store);
    },
  };
}

/** The 503 a request gets while a store it needs is away. */
export function storeUnavailable(stores: readonly StoreName[], cause?: unknown): ProblemError {
  const names = stores.map((s) => NAMES[s]).join(', ');
  return problem(
    'STORE_UNAVAILABLE',
    { stores: names, seconds: STORE_RETRY_AFTER_SECONDS },
    { extensions: { stores: [...stores] }, retryAfterSeconds: STORE_RETRY_AFTER_SECONDS, cause },
  );
}
