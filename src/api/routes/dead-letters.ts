import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { describeDeadLetter as toDeadLetter } from '../../pipeline/dead-letter-guidance.ts';
import type { RunService } from '../../pipeline/service.ts';
import {
  createReplayRequest,
  type Database,
  DEAD_LETTER_STATES,
  deadLetterState,
  getDeadLetter,
  isDeadLetterOpen,
  listDeadLetters,
  markDeadLettersDiscarded,
  openLetterIds,
  REPLAY_REQUEST_MAX_LETTERS,
  type ReplayRequestRow,
  schoolsOfLetters,
} from '../../store/index.ts';
import { authorize, SECURED } from '../auth.ts';
import { ProblemError, problem } from '../problem.ts';
import { problemResponses } from '../responses.ts';

const deadLetterSchema = z
  .object({
    id: z.string(),
    runId: z.string().describe('The last run that met the record refused for this reason'),
    firstRunId: z.string().nullable().describe('The first run that did'),
    schoolCode: z.string(),
    target: z.string(),
    stream: z.string(),
    recordKey: z.string().describe('The record refused'),
    code: z
      .string()
      .describe(
        'The reason as the target or the gateway gave it, e.g. `UNKNOWN_MASTER`, `SCHEMA_INVALID`, `HTTP_500`',
      ),
    message: z.string().nullable().describe("The target's last message (no personal data)"),
    actor: z
      .enum(['school', 'vendor', 'city', 'district-it', 'hub'])
      .describe('Who has to act: the school, its software vendor, the city, district IT, or the hub (a bug)'),
    action: z.object({ vi: z.string(), en: z.string() }).describe('What to do, in Vietnamese and English'),
    occurrences: z.number().int().describe('Runs and replays that met the record refused for this reason'),
    attempts: z.number().int(),
    state: z
      .enum(['open', 'replayed', 'discarded', 'resolved'])
      .describe('`resolved`: closed by the hub (delivered since, or refused again for another reason)'),
    firstSeenAt: z.iso.datetime({ offset: true }),
    lastSeenAt: z.iso.datetime({ offset: true }),
    replayedAt: z.iso.datetime({ offset: true }).nullable(),
    discardedAt: z.iso.datetime({ offset: true }).nullable(),
    resolvedAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .meta({
    id: 'DeadLetter',
    description:
      'A record a target refused, or that exhausted its attempts, for one reason: one open letter per target, record and reason, however many runs met it; never the record’s body',
  });

export const replayResultSchema = z
  .object({
    replayed: z.number().int().describe('Accepted by the target: marked replayed'),
    stillRefused: z.number().int().describe('Refused again: still open (or a new letter for a new reason)'),
    failed: z
      .number()
      .int()
      .describe('Not delivered (no body, push failed, its run still running): still open'),
    superseded: z.number().int().describe('Delivered since by a later run: discarded, not sent'),
    letters: z
      .array(
        z.object({
          id: z.string(),
          target: z.string(),
          stream: z.string(),
          recordKey: z.string(),
          outcome: z.enum(['accepted', 'refused', 'failed', 'superseded']),
          code: z
            .string()
            .describe('For a refusal, the target’s reason now; for a failure, why it was not delivered'),
          message: z.string().optional(),
          newLetterId: z
            .string()
            .optional()
            .describe('The letter of the new reason, when the target refused for another'),
        }),
      )
      .describe('What became of each letter'),
  })
  .meta({ id: 'ReplayResult', description: 'What a replay of dead letters did, letter by letter' });

export const replayRequestSchema = z
  .object({
    id: z.string(),
    schools: z.array(z.string()),
    filter: z
      .record(z.string(), z.unknown())
      .describe('What the requester asked for: `ids` (their count), or school, target and code'),
    count: z.number().int().describe('Open dead letters the request covers: what an approval replays'),
    requestedBy: z.string().describe('`key:<prefix>` or `sso:<account>`'),
    requestedAt: z.iso.datetime({ offset: true }),
    state: z.enum(['pending', 'approved', 'rejected']),
    decidedBy: z.string().nullable(),
    decidedAt: z.iso.datetime({ offset: true }).nullable(),
    result: z
      .record(z.string(), z.number())
      .nullable()
      .describe('Once approved: replayed, stillRefused, failed, superseded'),
  })
  .meta({
    id: 'ReplayRequest',
    description:
      'A replay of more dead letters than REPLAY_APPROVAL_THRESHOLD, waiting for a second district user (four eyes)',
  });

export function toReplayRequest(row: ReplayRequestRow) {
  return {
    id: row.id,
    schools: row.schools,
    filter: row.filter,
    count: row.letter_ids.length,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at.toISOString(),
    state: row.state,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at?.toISOString() ?? null,
    result: row.result,
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
  /** Letters one replay may send without a second district user's approval (REPLAY_APPROVAL_THRESHOLD). */
  replayApprovalThreshold: number;
}> = async (app, { database, runs, replayApprovalThreshold }) => {
  /**
   * A replay larger than the threshold is kept as a request for a second district user (four
   * eyes), with the letters it covers now; undefined when it may go at once.
   */
  async function heldForApproval(
    scope: { ids?: string[]; schools?: string[]; target?: string; code?: string },
    asked: Record<string, unknown>,
    requestedBy: string,
  ) {
    const ids = await openLetterIds(database, scope, REPLAY_REQUEST_MAX_LETTERS);
    if (ids.length <= replayApprovalThreshold) return undefined;
    if (ids.length > REPLAY_REQUEST_MAX_LETTERS) {
      throw problem('REPLAY_SCOPE_TOO_LARGE', { max: String(REPLAY_REQUEST_MAX_LETTERS) });
    }
    const schools = await schoolsOfLetters(database, ids);
    return toReplayRequest(
      await createReplayRequest(database, { schools, filter: asked, letterIds: ids, requestedBy }),
    );
  }

  app.get(
    '/dead-letters',
    {
      schema: {
        operationId: 'listDeadLetters',
        tags: ['dead-letters'],
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
        operationId: 'replayDeadLetters',
        tags: ['dead-letters'],
        summary: 'Gửi lại bản ghi bị từ chối / Replay dead letters',
        description:
          'Sends open dead letters again: the given ids, or those matching school, target and code, or `all` of the caller’s schools. The body sent is the newest one a run mapped for the record (its mapping version). The answer says what became of each letter: accepted, refused again (with the reason now), or not delivered. A replay of more letters than REPLAY_APPROVAL_THRESHOLD sends nothing: it answers 202 with a replay request that another district user approves (four eyes).',
        security: SECURED,
        body: z.object({
          ids: z.array(z.uuid()).min(1).max(1000).optional(),
          school: z.string().min(1).optional(),
          target: z.string().min(1).optional(),
          code: z.string().min(1).optional(),
          all: z.boolean().optional(),
        }),
        response: {
          200: replayResultSchema,
          202: z
            .object({ replayRequest: replayRequestSchema })
            .describe(
              'More letters than REPLAY_APPROVAL_THRESHOLD: nothing sent; a request waits for a second district user (POST /v1/replay-requests/{id}/approve)',
            ),
          ...problemResponses(400, 401, 403, 404, 422),
        },
      },
    },
    async (request, reply) => {
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
        const held = await heldForApproval({ ids }, { ids: ids.length }, principal!.actor);
        if (held) return reply.code(202).send({ replayRequest: held });
        return runs().replayDeadLetters({ ids, replayedBy: principal!.actor });
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
      const filter = {
        schools: school !== undefined ? [school] : principal.schools,
        ...(target ? { target } : {}),
        ...(code ? { code } : {}),
      };
      const asked = {
        ...(school ? { school } : {}),
        ...(target ? { target } : {}),
        ...(code ? { code } : {}),
        ...(all ? { all } : {}),
      };
      const held = await heldForApproval(filter, asked, principal.actor);
      if (held) return reply.code(202).send({ replayRequest: held });
      return runs().replayDeadLetters({ filter, replayedBy: principal.actor });
    },
  );

  app.delete(
    '/dead-letters/:id',
    {
      schema: {
        operationId: 'discardDeadLetter',
        tags: ['dead-letters'],
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
          detail: `Thư chết đã được xử lý / The dead letter is already ${deadLetterState(row)}`,
        });
      }
      await markDeadLettersDiscarded(database, [row.id], principal.actor);
      return toDeadLetter((await getDeadLetter(database, row.id))!);
    },
  );
};
