import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE, problem, problemSchema, toProblem } from '../../api/problem.ts';
import { type Check, runChecks } from '../readiness.ts';

export interface HealthRoutesOptions {
  checks: { redis: Check; database: Check };
}

const checkResult = z
  .string()
  .describe('"ok", or "down: <reason>" when the dependency did not answer within a second');

const checksSchema = z.object({ redis: checkResult, database: checkResult });

export const healthRoutes: FastifyPluginAsyncZod<HealthRoutesOptions> = async (app, { checks }) => {
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'getLiveness',
        tags: ['health'],
        summary: 'Liveness: the process answers / the process is alive',
        // Probes need no key: orchestrators and load balancers call them.
        security: [],
        description: 'Touches no dependency, so a Redis or database outage never restarts the hub.',
        response: { 200: z.object({ status: z.literal('ok') }).describe('The process is alive') },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        operationId: 'getReadiness',
        tags: ['health'],
        summary: 'Readiness: Redis and the database answer / dependencies answer',
        security: [],
        response: {
          200: z
            .object({ status: z.literal('ready'), checks: checksSchema })
            .describe('Redis and the database both answered'),
          503: {
            description: 'At least one dependency is down; `checks` names which',
            content: {
              [PROBLEM_CONTENT_TYPE]: { schema: problemSchema.extend({ checks: checksSchema }) },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const results = await runChecks(checks);
      const down = Object.entries(results)
        .filter(([, result]) => result !== 'ok')
        .map(([name]) => name);
      if (down.length === 0) return { status: 'ready' as const, checks: results };

      const notReady = problem('NOT_READY', { down: down.join(', ') });
      request.log.warn({ checks: results }, 'not ready');
      return reply
        .code(503)
        .type(PROBLEM_CONTENT_TYPE)
        .send({ ...toProblem(notReady, request), checks: results });
    },
  );
};
