/**
 * Deciding on a held run: release it (push what it staged, as it would have) or discard it
 * (drop what it staged; the school's data stays as the targets hold it). Audited by the caller.
 */
import { type AdapterLogger, PermanentError, silentLogger } from '../sdk/index.ts';
import {
  type Database,
  discardStagedBatches,
  getRun,
  type Keyring,
  type RunCounts,
  saveCheckpoint,
  setRunState,
} from '../store/index.ts';
import type { Target } from '../targets/target.ts';
import { pushStagedBatches } from './sync.ts';

interface HoldState {
  pendingCheckpoints?: Array<{ stream: string; checkpoint: unknown }>;
  excluded?: string[];
  [key: string]: unknown;
}

export async function decideHeldRun(options: {
  db: Database;
  keyring: Keyring;
  targets: readonly Target[];
  runId: string;
  decision: 'release' | 'discard';
  decidedBy: string;
  logger?: AdapterLogger;
}): Promise<{ state: 'succeeded' | 'cancelled'; counts: RunCounts }> {
  const { db, runId } = options;
  const run = await getRun(db, runId);
  if (!run) throw new PermanentError('RUN_NOT_FOUND', `Không có lần chạy ${runId} / No run ${runId}`);
  if (run.state !== 'held') {
    throw new PermanentError(
      'RUN_NOT_HELD',
      `Lần chạy ${runId} không ở trạng thái tạm giữ (${run.state}) / Run ${runId} is not held (${run.state})`,
    );
  }
  const hold = (run.hold ?? {}) as HoldState;
  const counts = run.counts;
  const decided = {
    ...hold,
    decision: options.decision,
    decidedBy: options.decidedBy,
    decidedAt: new Date().toISOString(),
  };
  if (options.decision === 'discard') {
    await discardStagedBatches(db, runId);
    await setRunState(db, runId, 'cancelled', { hold: decided });
    return { state: 'cancelled', counts };
  }
  await pushStagedBatches({
    db,
    keyring: options.keyring,
    targets: options.targets,
    schoolCode: run.school_code,
    runId,
    counts,
    logger: options.logger ?? silentLogger,
    exclude: new Set(hold.excluded ?? []),
  });
  for (const { stream, checkpoint } of hold.pendingCheckpoints ?? []) {
    await saveCheckpoint(
      db,
      { schoolCode: run.school_code, adapterId: run.adapter_id, stream, runId },
      checkpoint,
    );
  }
  await setRunState(db, runId, 'succeeded', { counts, hold: decided });
  return { state: 'succeeded', counts };
}
