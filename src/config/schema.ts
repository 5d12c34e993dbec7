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

// `id:base64` where the base64 decodes to exactly 32 bytes (an AES-256 or HMAC-SHA256 key).
const KEY_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;
const DATA_KEY_ENTRY = /^[A-Za-z0-9_.-]+:[A-Za-z0-9+/]{43}=$/;

function distinctKeyIds(value: string): boolean {
  const ids = value.split(',').map((entry) => entry.trim().split(':')[0]);
  return new Set(ids).size === ids.length;
}

const storeSettings = {
  // Personal ID numbers are encrypted under the first key; the others still decrypt rows written
  // before a rotation (`edubridge keys rotate`). Unset outside production: a public development key.
  DATA_KEYS: setting(
    z
      .string()
      .refine((v) => v.split(',').every((entry) => DATA_KEY_ENTRY.test(entry.trim())) && distinctKeyIds(v))
      .optional(),
    {
      expects:
        'a comma-separated list of id:base64(32 bytes) with distinct ids, the current key first (edubridge keys generate), required when NODE_ENV=production',
      secret: true,
    },
  ),
  // HMAC-SHA256 key of the blind index on personal ID numbers; changing it needs a re-index.
  BLIND_INDEX_KEY: setting(z.string().regex(KEY_32_BYTES).optional(), {
    expects: 'base64 of 32 random bytes, required when NODE_ENV=production',
    secret: true,
  }),
};

const REQUIRED_IN_PRODUCTION = ['DATA_KEYS', 'BLIND_INDEX_KEY'] as const;

export const configSchema = z
  .object({
    ...runtimeSettings,
    ...httpSettings,
    ...databaseSettings,
    ...redisSettings,
    ...storeSettings,
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV !== 'production') return;
    for (const name of REQUIRED_IN_PRODUCTION) {
      if (!config[name]) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `${name} must be set when NODE_ENV=production`,
        });
      }
    }
  });

export type Config = z.output<typeof configSchema>;
