import { Redis } from 'ioredis';

/**
 * A client for short commands from request handlers (probes, look-ups). It connects on first use
 * and never queues commands while disconnected, so a Redis outage fails a request at once instead
 * of hanging it. BullMQ needs other settings (`maxRetriesPerRequest: null`) and its own clients.
 */
export function createRedis(url: string): Redis {
  return new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
  });
}

export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // The connection broke while quitting: drop it below.
    }
  }
  redis.disconnect();
}
