import { createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { type App, type AppDeps, buildApp, closeRedis, createRedis, ProblemError } from '../src/app/index.ts';
import { type Config, loadConfig } from '../src/config/index.ts';
import { createDatabase, type Database } from '../src/store/index.ts';
import { freshPostgres } from './support/services.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const CLOSED_PORT_REDIS_URL = 'redis://127.0.0.1:1';
const PROBLEM_JSON = 'application/problem+json; charset=utf-8';

function configWith(env: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', REDIS_URL, ...env }, { envFile: false });
}

// One embedded database for the tests that only need *a* working one: PGlite takes seconds to boot.
let pglite: Database;
const opened: { apps: App[]; redis: Redis[] } = { apps: [], redis: [] };

beforeAll(async () => {
  pglite = await createDatabase({});
});

afterAll(async () => {
  await pglite.close();
});

afterEach(async () => {
  await Promise.all(opened.apps.splice(0).map((app) => app.close()));
  await Promise.all(opened.redis.splice(0).map((redis) => closeRedis(redis)));
});

/** An app on the shared PGlite and a fresh client of the real Redis; `routes` adds test routes. */
async function appWith(options: {
  env?: Record<string, string>;
  deps?: AppDeps;
  routes?: (app: App) => void;
}) {
  const config = configWith(options.env);
  const redis = options.deps?.redis ?? createRedis(config.REDIS_URL);
  opened.redis.push(redis);
  const app = await buildApp(config, { database: pglite, ...options.deps, redis });
  opened.apps.push(app);
  options.routes?.(app);
  return app;
}

async function ownedApp(env: Record<string, string>) {
  const app = await buildApp(configWith(env));
  opened.apps.push(app);
  return app;
}

describe('GET /healthz', () => {
  test('answers ok without touching Redis', async () => {
    const redis = createRedis(CLOSED_PORT_REDIS_URL);
    const app = await appWith({ deps: { redis } });

    const response = await app.inject({ method: 'GET', url: '/healthz' });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
    expect(redis.status).toBe('wait');
  });
});

describe('GET /readyz', () => {
  test('is ready with the real Redis and PGlite in memory', async () => {
    const app = await ownedApp({});

    const response = await app.inject({ method: 'GET', url: '/readyz' });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', checks: { redis: 'ok', database: 'ok' } });
  });

  test('is ready with the real Redis and PostgreSQL', async () => {
    // A database of its own: the shared one may hold another checkout's migrations.
    const postgres = await freshPostgres('readyz');
    try {
      const app = await ownedApp({ DATABASE_URL: postgres.url });

      const response = await app.inject({ method: 'GET', url: '/readyz' });

      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ready', checks: { redis: 'ok', database: 'ok' } });
      await app.close();
    } finally {
      await postgres.drop();
    }
  });

  test('names redis when nothing listens on its port', async () => {
    const app = await appWith({ env: { REDIS_URL: CLOSED_PORT_REDIS_URL } });

    const response = await app.inject({ method: 'GET', url: '/readyz' });

    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toBe(PROBLEM_JSON);
    expect(response.json()).toEqual({
      type: 'urn:edubridge:problem:not-ready',
      title: 'Hub chưa sẵn sàng / The hub is not ready',
      status: 503,
      detail: 'Chưa sẵn sàng: redis / Not ready: redis',
      instance: '/readyz',
      code: 'NOT_READY',
      checks: { redis: 'down: connect ECONNREFUSED 127.0.0.1:1', database: 'ok' },
    });
  });

  test('keeps naming the cause while ioredis retries in the background', async () => {
    const app = await appWith({ env: { REDIS_URL: CLOSED_PORT_REDIS_URL } });
    await app.inject({ method: 'GET', url: '/readyz' });

    const again = await app.inject({ method: 'GET', url: '/readyz' });

    expect(again.statusCode).toBe(503);
    expect(again.json().checks.redis).toBe('down: connect ECONNREFUSED 127.0.0.1:1');
  });

  test('names the database when PostgreSQL refuses connections', async () => {
    const app = await ownedApp({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' });

    const response = await app.inject({ method: 'GET', url: '/readyz' });

    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      detail: 'Chưa sẵn sàng: database / Not ready: database',
      checks: { redis: 'ok', database: 'down: connect ECONNREFUSED 127.0.0.1:1' },
    });
  });

  describe('with a Redis that accepts connections but never answers', () => {
    let silent: Server;
    const sockets = new Set<Socket>();

    beforeAll(async () => {
      silent = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });

    test('gives up after about a second and says so', async () => {
      const { port } = silent.address() as { port: number };
      const app = await appWith({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });

      const started = performance.now();
      const response = await app.inject({ method: 'GET', url: '/readyz' });
      const elapsed = performance.now() - started;

      expect(response.statusCode).toBe(503);
      expect(response.json().checks).toEqual({ redis: 'down: no answer within 1000 ms', database: 'ok' });
      expect(elapsed).toBeGreaterThanOrEqual(950);
      // Far below ioredis's own 10 s of waiting, with room for a loaded CI machine.
      expect(elapsed).toBeLessThan(3_000);
    });
  });
});

describe('problem details', () => {
  test('an unknown route is a 404 problem', async () => {
    const app = await appWith({});

    const response = await app.inject({ method: 'GET', url: '/students/079123456789?school=Q1' });

    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe(PROBLEM_JSON);
    expect(response.json()).toEqual({
      type: 'urn:edubridge:problem:route-not-found',
      title: 'Không có đường dẫn này / No such route',
      status: 404,
      detail: 'Không có đường dẫn GET /students/079123456789 / No route GET /students/079123456789',
      instance: '/students/079123456789',
      code: 'ROUTE_NOT_FOUND',
    });
  });

  test('a request failing its schema is a 400 listing each failing field', async () => {
    const app = await appWith({
      routes: (app) =>
        app.post(
          '/classes',
          {
            schema: {
              body: z.object({ name: z.string().min(2), grade: z.number().int().min(1).max(12) }),
              response: { 201: z.object({ name: z.string() }) },
            },
          },
          async (request, reply) => reply.code(201).send({ name: request.body.name }),
        ),
    });

    const response = await app.inject({ method: 'POST', url: '/classes', payload: { name: '6', grade: 13 } });

    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe(PROBLEM_JSON);
    expect(response.json()).toEqual({
      type: 'urn:edubridge:problem:request-invalid',
      title: 'Yêu cầu có trường không hợp lệ / The request has invalid fields',
      status: 400,
      detail: '2 trường không hợp lệ: body.name, body.grade / 2 invalid field(s): body.name, body.grade',
      instance: '/classes',
      code: 'REQUEST_INVALID',
      errors: [
        { in: 'body', field: 'name', message: 'Too small: expected string to have >=2 characters' },
        { in: 'body', field: 'grade', message: 'Too big: expected number to be <=12' },
      ],
    });
  });

  test('malformed JSON is a 400 problem', async () => {
    const app = await appWith({ routes: (app) => app.post('/echo', async (request) => request.body) });

    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ status: 400, code: 'REQUEST_MALFORMED' });
  });

  test('a body over BODY_LIMIT_BYTES is a 413 problem', async () => {
    const app = await appWith({
      env: { BODY_LIMIT_BYTES: '64' },
      routes: (app) => app.post('/echo', async (request) => request.body),
    });

    const response = await app.inject({ method: 'POST', url: '/echo', payload: { note: 'x'.repeat(100) } });

    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ status: 413, code: 'BODY_TOO_LARGE' });
  });

  test('a ProblemError thrown by a route becomes its problem', async () => {
    const app = await appWith({
      routes: (app) =>
        app.post('/runs', async () => {
          throw new ProblemError({
            status: 409,
            code: 'RUN_ALREADY_ACTIVE',
            detail: 'Trường đang đồng bộ / The school is already syncing',
            extensions: { runId: 'run-42', status: 200 },
          });
        }),
    });

    const response = await app.inject({ method: 'POST', url: '/runs' });

    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toBe(PROBLEM_JSON);
    expect(response.json()).toEqual({
      type: 'urn:edubridge:problem:run-already-active',
      title: 'Xung đột / Conflict',
      status: 409,
      detail: 'Trường đang đồng bộ / The school is already syncing',
      instance: '/runs',
      code: 'RUN_ALREADY_ACTIVE',
      runId: 'run-42',
    });
  });

  test('a catalogued code takes its status, title and detail from the error catalogue', async () => {
    const app = await appWith({
      routes: (app) =>
        app.post('/runs/:id/release', async () => {
          throw new ProblemError({ code: 'RUN_NOT_HELD', values: { run: 'run-42', state: 'running' } });
        }),
    });

    const response = await app.inject({ method: 'POST', url: '/runs/run-42/release' });

    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({
      type: 'urn:edubridge:problem:run-not-held',
      title: 'Lần chạy không ở trạng thái tạm giữ / The run is not held',
      status: 409,
      detail: 'Lần chạy run-42 không ở trạng thái tạm giữ (running) / Run run-42 is not held (running)',
      instance: '/runs/run-42/release',
      code: 'RUN_NOT_HELD',
    });
  });

  test('a ProblemError refuses a status that is not an error', () => {
    expect(() => new ProblemError({ status: 200, code: 'OK' })).toThrow(RangeError);
  });

  test('an unexpected error is a generic 500 that echoes neither message nor stack', async () => {
    const app = await appWith({
      routes: (app) =>
        app.get('/fail', async () => {
          throw new Error('connection to 10.0.0.5 refused for user admin');
        }),
    });

    const response = await app.inject({ method: 'GET', url: '/fail' });

    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      type: 'urn:edubridge:problem:internal-error',
      title: 'Lỗi nội bộ của hub / Internal error of the hub',
      status: 500,
      detail: 'Lỗi không mong đợi, mã yêu cầu req-1 / Unexpected error, request id req-1',
      instance: '/fail',
      code: 'INTERNAL_ERROR',
    });
    expect(response.body).not.toContain('10.0.0.5');
    expect(response.body).not.toContain('at ');
  });
});

describe('logs', () => {
  test('redact personal IDs, passwords, the authorization header and cookies', async () => {
    const lines: string[] = [];
    const logStream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = await appWith({
      env: { LOG_LEVEL: 'info' },
      deps: { logStream },
      routes: (app) =>
        app.post('/login', async (request) => {
          request.log.info(
            { guardian: { personalId: '079185001234', password: 'mat-khau-1' }, headers: request.headers },
            'login attempt',
          );
          return { ok: true };
        }),
    });

    await app.inject({
      method: 'POST',
      url: '/login',
      headers: { authorization: 'Bearer eyJhbGciOi.secret-token', cookie: 'sid=abc123' },
      payload: {},
    });

    const entry = lines.map((line) => JSON.parse(line)).find((line) => line.msg === 'login attempt');
    expect(entry.guardian).toEqual({ personalId: '[Redacted]', password: '[Redacted]' });
    expect(entry.headers.authorization).toBe('[Redacted]');
    expect(entry.headers.cookie).toBe('[Redacted]');
    const output = lines.join('');
    for (const secret of ['079185001234', 'mat-khau-1', 'secret-token', 'abc123']) {
      expect(output).not.toContain(secret);
    }
  });
});

describe('API documentation', () => {
  test('serves OpenAPI 3.1 at /openapi.json', async () => {
    const app = await appWith({});

    const response = await app.inject({ method: 'GET', url: '/openapi.json' });

    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.title).toBe('EduBridge');
    expect(Object.keys(document.paths).sort()).toEqual([
      '/healthz',
      '/readyz',
      '/v1/audit',
      '/v1/dead-letters',
      '/v1/dead-letters/replay',
      '/v1/dead-letters/{id}',
      '/v1/district/overview',
      '/v1/identity/checks',
      '/v1/identity/offline',
      '/v1/identity/people/{id}/status',
      '/v1/people/lineage',
      '/v1/records/{stream}/{key}/history',
      '/v1/replay-requests',
      '/v1/replay-requests/{id}/approve',
      '/v1/replay-requests/{id}/reject',
      '/v1/reports/district',
      '/v1/reports/enrolment',
      '/v1/reports/levels',
      '/v1/reports/quality',
      '/v1/reports/scores',
      '/v1/runs',
      '/v1/runs/district',
      '/v1/runs/{id}',
      '/v1/runs/{id}/events',
      '/v1/runs/{id}/release',
      '/v1/schools/{code}/identity-coverage',
      '/v1/schools/{code}/payments',
      '/v1/schools/{code}/payments/pull',
      '/v1/schools/{code}/payments/{paymentId}/receipt',
      '/v1/schools/{code}/reconciliation',
      '/v1/schools/{code}/schedule',
      '/v1/schools/{code}/status',
      '/v1/whoami',
    ]);
  });

  test('serves Swagger UI at /docs', async () => {
    const app = await appWith({});

    const response = await app.inject({ method: 'GET', url: '/docs' });

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('Swagger UI');
  });
});
