/**
 * The tables a run grows get planner statistics as the run ends (real PostgreSQL): without them
 * the ledger diff hashes the whole ledger for every batch of a thousand keys (see statistics.ts).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyTargetResults,
  createDatabase,
  type Database,
  diffAgainstLedger,
  migrateToLatest,
  refreshPlannerStatistics,
} from '../src/store/index.ts';
import { freshPostgres } from './support/services.ts';

let db: Database;
let drop: () => Promise<void>;

beforeAll(async () => {
  const pg = await freshPostgres('stats');
  drop = pg.drop;
  db = await createDatabase({ DATABASE_URL: pg.url } as never);
  await migrateToLatest(db);
});

afterAll(async () => {
  await db.close();
  await drop();
});

const estimate = async (table: string) =>
  Number(
    (
      await sql<{ n: number }>`select reltuples::float8 as n from pg_class where relname = ${table}`.execute(
        db.kysely,
      )
    ).rows[0]!.n,
  );

const hash = (i: number) => i.toString(16).padStart(64, '0');

describe('planner statistics', () => {
  it('a run that changed a fifth of a table or more analyzes it; a small one leaves it', async () => {
    const results = Array.from({ length: 20_000 }, (_, i) => ({
      key: `rest:HS-${i}`,
      hash: hash(i),
      accepted: true,
    }));
    await applyTargetResults(db, {
      target: 'city-edudb',
      stream: 'students',
      schoolCode: 'S1',
      runId: null,
      results,
    });
    expect(await estimate('ledger')).toBeLessThanOrEqual(0);

    // What the planner believes the ledger holds for the diff's join: a row or two without
    // statistics (so it hashes the whole ledger for every batch), the truth with them.
    const entries = results.slice(0, 1_000).map(({ key, hash }) => ({ key, hash }));
    const plan = async () =>
      (
        await sql<{
          'QUERY PLAN': string;
        }>`explain select l.record_key from unnest(${entries.map((e) => e.key)}::text[]) as i(key)
          left join ledger l on l.target = 'city-edudb' and l.stream = 'students' and l.record_key = i.key`.execute(
          db.kysely,
        )
      ).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
    const ledgerRowsBelieved = async () =>
      Number(/on ledger l\s+\(cost=[\d.]+ rows=(\d+)/.exec(await plan())?.[1]);
    expect(await ledgerRowsBelieved()).toBeLessThan(10);
    expect(await refreshPlannerStatistics(db, 999)).toEqual([]);
    expect(await refreshPlannerStatistics(db, 20_000)).toContain('ledger');
    expect(await estimate('ledger')).toBe(20_000);
    expect(await ledgerRowsBelieved()).toBe(20_000);
    expect(
      await diffAgainstLedger(db, { target: 'city-edudb', stream: 'students', schoolCode: 'S1', entries }),
    ).toEqual({
      created: [],
      updated: [],
      unchanged: 1_000,
    });

    // A run that changed less than a fifth of what the table holds does not analyze it again (the
    // identity tables, still empty here, are).
    expect(await refreshPlannerStatistics(db, 3_000)).toEqual(['guardian_links', 'persons']);
  });
});
