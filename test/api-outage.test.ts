/**
 * The API fails fast and its runs are idempotent: while Redis or PostgreSQL is away a request is
 * answered 503 with `Retry-After` within two seconds, not left hanging; a client that retries a
 * `POST /v1/runs` with the same `Idempotency-Key` gets the run its first try created.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { createApiKey, type Database } from '../src/store/index.ts';
import { memoryDatabase } from './support/memory-database.ts';
import { privateRedis, waitFor } from './support/services.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'edubridge.js');

const SCHOOL = '79NB0001';
const SECOND = '79NB0002';
// A city that is never called: no worker runs here.
const CITY = {
  CITY_EDUDB_GATEWAY_URL: 'http://127.0.0.1:9',
  CITY_EDUDB_CONSUMER_KEY: 'ck',
  CITY_EDUDB_CONSUMER_SECRET: 'cs',
};
let dir: string;
let sourcesFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edubridge-api-outage-'));
  sourcesFile = join(dir, 'sources.json');
  // No worker runs here: the runs stay queued, which is all these tests look at.
  await writeFile(
    sourcesFile,
    JSON.stringify({
      [SCHOOL]: { adapter: 'rest', config: { baseUrl: 'http://127.0.0.1:9', profile: 'sandbox-school' } },
      [SECOND]: { adapter: 'rest', config: { baseUrl: 'http://127.0.0.1:9', profile: 'sandbox-school' } },
    }),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const post = (app: App, key: string, body: unknown, idempotencyKey?: string) =>
  app.inject({
    method: 'POST',
    url: '/v1/runs',
    headers: {
      'x-api-key': key,
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
    payload: body as object,
  });

/** How long `work` took, in milliseconds, with its result. */
async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

describe('with Redis and PostgreSQL up', () => {
  let redis: Awaited<ReturnType<typeof privateRedis>>;
  let db: Database;
  let app: App;
  let key: string;

  beforeAll(async () => {
    redis = await privateRedis();
    db = await memoryDatabase();
    const config = loadConfig(
      {
        REDIS_URL: redis.url,
        REDIS_PREFIX: `edubridge-test-${randomUUID().slice(0, 8)}`,
        SOURCES_FILE: sourcesFile,
        LOG_LEVEL: 'silent',
        ...CITY,
      },
      { envFile: false },
    );
    app = await buildApp(config, { database: db });
    key = (await createApiKey(db, { role: 'district', schools: [SCHOOL, SECOND] })).key;
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await db?.close();
    await redis?.stop();
  });

  it('a retry with the same Idempotency-Key gets the run its first try created, not a second one', async () => {
    const body = { schoolCode: SCHOOL, streams: ['students'], mode: 'full' };
    const first = await post(app, key, body, 'retry-me-1');
    const again = await post(app, key, body, 'retry-me-1');
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.json().id).toBe(first.json().id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const runs = await db.kysely
      .selectFrom('runs')
      .select('id')
      .where('idempotency_key', '=', 'retry-me-1')
      .execute();
    expect(runs).toHaveLength(1);
  });

  it('the same key with a different request is refused with 422, naming the run it belongs to', async () => {
    const first = await post(app, key, { schoolCode: SCHOOL, mode: 'full' }, 'reused-key');
    const other = await post(app, key, { schoolCode: SCHOOL, mode: 'incremental' }, 'reused-key');
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(other.json().detail).toContain(first.json().id);
  });

  it('a district request retried with its key returns the runs it made, one a school', async () => {
    const district = (idempotencyKey: string, mode = 'full') =>
      app.inject({
        method: 'POST',
        url: '/v1/runs/district',
        headers: { 'x-api-key': key, 'idempotency-key': idempotencyKey },
        payload: { mode },
      });
    const first = await district('district-1');
    const again = await district('district-1');
    expect(first.statusCode).toBe(202);
    const ids = (r: typeof first) => (r.json().runs as Array<{ id: string }>).map((x) => x.id).sort();
    expect(ids(first)).toHaveLength(2);
    expect(ids(again)).toEqual(ids(first));
    expect((await district('district-1', 'incremental')).statusCode).toBe(422);
  });

  it('without a key, two requests are two runs', async () => {
    const body = { schoolCode: SCHOOL, mode: 'full' };
    const a = await post(app, key, body);
    const b = await post(app, key, body);
    expect(a.json().id).not.toBe(b.json().id);
  });

  it('edubridge runs request retries through a Redis outage with one Idempotency-Key, and one run is made', async () => {
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    await redis.stop();
    await new Promise((r) => setTimeout(r, 100));
    const child = spawn(
      process.execPath,
      [BIN, 'runs', 'request', '--school', SCHOOL, '--full', '--api', address, '--tries', '10', '--json'],
      { env: { ...process.env, EDUBRIDGE_API_KEY: key }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await waitFor(
      'the CLI to be told to wait',
      () => (stderr.includes('trying again') ? true : undefined),
      15_000,
    );
    await redis.restart();
    expect(await exited).toBe(0);
    const run = JSON.parse(stdout) as { id: string; state: string };
    expect(run.state).toBe('queued');
    const made = await db.kysely
      .selectFrom('runs')
      .select(['id', 'idempotency_key'])
      .where('id', '=', run.id)
      .execute();
    expect(made).toHaveLength(1);
    expect(made[0]?.idempotency_key).toMatch(/^[0-9a-f-]{36}$/);
  }, 30_000);

  it('while Redis is away: a request that queues work answers 503 with Retry-After within 2 s; reading runs still works', async () => {
    await redis.stop();
    // The guard keeps a probe's answer for a second and forgets it when the hub's connection closes,
    // an event that may come a moment after the process is gone; the test before this one probed
    // Redis as it ended. Past that second, whatever the order of events, the guard asks again.
    await new Promise((r) => setTimeout(r, 1_100));
    try {
      const { ms, value: res } = await timed(() => post(app, key, { schoolCode: SCHOOL }, 'during-outage'));
      expect(res.statusCode).toBe(503);
      expect(ms).toBeLessThan(2_000);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json()).toMatchObject({ code: 'STORE_UNAVAILABLE', stores: ['redis'] });
      const list = await app.inject({ method: 'GET', url: '/v1/runs', headers: { 'x-api-key': key } });
      expect(list.statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().checks.redis).toMatch(/^down/);
    } finally {
      await redis.restart();
    }
    // Back: the client's retry with the same key is taken (the guard's memory lasts a second).
    await new Promise((r) => setTimeout(r, 1_100));
    const retried = await post(app, key, { schoolCode: SCHOOL }, 'during-outage');
    expect(retried.statusCode).toBe(202);
  }, 30_000);
});

describe('with PostgreSQL away', () => {
  it('every API call answers 503 with Retry-After within 2 s, and /healthz still says the process lives', async () => {
    // Nothing listens on port 9 (discard): connections are refused at once, as a stopped server's.
    const config = loadConfig(
      {
        DATABASE_URL: 'postgres://postgres@127.0.0.1:9/edubridge',
        REDIS_PREFIX: `edubridge-test-${randomUUID().slice(0, 8)}`,
        SOURCES_FILE: sourcesFile,
        LOG_LEVEL: 'silent',
        ...CITY,
      },
      { envFile: false },
    );
    const app = await buildApp(config);
    try {
      for (const request of [
        { method: 'GET' as const, url: '/v1/runs' },
        { method: 'POST' as const, url: '/v1/runs', payload: { schoolCode: SCHOOL } },
      ]) {
        const { ms, value: res } = await timed(() =>
          app.inject({ ...request, headers: { 'x-api-key': 'eb_whatever' } }),
        );
        expect(res.statusCode).toBe(503);
        expect(ms).toBeLessThan(2_000);
        expect(res.headers['retry-after']).toBe('5');
        expect(res.json().stores).toContain('database');
      }
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  }, 30_000);
});
