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
import { ledgerDiffQuery } from '../src/store/ledger.ts';
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

/** What the planner believes a table holds (`reltuples`; -1 or 0 before any statistics). */
const estimate = async (table: string, on: Database = db) =>
  Number(
    (
      await sql<{ n: number }>`select reltuples::float8 as n from pg_class where relname = ${table}`.execute(
        on.kysely,
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

  it('the ledger diff looks each record up by its key, with or without statistics', async () => {
    const own = await freshPostgres('diffplan');
    const fresh = await createDatabase({ DATABASE_URL: own.url } as never);
    try {
      await migrateToLatest(fresh);
      const held = Array.from({ length: 20_000 }, (_, i) => ({ key: `rest:HS-${i}`, hash: hash(i) }));
      await applyTargetResults(fresh, {
        target: 'city-edudb',
        stream: 'students',
        schoolCode: 'S1',
        runId: null,
        results: held.map((h) => ({ ...h, accepted: true })),
      });
      // 500 records of a batch: 300 held as they are, 100 held in another version, 100 new.
      const batch = [
        ...held.slice(0, 300),
        ...held.slice(300, 400).map((h, i) => ({ key: h.key, hash: hash(90_000 + i) })),
        ...Array.from({ length: 100 }, (_, i) => ({ key: `rest:HS-new-${i}`, hash: hash(i) })),
      ];
      const input = { target: 'city-edudb', stream: 'students' };
      const plan = async () =>
        (
          await sql<{ 'QUERY PLAN': string }>`explain ${ledgerDiffQuery(input, batch)}`.execute(fresh.kysely)
        ).rows
          .map((r) => r['QUERY PLAN'])
          .join('\n');
      // No statistics yet: the ledger is believed empty, and still read by key, never hashed whole.
      expect(await estimate('ledger', fresh)).toBeLessThanOrEqual(0);
      const before = await plan();
      expect(before).toMatch(
        /Index Cond: \(\(target = 'city-edudb'::text\) AND \(stream = 'students'::text\) AND \(record_key = i\.key\)\)/,
      );
      expect(before).not.toMatch(/Hash/);
      await sql`analyze ledger`.execute(fresh.kysely);
      expect(await plan()).toMatch(/record_key = i\.key/);
      expect(await plan()).not.toMatch(/Hash/);
      const { rows } = await ledgerDiffQuery(input, batch).execute(fresh.kysely);
      expect(rows.filter((r) => r.created).length).toBe(100);
      expect(rows.filter((r) => !r.created).map((r) => r.key)).toEqual(
        held.slice(300, 400).map((h) => h.key),
      );
    } finally {
      await fresh.close();
      await own.drop();
    }
  });
});
