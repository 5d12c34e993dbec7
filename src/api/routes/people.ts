/**
 * A person's lineage by personal ID: which of the caller's schools hold them, under which record,
 * and every delivery of those records to the city's systems. The ID comes in a POST body (never
 * a URL, which logs and proxies keep), is answered masked, and each look-up is audited with the
 * keyed hash's prefix, never the number.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { maskDigits } from '../../quality/mask.ts';
import {
  audit,
  blindIndex,
  type Database,
  type Keyring,
  lineageOfRecords,
  peopleByPersonalId,
} from '../../store/index.ts';
import { authorize, SECURED } from '../auth.ts';
import { problemResponses } from '../responses.ts';

/** The stream each role's record travels in. */
const STREAM_OF_ROLE: Record<string, string> = {
  student: 'students',
  teacher: 'teachers',
  guardian: 'guardianships',
};

const lineageSchema = z
  .object({
    personalId: z.string().describe('The number asked for, masked: first two and last two digits'),
    records: z.array(
      z.object({
        schoolCode: z.string(),
        role: z.string().describe('student, teacher or guardian'),
        stream: z.string(),
        recordKey: z.string(),
        verification: z.string().describe('Where the C06 check of the person stands'),
        lineage: z.array(
          z.object({
            target: z.string(),
            stream: z.string(),
            runId: z.string(),
            mappingVersion: z.string(),
            gatewayMessageId: z.string().nullable(),
            outcome: z.string().nullable().describe('The target’s answer: created, updated, refused …'),
            createdAt: z.iso.datetime({ offset: true }),
          }),
        ),
      }),
    ),
  })
  .meta({
    id: 'PersonLineage',
    description: 'Where a person’s records went: per school record, every delivery to a target, newest first',
  });

export const peopleRoutes: FastifyPluginAsyncZod<{ database: Database; keyring: Keyring }> = async (
  app,
  { database, keyring },
) => {
  app.post(
    '/people/lineage',
    {
      schema: {
        operationId: 'getPersonLineage',
        tags: ['records'],
        summary: 'Dữ liệu của một người đã đi đâu / Where a person’s data went',
        description:
          'By personal ID (in the body, never the URL): the records of the caller’s schools that carry it and every delivery of them to a target. The answer shows the number masked; every look-up is audited (a keyed hash of the number, never the number).',
        security: SECURED,
        body: z.object({
          personalId: z
            .string()
            .regex(/^\d{12}$/, '12 chữ số / 12 digits')
            .describe('Mã định danh cá nhân / The 12-digit personal identification number'),
        }),
        response: { 200: lineageSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const principal = await authorize(request, {
        action: 'records:read',
        roles: ['district', 'school', 'city'],
      });
      const { personalId } = request.body;
      const people = await peopleByPersonalId(
        database,
        keyring,
        personalId,
        principal.role === 'city' ? undefined : principal.schools,
      );
      const records = [];
      for (const person of people) {
        const rows = await lineageOfRecords(database, person.schoolCode, [person.recordKey]);
        records.push({
          schoolCode: person.schoolCode,
          role: person.role,
          stream: STREAM_OF_ROLE[person.role] ?? person.role,
          recordKey: person.recordKey,
          verification: person.status,
          lineage: rows.map((r) => ({
            target: r.target,
            stream: r.stream,
            runId: r.run_id,
            mappingVersion: r.mapping_version,
            gatewayMessageId: r.gateway_message_id,
            outcome: outcomeOf(r.target_answer),
            createdAt: r.created_at.toISOString(),
          })),
        });
      }
      await audit(database, {
        actor: principal.actor,
        role: principal.role,
        action: 'people:lineage',
        resource: `person:${blindIndex(keyring, personalId).toString('hex').slice(0, 16)}`,
        decision: 'allow',
        detail: { found: records.length, schools: [...new Set(records.map((r) => r.schoolCode))] },
      });
      return { personalId: maskDigits(personalId), records };
    },
  );
};

function outcomeOf(answer: unknown): string | null {
  const outcome = (answer as { outcome?: unknown } | null)?.outcome;
  return typeof outcome === 'string' ? outcome : null;
}
