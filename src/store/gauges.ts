/**
 * What the metrics read from PostgreSQL at scrape time, in three grouped queries whatever the
 * number of schools: runs not yet ended by state (on the `runs_active` partial index), open dead
 * letters by school and target, and each school's last successful run
 * (an index walk per school from `stream_last_runs`, as the overview does). Ended runs are not
 * counted here: a year of nightly runs would be a scan, and the processes count them as they end.
 */
import { sql } from 'kysely';
import { type Db, kyselyOf } from './db.ts';
import { RUN_STATES, type RunState } from './tables.ts';

const ENDED: ReadonlySet<RunState> = new Set(['succeeded', 'failed', 'cancelled']);
/** The states a run is in until it ends; each is reported, 0 when no run is in it. */
export const ACTIVE_RUN_STATES: readonly RunState[] = RUN_STATES.filter((s) => !ENDED.has(s));

export interface StoreGauges {
  activeRuns: Map<RunState, number>;
  openDeadLetters: Array<{ schoolCode: string; target: string; count: number }>;
  /** Schools that have run at least once; `at` null when none of their runs succeeded yet. */
  lastSuccess: Array<{ schoolCode: string; at: Date | null }>;
}

/** `targets`: the configured ones, reported for every school even with no letter open. */
export async function storeGauges(db: Db, targets: readonly string[] = []): Promise<StoreGauges> {
  const k = kyselyOf(db);
  const [runs, letters, success] = await Promise.all([
    sql<{ state: RunState; n: number }>`
      select state, count(*)::int as n from runs
      where state not in ('succeeded', 'failed', 'cancelled')
      group by state`.execute(k),
    // Every school that has run, for each target given, 0 when none is open: a count that rises
    // from nothing is then a rise (an alert compares with an hour ago), not a series appearing.
    sql<{ school_code: string; target: string; n: number }>`
      with open as (
        select school_code, target, count(*)::int as n from dead_letters
        where replayed_at is null and discarded_at is null and resolved_at is null
        group by school_code, target
      )
      select s.school_code, t.target, coalesce(o.n, 0) as n
      from (select distinct school_code from stream_last_runs) s
      cross join unnest(${[...targets]}::text[]) as t(target)
      left join open o on o.school_code = s.school_code and o.target = t.target
      union
      select school_code, target, n from open
      order by 1, 2`.execute(k),
    sql<{ school_code: string; at: Date | null }>`
      select schools.school_code, last.finished_at as at
      from (select distinct school_code from stream_last_runs) schools
      left join lateral (
        select finished_at from runs r
        where r.school_code = schools.school_code and r.state = 'succeeded'
        order by r.created_at desc limit 1
      ) last on true
      order by schools.school_code`.execute(k),
  ]);
  const activeRuns = new Map<RunState, number>(ACTIVE_RUN_STATES.map((s) => [s, 0]));
  for (const row of runs.rows) activeRuns.set(row.state, Number(row.n));
  return {
    activeRuns,
    openDeadLetters: letters.rows.map((r) => ({
      schoolCode: r.school_code,
      target: r.target,
      count: Number(r.n),
    })),
    lastSuccess: success.rows.map((r) => ({
      schoolCode: r.school_code,
      at: r.at === null ? null : new Date(r.at),
    })),
  };
}
