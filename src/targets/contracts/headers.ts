/**
 * The headers every modelled contract shares: the hub sends `Idempotency-Key` and
 * `X-Correlation-Id` on every business call (`src/gateway`), the system answers an outage with
 * `Retry-After` (`openapi/lgsp-gateway.md`, "Every personality").
 */
import { type Json, ref } from './openapi.ts';

/** Parameter and header objects by header name; `markProvenance` marks them (scope `header`). */
export function sharedHeaders(system: string): {
  parameters: Record<string, Json>;
  headers: Record<string, Json>;
} {
  return {
    parameters: {
      'Idempotency-Key': {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: `The batch's idempotency key, as in the body's \`idempotencyKey\` (one of the two is required on a batch). ${system} applies a key once and answers its repeats with the first answer; a key reused for another operation is 409 \`IDEMPOTENCY_KEY_REUSED\`.`,
        schema: { type: 'string', minLength: 1 },
      },
      'X-Correlation-Id': {
        name: 'X-Correlation-Id',
        in: 'header',
        required: false,
        description: 'Ties the logs of one sync run or batch together (the run id).',
        schema: { type: 'string', minLength: 1 },
      },
    },
    headers: {
      'Retry-After': {
        description: 'Seconds to wait before trying again.',
        schema: { type: 'integer', minimum: 0 },
      },
    },
  };
}

/** The header parameters of every operation. */
export const headerParameters = [ref('parameters', 'Idempotency-Key'), ref('parameters', 'X-Correlation-Id')];
