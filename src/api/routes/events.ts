import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { formatSse, watchRun } from '../../pipeline/progress.ts';
import { type Database, getRun } from '../../store/index.ts';
import { authorize, SECURED } from '../auth.ts';
import { problem } from '../problem.ts';
import { problemResponses } from '../responses.ts';

const DESCRIPTION = `Server-sent events (\`text/event-stream\`) of one run's progress, read from the run's
record every ~500 ms, so it follows a run whichever worker carries it out.

Events, each with an increasing \`id\` and JSON \`data\`:
- \`state\`: \`{ runId, state, at }\`, first the current state, then each change (queued, pulling,
  held, pushing, succeeded, failed, cancelled);
- \`counts\`: \`{ runId, counts }\`, first the current counts, then whenever they change.

The stream ends after the event announcing a finished state (succeeded, failed, cancelled); a held
run keeps it open until it is released or discarded. A comment line (\`: heartbeat\`) is sent every
15 s so proxies keep the connection. Needs \`runs:read\` on the run's school.`;

export const eventsRoutes: FastifyPluginAsyncZod<{
  database: Database;
  /** Milliseconds between reads of the run (default 500). */
  pollMs?: number;
  /** Milliseconds between heartbeat comments (default 15 000). */
  heartbeatMs?: number;
}> = async (app, { database, pollMs = 500, heartbeatMs = 15_000 }) => {
  // Open streams end when the app closes, or closing would wait for them.
  const open = new Set<AbortController>();
  app.addHook('preClose', async () => {
    for (const controller of open) controller.abort();
  });

  app.get(
    '/runs/:id/events',
    {
      schema: {
        operationId: 'streamRunEvents',
        tags: ['runs'],
        summary: 'Tiến trình của một lần đồng bộ (SSE) / A run’s progress as server-sent events',
        description: DESCRIPTION,
        security: SECURED,
        params: z.object({ id: z.uuid() }),
        response: {
          200: {
            description: 'The event stream',
            content: { 'text/event-stream': { schema: z.string() } },
          },
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const row = await getRun(database, request.params.id);
      await authorize(request, { action: 'runs:read', schoolCode: row?.school_code ?? '(unknown)' });
      if (!row) throw problem('RUN_NOT_FOUND', { run: request.params.id });

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write('retry: 2000\n\n');
      const controller = new AbortController();
      open.add(controller);
      const stop = () => controller.abort();
      raw.on('close', stop);
      const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), heartbeatMs);
      let id = 0;
      try {
        for await (const event of watchRun(database, row.id, {
          intervalMs: pollMs,
          signal: controller.signal,
        })) {
          raw.write(formatSse({ id: ++id, ...event }));
        }
      } catch (error) {
        request.log.warn({ err: error, runId: row.id }, 'run event stream failed');
        raw.write(formatSse({ id: ++id, event: 'error', data: { code: 'STREAM_FAILED' } }));
      } finally {
        clearInterval(heartbeat);
        open.delete(controller);
        raw.off('close', stop);
        raw.end();
      }
    },
  );
};
