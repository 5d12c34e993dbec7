/**
 * Scheduled runs: each school's schedule is a row of the `schedules` table (the truth) and a BullMQ
 * job scheduler on the `schedules` queue (a copy Redis may lose). When a scheduler fires, its job
 * carries only the school's code; the worker reads the school's schedule from the table and asks
 * the run service for a queued run, exactly as `POST /v1/runs` does, with `requestedBy: 'schedule'`.
 * `syncSchedulers` makes Redis match the table at start-up.
 */
import { type Job, Queue, Worker } from 'bullmq';
import { CronExpressionParser } from 'cron-parser';
import type { Redis } from 'ioredis';
import type { StreamName } from '../sdk/index.ts';
import {
  type Database,
  deleteSchedule,
  getSchedule,
  listSchedules,
  type Schedule,
  type ScheduleInput,
  upsertSchedule,
} from '../store/index.ts';
import { quietQueue } from './queue.ts';
import type { RunService } from './service.ts';

export const SCHEDULE_QUEUE = 'schedules';
export const SCHEDULED_JOB_NAME = 'scheduled-run';
export const SCHEDULE_REQUESTER = 'schedule';

export interface ScheduleJob {
  schoolCode: string;
}

export function createScheduleQueue(connection: Redis, prefix: string): Queue<ScheduleJob> {
  return quietQueue(new Queue<ScheduleJob>(SCHEDULE_QUEUE, { connection, prefix }));
}

/** The job scheduler's id of a school's schedule. */
export function schedulerIdOf(schoolCode: string): string {
  return `school:${schoolCode}`;
}

/** Why a timezone is not one this runtime knows, or undefined when it is. */
export function timezoneProblem(timezone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return undefined;
  } catch {
    return `unknown timezone "${timezone}" (an IANA name such as Asia/Ho_Chi_Minh)`;
  }
}

/**
 * Why BullMQ would refuse the cron expression (it parses patterns with cron-parser, as here), or
 * undefined when it is valid: 5 fields (minute hour day month weekday) or 6 with seconds first.
 */
export function cronProblem(cron: string, timezone?: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length < 5 || fields.length > 6) {
    return `a cron expression has 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first; got ${fields.length}`;
  }
  try {
    CronExpressionParser.parse(cron, {
      strict: false,
      ...(timezone && timezoneProblem(timezone) === undefined ? { tz: timezone } : {}),
    });
    return undefined;
  } catch (error) {
    return `invalid cron expression: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Creates or replaces the school's job scheduler from its schedule. */
export async function upsertScheduler(queue: Queue<ScheduleJob>, schedule: Schedule | ScheduleInput) {
  await queue.upsertJobScheduler(
    schedulerIdOf(schedule.schoolCode),
    { pattern: schedule.cron, tz: schedule.timezone },
    {
      name: SCHEDULED_JOB_NAME,
      data: { schoolCode: schedule.schoolCode },
      opts: { removeOnComplete: 100, removeOnFail: 500 },
    },
  );
}

/**
 * Makes Redis's job schedulers match the table: removes the schedulers the table does not have,
 * re-creates the missing ones (Redis may have lost them) and those whose pattern or timezone
 * differ. Call it at start-up, before the schedule worker.
 */
export async function syncSchedulers(
  db: Database,
  queue: Queue<ScheduleJob>,
): Promise<{ created: string[]; updated: string[]; removed: string[] }> {
  const schedules = await listSchedules(db);
  const wanted = new Map(schedules.map((s) => [schedulerIdOf(s.schoolCode), s]));
  const existing = await queue.getJobSchedulers(0, -1);
  const outcome = { created: [] as string[], updated: [] as string[], removed: [] as string[] };
  for (const scheduler of existing) {
    if (!wanted.has(scheduler.key)) {
      await queue.removeJobScheduler(scheduler.key);
      outcome.removed.push(scheduler.key);
    }
  }
  const present = new Map(existing.map((s) => [s.key, s]));
  for (const [id, schedule] of wanted) {
    const current = present.get(id);
    if (current && current.pattern === schedule.cron && current.tz === schedule.timezone) continue;
    await upsertScheduler(queue, schedule);
    (current ? outcome.updated : outcome.created).push(id);
  }
  return outcome;
}

type RunRequester = Pick<RunService, 'request'>;

/**
 * What a fired scheduler's job does: a queued run of the school with the streams and mode its
 * schedule has now. A schedule deleted meanwhile fires nothing. Returns the run's id.
 */
export async function fireSchedule(
  deps: { db: Database; runs: RunRequester },
  schoolCode: string,
): Promise<string | undefined> {
  const schedule = await getSchedule(deps.db, schoolCode);
  if (!schedule) return undefined;
  const { runId } = await deps.runs.request({
    schoolCode,
    streams: schedule.streams as StreamName[],
    mode: schedule.mode,
    requestedBy: SCHEDULE_REQUESTER,
  });
  return runId;
}

/** Starts the worker that turns fired schedulers' jobs into queued runs. */
export function startScheduleWorker(options: {
  connection: Redis;
  prefix: string;
  db: Database;
  runs: RunRequester;
}): Worker<ScheduleJob> {
  const worker = new Worker<ScheduleJob>(
    SCHEDULE_QUEUE,
    async (job: Job<ScheduleJob>) => ({
      runId: (await fireSchedule(options, job.data.schoolCode)) ?? null,
    }),
    { connection: options.connection, prefix: options.prefix, concurrency: 1 },
  );
  // Connection errors repeat while Redis is away; readiness reports Redis's state.
  worker.on('error', () => {});
  return worker;
}

/** The schedules as the API reads and writes them: table first, then the scheduler. */
export class ScheduleService {
  constructor(private readonly deps: { db: Database; queue: Queue<ScheduleJob> }) {}

  get(schoolCode: string): Promise<Schedule | undefined> {
    return getSchedule(this.deps.db, schoolCode);
  }

  /**
   * Stores the schedule, then upserts its scheduler. Should Redis fail in between, the table still
   * has it and `syncSchedulers` re-creates the scheduler at the next start.
   */
  async put(input: ScheduleInput): Promise<Schedule> {
    const schedule = await upsertSchedule(this.deps.db, input);
    await upsertScheduler(this.deps.queue, schedule);
    return schedule;
  }

  /** True when the school had a schedule. */
  async delete(schoolCode: string): Promise<boolean> {
    const existed = await deleteSchedule(this.deps.db, schoolCode);
    await this.deps.queue.removeJobScheduler(schedulerIdOf(schoolCode));
    return existed;
  }
}
