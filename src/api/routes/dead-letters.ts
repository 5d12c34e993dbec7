import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ProblemError } from '../../app/problem.ts';
import { replayThrough } from '../../pipeline/dead-letters.ts';
import type { RunService } from '../../pipeline/service.ts';
import {
  type Database,
  DEAD_LETTER_STATES,
  type DeadLetterRow,
  getDeadLetter,
  isDeadLetterOpen,
  listDeadLetters,
  markDeadLettersDiscarded,
} from '../../store/index.ts';
import { authorize, SECURED } from '../auth.ts';
import { problemResponses } from '../responses.ts';

const deadLetterSchema = z
  .object({
    id: z.string(),
    runId: z.string(),
    schoolCode: z.string(),
    target: z.string(),
    stream: z.string(),
    recordKey: z.string().nullable().describe('The record refused; null for a whole batch that failed'),
    keys: z.number().int().describe('How many records the letter stands for'),
    code: z.string().describe("The target's code, e.g. `UNKNOWN_MASTER`, or `PUSH_FAILED`"),
    message: z.string().nullable().describe("The target's message (no personal data)"),
    attempts: z.number().int(),
    state: z.enum(['open', 'replayed', 'discarded']),
    createdAt: z.iso.datetime({ offset: true }),
    replayedAt: z.iso.datetime({ offset: true }).nullable(),
    discardedAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .meta({
    id: 'DeadLetter',
    description: 'A record (or batch) a target refused or that exhausted its attempts; never its body',
  });

const replayResultSchema = z
  .object({
    replayed: z.number().int().describe('Accepted by the target: marked replayed'),
    stillRefused: z.number().int().describe('Refused again: still open, one attempt more'),
    failed: z.number().int().describe('Not delivered (no body, push failed): still open'),
    superseded: z.number().int().describe('Delivered since by a later run: discarded, not sent'),
  })
  .meta({ id: 'ReplayResult', description: 'What a replay of dead letters did' });

function toDeadLetter(row: DeadLetterRow) {
  const answer = row.answer as { message?: unknown } | null;
  const batch = row.batch as { keys?: unknown[] } | null;
  return {
    id: row.id,
    runId: row.run_id,
    schoolCode: row.school_code,
    target: row.target,
    stream: row.stream,
    recordKey: row.record_key,
    keys: row.record_key !== null ? 1 : Array.isArray(batch?.keys) ? batch.keys.length : 0,
    code: row.code,
    message: typeof answer?.message === 'string' ? answer.message : null,
    attempts: row.attempts,
    state: row.discarded_at
      ? ('discarded' as const)
      : row.replayed_at
        ? ('replayed' as const)
        : ('open' as const),
    createdAt: row.created_at.toISOString(),
    replayedAt: row.replayed_at?.toISOString() ?? null,
    discardedAt: row.discarded_at?.toISOString() ?? null,
  };
}

const notFound = (id: string) =>
  new ProblemError({
    status: 404,
    code: 'DEAD_LETTER_NOT_FOUND',
    detail: `Không có thư chết ${id} / No dead letter ${id}`,
  });

export const deadLettersRoutes: FastifyPluginAsyncZod<{
  database: Database;
  runs: () => RunService;
}> = async (app, { database, runs }) => {
  app.get(
    '/dead-letters',
    {
      schema: {
        tags: ['runs'],
        summary: 'Bản ghi bị từ chối chờ xử lý / Dead letters',
        description:
          'Records a target refused or that exhausted their attempts, open ones by default. City keys see every school; district and school keys see their own. Page with `after` (the last id seen).',
        security: SECURED,
        querystring: z.object({
          school: z.string().min(1).optional(),
          target: z.string().min(1).optional(),
          code: z.string().min(1).optional(),
          stream: z.string().min(1).optional(),
          state: z.enum(DEAD_LETTER_STATES).default('open'),
          after: z.uuid().optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: {
          200: z.object({
            deadLetters: z.array(deadLetterSchema),
            next: z.string().nullable().describe('Pass as `after` for the next page; null at the end'),
          }),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { school, target, code, stream, state, after, limit } = request.query;
      const principal = await authorize(request, {
        action: 'dead-letters:read',
        schoolCode: school,
        roles: ['city', 'district', 'school'],
      });
      const schools =
        school !== undefined ? [school] : principal.role === 'city' ? undefined : principal.schools;
      const rows = await listDeadLetters(database, {
        state,
        limit,
        ...(schools ? { schools } : {}),
        ...(target ? { target } : {}),
        ...(code ? { code } : {}),
        ...(stream ? { stream } : {}),
        ...(after ? { after } : {}),
      });
      return {
        deadLetters: rows.map(toDeadLetter),
        next: rows.length === limit ? rows.at(-1)!.id : null,
      };
    },
  );

  app.post(
    '/dead-letters/replay',
    {
      schema: {
        tags: ['runs'],
        summary: 'Gửi lại bản ghi bị từ chối / Replay dead letters',
        description:
          'Sends open dead letters again: the given ids, or those matching school, target and code, or `all` of the caller’s schools. The body sent is the one the original run mapped (its mapping version).',
        security: SECURED,
        body: z.object({
          ids: z.array(z.uuid()).min(1).max(1000).optional(),
          school: z.string().min(1).optional(),
          target: z.string().min(1).optional(),
          code: z.string().min(1).optional(),
          all: z.boolean().optional(),
        }),
        response: { 200: replayResultSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { ids, school, target, code, all } = request.body;
      const check = { action: 'dead-letters:write', roles: ['district', 'school'] } as const;
      if (ids) {
        const rows = await listDeadLetters(database, { ids, state: 'all', limit: 1000 });
        // Every school the letters touch is checked (and audited); an unknown id is a 404 after that.
        const schools = [...new Set(rows.map((r) => r.school_code))];
        if (schools.length === 0) await authorize(request, { ...check, schoolCode: '(unknown)' });
        let principal: Awaited<ReturnType<typeof authorize>> | undefined;
        for (const s of schools) principal = await authorize(request, { ...check, schoolCode: s });
        const missing = ids.filter((id) => !rows.some((r) => r.id === id));
        if (missing.length > 0) throw notFound(missing[0]!);
        return replayThrough(runs(), { ids, replayedBy: `key:${principal!.prefix}` });
      }
      if (!all && school === undefined && target === undefined && code === undefined) {
        throw new ProblemError({
          status: 400,
          code: 'REPLAY_SCOPE_MISSING',
          detail:
            'Cần ids, một bộ lọc (school, target, code) hoặc all: true / Give ids, a filter (school, target, code) or all: true',
        });
      }
      const principal = await authorize(request, { ...check, schoolCode: school });
      return replayThrough(runs(), {
        filter: {
          schools: school !== undefined ? [school] : principal.schools,
          ...(target ? { target } : {}),
          ...(code ? { code } : {}),
        },
        replayedBy: `key:${principal.prefix}`,
      });
    },
  );

  app.delete(
    '/dead-letters/:id',
    {
      schema: {
        tags: ['runs'],
        summary: 'Bỏ một bản ghi bị từ chối / Discard a dead letter',
        description: 'Marks an open dead letter discarded: it will not be replayed.',
        security: SECURED,
        params: z.object({ id: z.uuid() }),
        response: { 200: deadLetterSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const row = await getDeadLetter(database, request.params.id);
      const principal = await authorize(request, {
        action: 'dead-letters:write',
        schoolCode: row?.school_code ?? '(unknown)',
        roles: ['district', 'school'],
      });
      if (!row) throw notFound(request.params.id);
      if (!isDeadLetterOpen(row)) {
        throw new ProblemError({
          status: 409,
          code: 'DEAD_LETTER_CLOSED',
          detail: `Thư chết đã được xử lý / The dead letter is already ${row.replayed_at ? 'replayed' : 'discarded'}`,
        });
      }
      await markDeadLettersDiscarded(database, [row.id], `key:${principal.prefix}`);
      return toDeadLetter((await getDeadLetter(database, row.id))!);
    },
  );
};
