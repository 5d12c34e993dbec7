/**
 * How the targets behind the LGSP gateway (the city Education DB, SSC) push: one batch per stream
 * to the stream's operation, as `{ idempotencyKey, records: [{ key, ...body }], deletes: [key] }`,
 * the answer read per record (`perRecordResults`). The systems differ in names and statuses only.
 */
import type { GatewayClient } from '../gateway/index.ts';
import { hubError } from '../sdk/errors.ts';
import { perRecordResults } from './record-results.ts';
import type { PushBatch, PushResult } from './target.ts';

export interface GatewayBatchTarget {
  gateway: GatewayClient;
  /** The LGSP service the system is reached as. */
  service: string;
  /** The system as messages name it: `{ vi: 'CSDL ngành', en: 'the city DB' }`. */
  name: { vi: string; en: string };
  /** The operation of each stream the system takes: configured, else the mapping's. */
  operations: Readonly<Record<string, string | undefined>>;
  /** Statuses that mean the system did not take the record (besides `refused`). */
  refusedStatuses?: readonly string[];
}

/** Each stream's operation: the configured one, else the one the mapping names. */
export function streamOperations(
  streams: Readonly<Record<string, { operation: string }>>,
  configured: Readonly<Partial<Record<string, string>>> = {},
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(streams).map(([stream, s]) => [stream, configured[stream] ?? s.operation]),
  );
}

/** The operation of a stream; a stream the system does not take is a permanent error. */
export function operationOf(target: GatewayBatchTarget, stream: string): string {
  const operation = Object.hasOwn(target.operations, stream) ? target.operations[stream] : undefined;
  if (!operation) throw hubError('TARGET_STREAM_UNSUPPORTED', { target: target.name, stream });
  return operation;
}

/** Sends one batch through the gateway and reads the answer into one result per key sent. */
export async function pushGatewayBatch(
  target: GatewayBatchTarget,
  batch: PushBatch,
  signal?: AbortSignal,
): Promise<PushResult> {
  signal?.throwIfAborted();
  const response = await target.gateway.send({
    service: target.service,
    operation: operationOf(target, batch.stream),
    body: {
      idempotencyKey: batch.idempotencyKey,
      records: batch.upserts.map((u) => ({
        key: u.key,
        ...(u.previousKey ? { previousKey: u.previousKey } : {}),
        ...(u.body as object),
      })),
      deletes: batch.deletes,
    },
    idempotencyKey: batch.idempotencyKey,
    correlationId: batch.correlationId,
  });
  return {
    messageId: response.messageId,
    results: perRecordResults(batch, response.body, {
      name: target.name,
      ...(target.refusedStatuses ? { refusedStatuses: target.refusedStatuses } : {}),
    }),
  };
}
