/**
 * What a long-running process other than the API needs from the composition root: a logger with
 * the API's redaction (the worker logs retries, lost leases and store outages, never personal
 * data), a wait for PostgreSQL at start-up (a worker started before its database, or during a
 * failover, waits instead of exiting), and a small health endpoint for an orchestrator:
 * `/healthz` says the process is alive (it touches nothing), `/readyz` whether PostgreSQL and Redis
 * answer.
 */
import { createServer, type Server } from 'node:http';
import type { Redis } from 'ioredis';
import pino, { type DestinationStream, type Logger } from 'pino';
import { isDatabaseUnavailable, isRedisUnavailable } from '../pipeline/lease.ts';
import type { AdapterLogger } from '../sdk/index.ts';
import { type Database, migrateToLatest } from '../store/index.ts';
import { databaseCheck, redisCheck, runChecks } from './readiness.ts';
import { REDACT_PATHS } from './redact.ts';

/** The process's one logger (stderr, or `destination` in tests), with the API's redaction. */
export function processLogger(
  level: string,
  name: string,
  destination: DestinationStream = pino.destination(2),
): { pino: Logger; adapter: AdapterLogger } {
  const logger = pino({ level, name, redact: { paths: REDACT_PATHS } }, destination);
  return {
    pino: logger,
    adapter: {
      debug: (msg, data) => logger.debug(data ?? {}, msg),
      info: (msg, data) => logger.info(data ?? {}, msg),
      warn: (msg, data) => logger.warn(data ?? {}, msg),
      error: (msg, data) => logger.error(data ?? {}, msg),
    },
  };
}

/**
 * Brings the schema up to date, waiting for PostgreSQL as long as it takes (backoff from 1 s to
 * 30 s, each wait logged): an orchestrator should not have to restart a worker for its database.
 */
export async function migrateWhenReachable(
  db: Database,
  logger: AdapterLogger,
  signal?: AbortSignal,
): Promise<void> {
  for (let wait = 1_000; ; wait = Math.min(wait * 2, 30_000)) {
    try {
      await migrateToLatest(db);
      return;
    } catch (error) {
      if (signal?.aborted) throw error;
      logger.warn('database not reachable yet; trying again', {
        message: (error as Error).message,
        waitMs: wait,
      });
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** `/healthz` and `/readyz` on `port` (127.0.0.1 unless `host` says otherwise). */
export async function startHealthServer(options: {
  port: number;
  host?: string;
  database: Database;
  redis: Redis;
}): Promise<Server> {
  const redis = redisCheck(options.redis);
  const database = databaseCheck(options.database);
  const server = createServer((request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET') return send(405, { status: 'method not allowed' });
    if (request.url === '/healthz') return send(200, { status: 'ok' });
    if (request.url === '/readyz') {
      void runChecks({ redis, database }).then((checks) => {
        const ready = Object.values(checks).every((c) => c === 'ok');
        send(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
      });
      return;
    }
    send(404, { status: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  return server;
}

/**
 * A start-up chore (schedules re-created, the outbox resent, identity checks queued) done once the
 * stores answer: PostgreSQL or Redis going away during start-up (a failover, a restart) is waited
 * out, each wait logged, rather than ending the process. Any other error is the chore's own.
 */
export async function whenStoresAnswer<T>(
  what: string,
  chore: () => Promise<T>,
  logger: AdapterLogger,
  signal?: AbortSignal,
): Promise<T> {
  for (let wait = 1_000; ; wait = Math.min(wait * 2, 30_000)) {
    try {
      return await chore();
    } catch (error) {
      if (signal?.aborted || !(isDatabaseUnavailable(error) || isRedisUnavailable(error))) throw error;
      logger.warn(`${what}: a store is away; trying again`, {
        message: (error as Error).message,
        waitMs: wait,
      });
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
