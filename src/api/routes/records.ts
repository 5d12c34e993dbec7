import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RunService } from '../../pipeline/service.ts';
import { audit, type Database, recordHistory } from '../../store/index.ts';
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
    body: z
      .unknown()
      .optional()
      .describe('With ?body=true: the record as sent, while kept (LINEAGE_BODY_DAYS); null once purged'),
  })
  .meta({ id: 'RecordHistoryEntry', description: 'One delivery of a record to a target' });

export const recordsRoutes: FastifyPluginAsyncZod<{ database: Database; runs: () => RunService }> = async (
  app,
  { database, runs },
) => {
  app.get(
    '/records/:stream/:key/history',
    {
      schema: {
        operationId: 'getRecordHistory',
        tags: ['records'],
        summary: 'Lịch sử gửi một bản ghi / A record’s delivery history',
        description:
          'Every time a run sent the record to a target: source, adapter and mapping versions, run, gateway message id and the target’s answer. With ?body=true (district keys only), the body as sent while it is kept (LINEAGE_BODY_DAYS, sealed at rest); that reading of personal data is audited.',
        security: SECURED,
        params: z.object({ stream: z.string().min(1), key: z.string().min(1) }),
        querystring: z.object({ body: z.enum(['true', 'false']).default('false') }),
        response: { 200: z.object({ history: z.array(entrySchema) }), ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const rows = await recordHistory(database, request.params.stream, request.params.key);
      // The record's school decides who may see it; an unknown record is refused like another
      // school's, so keys that exist are not revealed.
      const schoolCode = rows[0]?.school_code ?? '(unknown)';
      const withBody = request.query.body === 'true';
      const principal = await authorize(request, {
        action: withBody ? 'records:write' : 'records:read',
        schoolCode,
        ...(withBody ? { roles: ['district'] as const } : {}),
      });
      const bodies = new Map<string, unknown>();
      if (withBody) {
        for (const r of rows) {
          if (r.staged_batch_id && !bodies.has(r.staged_batch_id))
            bodies.set(r.staged_batch_id, (await runs().sentBody(r.staged_batch_id, r.record_key)) ?? null);
        }
        await audit(database, {
          actor: principal.actor,
          role: principal.role,
          action: 'records:body',
          resource: `record:${request.params.stream}/${request.params.key}`,
          decision: 'allow',
          detail: { school: schoolCode, bodies: [...bodies.values()].filter((b) => b !== null).length },
        });
      }
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
          ...(withBody ? { body: r.staged_batch_id ? (bodies.get(r.staged_batch_id) ?? null) : null } : {}),
        })),
      };
    },
  );
};
