/**
 * One sync run, step by step: pull (adapter `read`) and validate (record and dataset rules), diff
 * (map each valid record for each target, hash it, compare with the ledger in bulk, stage what
 * changed), hold (stop before pushing when a run would change or delete an unusual share of what a
 * target holds), push (idempotent batches, per-record answers into the ledger, refusals into dead
 * letters: push.ts), finish (checkpoints saved only once everything read has been delivered).
 *
 * Each step's state lives in PostgreSQL (the run, staged batches, outbox, ledger, dead letters), so
 * the steps run as queue jobs on any worker (`pullStep` as one job, each staged batch as another:
 * service.ts); `runSync` runs them all in this process, in order (the CLI, tests).
 */
import {
  type CanonicalRecord,
  checkRecord,
  DatasetChecker,
  hasErrors,
  type Problem,
} from '../model/index.ts';
import { type DataQualityReport, ReportBuilder } from '../quality/report.ts';
import {
  type Adapter,
  type AdapterLogger,
  isSignal,
  parseAdapterConfig,
  RecordError,
  RetryableError,
  readContext,
  type StreamName,
  silentLogger,
} from '../sdk/index.ts';
import { sleep } from '../sdk/sleep.ts';
import {
  type ClaimOutcome,
  claimPull,
  createRun,
  type Database,
  diffAgainstLedger,
  endPull,
  enterPushing,
  finishIfDone,
  getRun,
  type Keyring,
  keysNotSeen,
  ledgerCount,
  loadCheckpoint,
  type PushAnnouncement,
  type RunCounts,
  recordHash,
  savePullProgress,
  stageBatch,
  unpushedBatchIds,
  ZERO_COUNTS,
} from '../store/index.ts';
import type { MappedRecord, Target } from '../targets/target.ts';
import { failBatch, type PushContext, pushBatchOnce, retryDelayMs, type StagedPayload } from './push.ts';

export { idempotencyKeyOf, type StagedPayload } from './push.ts';

export interface SyncOptions {
  db: Database;
  keyring: Keyring;
  adapter: Adapter;
  adapterConfig: unknown;
  targets: readonly Target[];
  schoolCode: string;
  streams: readonly StreamName[];
  mode: 'full' | 'incremental';
  /** Reference date of the rules (ages); default now. */
  asOf?: Date;
  /** Records a staged batch, and so a push (default 500). */
  batchSize?: number;
  /** Share of a target's records a run may change or delete before it is held (default 0.1). */
  holdThreshold?: number;
  /** Tries of a batch the target answers with a retryable error (default 5). */
  pushAttempts?: number;
  requestedBy?: string;
  /** An existing queued run to carry out, instead of creating one. */
  runId?: string;
  logger?: AdapterLogger;
  signal?: AbortSignal;
  onProgress?: (event: { runId: string; step: string; counts: RunCounts }) => void;
  /**
   * Sees each batch of valid records before the diff (the identity registry learns who the school
   * knows from it). Its failure fails the run: a run must not go on knowing less than it read.
   */
  onValidRecords?: (records: readonly CanonicalRecord[]) => Promise<void>;
}

export interface SyncResult {
  runId: string;
  state: 'succeeded' | 'held' | 'failed';
  counts: RunCounts;
  report: DataQualityReport;
  hold?: HoldReport;
}

export interface HoldReport {
  reasons: Array<{
    target: string;
    stream: string;
    held: number;
    changed: number;
    deleted: number;
    share: number;
    sample: string[];
  }>;
  threshold: number;
}

export type PullOptions = Omit<SyncOptions, 'runId' | 'pushAttempts' | 'requestedBy'> & { runId: string };

export interface PullOutcome {
  state: 'held' | 'pushing';
  counts: RunCounts;
  report: DataQualityReport;
  hold?: HoldReport;
  /** The push jobs to enqueue (one per staged batch), when pushing. */
  pushes: PushAnnouncement[];
}

export class RunBusyError extends RetryableError {
  constructor(
    readonly runId: string,
    readonly blockingRunId: string | undefined,
  ) {
    super(
      'SCHOOL_BUSY',
      `Trường đang có lần đồng bộ khác (${blockingRunId ?? '?'}) / The school has another run in progress (${blockingRunId ?? '?'})`,
    );
  }
}

const SCHEMA_VERSION_OF = (target: Target) => `${target.id}/${target.mappingVersion}`;

/**
 * Runs one sync of one school from one adapter to the given targets, every step in this process.
 *
 * @example
 * const result = await runSync({ db, keyring, adapter, adapterConfig, targets: [cityEduDb],
 *   schoolCode: '79NB0001', streams: ['students'], mode: 'full' });
 */
export async function runSync(options: SyncOptions): Promise<SyncResult> {
  const { db, adapter, targets } = options;
  const logger = options.logger ?? silentLogger;
  // A run requested through the API or a schedule exists already (queued); the CLI creates its own.
  const runId =
    options.runId ??
    (await createRun(db, {
      schoolCode: options.schoolCode,
      adapterId: adapter.id,
      adapterVersion: adapter.version,
      mappingVersions: Object.fromEntries(targets.map((t) => [t.id, t.mappingVersion])),
      streams: [...options.streams],
      mode: options.mode,
      ...(options.requestedBy ? { requestedBy: options.requestedBy } : {}),
    }));
  const claim = await claimPull(db, runId, adapter.version);
  if (!claim.claimed) throw claimError(runId, claim);
  const pulled = await pullStep({ ...options, runId, logger });
  if (pulled.state === 'held') {
    return {
      runId,
      state: 'held',
      counts: pulled.counts,
      report: pulled.report,
      ...(pulled.hold ? { hold: pulled.hold } : {}),
    };
  }
  await pushInProcess({
    db,
    keyring: options.keyring,
    targets,
    runId,
    logger,
    ...(options.pushAttempts !== undefined ? { attempts: options.pushAttempts } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const run = await getRun(db, runId);
  options.onProgress?.({ runId, step: 'succeeded', counts: run!.counts });
  return { runId, state: 'succeeded', counts: run!.counts, report: pulled.report };
}

function claimError(runId: string, claim: Exclude<ClaimOutcome, { claimed: true }>): Error {
  if (claim.reason === 'busy') return new RunBusyError(runId, claim.blockingRunId);
  return new RetryableError('RUN_NOT_QUEUED', `Run ${runId} is ${claim.state ?? 'gone'}`);
}

/**
 * Pushes every staged batch of a pushing run in this process, with retries (Retry-After,
 * exponential backoff with jitter), then ends the run. Used by `runSync` and by the release of a
 * held run when no queue is at hand.
 */
export async function pushInProcess(options: {
  db: Database;
  keyring: Keyring;
  targets: readonly Target[];
  runId: string;
  logger: AdapterLogger;
  attempts?: number;
  signal?: AbortSignal;
}): Promise<void> {
  const ctx: PushContext = {
    db: options.db,
    keyring: options.keyring,
    targets: new Map(options.targets.map((t) => [t.id, t])),
    logger: options.logger,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const attempts = options.attempts ?? 5;
  for (const { batchId, target } of await unpushedBatchIds(options.db, options.runId)) {
    for (let attempt = 1; ; attempt++) {
      try {
        await pushBatchOnce(ctx, batchId);
        break;
      } catch (error) {
        if (!(error instanceof RetryableError) || attempt >= attempts) {
          await failBatch(ctx, batchId, error, attempt);
          break;
        }
        const wait = retryDelayMs(error, attempt);
        options.logger.warn('push retry', {
          runId: options.runId,
          target,
          code: error.code,
          attempt,
          waitMs: Math.round(wait),
        });
        await sleep(wait, options.signal);
      }
    }
  }
  await finishIfDone(options.db, options.runId);
}

/**
 * The pull step of a claimed run: read, validate, diff against the ledger and stage what changed;
 * then hold the run or move it to `pushing` (with one outbox row per staged batch). A failure
 * marks the run failed and is rethrown.
 */
export async function pullStep(options: PullOptions): Promise<PullOutcome> {
  const { db, keyring, adapter, targets, schoolCode, runId } = options;
  const logger = options.logger ?? silentLogger;
  const asOf = options.asOf ?? new Date();
  const batchSize = options.batchSize ?? 500;
  const threshold = options.holdThreshold ?? 0.1;
  const config = parseAdapterConfig(adapter.configSchema, options.adapterConfig, adapter.id);
  const counts: RunCounts = { ...ZERO_COUNTS };
  const timings: Record<string, number> = {};
  const clock: Record<string, number> = {};
  const report = new ReportBuilder(asOf, 1000);
  let lastProgressAt = performance.now();
  const progress = async (step: string) => {
    options.onProgress?.({ runId, step, counts: { ...counts } });
    // The run row is what the event stream and the dashboard read: every ~2 s is enough.
    if (performance.now() - lastProgressAt > 2_000) {
      lastProgressAt = performance.now();
      await savePullProgress(db, runId, counts);
    }
  };
  const pendingCheckpoints: Array<{ stream: StreamName; checkpoint: unknown }> = [];
  const changes = new Map<string, { changed: number; deleted: number; sample: string[] }>();
  /** Records found invalid only at the end of their stream, after they were staged. */
  const excluded = new Set<string>();
  let ordinal = 0;

  try {
    const started = performance.now();
    for (const stream of options.streams) {
      const result = await pullAndDiff(stream);
      if (result.checkpoint !== undefined) pendingCheckpoints.push({ stream, checkpoint: result.checkpoint });
    }
    timings.pullAndDiffMs = Math.round(performance.now() - started);
    // Where the pull's time went: waiting for the source, validating, registering identities and
    // diffing (those two overlap), staging; the operator's first question when a run is slow.
    for (const [name, ms] of Object.entries(clock)) timings[name] = Math.round(ms);

    const hold = await holdIfUnusual();
    if (hold) {
      await endPull(db, runId, 'held', {
        counts,
        report: report.build(),
        hold: { ...hold, pendingCheckpoints, excluded: [...excluded] },
        timings,
      });
      logger.warn('run held', { runId, reasons: hold.reasons.length });
      return { state: 'held', counts, report: report.build(), hold, pushes: [] };
    }
    const pushes = await enterPushing(db, runId, 'pulling', {
      counts,
      report: report.build(),
      timings,
      carry: { pendingCheckpoints, excluded: [...excluded] },
    });
    await progress('pushing');
    return { state: 'pushing', counts, report: report.build(), pushes: pushes ?? [] };
  } catch (error) {
    await endPull(db, runId, 'failed', {
      counts,
      report: {
        ...report.build(),
        failure: { code: (error as { code?: string }).code, message: (error as Error).message },
      },
      timings,
    });
    throw error;
  }

  async function pullAndDiff(stream: StreamName): Promise<{ checkpoint: unknown }> {
    const checkpoint =
      options.mode === 'incremental'
        ? await loadCheckpoint(db, { schoolCode, adapterId: adapter.id, stream })
        : undefined;
    const ctx = readContext(
      { logger, signal: options.signal ?? new AbortController().signal, now: () => new Date() },
      config,
      checkpoint as never,
    );
    const dataset = new DatasetChecker<{
      file: string;
      line: number;
      type: string;
      key: string;
      invalid: boolean;
    }>({
      asOf,
    });
    const seen = new Map<string, Set<string>>(targets.map((t) => [t.id, new Set<string>()]));
    const reportedDeleted: string[] = [];
    let buffer: CanonicalRecord[] = [];
    let lastCheckpoint: unknown;
    let line = 0;

    const flush = async () => {
      if (buffer.length === 0) return;
      const records = buffer;
      buffer = [];
      const at = performance.now();
      // The identity registry and the diff touch different tables: their database round trips
      // overlap instead of adding up.
      await Promise.all([
        options.onValidRecords && timed('observeMs', options.onValidRecords(records)),
        timed('diffMs', diffBatch(stream, records, seen)),
      ]);
      await progress('diff');
      spent('flushMs', at);
    };

    const loopStarted = performance.now();
    const flushedBefore = clock.flushMs ?? 0;
    const readBefore = clock.readMs ?? 0;
    for await (const item of timedRead(adapter.read(stream, ctx))) {
      if (isSignal(item)) {
        if (item.kind === 'checkpoint') lastCheckpoint = item.checkpoint;
        else if (item.kind === 'deleted') reportedDeleted.push(...item.keys);
        else if (item.kind === 'rejected') {
          line++;
          counts.pulled++;
          counts.invalid++;
          report.record({ file: item.error.location ?? stream, line }, null, null, [
            {
              code: item.error.code,
              severity: 'error',
              field: item.error.field ?? '',
              message: { vi: item.error.message, en: item.error.message },
            },
          ]);
        }
        continue;
      }
      // A district-wide source answers for every school: this run takes only its own.
      if (item.schoolCode !== schoolCode) continue;
      line++;
      counts.pulled++;
      const check = checkRecord(item, { asOf });
      const place = { file: item.source?.location ?? stream, line };
      if (!check.record) {
        counts.invalid++;
        report.record(place, item.type, item.key, check.problems);
        continue;
      }
      const ref = { ...place, type: check.record.type, key: check.record.key, invalid: false };
      const problems: Problem[] = [...check.problems, ...dataset.check(check.record, ref)];
      ref.invalid = hasErrors(problems);
      report.record(ref, ref.type, ref.key, problems);
      if (ref.invalid) {
        counts.invalid++;
        continue;
      }
      counts.valid++;
      buffer.push(check.record);
      if (buffer.length >= batchSize) await flush();
    }
    // What the loop spent neither waiting for the source nor flushing: validation.
    clock.checkMs =
      (clock.checkMs ?? 0) +
      performance.now() -
      loopStarted -
      ((clock.readMs ?? 0) - readBefore) -
      ((clock.flushMs ?? 0) - flushedBefore);
    // A minor found without a guardian only at the end was counted valid and staged: it must not
    // go out. Its staged copy is dropped from the push below by key.
    const late = dataset.finish();
    const lateInvalid = new Set<string>();
    for (const { ref, problem } of late) {
      if (!ref) continue;
      report.late(ref, ref.type, ref.key, problem, ref.invalid);
      if (!ref.invalid) {
        lateInvalid.add(ref.key);
        counts.valid--;
        counts.invalid++;
      }
    }
    if (lateInvalid.size > 0) {
      buffer = buffer.filter((r) => !lateInvalid.has(r.key));
      for (const set of seen.values()) for (const k of lateInvalid) set.delete(k);
      for (const k of lateInvalid) excluded.add(k);
    }
    await flush();
    await stageDeletes(stream, seen, reportedDeleted);
    return { checkpoint: lastCheckpoint };
  }

  async function diffBatch(stream: StreamName, records: CanonicalRecord[], seen: Map<string, Set<string>>) {
    for (const target of targets) {
      if (!target.streams.includes(stream)) continue;
      const mapped: Array<MappedRecord & { hash: string; location?: string }> = [];
      for (const record of records) {
        let m: MappedRecord | undefined;
        try {
          m = target.map(record);
        } catch (error) {
          if (!(error instanceof RecordError)) throw error;
          counts.valid--;
          counts.invalid++;
          report.record({ file: record.source.location ?? stream, line: 0 }, record.type, record.key, [
            {
              code: error.code,
              severity: 'error',
              field: error.field ?? '',
              message: { vi: error.message, en: error.message },
            },
          ]);
          continue;
        }
        if (!m) continue;
        seen.get(target.id)?.add(m.key);
        mapped.push({
          ...m,
          hash: recordHash(m.body, SCHEMA_VERSION_OF(target)),
          ...(record.source.location ? { location: record.source.location } : {}),
        });
      }
      if (mapped.length === 0) continue;
      const diff = await timed(
        'ledgerMs',
        diffAgainstLedger(db, {
          target: target.id,
          stream,
          schoolCode,
          entries: mapped.map((m) => ({ key: m.key, hash: m.hash })),
        }),
      );
      counts.unchanged += diff.unchanged;
      const created = new Set(diff.created);
      const changedKeys = new Set([...diff.created, ...diff.updated]);
      const upserts = mapped
        .filter((m) => changedKeys.has(m.key))
        .map((m) => ({ ...m, created: created.has(m.key) }));
      if (upserts.length === 0) continue;
      note(target.id, stream, diff.updated.length, 0, diff.updated);
      const payload: StagedPayload = { schoolCode, upserts, deletes: [] };
      await timed(
        'stageMs',
        stageBatch(db, keyring, {
          runId,
          target: target.id,
          stream,
          count: upserts.length,
          payload,
          ordinal: ++ordinal,
        }),
      );
    }
  }

  async function stageDeletes(stream: StreamName, seen: Map<string, Set<string>>, reported: string[]) {
    for (const target of targets) {
      if (!target.streams.includes(stream)) continue;
      // A full run deletes what it no longer sees; an incremental one only what the source said.
      const deletes =
        options.mode === 'full'
          ? await keysNotSeen(db, target.id, stream, schoolCode, seen.get(target.id) ?? [])
          : reported;
      for (let i = 0; i < deletes.length; i += batchSize) {
        const slice = deletes.slice(i, i + batchSize);
        note(target.id, stream, 0, slice.length, slice);
        await stageBatch(db, keyring, {
          runId,
          target: target.id,
          stream,
          count: slice.length,
          payload: { schoolCode, upserts: [], deletes: slice } satisfies StagedPayload,
          ordinal: ++ordinal,
        });
      }
    }
  }

  /** Adds the milliseconds since `since` to a timing of the run. */
  function spent(name: string, since: number) {
    clock[name] = (clock[name] ?? 0) + performance.now() - since;
  }

  async function timed<T>(name: string, work: Promise<T>): Promise<T> {
    const since = performance.now();
    try {
      return await work;
    } finally {
      spent(name, since);
    }
  }

  /** The adapter's records, with the time spent waiting for them counted as `readMs`. */
  async function* timedRead<T>(items: AsyncIterable<T>): AsyncGenerator<T> {
    const it = items[Symbol.asyncIterator]();
    for (;;) {
      const since = performance.now();
      const next = await it.next();
      spent('readMs', since);
      if (next.done) return;
      yield next.value;
    }
  }

  function note(target: string, stream: string, changed: number, deleted: number, keys: string[]) {
    const key = `${target}\u0000${stream}`;
    const entry = changes.get(key) ?? { changed: 0, deleted: 0, sample: [] };
    entry.changed += changed;
    entry.deleted += deleted;
    for (const k of keys) if (entry.sample.length < 10) entry.sample.push(k);
    changes.set(key, entry);
  }

  async function holdIfUnusual(): Promise<HoldReport | undefined> {
    const reasons: HoldReport['reasons'] = [];
    for (const [key, entry] of changes) {
      const [target, stream] = key.split('\u0000') as [string, string];
      const held = await ledgerCount(db, target, schoolCode, stream);
      // A school's first sync has nothing to compare with: it is never held.
      if (held === 0) continue;
      const share = (entry.changed + entry.deleted) / held;
      if (share > threshold)
        reasons.push({ target, stream, held, ...entry, share: Math.round(share * 1000) / 1000 });
    }
    return reasons.length > 0 ? { reasons, threshold } : undefined;
  }
}
