/**
 * The pull step of a claimed run, as named steps over explicit state (context.ts):
 *
 *   for each stream:  the source hashes its targets hold (source-hash.ts)
 *                     → readStream (read.ts: signals, skips of what is unchanged at the source,
 *                       validation, flushes → stageChanges in stage.ts)
 *                     → excludeLate (exclude.ts) → the last flush → stageDeletes (deletes.ts)
 *                     → its checkpoint noted, to be saved only when the run succeeds
 *   then:             holdIfUnusual (hold.ts) → `held`, or enterPushing → `pushing`
 *
 * Ownership is in one place: the lease taken by the claim is renewed here while the step works,
 * and every write names it (staged batches, progress, the end of the pull). A worker that loses it
 * stops (its signal aborts with LeaseLostError) and writes nothing more; the run's new owner starts
 * the pull over. A database that is away fails the step with StoreUnavailableError and leaves the
 * run to be taken over once the lease lapses; any other failure marks the run failed with the
 * reason.
 */
import { type CanonicalRecord, DatasetChecker, type TextLimits } from '../../model/index.ts';
import { type DataQualityReport, ReportBuilder } from '../../quality/report.ts';
import { readContext, silentLogger } from '../../sdk/adapter.ts';
import {
  type Adapter,
  type AdapterLogger,
  type InputLimits,
  parseAdapterConfig,
  type StreamName,
} from '../../sdk/index.ts';
import {
  type Database,
  endPull,
  enterPushing,
  type Keyring,
  LeaseLostError,
  loadCheckpoint,
  type PullLease,
  type PushAnnouncement,
  type RunCounts,
  renewPullLease,
  sourceHashesHeld,
  ZERO_COUNTS,
} from '../../store/index.ts';
import type { Target } from '../../targets/target.ts';
import { isDatabaseUnavailable, keepLease, StoreUnavailableError } from '../lease.ts';
import {
  type PullRun,
  type PullTally,
  type RecordRef,
  type StreamEnd,
  type StreamPull,
  timed,
} from './context.ts';
import { stageDeletes } from './deletes.ts';
import { excludeLate } from './exclude.ts';
import { type HoldReport, holdIfUnusual } from './hold.ts';
import { flush, readStream } from './read.ts';
import { sourceSalt } from './source-hash.ts';

export type { StreamEnd } from './context.ts';
export type { HoldReport } from './hold.ts';

export interface PullOptions {
  db: Database;
  keyring: Keyring;
  adapter: Adapter;
  adapterConfig: unknown;
  targets: readonly Target[];
  schoolCode: string;
  streams: readonly StreamName[];
  mode: 'full' | 'incremental';
  /** The lease `claimPull` gave: every write of the pull names it. */
  lease: PullLease;
  /** How long the lease holds; renewed a third of it at a time (default 30 s, WORKER_LOCK_MS). */
  leaseMs?: number;
  /** Reference date of the rules (ages); default now. */
  asOf?: Date;
  /** Text length limits by kind (TEXT_LIMITS); the defaults without it. */
  textLimits?: TextLimits;
  /** Bounds on what the adapter parses (XLSX_MAX_INFLATED_BYTES …), as `ctx.limits`; the defaults without it. */
  inputLimits?: InputLimits;
  /** Records a staged batch, and so a push (default 500). */
  batchSize?: number;
  /** Share of a target's records a run may change or delete before it is held (default 0.1). */
  holdThreshold?: number;
  logger?: AdapterLogger;
  signal?: AbortSignal;
  onProgress?: (event: { runId: string; step: string; counts: RunCounts }) => void;
  /**
   * Sees each batch of valid records before the diff (the identity registry learns who the school
   * knows from it). Its failure fails the run: a run must not go on knowing less than it read.
   */
  onValidRecords?: (records: readonly CanonicalRecord[]) => Promise<void>;
  /** Told of the source's key changes before the records under their new keys. */
  onKeysChanged?: (renames: ReadonlyArray<{ from: string; to: string }>) => Promise<void>;
  /**
   * Told at each stream's end what the source still holds, after its deletions were staged: the
   * projections beside the ledger (the education reports') forget what the targets are told to
   * delete. Its failure fails the run, as `onValidRecords`'s does.
   */
  onStreamEnd?: (end: StreamEnd) => Promise<void>;
}

export interface PullOutcome {
  state: 'held' | 'pushing';
  counts: RunCounts;
  report: DataQualityReport;
  hold?: HoldReport;
  /** The push jobs to enqueue (one per staged batch), when pushing. */
  pushes: PushAnnouncement[];
}

export async function pullStep(options: PullOptions): Promise<PullOutcome> {
  const { db, lease } = options;
  const logger = options.logger ?? silentLogger;
  const leaseMs = options.leaseMs ?? 30_000;
  const heartbeat = keepLease(() => renewPullLease(db, lease, leaseMs), {
    leaseMs,
    logger,
    lost: () => new LeaseLostError('pull', `lần chạy / run ${lease.runId}`),
  });
  const asOf = options.asOf ?? new Date();
  const run: PullRun = {
    db,
    keyring: options.keyring,
    adapter: options.adapter,
    config: parseAdapterConfig(options.adapter.configSchema, options.adapterConfig, options.adapter.id),
    targets: options.targets,
    schoolCode: options.schoolCode,
    lease,
    mode: options.mode,
    asOf,
    textLimits: options.textLimits,
    inputLimits: options.inputLimits,
    batchSize: options.batchSize ?? 500,
    holdThreshold: options.holdThreshold ?? 0.1,
    logger,
    signal: options.signal ? AbortSignal.any([options.signal, heartbeat.signal]) : heartbeat.signal,
    onValidRecords: options.onValidRecords,
    onKeysChanged: options.onKeysChanged,
    onStreamEnd: options.onStreamEnd,
    onProgress: options.onProgress,
  };
  const tally: PullTally = {
    counts: { ...ZERO_COUNTS },
    report: new ReportBuilder(asOf, 1000),
    changes: new Map(),
    ordinal: 0,
    checkpoints: [],
    clock: {},
    lastProgressAt: performance.now(),
  };
  const timings: Record<string, number> = {};
  try {
    const started = performance.now();
    for (const stream of options.streams) await pullStream(run, tally, stream);
    timings.pullAndDiffMs = Math.round(performance.now() - started);
    // Where the pull's time went: waiting for the source, validating, registering identities and
    // diffing (those two overlap), staging; the operator's first question when a run is slow.
    for (const [name, ms] of Object.entries(tally.clock)) timings[name] = Math.round(ms);
    return await decide(run, tally, timings);
  } catch (error) {
    const cause = heartbeat.signal.aborted ? heartbeat.signal.reason : error;
    if (cause instanceof LeaseLostError) throw cause;
    if (isDatabaseUnavailable(error)) throw new StoreUnavailableError('postgres', error);
    try {
      await endPull(db, lease, 'failed', {
        counts: tally.counts,
        report: {
          ...tally.report.build(),
          failure: { code: (error as { code?: string }).code, message: (error as Error).message },
        },
        timings,
      });
    } catch (ending) {
      if (ending instanceof LeaseLostError) throw ending;
      if (isDatabaseUnavailable(ending)) throw new StoreUnavailableError('postgres', ending);
      throw ending;
    }
    throw error;
  } finally {
    heartbeat.stop();
  }
}

/** One stream, from its checkpoint to its deletions. */
async function pullStream(run: PullRun, tally: PullTally, stream: StreamName): Promise<void> {
  const checkpoint =
    run.mode === 'incremental'
      ? await loadCheckpoint(run.db, { schoolCode: run.schoolCode, adapterId: run.adapter.id, stream })
      : undefined;
  const ctx = readContext(
    {
      logger: run.logger,
      signal: run.signal,
      now: () => new Date(),
      ...(run.inputLimits ? { limits: run.inputLimits } : {}),
    },
    run.config,
    checkpoint as never,
  );
  const targets = run.targets.filter((t) => t.streams.includes(stream));
  const s: StreamPull = {
    stream,
    dataset: new DatasetChecker<RecordRef>({ asOf: run.asOf }),
    present: new Set(),
    reportedDeleted: [],
    renames: new Map(),
    renamesToTell: [],
    rejectedWithoutKey: 0,
    skipped: 0,
    targetIds: targets.map((t) => t.id),
    held: await timed(
      tally,
      'sourceMs',
      Promise.all(
        targets.map((t) => sourceHashesHeld(run.db, { target: t.id, stream, schoolCode: run.schoolCode })),
      ),
    ),
    salt: sourceSalt(targets, run.asOf, run.textLimits),
    sourceHashes: new Map(),
    buffer: [],
    unmappable: new Set(),
    stagedIn: new Map(),
    line: 0,
    lastCheckpoint: undefined,
  };
  await readStream(run, tally, s, run.adapter.read(stream, ctx));
  await excludeLate(run, tally, s);
  await flush(run, tally, s);
  await stageDeletes(run, tally, s);
  if (run.onStreamEnd) await timed(tally, 'observeMs', run.onStreamEnd(streamEnd(run, s)));
  if (s.lastCheckpoint !== undefined) tally.checkpoints.push({ stream, checkpoint: s.lastCheckpoint });
}

/**
 * What a stream's end says the source holds, by the same reading as its deletions (deletes.ts): a
 * full run knows every key the source has, unless the adapter rejected records it could not key;
 * an incremental run knows only what the source reported deleted.
 */
function streamEnd(run: PullRun, s: StreamPull): StreamEnd {
  const renamedFrom = new Set(s.renames.values());
  if (run.mode === 'full') {
    return s.rejectedWithoutKey > 0
      ? { stream: s.stream, present: null, deleted: [] }
      : { stream: s.stream, present: s.present, deleted: [] };
  }
  return {
    stream: s.stream,
    present: null,
    deleted: s.reportedDeleted.filter((k) => !renamedFrom.has(k) && !s.present.has(k)),
  };
}

/** Held for a person, or on to pushing: the pull's last write, under its lease. */
async function decide(run: PullRun, tally: PullTally, timings: Record<string, number>): Promise<PullOutcome> {
  const report = tally.report.build();
  const hold = await holdIfUnusual(run, tally);
  if (hold) {
    await endPull(run.db, run.lease, 'held', {
      counts: tally.counts,
      report,
      ruleRecords: tally.report.ruleRecords(),
      hold: { ...hold, pendingCheckpoints: tally.checkpoints },
      timings,
    });
    run.logger.warn('run held', { runId: run.lease.runId, reasons: hold.reasons.length });
    return { state: 'held', counts: tally.counts, report, hold, pushes: [] };
  }
  const pushes = await enterPushing(
    run.db,
    { lease: run.lease },
    {
      counts: tally.counts,
      report,
      timings,
      carry: { pendingCheckpoints: tally.checkpoints },
      ruleRecords: tally.report.ruleRecords(),
    },
  );
  run.onProgress?.({ runId: run.lease.runId, step: 'pushing', counts: { ...tally.counts } });
  return { state: 'pushing', counts: tally.counts, report, pushes: pushes ?? [] };
}
