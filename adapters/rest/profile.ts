/**
 * The profile: how one vendor's API is read, declared as data so district IT can connect a new
 * school system without writing code. Per stream: the endpoint, how it pages, where the items
 * are, how to ask for changes only, how deletions show, and the field mapping (canonical field →
 * JSON pointer, with date and code-list transforms). See README.md for the format.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { RECORD_TYPES } from '../../src/model/index.ts';
import {
  PermanentError,
  STREAM_NAMES,
  STREAMS,
  type StreamName,
  WRITABLE_STREAMS,
} from '../../src/sdk/index.ts';

const pointer = () =>
  z.string().regex(/^(\/.*)?$/, 'a JSON pointer such as "/duLieu" or "/hocSinh/maHocSinh"');
const param = () => z.string().min(1);

export const DATE_FORMATS = [
  'dd/MM/yyyy',
  'yyyy-MM-dd',
  'yyyyMMdd',
  'MM/dd/yyyy',
  'excel-serial',
  'iso-datetime',
] as const;

export const PaginationSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('page'),
    pageParam: param(),
    sizeParam: param(),
    pageSize: z.int().positive().default(100),
    firstPage: z.int().nonnegative().default(1),
  }),
  z.object({
    type: z.literal('offset'),
    offsetParam: param(),
    limitParam: param(),
    limit: z.int().positive().default(100),
  }),
  z.object({
    type: z.literal('cursor'),
    cursorParam: param(),
    /** Where the next cursor is in a page's body; absent or null at the end. */
    nextCursor: pointer(),
    sizeParam: param().optional(),
    pageSize: z.int().positive().default(100),
  }),
  z.object({
    type: z.literal('nextLink'),
    /** Where the next page's URL is in a page's body; without it, the `Link: rel="next"` header. */
    next: pointer().optional(),
    sizeParam: param().optional(),
    pageSize: z.int().positive().default(100),
  }),
  z.object({ type: z.literal('none') }),
]);
export type Pagination = z.infer<typeof PaginationSchema>;

export const FIELD_TYPES = [
  'string',
  'integer',
  'number',
  'boolean',
  'string[]',
  'integer[]',
  'number[]',
] as const;

export interface FieldSpecObject {
  /** Where the value is in the vendor record (relative to the element inside `each`). */
  pointer?: string;
  /** A fixed value instead of a pointer. */
  const?: unknown;
  /** Parse as a date in this format (or the first that fits of these) and write ISO yyyy-MM-dd. */
  date?: (typeof DATE_FORMATS)[number] | Array<(typeof DATE_FORMATS)[number]>;
  /** Translate through this code list of the profile. */
  codes?: string;
  /**
   * Coerce: `string` (default; numbers become text), `integer`, `number`, `boolean`, `string[]`,
   * `integer[]`, `number[]` (marks: `[8, 7.5]`, `["8", "7,5"]` or `"8; 7,5"`).
   */
  type?: (typeof FIELD_TYPES)[number];
  /** Written when the source has no value. */
  default?: unknown;
  /** A list: the pointer of the array, each element mapped with `fields`. */
  each?: string;
  fields?: Record<string, FieldSpec>;
}
export type FieldSpec = string | FieldSpecObject;

export const FieldSpecSchema: z.ZodType<FieldSpec> = z.lazy(() =>
  z.union([
    pointer(),
    z
      .object({
        pointer: pointer().optional(),
        const: z.unknown().optional(),
        date: z.union([z.enum(DATE_FORMATS), z.array(z.enum(DATE_FORMATS)).min(1)]).optional(),
        codes: z.string().min(1).optional(),
        type: z.enum(FIELD_TYPES).optional(),
        default: z.unknown().optional(),
        each: pointer().optional(),
        fields: z.record(z.string(), FieldSpecSchema).optional(),
      })
      .strict()
      .refine((f) => f.pointer !== undefined || f.const !== undefined || f.each !== undefined, {
        message: 'a field needs "pointer", "const" or "each"',
      })
      .refine((f) => (f.each === undefined) === (f.fields === undefined), {
        message: '"each" and "fields" go together',
      }),
  ]),
);

/** `student-{/maHocSinh}`: literal text with JSON pointers in braces. */
const keyTemplate = () =>
  z.string().regex(/\{\/[^}]*\}/, 'a key template with at least one {/pointer}, e.g. "student-{/maHocSinh}"');

export const UpdatedSinceSchema = z.object({
  /** The query parameter, e.g. `capNhatTu`. */
  param: param(),
  /** How to send the checkpoint: as the vendor wrote it (`iso`), or epoch milliseconds or seconds. */
  format: z.enum(['iso', 'epoch-ms', 'epoch-s']).default('iso'),
  /** True when the source returns records updated exactly at the given time as well (>=). */
  inclusive: z.boolean().default(true),
});

export const DeletedSchema = z.union([
  z.object({
    /** A flag in each record: deleted when the value equals `equals` (default `true`). */
    pointer: pointer(),
    equals: z.union([z.boolean(), z.string(), z.number()]).default(true),
  }),
  z.object({
    /** An endpoint listing deleted records (asked with the same updated-since parameter). */
    path: z.string().min(1),
    query: z.record(z.string(), z.string()).default({}),
    items: pointer(),
    /** The key of a deleted record (default: the stream's key template). */
    key: keyTemplate().optional(),
    /** When the record was deleted, to move the checkpoint. */
    deletedAt: pointer().optional(),
  }),
]);

export const StreamProfileSchema = z.object({
  /**
   * The part's name in a stream of several parts, where its checkpoint is kept (default: its
   * record type). Needed when two parts carry one record type from two endpoints (`assessments`:
   * the marks book and the comments book both give `assessment` records).
   */
  name: z
    .string()
    .regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, "_" and "-"')
    .max(64)
    .optional(),
  path: z.string().min(1),
  query: z.record(z.string(), z.string()).default({}),
  pagination: PaginationSchema,
  /** Where the array of records is in a page's body (`""` when the body is the array). */
  items: pointer(),
  /** Where the total count is in a page's body, for discover(). */
  total: pointer().optional(),
  /** The canonical record type each vendor record becomes. */
  record: z.enum(RECORD_TYPES as [string, ...string[]]),
  /** The record's id in the source system; the canonical key is `rest-<system>:<this>`. */
  key: keyTemplate(),
  updatedSince: UpdatedSinceSchema.optional(),
  /** Where the record's last-update timestamp is (needed for incremental reads). */
  updatedAt: pointer().optional(),
  deleted: DeletedSchema.optional(),
  fields: z.record(z.string(), FieldSpecSchema),
});
export type StreamProfile = z.infer<typeof StreamProfileSchema>;

/**
 * A field of a record written to the source: where its value is in the canonical record (a JSON
 * pointer), or a fixed value; `codes` translates a canonical code into the first label the code
 * list gives it. A pointer to nothing leaves the field out.
 */
export type WriteFieldSpec = string | { pointer?: string; const?: unknown; codes?: string };
export const WriteFieldSchema: z.ZodType<WriteFieldSpec> = z.union([
  pointer(),
  z
    .object({
      pointer: pointer().optional(),
      const: z.unknown().optional(),
      codes: z.string().min(1).optional(),
    })
    .strict()
    .refine((f) => (f.pointer !== undefined) !== (f.const !== undefined), {
      message: 'a written field needs "pointer" or "const" (one of them)',
    }),
]);

/** Where the hub's records go back into the source, and how the source answers per record. */
export const WriteEndpointSchema = z.object({
  method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
  path: z.string().min(1),
  /** Records in one request. */
  batchSize: z.int().positive().max(1_000).default(100),
  /** Where the list of records goes in the request body (`""`: the body is the list). */
  items: pointer().default(''),
  /** The vendor's record: its field name → the canonical value. */
  fields: z.record(z.string().min(1), WriteFieldSchema).refine((f) => Object.keys(f).length > 0, {
    message: 'a write endpoint writes at least one field',
  }),
  results: z.object({
    /** Where the per-record answers are in the response body. */
    items: pointer(),
    /**
     * A pointer to the same value in an answer and in the record sent (`/maGiaoDich`); without
     * it, the answers are read in the order the records were sent.
     */
    match: pointer().optional(),
    /** Where an answer says how it went, and the values that mean the source holds the record. */
    status: pointer(),
    written: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1),
    /** The source's code and message of a refusal. */
    code: pointer().optional(),
    message: pointer().optional(),
  }),
});
export type WriteEndpoint = z.infer<typeof WriteEndpointSchema>;

/** Lower-case name of the source system, as it appears in keys: `rest-<system>:student-123`. */
export const SystemNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-"');
/** Code lists: canonical code → the labels the vendor uses (matched case- and accent-insensitively). */
export const CodeListsSchema = z.record(z.string(), z.record(z.string(), z.array(z.string()))).default({});

/** What every profile-driven adapter offers, whatever its transport (REST, SOAP); REST adds fees. */
export const PROFILE_STREAMS = {
  students: {
    primaryKey: ['key'],
    incremental: true,
    reportsDeletions: true,
    description: 'học sinh, kèm phụ huynh',
  },
  teachers: { primaryKey: ['key'], incremental: true, reportsDeletions: true, description: 'giáo viên' },
  classes: { primaryKey: ['key'], incremental: true, reportsDeletions: true, description: 'lớp học' },
  enrollments: {
    primaryKey: ['key'],
    incremental: true,
    reportsDeletions: true,
    description: 'học sinh theo lớp',
  },
} as const;

/**
 * The REST adapter's streams: the profile streams, `fees` (fee items and notices), which a school
 * system's REST API serves more often than its SOAP one, and `assessments` (the grade book and
 * learning results).
 */
export const REST_STREAMS = {
  ...PROFILE_STREAMS,
  fees: {
    primaryKey: ['key'],
    incremental: true,
    reportsDeletions: true,
    description: 'khoản thu và phiếu báo thu',
  },
  assessments: {
    primaryKey: ['key'],
    incremental: true,
    reportsDeletions: true,
    description: 'điểm, nhận xét và kết quả học tập',
  },
} as const;

/** Where a part's checkpoint is kept in its stream's: its `name`, else its record type. */
export const partName = (part: Pick<StreamProfile, 'name' | 'record'>): string => part.name ?? part.record;

/**
 * A stream is one endpoint, or a list of them read one after the other when its records come
 * from several endpoints (`fees`: the fee items, then the notices), each part named by its record
 * type or its own `name`, so that each keeps a checkpoint of its own.
 */
const StreamPartsSchema = z
  .union([StreamProfileSchema, z.array(StreamProfileSchema).min(1)])
  .transform((s) => (Array.isArray(s) ? s : [s]))
  .refine((parts) => new Set(parts.map(partName)).size === parts.length, {
    message:
      'the parts of a stream have different names: a record type read from two endpoints needs a "name" on each part',
  });

export const ProfileSchema = z.object({
  name: z.string().min(1),
  system: SystemNameSchema,
  codeLists: CodeListsSchema,
  /** Where to list schools, for discover(). */
  schools: z
    .object({ path: z.string().min(1), items: pointer(), code: pointer(), name: pointer().optional() })
    .optional(),
  streams: z
    .record(z.string(), StreamPartsSchema)
    .refine((s) => Object.keys(s).every((k) => (STREAM_NAMES as string[]).includes(k)), {
      message: `stream names are ${STREAM_NAMES.join(', ')}`,
    })
    .refine((s) => Object.keys(s).length > 0, { message: 'a profile declares at least one stream' })
    .superRefine((streams, ctx) => {
      for (const [name, parts] of Object.entries(streams)) {
        const allowed = STREAMS[name as StreamName] as readonly string[] | undefined;
        if (!allowed) continue;
        parts.forEach((part, i) => {
          if (!allowed.includes(part.record)) {
            ctx.addIssue({
              code: 'custom',
              path: parts.length > 1 ? [name, i, 'record'] : [name, 'record'],
              message: `stream ${name} carries ${allowed.join(', ')}, not ${part.record}`,
            });
          }
        });
      }
    }),
  /** Streams the hub writes back into the source (payments SSC reported), by endpoint. */
  write: z
    .record(z.string(), WriteEndpointSchema)
    .refine((w) => Object.keys(w).every((k) => (WRITABLE_STREAMS as readonly string[]).includes(k)), {
      message: `writable streams are ${WRITABLE_STREAMS.join(', ')}`,
    })
    .optional(),
});
/** A parsed profile: every stream as its list of parts (one for most). */
export type Profile = z.infer<typeof ProfileSchema>;
export type ProfileInput = z.input<typeof ProfileSchema>;

function invalid(where: string, error: z.ZodError): PermanentError {
  const issues = error.issues.map((i) => `${i.path.join('.') || '(profile)'}: ${i.message}`).join('; ');
  return new PermanentError(
    'PROFILE_INVALID',
    `Hồ sơ ${where} không hợp lệ / Invalid profile ${where}: ${issues}`,
  );
}

/** Checks a profile object, throwing PermanentError `PROFILE_INVALID` that names each problem. */
export function parseProfile(input: unknown, where = '(inline)'): Profile {
  const result = ProfileSchema.safeParse(input);
  if (!result.success) throw invalid(where, result.error);
  for (const [name, parts] of Object.entries(result.data.streams)) {
    for (const part of parts) checkCodeLists(result.data, name, part.fields);
  }
  for (const [name, endpoint] of Object.entries(result.data.write ?? {})) {
    for (const [field, spec] of Object.entries(endpoint.fields)) {
      if (typeof spec === 'string' || !spec.codes || result.data.codeLists[spec.codes]) continue;
      throw new PermanentError(
        'PROFILE_INVALID',
        `Hồ sơ: danh mục "${spec.codes}" không có / Invalid profile: write.${name}.fields.${field} names code list "${spec.codes}", which the profile does not declare`,
      );
    }
  }
  return result.data;
}

export function checkCodeLists(
  profile: { codeLists: Record<string, unknown> },
  stream: string,
  fields: Record<string, FieldSpec>,
): void {
  for (const [field, spec] of Object.entries(fields)) {
    if (typeof spec === 'string') continue;
    if (spec.codes && !profile.codeLists[spec.codes]) {
      throw new PermanentError(
        'PROFILE_INVALID',
        `Hồ sơ: danh mục "${spec.codes}" không có / Invalid profile: streams.${stream}.fields.${field} names code list "${spec.codes}", which the profile does not declare`,
      );
    }
    if (spec.fields) checkCodeLists(profile, stream, spec.fields);
  }
}

/**
 * A loader of profiles given in config: an object, the name of a shipped profile (a JSON file in
 * `shipped`), or the path of a JSON file. Files are read once.
 */
export function profileLoader<P>(
  shipped: URL,
  parse: (input: unknown, where?: string) => P,
): (spec: string | object, baseDir?: string) => Promise<P> {
  const cache = new Map<string, Promise<P>>();
  return (spec, baseDir = process.cwd()) => {
    if (typeof spec !== 'string') {
      try {
        return Promise.resolve(parse(spec));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const isName = /^[a-z0-9-]+$/.test(spec);
    const file = isName ? new URL(`${spec}.json`, shipped) : resolve(baseDir, spec);
    const id = String(file);
    let loaded = cache.get(id);
    if (!loaded) {
      loaded = readFile(file, 'utf8').then(
        (text) => {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch (cause) {
            throw new PermanentError(
              'PROFILE_INVALID',
              `Hồ sơ "${spec}" không phải JSON / Profile "${spec}" is not valid JSON: ${(cause as Error).message}`,
            );
          }
          return parse(json, `"${spec}"`);
        },
        (cause) => {
          throw new PermanentError(
            'PROFILE_NOT_FOUND',
            `Không tìm thấy hồ sơ "${spec}" / Profile "${spec}" not found${isName ? ' among the shipped profiles' : ''}`,
            { cause },
          );
        },
      );
      cache.set(id, loaded);
      loaded.catch(() => cache.delete(id));
    }
    return loaded;
  };
}

/** A REST profile from config: an object, a shipped profile's name (`sandbox-school`), or a JSON file. */
export const loadProfile = profileLoader(new URL('./profiles/', import.meta.url), parseProfile);

/** The parts of a stream (one for most), or PermanentError `STREAM_NOT_IN_PROFILE`. */
export function streamParts(profile: Profile, stream: string): StreamProfile[] {
  const s = profile.streams[stream as StreamName];
  if (!s) {
    throw new PermanentError(
      'STREAM_NOT_IN_PROFILE',
      `Hồ sơ "${profile.name}" không khai báo luồng ${stream} / Profile "${profile.name}" declares no stream ${stream}`,
    );
  }
  return s;
}
