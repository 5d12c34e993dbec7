/**
 * Configuration of the OneRoster adapter. `clientSecret` is a secret: never logged, stored in clear
 * or echoed back.
 */
import { z } from 'zod';
import { DEFAULT_PAGE_ATTEMPTS, secret } from '../../src/sdk/index.ts';

export const SCOPE_PREFIX = 'https://purl.imsglobal.org/spec/or/v1p2/scope/';
/** Everything the adapter reads: rostering with demographics, and the gradebook. */
export const DEFAULT_SCOPE = [`${SCOPE_PREFIX}roster.readonly`, `${SCOPE_PREFIX}gradebook.readonly`].join(
  ' ',
);

const LEVELS = ['primary', 'lower_secondary', 'upper_secondary', 'multi_level'] as const;

/** What OneRoster does not say about a school and the canonical model needs. */
export const SchoolProfileSchema = z.object({
  commune: z.string().min(1).optional(),
  provinceCode: z
    .string()
    .regex(/^\d{2,3}$/)
    .optional(),
  level: z.enum(LEVELS).optional(),
  address: z.string().optional(),
});

const validPattern = (pattern: string) => {
  try {
    RegExp(pattern);
  } catch {
    return false;
  }
  return /\((?!\?)/.test(pattern);
};

export const configSchema = z.object({
  /** Where `/ims/oneroster/…` lives: `https://sis.example.edu.vn` (a path prefix is kept). */
  baseUrl: z.url({ protocol: /^https?$/ }),
  /** The OAuth2 token endpoint (OneRoster 1.2 does not fix its path). */
  tokenUrl: z.url({ protocol: /^https?$/ }),
  clientId: z.string().min(1),
  clientSecret: secret(z.string().min(1)),
  /** Space-separated scopes to ask for; default roster.readonly and gradebook.readonly. */
  scope: z.string().min(1).default(DEFAULT_SCOPE),
  /**
   * Lower-case name of this OneRoster installation, unique in the hub: record keys are
   * `oneroster-<system>:<kind>-<sourcedId>`.
   */
  system: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,40}$/, 'lower-case letters, digits, ".", "_" or "-"'),
  /** Org sourcedId → school code (mã trường), where the org's `identifier` is not the school code. */
  schoolCodeOf: z.record(z.string(), z.string().min(1)).default({}),
  /** By school code: commune, province code, level, address, where org `metadata` lacks them. */
  schools: z.record(z.string(), SchoolProfileSchema).default({}),
  /** `userIds` types that hold the national personal ID, in order of preference. */
  personalIdTypes: z.array(z.string().min(1)).min(1).default(['SoDinhDanh', 'DDCN', 'CCCD']),
  /** `limit` asked per page; a provider that serves less is paged on correctly. */
  pageSize: z.int().min(1).max(10_000).default(500),
  /** Regular expression with one group, applied to a class title, giving the class name ("6A1 - Toán" → "6A1"). */
  classNamePattern: z
    .string()
    .refine(validPattern, 'a regular expression with one capturing group')
    .default('^\\s*(\\S+)'),
  /** The provider's subject codes → canonical codes (`mappings/codes/subjects.json`), where they differ. */
  subjectCodeMap: z.record(z.string(), z.string().min(1)).default({}),
  rosteringPath: z.string().startsWith('/').default('/ims/oneroster/rostering/v1p2'),
  gradebookPath: z.string().startsWith('/').default('/ims/oneroster/gradebook/v1p2'),
  /** Per request. */
  timeoutMs: z.int().min(100).max(600_000).default(30_000),
  /** Tries for a request that fails with 429, 5xx or a network error. */
  maxAttempts: z.int().min(1).max(10).default(4),
  /**
   * Tries in all for a page that comes back malformed, cut off, or empty while `X-Total-Count`
   * says more follows (the SDK's page policy).
   */
  pageAttempts: z.int().min(1).max(10).default(DEFAULT_PAGE_ATTEMPTS),
  /** First wait before a retry, doubling each time with jitter. */
  backoffMs: z.int().min(0).max(60_000).default(200),
  /**
   * An incremental read that touches more people than this reads the lookups (guardians,
   * demographics) in bulk instead of one by one.
   */
  bulkLookupAbove: z.int().min(0).default(200),
});

export type OneRosterConfig = z.output<typeof configSchema>;
