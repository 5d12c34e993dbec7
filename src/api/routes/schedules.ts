import { CronExpressionParser } from 'cron-parser';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cronProblem, type ScheduleService, timezoneProblem } from '../../pipeline/schedules.ts';
import type { RunService } from '../../pipeline/service.ts';
import { STREAM_NAMES, type StreamName } from '../../sdk/index.ts';
import { DEFAULT_SCHEDULE_TIMEZONE, type Schedule } from '../../store/index.ts';
import { authorize, SECURED } from '../auth.ts';
import { problem } from '../problem.ts';
import { problemResponses } from '../responses.ts';
import { QUEUES_WORK } from '../stores.ts';

const scheduleSchema = z
  .object({
    schoolCode: z.string(),
    cron: z.string(),
    timezone: z.string(),
    streams: z.array(z.string()),
    mode: z.enum(['full', 'incremental']),
    updatedAt: z.iso.datetime({ offset: true }),
    nextRunAt: z.iso.datetime({ offset: true }).nullable().describe('When the schedule fires next'),
  })
  .meta({ id: 'Schedule', description: "A school's schedule of sync runs" });

const scheduleBody = z.object({
  cron: z
    .string()
    .min(1)
    .superRefine((cron, ctx) => {
      const problem = cronProblem(cron);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe('Cron pattern, 5 fields (minute hour day month weekday) or 6 with seconds first'),
  streams: z
    .array(z.enum(STREAM_NAMES as [StreamName, ...StreamName[]]))
    .min(1)
    .default(['students']),
  mode: z.enum(['full', 'incremental']).default('incremental'),
  timezone: z
    .string()
    .min(1)
    .superRefine((timezone, ctx) => {
      const problem = timezoneProblem(timezone);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default(DEFAULT_SCHEDULE_TIMEZONE)
    .describe('IANA timezone the pattern is read in'),
});

function nextRunAt(schedule: Schedule): string | null {
  try {
    return CronExpressionParser.parse(schedule.cron, { tz: schedule.timezone }).next().toISOString();
  } catch {
    return null;
  }
}

function toSchedule(schedule: Schedule) {
  return {
    schoolCode: schedule.schoolCode,
    cron: schedule.cron,
    timezone: schedule.timezone,
    streams: schedule.streams,
    mode: schedule.mode,
    updatedAt: schedule.updatedAt.toISOString(),
    nextRunAt: nextRunAt(schedule),
  };
}

const notFound = (code: string) => problem('SCHEDULE_NOT_FOUND', { school: code });

export const schedulesRoutes: FastifyPluginAsyncZod<{
  runs: () => RunService;
  schedules: (() => ScheduleService) | undefined;
}> = async (app, { runs, schedules }) => {
  const service = (): ScheduleService => {
    if (!schedules) {
      throw problem('SCHEDULES_UNAVAILABLE', {});
    }
    return schedules();
  };
  const params = z.object({ code: z.string().min(1).max(64) });

  app.get(
    '/schools/:code/schedule',
    {
      schema: {
        operationId: 'getSchedule',
        tags: ['schedules'],
        summary: 'Lịch đồng bộ của một trường / A school’s schedule',
        security: SECURED,
        params,
        response: { 200: scheduleSchema, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const { code } = request.params;
      await authorize(request, { action: 'schedules:read', schoolCode: code });
      const schedule = await service().get(code);
      if (!schedule) throw notFound(code);
      return toSchedule(schedule);
    },
  );

  app.put(
    '/schools/:code/schedule',
    {
      config: QUEUES_WORK,
      schema: {
        operationId: 'setSchedule',
        tags: ['schedules'],
        summary: 'Đặt lịch đồng bộ cho một trường / Set a school’s schedule',
        description:
          'Stores the schedule and upserts its BullMQ job scheduler; each time it fires, a run of the ' +
          'school is queued with the streams and mode stored here (`requestedBy: schedule`).',
        security: SECURED,
        params,
        body: scheduleBody,
        response: { 200: scheduleSchema, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const { code } = request.params;
      const adapterId = await runs().adapterOf(code);
      await authorize(request, {
        action: 'schedules:write',
        schoolCode: code,
        adapterId,
        roles: ['district', 'school'],
      });
      if (!adapterId) {
        throw problem('SCHOOL_NOT_CONFIGURED', { school: code });
      }
      const schedule = await service().put({ schoolCode: code, ...request.body });
      return toSchedule(schedule);
    },
  );

  app.delete(
    '/schools/:code/schedule',
    {
      config: QUEUES_WORK,
      schema: {
        operationId: 'deleteSchedule',
        tags: ['schedules'],
        summary: 'Xoá lịch đồng bộ của một trường / Delete a school’s schedule',
        security: SECURED,
        params,
        response: {
          204: z.null().describe('Deleted'),
          ...problemResponses(400, 401, 403, 404, 503),
        },
      },
    },
    async (request, reply) => {
      const { code } = request.params;
      await authorize(request, {
        action: 'schedules:write',
        schoolCode: code,
        roles: ['district', 'school'],
      });
      if (!(await service().delete(code))) throw notFound(code);
      return reply.code(204).send(null);
    },
  );
};
