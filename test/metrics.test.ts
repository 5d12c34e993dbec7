/**
 * What Prometheus reads: a run queued through the API and carried out by a worker (the local
 * Redis under a prefix of this test's own, the REST sandbox school, the city simulator behind its
 * gateway), then GET /metrics, whose figures must be the run's own: records by outcome, batches,
 * gateway requests, open dead letters, the last success, the queues. Nothing personal and no
 * record key in it. METRICS_TOKEN guards it; a worker serves its own on a port.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rest from '../adapters/rest/index.ts';
import { type CitySandbox, startCitySandbox } from '../sandbox/city-edudb/index.ts';
import { reservePort } from '../sandbox/ports.ts';
import { type RestSchool, startRestSchool } from '../sandbox/vendors/rest-school/index.ts';
import { type App, buildApp } from '../src/app/index.ts';
import { type Config, loadConfig } from '../src/config/index.ts';
import { createGatewayClient, type GatewayClientOptions } from '../src/gateway/index.ts';
import { serveWorkerMetrics } from '../src/metrics/index.ts';
import { CircuitBreaker } from '../src/pipeline/breaker.ts';
import { createPushQueue, createRunQueue, queueConnection } from '../src/pipeline/queue.ts';
import { RunService } from '../src/pipeline/service.ts';
import { type SyncWorkers, startSyncWorkers } from '../src/pipeline/workers.ts';
import { createApiKey, type Database, loadKeyring } from '../src/store/index.ts';
import { createCityEduDbTarget } from '../src/targets/city-edudb.ts';
import { memoryDatabase } from './support/memory-database.ts';

const SCHOOL = '79NB0001';
const DISTRICT = { schools: 1, seed: 23, classesPerGrade: 1, classSize: 30 };
const PREFIX = `edubridge-test-${randomUUID().slice(0, 8)}`;
const TOKEN = 'metrics-token-of-this-test-0123456789';

let city: CitySandbox;
let school: RestSchool;
let db: Database;
let app: App;
let worker: SyncWorkers;
let service: RunService;
let dir: string;
let config: Config;
let districtKey: string;
const connections: Array<{ disconnect(): void }> = [];

/** One sample of the text format: its name and labels, as Prometheus would read them. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the one sample with that name and (at least) those labels; undefined if none. */
function sampleValue(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value;
}

async function scrape(target: App, headers: Record<string, string> = {}) {
  const res = await target.inject({ method: 'GET', url: '/metrics', headers });
  return { res, samples: res.statusCode === 200 ? parse(res.body) : [] };
}

async function waitForRun(id: string) {
  for (let i = 0; i < 200; i++) {
    const res = await app.inject({
      method: 'GET',
      url: `/v1/runs/${id}`,
      headers: { authorization: `Bearer ${districtKey}` },
    });
    const run = res.json() as { state: string; counts: Record<string, number> };
    if (['succeeded', 'failed', 'held', 'cancelled'].includes(run.state)) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('run did not finish');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edubridge-metrics-'));
  // One student in eight unknown to the city: refused, and left in dead letters.
  city = await startCitySandbox({ personality: 'wso2', district: { ...DISTRICT, unknownEvery: 8 } });
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
    }),
  );
  config = loadConfig(
    { REDIS_PREFIX: PREFIX, SOURCES_FILE: sourcesFile, LOG_LEVEL: 'silent' },
    { envFile: false },
  );
  const queueRedis = queueConnection(config.REDIS_URL);
  connections.push(queueRedis);
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
    // Several batches, so the batch counters and the histogram have more than one to count.
    batchSize: 100,
  });
  worker = await startSyncWorkers({
    connect: () => queueConnection(config.REDIS_URL),
    prefix: PREFIX,
    service,
    sweepEveryMs: 0,
  });
  app = await buildApp(config, { database: db, runService: service, sso: null });
  districtKey = (await createApiKey(db, { role: 'district', schools: [SCHOOL] })).key;
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

describe('GET /metrics after a run', () => {
  let runId: string;
  let run: { state: string; counts: Record<string, number> };
  let samples: Sample[];
  let text: string;

  beforeAll(async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: { authorization: `Bearer ${districtKey}` },
      payload: { schoolCode: SCHOOL, streams: ['students'], mode: 'full' },
    });
    expect(res.statusCode).toBe(202);
    runId = (res.json() as { id: string }).id;
    run = await waitForRun(runId);
    const scraped = await scrape(app);
    expect(scraped.res.statusCode).toBe(200);
    text = scraped.res.body;
    samples = scraped.samples;
  }, 60_000);

  it('is Prometheus text, version 0.0.4, never cached', async () => {
    const { res } = await scrape(app);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(sampleValue(samples, 'edubridge_info', { role: 'api' })).toBe(1);
  });

  it('counts the run as ended, succeeded, once', () => {
    expect(run.state).toBe('succeeded');
    expect(sampleValue(samples, 'edubridge_runs_ended_total', { school: SCHOOL, state: 'succeeded' })).toBe(
      1,
    );
    expect(
      sampleValue(samples, 'edubridge_runs_ended_total', { school: SCHOOL, state: 'failed' }),
    ).toBeUndefined();
    // Nothing is left running: every state a run passes through reads 0.
    for (const state of ['queued', 'pulling', 'pushing', 'held'])
      expect(sampleValue(samples, 'edubridge_runs', { state }), state).toBe(0);
  });

  it('counts records by school, target and outcome as the run counted them', () => {
    const refused = city.unknownStudentCodes.size;
    expect(refused).toBeGreaterThan(0);
    const students = school.state.data.students.size;
    expect(run.counts).toMatchObject({ pulled: students, created: students - refused, refused });
    const records = (outcome: string) =>
      sampleValue(samples, 'edubridge_records_total', { school: SCHOOL, target: 'city-edudb', outcome });
    expect(records('created')).toBe(run.counts.created);
    expect(records('refused')).toBe(refused);
    // Outcomes the run did not have are not made up.
    expect(records('updated')).toBeUndefined();
    expect(records('failed')).toBeUndefined();
  });

  it('counts batches, their latency and the gateway requests that carried them', async () => {
    const staged = await db.kysely
      .selectFrom('staged_batches')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('run_id', '=', runId)
      .executeTakeFirstOrThrow();
    const batches = Number(staged.n);
    // 30 students a class, a class a grade: more than one batch of 100.
    expect(batches).toBeGreaterThan(1);
    expect(
      sampleValue(samples, 'edubridge_batches_pushed_total', { target: 'city-edudb', outcome: 'answered' }),
    ).toBe(batches);
    expect(sampleValue(samples, 'edubridge_batch_push_seconds_count', { target: 'city-edudb' })).toBe(
      batches,
    );
    expect(
      sampleValue(samples, 'edubridge_batch_push_seconds_bucket', { target: 'city-edudb', le: '+Inf' }),
    ).toBe(batches);
    expect(
      sampleValue(samples, 'edubridge_batch_push_seconds_sum', { target: 'city-edudb' }),
    ).toBeGreaterThan(0);
    // One exchange a batch (the token is fetched apart, not through an exchange).
    expect(
      sampleValue(samples, 'edubridge_gateway_requests_total', { target: 'city-edudb', status: '200' }),
    ).toBe(batches);
  });

  it('reads open dead letters and the last success from the store', async () => {
    expect(
      sampleValue(samples, 'edubridge_dead_letters_open', { school: SCHOOL, target: 'city-edudb' }),
    ).toBe(city.unknownStudentCodes.size);
    const row = await db.kysely
      .selectFrom('runs')
      .select('finished_at')
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(sampleValue(samples, 'edubridge_school_last_success_timestamp_seconds', { school: SCHOOL })).toBe(
      row.finished_at!.getTime() / 1_000,
    );
    expect(sampleValue(samples, 'edubridge_metrics_collect_ok', { part: 'store' })).toBe(1);
  });

  it('reads every queue the settings imply, empty now', () => {
    for (const queue of ['runs', 'push-city-edudb', 'schedules']) {
      for (const state of ['wait', 'prioritized', 'active', 'delayed', 'failed'])
        expect(sampleValue(samples, 'edubridge_queue_jobs', { queue, state }), `${queue} ${state}`).toBe(0);
      expect(sampleValue(samples, 'edubridge_queue_oldest_waiting_age_seconds', { queue })).toBe(0);
    }
    expect(sampleValue(samples, 'edubridge_metrics_collect_ok', { part: 'queues' })).toBe(1);
  });

  it('has the process metrics', () => {
    expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('names no person and no record: no personal ID, no record key, no name', async () => {
    const table = school.state.data.students;
    const students = table.idList().map((id) => table.get(id)!);
    // The students' and their guardians' ID numbers (12 digits), wherever the school keeps them.
    const personalIds = new Set(JSON.stringify(students).match(/\d{12}/g));
    expect(personalIds.size).toBeGreaterThan(students.length);
    const keys = await db.kysely.selectFrom('ledger').select('record_key').execute();
    expect(keys.length).toBe(run.counts.created);
    for (const id of personalIds) expect(text).not.toContain(id);
    for (const { record_key } of keys) expect(text).not.toContain(record_key);
    for (const { hoTen } of students) expect(text).not.toContain(hoTen);
    // Every label value is one of a few known kinds.
    const labelNames = new Set(samples.flatMap((s) => Object.keys(s.labels)));
    for (const name of labelNames)
      expect([
        'school',
        'target',
        'outcome',
        'state',
        'status',
        'queue',
        'part',
        'role',
        'le',
        'method',
        'result',
        'reason',
        'version',
        'major',
        'minor',
        'patch',
        'space',
        'kind',
        'type',
      ]).toContain(name);
  });
});

describe('the queue gauges', () => {
  it('count waiting jobs and the age of the oldest, from both ends of a prioritized queue', async () => {
    // SSC configured but no worker for it here: its push queue only fills.
    const sscConfig = loadConfig(
      { REDIS_PREFIX: PREFIX, LOG_LEVEL: 'silent', SSC_GATEWAY_URL: 'http://127.0.0.1:9/' },
      { envFile: false },
    );
    const redis = queueConnection(sscConfig.REDIS_URL);
    connections.push(redis);
    const queue = createPushQueue(redis, PREFIX, 'ssc');
    const twentyMinutesAgo = Date.now() - 20 * 60_000;
    // Priority 1 runs first; the old one sits at the far end of the set, behind 30 young ones.
    for (let i = 0; i < 30; i++)
      await queue.add('push', { runId: 'r', batchId: `young-${i}` }, { priority: 1 });
    await queue.add('push', { runId: 'r', batchId: 'old' }, { priority: 9, timestamp: twentyMinutesAgo });
    await queue.add('push', { runId: 'r', batchId: 'plain' });
    const other = await buildApp(sscConfig, { database: db, sso: null });
    try {
      const { samples } = await scrape(other);
      expect(sampleValue(samples, 'edubridge_queue_jobs', { queue: 'push-ssc', state: 'prioritized' })).toBe(
        31,
      );
      expect(sampleValue(samples, 'edubridge_queue_jobs', { queue: 'push-ssc', state: 'wait' })).toBe(1);
      // A configured target with no letter open reads 0, so that a rise from none is a rise.
      expect(sampleValue(samples, 'edubridge_dead_letters_open', { school: SCHOOL, target: 'ssc' })).toBe(0);
      const age = sampleValue(samples, 'edubridge_queue_oldest_waiting_age_seconds', { queue: 'push-ssc' })!;
      expect(age).toBeGreaterThanOrEqual(20 * 60);
      expect(age).toBeLessThan(20 * 60 + 30);
    } finally {
      await other.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});

describe('gateway requests that got no answer', () => {
  it('are counted by what kept them from an answer', async () => {
    const reserved = await reservePort();
    await reserved.release();
    const gateway = createGatewayClient({
      ...(city.gatewayClientOptions() as unknown as GatewayClientOptions),
      baseUrl: `http://127.0.0.1:${reserved.port}/`,
      target: 'nowhere',
    } as GatewayClientOptions);
    const before = sampleValue((await scrape(app)).samples, 'edubridge_gateway_requests_total', {
      target: 'nowhere',
      status: 'network',
    });
    await expect(
      gateway.send({ service: 's', operation: 'o', body: [], idempotencyKey: 'k', correlationId: 'c' }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/UNREACHABLE/) });
    gateway.close();
    const after = sampleValue((await scrape(app)).samples, 'edubridge_gateway_requests_total', {
      target: 'nowhere',
      status: 'network',
    });
    expect(before).toBeUndefined();
    expect(after).toBe(1);
  });
});

describe('METRICS_TOKEN', () => {
  let guarded: App;
  beforeAll(async () => {
    guarded = await buildApp(
      loadConfig({ REDIS_PREFIX: PREFIX, LOG_LEVEL: 'silent', METRICS_TOKEN: TOKEN }, { envFile: false }),
      { database: db, sso: null },
    );
  });
  afterAll(async () => {
    await guarded?.close();
  });

  it('refuses a scrape without it, with a problem and a challenge', async () => {
    const { res } = await scrape(guarded);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 401, code: 'METRICS_TOKEN_REQUIRED' });
    expect(res.body).not.toContain(TOKEN);
  });

  it('refuses a wrong one, and an API key', async () => {
    expect((await scrape(guarded, { authorization: `Bearer ${TOKEN}x` })).res.statusCode).toBe(401);
    expect((await scrape(guarded, { authorization: `Bearer ${districtKey}` })).res.statusCode).toBe(401);
  });

  it('answers with it', async () => {
    const { res, samples } = await scrape(guarded, { authorization: `Bearer ${TOKEN}` });
    expect(res.statusCode).toBe(200);
    expect(sampleValue(samples, 'edubridge_info', { role: 'api' })).toBe(1);
  });
});

describe("a worker's own /metrics", () => {
  it('is off unless WORKER_METRICS_PORT is given', async () => {
    expect(config.WORKER_METRICS_PORT).toBe(0);
    expect(await serveWorkerMetrics(config, { database: db })).toBeUndefined();
  });

  it('serves its breakers, its queues and the store on its port, behind the token', async () => {
    const reserved = await reservePort();
    await reserved.release();
    const workerConfig = loadConfig(
      {
        REDIS_PREFIX: PREFIX,
        LOG_LEVEL: 'silent',
        METRICS_TOKEN: TOKEN,
        WORKER_METRICS_PORT: String(reserved.port),
      },
      { envFile: false },
    );
    // The worker's breaker for the city is as the run left it (closed); one for SSC, opened.
    const ssc = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 60_000 });
    ssc.failure();
    const breakers = new Map([...worker.breakers, ['ssc', ssc]]);
    const served = await serveWorkerMetrics(workerConfig, { database: db, breakers });
    expect(served).toBeDefined();
    try {
      const url = `http://127.0.0.1:${reserved.port}`;
      expect(served!.address).toEqual({ host: '127.0.0.1', port: reserved.port });
      const refused = await fetch(`${url}/metrics`);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ code: 'METRICS_TOKEN_REQUIRED' });
      expect((await fetch(`${url}/other`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(
        404,
      );
      const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const samples = parse(await res.text());
      expect(sampleValue(samples, 'edubridge_info', { role: 'worker' })).toBe(1);
      const breaker = (target: string, state: string) =>
        sampleValue(samples, 'edubridge_breaker_state', { target, state });
      expect([breaker('city-edudb', 'closed'), breaker('city-edudb', 'open')]).toEqual([1, 0]);
      expect([breaker('ssc', 'closed'), breaker('ssc', 'half-open'), breaker('ssc', 'open')]).toEqual([
        0, 0, 1,
      ]);
      expect(sampleValue(samples, 'edubridge_queue_jobs', { queue: 'runs', state: 'wait' })).toBe(0);
      expect(
        sampleValue(samples, 'edubridge_dead_letters_open', { school: SCHOOL, target: 'city-edudb' }),
      ).toBe(city.unknownStudentCodes.size);
    } finally {
      await served?.close();
    }
  });
});
