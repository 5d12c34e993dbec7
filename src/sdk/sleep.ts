/**
 * Waits `ms`, or less when `signal` aborts: then it rejects with the signal's reason, so a run
 * that is cancelled stops waiting between retries at once and says why. (Node's
 * `timers/promises` rejects with its own AbortError instead of the reason.)
 *
 * @example
 * ```ts
 * await sleep(error.retryAfterMs ?? 1_000, ctx.signal);
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
