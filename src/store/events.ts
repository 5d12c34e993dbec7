/**
 * What the store tells whoever listens (the metrics of the process, src/metrics/) once a change
 * has committed: a run ended. Published where the run's state is written, so every way a run ends
 * (a push job, the sweeper, a pull that held or failed, a release or discard through the API, the
 * CLI's in-process sync) is seen once, by the process that ended it. A diagnostics channel costs
 * nothing while nobody subscribes. Never personal data: a school code, a state.
 */
import { channel } from 'node:diagnostics_channel';

export interface RunEndedEvent {
  schoolCode: string;
  /** succeeded, failed, held (waits for a person's decision) or cancelled (a held run discarded). */
  state: 'succeeded' | 'failed' | 'held' | 'cancelled';
}

export const RUN_ENDED_CHANNEL = 'edubridge:run:ended';
export const runEndedChannel = channel(RUN_ENDED_CHANNEL);

export function publishRunEnded(event: RunEndedEvent): void {
  if (runEndedChannel.hasSubscribers) runEndedChannel.publish(event);
}
