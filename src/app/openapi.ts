import { Redis } from 'ioredis';
import { Kysely, PostgresDialect } from 'kysely';
import { type Config, loadConfig } from '../config/index.ts';
import type { Database, Tables } from '../store/index.ts';
import type { App } from './app.ts';
import { buildApp } from './build-app.ts';

/**
 * The hub's OpenAPI document, built from the routes without touching Redis or a database: the
 * dependencies are stand-ins that fail if anything calls them. Its `servers` come from the config
 * (PUBLIC_URL; `/` without it), never from the machine's environment or a request.
 */
export async function generateOpenApi(config?: Config): Promise<object> {
  return withOfflineApp(config, async (app) => app.swagger());
}

/**
 * Builds the hub's app on stand-ins for Redis and the database (see `generateOpenApi`), hands it
 * to `use` once ready, and closes it. For what needs the routes but no store: the OpenAPI document,
 * served or generated.
 */
export async function withOfflineApp<T>(
  config: Config | undefined,
  use: (app: App) => Promise<T>,
): Promise<T> {
  // The machine's environment must not change the published contract.
  const settings = { ...(config ?? loadConfig({}, { envFile: false })), LOG_LEVEL: 'silent' as const };
  const redis = new Redis({ lazyConnect: true, enableOfflineQueue: false });
  const app = await buildApp(settings, { redis, database: offlineDatabase() });
  try {
    await app.ready();
    return await use(app);
  } finally {
    await app.close();
    redis.disconnect();
  }
}

/** 2-space JSON with keys sorted at every level and a closing newline, so diffs show real changes. */
export function toStableJson(value: unknown): string {
  return `${JSON.stringify(value, sortKeys, 2)}\n`;
}

function sortKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

function offlineDatabase(): Database {
  const offline = () => Promise.reject(new Error('generateOpenApi: no database connection'));
  return {
    kind: 'postgres',
    // Kysely asks its dialect for a pool only when a query runs, which never happens here.
    kysely: new Kysely<Tables>({ dialect: new PostgresDialect({ pool: offline }) }),
    ping: offline,
    close: async () => {},
  };
}
