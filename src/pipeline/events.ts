/**
 * What the push step tells whoever listens (the metrics of the process, src/metrics/) once a
 * batch's outcome has committed: the target answered it, or it was given up. Published by the
 * process that pushed it, whichever way (a worker's job, the CLI's in-process sync, a release).
 * A diagnostics channel costs nothing while nobody subscribes. Never personal data or record
 * keys: a school code, a target, a stream, counts and a duration.
 */
import { channel } from 'node:diagnostics_channel';
import type { RunCounts } from '../store/index.ts';

export interface BatchPushedEvent {
  schoolCode: string;
  target: string;
  stream: string;
  /** `answered`: the target answered for each record; `given_up`: every record dead-lettered. */
  outcome: 'answered' | 'given_up';
  /** Why it was given up: retryable answers until the attempts ran out, refused whole, an outage. */
  reason?: 'attempts' | 'refused' | 'outage';
  /** The records by outcome (created, updated, deleted, refused, failed), as the run counts them. */
  counts: Partial<Pick<RunCounts, 'created' | 'updated' | 'deleted' | 'refused' | 'failed'>>;
  /** How long the target took to answer (answered batches only). */
  sendMs?: number;
}

export const BATCH_PUSHED_CHANNEL = 'edubridge:batch:pushed';
export const batchPushedChannel = channel(BATCH_PUSHED_CHANNEL);

export function publishBatchPushed(event: BatchPushedEvent): void {
  if (batchPushedChannel.hasSubscribers) batchPushedChannel.publish(event);
}
