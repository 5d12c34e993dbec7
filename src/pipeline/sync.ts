/**
 * One sync run, step by step: pull (adapter `read`) and validate (record and dataset rules), diff
 * (map each valid record for each target, hash it, compare with the ledger in bulk, stage what
 * changed), hold (stop before pushing when a run would change or delete an unusual share of what a
 * target holds), push (idempotent batches, per-record answers into the ledger, refusals into dead
 * letters), finish (checkpoints saved only once everything read has been delivered).
 *
 * Each step's state lives in PostgreSQL (the run, staged batches, ledger, dead letters), so the
 * steps can run as queue jobs on any worker; `runSync` runs them in this process, in order.
 */
import { createHash } from 'node:crypto';
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
import {
  addDeadLetters,
  addLineage,
  applyTargetResults,
  contentHash,
  createRun,
  type Database,
  diffAgainstLedger,
  getRun,
  type Keyring,
  keysNotSeen,
  ledgerCount,
  loadCheckpoint,
  markBatchPushed,
  markRunStarted,
  type RunCounts,
  saveCheckpoint,
  setRunState,
  stageBatch,
  unpushedBatches,
  ZERO_COUNTS,
} from '../store/index.ts';
import type { MappedRecord, Target, TargetRecordResult } from '../targets/target.ts';

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

/** What a staged batch carries to the push step. */
interface StagedPayload {
  schoolCode: string;
  upserts: Array<MappedRecord & { hash: string; created: boolean; location?: string }>;
  deletes: string[];
}

const SCHEMA_VERSION_OF = (target: Target) => `${target.id}/${target.mappingVersion}`;

/**
 * A batch's idempotency key, derived from its content and the run that sends it: a retry of the
 * same batch in the same run is applied once, while the next run's attempt at a record the target
 * refused is a new request (a target replays its stored answer for a key it has seen).
 */
export function idempotencyKeyOf(target: string, stream: string, payload: StagedPayload, runId = ''): string {
  const h = createHash('sha256').update(
    `${target}\u0000${stream}\u0000${payload.schoolCode}\u0000${runId}\u0000`,
  );
  for (const u of [...payload.upserts].sort((a, b) => a.key.localeCompare(b.key)))
    h.update(`u\u0000${u.key}\u0000${u.hash}\n`);
  for (const d of [...payload.deletes].sort()) h.update(`d\u0000${d}\n`);
  return h.digest('hex');
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/**
 * Runs one sync of one school from one adapter to the given targets.
 *
 * @example
 * const result = await runSync({ db, keyring, adapter, adapterConfig, targets: [cityEduDb],
 *   schoolCode: '79NB0001', streams: ['students'], mode: 'full' });
 */
export async function runSync(options: SyncOptions): Promise<SyncResult> {
  const { db, keyring, adapter, targets, schoolCode } = options;
  const logger = options.logger ?? silentLogger;
  const asOf = options.asOf ?? new Date();
  const batchSize = options.batchSize ?? 500;
  const threshold = options.holdThreshold ?? 0.1;
  const config = parseAdapterConfig(adapter.configSchema, options.adapterConfig, adapter.id);
  // A run requested through the API or a schedule exists already (queued); the CLI creates its own.
  const runId =
    options.runId ??
    (await createRun(db, {
      schoolCode,
      adapterId: adapter.id,
      adapterVersion: adapter.version,
      mappingVersions: Object.fromEntries(targets.map((t) => [t.id, t.mappingVersion])),
      streams: [...options.streams],
      mode: options.mode,
      ...(options.requestedBy ? { requestedBy: options.requestedBy } : {}),
    }));
  if (options.runId) await markRunStarted(db, options.runId, adapter.version);
  const counts: RunCounts = { ...ZERO_COUNTS };
  const timings: Record<string, number> = {};
  const report = new ReportBuilder(asOf, 1000);
  const progress = (step: string) => options.onProgress?.({ runId, step, counts: { ...counts } });
  const pendingCheckpoints: Array<{ stream: StreamName; checkpoint: unknown }> = [];
  const changes = new Map<string, { changed: number; deleted: number; sample: string[] }>();
  /** Records found invalid only at the end of their stream, after they were staged. */
  const excluded = new Set<string>();

  try {
    await setRunState(db, runId, 'pulling');
    const started = performance.now();
    for (const stream of options.streams) {
      const result = await pullAndDiff(stream);
      if (result.checkpoint !== undefined) pendingCheckpoints.push({ stream, checkpoint: result.checkpoint });
    }
    timings.pullAndDiffMs = Math.round(performance.now() - started);

    const hold = await holdIfUnusual();
    if (hold) {
      await setRunState(db, runId, 'held', {
        counts,
        report: report.build(),
        hold: { ...hold, pendingCheckpoints, excluded: [...excluded] },
        timings,
      });
      logger.warn('run held', { runId, reasons: hold.reasons.length });
      return { runId, state: 'held', counts, report: report.build(), hold };
    }
    const pushed = await pushStagedBatches({ ...options, runId, counts, logger, exclude: excluded });
    timings.pushMs = pushed.ms;
    for (const { stream, checkpoint } of pendingCheckpoints) {
      await saveCheckpoint(db, { schoolCode, adapterId: adapter.id, stream, runId }, checkpoint);
    }
    await setRunState(db, runId, 'succeeded', { counts, report: report.build(), timings });
    progress('succeeded');
    return { runId, state: 'succeeded', counts, report: report.build() };
  } catch (error) {
    await setRunState(db, runId, 'failed', {
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
      await diffBatch(stream, records, seen);
      progress('diff');
    };

    for await (const item of adapter.read(stream, ctx)) {
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
          hash: contentHash(m.body, SCHEMA_VERSION_OF(target)),
          ...(record.source.location ? { location: record.source.location } : {}),
        });
      }
      if (mapped.length === 0) continue;
      const diff = await diffAgainstLedger(db, {
        target: target.id,
        stream,
        schoolCode,
        entries: mapped.map((m) => ({ key: m.key, hash: m.hash })),
      });
      counts.unchanged += diff.unchanged;
      const created = new Set(diff.created);
      const changedKeys = new Set([...diff.created, ...diff.updated]);
      const upserts = mapped
        .filter((m) => changedKeys.has(m.key))
        .map((m) => ({ ...m, created: created.has(m.key) }));
      if (upserts.length === 0) continue;
      note(target.id, stream, diff.updated.length, 0, diff.updated);
      const payload: StagedPayload = { schoolCode, upserts, deletes: [] };
      await stageBatch(db, keyring, { runId, target: target.id, stream, count: upserts.length, payload });
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
        });
      }
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

/**
 * The push step: sends every staged batch of a run not yet pushed, applies the per-record answers
 * to the ledger, and parks refusals in dead letters. Used by `runSync` and by the release of a
 * held run.
 */
export async function pushStagedBatches(
  options: Pick<SyncOptions, 'db' | 'keyring' | 'targets' | 'schoolCode' | 'pushAttempts' | 'signal'> & {
    runId: string;
    counts: RunCounts;
    logger: AdapterLogger;
    /** Keys staged before they were found invalid: never sent. */
    exclude?: ReadonlySet<string>;
  },
): Promise<{ ms: number }> {
  const { db, keyring, runId, counts } = options;
  const started = performance.now();
  const targets = new Map(options.targets.map((t) => [t.id, t]));
  await setRunState(db, runId, 'pushing');
  const run = await getRun(db, runId);
  for await (const batch of unpushedBatches<StagedPayload>(db, keyring, runId)) {
    const target = targets.get(batch.target);
    if (!target) throw new Error(`run ${runId} staged a batch for unknown target ${batch.target}`);
    const payload = batch.payload;
    const dropped = options.exclude;
    if (dropped && dropped.size > 0) payload.upserts = payload.upserts.filter((u) => !dropped.has(u.key));
    const idempotencyKey = idempotencyKeyOf(target.id, batch.stream, payload, runId);
    const attempts = options.pushAttempts ?? 5;
    let answer: { messageId: string; results: TargetRecordResult[] } | undefined;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts && !answer; attempt++) {
      try {
        answer = await target.push(
          {
            target: target.id,
            stream: batch.stream as StreamName,
            schoolCode: payload.schoolCode,
            runId,
            idempotencyKey,
            upserts: payload.upserts.map(({ key, body }) => ({ key, body })),
            deletes: payload.deletes,
            correlationId: `${runId}:${batch.id}`,
          },
          options.signal ? { signal: options.signal } : {},
        );
      } catch (error) {
        lastError = error;
        if (!(error instanceof RetryableError) || attempt === attempts) break;
        const wait = error.retryAfterMs ?? 200 * 2 ** (attempt - 1) * (0.5 + Math.random());
        options.logger.warn('push retry', {
          runId,
          target: target.id,
          code: error.code,
          attempt,
          waitMs: Math.round(wait),
        });
        await sleep(Math.min(wait, 30_000), options.signal);
      }
    }
    if (!answer) {
      const keys = [...payload.upserts.map((u) => u.key), ...payload.deletes];
      counts.failed += keys.length;
      await addDeadLetters(db, [
        {
          runId,
          schoolCode: payload.schoolCode,
          target: target.id,
          stream: batch.stream,
          recordKey: null,
          batch: { stagedBatchId: batch.id, idempotencyKey, keys },
          code: (lastError as { code?: string })?.code ?? 'PUSH_FAILED',
          answer: { message: (lastError as Error)?.message },
          attempts,
        },
      ]);
      await markBatchPushed(db, batch.id);
      continue;
    }
    const byKey = new Map(payload.upserts.map((u) => [u.key, u]));
    const deletes = new Set(payload.deletes);
    const ledger: Array<{
      key: string;
      hash: string;
      accepted: boolean;
      targetVersion?: string;
      deleted?: boolean;
    }> = [];
    const letters: Parameters<typeof addDeadLetters>[1][number][] = [];
    for (const r of answer.results) {
      const upsert = byKey.get(r.key);
      const isDelete = deletes.has(r.key);
      if (r.outcome === 'accepted') {
        if (isDelete) {
          counts.deleted++;
          ledger.push({ key: r.key, hash: '00', accepted: true, deleted: true });
        } else if (upsert) {
          if (upsert.created) counts.created++;
          else counts.updated++;
          ledger.push({
            key: r.key,
            hash: upsert.hash,
            accepted: true,
            ...(r.targetVersion ? { targetVersion: r.targetVersion } : {}),
          });
        }
      } else {
        if (r.outcome === 'refused') counts.refused++;
        else counts.failed++;
        letters.push({
          runId,
          schoolCode: payload.schoolCode,
          target: target.id,
          stream: batch.stream,
          recordKey: r.key,
          batch: { stagedBatchId: batch.id, idempotencyKey },
          code: r.code ?? (r.outcome === 'refused' ? 'REFUSED' : 'FAILED'),
          answer: { outcome: r.outcome, code: r.code, message: r.message, messageId: answer.messageId },
          attempts: 1,
        });
      }
    }
    await applyTargetResults(db, {
      target: target.id,
      stream: batch.stream,
      schoolCode: payload.schoolCode,
      runId,
      results: ledger,
    });
    await addLineage(db, {
      target: target.id,
      stream: batch.stream,
      runId,
      adapterId: run?.adapter_id ?? 'unknown',
      adapterVersion: run?.adapter_version ?? 'unknown',
      mappingVersion: target.mappingVersion,
      gatewayMessageId: answer.messageId,
      entries: answer.results.map((r) => ({
        recordKey: r.key,
        sourceLocation: byKey.get(r.key)?.location ?? null,
        outcome: r.outcome,
        code: r.code,
        message: r.message,
        targetVersion: r.targetVersion,
        deleted: deletes.has(r.key),
      })),
    });
    await addDeadLetters(db, letters);
    await markBatchPushed(db, batch.id);
  }
  return { ms: Math.round(performance.now() - started) };
}
