import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdempotencyKeyReusedError, type RunService } from '../../pipeline/service.ts';
import { AdapterError, STREAM_NAMES, type StreamName } from '../../sdk/index.ts';
import {
  batchProgress,
  contentHash,
  type Database,
  getRun,
  listRuns,
  type RunReconciliation,
  ZERO_COUNTS,
} from '../../store/index.ts';
import { authorize, SECURED } from '../auth.ts';
import { problem } from '../problem.ts';
import { problemResponses } from '../responses.ts';
import { QUEUES_WORK } from '../stores.ts';

/** The codes of a school's source that loading found unusable (see pipeline/sources). */
const SOURCE_PROBLEMS = new Set([
  'SOURCE_ADAPTER_UNAVAILABLE',
  'SOURCE_ADAPTER_INCOMPATIBLE',
  'SOURCE_SECRET_UNRESOLVED',
  'SOURCE_CONFIG_INVALID',
  'ADAPTER_NOT_FOUND',
]);

const countsSchema = z.object({
  pulled: z.number(),
  valid: z.number(),
  invalid: z.number(),
  excluded: z
    .number()
    .describe('Staged, then found invalid by a rule that needs the whole stream: never sent'),
  unchanged: z.number(),
  staged: z.number().describe('Changes staged to send (upserts and deletes, per target)'),
  created: z.number(),
  updated: z.number(),
  deleted: z.number(),
  refused: z.number(),
  failed: z.number(),
});

const runSchema = z
  .object({
    id: z.string(),
    schoolCode: z.string(),
    adapterId: z.string(),
    adapterVersion: z.string(),
    streams: z.array(z.string()),
    mode: z.enum(['full', 'incremental']),
    state: z.string().describe('queued, pulling, held, pushing, succeeded, failed, cancelled'),
    counts: countsSchema,
    timings: z
      .record(z.string(), z.number())
      .describe(
        'Milliseconds per step, so a slow run says why: pullAndDiffMs (the pull step) with readMs (waiting for the school system), checkMs (rules), observeMs (identity registration) and diffMs (mapping, ledgerMs, stageMs), which overlap; pushMs (first push to last answer) with pushLoadMs, pushSendMs (the target through the gateway) and pushRecordMs summed over the batches',
      ),
    hold: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe(
        'Why the run is held: per target and stream, the share and a sample of keys; null unless held',
      ),
    failure: z
      .object({ code: z.string(), message: z.string() })
      .nullable()
      .describe('Why the run failed, in Vietnamese and English; null unless it failed'),
    reconciliation: z
      .object({
        ok: z.boolean(),
        checks: z.array(
          z.object({
            name: z.enum(['read', 'staged', 'sent', 'acknowledged']),
            expected: z.number(),
            actual: z.number(),
            ok: z.boolean(),
          }),
        ),
      })
      .nullable()
      .describe(
        'The checks a run passes before it may succeed: read = valid + invalid + excluded; changes staged = records in the staged batches; sent = accepted + refused + dead-lettered; accepted = ledger rows written. Null until the run ends its push',
      ),
    createdAt: z.iso.datetime({ offset: true }),
    startedAt: z.iso.datetime({ offset: true }).nullable(),
    finishedAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .meta({ id: 'Run', description: 'A sync run of one school' });

type RunRow = NonNullable<Awaited<ReturnType<typeof getRun>>>;

const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .optional()
    .describe('A key the client makes up per request (a UUID), sent again with every retry of it'),
});

function toRun(row: RunRow) {
  const hold = row.hold as { pendingCheckpoints?: unknown; excluded?: unknown } | null;
  const report = row.report as {
    failure?: { code?: string; message?: string };
    reconciliation?: RunReconciliation;
  } | null;
  // Checkpoints and excluded keys are the engine's business, not the caller's.
  const { pendingCheckpoints: _p, excluded: _e, ...shownHold } = hold ?? {};
  return {
    id: row.id,
    schoolCode: row.school_code,
    adapterId: row.adapter_id,
    adapterVersion: row.adapter_version,
    streams: row.streams,
    mode: row.mode,
    state: row.state,
    // Runs from before `excluded` and `staged` were counted lack them: zero, as they were then.
    counts: { ...ZERO_COUNTS, ...row.counts },
    timings: row.timings ?? {},
    hold: hold ? shownHold : null,
    failure: report?.failure?.code
      ? { code: report.failure.code, message: report.failure.message ?? '' }
      : null,
    reconciliation: report?.reconciliation ?? null,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

export const runsRoutes: FastifyPluginAsyncZod<{ database: Database; runs: () => RunService }> = async (
  app,
  { database, runs },
) => {
  app.post(
    '/runs',
    {
      config: QUEUES_WORK,
      schema: {
        operationId: 'requestRun',
        tags: ['runs'],
        summary: 'Yêu cầu một lần đồng bộ / Request a sync run',
        description:
          'Queues a run of one school; answers at once with the run to watch. With an `Idempotency-Key` header (IETF httpapi draft), a client that retries after a timeout gets the same run back (`Idempotent-Replayed: true`), never a second one; the same key with a different body is refused (422). Keys belong to the API key that sent them. While PostgreSQL or Redis is away the answer is 503 with `Retry-After`, within about a second.',
        security: SECURED,
        headers: idempotencyHeaders,
        body: z.object({
          schoolCode: z.string().min(1),
          streams: z
            .array(z.enum(STREAM_NAMES as [StreamName, ...StreamName[]]))
            .min(1)
            .default(['students']),
          mode: z.enum(['full', 'incremental']).default('incremental'),
        }),
        response: { 202: runSchema, ...problemResponses(400, 401, 403, 404, 422, 503) },
      },
    },
    async (request, reply) => {
      const { schoolCode, streams, mode } = request.body;
      const key = request.headers['idempotency-key'];
      const adapterId = await runs().adapterOf(schoolCode);
      const principal = await authorize(request, {
        action: 'runs:write',
        schoolCode,
        adapterId,
        roles: ['district', 'school', 'vendor'],
      });
      if (!adapterId) {
        throw problem('SCHOOL_NOT_CONFIGURED', { school: schoolCode });
      }
      let requested: { runId: string; replayed: boolean };
      try {
        requested = await runs().request(
          { schoolCode, streams, mode, requestedBy: principal.actor },
          key === undefined
            ? undefined
            : { key, requestHash: contentHash({ schoolCode, streams, mode }, 'POST /v1/runs') },
        );
      } catch (error) {
        if (error instanceof IdempotencyKeyReusedError) {
          throw problem('IDEMPOTENCY_KEY_REUSED', { run: error.runId }, { cause: error });
        }
        throw error;
      }
      if (requested.replayed) reply.header('idempotent-replayed', 'true');
      const row = await getRun(database, requested.runId);
      return reply.code(202).send(toRun(row!));
    },
  );

  app.post(
    '/runs/district',
    {
      config: QUEUES_WORK,
      schema: {
        operationId: 'requestDistrictRuns',
        tags: ['runs'],
        summary: 'Đồng bộ mọi trường trong phạm vi / Request a run of every school in scope',
        description:
          'Queues one run per school (the key’s schools, or the listed ones) that has a configured source; schools take turns on the queues, so a large school does not hold up the others. With an `Idempotency-Key`, a retry of a request that was cut short creates only the runs it had not created yet and returns the others.',
        security: SECURED,
        headers: idempotencyHeaders,
        body: z.object({
          schools: z.array(z.string().min(1)).min(1).optional().describe('Default: every school of the key'),
          streams: z
            .array(z.enum(STREAM_NAMES as [StreamName, ...StreamName[]]))
            .min(1)
            .default(['students']),
          mode: z.enum(['full', 'incremental']).default('incremental'),
        }),
        response: {
          202: z.object({
            runs: z.array(runSchema),
            skipped: z.array(z.object({ schoolCode: z.string(), code: z.string() })),
          }),
          ...problemResponses(400, 401, 403, 422, 503),
        },
      },
    },
    async (request, reply) => {
      const principal = await authorize(request, { action: 'runs:write', roles: ['district'] });
      const requested = request.body.schools ?? principal.schools;
      const key = request.headers['idempotency-key'];
      // One key a school, derived from the request's: a retry finds each school's run again.
      const requestHash = contentHash(
        { schools: requested, streams: request.body.streams, mode: request.body.mode },
        'POST /v1/runs/district',
      );
      const queued = [];
      const skipped: Array<{ schoolCode: string; code: string }> = [];
      for (const schoolCode of requested) {
        if (!principal.schools.includes(schoolCode)) {
          skipped.push({ schoolCode, code: 'OUT_OF_SCOPE' });
          continue;
        }
        if (!(await runs().adapterOf(schoolCode))) {
          skipped.push({ schoolCode, code: 'SCHOOL_NOT_CONFIGURED' });
          continue;
        }
        let runId: string;
        try {
          ({ runId } = await runs().request(
            {
              schoolCode,
              streams: request.body.streams,
              mode: request.body.mode,
              requestedBy: principal.actor,
            },
            key === undefined ? undefined : { key: `${key}:${schoolCode}`, requestHash },
          ));
        } catch (error) {
          if (error instanceof IdempotencyKeyReusedError) {
            throw problem('IDEMPOTENCY_KEY_REUSED', { run: error.runId }, { cause: error });
          }
          // A school whose adapter or config cannot be used is skipped with its code; the
          // district's other schools are still queued.
          if (error instanceof AdapterError && SOURCE_PROBLEMS.has(error.code)) {
            skipped.push({ schoolCode, code: error.code });
            continue;
          }
          throw error;
        }
        queued.push(toRun((await getRun(database, runId))!));
      }
      return reply.code(202).send({ runs: queued, skipped });
    },
  );

  app.get(
    '/runs',
    {
      schema: {
        operationId: 'listRuns',
        tags: ['runs'],
        summary: 'Các lần đồng bộ gần đây / Recent runs',
        security: SECURED,
        querystring: z.object({
          school: z.string().min(1).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
        response: { 200: z.object({ runs: z.array(runSchema) }), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { school, limit } = request.query;
      const principal = await authorize(request, { action: 'runs:read', schoolCode: school });
      const schools =
        school !== undefined ? [school] : principal.role === 'city' ? undefined : principal.schools;
      const rows = await listRuns(database, { limit, ...(schools ? { schools } : {}) });
      return { runs: rows.map(toRun) };
    },
  );

  app.get(
    '/runs/:id',
    {
      schema: {
        operationId: 'getRun',
        tags: ['runs'],
        summary: 'Một lần đồng bộ và báo cáo chất lượng dữ liệu / A run with its data-quality report',
        security: SECURED,
        params: z.object({ id: z.uuid() }),
        response: {
          200: runSchema.extend({
            // Any JSON value, null before the run ends: `z.unknown()` already takes null, and `.nullable()`
            // would only add an `anyOf` with an empty schema to the document.
            report: z.unknown().describe('The data-quality report; null until the run has one'),
            batches: z
              .object({
                batches: z.number().int(),
                pushed: z.number().int(),
                attempts: z.number().int().describe('Tries the target answered with a retryable error'),
                waits: z.number().int().describe('Tries that found the target unavailable: no attempt spent'),
                lastError: z
                  .object({ code: z.string(), message: z.string(), at: z.string() })
                  .nullable()
                  .describe('The latest failure of a batch still waiting'),
                owners: z.array(z.string()).describe('Workers holding a batch now (host:pid)'),
              })
              .describe('Where the run’s staged batches stand: what to look at while it is pushing'),
            owner: z
              .string()
              .nullable()
              .describe('The worker holding the pull now (host:pid), while pulling'),
          }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const row = await getRun(database, request.params.id);
      await authorize(request, { action: 'runs:read', schoolCode: row?.school_code ?? '(unknown)' });
      if (!row) throw problem('RUN_NOT_FOUND', { run: request.params.id });
      return {
        ...toRun(row),
        report: row.report,
        batches: await batchProgress(database, row.id),
        owner: row.state === 'pulling' ? row.lease_owner : null,
      };
    },
  );

  app.post(
    '/runs/:id/release',
    {
      config: QUEUES_WORK,
      schema: {
        operationId: 'releaseRun',
        tags: ['runs'],
        summary: 'Cho phép hoặc hủy một lần chạy bị tạm giữ / Release or discard a held run',
        security: SECURED,
        params: z.object({ id: z.uuid() }),
        body: z.object({ decision: z.enum(['release', 'discard']) }),
        response: { 200: runSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const row = await getRun(database, request.params.id);
      const principal = await authorize(request, {
        action: 'runs:write',
        schoolCode: row?.school_code ?? '(unknown)',
        roles: ['district', 'school'],
      });
      if (!row) throw problem('RUN_NOT_FOUND', { run: request.params.id });
      if (row.state !== 'held') throw problem('RUN_NOT_HELD', { run: row.id, state: row.state });
      await runs().decide({
        runId: row.id,
        decision: request.body.decision,
        decidedBy: principal.actor,
      });
      return toRun((await getRun(database, row.id))!);
    },
  );
};
