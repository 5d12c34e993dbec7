/**
 * Runs through the API and the queue, for real: POST /v1/runs with a district key queues a run on
 * BullMQ (the local Redis, a key prefix of this test's own), a worker carries it out through the
 * REST sandbox, the gateway and the city simulator, and GET /v1/runs/:id shows the outcome.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rest from '../adapters/rest/index.ts';
import { type CitySandbox, startCitySandbox } from '../sandbox/city-edudb/index.ts';
import { type RestSchool, startRestSchool } from '../sandbox/vendors/rest-school/index.ts';
import { type App, buildApp } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { createGatewayClient, type GatewayClientOptions } from '../src/gateway/index.ts';
import { createRunQueue, queueConnection } from '../src/pipeline/queue.ts';
import { RunService } from '../src/pipeline/service.ts';
import { type SyncWorkers, startSyncWorkers } from '../src/pipeline/workers.ts';
import { createApiKey, type Database, listAudit, loadKeyring, purgeBatchBodies } from '../src/store/index.ts';
import { createCityEduDbTarget } from '../src/targets/city-edudb.ts';
import { memoryDatabase } from './support/memory-database.ts';

const SCHOOL = '79NB0001';
const UNUSABLE = '79NB0009';
const DISTRICT = { schools: 1, seed: 11, classesPerGrade: 1, classSize: 20 };
const PREFIX = `edubridge-test-${randomUUID().slice(0, 8)}`;

let city: CitySandbox;
let school: RestSchool;
let db: Database;
let app: App;
let worker: SyncWorkers;
let service: RunService;
let dir: string;
const connections: Array<{ disconnect(): void }> = [];
let districtKey: string;
let otherKey: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edubridge-runs-api-'));
  city = await startCitySandbox({ personality: 'wso2', district: { ...DISTRICT, unknownEvery: 10 } });
  school = await startRestSchool({ ...DISTRICT, auth: { type: 'apiKey', key: 'k' } });
  db = await memoryDatabase();
  const sourcesFile = join(dir, 'sources.json');
  await writeFile(
    sourcesFile,
    JSON.stringify({
      [SCHOOL]: {
        adapter: 'rest',
        config: { baseUrl: school.url, profile: 'sandbox-school', auth: { type: 'apiKey', key: 'k' } },
      },
      // Its key is a reference to a variable nobody set: the school cannot be synced as configured.
      [UNUSABLE]: {
        adapter: 'rest',
        config: {
          baseUrl: school.url,
          profile: 'sandbox-school',
          auth: { type: 'apiKey', key: { env: 'EDUBRIDGE_TEST_NEVER_SET' } },
        },
      },
    }),
  );
  const config = loadConfig(
    { REDIS_PREFIX: PREFIX, SOURCES_FILE: sourcesFile, LOG_LEVEL: 'silent' },
    { envFile: false },
  );
  const queueRedis = queueConnection(config.REDIS_URL);
  const workerRedis = queueConnection(config.REDIS_URL);
  connections.push(queueRedis, workerRedis);
  const { loadSources } = await import('../src/pipeline/sources/index.ts');
  service = new RunService({
    db,
    keyring: loadKeyring({ NODE_ENV: 'test' }),
    queue: createRunQueue(queueRedis, PREFIX),
    sources: () => loadSources(sourcesFile),
    targets: () => [
      createCityEduDbTarget({
        gateway: createGatewayClient(city.gatewayClientOptions() as unknown as GatewayClientOptions),
      }),
    ],
    loadAdapter: async () => rest,
  });
  worker = await startSyncWorkers({
    connect: () => queueConnection('redis://127.0.0.1:6379'),
    prefix: PREFIX,
    service,
    sweepEveryMs: 0,
  });
  app = await buildApp(config, { database: db, runService: service });
  districtKey = (await createApiKey(db, { role: 'district', schools: [SCHOOL, UNUSABLE] })).key;
  otherKey = (await createApiKey(db, { role: 'district', schools: ['79HP0002'] })).key;
}, 60_000);

afterAll(async () => {
  await worker?.close();
  await service?.close();
  await app?.close();
  for (const c of connections) c.disconnect();
  await db?.close();
  await school?.close();
  await city?.close();
  await rm(dir, { recursive: true, force: true });
});

const as = (key: string) => ({ authorization: `Bearer ${key}` });

async function waitForRun(id: string, key: string) {
  for (let i = 0; i < 100; i++) {
    const res = await app.inject({ method: 'GET', url: `/v1/runs/${id}`, headers: as(key) });
    const run = res.json() as {
      state: string;
      counts: Record<string, number>;
      timings: Record<string, number>;
    };
    if (['succeeded', 'failed', 'held', 'cancelled'].includes(run.state)) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('run did not finish');
}

describe('/v1/runs', () => {
  it('queues a run that a worker carries out to the city DB', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: as(districtKey),
      payload: { schoolCode: SCHOOL, streams: ['students'], mode: 'full' },
    });
    expect(res.statusCode).toBe(202);
    const queued = res.json() as { id: string; state: string; adapterId: string };
    expect(queued).toMatchObject({ state: 'queued', adapterId: 'rest' });
    const run = await waitForRun(queued.id, districtKey);
    const students = school.state.data.students.size;
    expect(run.state).toBe('succeeded');
    expect(run.counts).toMatchObject({
      pulled: students,
      created: students - city.unknownStudentCodes.size,
      refused: city.unknownStudentCodes.size,
    });
    // Where the run's time went, step by step: the parts fit inside the wholes they belong to.
    const t = run.timings;
    for (const step of [
      'pullAndDiffMs',
      'readMs',
      'checkMs',
      'diffMs',
      'pushMs',
      'pushSendMs',
      'pushRecordMs',
    ])
      expect(t[step], step).toBeGreaterThanOrEqual(0);
    expect(t.readMs! + t.checkMs!).toBeLessThanOrEqual(t.pullAndDiffMs! + 2);
    expect(t.ledgerMs! + t.stageMs!).toBeLessThanOrEqual(t.diffMs! + 2);
  });

  it('shows a record’s delivery history with the gateway message id, to its school only', async () => {
    const row = await db.kysely
      .selectFrom('ledger')
      .select('record_key')
      .where('stream', '=', 'students')
      .limit(1)
      .executeTakeFirstOrThrow();
    const url = `/v1/records/students/${encodeURIComponent(row.record_key)}/history`;
    const res = await app.inject({ method: 'GET', url, headers: as(districtKey) });
    expect(res.statusCode).toBe(200);
    const { history } = res.json() as { history: Array<Record<string, unknown>> };
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      target: 'city-edudb',
      schoolCode: SCHOOL,
      adapterId: 'rest',
      mappingVersion: 'v1',
      answer: { outcome: 'accepted' },
    });
    expect(history[0]!.gatewayMessageId).toEqual(expect.any(String));
    expect(history[0]!.sourceLocation).toEqual(expect.stringContaining('/api/v1/hoc-sinh'));
    expect((await app.inject({ method: 'GET', url, headers: as(otherKey) })).statusCode).toBe(403);
  });

  it('shows the body a record was sent with while it is kept, audited, and not once purged', async () => {
    const row = await db.kysely
      .selectFrom('ledger')
      .select('record_key')
      .where('stream', '=', 'students')
      .where('deleted_at', 'is', null)
      .limit(1)
      .executeTakeFirstOrThrow();
    const url = `/v1/records/students/${encodeURIComponent(row.record_key)}/history?body=true`;
    // The body is personal data: district keys only; a city key reads the history without it.
    const cityKey = (await createApiKey(db, { role: 'city', schools: [] })).key;
    expect((await app.inject({ method: 'GET', url, headers: as(cityKey) })).statusCode).toBe(403);
    const res = await app.inject({ method: 'GET', url, headers: as(districtKey) });
    expect(res.statusCode).toBe(200);
    const [entry] = (
      res.json() as { history: Array<{ body: { kind: string; record: Record<string, unknown> } }> }
    ).history;
    // Exactly what the city holds for it.
    expect(entry!.body).toEqual({
      kind: 'HocSinh',
      record: city.city.state.held.get(row.record_key)!.record,
    });
    const audited = await listAudit(db, { action: 'records:body' });
    expect(audited[0]).toMatchObject({ resource: `record:students/${row.record_key}`, decision: 'allow' });
    // A batch a dead letter still needs for its replay keeps its body; once the letters are
    // settled, the sealed body goes after LINEAGE_BODY_DAYS (0 here), hashes, ids and answers stay.
    const batches = await db.kysely.selectFrom('staged_batches').select('id').execute();
    expect(await purgeBatchBodies(db, 0)).toBe(0);
    await db.kysely.updateTable('dead_letters').set({ discarded_at: new Date() }).execute();
    expect(await purgeBatchBodies(db, 0)).toBe(batches.length);
    const after = await app.inject({ method: 'GET', url, headers: as(districtKey) });
    const [purged] = (after.json() as { history: Array<{ body: unknown; answer: unknown }> }).history;
    expect(purged).toMatchObject({ body: null, answer: { outcome: 'accepted' } });
  });

  it('queues a run for every school of a district key, and says which it skipped and why', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/runs/district',
      headers: as(districtKey),
      payload: { schools: [UNUSABLE, SCHOOL, '79HP0002'], streams: ['students'], mode: 'incremental' },
    });
    expect(res.statusCode).toBe(202);
    const body = res.json() as { runs: Array<{ id: string; schoolCode: string }>; skipped: unknown[] };
    expect(body.runs.map((r) => r.schoolCode)).toEqual([SCHOOL]);
    expect(body.skipped).toEqual([
      { schoolCode: UNUSABLE, code: 'SOURCE_SECRET_UNRESOLVED' },
      { schoolCode: '79HP0002', code: 'OUT_OF_SCOPE' },
    ]);
    expect((await waitForRun(body.runs[0]!.id, districtKey)).state).toBe('succeeded');
  });

  it('refuses a district key outside its schools, and audits the refusal', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: as(otherKey),
      payload: { schoolCode: SCHOOL },
    });
    expect(res.statusCode).toBe(403);
    const denied = await db.kysely
      .selectFrom('audit_log')
      .select(['action', 'decision'])
      .where('action', '=', 'runs:write')
      .where('decision', '=', 'deny')
      .execute();
    expect(denied.length).toBeGreaterThan(0);
  });

  it('lists only the runs of the caller\u2019s schools', async () => {
    const mine = (await app.inject({ method: 'GET', url: '/v1/runs', headers: as(districtKey) })).json() as {
      runs: unknown[];
    };
    const theirs = (await app.inject({ method: 'GET', url: '/v1/runs', headers: as(otherKey) })).json() as {
      runs: unknown[];
    };
    expect(mine.runs.length).toBeGreaterThan(0);
    expect(theirs.runs).toEqual([]);
  });

  it('answers 409 to a release of a run that is not held, and 401 without a key', async () => {
    const { runs } = (
      await app.inject({ method: 'GET', url: '/v1/runs', headers: as(districtKey) })
    ).json() as {
      runs: Array<{ id: string }>;
    };
    const res = await app.inject({
      method: 'POST',
      url: `/v1/runs/${runs[0]!.id}/release`,
      headers: as(districtKey),
      payload: { decision: 'release' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'RUN_NOT_HELD' });
    expect((await app.inject({ method: 'GET', url: '/v1/runs' })).statusCode).toBe(401);
  });
});
