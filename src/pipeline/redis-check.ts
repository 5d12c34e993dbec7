/**
 * BullMQ needs Redis to keep every key it writes: with an eviction policy, Redis under memory
 * pressure silently drops job and lock keys, and jobs vanish or run twice. The outbox recovers
 * lost jobs, but only after its sweep interval; say so loudly at start-up.
 */
import type { Redis } from 'ioredis';

export async function warnUnlessNoEviction(
  redis: Redis,
  warn: (line: string) => void,
): Promise<string | undefined> {
  let policy: string | undefined;
  try {
    const answer = (await redis.config('GET', 'maxmemory-policy')) as string[];
    policy = answer[1];
  } catch {
    // A managed Redis may refuse CONFIG: nothing to check then.
    return undefined;
  }
  if (policy !== undefined && policy !== 'noeviction') {
    warn(
      `CẢNH BÁO / WARNING: Redis maxmemory-policy là "${policy}", cần "noeviction" (redis-cli config set maxmemory-policy noeviction) / Redis maxmemory-policy is "${policy}"; BullMQ needs "noeviction" or jobs may be lost`,
    );
  }
  return policy;
}
