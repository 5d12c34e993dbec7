/**
 * What the district overview reads of every school in a handful of grouped queries: each stream's
 * last run, the last success, held runs, open dead letters by reason, and identity coverage. One
 * query per kind for all schools at once, so the overview of a district of hundreds of schools costs
 * five statements, not five per school.
 */
import { type RawBuilder, sql } from 'kysely';
import { type Db, kyselyOf } from './db.ts';
import type { RunCounts, RunState, SyncMode } from './tables.ts';

/** The last run of a school that carried a stream. */
export interface StreamLastRun {
  schoolCode: string;
  stream: string;
  runId: string;
  state: RunState;
  mode: SyncMode;
  counts: Partial<RunCounts>;
  targets: string[];
  failure: { code: string; message: string } | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** Open dead letters of one school for one reason (target, stream, code and the target's message). */
export interface DeadLetterGroup {
  schoolCode: string;
  target: string;
  stream: string;
  code: string;
  message: string | null;
  count: number;
}

export interface SchoolIdentityTotals {
  schoolCode: string;
  /** Teachers, students and guardians the hub knows. */
  people: number;
  /** Of them, with a personal ID on file. */
  withPersonalId: number;
  /** Of them, with the personal ID confirmed by C06 (an online check). */
  confirmed: number;
}

export interface SchoolActivity {
  lastRuns: StreamLastRun[];
  lastSuccess: Map<string, Date>;
  held: Map<string, string[]>;
  deadLetters: DeadLetterGroup[];
  identity: Map<string, SchoolIdentityTotals>;
  /** Schools the database has seen (runs or people), whether or not the sources file names them. */
  seen: string[];
}

/** `schools` undefined: every school (a city key); otherwise only those. */
export async function schoolActivity(db: Db, schools?: readonly string[]): Promise<SchoolActivity> {
  const k = kyselyOf(db);
  // An empty scope is no school, not every school.
  if (schools && schools.length === 0) {
    return {
      lastRuns: [],
      lastSuccess: new Map(),
      held: new Map(),
      deadLetters: [],
      identity: new Map(),
      seen: [],
    };
  }
  const scope = (column: RawBuilder<unknown>) =>
    schools ? sql`${column} = any(${[...schools]}::text[])` : sql`true`;
  const [lastRuns, success, held, letters, identity] = await Promise.all([
    sql<{
      school_code: string;
      stream: string;
      id: string;
      state: RunState;
      mode: SyncMode;
      counts: Partial<RunCounts>;
      mapping_versions: Record<string, string>;
      failure: { code?: string; message?: string } | null;
      created_at: Date;
      started_at: Date | null;
      finished_at: Date | null;
    }>`
      select l.school_code, l.stream, r.id::text as id, r.state, r.mode, r.counts, r.mapping_versions,
        r.report -> 'failure' as failure, r.created_at, r.started_at, r.finished_at
      from stream_last_runs l join runs r on r.id = l.run_id
      where ${scope(sql`l.school_code`)}
      order by l.school_code, l.stream`.execute(k),
    // Each school's last success, walking its runs newest first on their index: normally the last
    // run itself, not a scan of the year.
    sql<{ school_code: string; at: Date }>`
      select schools.school_code, last.finished_at as at
      from (select distinct school_code from stream_last_runs where ${scope(sql`school_code`)}) schools
      cross join lateral (
        select finished_at from runs r
        where r.school_code = schools.school_code and r.state = 'succeeded'
        order by r.created_at desc limit 1
      ) last`.execute(k),
    sql<{ school_code: string; id: string }>`
      select school_code, id::text as id from runs where state = 'held' and ${scope(sql`school_code`)}
      order by created_at`.execute(k),
    sql<{
      school_code: string;
      target: string;
      stream: string;
      code: string;
      message: string | null;
      n: string;
    }>`
      select school_code, target, stream, code, answer ->> 'message' as message, count(*) as n
      from dead_letters
      where replayed_at is null and discarded_at is null and resolved_at is null and ${scope(sql`school_code`)}
      group by school_code, target, stream, code, answer ->> 'message'
      order by count(*) desc, school_code, target, stream, code`.execute(k),
    sql<{ school_code: string; people: string; with_id: string; confirmed: string }>`
      select school_code, count(*) as people,
        count(*) filter (where personal_id_index is not null) as with_id,
        count(*) filter (where personal_id_index is not null and status = 'verified') as confirmed
      from persons where ${scope(sql`school_code`)} group by school_code`.execute(k),
  ]);

  const heldBySchool = new Map<string, string[]>();
  for (const row of held.rows)
    heldBySchool.set(row.school_code, [...(heldBySchool.get(row.school_code) ?? []), row.id]);
  const seen = new Set<string>([
    ...lastRuns.rows.map((r) => r.school_code),
    ...identity.rows.map((r) => r.school_code),
  ]);
  return {
    lastRuns: lastRuns.rows.map((row) => ({
      schoolCode: row.school_code,
      stream: row.stream,
      runId: row.id,
      state: row.state,
      mode: row.mode,
      counts: row.counts ?? {},
      targets: Object.keys(row.mapping_versions ?? {}).sort(),
      failure: row.failure?.code ? { code: row.failure.code, message: row.failure.message ?? '' } : null,
      createdAt: new Date(row.created_at),
      startedAt: row.started_at ? new Date(row.started_at) : null,
      finishedAt: row.finished_at ? new Date(row.finished_at) : null,
    })),
    lastSuccess: new Map(success.rows.map((r) => [r.school_code, new Date(r.at)])),
    held: heldBySchool,
    deadLetters: letters.rows.map((r) => ({
      schoolCode: r.school_code,
      target: r.target,
      stream: r.stream,
      code: r.code,
      message: r.message,
      count: Number(r.n),
    })),
    identity: new Map(
      identity.rows.map((r) => [
        r.school_code,
        {
          schoolCode: r.school_code,
          people: Number(r.people),
          withPersonalId: Number(r.with_id),
          confirmed: Number(r.confirmed),
        },
      ]),
    ),
    seen: [...seen].sort(),
  };
}
