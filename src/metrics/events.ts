/**
 * The counters and histograms of what happens in a process, fed by the diagnostics channels the
 * gateway, the push step, the store and the identity service publish on. Each set of metrics
 * subscribes on creation and unsubscribes on close, so several apps built in one process (tests)
 * each have their own registry; each counts every event of the process from its creation on.
 *
 * Labels stay bounded: targets and streams come from the settings, school codes from the sources
 * file, outcomes, states and statuses from fixed lists. No record key, no person, no message text.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Counter, Histogram, type Registry } from 'prom-client';
import { GATEWAY_CALL_CHANNEL, type GatewayCallEvent } from '../gateway/index.ts';
import { IDENTITY_CHECK_CHANNEL, type IdentityCheckEvent } from '../identity/events.ts';
import { BATCH_PUSHED_CHANNEL, type BatchPushedEvent } from '../pipeline/events.ts';
import { RUN_ENDED_CHANNEL, type RunEndedEvent } from '../store/index.ts';

/** The record outcomes a push counts, as a run's counts name them. */
const RECORD_OUTCOMES = ['created', 'updated', 'deleted', 'refused', 'failed'] as const;

/** Seconds a target takes to answer a batch: a few hundred records, through the gateway. */
const BATCH_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds one gateway exchange takes (a token request, a lookup, a batch). */
const CALL_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Subscribes the counters to the hub's channels; the function returned unsubscribes them. */
export function countEvents(registry: Registry): () => void {
  const registers = [registry];
  const runsEnded = new Counter({
    name: 'edubridge_runs_ended_total',
    help: 'Sync runs this process ended, by school and state (succeeded, failed, held, cancelled)',
    labelNames: ['school', 'state'] as const,
    registers,
  });
  const records = new Counter({
    name: 'edubridge_records_total',
    help: 'Records this process pushed, by school, target and outcome (created, updated, deleted, refused, failed)',
    labelNames: ['school', 'target', 'outcome'] as const,
    registers,
  });
  const batches = new Counter({
    name: 'edubridge_batches_pushed_total',
    help: 'Batches this process pushed, by target and outcome (answered by the target, or given up to dead letters)',
    labelNames: ['target', 'outcome'] as const,
    registers,
  });
  const givenUp = new Counter({
    name: 'edubridge_batches_given_up_total',
    help: 'Batches given up to dead letters, by target and reason (attempts, refused, outage)',
    labelNames: ['target', 'reason'] as const,
    registers,
  });
  const batchSeconds = new Histogram({
    name: 'edubridge_batch_push_seconds',
    help: 'Time a target took to answer a batch (gateway included), by target',
    labelNames: ['target'] as const,
    buckets: BATCH_SECONDS,
    registers,
  });
  const gatewayRequests = new Counter({
    name: 'edubridge_gateway_requests_total',
    help: 'HTTP exchanges with a gateway, by target and status (the HTTP status, or timeout, network, tls_refused, too_large, error)',
    labelNames: ['target', 'status'] as const,
    registers,
  });
  const gatewaySeconds = new Histogram({
    name: 'edubridge_gateway_request_seconds',
    help: 'Time one exchange with a gateway took, by target',
    labelNames: ['target'] as const,
    buckets: CALL_SECONDS,
    registers,
  });
  const identityChecks = new Counter({
    name: 'edubridge_identity_checks_total',
    help: 'Identity checks kept, by method (c06, qr, chip) and result',
    labelNames: ['method', 'result'] as const,
    registers,
  });

  const handlers: Array<[string, (message: unknown) => void]> = [
    [
      RUN_ENDED_CHANNEL,
      (m) => {
        const e = m as RunEndedEvent;
        runsEnded.inc({ school: e.schoolCode, state: e.state });
      },
    ],
    [
      BATCH_PUSHED_CHANNEL,
      (m) => {
        const e = m as BatchPushedEvent;
        for (const outcome of RECORD_OUTCOMES) {
          const n = e.counts[outcome];
          if (n) records.inc({ school: e.schoolCode, target: e.target, outcome }, n);
        }
        batches.inc({ target: e.target, outcome: e.outcome });
        if (e.outcome === 'given_up') givenUp.inc({ target: e.target, reason: e.reason ?? 'attempts' });
        if (e.sendMs !== undefined) batchSeconds.observe({ target: e.target }, e.sendMs / 1_000);
      },
    ],
    [
      GATEWAY_CALL_CHANNEL,
      (m) => {
        const e = m as GatewayCallEvent;
        gatewayRequests.inc({ target: e.target, status: e.status });
        gatewaySeconds.observe({ target: e.target }, e.durationMs / 1_000);
      },
    ],
    [
      IDENTITY_CHECK_CHANNEL,
      (m) => {
        const e = m as IdentityCheckEvent;
        identityChecks.inc({ method: e.method, result: e.result });
      },
    ],
  ];
  for (const [name, handler] of handlers) subscribe(name, handler);
  return () => {
    for (const [name, handler] of handlers) unsubscribe(name, handler);
  };
}
