/**
 * The one composition root. `createHub(config)` makes the hub's parts once (the database, the
 * keyring, Redis clients, queues, the run service, the identity runtime, the SSO relay, the
 * adapters catalogue) and every entry point starts from it: `edubridge serve` builds its app over
 * them, `edubridge worker` starts its workers, the demo does both in one process over one
 * database, and the CLI's commands that read or change state use its database and services.
 *
 * What the hub makes it closes, in order (HTTP first, so no new work arrives, then the workers,
 * which finish the jobs in hand, then the queues and services, Redis, the database last); what a
 * caller hands it as an override stays the caller's to close.
 *
 * Redis is reached only when something needs it: building the app (for the OpenAPI document, say)
 * or opening the database for a CLI command connects to no Redis.
 */
import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import pino, { type DestinationStream } from 'pino';
import type { IdentityRuntime } from '../api/routes/identity.ts';
import { type Config, environment, inputLimitsOf } from '../config/index.ts';
import {
  createIdentityQueue,
  type IdentityCheckJob,
  type IdentityWorker,
  startIdentityWorker,
} from '../identity/queue.ts';
import type { IdentityService } from '../identity/service.ts';
import type { SsoRelay } from '../identity/sso/index.ts';
import { createRunQueue, producerConnection, queueConnection } from '../pipeline/queue.ts';
import {
  createScheduleQueue,
  type ScheduleJob,
  ScheduleService,
  startScheduleWorker,
} from '../pipeline/schedules.ts';
import { RunService } from '../pipeline/service.ts';
import { type AdapterCatalogue, type Sources, sourcesLoader } from '../pipeline/sources/index.ts';
import { type SyncWorkers, startSyncWorkers, type TargetLimits } from '../pipeline/workers.ts';
import type { Adapter, AdapterLogger } from '../sdk/index.ts';
import { createDatabase, type Database, type Keyring, loadKeyring } from '../store/index.ts';
import { targetLimitsFromConfig, targetsFromConfig } from '../targets/from-config.ts';
import type { Target } from '../targets/target.ts';
import type { App } from './app.ts';
import { closeRedis, createRedis } from './dependencies.ts';
import { identityServiceFromConfig } from './identity.ts';
import { runObservers } from './observers.ts';
import { REDACT_PATHS } from './redact.ts';

/**
 * Parts a caller brings instead of the hub's own (tests, the demo's simulators). A part given is
 * the caller's: the hub uses it and never closes it.
 */
export interface HubOverrides {
  database?: Database;
  /** The client for short commands (rate limits, readiness). */
  redis?: Redis;
  runService?: RunService;
  /** The adapters the sources file may name; with it, loading the sources file checks each school's. */
  adapters?: AdapterCatalogue;
  /** Loads a school's adapter by specifier, when no catalogue is given (tests hand one adapter). */
  loadAdapter?: (specifier: string) => Promise<Adapter>;
  /** Identity checks (service and queue). */
  identity?: IdentityRuntime;
  /** Makes the identity service over the hub's parts (the demo's C06 simulator); the hub queues its checks. */
  identityService?: (parts: HubParts) => IdentityService;
  /** The SSO relay; null: none, whatever the settings say. */
  sso?: SsoRelay | null;
  /** Makes the SSO relay over the hub's parts, instead of from the settings; the hub closes it. */
  ssoRelay?: (parts: HubParts) => Promise<SsoRelay | undefined>;
  /** The targets instead of the configured ones (the demo's simulators). */
  targets?: () => readonly Target[];
  /** The schools' sources instead of SOURCES_FILE. */
  sources?: () => Promise<Sources>;
  /** Where the hub's own warnings go (a dropped database connection, a part slow to close). */
  logger?: AdapterLogger;
  /**
   * How the hub's queues reach Redis while it is away: `fail-fast` (an API: a request is answered
   * 503 at once, the outbox hands the job over later) or `wait` (a worker: commands wait for it).
   */
  redisWhileAway?: 'fail-fast' | 'wait';
}

/** What a part made for the hub by a caller's factory is built over. */
export interface HubParts {
  config: Config;
  database: Database;
  keyring: Keyring;
}

export interface HubWorkerOptions {
  /** Runs carried out at once (default 2). */
  concurrency?: number;
  /** Each target's rate limit; the settings' by default. */
  limits?: Record<string, TargetLimits>;
  /** Online identity checks, when the identity service has C06; false: none. */
  identity?: false | { requestsPerSecond?: number; sweepEveryMs?: number };
  /** The schedule worker (fires each school's scheduled runs); default on. */
  schedules?: boolean;
}

export interface HubWorkers {
  sync: SyncWorkers;
  identity: IdentityWorker | undefined;
  scheduler: Worker<ScheduleJob> | undefined;
  /** Stops the workers (the jobs in hand finish first, each part within a few seconds). */
  close(): Promise<void>;
}

export interface Hub {
  readonly config: Config;
  readonly database: Database;
  readonly keyring: Keyring;
  /** The client for short commands; connects on first use. */
  readonly redis: Redis;
  readonly adapters: AdapterCatalogue | undefined;
  targets(): readonly Target[];
  /** Queues and decides runs; made on first use, with its queue. */
  runs(): RunService;
  identity(): IdentityRuntime;
  schedules(): ScheduleService;
  scheduleQueue(): Queue<ScheduleJob>;
  /** The SSO relay (made from the settings on first call, with `logger`); undefined: none. */
  sso(logger?: SsoLoggerLike): Promise<SsoRelay | undefined>;
  /**
   * The HTTP app over the hub's parts, not yet listening. `closesHub`: closing the app closes the
   * hub (an API process, whose app is all there is).
   */
  app(options?: { logStream?: DestinationStream; closesHub?: boolean }): Promise<App>;
  startWorkers(options?: HubWorkerOptions): Promise<HubWorkers>;
  close(): Promise<void>;
}

type SsoLoggerLike = Parameters<typeof import('./sso.ts').ssoRelayFor>[3] extends infer O
  ? O extends { logger?: infer L }
    ? L
    : never
  : never;

/** How long each part may take to close before the next is closed regardless. */
const CLOSE_WITHIN_MS = 5_000;

/**
 * @example
 * const hub = await createHub(loadConfig(), { adapters });
 * const app = await hub.app();
 * const workers = await hub.startWorkers({ concurrency: 2 });
 * // … later
 * await hub.close();
 */
export async function createHub(config: Config, overrides: HubOverrides = {}): Promise<Hub> {
  let logger: AdapterLogger = overrides.logger ?? fallbackLogger(config.LOG_LEVEL);
  const closers: { name: string; close: () => Promise<unknown>; force?: () => Promise<unknown> }[] = [];
  const database =
    overrides.database ??
    (await createDatabase(config, {
      onIdleConnectionError: (error) =>
        logger.warn('database connection dropped', { message: error.message }),
    }));
  const ownsDatabase = overrides.database === undefined;
  // One keyring for every service (loading it again would only repeat its warnings).
  const keyring = loadKeyring(config);
  const redis = overrides.redis ?? createRedis(config.REDIS_URL);
  const ownsRedis = overrides.redis === undefined;
  const connect = () =>
    overrides.redisWhileAway === 'wait'
      ? queueConnection(config.REDIS_URL)
      : producerConnection(config.REDIS_URL);

  /** A part made on first use; its closing is queued in the order parts were made. */
  const lazy = <T>(name: string, make: () => { value: T; close?: () => Promise<unknown> }) => {
    let made: { value: T } | undefined;
    return () => {
      if (made) return made.value;
      const part = make();
      made = part;
      if (part.close) closers.push({ name, close: part.close });
      return part.value;
    };
  };

  const targets = overrides.targets ?? (() => targetsFromConfig(config));
  const runs = overrides.runService
    ? () => overrides.runService!
    : lazy('runs', () => {
        const connection = connect();
        const queue = createRunQueue(connection, config.REDIS_PREFIX);
        const loadAdapter = overrides.adapters
          ? (specifier: string) => overrides.adapters!.load(specifier)
          : overrides.loadAdapter;
        const service = new RunService({
          db: database,
          keyring,
          queue,
          sources:
            overrides.sources ??
            sourcesLoader(config.SOURCES_FILE, () => ({
              env: environment(),
              ...(overrides.adapters ? { adapters: overrides.adapters } : {}),
            })),
          targets,
          holdThreshold: config.HOLD_THRESHOLD,
          pushAttempts: config.PUSH_ATTEMPTS,
          outageMaxMs: config.PUSH_OUTAGE_MAX_MS,
          ...(config.TEXT_LIMITS ? { textLimits: config.TEXT_LIMITS } : {}),
          inputLimits: inputLimitsOf(config),
          leaseMs: config.WORKER_LOCK_MS,
          batchSize: config.SYNC_BATCH_SIZE,
          ...runObservers(database, keyring),
          ...(loadAdapter ? { loadAdapter } : {}),
          ...(overrides.logger ? { logger: overrides.logger } : {}),
        });
        return {
          value: service,
          close: async () => {
            // The service's push queues share the connection with the run queue.
            await service.close();
            await queue.close();
            connection.disconnect();
          },
        };
      });

  const identity = overrides.identity
    ? () => overrides.identity!
    : lazy('identity', () => {
        const service = overrides.identityService
          ? overrides.identityService({ config, database, keyring })
          : identityServiceFromConfig(config, database, keyring);
        const connection = connect();
        const queue: Queue<IdentityCheckJob> = createIdentityQueue(connection, config.REDIS_PREFIX);
        return {
          value: { service, queue },
          close: async () => {
            await queue.close();
            connection.disconnect();
          },
        };
      });

  const scheduleQueue = lazy('schedules', () => {
    const connection = connect();
    const queue = createScheduleQueue(connection, config.REDIS_PREFIX);
    return {
      value: queue,
      close: async () => {
        await queue.close();
        connection.disconnect();
      },
    };
  });
  const schedules = lazy('schedule service', () => ({
    value: new ScheduleService({ db: database, queue: scheduleQueue() }),
  }));

  let relay: Promise<SsoRelay | undefined> | undefined;
  const sso = (ssoLogger?: SsoLoggerLike) => {
    if (overrides.sso !== undefined) return Promise.resolve(overrides.sso ?? undefined);
    relay ??= import('./sso.ts').then(async ({ ssoRelayFor }) => {
      const made = overrides.ssoRelay
        ? await overrides.ssoRelay({ config, database, keyring })
        : await ssoRelayFor(config, database, keyring, ssoLogger ? { logger: ssoLogger } : {});
      if (made) closers.push({ name: 'sso relay', close: () => made.close() });
      return made;
    });
    return relay;
  };

  const apps: App[] = [];
  const workerSets: HubWorkers[] = [];
  let closing: Promise<void> | undefined;
  /** Everything but the apps, once, whoever asks first (hub.close() or an app that closes the hub). */
  const closeParts = () => {
    closing ??= (async () => {
      for (const workers of workerSets.splice(0)) await workers.close();
      // Services and queues before the connections under them; the last made first.
      for (const part of closers.splice(0).reverse())
        await closeWithin(CLOSE_WITHIN_MS, part.close, logger, part.name, part.force);
      if (ownsRedis) await closeRedis(redis);
      if (ownsDatabase) await closeWithin(CLOSE_WITHIN_MS, () => database.close(), logger, 'database');
    })();
    return closing;
  };

  const hub: Hub = {
    config,
    database,
    keyring,
    redis,
    adapters: overrides.adapters,
    targets,
    runs,
    identity,
    schedules,
    scheduleQueue,
    sso,
    async app(options = {}) {
      // Loaded here: a CLI command that only reads the database need not load Fastify.
      const { buildHubApp } = await import('./build.ts');
      const app = await buildHubApp(hub, options.logStream);
      // The hub's warnings go where its app logs, unless the caller said where.
      if (!overrides.logger) logger = pinoAdapter(app.log);
      apps.push(app);
      // An app its caller closed is not closed again by hub.close().
      app.addHook('onClose', async () => {
        const at = apps.indexOf(app);
        if (at >= 0) apps.splice(at, 1);
      });
      if (options.closesHub) app.addHook('onClose', closeParts);
      return app;
    },
    async startWorkers(options = {}) {
      const sync = await startSyncWorkers({
        // Each BullMQ worker needs a connection of its own that waits for Redis.
        connect: () => queueConnection(config.REDIS_URL),
        prefix: config.REDIS_PREFIX,
        service: runs(),
        pullConcurrency: options.concurrency ?? 2,
        limits: options.limits ?? targetLimitsFromConfig(config),
        breaker: { failureThreshold: config.BREAKER_FAILURES, cooldownMs: config.BREAKER_COOLDOWN_MS },
        lockDurationMs: config.WORKER_LOCK_MS,
        bodyDays: config.LINEAGE_BODY_DAYS,
        logger,
      });
      // Online identity checks run where C06 is configured; people are registered by every run.
      const runtime = options.identity === false ? undefined : identity();
      const identityWorker =
        runtime?.service.online && runtime.queue && options.identity !== false
          ? startIdentityWorker({
              connect: () => queueConnection(config.REDIS_URL),
              prefix: config.REDIS_PREFIX,
              db: database,
              service: runtime.service,
              queue: runtime.queue,
              requestsPerSecond: options.identity?.requestsPerSecond ?? config.C06_REQUESTS_PER_SECOND,
              ...(options.identity?.sweepEveryMs ? { sweepEveryMs: options.identity.sweepEveryMs } : {}),
            })
          : undefined;
      const scheduleConnection = options.schedules === false ? undefined : queueConnection(config.REDIS_URL);
      const scheduler = scheduleConnection
        ? startScheduleWorker({
            connection: scheduleConnection,
            prefix: config.REDIS_PREFIX,
            db: database,
            runs: runs(),
          })
        : undefined;
      let stopped: Promise<void> | undefined;
      const workers: HubWorkers = {
        sync,
        identity: identityWorker,
        scheduler,
        close() {
          stopped ??= (async () => {
            // worker.close() waits for the jobs in hand; the rest holds nothing that must finish
            // (a schedule firing or a check is taken up again from PostgreSQL). A BullMQ worker
            // whose Redis was restarted under it can wait for ever in close(): closed by force.
            await sync.close();
            await closeWithin(CLOSE_WITHIN_MS, () => identityWorker?.close(), logger, 'identity worker');
            await closeWithin(
              CLOSE_WITHIN_MS,
              () => scheduler?.close(),
              logger,
              'schedule worker',
              () => scheduler!.close(true),
            );
            scheduleConnection?.disconnect();
          })();
          return stopped;
        },
      };
      workerSets.push(workers);
      return workers;
    },
    async close() {
      for (const app of apps.splice(0)) await app.close();
      await closeParts();
    },
  };
  return hub;
}

/** Closes one part, waiting at most `ms`, then by `force` (or not at all): shutdown never hangs. */
export async function closeWithin(
  ms: number,
  close: () => Promise<unknown> | undefined,
  logger: Pick<AdapterLogger, 'warn'>,
  part = 'a part',
  force?: () => Promise<unknown>,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    const outcome = await Promise.race([Promise.resolve(close()).then(() => 'closed' as const), late]);
    if (outcome === 'late') {
      logger.warn('shutdown: a part did not close in time', { part, waitedMs: ms });
      if (force) await Promise.race([force(), new Promise((r) => setTimeout(r, ms))]);
    }
  } catch (error) {
    logger.warn('shutdown: a part failed to close', { part, message: (error as Error).message });
  } finally {
    clearTimeout(timer);
  }
}

const pinoAdapter = (log: Pick<pino.Logger, 'debug' | 'info' | 'warn' | 'error'>): AdapterLogger => ({
  debug: (msg, data) => log.debug(data ?? {}, msg),
  info: (msg, data) => log.info(data ?? {}, msg),
  warn: (msg, data) => log.warn(data ?? {}, msg),
  error: (msg, data) => log.error(data ?? {}, msg),
});

/** Until an app gives the hub its logger: JSON lines on stderr, redacted as the app's are. */
function fallbackLogger(level: string): AdapterLogger {
  return pinoAdapter(pino({ level, name: 'hub', redact: { paths: REDACT_PATHS } }, pino.destination(2)));
}
