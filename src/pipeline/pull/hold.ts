/**
 * The hold: a run that would change or delete an unusual share of what a target holds for the
 * school stops before pushing, for a person to release or discard (a source that lost half its
 * students overnight should not delete them at the city).
 */
import { ledgerCount } from '../../store/index.ts';
import type { PullRun, PullTally } from './context.ts';

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

export async function holdIfUnusual(run: PullRun, tally: PullTally): Promise<HoldReport | undefined> {
  const reasons: HoldReport['reasons'] = [];
  for (const [key, entry] of tally.changes) {
    const [target, stream] = key.split('\u0000') as [string, string];
    const held = await ledgerCount(run.db, target, run.schoolCode, stream);
    // A school's first sync has nothing to compare with: it is never held.
    if (held === 0) continue;
    const share = (entry.changed + entry.deleted) / held;
    if (share > run.holdThreshold)
      reasons.push({ target, stream, held, ...entry, share: Math.round(share * 1000) / 1000 });
  }
  return reasons.length > 0 ? { reasons, threshold: run.holdThreshold } : undefined;
}
