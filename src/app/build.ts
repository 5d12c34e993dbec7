import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import type { DestinationStream } from 'pino';
import { apiV1 } from '../api/index.ts';
import type { IdentityRuntime } from '../api/routes/identity.ts';
import { apiDocsOn, type Config, environment, inputLimitsOf, publicUrlOf } from '../config/index.ts';
import { consoleBundle } from '../console/build.ts';
import { consoleRoutes } from '../console/routes.ts';
import { createIdentityQueue } from '../identity/queue.ts';
import type { SsoRelay } from '../identity/sso/index.ts';
import { createRunQueue, producerConnection, type queueConnection } from '../pipeline/queue.ts';
import { createScheduleQueue, ScheduleService } from '../pipeline/schedules.ts';
import { RunService } from '../pipeline/service.ts';
import { type AdapterCatalogue, sourcesLoader } from '../pipeline/sources/index.ts';
import type { Adapter } from '../sdk/index.ts';
import { createDatabase, type Database, type Keyring, loadKeyring, migrateToLatest } from '../store/index.ts';
import { targetsFromConfig } from '../targets/from-config.ts';
import { closeRedis, createRedis } from './dependencies.ts';
import { registerDocs } from './docs.ts';
import { registerErrorHandlers } from './errors.ts';
import { registerSecurityHeaders } from './headers.ts';
import { identityServiceFromConfig } from './identity.ts';
import { registerJsonBody } from './json-body.ts';
import { runObservers } from './observers.ts';
import { limitSso, registerRateLimits } from './rate-limits.ts';
import { databaseCheck, redisCheck } from './readiness.ts';
import { REDACT_PATHS, serializeRequest } from './redact.ts';
import { healthRoutes } from './routes/health.ts';
import { ssoRelayFor } from './sso.ts';
import { createStoreGuard } from './store-guard.ts';

export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export { REDACT_PATHS } from './redact.ts';

export interface AppDeps {
  /** Created by the caller, who closes it; made from `REDIS_URL` (and closed with the app) if absent. */
  redis?: Redis;
  /** Created by the caller, who closes it; made from the config (and closed with the app) if absent. */
  database?: Database;
  /** Where logs go instead of stdout (tests read them). */
  logStream?: DestinationStream;
  /** Queues and decides runs; made from the config on first use (and closed with the app) if absent. */
  runService?: RunService;
  /**
   * The adapters the sources file may name (reconciliation and payment write-back read a school's
   * source); given by the composition root. With it, loading the sources file checks each school's
   * adapter and config.
   */
  adapters?: AdapterCatalogue;
  /** Loads a school's adapter by specifier, when no catalogue is given (tests hand one adapter). */
  loadAdapter?: (specifier: string) => Promise<Adapter>;
  /** Identity checks (service and queue); made from the config on first use if absent. */
  identity?: IdentityRuntime;
  /** The SSO relay, closed by the caller; made from the config (SSO_UPSTREAM) if absent; null: none. */
  sso?: SsoRelay | null;
}

/**
 * The hub's HTTP app, not yet listening: `await app.listen(...)` or `app.inject(...)`.
 *
 * @example
 * const app = await buildApp(loadConfig());
 * await app.listen({ host: config.HOST, port: config.PORT });
 */
export async function buildApp(config: Config, deps: AppDeps = {}): Promise<App> {
  const app = Fastify({
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Whose X-Forwarded-For is believed for `request.ip` (logs, rate limits): the proxies named,
    // nobody else. Hosts and schemes never come from headers (see PUBLIC_URL).
    trustProxy: config.TRUST_PROXY ?? false,
    logger: {
      level: config.LOG_LEVEL,
      redact: { paths: REDACT_PATHS },
      serializers: { req: serializeRequest },
      ...(deps.logStream ? { stream: deps.logStream } : {}),
    },
  }).withTypeProvider<ZodTypeProvider>();

  try {
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    registerErrorHandlers(app);
    registerJsonBody(app, config.BODY_MAX_DEPTH);

    const redis = deps.redis ?? ownedRedis(app, config);
    const database = deps.database ?? (await ownedDatabase(app, config));

    // One keyring for the app's services (loading it again would only repeat its warnings).
    const keyring = loadKeyring(config);
    const schema = migrateInBackground(app, database);
    await schema.ready;
    await registerSecurityHeaders(app, config);
    const limits = await registerRateLimits(app, config, redis, database);
    if (apiDocsOn(config)) await registerDocs(app, { config, database });
    const checks = {
      redis: redisCheck(redis, (error) => app.log.warn({ err: error }, 'redis connection error')),
      database: async () => {
        await databaseCheck(database)();
        if (!schema.migrated) throw new Error(`schema not migrated yet (${schema.lastError ?? 'migrating'})`);
      },
    };
    await app.register(healthRoutes, { checks });
    const guard = createStoreGuard(checks);
    // A Redis that drops the connection, or comes back, is known at once, not a second later.
    redis.on('close', () => guard.forget('redis'));
    redis.on('ready', () => guard.forget('redis'));
    // Registering queries nothing: the API-key check reads the database only when a request comes.
    await app.register(apiV1, {
      prefix: '/v1',
      database,
      keyring,
      runs: deps.runService ? () => deps.runService! : lazyRunService(app, config, database, keyring, deps),
      schedules: lazyScheduleService(app, config, database),
      identity: deps.identity ? () => deps.identity! : lazyIdentity(app, config, database, keyring),
      guard,
      limits,
    });
    // Single sign-on for school apps under /sso, when configured.
    const relay =
      deps.sso !== undefined ? deps.sso : await ssoRelayFor(config, database, keyring, { logger: app.log });
    if (relay) {
      limitSso(app, limits);
      await relay.register(app);
      if (deps.sso === undefined) app.addHook('onClose', () => relay.close());
    }
    await app.register(consoleRoutes, { publicUrl: publicUrlOf(config), sso: Boolean(relay) });
    // Built now, not at the first visit: the first view must not wait for the bundler.
    consoleBundle().catch((error: unknown) => app.log.error({ err: error }, 'console build failed'));
    return app;
  } catch (error) {
    await app.close();
    throw error;
  }
}

function ownedRedis(app: App, config: Config): Redis {
  const redis = createRedis(config.REDIS_URL);
  app.addHook('onClose', () => closeRedis(redis));
  return redis;
}

/**
 * A queue-backed service built on the first request that needs it, with its own Redis connection
 * (closed with the app): building the app (for the OpenAPI document, say) connects to nothing.
 */
function lazyQueueService<Q extends { close(): Promise<void> }, S>(
  app: App,
  config: Config,
  makeQueue: (connection: ReturnType<typeof queueConnection>, prefix: string) => Q,
  makeService: (queue: Q) => S,
): () => S {
  let service: S | undefined;
  let close: (() => Promise<void>) | undefined;
  app.addHook('onClose', async () => {
    await close?.();
  });
  return () => {
    if (service) return service;
    // A request must not wait for Redis: commands fail at once while it is away (the store guard
    // and the error handler answer 503), and the outbox hands a run's job over once it is back.
    const connection = producerConnection(config.REDIS_URL);
    const queue = makeQueue(connection, config.REDIS_PREFIX);
    const made = makeService(queue);
    close = async () => {
      // The run service holds push queues of its own on the same connection.
      await (made as { close?: () => Promise<void> }).close?.();
      await queue.close();
      connection.disconnect();
    };
    service = made;
    return service;
  };
}

const lazyRunService = (
  app: App,
  config: Config,
  database: Database,
  keyring: Keyring,
  adapters: Pick<AppDeps, 'adapters' | 'loadAdapter'>,
) =>
  lazyQueueService(
    app,
    config,
    createRunQueue,
    (queue) =>
      new RunService({
        db: database,
        keyring,
        queue,
        sources: sourcesLoader(config.SOURCES_FILE, () => ({
          env: environment(),
          ...(adapters.adapters ? { adapters: adapters.adapters } : {}),
        })),
        targets: () => targetsFromConfig(config),
        holdThreshold: config.HOLD_THRESHOLD,
        pushAttempts: config.PUSH_ATTEMPTS,
        outageMaxMs: config.PUSH_OUTAGE_MAX_MS,
        ...(config.TEXT_LIMITS ? { textLimits: config.TEXT_LIMITS } : {}),
        inputLimits: inputLimitsOf(config),
        leaseMs: config.WORKER_LOCK_MS,
        batchSize: config.SYNC_BATCH_SIZE,
        ...runObservers(database, keyring),
        ...(adapters.adapters
          ? { loadAdapter: (specifier: string) => adapters.adapters!.load(specifier) }
          : adapters.loadAdapter
            ? { loadAdapter: adapters.loadAdapter }
            : {}),
      }),
  );

const lazyIdentity = (app: App, config: Config, database: Database, keyring: Keyring) =>
  lazyQueueService(
    app,
    config,
    createIdentityQueue,
    (queue): IdentityRuntime => ({
      service: identityServiceFromConfig(config, database, keyring),
      queue,
    }),
  );

const lazyScheduleService = (app: App, config: Config, database: Database) =>
  lazyQueueService(app, config, createScheduleQueue, (queue) => new ScheduleService({ db: database, queue }));

async function ownedDatabase(app: App, config: Config): Promise<Database> {
  const database = await createDatabase(config, {
    onIdleConnectionError: (error) => app.log.warn({ err: error }, 'database connection dropped'),
  });
  app.addHook('onClose', () => database.close());
  return database;
}

/**
 * Brings the hub's schema up to date: numbered migrations under a lock, so processes starting
 * together apply each once. A database that is down at start-up does not stop the process: the
 * migration is tried again every few seconds and `/readyz` says the database is not ready until
 * it has run.
 */
function migrateInBackground(app: App, database: Database): SchemaState {
  const state: SchemaState = { migrated: false, lastError: undefined };
  let timer: NodeJS.Timeout | undefined;
  const attempt = async () => {
    try {
      const { applied } = await migrateToLatest(database);
      state.migrated = true;
      if (applied.length > 0) app.log.info({ applied }, 'database migrated');
    } catch (error) {
      state.lastError = (error as Error).message;
      app.log.warn({ err: error }, 'database migration failed; trying again in 5 s');
      timer = setTimeout(() => void attempt(), 5_000);
      timer.unref();
    }
  };
  app.addHook('onClose', async () => {
    if (timer) clearTimeout(timer);
  });
  state.ready = attempt();
  return state;
}

interface SchemaState {
  migrated: boolean;
  lastError: string | undefined;
  ready?: Promise<void>;
}
