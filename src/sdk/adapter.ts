/**
 * The adapter contract. An adapter connects one kind of school software to EduBridge: it says what
 * it can read (`streams`), what it needs (`configSchema`), and implements four verbs, after
 * Airbyte's connector protocol:
 *
 * - `check`: can we reach the source with this config? Problems a person can act on, never a crash.
 * - `discover`: what does the source hold (streams, schools, school years, counts when cheap)?
 * - `read`: stream the canonical records of one stream, with deletions and checkpoints.
 *
 * And one optional verb, for software that takes data back from the hub:
 *
 * - `write`: hand records of a writable stream (payments SSC reported) to the source, one answer
 *   per record.
 *
 * A vendor writes an adapter with `defineAdapter` and tests it with `edubridge adapter test`.
 */
import type { z } from 'zod';
import type { CanonicalRecord, Payment, RecordType } from '../model/index.ts';
import { scrubSecrets } from './config.ts';
import { AdapterError, type RecordError } from './errors.ts';
import type { InputLimits } from './limits.ts';
import { SDK_VERSION } from './version.ts';

/** The streams an adapter may offer; each carries records of the listed canonical types. */
export const STREAMS = {
  schools: ['school', 'schoolYear', 'semester'],
  students: ['student'],
  teachers: ['teacher'],
  guardianships: ['guardianship', 'person'],
  classes: ['class', 'subject'],
  enrollments: ['enrollment'],
  assessments: ['assessment', 'learningResult'],
  timetable: ['timetableSlot'],
  fees: ['feeItem', 'receivable'],
  payments: ['payment'],
  invoices: ['invoice'],
} as const satisfies Record<string, readonly RecordType[]>;

/** The name of a stream: `students`, `classes`, `fees` … (the keys of `STREAMS`). */
export type StreamName = keyof typeof STREAMS;
/** Every stream name, in the order of `STREAMS`. */
export const STREAM_NAMES = Object.keys(STREAMS) as StreamName[];

/**
 * The streams the hub writes back to a school's software, with the canonical record each carries:
 * what the city side knows first. Payments flow from SSC (parents pay the city's collection
 * account), so a school's fee book learns of them only through the hub.
 */
export interface WritableRecords {
  /** Payments parents made through SSC, for the school's fee book. */
  payments: Payment;
}
/** A stream the hub can write back to a school's software (`payments`). */
export type WritableStream = keyof WritableRecords & StreamName;
/** Every writable stream. */
export const WRITABLE_STREAMS: readonly WritableStream[] = ['payments'];

/** What the source said of one record `write` was given, by the record's canonical key. */
export interface WriteRecordResult {
  /** The record's canonical key, as `write` was given it. */
  key: string;
  /** `written`: the source holds it now (or held it already: a repeat is not a refusal). */
  status: 'written' | 'refused';
  /** The source's or the adapter's stable code for a refusal, e.g. `NOTICE_UNKNOWN`. */
  code?: string;
  /** Why, in Vietnamese and English, with no personal data. */
  message?: string;
}

/** `write`'s answer: one result per record given, in any order. */
export interface WriteResult {
  /** One result per record. */
  results: WriteRecordResult[];
}

/**
 * The code of the PermanentError `write` throws when this config gives it nowhere to write the
 * stream (a profile with no write endpoint): the hub leaves the records alone, as for an adapter
 * that declares no `writes`, instead of reporting an error at every pull.
 */
export const WRITE_NOT_CONFIGURED = 'WRITE_NOT_CONFIGURED';

/** What an adapter says of one stream it offers. */
export interface StreamDefinition {
  /** Canonical fields that identify a record within the stream; `['key']` for most. */
  primaryKey: readonly string[];
  /** True when `read` honours a checkpoint and returns only what changed since. */
  incremental: boolean;
  /** True when the source reports deletions (an incremental read then yields `deleted`). */
  reportsDeletions?: boolean;
  /** What the stream holds in this source, for people. */
  description?: string;
}

/** Where the adapter writes what it has to say; secrets and personal data never go in. */
export interface AdapterLogger {
  /** Detail for whoever debugs the adapter. */
  debug(msg: string, data?: Record<string, unknown>): void;
  /** What a run did (a page read, a file opened). */
  info(msg: string, data?: Record<string, unknown>): void;
  /** Something odd the read got past (a retried page, a skipped sheet). */
  warn(msg: string, data?: Record<string, unknown>): void;
  /** A failure, just before the adapter throws. */
  error(msg: string, data?: Record<string, unknown>): void;
}

/** A JSON value the adapter chooses (a timestamp, a cursor, a file hash); the hub stores it as is. */
export type Checkpoint = string | number | boolean | null | Checkpoint[] | { [key: string]: Checkpoint };

/** Records the source says were deleted, by canonical key. */
export interface DeletedSignal {
  /** Tells the signal apart. */
  kind: 'deleted';
  /** Canonical keys of the deleted records. */
  keys: string[];
}
/** A record that kept its identity but changed key (a student code corrected, a merge). */
export interface KeyChangedSignal {
  /** Tells the signal apart. */
  kind: 'keyChanged';
  /** The record's old canonical key. */
  from: string;
  /** Its new one. */
  to: string;
}
/** Everything before this point is read: an incremental read may resume from `checkpoint`. */
export interface CheckpointSignal {
  /** Tells the signal apart. */
  kind: 'checkpoint';
  /** Where the next incremental read starts, given back as `ctx.checkpoint`. */
  checkpoint: Checkpoint;
}
/** One record could not be mapped; the stream goes on. */
export interface RejectedSignal {
  /** Tells the signal apart. */
  kind: 'rejected';
  /** Why the record could not be mapped, and where it is. */
  error: RecordError;
}
/** What `read` says besides records: deletions, key changes, checkpoints and rejections. */
export type ReadSignal = DeletedSignal | KeyChangedSignal | CheckpointSignal | RejectedSignal;
/** What `read` yields: canonical records (with `type`) and signals (with `kind`). */
export type ReadItem = CanonicalRecord | ReadSignal;

/**
 * True for a signal, false for a canonical record.
 *
 * @example
 * ```ts
 * for await (const item of adapter.read('students', ctx)) if (!isSignal(item)) records.push(item);
 * ```
 */
export const isSignal = (item: ReadItem): item is ReadSignal => 'kind' in item;

/** What the hub gives every verb: a logger, a cancel signal, the clock and its input bounds. */
export interface BaseContext {
  /** Where to log; never secrets or personal data. */
  logger: AdapterLogger;
  /** Aborted when the run is cancelled or times out: stop promptly and return. */
  signal: AbortSignal;
  /** "Now" for `pulledAt`; fixed in tests. */
  now: () => Date;
  /**
   * The hub's bounds on what is parsed (its settings); read them with `inputLimits(ctx)`, which
   * fills in the defaults of any left out.
   */
  limits?: Partial<InputLimits>;
}

/** What `read` receives: the parsed config, the last checkpoint, and makers of the signals it yields. */
export interface ReadContext<C> extends BaseContext {
  /** The adapter's config, parsed by its `configSchema`. */
  config: C;
  /** The last checkpoint of a previous read, or undefined for a full read. */
  checkpoint: Checkpoint | undefined;
  /** Signals to yield from `read`: these records were deleted at the source. */
  deleted(keys: string[]): DeletedSignal;
  /** This record changed key. */
  keyChanged(from: string, to: string): KeyChangedSignal;
  /** Everything so far is read; resume from `checkpoint`. */
  checkpointAt(checkpoint: Checkpoint): CheckpointSignal;
  /** This record could not be mapped. */
  rejected(error: RecordError): RejectedSignal;
}

/**
 * What `check` returns for an error it caught: the SDK error's code (network failures as
 * `UNREACHABLE`), its message with no secret of the config in it.
 *
 * @example
 * ```ts
 * catch (error) { return { ok: false, problems: [checkProblemOf(error, configSchema, config)] }; }
 * ```
 */
export function checkProblemOf(error: unknown, schema: z.ZodType, config: unknown): CheckProblem {
  if (isAdapterErrorLike(error)) {
    const code =
      error.retryable && ['TIMEOUT', 'UNREACHABLE', 'TRANSFER_BROKEN'].includes(error.code)
        ? 'UNREACHABLE'
        : error.code;
    return { code, message: scrubSecrets(error.message, schema, config) };
  }
  return {
    code: 'CHECK_FAILED',
    message: scrubSecrets(
      `Kiểm tra thất bại / Check failed: ${(error as Error)?.message ?? error}`,
      schema,
      config,
    ),
  };
}

function isAdapterErrorLike(error: unknown): error is AdapterError {
  return error instanceof AdapterError;
}

/** A problem `check` found, for the person who configures the source. */
export interface CheckProblem {
  /** Stable code, e.g. `AUTH_REFUSED`, `UNREACHABLE`. */
  code: string;
  /** What happened and what a person can do, in Vietnamese and English. */
  message: string;
}

/** What `check` returns: the source can be read, or the problems a person can act on. */
export type CheckResult = { ok: true } | { ok: false; problems: CheckProblem[] };

/** What `write` receives. */
export interface WriteContext<C> extends BaseContext {
  /** The adapter's config, parsed by its `configSchema`. */
  config: C;
}

/** What `discover` returns: what the source holds. */
export interface Discovery {
  /** Streams this source has data for, with a count when it is cheap to know. */
  streams: Array<{ name: StreamName; count?: number }>;
  /** Schools the source holds, by the sector's school code. */
  schools?: Array<{ schoolCode: string; name?: string }>;
  /** School years it holds (`2025-2026`). */
  schoolYears?: string[];
}

/**
 * What a vendor passes to `defineAdapter`: who the adapter is, its config schema, its streams, and
 * its verbs. `S` is the config schema, `N` the streams it offers.
 */
export interface AdapterDefinition<S extends z.ZodType, N extends StreamName = StreamName> {
  /** Lower-case id, used in record keys' source and in `source.adapter`: `excel`, `smas-rest`. */
  id: string;
  /** Name for people: `SMAS (REST)`. */
  name: string;
  /** Semantic version of the adapter; the hub records it with every run. */
  version: string;
  /**
   * The SDK version the adapter was built for (`SDK_VERSION` when it was written). The hub loads
   * it only when the major versions match and its own minor is no older; left out, it is the
   * version of the SDK that `defineAdapter` comes from.
   */
  sdkVersion?: string;
  /** What the adapter connects, for people. */
  description?: string;
  /** The config's zod schema; mark secrets with `secret()`. */
  configSchema: S;
  /** The streams it reads, each with its key and whether it is incremental. */
  streams: Record<N, StreamDefinition>;
  /** Can the source be reached and read with this config? Problems a person can act on, never a crash. */
  check(config: z.output<S>, ctx: BaseContext): Promise<CheckResult>;
  /** What the source holds: streams, schools, school years. */
  discover(config: z.output<S>, ctx: BaseContext): Promise<Discovery>;
  /** Streams the canonical records of one stream, with signals, from `ctx.checkpoint` when incremental. */
  read(stream: N, ctx: ReadContext<z.output<S>>): AsyncIterable<ReadItem>;
  /**
   * The streams `write` accepts (of `WRITABLE_STREAMS`): the hub writes back only to an adapter
   * that declares the stream here. Independent of `streams`: an adapter may write payments it
   * does not read.
   */
  writes?: readonly WritableStream[];
  /**
   * Hands records of a stream declared in `writes` to the source and says, per record, whether the
   * source took it. Called with up to a few hundred records at a time, and again with the same
   * records after a failure or a refusal: writing a record the source already holds must answer
   * `written` and change nothing (use the record's key or id as the source's idempotency key).
   *
   * A refusal of one record (the source does not know its fee notice, its books are closed) is a
   * `refused` result with a code, never a thrown error. Throw the SDK's errors only when the call
   * as a whole fails: `RetryableError` (unreachable, 429, 5xx), `PermanentError` (credentials
   * refused; `WRITE_NOT_CONFIGURED` when this config has nowhere to write the stream). The hub
   * keeps every record not `written` and offers it again at its next pull.
   *
   * @example
   * ```ts
   * writes: ['payments'],
   * async write(ctx, stream, payments) {
   *   const http = createHttpClient({ baseUrl: ctx.config.baseUrl, signal: ctx.signal, logger: ctx.logger });
   *   const { body } = await http.request<{ results: Array<{ id: string; ok: boolean; error?: string }> }>(
   *     'POST', '/payments', { body: payments.map((p) => ({ id: p.paymentId, notice: p.receivableNo, amount: p.amount })) });
   *   const byId = new Map(body.results.map((r) => [r.id, r]));
   *   return { results: payments.map((p) => {
   *     const r = byId.get(p.paymentId);
   *     return r?.ok ? { key: p.key, status: 'written' }
   *       : { key: p.key, status: 'refused', code: r?.error ?? 'NO_ANSWER', message: 'SMAS did not take the payment' };
   *   }) };
   * },
   * ```
   */
  write?(
    ctx: WriteContext<z.output<S>>,
    stream: WritableStream,
    records: readonly WritableRecords[WritableStream][],
  ): Promise<WriteResult>;
}

/** What defineAdapter returns: the definition, typed by its config and streams. */
export type DefinedAdapter<
  S extends z.ZodType = z.ZodType,
  N extends StreamName = StreamName,
> = AdapterDefinition<S, N> & {
  readonly kind: 'edubridge-adapter';
  readonly sdkVersion: string;
};

/**
 * Any adapter, as the hub and the kit hold it without knowing its config type or streams. Methods
 * take `any` config so that every DefinedAdapter is one; the hub parses the config with
 * `configSchema` before calling them.
 */
export interface Adapter {
  /** Set by `defineAdapter`. */
  readonly kind: 'edubridge-adapter';
  /** See `AdapterDefinition`. */
  id: string;
  /** See `AdapterDefinition`. */
  name: string;
  /** See `AdapterDefinition`. */
  version: string;
  /** The SDK version the adapter was built for; `defineAdapter` always sets it. */
  sdkVersion?: string;
  /** See `AdapterDefinition`. */
  description?: string;
  /** See `AdapterDefinition`. */
  configSchema: z.ZodType;
  /** See `AdapterDefinition`. */
  streams: Partial<Record<StreamName, StreamDefinition>>;
  /** See `AdapterDefinition`. */
  // biome-ignore lint/suspicious/noExplicitAny: the config was parsed by configSchema before the call
  check(config: any, ctx: BaseContext): Promise<CheckResult>;
  /** See `AdapterDefinition`. */
  // biome-ignore lint/suspicious/noExplicitAny: as above
  discover(config: any, ctx: BaseContext): Promise<Discovery>;
  /** See `AdapterDefinition`. */
  // biome-ignore lint/suspicious/noExplicitAny: as above
  read(stream: StreamName, ctx: ReadContext<any>): AsyncIterable<ReadItem>;
  /** See `AdapterDefinition`. */
  writes?: readonly WritableStream[];
  /** See `AdapterDefinition`. */
  write?(
    // biome-ignore lint/suspicious/noExplicitAny: as above
    ctx: WriteContext<any>,
    stream: WritableStream,
    records: readonly WritableRecords[WritableStream][],
  ): Promise<WriteResult>;
}

const ID = /^[a-z][a-z0-9-]{1,40}$/;
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/**
 * Declares an adapter. Checks the declaration at once, so a vendor's mistake shows when the module
 * loads, not in the middle of a night's sync.
 *
 * @example
 * ```ts
 * export default defineAdapter({
 *   id: 'smas-rest', name: 'SMAS REST', version: '1.0.0',
 *   configSchema: z.object({ baseUrl: z.url(), apiKey: secret(z.string()) }),
 *   streams: { students: { primaryKey: ['key'], incremental: true, reportsDeletions: true } },
 *   async check(config, ctx) { … return { ok: true }; },
 *   async discover(config, ctx) { return { streams: [{ name: 'students' }] }; },
 *   async *read(stream, ctx) {
 *     for await (const row of rows(ctx.config, ctx.checkpoint)) yield toStudent(row);
 *     yield ctx.checkpointAt(new Date().toISOString());
 *   },
 * });
 * ```
 */
export function defineAdapter<S extends z.ZodType, N extends StreamName>(
  definition: AdapterDefinition<S, N>,
): DefinedAdapter<S, N> {
  if (!ID.test(definition.id)) {
    throw new TypeError(
      `adapter id "${definition.id}" must be lower case letters, digits and "-", 2–41 characters`,
    );
  }
  if (!SEMVER.test(definition.version)) {
    throw new TypeError(`adapter ${definition.id}: version "${definition.version}" must be semantic (1.2.3)`);
  }
  const streams = Object.keys(definition.streams);
  if (streams.length === 0) throw new TypeError(`adapter ${definition.id} declares no stream`);
  for (const name of streams) {
    if (!(name in STREAMS)) {
      throw new TypeError(
        `adapter ${definition.id}: unknown stream "${name}"; streams are ${STREAM_NAMES.join(', ')}`,
      );
    }
  }
  const sdkVersion = definition.sdkVersion ?? SDK_VERSION;
  if (!SEMVER.test(sdkVersion)) {
    throw new TypeError(`adapter ${definition.id}: sdkVersion "${sdkVersion}" must be semantic (1.0.0)`);
  }
  const problem = writeDeclarationProblem(definition);
  if (problem) throw new TypeError(`adapter ${definition.id}: ${problem}`);
  return { ...definition, sdkVersion, kind: 'edubridge-adapter' };
}

/**
 * What is wrong with an adapter's `writes` and `write` taken together, or undefined: a declared
 * stream the hub cannot write, a stream declared twice, `writes` without `write` (the hub would
 * call nothing), `write` without `writes` (the hub would never call it).
 */
export function writeDeclarationProblem(adapter: {
  writes?: readonly string[] | undefined;
  write?: unknown;
}): string | undefined {
  const writes = adapter.writes;
  if (writes !== undefined && !Array.isArray(writes)) return '"writes" must be a list of streams';
  for (const stream of writes ?? []) {
    if (!(WRITABLE_STREAMS as readonly string[]).includes(stream)) {
      return `cannot write stream "${stream}"; writable streams are ${WRITABLE_STREAMS.join(', ')}`;
    }
  }
  if (writes && new Set(writes).size !== writes.length) return '"writes" names a stream twice';
  const declared = (writes?.length ?? 0) > 0;
  if (declared && typeof adapter.write !== 'function') {
    return `declares writes (${writes!.join(', ')}) but has no write function`;
  }
  if (!declared && adapter.write !== undefined) return 'has a write function but declares no "writes"';
  return undefined;
}

/** True when the adapter declares it writes this stream (and so has `write`). */
export function canWrite(
  adapter: Pick<Adapter, 'writes' | 'write'>,
  stream: WritableStream,
): adapter is Pick<Adapter, 'writes'> & Required<Pick<Adapter, 'write'>> {
  return (adapter.writes ?? []).includes(stream) && typeof adapter.write === 'function';
}

/** True for a value made by defineAdapter (a module's default export, say). */
export function isAdapter(value: unknown): value is Adapter {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'edubridge-adapter'
  );
}

/**
 * Builds the context `read` receives, with its signal helpers: what the hub does before it calls
 * `read`, and what a vendor's unit test does to call `read` itself.
 *
 * @example
 * ```ts
 * const ctx = readContext({ logger: silentLogger, signal: AbortSignal.timeout(10_000), now: () => new Date() },
 *   parseAdapterConfig(adapter.configSchema, config, adapter.id), undefined);
 * for await (const item of adapter.read('students', ctx)) items.push(item);
 * ```
 */
export function readContext<C>(
  base: BaseContext,
  config: C,
  checkpoint: Checkpoint | undefined,
): ReadContext<C> {
  return {
    ...base,
    config,
    checkpoint,
    deleted: (keys) => ({ kind: 'deleted', keys }),
    keyChanged: (from, to) => ({ kind: 'keyChanged', from, to }),
    checkpointAt: (cp) => ({ kind: 'checkpoint', checkpoint: cp }),
    rejected: (error) => ({ kind: 'rejected', error }),
  };
}

/** A logger that drops everything (tests, quiet runs). */
export const silentLogger: AdapterLogger = { debug() {}, info() {}, warn() {}, error() {} };
