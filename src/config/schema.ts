import { z } from 'zod';
import { integer, setting, urlWithScheme } from './fields.ts';

// One section per concern; a new integration (gateway, VNeID, C06) adds its own section here and
// spreads it into `configSchema`, so every setting is still validated in one pass at start-up.

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const MIB = 1024 * 1024;

const runtimeSettings = {
  NODE_ENV: setting(z.enum(['development', 'test', 'production']).default('development'), {
    expects: 'one of development, test, production',
  }),
  LOG_LEVEL: setting(z.enum(LOG_LEVELS).default('info'), {
    expects: `one of ${LOG_LEVELS.join(', ')}`,
  }),
};

const httpSettings = {
  HOST: setting(z.string().min(1).default('127.0.0.1'), { expects: 'a host name or IP address' }),
  PORT: setting(integer(1, 65_535).default(8080), { expects: 'an integer 1–65535' }),
  BODY_LIMIT_BYTES: setting(integer(1, 1024 * MIB).default(MIB), {
    expects: `an integer number of bytes 1–${1024 * MIB}`,
  }),
};

const databaseSettings = {
  // Absent: the embedded PGlite, for the demo and tests only.
  DATABASE_URL: setting(urlWithScheme('postgres', 'postgresql').optional(), {
    expects: 'a postgres:// or postgresql:// URL',
  }),
  // Absent: PGlite keeps its data in memory and loses it on exit.
  PGLITE_DIR: setting(z.string().min(1).optional(), { expects: 'a directory path' }),
};

const redisSettings = {
  REDIS_URL: setting(urlWithScheme('redis', 'rediss').default('redis://127.0.0.1:6379'), {
    expects: 'a redis:// or rediss:// URL',
  }),
  // Lets several deployments share one Redis without their queues meeting.
  REDIS_PREFIX: setting(
    z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/)
      .default('edubridge'),
    { expects: 'letters, digits, "_", "." or "-", starting with a letter or digit' },
  ),
};

export const configSchema = z.object({
  ...runtimeSettings,
  ...httpSettings,
  ...databaseSettings,
  ...redisSettings,
});

export type Config = z.output<typeof configSchema>;
