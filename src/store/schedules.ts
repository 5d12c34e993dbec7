/**
 * Schedules of sync runs, one per school: the `schedules` table is the truth; BullMQ's job
 * schedulers in Redis are a copy that `syncSchedulers` rebuilds from it.
 *
 * The table has no timezone column yet, so a timezone other than the default is kept in the `cron`
 * column as a `CRON_TZ=<zone> ` prefix (the convention of cronie and Vixie cron); this module writes
 * and reads it, so callers only see `{ cron, timezone }`.
 */
import type { Selectable } from 'kysely';
import { type Db, kyselyOf } from './db.ts';
import type { SchedulesTable, SyncMode } from './tables.ts';

export const DEFAULT_SCHEDULE_TIMEZONE = 'Asia/Ho_Chi_Minh';

export interface Schedule {
  schoolCode: string;
  cron: string;
  timezone: string;
  streams: string[];
  mode: SyncMode;
  updatedAt: Date;
}

export type ScheduleInput = Omit<Schedule, 'updatedAt'>;

const TZ_PREFIX = /^CRON_TZ=(\S+)\s+/;

function encodeCron(cron: string, timezone: string): string {
  return timezone === DEFAULT_SCHEDULE_TIMEZONE ? cron : `CRON_TZ=${timezone} ${cron}`;
}

function decodeCron(stored: string): { cron: string; timezone: string } {
  const match = TZ_PREFIX.exec(stored);
  return match
    ? { cron: stored.slice(match[0].length), timezone: match[1]! }
    : { cron: stored, timezone: DEFAULT_SCHEDULE_TIMEZONE };
}

function toSchedule(row: Selectable<SchedulesTable>): Schedule {
  return {
    schoolCode: row.school_code,
    ...decodeCron(row.cron),
    streams: row.streams,
    mode: row.mode,
    updatedAt: row.updated_at,
  };
}

export async function upsertSchedule(db: Db, input: ScheduleInput): Promise<Schedule> {
  const values = {
    school_code: input.schoolCode,
    cron: encodeCron(input.cron, input.timezone),
    streams: input.streams,
    mode: input.mode,
  };
  const row = await kyselyOf(db)
    .insertInto('schedules')
    .values(values)
    .onConflict((oc) =>
      oc.column('school_code').doUpdateSet({
        cron: values.cron,
        streams: values.streams,
        mode: values.mode,
        updated_at: new Date(),
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return toSchedule(row);
}

export async function getSchedule(db: Db, schoolCode: string): Promise<Schedule | undefined> {
  const row = await kyselyOf(db)
    .selectFrom('schedules')
    .selectAll()
    .where('school_code', '=', schoolCode)
    .executeTakeFirst();
  return row ? toSchedule(row) : undefined;
}

export async function listSchedules(db: Db): Promise<Schedule[]> {
  const rows = await kyselyOf(db).selectFrom('schedules').selectAll().orderBy('school_code').execute();
  return rows.map(toSchedule);
}

/** True when there was a schedule to delete. */
export async function deleteSchedule(db: Db, schoolCode: string): Promise<boolean> {
  // `returning` rather than the affected-row count, which not every dialect (PGlite) reports.
  const deleted = await kyselyOf(db)
    .deleteFrom('schedules')
    .where('school_code', '=', schoolCode)
    .returning('school_code')
    .execute();
  return deleted.length > 0;
}
