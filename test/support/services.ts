/**
 * What the integration tests share: a database of their own on the local PostgreSQL, a private
 * Redis server they may kill and restart, the settings that point the hub at a city sandbox.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { type CitySandbox, SANDBOX_CREDENTIALS } from '../../sandbox/city-edudb/index.ts';
import { reservePort } from '../../sandbox/ports.ts';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function admin(statement: string) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A new, empty database on the local PostgreSQL; `drop()` removes it. */
export async function freshPostgres(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `edubridge_${label}_${randomBytes(5).toString('hex')}`;
  await admin(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}

/**
 * A Redis server of the test's own, keeping nothing on disk (as the machine's): `restart()` kills
 * it outright and starts it again empty, like a Redis restart without persistence.
 */
export async function privateRedis(): Promise<{
  url: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}> {
  const reserved = await reservePort();
  const port = reserved.port;
  let child: ChildProcess | undefined;
  const start = async () => {
    await reserved.release();
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100; i++) {
      // A probe of its own each time, that never reconnects: ioredis's connect() otherwise keeps
      // retrying a refused connection and its promise may never settle.
      const probe = new Redis({
        port,
        host: '127.0.0.1',
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on('error', () => {});
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        probe.disconnect();
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`redis-server did not start on port ${port}`);
  };
  const stop = async () => {
    const c = child;
    // A process killed by a signal has no exit code, only a signal code.
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    restart: async () => {
      await stop();
      await start();
    },
    stop,
  };
}

/** The settings that point the hub's city Education DB target at a wso2-personality sandbox. */
export function cityEnv(city: CitySandbox): Record<string, string> {
  if (city.personality !== 'wso2') throw new Error('cityEnv covers the wso2 sandbox');
  return {
    CITY_EDUDB_GATEWAY: 'wso2',
    CITY_EDUDB_GATEWAY_URL: city.gatewayUrl,
    CITY_EDUDB_CONSUMER_KEY: SANDBOX_CREDENTIALS.wso2.consumerKey,
    CITY_EDUDB_CONSUMER_SECRET: SANDBOX_CREDENTIALS.wso2.consumerSecret,
  };
}

/** Waits until `check` returns a value (not undefined), polling; throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
