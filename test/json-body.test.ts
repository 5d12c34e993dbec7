/**
 * JSON bodies through the real app (issue 14, finding 8): a body nested deeper than BODY_MAX_DEPTH,
 * however small, is the client's mistake and gets 400 BODY_TOO_DEEP as problem details, where it
 * used to overflow the stack of the route that serialised it (500); Fastify's own protections of the
 * JSON parser (prototype poisoning, empty bodies) stay as they were.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { createApiKey, createDatabase, type Database, migrateToLatest } from '../src/store/index.ts';

const SCHOOL = '79NB0001';
const PROBLEM_JSON = 'application/problem+json; charset=utf-8';

let db: Database;
let key: string;
const apps: App[] = [];

beforeAll(async () => {
  db = await createDatabase({});
  await migrateToLatest(db);
  key = (await createApiKey(db, { role: 'district', schools: [SCHOOL] })).key;
}, 60_000);

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await db.close();
});

async function app(env: Record<string, string> = {}): Promise<App> {
  const config = loadConfig(
    { LOG_LEVEL: 'silent', REDIS_PREFIX: `edubridge-test-${randomUUID().slice(0, 8)}`, ...env },
    { envFile: false },
  );
  const built = await buildApp(config, { database: db });
  apps.push(built);
  return built;
}

/** A card read at school whose chip JSON nests `depth` objects deep. */
const offlineCheck = (depth: number) =>
  `{"school":"${SCHOOL}","purpose":"gate-check","payload":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;

const post = (hub: App, payload: string) =>
  hub.inject({
    method: 'POST',
    url: '/v1/identity/offline',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    payload,
  });

describe('a JSON body nested too deep', () => {
  it('10,000 levels, 60 KB under the body limit, is 400 BODY_TOO_DEEP, not a 500', async () => {
    const hub = await app();
    const body = offlineCheck(10_000);
    expect(body.length).toBeLessThan(loadConfig({}, { envFile: false }).BODY_LIMIT_BYTES);

    const response = await post(hub, body);

    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe(PROBLEM_JSON);
    expect(response.json()).toEqual({
      type: 'urn:edubridge:problem:body-too-deep',
      title: 'Thân yêu cầu lồng quá sâu / The request body nests too deeply',
      status: 400,
      detail: 'JSON của thân yêu cầu lồng sâu hơn 32 cấp / The JSON body nests deeper than 32 levels',
      instance: '/v1/identity/offline',
      code: 'BODY_TOO_DEEP',
    });
  });

  it('is judged against BODY_MAX_DEPTH: the route answers a body within it', async () => {
    const hub = await app({ BODY_MAX_DEPTH: '4' });

    // The body itself is one level, the payload three more: within 4, read by the route.
    const within = await post(hub, offlineCheck(3));
    expect(within.statusCode).toBe(422);
    expect(within.json()).toMatchObject({ code: 'IDENTITY_PAYLOAD' });

    const over = await post(hub, offlineCheck(4));
    expect(over.statusCode).toBe(400);
    expect(over.json()).toMatchObject({ code: 'BODY_TOO_DEEP', detail: expect.stringContaining('4 levels') });
  });
});

describe('the JSON parser keeps Fastify’s protections', () => {
  it('refuses __proto__ and constructor.prototype, and an empty body, with 400', async () => {
    const hub = await app();
    for (const poisoned of [
      `{"school":"${SCHOOL}","purpose":"gate-check","payload":{"__proto__":{"admin":true}}}`,
      `{"school":"${SCHOOL}","purpose":"gate-check","payload":{"constructor":{"prototype":{"admin":true}}}}`,
    ]) {
      const response = await post(hub, poisoned);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'REQUEST_MALFORMED' });
    }
    const empty = await post(hub, '');
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ code: 'REQUEST_MALFORMED' });
  });
});
