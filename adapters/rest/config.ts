/**
 * The REST adapter's configuration: where the source is, how to authenticate (secrets marked),
 * which profile describes it, and how patient to be.
 */
import { z } from 'zod';
import { DEFAULT_PAGE_ATTEMPTS, type HttpAuth, secret } from '../../src/sdk/index.ts';
import { PaginationSchema } from './profile.ts';

// One flat object rather than a union per auth type: the SDK finds secret fields inside objects.
export const AuthConfigSchema = z
  .object({
    type: z.enum(['none', 'apiKey', 'basic', 'oauth2']),
    /** apiKey: the header that carries the key (default `X-Api-Key`). */
    header: z.string().min(1).default('X-Api-Key'),
    key: secret(z.string().min(1)).optional(),
    username: z.string().min(1).optional(),
    password: secret(z.string().min(1)).optional(),
    /** oauth2: absolute, or relative to `baseUrl` (`/oauth/token`). */
    tokenUrl: z.string().min(1).optional(),
    clientId: z.string().min(1).optional(),
    clientSecret: secret(z.string().min(1)).optional(),
    scope: z.string().optional(),
  })
  .superRefine((a, ctx) => {
    const need = {
      none: [],
      apiKey: ['key'],
      basic: ['username', 'password'],
      oauth2: ['tokenUrl', 'clientId', 'clientSecret'],
    }[a.type] as Array<keyof typeof a>;
    for (const field of need) {
      if (a[field] === undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: `required for ${a.type} auth` });
    }
  });

export const RestConfigSchema = z.object({
  /** The API's root: `https://smas.example.vn/school-api`. */
  baseUrl: z.url(),
  /** A shipped profile's name (`sandbox-school`), a profile JSON file's path, or the profile itself. */
  profile: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
  /** Overrides the profile's system name in keys (one vendor, several independent installations). */
  system: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-"')
    .optional(),
  /** The school, for a source whose records do not say it. */
  schoolCode: z.string().min(1).optional(),
  auth: AuthConfigSchema.default({ type: 'none', header: 'X-Api-Key' }),
  /** Extra headers sent with every request (no secrets here: they are not redacted). */
  headers: z.record(z.string(), z.string()).optional(),
  /** Replaces the pagination of every stream (a vendor that offers several ways). */
  pagination: PaginationSchema.optional(),
  /** Replaces the page size of every stream. */
  pageSize: z.int().positive().max(10_000).optional(),
  timeoutMs: z.int().positive().default(30_000),
  retry: z
    .object({
      maxAttempts: z.int().min(1).max(20).default(4),
      /** Tries in all for a page that comes back malformed, cut short or empty (the SDK's page policy). */
      pageAttempts: z.int().min(1).max(20).default(DEFAULT_PAGE_ATTEMPTS),
      backoffMs: z.int().nonnegative().default(200),
      maxRetryAfterMs: z.int().nonnegative().default(60_000),
    })
    .default({
      maxAttempts: 4,
      pageAttempts: DEFAULT_PAGE_ATTEMPTS,
      backoffMs: 200,
      maxRetryAfterMs: 60_000,
    }),
});
export type RestConfig = z.output<typeof RestConfigSchema>;

/** The SDK's auth from the config (relative token URLs resolved against `baseUrl`). */
export function httpAuth(config: RestConfig): HttpAuth {
  const a = config.auth;
  switch (a.type) {
    case 'none':
      return { type: 'none' };
    case 'apiKey':
      return { type: 'apiKey', header: a.header, key: a.key! };
    case 'basic':
      return { type: 'basic', username: a.username!, password: a.password! };
    case 'oauth2':
      return {
        type: 'oauth2',
        tokenUrl: new URL(a.tokenUrl!, `${config.baseUrl.replace(/\/?$/, '/')}`).href,
        clientId: a.clientId!,
        clientSecret: a.clientSecret!,
        ...(a.scope ? { scope: a.scope } : {}),
      };
  }
}
