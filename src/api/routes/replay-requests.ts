/**
 * Four eyes on large replays: the requests a replay of more dead letters than
 * REPLAY_APPROVAL_THRESHOLD became, listed, approved by a second district user, or rejected.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RunService } from '../../pipeline/service.ts';
import {
  type Database,
  decideReplayRequest,
  getReplayRequest,
  listReplayRequests,
  recordReplayResult,
} from '../../store/index.ts';
import { authorize, SECURED } from '../auth.ts';
import { problem } from '../problem.ts';
import { problemResponses } from '../responses.ts';
import { replayRequestSchema, replayResultSchema, toReplayRequest } from './dead-letters.ts';

const notFound = (id: string) => problem('REPLAY_REQUEST_NOT_FOUND', { id });

export const replayRequestsRoutes: FastifyPluginAsyncZod<{
  database: Database;
  runs: () => RunService;
}> = async (app, { database, runs }) => {
  app.get(
    '/replay-requests',
    {
      schema: {
        operationId: 'listReplayRequests',
        tags: ['dead-letters'],
        summary: 'Yêu cầu gửi lại chờ duyệt / Replay requests',
        description:
          'Replays of more dead letters than REPLAY_APPROVAL_THRESHOLD, pending by default, newest first; the caller’s schools (all for a city key).',
        security: SECURED,
        querystring: z.object({
          school: z.string().min(1).optional(),
          state: z.enum(['pending', 'approved', 'rejected', 'all']).default('pending'),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: {
          200: z.object({ requests: z.array(replayRequestSchema) }),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { school, state, limit } = request.query;
      const principal = await authorize(request, {
        action: 'dead-letters:read',
        schoolCode: school,
        roles: ['city', 'district', 'school'],
      });
      const schools =
        school !== undefined ? [school] : principal.role === 'city' ? undefined : principal.schools;
      const rows = await listReplayRequests(database, { state, limit, ...(schools ? { schools } : {}) });
      return { requests: rows.map(toReplayRequest) };
    },
  );

  /** The request, after checking the caller may decide for each of its schools. */
  async function decidable(
    request: Parameters<typeof authorize>[0],
    id: string,
    roles: Array<'district' | 'school'>,
  ) {
    const row = await getReplayRequest(database, id);
    let principal: Awaited<ReturnType<typeof authorize>> | undefined;
    for (const schoolCode of row?.schools ?? ['(unknown)']) {
      principal = await authorize(request, { action: 'dead-letters:write', schoolCode, roles });
    }
    if (!row) throw notFound(id);
    if (row.state !== 'pending') throw problem('REPLAY_REQUEST_DECIDED', { state: row.state });
    return { row, principal: principal! };
  }

  app.post(
    '/replay-requests/:id/approve',
    {
      schema: {
        operationId: 'approveReplayRequest',
        tags: ['dead-letters'],
        summary: 'Duyệt yêu cầu gửi lại / Approve a replay request',
        description:
          'A district user other than the requester approves: the hub replays the open letters the request covered when it was made (letters closed since are skipped) and answers what became of each.',
        security: SECURED,
        params: z.object({ id: z.uuid() }),
        response: {
          200: z.object({ request: replayRequestSchema, result: replayResultSchema }),
          ...problemResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const { row, principal } = await decidable(request, request.params.id, ['district']);
      if (principal.actor === row.requested_by) throw problem('FOUR_EYES_REQUIRED', {});
      const decided = await decideReplayRequest(database, {
        id: row.id,
        state: 'approved',
        decidedBy: principal.actor,
      });
      if (!decided) throw problem('REPLAY_REQUEST_DECIDED', { state: 'decided' });
      const result = await runs().replayDeadLetters({
        ids: row.letter_ids,
        replayedBy: `${row.requested_by}+${principal.actor}`,
      });
      const counts = {
        replayed: result.replayed,
        stillRefused: result.stillRefused,
        failed: result.failed,
        superseded: result.superseded,
      };
      await recordReplayResult(database, row.id, counts);
      return { request: toReplayRequest({ ...decided, result: counts }), result };
    },
  );

  app.post(
    '/replay-requests/:id/reject',
    {
      schema: {
        operationId: 'rejectReplayRequest',
        tags: ['dead-letters'],
        summary: 'Từ chối yêu cầu gửi lại / Reject a replay request',
        description: 'A district user rejects the request (the requester may withdraw it); nothing is sent.',
        security: SECURED,
        params: z.object({ id: z.uuid() }),
        response: { 200: replayRequestSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { row, principal } = await decidable(request, request.params.id, ['district', 'school']);
      if (principal.role !== 'district' && principal.actor !== row.requested_by) {
        throw problem('FORBIDDEN_SCOPE', { reason: 'only a district user or the requester may reject' });
      }
      const decided = await decideReplayRequest(database, {
        id: row.id,
        state: 'rejected',
        decidedBy: principal.actor,
      });
      if (!decided) throw problem('REPLAY_REQUEST_DECIDED', { state: 'decided' });
      return toReplayRequest(decided);
    },
  );
};
