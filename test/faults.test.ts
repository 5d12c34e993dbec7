/**
 * The sync engine's circuit breaker and the gateway's quota, with real Redis and the sandbox
 * school, gateway and city at the edges. After each, the city must hold exactly the school's valid
 * students it knows (each applied once: version 1, every batch applied once) and the others must be
 * on its review list, parked in dead letters. (A worker killed, Redis restarted, an answer lost to a
 * timeout: `npm run faults` stages these against the hub's own processes, with the same checks.)
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rest from '../adapters/rest/index.ts';
import { type CitySandbox, startCitySandbox } from '../sandbox/city-edudb/index.ts';
import { type RestSchool, startRestSchool } from '../sandbox/vendors/rest-school/index.ts';
import { createGatewayClient, type GatewayClientOptions } from '../src/gateway/index.ts';
import { createRunQueue, queueConnection } from '../src/pipeline/queue.ts';
import { RunService } from '../src/pipeline/service.ts';
import { startSyncWorkers } from '../src/pipeline/workers.ts';
import { type Database, getRun, loadKeyring } from '../src/store/index.ts';
import { createCityEduDbTarget } from '../src/targets/city-edudb.ts';
import { memoryDatabase } from './support/memory-database.ts';
import { waitFor } from './support/services.ts';

const DISTRICT = { schools: 1, seed: 23, classesPerGrade: 4, classSize: 25 };
const SCHOOL = '79NB0001';
const VENDOR_KEY = 'faults-test-key';
const keyring = loadKeyring({ NODE_ENV: 'test' });
const adapterConfig = (school: RestSchool) => ({
  baseUrl: school.url,
  profile: 'sandbox-school',
  auth: { type: 'apiKey', key: VENDOR_KEY },
});

let school: RestSchool;
let dir: string;

beforeAll(async () => {
  school = await startRestSchool({ ...DISTRICT, auth: { type: 'apiKey', key: VENDOR_KEY } });
  dir = await mkdtemp(join(tmpdir(), 'edubridge-faults-'));
}, 60_000);

afterAll(async () => {
  await school?.close();
  await rm(dir, { recursive: true, force: true });
});

const newCity = (faults: Parameters<typeof startCitySandbox>[0] = {}) =>
  startCitySandbox({ personality: 'wso2', district: { ...DISTRICT, unknownEvery: 20 }, ...faults });

const target = (city: CitySandbox, timeoutMs?: number) =>
  createCityEduDbTarget({
    gateway: createGatewayClient({
      ...(city.gatewayClientOptions() as unknown as GatewayClientOptions),
      ...(timeoutMs ? { timeoutMs } : {}),
    }),
  });

const pgliteDb = async () => {
  const db = await memoryDatabase();
  return db;
};

/** The city holds exactly what it should after the run, each record and batch applied once. */
async function expectDeliveredExactlyOnce(db: Database, city: CitySandbox, runId: string) {
  const students = school.state.data.students.size;
  const unknown = city.unknownStudentCodes.size;
  expect(unknown).toBeGreaterThan(0);
  const run = await getRun(db, runId);
  expect(run?.state).toBe('succeeded');
  expect(run?.counts).toMatchObject({
    pulled: students,
    valid: students,
    created: students - unknown,
    refused: unknown,
    failed: 0,
  });
  const held = [...city.city.state.held.values()];
  expect(held).toHaveLength(students - unknown);
  expect(held.every((h) => h.version === 1)).toBe(true);
  expect(city.city.state.review.size).toBe(unknown);
  const batches = await db.kysely
    .selectFrom('staged_batches')
    .select(['id', 'pushed_at'])
    .where('run_id', '=', runId)
    .execute();
  expect(batches.every((b) => b.pushed_at !== null)).toBe(true);
  expect(city.city.state.batchesApplied).toBe(batches.length);
  const ledger = await db.kysely
    .selectFrom('ledger')
    .select(db.kysely.fn.countAll<number>().as('n'))
    .where('school_code', '=', SCHOOL)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  expect(Number(ledger.n)).toBe(students - unknown);
  const letters = await db.kysely
    .selectFrom('dead_letters')
    .select('code')
    .where('run_id', '=', runId)
    .execute();
  expect(letters.map((l) => l.code)).toEqual(Array(unknown).fill('UNKNOWN_MASTER'));
}

/**
 * The hub as a worker process runs it, here in the test: a queued run service and its worker pool
 * (its own key prefix), against `city`; `request()` asks for a full run of the school's students.
 */
async function startHub(
  city: CitySandbox,
  options: {
    redisUrl?: string;
    pushAttempts?: number;
    workers: Omit<Parameters<typeof startSyncWorkers>[0], 'connect' | 'prefix' | 'service'>;
  },
) {
  const redisUrl = options.redisUrl ?? 'redis://127.0.0.1:6379';
  const db = await pgliteDb();
  const prefix = `edubridge-test-${randomUUID().slice(0, 8)}`;
  const redis = queueConnection(redisUrl);
  const service = new RunService({
    db,
    keyring,
    queue: createRunQueue(redis, prefix),
    sources: async () => ({ [SCHOOL]: { adapter: 'rest', config: adapterConfig(school) } }),
    targets: () => [target(city)],
    loadAdapter: async () => rest,
    batchSize: 100,
    ...(options.pushAttempts ? { pushAttempts: options.pushAttempts } : {}),
  });
  const workers = await startSyncWorkers({
    connect: () => queueConnection(redisUrl),
    prefix,
    service,
    ...options.workers,
  });
  return {
    db,
    service,
    workers,
    request: async () =>
      (
        await service.request({
          schoolCode: SCHOOL,
          streams: ['students'],
          mode: 'full',
          requestedBy: 'test',
        })
      ).runId,
    async close() {
      await workers.close();
      await service.pushQueues
        .get('city-edudb')
        .obliterate({ force: true })
        .catch(() => {});
      await service.close();
      redis.disconnect();
      await db.close();
    },
  };
}

/** Waits for a run to succeed or fail. */
const runEnded = (db: Database, runId: string) =>
  waitFor(
    'the run to end',
    async () => {
      const run = await getRun(db, runId);
      return run && ['succeeded', 'failed'].includes(run.state) ? run : undefined;
    },
    60_000,
    100,
  );

describe('a target that stops answering', () => {
  it('an open circuit stops sending and parks the batches without spending their attempts', async () => {
    const city = await newCity();
    const hub = await startHub(city, {
      pushAttempts: 4,
      workers: {
        limits: { 'city-edudb': { requestsPerSecond: 100, concurrentBatches: 1 } },
        breaker: { failureThreshold: 3, cooldownMs: 1_500 },
        sweepEveryMs: 0,
      },
    });
    try {
      // The city is down for as long as it takes.
      city.city.faults.set({ unavailable: { count: 1_000_000, retryAfterSeconds: 0 } });
      const runId = await hub.request();
      const breaker = hub.workers.breakers.get('city-edudb')!;
      await waitFor('the circuit to open', () => (breaker.state === 'open' ? true : undefined), 30_000, 10);
      const refusedWhileOpen = city.city.state.faultsInjected.unavailable;
      expect(refusedWhileOpen).toBe(3);
      await new Promise((r) => setTimeout(r, 800));
      // Nothing was sent while the circuit was open.
      expect(city.city.state.faultsInjected.unavailable).toBe(refusedWhileOpen);
      city.city.faults.set({});
      await runEnded(hub.db, runId);
      expect(breaker.state).toBe('closed');
      await expectDeliveredExactlyOnce(hub.db, city, runId);
    } finally {
      await hub.close();
      await city.close();
    }
  }, 60_000);
});

describe('the gateway’s quota', () => {
  async function runUnderQuota(hubRequestsPerSecond: number) {
    const city = await newCity();
    city.gateway.setQuota({ requestsPerSecond: 3 });
    const hub = await startHub(city, {
      pushAttempts: 2,
      workers: {
        limits: { 'city-edudb': { requestsPerSecond: hubRequestsPerSecond, concurrentBatches: 4 } },
        sweepEveryMs: 0,
      },
    });
    try {
      const runId = await hub.request();
      await runEnded(hub.db, runId);
      await expectDeliveredExactlyOnce(hub.db, city, runId);
      return city.gateway.record.quotaRefusals;
    } finally {
      await hub.close();
      await city.close();
    }
  }

  it('a hub limited to half the quota is never refused', async () => {
    // BullMQ's limiter counts in fixed one-second windows, so two windows' worth can fall within
    // one second of the gateway's sliding window: half the quota is what stays under it.
    expect(await runUnderQuota(1)).toBe(0);
  }, 60_000);

  it('a hub set above it is throttled by 429s without spending attempts, and still delivers exactly', async () => {
    // Two attempts only: were a 429 an attempt, batches would land in dead letters.
    expect(await runUnderQuota(100)).toBeGreaterThan(0);
  }, 60_000);
});
