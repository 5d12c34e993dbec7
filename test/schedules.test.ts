/**
 * Schedules and run progress, for real: the local Redis (a key prefix of this test's own), PGlite,
 * the REST sandbox school and the city simulator. PUT/GET/DELETE /v1/schools/:code/schedule keep
 * the table and BullMQ's job scheduler together; a fired scheduler queues a run; syncSchedulers
 * rebuilds Redis from the table; GET /v1/runs/:id/events streams a run until it succeeds.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rest from '../adapters/rest/index.ts';
import { type CitySandbox, startCitySandbox } from '../sandbox/city-edudb/index.ts';
import { type RestSchool, startRestSchool } from '../sandbox/vendors/rest-school/index.ts';
import { apiV1 } from '../src/api/index.ts';
import { registerErrorHandlers } from '../src/app/errors.ts';
import { createGatewayClient, type GatewayClientOptions } from '../src/gateway/index.ts';
import { createRunQueue, queueConnection } from '../src/pipeline/queue.ts';
import {
  createScheduleQueue,
  fireSchedule,
  type ScheduleJob,
  ScheduleService,
  schedulerIdOf,
  startScheduleWorker,
  syncSchedulers,
} from '../src/pipeline/schedules.ts';
import { RunService } from '../src/pipeline/service.ts';
import { loadSources } from '../src/pipeline/sources/index.ts';
import { type SyncWorkers, startSyncWorkers } from '../src/pipeline/workers.ts';
import { createApiKey, type Database, getRun, loadKeyring, upsertSchedule } from '../src/store/index.ts';
import { createCityEduDbTarget } from '../src/targets/city-edudb.ts';
import { memoryDatabase } from './support/memory-database.ts';

const SCHOOL = '79NB0001';
const OTHER = '79HP0002';
const DISTRICT = { schools: 1, seed: 11, classesPerGrade: 1, classSize: 20 };
const PREFIX = `edubridge-test-${randomUUID().slice(0, 8)}`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let city: CitySandbox;
let school: RestSchool;
let db: Database;
let app: ReturnType<typeof buildTestApp>;
let baseUrl: string;
let runWorker: SyncWorkers;
let scheduleQueue: Queue<ScheduleJob>;
let service: RunService;
let dir: string;
const connections: Array<{ disconnect(): void }> = [];
const closers: Array<() => Promise<unknown>> = [];
let districtKey: string;
let otherKey: string;

function buildTestApp() {
  const fastify = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
  fastify.setValidatorCompiler(validatorCompiler);
  fastify.setSerializerCompiler(serializerCompiler);
  registerErrorHandlers(fastify as never);
  return fastify;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edubridge-schedules-'));
  city = await startCitySandbox({ personality: 'wso2', district: { ...DISTRICT, unknownEvery: 10 } });
  school = await startRestSchool({ ...DISTRICT, auth: { type: 'apiKey', key: 'k' } });
  db = await memoryDatabase();
  const sourcesFile = join(dir, 'sources.json');
  const source = {
    adapter: 'rest',
    config: { baseUrl: school.url, profile: 'sandbox-school', auth: { type: 'apiKey', key: 'k' } },
  };
  await writeFile(sourcesFile, JSON.stringify({ [SCHOOL]: source, [OTHER]: source }));
  const [queueRedis, workerRedis] = [queueConnection(REDIS_URL), queueConnection(REDIS_URL)];
  connections.push(queueRedis, workerRedis);
  const runQueue = createRunQueue(queueRedis, PREFIX);
  scheduleQueue = createScheduleQueue(queueRedis, PREFIX);
  closers.push(
    () => runQueue.close(),
    () => scheduleQueue.close(),
  );
  service = new RunService({
    db,
    keyring: loadKeyring({ NODE_ENV: 'test' }),
    queue: runQueue,
    sources: () => loadSources(sourcesFile),
    targets: () => [
      createCityEduDbTarget({
        gateway: createGatewayClient(city.gatewayClientOptions() as unknown as GatewayClientOptions),
      }),
    ],
    loadAdapter: async () => rest,
  });
  runWorker = await startSyncWorkers({
    connect: () => queueConnection('redis://127.0.0.1:6379'),
    prefix: PREFIX,
    service,
    sweepEveryMs: 0,
  });
  const schedules = new ScheduleService({ db, queue: scheduleQueue });
  app = buildTestApp();
  await app.register(apiV1, {
    prefix: '/v1',
    database: db,
    keyring: loadKeyring({ NODE_ENV: 'test' }),
    runs: () => service,
    schedules: () => schedules,
  });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  districtKey = (await createApiKey(db, { role: 'district', schools: [SCHOOL] })).key;
  otherKey = (await createApiKey(db, { role: 'district', schools: [OTHER] })).key;
}, 60_000);

afterAll(async () => {
  await runWorker?.close();
  await service?.close();
  await app?.close();
  for (const close of closers) await close();
  // The test's keys in Redis go with it.
  const redis = queueConnection(REDIS_URL);
  const keys = await redis.keys(`${PREFIX}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  for (const c of connections) c.disconnect();
  await db?.close();
  await school?.close();
  await city?.close();
  await rm(dir, { recursive: true, force: true });
});

const as = (key: string) => ({ authorization: `Bearer ${key}` });

interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads an event stream to its end. */
async function readEvents(
  url: string,
  key: string,
): Promise<{ status: number; type: string; events: SseEvent[] }> {
  const res = await fetch(url, { headers: as(key), signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  const events = text
    .split('\n\n')
    .map((block) => block.split('\n'))
    .filter((lines) => lines.some((l) => l.startsWith('event: ')))
    .map((lines) => ({
      event: lines.find((l) => l.startsWith('event: '))!.slice(7),
      data: JSON.parse(lines.find((l) => l.startsWith('data: '))!.slice(6)),
    }));
  return { status: res.status, type: res.headers.get('content-type') ?? '', events };
}

describe('GET /v1/runs/:id/events', () => {
  it('streams a run’s states and counts until it succeeds', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: as(districtKey),
      payload: { schoolCode: SCHOOL, streams: ['students'], mode: 'full' },
    });
    expect(res.statusCode).toBe(202);
    const { id } = res.json() as { id: string };
    const { status, type, events } = await readEvents(`${baseUrl}/v1/runs/${id}/events`, districtKey);
    expect(status).toBe(200);
    expect(type).toContain('text/event-stream');
    const states = events.filter((e) => e.event === 'state').map((e) => (e.data as { state: string }).state);
    expect(states.at(-1)).toBe('succeeded');
    expect(new Set(states).size).toBe(states.length);
    const counts = events.filter((e) => e.event === 'counts').at(-1)?.data as {
      counts: { pulled: number };
    };
    expect(counts.counts.pulled).toBe(school.state.data.students.size);
    // Connecting again after the end: the state's time is when the run finished, not now.
    await new Promise((r) => setTimeout(r, 1_100));
    const again = await readEvents(`${baseUrl}/v1/runs/${id}/events`, districtKey);
    const finished = (await getRun(db, id))!.finished_at!;
    expect(again.events.filter((e) => e.event === 'state').map((e) => e.data)).toEqual([
      { runId: id, state: 'succeeded', at: new Date(finished).toISOString() },
    ]);
  }, 40_000);

  it('refuses a key outside the run’s school with 403', async () => {
    const run = (await getRun(
      db,
      (
        await service.request({
          schoolCode: SCHOOL,
          streams: ['students'],
          mode: 'incremental',
          requestedBy: 'test',
        })
      ).runId,
    ))!;
    const res = await fetch(`${baseUrl}/v1/runs/${run.id}/events`, { headers: as(otherKey) });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'FORBIDDEN_SCOPE' });
  });
});

describe('/v1/schools/:code/schedule', () => {
  it('stores a schedule, answers it back and upserts its scheduler in Redis', async () => {
    const put = await app.inject({
      method: 'PUT',
      url: `/v1/schools/${SCHOOL}/schedule`,
      headers: as(districtKey),
      payload: { cron: '0 2 * * *', streams: ['students'], mode: 'incremental' },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ schoolCode: SCHOOL, cron: '0 2 * * *', timezone: 'Asia/Ho_Chi_Minh' });
    const get = await app.inject({
      method: 'GET',
      url: `/v1/schools/${SCHOOL}/schedule`,
      headers: as(districtKey),
    });
    expect(get.statusCode).toBe(200);
    expect(get.json()).toMatchObject({ cron: '0 2 * * *', streams: ['students'], mode: 'incremental' });
    expect((get.json() as { nextRunAt: string }).nextRunAt).toMatch(/T19:00:00/); // 02:00 in UTC+7
    const scheduler = await scheduleQueue.getJobScheduler(schedulerIdOf(SCHOOL));
    expect(scheduler).toMatchObject({ pattern: '0 2 * * *', tz: 'Asia/Ho_Chi_Minh' });
  });

  it('keeps a timezone other than the default', async () => {
    const put = await app.inject({
      method: 'PUT',
      url: `/v1/schools/${SCHOOL}/schedule`,
      headers: as(districtKey),
      payload: { cron: '30 1 * * 1-5', timezone: 'Europe/Paris' },
    });
    expect(put.statusCode).toBe(200);
    const get = await app.inject({
      method: 'GET',
      url: `/v1/schools/${SCHOOL}/schedule`,
      headers: as(districtKey),
    });
    expect(get.json()).toMatchObject({ cron: '30 1 * * 1-5', timezone: 'Europe/Paris' });
    expect(await scheduleQueue.getJobScheduler(schedulerIdOf(SCHOOL))).toMatchObject({ tz: 'Europe/Paris' });
  });

  it('answers 400 naming `cron` for a bad cron expression', async () => {
    for (const cron of ['not a cron', '61 * * * *', '* * *']) {
      const res = await app.inject({
        method: 'PUT',
        url: `/v1/schools/${SCHOOL}/schedule`,
        headers: as(districtKey),
        payload: { cron },
      });
      expect(res.statusCode).toBe(400);
      const body = res.json() as { code: string; detail: string; errors: Array<{ field: string }> };
      expect(body.code).toBe('REQUEST_INVALID');
      expect(body.detail).toContain('body.cron');
      expect(body.errors.map((e) => e.field)).toEqual(['cron']);
    }
    const tz = await app.inject({
      method: 'PUT',
      url: `/v1/schools/${SCHOOL}/schedule`,
      headers: as(districtKey),
      payload: { cron: '0 2 * * *', timezone: 'Mars/Olympus' },
    });
    expect(tz.statusCode).toBe(400);
    expect((tz.json() as { detail: string }).detail).toContain('body.timezone');
  });

  it('refuses a key outside the school with 403', async () => {
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const res = await app.inject({
        method,
        url: `/v1/schools/${SCHOOL}/schedule`,
        headers: as(otherKey),
        ...(method === 'PUT' ? { payload: { cron: '0 2 * * *' } } : {}),
      });
      expect(res.statusCode).toBe(403);
    }
  });

  it('queues a run when the fired job is processed, with requestedBy schedule', async () => {
    const runId = await fireSchedule({ db, runs: service }, SCHOOL);
    const run = await getRun(db, runId!);
    expect(run).toMatchObject({ school_code: SCHOOL, requested_by: 'schedule', mode: 'incremental' });
    expect(await fireSchedule({ db, runs: service }, '79XX9999')).toBeUndefined();
  });

  it('queues a run from a scheduler firing every second', async () => {
    const since = new Date();
    const put = await app.inject({
      method: 'PUT',
      url: `/v1/schools/${OTHER}/schedule`,
      headers: as(otherKey),
      payload: { cron: '* * * * * *', streams: ['students'], mode: 'incremental' },
    });
    expect(put.json()).toMatchObject({ cron: '* * * * * *' });
    const workerRedis = queueConnection(REDIS_URL);
    connections.push(workerRedis);
    const worker = startScheduleWorker({ connection: workerRedis, prefix: PREFIX, db, runs: service });
    try {
      let found: { requested_by: string | null } | undefined;
      for (let i = 0; i < 50 && !found; i++) {
        await new Promise((r) => setTimeout(r, 100));
        found = await db.kysely
          .selectFrom('runs')
          .select(['requested_by'])
          .where('school_code', '=', OTHER)
          .where('requested_by', '=', 'schedule')
          .where('created_at', '>=', since)
          .executeTakeFirst();
      }
      expect(found).toBeDefined();
    } finally {
      const del = await app.inject({
        method: 'DELETE',
        url: `/v1/schools/${OTHER}/schedule`,
        headers: as(otherKey),
      });
      expect(del.statusCode, del.body).toBe(204);
      await worker.close();
    }
    expect(await scheduleQueue.getJobScheduler(schedulerIdOf(OTHER))).toBeUndefined();
    const gone = await app.inject({
      method: 'GET',
      url: `/v1/schools/${OTHER}/schedule`,
      headers: as(otherKey),
    });
    expect(gone.statusCode).toBe(404);
  }, 15_000);

  it('syncSchedulers re-creates a scheduler Redis lost and removes one the table lacks', async () => {
    await scheduleQueue.removeJobScheduler(schedulerIdOf(SCHOOL));
    await scheduleQueue.upsertJobScheduler(
      schedulerIdOf('79ZZ0000'),
      { pattern: '0 3 * * *' },
      { name: 'scheduled-run', data: { schoolCode: '79ZZ0000' } },
    );
    // A schedule written by another process while this one's Redis copy is stale.
    await upsertSchedule(db, {
      schoolCode: OTHER,
      cron: '0 4 * * *',
      timezone: 'Asia/Ho_Chi_Minh',
      streams: ['students'],
      mode: 'full',
    });
    const outcome = await syncSchedulers(db, scheduleQueue);
    expect(outcome.created.sort()).toEqual([schedulerIdOf(OTHER), schedulerIdOf(SCHOOL)].sort());
    expect(outcome.removed).toEqual([schedulerIdOf('79ZZ0000')]);
    expect(await scheduleQueue.getJobScheduler(schedulerIdOf(SCHOOL))).toMatchObject({
      pattern: '30 1 * * 1-5',
      tz: 'Europe/Paris',
    });
    expect(await scheduleQueue.getJobScheduler('school:79ZZ0000')).toBeUndefined();
    expect(await syncSchedulers(db, scheduleQueue)).toEqual({ created: [], updated: [], removed: [] });
  });
});
