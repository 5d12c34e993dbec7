/**
 * Reading one stream: the adapter's items one by one. Signals update the stream's state
 * (checkpoint, deletions, key changes, records the adapter could not map); a record of this school
 * that every target holds as the source gives it now is skipped (source-hash.ts: only the dataset
 * rules see it); the others are validated (record rules, then the dataset rules that compare
 * records) and the valid ones flushed to staging a batch at a time. The stream's end is
 * `pullStream` (index.ts).
 */
import {
  type CanonicalRecord,
  checkRecord,
  datasetView,
  hasErrors,
  type Problem,
} from '../../model/index.ts';
import { isSignal, type ReadItem } from '../../sdk/index.ts';
import {
  type PullRun,
  type PullTally,
  progress,
  type RecordRef,
  type StreamPull,
  spent,
  timed,
} from './context.ts';
import { sourceHashOf } from './source-hash.ts';
import { stageChanges } from './stage.ts';

export async function readStream(
  run: PullRun,
  tally: PullTally,
  s: StreamPull,
  items: AsyncIterable<ReadItem>,
) {
  const loopStarted = performance.now();
  const flushedBefore = tally.clock.flushMs ?? 0;
  const readBefore = tally.clock.readMs ?? 0;
  for await (const item of timedRead(tally, items)) {
    if (isSignal(item)) {
      if (item.kind === 'checkpoint') s.lastCheckpoint = item.checkpoint;
      else if (item.kind === 'deleted') s.reportedDeleted.push(...item.keys);
      else if (item.kind === 'keyChanged') {
        s.renames.set(item.to, item.from);
        s.renamesToTell.push({ from: item.from, to: item.to });
      } else if (item.kind === 'rejected') {
        s.line++;
        s.rejectedWithoutKey++;
        tally.counts.pulled++;
        tally.counts.invalid++;
        tally.report.record({ file: item.error.location ?? s.stream, line: s.line }, null, null, [
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
    if (item.schoolCode !== run.schoolCode) continue;
    s.line++;
    tally.counts.pulled++;
    // Read, valid or not: the school still has it, and a full run must not delete it at a target.
    if (typeof item.key === 'string') s.present.add(item.key);
    await take(run, tally, s, item, s.line);
  }
  // What the loop spent neither waiting for the source nor flushing: validation (and the skips').
  tally.clock.checkMs =
    (tally.clock.checkMs ?? 0) +
    performance.now() -
    loopStarted -
    ((tally.clock.readMs ?? 0) - readBefore) -
    ((tally.clock.flushMs ?? 0) - flushedBefore);
}

/**
 * One record read: skipped when every target holds it as the source gives it now (source-hash.ts),
 * counted unchanged and seen by the dataset rules only; otherwise validated, and if valid it waits
 * for the next flush.
 */
async function take(
  run: PullRun,
  tally: PullTally,
  s: StreamPull,
  record: CanonicalRecord,
  line: number,
): Promise<void> {
  const hash =
    typeof record.key === 'string' && s.targetIds.length > 0 ? sourceHashOf(record, s.salt) : undefined;
  if (hash && heldAsIs(s, record.key, hash) && skipUnchanged(tally, s, record, line)) {
    if (++s.skipped % run.batchSize === 0) await progress(run, tally, 'diff');
    return;
  }
  const checked = validate(run, tally, s, record, line);
  if (!checked) return;
  if (checked.clean && hash && checked.record.key === record.key) s.sourceHashes.set(record.key, hash);
  s.buffer.push(checked.record);
  if (s.buffer.length >= run.batchSize) await flush(run, tally, s);
}

/** Whether every target of the stream holds the record under this source hash. */
function heldAsIs(s: StreamPull, key: string, hash: string): boolean {
  if (s.held.length === 0) return false;
  for (const held of s.held) if (held.get(key) !== hash) return false;
  return true;
}

/**
 * A record every target holds as the source gives it now: counted valid and unchanged at each
 * target, after the dataset rules (a record that shares its ID with one read before is still
 * invalid). False when its fields cannot be read for those rules: it is then checked in full.
 */
function skipUnchanged(tally: PullTally, s: StreamPull, record: CanonicalRecord, line: number): boolean {
  const view = datasetView(record);
  if (!view) return false;
  const ref: RecordRef = {
    file: record.source?.location ?? s.stream,
    line,
    type: view.type,
    key: view.key,
    invalid: false,
  };
  const problems = s.dataset.check(view, ref);
  ref.invalid = hasErrors(problems);
  tally.report.record(ref, ref.type, ref.key, problems);
  if (ref.invalid) tally.counts.invalid++;
  else {
    tally.counts.valid++;
    tally.counts.unchanged += s.targetIds.length;
  }
  return true;
}

/**
 * The record as the rules normalised it when it is valid, and whether they found no problem at all
 * (`clean`); its problems go to the report either way.
 */
function validate(
  run: PullRun,
  tally: PullTally,
  s: StreamPull,
  item: CanonicalRecord,
  line: number,
): { record: CanonicalRecord; clean: boolean } | undefined {
  const check = checkRecord(item, { asOf: run.asOf, textLimits: run.textLimits });
  const place = { file: item.source?.location ?? s.stream, line };
  if (!check.record) {
    tally.counts.invalid++;
    tally.report.record(place, item.type, item.key, check.problems);
    return undefined;
  }
  const ref: RecordRef = { ...place, type: check.record.type, key: check.record.key, invalid: false };
  const problems: Problem[] = [...check.problems, ...s.dataset.check(check.record, ref)];
  ref.invalid = hasErrors(problems);
  tally.report.record(ref, ref.type, ref.key, problems);
  if (ref.invalid) {
    tally.counts.invalid++;
    return undefined;
  }
  return { record: check.record, clean: check.problems.length === 0 };
}

/**
 * Stages what is waiting. The identity registry sees the records first: it learns of key changes
 * before the records under their new keys, so a person is moved, not added a second time. Its work
 * and the ledger diff touch different tables: their round trips overlap instead of adding up.
 */
export async function flush(run: PullRun, tally: PullTally, s: StreamPull): Promise<void> {
  if (s.buffer.length === 0 && s.renamesToTell.length === 0) return;
  const records = s.buffer;
  s.buffer = [];
  const at = performance.now();
  if (s.renamesToTell.length > 0 && run.onKeysChanged) {
    const renames = s.renamesToTell;
    s.renamesToTell = [];
    await timed(tally, 'observeMs', run.onKeysChanged(renames));
  }
  if (records.length > 0) {
    await Promise.all([
      run.onValidRecords && timed(tally, 'observeMs', run.onValidRecords(records)),
      timed(tally, 'diffMs', stageChanges(run, tally, s, records)),
    ]);
  }
  await progress(run, tally, 'diff');
  spent(tally, 'flushMs', at);
}

/** The adapter's items, with the time spent waiting for them counted as `readMs`. */
async function* timedRead<T>(tally: PullTally, items: AsyncIterable<T>): AsyncGenerator<T> {
  const it = items[Symbol.asyncIterator]();
  for (;;) {
    const since = performance.now();
    const next = await it.next();
    spent(tally, 'readMs', since);
    if (next.done) return;
    yield next.value;
  }
}
