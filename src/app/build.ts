import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DestinationStream } from 'pino';
import { apiV1 } from '../api/index.ts';
import { apiDocsOn, publicUrlOf } from '../config/index.ts';
import { consoleBundle } from '../console/build.ts';
import { consoleRoutes } from '../console/routes.ts';
import { registerMetricsRoute } from '../metrics/index.ts';
import { type Database, migrateToLatest } from '../store/index.ts';
import type { App } from './app.ts';
import { registerDocs } from './docs.ts';
import { registerErrorHandlers } from './errors.ts';
import { registerSecurityHeaders } from './headers.ts';
import type { Hub } from './hub.ts';
import { registerJsonBody } from './json-body.ts';
import { limitSso, registerRateLimits } from './rate-limits.ts';
import { databaseCheck, redisCheck } from './readiness.ts';
import { REDACT_PATHS, serializeRequest } from './redact.ts';
import { healthRoutes } from './routes/health.ts';
import { consoleTokenPrincipal } from './sso.ts';
import { createStoreGuard } from './store-guard.ts';

export type { App } from './app.ts';

export { REDACT_PATHS } from './redact.ts';

/** The app over a hub's parts; `Hub.app()` calls it. The hub closes what it made, not the app. */
export async function buildHubApp(hub: Hub, logStream?: DestinationStream): Promise<App> {
  const { config, database, keyring, redis } = hub;
  const app = Fastify({
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Whose X-Forwarded-For is believed for `request.ip` (logs, rate limits): the proxies named,
    // nobody else. Hosts and schemes never come from headers (see PUBLIC_URL).
    trustProxy: config.TRUST_PROXY ?? false,
    logger: {
      level: config.LOG_LEVEL,
      redact: { paths: REDACT_PATHS },
      serializers: { req: serializeRequest },
      ...(logStream ? { stream: logStream } : {}),
    },
  }).withTypeProvider<ZodTypeProvider>();

  try {
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    registerErrorHandlers(app);
    registerJsonBody(app, config.BODY_MAX_DEPTH);

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
    await registerMetricsRoute(app, config, { database });
    const guard = createStoreGuard(checks);
    // A Redis that drops the connection, or comes back, is known at once, not a second later.
    const forget = () => guard.forget('redis');
    redis.on('close', forget);
    redis.on('ready', forget);
    app.addHook('onClose', async () => {
      redis.off('close', forget);
      redis.off('ready', forget);
    });
    // Registering queries nothing: the API-key check reads the database only when a request comes,
    // and the services behind these getters are made (and reach Redis) on the first that needs one.
    // Single sign-on for school apps under /sso, when configured; made before the API, which
    // accepts the console's access tokens from it.
    const relay = await hub.sso(app.log);
    await app.register(apiV1, {
      prefix: '/v1',
      database,
      keyring,
      runs: hub.runs,
      schedules: hub.schedules,
      identity: hub.identity,
      guard,
      limits,
      replayApprovalThreshold: config.REPLAY_APPROVAL_THRESHOLD,
      ...(relay ? { bearerToken: consoleTokenPrincipal(config, database, keyring, relay) } : {}),
    });
    if (relay) {
      limitSso(app, limits);
      await relay.register(app);
    }
    await app.register(consoleRoutes, { publicUrl: publicUrlOf(config), sso: relay ?? null });
    // Built now, not at the first visit: the first view must not wait for the bundler.
    consoleBundle().catch((error: unknown) => app.log.error({ err: error }, 'console build failed'));
    return app;
  } catch (error) {
    await app.close();
    throw error;
  }
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
