/**
 * Deciding on a held run: release it (push what it staged, as it would have) or discard it
 * (drop what it staged; the school's data stays as the targets hold it). Audited by the caller.
 */

import { silentLogger } from '../sdk/adapter.ts';
import { hubError } from '../sdk/errors.ts';
import type { AdapterLogger } from '../sdk/index.ts';
import {
  type Database,
  discardStagedBatches,
  enterPushing,
  getRun,
  type Keyring,
  type PushAnnouncement,
  publishRunEnded,
  type RunCounts,
  setRunState,
} from '../store/index.ts';
import type { Target } from '../targets/target.ts';
import { pushInProcess } from './sync.ts';

interface HoldState {
  pendingCheckpoints?: Array<{ stream: string; checkpoint: unknown }>;
  excluded?: string[];
  [key: string]: unknown;
}

/**
 * Decides a held run. Released, it moves to `pushing` with its push jobs in the outbox; with
 * `enqueue` (a worker pool is running) they go to the queue and the answer is `pushing` at once,
 * without it they are pushed here and the answer is the finished run.
 */
export async function decideHeldRun(options: {
  db: Database;
  keyring: Keyring;
  targets: readonly Target[];
  runId: string;
  decision: 'release' | 'discard';
  decidedBy: string;
  logger?: AdapterLogger;
  enqueue?: (pushes: PushAnnouncement[]) => Promise<void>;
}): Promise<{ state: 'succeeded' | 'failed' | 'cancelled' | 'pushing'; counts: RunCounts }> {
  const { db, runId } = options;
  const run = await getRun(db, runId);
  if (!run) throw hubError('RUN_NOT_FOUND', { run: runId });
  if (run.state !== 'held') {
    throw hubError('RUN_NOT_HELD', { run: runId, state: run.state });
  }
  const hold = (run.hold ?? {}) as HoldState;
  const decided = {
    ...hold,
    decision: options.decision,
    decidedBy: options.decidedBy,
    decidedAt: new Date().toISOString(),
  };
  if (options.decision === 'discard') {
    await discardStagedBatches(db, runId);
    await setRunState(db, runId, 'cancelled', { hold: decided });
    publishRunEnded({ schoolCode: run.school_code, state: 'cancelled' });
    return { state: 'cancelled', counts: run.counts };
  }
  const pushes = await enterPushing(
    db,
    { heldRunId: runId },
    {
      hold: decided,
      carry: {
        pendingCheckpoints: hold.pendingCheckpoints ?? [],
        // Runs held before late exclusions were taken out of their batches carry them here.
        ...(hold.excluded ? { excluded: hold.excluded } : {}),
      },
    },
  );
  if (!pushes) {
    throw hubError('RUN_NOT_HELD', { run: runId, state: { vi: 'vừa được quyết định', en: 'just decided' } });
  }
  if (options.enqueue) {
    await options.enqueue(pushes);
    return { state: 'pushing', counts: run.counts };
  }
  await pushInProcess({
    db,
    keyring: options.keyring,
    targets: options.targets,
    runId,
    logger: options.logger ?? silentLogger,
  });
  const after = await getRun(db, runId);
  return { state: after!.state === 'succeeded' ? 'succeeded' : 'failed', counts: after!.counts };
}
