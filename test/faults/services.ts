/**
 * The fault suite's own PostgreSQL and Redis, on free ports, so that killing, restarting and
 * emptying them touches nobody else's: the machine's PostgreSQL (5432) and Redis (6379) serve
 * `npm test` and whoever else is on the machine.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { reservePort } from '../../sandbox/ports.ts';
import { type Child, startChild } from './children.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A PostgreSQL server binary from PATH, named in the error when it is missing. */
function pgBinary(name: string): string {
  const found = (process.env.PATH ?? '')
    .split(':')
    .map((dir) => join(dir, name))
    .find((file) => existsSync(file));
  if (!found) throw new Error(`${name} (the PostgreSQL server) is not on PATH`);
  return found;
}

/** PostgreSQL refuses to run as root: as root, its processes run as the `postgres` system user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

export interface PrivatePostgres {
  port: number;
  /** Admin URL of a database in it (default `postgres`). */
  url(database?: string): string;
  createDatabase(name: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  /** Ends every connection to `database` but the caller's: what a DBA or a failover does. */
  terminateBackends(database: string): Promise<number>;
  /** `crash`: SIGKILL to the postmaster and every backend; `fast`: a clean fast shutdown. */
  stop(mode: 'crash' | 'fast'): Promise<void>;
  /** Starts it again on the same port (after a crash it replays its WAL first). */
  start(): Promise<void>;
  readonly running: boolean;
  close(): Promise<void>;
}

/** `initdb` into `dir/pg` and a postmaster on a free port, listening on 127.0.0.1 and a socket in `dir/pg`. */
export async function startPostgres(dir: string): Promise<PrivatePostgres> {
  const base = join(dir, 'pg');
  const data = join(base, 'data');
  await mkdir(base, { recursive: true });
  const user = runAs();
  if (user) {
    // The suite's temp dir is root's (mode 0700): the postgres user must get through it to its own.
    await chmod(dir, 0o755);
    await chown(base, user.uid, user.gid);
  }
  const initdb = startChild(
    'initdb',
    pgBinary('initdb'),
    ['-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--no-locale', '-D', data],
    join(dir, 'initdb.log'),
    // Its own directory as the working one: the postgres user may not enter the caller's.
    { ...(user ?? {}), cwd: base },
  );
  const code = await initdb.exited;
  if (code !== 0) throw new Error(`initdb failed (${code}):\n${initdb.tail(15).join('\n')}`);

  const reserved = await reservePort();
  const port = reserved.port;
  let postmaster: Child | undefined;
  let starts = 0;

  const admin = async <T>(work: (client: pg.Client) => Promise<T>, database = 'postgres'): Promise<T> => {
    const client = new pg.Client({ connectionString: url(database) });
    client.on('error', () => {});
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end().catch(() => {});
    }
  };
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;

  const start = async () => {
    await reserved.release();
    starts++;
    postmaster = startChild(
      starts === 1 ? 'postgres' : `postgres#${starts}`,
      pgBinary('postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        base,
        '-c',
        'listen_addresses=127.0.0.1',
        // Durability is not what is tested: a crash here is the processes dying, not the disk.
        '-c',
        'fsync=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=300',
      ],
      join(dir, 'postgres.log'),
      { ...(user ?? {}), cwd: base, group: true },
    );
    const until = Date.now() + 30_000;
    for (;;) {
      if (postmaster.exit !== undefined)
        throw new Error(`postgres exited (${postmaster.exit}):\n${postmaster.tail(15).join('\n')}`);
      try {
        await admin(async (c) => c.query('select 1'));
        return;
      } catch {
        if (Date.now() > until)
          throw new Error(`postgres did not answer in 30 s:\n${postmaster.tail(15).join('\n')}`);
        await sleep(100);
      }
    }
  };

  const stop = async (mode: 'crash' | 'fast') => {
    const p = postmaster;
    if (!p || p.exit !== undefined) return;
    if (mode === 'crash') await p.kill();
    else {
      p.signal('SIGINT');
      const done = await Promise.race([p.exited, sleep(15_000).then(() => undefined)]);
      if (done === undefined) await p.kill();
    }
  };

  await start();
  return {
    port,
    url,
    createDatabase: async (name) => {
      await admin((c) => c.query(`create database ${name}`));
      return url(name);
    },
    dropDatabase: async (name) => {
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
    terminateBackends: (database) =>
      admin(async (c) => {
        const result = await c.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [database],
        );
        return result.rowCount ?? 0;
      }),
    stop,
    start,
    get running() {
      return postmaster !== undefined && postmaster.exit === undefined;
    },
    close: () => stop('crash'),
  };
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** SIGKILL: Redis is gone, with everything it held (it keeps nothing on disk). */
  kill(): Promise<void>;
  /** Starts it again, empty, on the same port. */
  start(): Promise<void>;
  /** `kill()` then `start()`: a Redis restarted without persistence. */
  restart(): Promise<void>;
  readonly running: boolean;
  close(): Promise<void>;
}

/** A redis-server of the suite's own that keeps nothing on disk, as the machine's. */
export async function startRedis(dir: string, label: string): Promise<PrivateRedis> {
  const reserved = await reservePort();
  const port = reserved.port;
  let server: Child | undefined;
  let starts = 0;
  const start = async () => {
    await reserved.release();
    starts++;
    server = startChild(
      starts === 1 ? `redis-${label}` : `redis-${label}#${starts}`,
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      join(dir, `redis-${label}.log`),
    );
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
    probe.on('error', () => {});
    try {
      for (let i = 0; i < 200; i++) {
        if (server.exit !== undefined)
          throw new Error(`redis-server exited (${server.exit}):\n${server.tail(10).join('\n')}`);
        try {
          if (probe.status !== 'ready') await probe.connect();
          if ((await probe.ping()) === 'PONG') return;
        } catch {
          probe.disconnect();
          await sleep(50);
        }
      }
      throw new Error(`redis-server did not answer on port ${port}`);
    } finally {
      probe.disconnect();
    }
  };
  const kill = async () => {
    await server?.kill();
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    start,
    restart: async () => {
      await kill();
      await start();
    },
    get running() {
      return server !== undefined && server.exit === undefined;
    },
    close: kill,
  };
}
