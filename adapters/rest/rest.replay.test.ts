/**
 * The REST adapter against recorded answers of the sandbox school system (fixtures/rest/). Record
 * them again with `RECORD=1 npx vitest run adapters/rest/rest.replay.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { startRestSchool } from '../../sandbox/vendors/rest-school/index.ts';
import { nockFixture } from '../../sandbox/vendors/shared/nock-fixture.ts';
import { checkRecord } from '../../src/model/index.ts';
import { parseAdapterConfig } from '../../src/sdk/index.ts';
import adapter from './index.ts';
import sandboxProfile from './profiles/sandbox-school.json' with { type: 'json' };
import { baseContext, memoryLogger, readAll, TEST_NOW } from './testing.ts';

const fixture = (name: string) => new URL(`../../fixtures/rest/${name}.json`, import.meta.url);
/** A tiny district: four classes of a few students, so recordings stay small. */
const TINY = {
  seed: 3,
  schools: 1,
  classesPerGrade: 1,
  classSize: 5,
  now: () => Date.parse('2026-11-01T00:00:00Z'),
};
const API_KEY = 'fixture-api-key-1';
const CLIENT = { clientId: 'edubridge-fixture', clientSecret: 'fixture-client-secret-1' };

/**
 * The shipped profile without the streams added since `students-apikey` was recorded (fees,
 * assessments): discover() asks every stream of its profile for a count. Once the fixture is
 * recorded again, the test can pass the shipped profile itself.
 */
const { fees: _fees, assessments: _assessments, ...recordedStreams } = sandboxProfile.streams;
const RECORDED_PROFILE = { ...sandboxProfile, streams: recordedStreams };

const config = (url: string, extra: Record<string, unknown> = {}) => ({
  baseUrl: url,
  profile: 'sandbox-school',
  auth: { type: 'apiKey', key: API_KEY },
  pageSize: 10,
  retry: { maxAttempts: 3, backoffMs: 5, maxRetryAfterMs: 2_000 },
  ...extra,
});

describe('rest adapter, replayed', () => {
  it('checks, discovers and reads students page by page (API key)', async () => {
    const fx = await nockFixture({
      file: fixture('students-apikey'),
      start: () => startRestSchool({ ...TINY, auth: { type: 'apiKey', key: API_KEY } }),
      secrets: [API_KEY],
    });
    try {
      const parsed = parseAdapterConfig(
        adapter.configSchema,
        config(fx.url, { profile: RECORDED_PROFILE }),
        'rest',
      );
      expect(await adapter.check(parsed, baseContext())).toEqual({ ok: true });
      const discovery = await adapter.discover(parsed, baseContext());
      expect(discovery.schools).toEqual([{ schoolCode: '79NB0001', name: 'THCS Nguyễn Bình Khiêm' }]);
      const students = discovery.streams.find((s) => s.name === 'students')!.count!;
      const { records, rejected, checkpoint } = await readAll(adapter, 'students', config(fx.url));
      expect(records).toHaveLength(students);
      expect(students).toBeGreaterThan(10);
      expect(rejected).toEqual([]);
      expect(records.flatMap((r) => checkRecord(r, { asOf: TEST_NOW }).problems)).toEqual([]);
      expect(records[0]).toMatchObject({
        type: 'student',
        key: expect.stringMatching(/^rest-sandbox-school:student-\d+$/),
      });
      expect(checkpoint).toMatchObject({ since: expect.stringMatching(/^2026-06-15T/) });
    } finally {
      await fx.done();
    }
  });

  it('reads changes only after a mutation (OAuth2, tombstones)', async () => {
    const fx = await nockFixture({
      file: fixture('students-incremental-oauth2'),
      start: () => startRestSchool({ ...TINY, auth: { type: 'oauth2', ...CLIENT } }),
      secrets: [CLIENT.clientSecret],
    });
    try {
      const c = config(fx.url, { auth: { type: 'oauth2', tokenUrl: '/oauth/token', ...CLIENT } });
      const full = await readAll(adapter, 'students', c);
      const mutation = fx.live?.state.mutate({ students: { update: 2, delete: 1 } });
      const next = await readAll(adapter, 'students', c, { checkpoint: full.checkpoint! });
      expect(next.records).toHaveLength(2);
      expect(next.deleted).toHaveLength(1);
      const keys = new Set(full.records.map((r) => r.key));
      expect([...next.records.map((r) => r.key), ...next.deleted].every((k) => keys.has(k))).toBe(true);
      expect(next.checkpoint).toMatchObject({ since: expect.stringMatching(/^2026-11-01T/) });
      if (mutation) {
        expect(next.deleted).toEqual(
          mutation.students!.deleted.map((id) => `rest-sandbox-school:student-${id}`),
        );
      }
    } finally {
      await fx.done();
    }
  });

  it('waits out a recorded 429 with Retry-After and a 503', async () => {
    const fx = await nockFixture({
      file: fixture('classes-429-503'),
      start: () =>
        startRestSchool({
          ...TINY,
          auth: { type: 'apiKey', key: API_KEY },
          faults: {
            rateLimit: { count: 1, retryAfterSeconds: 0.05 },
            serverErrors: { count: 1, status: 503 },
          },
        }),
      secrets: [API_KEY],
    });
    try {
      const logger = memoryLogger();
      const { records } = await readAll(adapter, 'classes', config(fx.url, { pageSize: 2 }), { logger });
      expect(records.map((r) => r.key)).toEqual([
        'rest-sandbox-school:class-79NB0001-2025-2026-6A1',
        'rest-sandbox-school:class-79NB0001-2025-2026-7A1',
        'rest-sandbox-school:class-79NB0001-2025-2026-8A1',
        'rest-sandbox-school:class-79NB0001-2025-2026-9A1',
      ]);
      expect(
        logger.entries.filter((e) => e.msg === 'retrying').map((e) => [e.data?.code, e.data?.waitMs]),
      ).toEqual([
        ['HTTP_429', 50],
        ['HTTP_503', expect.any(Number)],
      ]);
    } finally {
      await fx.done();
    }
  });

  it('reports a refused API key from check()', async () => {
    const fx = await nockFixture({
      file: fixture('check-refused'),
      start: () => startRestSchool({ ...TINY, auth: { type: 'apiKey', key: API_KEY } }),
      secrets: [API_KEY],
    });
    try {
      const parsed = parseAdapterConfig(
        adapter.configSchema,
        config(fx.url, { auth: { type: 'apiKey', key: 'wrong-key-0' } }),
        'rest',
      );
      expect(await adapter.check(parsed, baseContext())).toMatchObject({
        ok: false,
        problems: [{ code: 'AUTH_REFUSED' }],
      });
    } finally {
      await fx.done();
    }
  });
});
