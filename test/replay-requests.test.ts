/**
 * Four eyes on large replays: a replay of more dead letters than REPLAY_APPROVAL_THRESHOLD sends
 * nothing and becomes a request; the requester cannot approve it, a second district user can (the
 * hub then replays exactly the letters the request covered), or rejects it; small replays go at
 * once. Real city simulator behind the gateway, real database.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rest from '../adapters/rest/index.ts';
import { type CitySandbox, startCitySandbox } from '../sandbox/city-edudb/index.ts';
import { type RestSchool, startRestSchool } from '../sandbox/vendors/rest-school/index.ts';
import { type App, buildApp } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { createGatewayClient, type GatewayClientOptions } from '../src/gateway/index.ts';
import { RunService } from '../src/pipeline/service.ts';
import { runSync } from '../src/pipeline/sync.ts';
import {
  createApiKey,
  type Database,
  type Keyring,
  listAudit,
  listDeadLetters,
  loadKeyring,
} from '../src/store/index.ts';
import { createCityEduDbTarget } from '../src/targets/city-edudb.ts';
import { memoryDatabase } from './support/memory-database.ts';

const SCHOOL = '79NB0001';
const DISTRICT = { schools: 1, seed: 11, classesPerGrade: 1, classSize: 12 };
const API_KEY = 'replay-requests-test-key';
const REFUSED = { code: 'SANDBOX_REFUSED', message: 'Từ chối để thử / refused for the test' };

let city: CitySandbox;
let school: RestSchool;
let db: Database;
let keyring: Keyring;
let app: App;
const keys = { first: '', second: '', school: '', otherDistrict: '' };
const prefixes = { first: '', second: '' };

const target = () =>
  createCityEduDbTarget({
    gateway: createGatewayClient(city.gatewayClientOptions() as unknown as GatewayClientOptions),
  });

const as = (key: string) => ({ authorization: `Bearer ${key}` });
const open = () => listDeadLetters(db, { schools: [SCHOOL] });

async function refusedRun(count: number) {
  city.city.faults.set({ refuse: { count, ...REFUSED } });
  // Every student changes, so the run sends them all and the city refuses the first `count`.
  school.state.mutate({ students: { update: school.state.data.students.idList() } });
  const result = await runSync({
    db,
    keyring,
    adapter: rest,
    adapterConfig: { baseUrl: school.url, profile: 'sandbox-school', auth: { type: 'apiKey', key: API_KEY } },
    targets: [target()],
    schoolCode: SCHOOL,
    streams: ['students'],
    mode: 'full',
    asOf: new Date('2026-12-07T00:00:00Z'),
    batchSize: 50,
    // Every student changes on purpose: not a run to hold.
    holdThreshold: 1,
  });
  expect(result.counts.refused, JSON.stringify(result.counts)).toBe(count);
  city.city.faults.set({});
}

beforeAll(async () => {
  city = await startCitySandbox({ personality: 'wso2', district: { ...DISTRICT, unknownEvery: 0 } });
  school = await startRestSchool({ ...DISTRICT, auth: { type: 'apiKey', key: API_KEY } });
  db = await memoryDatabase();
  keyring = loadKeyring({ NODE_ENV: 'test' });
  const service = new RunService({
    db,
    keyring,
    queue: undefined as never,
    sources: async () => ({}),
    targets: () => [target()],
  });
  const config = loadConfig(
    {
      REDIS_PREFIX: `edubridge-test-${randomUUID().slice(0, 8)}`,
      LOG_LEVEL: 'silent',
      REPLAY_APPROVAL_THRESHOLD: '3',
    },
    { envFile: false },
  );
  app = await buildApp(config, { database: db, runService: service });
  const first = await createApiKey(db, { role: 'district', schools: [SCHOOL] });
  const second = await createApiKey(db, { role: 'district', schools: [SCHOOL] });
  keys.first = first.key;
  keys.second = second.key;
  prefixes.first = first.prefix;
  prefixes.second = second.prefix;
  keys.school = (await createApiKey(db, { role: 'school', schools: [SCHOOL] })).key;
  keys.otherDistrict = (await createApiKey(db, { role: 'district', schools: ['79HP0002'] })).key;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  await school?.close();
  await city?.close();
});

describe('four eyes on large replays', () => {
  let requestId = '';
  let covered: string[] = [];

  it('a replay of more letters than the threshold sends nothing and waits for a second person', async () => {
    await refusedRun(6);
    covered = (await open()).map((l) => l.id).sort();
    expect(covered).toHaveLength(6);
    const asked = await app.inject({
      method: 'POST',
      url: '/v1/dead-letters/replay',
      headers: as(keys.first),
      payload: { school: SCHOOL, code: REFUSED.code },
    });
    expect(asked.statusCode).toBe(202);
    const { replayRequest } = asked.json() as {
      replayRequest: { id: string; count: number; state: string; requestedBy: string; schools: string[] };
    };
    expect(replayRequest).toMatchObject({
      count: 6,
      state: 'pending',
      requestedBy: `key:${prefixes.first}`,
      schools: [SCHOOL],
    });
    requestId = replayRequest.id;
    // Nothing went: the six are still open and the city holds none of them.
    const letters = await open();
    expect(letters.map((l) => l.id).sort()).toEqual(covered);
    const held = city.city.contentOf(SCHOOL);
    expect(letters.some((l) => held.has(l.record_key!))).toBe(false);

    const listed = await app.inject({
      method: 'GET',
      url: `/v1/replay-requests?school=${SCHOOL}`,
      headers: as(keys.school),
    });
    expect(listed.statusCode).toBe(200);
    expect((listed.json() as { requests: Array<{ id: string }> }).requests.map((r) => r.id)).toEqual([
      requestId,
    ]);
  });

  it('the requester cannot approve it, nor a school key, nor a district outside the school', async () => {
    const self = await app.inject({
      method: 'POST',
      url: `/v1/replay-requests/${requestId}/approve`,
      headers: as(keys.first),
    });
    expect(self.statusCode, self.body).toBe(403);
    expect((self.json() as { code: string }).code).toBe('FOUR_EYES_REQUIRED');
    const bySchool = await app.inject({
      method: 'POST',
      url: `/v1/replay-requests/${requestId}/approve`,
      headers: as(keys.school),
    });
    expect(bySchool.statusCode).toBe(403);
    expect((bySchool.json() as { code: string }).code).toBe('FORBIDDEN_SCOPE');
    const outside = await app.inject({
      method: 'POST',
      url: `/v1/replay-requests/${requestId}/approve`,
      headers: as(keys.otherDistrict),
    });
    expect(outside.statusCode).toBe(403);
    expect(await open()).toHaveLength(6);
  });

  it('a second district user approves: exactly the covered letters are replayed, once', async () => {
    const approved = await app.inject({
      method: 'POST',
      url: `/v1/replay-requests/${requestId}/approve`,
      headers: as(keys.second),
    });
    expect(approved.statusCode).toBe(200);
    const body = approved.json() as {
      request: { state: string; decidedBy: string; result: Record<string, number> };
      result: { replayed: number; letters: Array<{ id: string; outcome: string }> };
    };
    expect(body.request).toMatchObject({
      state: 'approved',
      decidedBy: `key:${prefixes.second}`,
      result: { replayed: 6, stillRefused: 0, failed: 0, superseded: 0 },
    });
    expect(body.result.letters.map((l) => l.id).sort()).toEqual(covered);
    expect(await open()).toHaveLength(0);
    const replayed = await listDeadLetters(db, { ids: covered, state: 'replayed' });
    const held = city.city.contentOf(SCHOOL);
    expect(replayed.every((l) => held.has(l.record_key!))).toBe(true);

    const again = await app.inject({
      method: 'POST',
      url: `/v1/replay-requests/${requestId}/approve`,
      headers: as(keys.second),
    });
    expect(again.statusCode).toBe(409);
    expect((again.json() as { code: string }).code).toBe('REPLAY_REQUEST_DECIDED');
    // Both people are in the audit log against the request.
    const audit = await listAudit(db, { limit: 200 });
    const decisions = audit.filter(
      (e) => e.action === 'dead-letters:write' && e.decision === 'allow' && e.resource.includes('approve'),
    );
    expect(decisions.map((e) => e.actor)).toContain(`key:${prefixes.second}`);
  });

  it('a rejected request sends nothing; a replay within the threshold goes at once', async () => {
    await refusedRun(5);
    const letters = await open();
    expect(letters).toHaveLength(5);
    const asked = await app.inject({
      method: 'POST',
      url: '/v1/dead-letters/replay',
      headers: as(keys.school),
      payload: { all: true },
    });
    expect(asked.statusCode).toBe(202);
    const id = (asked.json() as { replayRequest: { id: string } }).replayRequest.id;
    const rejected = await app.inject({
      method: 'POST',
      url: `/v1/replay-requests/${id}/reject`,
      headers: as(keys.second),
    });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toMatchObject({ state: 'rejected', decidedBy: `key:${prefixes.second}` });
    expect(await open()).toHaveLength(5);

    const small = await app.inject({
      method: 'POST',
      url: '/v1/dead-letters/replay',
      headers: as(keys.school),
      payload: { ids: letters.slice(0, 3).map((l) => l.id) },
    });
    expect(small.statusCode).toBe(200);
    expect((small.json() as { replayed: number }).replayed).toBe(3);
    expect(await open()).toHaveLength(2);
  });
});
