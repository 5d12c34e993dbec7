import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Database, recordHistory } from '../../store/index.ts';
import { authorize, SECURED } from '../auth.ts';
import { problemResponses } from '../responses.ts';

const entrySchema = z
  .object({
    target: z.string(),
    runId: z.string(),
    schoolCode: z.string(),
    adapterId: z.string(),
    adapterVersion: z.string(),
    sourceLocation: z.string().nullable().describe('Where the record was read: file, sheet and row, or page'),
    mappingVersion: z.string(),
    gatewayMessageId: z.string().nullable().describe('The gateway’s id of the message that carried it'),
    answer: z.unknown().describe('The target’s answer: outcome, code, message, version'),
    at: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'RecordHistoryEntry', description: 'One delivery of a record to a target' });

export const recordsRoutes: FastifyPluginAsyncZod<{ database: Database }> = async (app, { database }) => {
  app.get(
    '/records/:stream/:key/history',
    {
      schema: {
        tags: ['runs'],
        summary: 'Lịch sử gửi một bản ghi / A record’s delivery history',
        description:
          'Every time a run sent the record to a target: source, adapter and mapping versions, run, gateway message id and the target’s answer. No record body is kept.',
        security: SECURED,
        params: z.object({ stream: z.string().min(1), key: z.string().min(1) }),
        response: { 200: z.object({ history: z.array(entrySchema) }), ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const rows = await recordHistory(database, request.params.stream, request.params.key);
      // The record's school decides who may see it; an unknown record is refused like another
      // school's, so keys that exist are not revealed.
      await authorize(request, { action: 'records:read', schoolCode: rows[0]?.school_code ?? '(unknown)' });
      return {
        history: rows.map((r) => ({
          target: r.target,
          runId: r.run_id,
          schoolCode: r.school_code,
          adapterId: r.adapter_id,
          adapterVersion: r.adapter_version,
          sourceLocation: r.source_location,
          mappingVersion: r.mapping_version,
          gatewayMessageId: r.gateway_message_id,
          answer: r.target_answer,
          at: r.created_at.toISOString(),
        })),
      };
    },
  );
};
