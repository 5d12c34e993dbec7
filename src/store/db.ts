import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { type DatabaseConnection, type Dialect, Kysely, PostgresDialect, sql } from 'kysely';
import { KyselyPGlite } from 'kysely-pglite';
import pg from 'pg';

import type { Tables } from './tables.ts';

// The tables Kysely knows about, as the numbered migrations in `migrations/` create them.
export type { Tables };

export interface Database {
  readonly kind: 'postgres' | 'pglite';
  readonly kysely: Kysely<Tables>;
  /** Resolves when the database answers `select 1`. */
  ping(): Promise<void>;
  /** Ends every connection; safe to call more than once. */
  close(): Promise<void>;
}

/**
 * What the store's functions take: the hub's database, or a Kysely handle (a transaction, most
 * often) so that several writes commit together.
 */
export type Db = Database | Kysely<Tables>;
export const kyselyOf = (db: Db): Kysely<Tables> => ('kysely' in db ? db.kysely : db);

/** The settings this module reads (a structural slice of the hub's `Config`). */
export interface DatabaseSettings {
  DATABASE_URL?: string | undefined;
  PGLITE_DIR?: string | undefined;
}

export interface CreateDatabaseOptions {
  /**
   * Told about a pooled connection that broke (a server restart, a failover, a killed backend, a
   * network cut), idle in the pool or lent out. The pool drops that connection and the next query
   * opens a new one; the query that was running fails on its own.
   */
  onIdleConnectionError?: (error: Error) => void;
  /**
   * PGlite only: start from this dump of a data directory (`PGlite.dumpDataDir`) instead of an
   * empty database. A migrated template loads in under a second where creating one takes three to
   * five (initdb inside the WebAssembly build): the tests open dozens.
   */
  pgliteFrom?: Blob;
}

// Long enough for a loaded server, short enough that a dead host fails a request instead of
// hanging it (pg waits forever by default).
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * PostgreSQL through a `pg` pool when `DATABASE_URL` is set, else the embedded PGlite (in memory,
 * or in `PGLITE_DIR`). PGlite is one connection without fsync: for the demo and tests only.
 *
 * @example
 * const db = await createDatabase({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' });
 * await db.ping();
 * await db.close();
 */
export async function createDatabase(
  settings: DatabaseSettings,
  options: CreateDatabaseOptions = {},
): Promise<Database> {
  if (settings.DATABASE_URL) return createPostgres(settings.DATABASE_URL, options);
  return createPglite(settings.PGLITE_DIR, options.pgliteFrom);
}

function createPostgres(connectionString: string, options: CreateDatabaseOptions): Database {
  const pool = new pg.Pool({ connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // `pg` emits a connection's error on the client itself. The pool listens only while the client
  // is idle in it; a client lent out (inside a transaction, between two of its statements) that
  // loses its server would emit 'error' with nobody listening, and Node ends the process. Every
  // client gets a listener of its own: the statement in flight fails, the worker stays up.
  const told = (error: Error) => options.onIdleConnectionError?.(error);
  pool.on('error', told);
  pool.on('connect', (client) => {
    client.on('error', told);
  });
  return wrap('postgres', new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) }));
}

async function createPglite(dataDir: string | undefined, from: Blob | undefined): Promise<Database> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    ...(from ? { loadDataDir: from } : {}),
  });
  // Destroying this Kysely closes the PGlite instance too (the dialect's driver owns it).
  return wrap('pglite', new Kysely<Tables>({ dialect: oneAtATime(new KyselyPGlite(pglite).dialect) }));
}

/**
 * PGlite is a single connection, and kysely-pglite hands that same connection to every caller at
 * once: two transactions would interleave their statements (a BEGIN inside a BEGIN, one's COMMIT
 * ending the other's work). The connection is lent to one holder at a time instead, as a pool of
 * one would, so a transaction keeps it from BEGIN to COMMIT.
 */
function oneAtATime(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver() {
      const driver = dialect.createDriver();
      let queue: Promise<void> = Promise.resolve();
      const releases = new WeakMap<DatabaseConnection, () => void>();
      return {
        init: () => driver.init(),
        destroy: () => driver.destroy(),
        beginTransaction: (c, settings) => driver.beginTransaction(c, settings),
        commitTransaction: (c) => driver.commitTransaction(c),
        rollbackTransaction: (c) => driver.rollbackTransaction(c),
        async acquireConnection() {
          let release!: () => void;
          const turn = new Promise<void>((resolve) => {
            release = resolve;
          });
          const before = queue;
          queue = queue.then(() => turn);
          await before;
          const connection = await driver.acquireConnection();
          // The driver returns a new wrapper each time, so the wrapper identifies this loan.
          releases.set(connection, release);
          return connection;
        },
        async releaseConnection(connection) {
          await driver.releaseConnection(connection);
          releases.get(connection)?.();
          releases.delete(connection);
        },
      };
    },
  };
}

function wrap(kind: Database['kind'], kysely: Kysely<Tables>): Database {
  let closing: Promise<void> | undefined;
  return {
    kind,
    kysely,
    async ping() {
      await sql`select 1`.execute(kysely);
    },
    close() {
      closing ??= kysely.destroy();
      return closing;
    },
  };
}
