/**
 * What the identity service tells whoever listens (the metrics of the process, src/metrics/): a
 * check was made and kept. A diagnostics channel costs nothing while nobody subscribes. Never
 * personal data: how the check was made and how it came out, not whose it was.
 */
import { channel } from 'node:diagnostics_channel';

export interface IdentityCheckEvent {
  /** `c06` online, `qr` or `chip` offline. */
  method: string;
  /** verified, verified_offline, mismatch, not_found, error, skipped (nothing to check with). */
  result: string;
}

export const IDENTITY_CHECK_CHANNEL = 'edubridge:identity:check';
export const identityCheckChannel = channel(IDENTITY_CHECK_CHANNEL);

export function publishIdentityCheck(event: IdentityCheckEvent): void {
  if (identityCheckChannel.hasSubscribers) identityCheckChannel.publish(event);
}
