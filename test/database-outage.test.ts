/**
 * A process that uses PostgreSQL survives losing it: a connection killed while it is lent out (in
 * the middle of a transaction) fails the statement in flight, never the process, and the next query
 * opens a new connection.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../src/pipeline/lease.ts';
import { createDatabase, type Database } from '../src/store/index.ts';
import { freshPostgres } from './support/services.ts';

let database: Awaited<ReturnType<typeof freshPostgres>>;
let db: Database;
const dropped: Error[] = [];

beforeAll(async () => {
  database = await freshPostgres('outage');
  db = await createDatabase(
    { DATABASE_URL: database.url },
    { onIdleConnectionError: (error) => dropped.push(error) },
  );
}, 30_000);

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

/** What `pg_terminate_backend` does to the hub when PostgreSQL restarts or fails over. */
async function terminateBackends(): Promise<number> {
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    const { rows } = await admin.query(
      'select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    return rows[0].n;
  } finally {
    await admin.end();
  }
}

it('a connection killed in the middle of a transaction fails that transaction, not the process', async () => {
  const transaction = db.kysely.transaction().execute(async (trx) => {
    await sql`select 1`.execute(trx);
    expect(await terminateBackends()).toBeGreaterThanOrEqual(1);
    // The server is gone while the client is lent out and idle: pg emits 'error' on it now.
    await new Promise((r) => setTimeout(r, 300));
    await sql`select 1`.execute(trx);
  });
  const failure = await transaction.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(Error);
  expect(isDatabaseUnavailable(failure)).toBe(true);
  expect(dropped.length).toBeGreaterThanOrEqual(1);
  // The pool opens a new connection for the next query.
  await expect(db.ping()).resolves.toBeUndefined();
});

it('an idle pooled connection killed is dropped and replaced', async () => {
  await db.ping();
  dropped.length = 0;
  await terminateBackends();
  await new Promise((r) => setTimeout(r, 300));
  expect(dropped.length).toBeGreaterThanOrEqual(1);
  await expect(db.ping()).resolves.toBeUndefined();
});
