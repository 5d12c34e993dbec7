/**
 * Planner statistics for the tables a run grows. The ledger diff and the identity pre-read ask for
 * a thousand keys at a time; with statistics PostgreSQL probes the primary key for each, without
 * them it takes the table for a few rows and hashes all of it for every batch. Measured on the sync
 * benchmark: a no-change scan of 100,718 students right after the first sync spent 131 ms a batch
 * hashing the whole ledger (a full scan per 1,000 keys), against 6 ms with statistics. Autovacuum
 * analyzes a table only once a minute at best, and a district's first sync fills the tables faster
 * than that, so a run that changed a good share of a table analyzes it as it ends.
 */
import { sql } from 'kysely';
import { type Db, kyselyOf } from './db.ts';

/** Tables a sync run grows and reads back by key in bulk. */
const GROWN_BY_RUNS = ['ledger', 'persons', 'guardian_links'] as const;

/**
 * Analyzes the tables a run grows when the run changed more rows than a fifth of what the planner
 * believes a table holds (`pg_class.reltuples`, -1 before the first analysis), and at least
 * `minChanged`. The run's own count of records created, updated and deleted stands for its effect
 * on each table: the activity counters of `pg_stat_user_tables` would say it better, but PGlite
 * keeps none. `skip_locked`: a table another process is analyzing is left to it. Returns the
 * tables analyzed.
 */
export async function refreshPlannerStatistics(
  db: Db,
  changedRows: number,
  minChanged = 1_000,
): Promise<string[]> {
  if (changedRows < minChanged) return [];
  const { rows } = await sql<{ relname: string; estimate: number }>`
    select relname, greatest(reltuples, 0)::float8 as estimate from pg_class
    where relkind = 'r' and relnamespace = current_schema()::regnamespace
      and relname = any(${[...GROWN_BY_RUNS]}::text[])
  `.execute(kyselyOf(db));
  const stale = rows
    .filter((r) => changedRows >= 0.2 * Number(r.estimate))
    .map((r) => r.relname)
    .sort();
  for (const table of stale) await sql`analyze (skip_locked) ${sql.table(table)}`.execute(kyselyOf(db));
  return stale;
}
