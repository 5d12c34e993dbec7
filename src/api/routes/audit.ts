import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Database, listAudit } from '../../store/index.ts';
import { authorize, SECURED } from '../auth.ts';
import { problemResponses } from '../responses.ts';

const auditEntrySchema = z
  .object({
    id: z.string().describe('Increasing with time'),
    at: z.iso.datetime({ offset: true }),
    actor: z.string().describe('`key:<prefix>`, `anonymous`, or `cli`'),
    role: z.string().nullable(),
    action: z.string().describe('e.g. `runs:write`, `authenticate`, `apikey:create`'),
    resource: z.string().describe('The route pattern or object acted on'),
    decision: z.enum(['allow', 'deny']),
    detail: z.record(z.string(), z.unknown()).nullable().describe('School, adapter, reason, request id'),
  })
  .meta({ id: 'AuditEntry', description: 'One decision of the audit log' });

const querySchema = z.object({
  school: z.string().min(1).optional().describe('Only this school (a district key: one of its own)'),
  action: z.string().min(1).optional(),
  decision: z.enum(['allow', 'deny']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const auditRoutes: FastifyPluginAsyncZod<{ database: Database }> = async (app, { database }) => {
  app.get(
    '/audit',
    {
      schema: {
        operationId: 'listAuditEntries',
        tags: ['audit'],
        summary: 'Nhật ký kiểm toán gần đây / Recent audit log entries',
        description:
          'City keys see every entry; district keys see the entries about their schools. Newest first.',
        security: SECURED,
        querystring: querySchema,
        response: {
          200: z.object({ entries: z.array(auditEntrySchema) }),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { school, action, decision, limit } = request.query;
      const principal = await authorize(request, {
        action: 'audit:read',
        schoolCode: school,
        roles: ['city', 'district'],
      });
      const schools =
        school !== undefined ? [school] : principal.role === 'city' ? undefined : principal.schools;
      const entries = await listAudit(database, {
        limit,
        ...(schools === undefined ? {} : { schools }),
        ...(action === undefined ? {} : { action }),
        ...(decision === undefined ? {} : { decision }),
      });
      return { entries: entries.map((entry) => ({ ...entry, at: entry.at.toISOString() })) };
    },
  );
};
