/**
 * Late exclusions: some rules need the whole stream (a minor is unguarded only if no guardian shows
 * up anywhere in it), so a record may be found invalid after it was staged. It must not go out: it
 * is taken out of the staged batches that carry it (rewritten under the pull's lease), or out of
 * the flush still waiting, and counted `excluded`, with the problem in the report.
 */
import { loadStagedBatch, restageBatch } from '../../store/index.ts';
import type { StagedPayload } from '../push.ts';
import type { PullRun, PullTally, StreamPull } from './context.ts';

export async function excludeLate(run: PullRun, tally: PullTally, s: StreamPull): Promise<void> {
  const late = new Set<string>();
  for (const { ref, problem } of s.dataset.finish()) {
    if (!ref) continue;
    tally.report.late(ref, ref.type, ref.key, problem, ref.invalid);
    if (!ref.invalid && !s.unmappable.has(ref.key)) late.add(ref.key);
  }
  if (late.size === 0) return;

  // Not flushed yet: counted neither valid nor staged.
  const waiting = s.buffer.filter((r) => late.has(r.key));
  s.buffer = s.buffer.filter((r) => !late.has(r.key));
  tally.counts.excluded += waiting.length;
  const waitingKeys = new Set(waiting.map((r) => r.key));
  const flushed = [...late].filter((k) => !waitingKeys.has(k));
  tally.counts.valid -= flushed.length;
  tally.counts.excluded += flushed.length;

  const byBatch = new Map<string, Set<string>>();
  for (const key of flushed) {
    for (const batchId of s.stagedIn.get(key) ?? []) {
      const keys = byBatch.get(batchId) ?? new Set<string>();
      keys.add(key);
      byBatch.set(batchId, keys);
    }
  }
  for (const [batchId, keys] of byBatch) {
    const batch = await loadStagedBatch<StagedPayload>(run.db, run.keyring, batchId);
    if (!batch?.payload) continue;
    const upserts = batch.payload.upserts.filter((u) => !keys.has(u.key));
    const removed = batch.payload.upserts.length - upserts.length;
    const count = upserts.length + batch.payload.deletes.length;
    await restageBatch(run.db, run.keyring, run.lease, batchId, {
      count,
      payload: { ...batch.payload, upserts },
    });
    tally.counts.staged -= removed;
  }
}
