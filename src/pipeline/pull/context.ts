/**
 * What the pull step's named steps share, passed to each explicitly:
 * - `PullRun`: what the step was asked to do and with what (never changes while it runs), with
 *   the lease every write names;
 * - `PullTally`: what the steps add up (counts, the data-quality report, the changes a hold is
 *   judged on, the checkpoints to save at the end of the run, where the time went);
 * - `StreamPull`: one stream's state, from its first record to its deletions.
 */
import type { CanonicalRecord, DatasetChecker, TextLimits } from '../../model/index.ts';
import type { ReportBuilder } from '../../quality/report.ts';
import type { Adapter, AdapterLogger, InputLimits, StreamName } from '../../sdk/index.ts';
import {
  type Database,
  type Keyring,
  type PullLease,
  type RunCounts,
  savePullProgress,
} from '../../store/index.ts';
import type { Target } from '../../targets/target.ts';

export interface PullRun {
  db: Database;
  keyring: Keyring;
  adapter: Adapter;
  /** The school's adapter config, parsed by the adapter's own schema. */
  config: unknown;
  targets: readonly Target[];
  schoolCode: string;
  lease: PullLease;
  mode: 'full' | 'incremental';
  asOf: Date;
  /** Text length limits by kind (TEXT_LIMITS); the defaults when undefined. */
  textLimits: TextLimits | undefined;
  /** Bounds on what the adapter parses, passed as `ctx.limits`; the defaults when undefined. */
  inputLimits: InputLimits | undefined;
  batchSize: number;
  holdThreshold: number;
  logger: AdapterLogger;
  /** Aborts when the run is cancelled or the lease is lost. */
  signal: AbortSignal;
  onValidRecords: ((records: readonly CanonicalRecord[]) => Promise<void>) | undefined;
  onKeysChanged: ((renames: ReadonlyArray<{ from: string; to: string }>) => Promise<void>) | undefined;
  onStreamEnd: ((end: StreamEnd) => Promise<void>) | undefined;
  onProgress: ((event: { runId: string; step: string; counts: RunCounts }) => void) | undefined;
}

/** What a stream's end says the source holds (see `onStreamEnd` in index.ts). */
export interface StreamEnd {
  stream: StreamName;
  /** Full run: every key the source has in this stream; null when that cannot be told. */
  present: ReadonlySet<string> | null;
  /** Incremental run: the keys the source reported deleted (not renamed, not read again). */
  deleted: readonly string[];
}

/** Changes staged for one target and stream: what a hold is judged on. */
export interface ChangeNote {
  changed: number;
  deleted: number;
  sample: string[];
}

export interface PullTally {
  counts: RunCounts;
  report: ReportBuilder;
  /** `target\0stream` → the changes staged. */
  changes: Map<string, ChangeNote>;
  /** The last ordinal given to a staged batch (push jobs are prioritised by it). */
  ordinal: number;
  /** Checkpoints to save once everything read is delivered (at the end of the run, never before). */
  checkpoints: Array<{ stream: StreamName; checkpoint: unknown }>;
  /** Milliseconds per part of the pull. */
  clock: Record<string, number>;
  lastProgressAt: number;
}

/** A reference to a record the dataset rules may find invalid only at the end of its stream. */
export interface RecordRef {
  file: string;
  line: number;
  type: string;
  key: string;
  invalid: boolean;
}

export interface StreamPull {
  stream: StreamName;
  dataset: DatasetChecker<RecordRef>;
  /** Every key the source has for the school in this stream, valid or not: a full run deletes only what is not here. */
  present: Set<string>;
  /** Keys the source said it deleted (an incremental run deletes these). */
  reportedDeleted: string[];
  /** New key → old key, from the source's `keyChanged` signals. */
  renames: Map<string, string>;
  /** Renames not yet told to the identity registry. */
  renamesToTell: Array<{ from: string; to: string }>;
  /** Records the adapter rejected without a key: a full run cannot tell what is gone, so deletes nothing. */
  rejectedWithoutKey: number;
  /** The stream's targets' ids: a record is skipped only when each holds it as it is now. */
  targetIds: readonly string[];
  /** Per target of the stream, the source hashes it holds by key (`sourceHashesHeld`). */
  held: ReadonlyArray<ReadonlyMap<string, string>>;
  /** Records skipped as unchanged at the source so far. */
  skipped: number;
  /** The salt of the stream's source hashes (source-hash.ts). */
  salt: string;
  /** Key → source hash of a clean record waiting to be staged (its ledger rows will keep it). */
  sourceHashes: Map<string, string>;
  /** Valid records waiting for the next flush. */
  buffer: CanonicalRecord[];
  /** Keys counted invalid when a target could not map them. */
  unmappable: Set<string>;
  /** Key → the staged batches that carry its upsert (a late exclusion takes it out of them). */
  stagedIn: Map<string, string[]>;
  line: number;
  lastCheckpoint: unknown;
}

/** The run row's counts, written every ~2 s for the progress stream, under the lease. */
export async function progress(run: PullRun, tally: PullTally, step: string): Promise<void> {
  run.onProgress?.({ runId: run.lease.runId, step, counts: { ...tally.counts } });
  if (performance.now() - tally.lastProgressAt > 2_000) {
    tally.lastProgressAt = performance.now();
    await savePullProgress(run.db, run.lease, tally.counts);
  }
}

/** Adds the milliseconds since `since` to a part of the pull. */
export function spent(tally: PullTally, name: string, since: number): void {
  tally.clock[name] = (tally.clock[name] ?? 0) + performance.now() - since;
}

export async function timed<T>(tally: PullTally, name: string, work: Promise<T>): Promise<T> {
  const since = performance.now();
  try {
    return await work;
  } finally {
    spent(tally, name, since);
  }
}

/** Notes staged changes for the hold decision (at most ten sample keys a target and stream). */
export function note(
  tally: PullTally,
  target: string,
  stream: string,
  change: { changed?: number; deleted?: number; keys: readonly string[] },
): void {
  const key = `${target}\u0000${stream}`;
  const entry = tally.changes.get(key) ?? { changed: 0, deleted: 0, sample: [] };
  entry.changed += change.changed ?? 0;
  entry.deleted += change.deleted ?? 0;
  for (const k of change.keys) if (entry.sample.length < 10) entry.sample.push(k);
  tally.changes.set(key, entry);
}
