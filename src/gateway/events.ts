/**
 * What the gateway client tells whoever listens (the metrics of the process, src/metrics/): one
 * message per HTTP exchange with a gateway. A diagnostics channel rather than a callback in the
 * client's options: every client of the process is seen (targets, C06, a replay from the API)
 * without threading an observer through each place one is built, and publishing costs nothing
 * while nobody subscribes. Never personal data: the target's name, a status, a duration.
 */
import { channel } from 'node:diagnostics_channel';

export interface GatewayCallEvent {
  /** The client's target ("city-edudb", "ssc", "c06"): a handful, from the settings. */
  target: string;
  /**
   * The HTTP status the gateway answered ("200", "503"), or what kept it from answering:
   * "timeout", "network", "tls_refused", "too_large", "error".
   */
  status: string;
  durationMs: number;
}

export const GATEWAY_CALL_CHANNEL = 'edubridge:gateway:call';
export const gatewayCallChannel = channel(GATEWAY_CALL_CHANNEL);

export function publishGatewayCall(event: GatewayCallEvent): void {
  if (gatewayCallChannel.hasSubscribers) gatewayCallChannel.publish(event);
}
