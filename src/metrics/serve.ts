/**
 * Where Prometheus scrapes: `GET /metrics` on the API (outside `/v1`: no API key, and not in the
 * OpenAPI document, which is the API's contract with people, not with the scraper), and on a
 * worker's own port (WORKER_METRICS_PORT, on WORKER_METRICS_HOST) with node:http. With
 * METRICS_TOKEN set, both want `Authorization: Bearer <METRICS_TOKEN>` and answer 401 without it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { problemType } from '../api/problem.ts';
import type { Config } from '../config/index.ts';
import { IDENTITY_QUEUE } from '../identity/queue.ts';
import { bilingualLine, describeError } from '../model/error-catalogue.ts';
import { producerConnection, pushQueueName, quietQueue, RUN_QUEUE } from '../pipeline/queue.ts';
import { SCHEDULE_QUEUE } from '../pipeline/schedules.ts';
import type { AdapterLogger } from '../sdk/index.ts';
import type { Database } from '../store/index.ts';
import { targetIdsFromConfig } from '../targets/from-config.ts';
import type { QueueSource } from './collect.ts';
import { createHubMetrics, type HubMetrics, type HubMetricsOptions } from './hub-metrics.ts';

/** The queues the settings imply: runs, a push queue per target, schedules, identity checks with C06. */
export function queueNamesFromConfig(config: Config): string[] {
  return [
    RUN_QUEUE,
    ...targetIdsFromConfig(config).map(pushQueueName),
    SCHEDULE_QUEUE,
    ...(config.C06_GATEWAY_URL ? [IDENTITY_QUEUE] : []),
  ];
}

/**
 * The queues read on a connection of the metrics' own, made at the first scrape: one that fails
 * at once while Redis is away (the scrape says so) instead of queueing commands until it is back.
 */
export function queuesFromConfig(config: Config): QueueSource {
  let connection: ReturnType<typeof producerConnection> | undefined;
  let queues: Queue[] = [];
  return {
    open() {
      connection = producerConnection(config.REDIS_URL);
      const made = connection;
      queues = queueNamesFromConfig(config).map((name) =>
        quietQueue(new Queue(name, { connection: made, prefix: config.REDIS_PREFIX })),
      );
      return queues;
    },
    async close() {
      await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
      connection?.disconnect();
    },
  };
}

/** The metrics of a process as the settings make them: the store's gauges and the queues'. */
export function metricsFromConfig(
  config: Config,
  parts: { role: string; database: Database; logger?: AdapterLogger } & Pick<HubMetricsOptions, 'breakers'>,
): HubMetrics {
  return createHubMetrics({
    ...parts,
    targets: targetIdsFromConfig(config),
    queues: queuesFromConfig(config),
  });
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** Whether a request's Authorization header carries the token (compared in constant time). */
export function tokenAccepted(token: string | undefined, authorization: string | undefined): boolean {
  if (token === undefined) return true;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  // Digests of equal length, so the comparison's time says nothing of the token's length either.
  return match !== null && timingSafeEqual(sha256(match[1]!), sha256(token));
}

/** The 401 problem, as the API's error handler writes it (the worker has no Fastify). */
function refusal(instance: string): string {
  const { title, message } = describeError('METRICS_TOKEN_REQUIRED', {});
  return JSON.stringify({
    type: problemType('METRICS_TOKEN_REQUIRED'),
    title: bilingualLine(title),
    status: 401,
    detail: bilingualLine(message),
    instance,
    code: 'METRICS_TOKEN_REQUIRED',
  });
}

const CHALLENGE = 'Bearer realm="metrics"';

/**
 * `GET /metrics` on the API: the app's metrics, closed with it.
 *
 * @example
 * await registerMetricsRoute(app, config, { database });
 */
export async function registerMetricsRoute(
  app: FastifyInstance,
  config: Config,
  parts: { database: Database },
): Promise<HubMetrics> {
  const metrics = metricsFromConfig(config, {
    role: 'api',
    database: parts.database,
    logger: {
      debug: (msg, data) => app.log.debug(data ?? {}, msg),
      info: (msg, data) => app.log.info(data ?? {}, msg),
      warn: (msg, data) => app.log.warn(data ?? {}, msg),
      error: (msg, data) => app.log.error(data ?? {}, msg),
    },
  });
  app.addHook('onClose', () => metrics.close());
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!tokenAccepted(config.METRICS_TOKEN, request.headers.authorization)) {
      return reply
        .code(401)
        .header('www-authenticate', CHALLENGE)
        .type('application/problem+json')
        .send(refusal(request.url));
    }
    const text = await metrics.render();
    return reply.header('cache-control', 'no-store').type(metrics.contentType).send(text);
  });
  return metrics;
}

export interface WorkerMetricsServer {
  readonly metrics: HubMetrics;
  /** Where it listens (the port chosen when WORKER_METRICS_PORT… is taken by a test's 0). */
  readonly address: { host: string; port: number };
  close(): Promise<void>;
}

/**
 * A worker's `GET /metrics` on WORKER_METRICS_HOST:WORKER_METRICS_PORT; undefined when the port
 * is 0 (the default: no metrics server).
 *
 * @example
 * const metrics = await serveWorkerMetrics(config, { database: db, breakers: workers.breakers, logger });
 * // at shutdown
 * await metrics?.close();
 */
export async function serveWorkerMetrics(
  config: Config,
  parts: { database: Database; logger?: AdapterLogger; port?: number } & Pick<HubMetricsOptions, 'breakers'>,
): Promise<WorkerMetricsServer | undefined> {
  const port = parts.port ?? config.WORKER_METRICS_PORT;
  if (port === 0 && parts.port === undefined) return undefined;
  const metrics = metricsFromConfig(config, { role: 'worker', ...parts });
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('Không có / Not found: GET /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      response.end('Chỉ GET / GET only\n');
      return;
    }
    if (!tokenAccepted(config.METRICS_TOKEN, request.headers.authorization)) {
      response.writeHead(401, {
        'content-type': 'application/problem+json',
        'www-authenticate': CHALLENGE,
      });
      response.end(refusal(path));
      return;
    }
    metrics.render().then(
      (text) => {
        response.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        parts.logger?.error('metrics: rendering failed', { message: (error as Error).message });
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        response.end('Lỗi khi đọc chỉ số / Metrics could not be rendered\n');
      },
    );
  });
  // Headers only, never a slow client holding the worker's socket for ever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, config.WORKER_METRICS_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  const address = {
    host: config.WORKER_METRICS_HOST,
    port: typeof bound === 'object' && bound ? bound.port : port,
  };
  return {
    metrics,
    address,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await metrics.close();
    },
  };
}
