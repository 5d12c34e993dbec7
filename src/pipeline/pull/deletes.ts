/**
 * A stream's deletions, staged at its end. A full run deletes at a target what the ledger says the
 * target holds and the source no longer has; an incremental run deletes what the source reported
 * deleted. "No longer has" means not read at all: a record read but invalid this time, or renamed,
 * is still the school's and is left where it is. When the adapter rejected records it could not
 * even key, a full run cannot tell a missing record from an unreadable one, so it deletes nothing
 * for that stream and says so in the report.
 */
import { keysNotSeen, stageBatch } from '../../store/index.ts';
import type { StagedPayload } from '../push.ts';
import { note, type PullRun, type PullTally, type StreamPull } from './context.ts';

export async function stageDeletes(run: PullRun, tally: PullTally, s: StreamPull): Promise<void> {
  if (run.mode === 'full' && s.rejectedWithoutKey > 0) {
    tally.report.record({ file: s.stream, line: 0 }, null, null, [
      {
        code: 'DELETES_SKIPPED',
        severity: 'warning',
        field: '',
        message: {
          vi: `Không xóa bản ghi nào của luồng ${s.stream}: ${s.rejectedWithoutKey} bản ghi nguồn không đọc được khóa, không phân biệt được bản ghi bị xóa với bản ghi đọc lỗi`,
          en: `Nothing of stream ${s.stream} was deleted: ${s.rejectedWithoutKey} source record(s) could not be read with a key, so a deleted record cannot be told from an unreadable one`,
        },
      },
    ]);
    return;
  }
  const renamedFrom = new Set(s.renames.values());
  for (const target of run.targets) {
    if (!target.streams.includes(s.stream)) continue;
    const deletes =
      run.mode === 'full'
        ? await keysNotSeen(run.db, target.id, s.stream, run.schoolCode, s.present)
        : s.reportedDeleted.filter((k) => !renamedFrom.has(k) && !s.present.has(k));
    for (let i = 0; i < deletes.length; i += run.batchSize) {
      const slice = deletes.slice(i, i + run.batchSize);
      note(tally, target.id, s.stream, { deleted: slice.length, keys: slice });
      await stageBatch(run.db, run.keyring, run.lease, {
        target: target.id,
        stream: s.stream,
        count: slice.length,
        payload: { schoolCode: run.schoolCode, upserts: [], deletes: slice } satisfies StagedPayload,
        ordinal: ++tally.ordinal,
      });
      tally.counts.staged += slice.length;
    }
  }
}
