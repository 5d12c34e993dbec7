/**
 * A sync run end to end, against simulators only at the edges: the sandbox REST school system
 * (read by the `rest` adapter), the rules, the ledger in PGlite, the LGSP gateway and the city
 * Education DB simulator. The city must end up holding exactly what it should.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import excel from '../adapters/excel/index.ts';
import rest from '../adapters/rest/index.ts';
import { type CitySandbox, startCitySandbox } from '../sandbox/city-edudb/index.ts';
import { type RestSchool, startRestSchool } from '../sandbox/vendors/rest-school/index.ts';
import { createGatewayClient, type GatewayClientOptions } from '../src/gateway/index.ts';
import { decideHeldRun } from '../src/pipeline/release.ts';
import { runSync } from '../src/pipeline/sync.ts';
import { DEFAULT_INPUT_LIMITS } from '../src/sdk/index.ts';
import { type Database, type Keyring, loadKeyring } from '../src/store/index.ts';
import { createCityEduDbTarget } from '../src/targets/city-edudb.ts';
import { memoryDatabase } from './support/memory-database.ts';
import { startSyncWorld } from './support/sync-world.ts';

const DISTRICT = { schools: 1, seed: 11, classesPerGrade: 2, classSize: 20 };
const SCHOOL = '79NB0001';
const API_KEY = 'sync-test-key';

let city: CitySandbox;
let school: RestSchool;
let db: Database;
let keyring: Keyring;

beforeAll(async () => {
  city = await startCitySandbox({ personality: 'wso2', district: { ...DISTRICT, unknownEvery: 10 } });
  school = await startRestSchool({ ...DISTRICT, auth: { type: 'apiKey', key: API_KEY } });
  db = await memoryDatabase();
  keyring = loadKeyring({ NODE_ENV: 'test' });
}, 60_000);

afterAll(async () => {
  await db?.close();
  await school?.close();
  await city?.close();
});

const target = () =>
  createCityEduDbTarget({
    gateway: createGatewayClient(city.gatewayClientOptions() as unknown as GatewayClientOptions),
  });

/**
 * A world of its own for one test (its city, its school system, its ledger: startSyncWorld), so
 * that each test sets up what it needs and stands alone, whatever ran before it.
 */
async function world() {
  const w = await startSyncWorld(DISTRICT, 10);
  return {
    ...w,
    students: () => w.school.state.data.students.size,
    unknown: () => w.city.unknownStudentCodes.size,
    sync: (mode: 'full' | 'incremental') =>
      runSync({
        db: w.db,
        keyring,
        adapter: rest,
        adapterConfig: {
          ...w.adapterConfig,
          retry: { maxAttempts: 3, backoffMs: 10, maxRetryAfterMs: 2_000 },
        },
        targets: [w.target()],
        schoolCode: SCHOOL,
        streams: ['students'],
        mode,
        asOf: new Date('2026-11-27T00:00:00Z'),
        batchSize: 100,
      }),
  };
}
type World = Awaited<ReturnType<typeof world>>;

/** Runs a test in a world of its own, closed afterwards whatever happened. */
async function inWorld(test: (w: World) => Promise<void>): Promise<void> {
  const w = await world();
  try {
    await test(w);
  } finally {
    await w.close();
  }
}

/** A first full sync, which every later step of a school's life starts from. */
async function firstSync(w: World) {
  const result = await w.sync('full');
  expect(result.state).toBe('succeeded');
  return result;
}

/** A full sync held for changing 30 % of what the city holds. */
async function heldRun(w: World) {
  await firstSync(w);
  const ids = w.school.state.data.students.idList();
  w.school.state.mutate({ students: { update: ids.slice(0, Math.ceil(ids.length * 0.3)) } });
  const before = w.city.city.state.batchesApplied;
  const result = await w.sync('full');
  return { result, before };
}

describe('runSync', () => {
  it('a first full sync delivers every valid student the city knows, and parks the others', () =>
    inWorld(async (w) => {
      const held = w.city.city.contentOf(SCHOOL).size;
      const result = await w.sync('full');
      const [students, unknown] = [w.students(), w.unknown()];
      expect(unknown).toBeGreaterThan(0);
      expect(result.state).toBe('succeeded');
      expect(result.counts).toMatchObject({
        pulled: students,
        valid: students,
        invalid: 0,
        unchanged: 0,
        created: students - unknown,
        refused: unknown,
        failed: 0,
      });
      expect(w.city.city.contentOf(SCHOOL).size - held).toBe(students - unknown);
      const letters = await w.db.kysely
        .selectFrom('dead_letters')
        .select(['code', 'record_key'])
        .where('run_id', '=', result.runId)
        .execute();
      expect(letters).toHaveLength(unknown);
      expect(new Set(letters.map((l) => l.code))).toEqual(new Set(['UNKNOWN_MASTER']));
      expect(w.city.city.state.review.size).toBe(unknown);
    }));

  it('a second full scan pushes nothing new: known students are unchanged, refused ones are tried again', () =>
    inWorld(async (w) => {
      await firstSync(w);
      const [students, unknown] = [w.students(), w.unknown()];
      const applied = w.city.city.state.batchesApplied;
      const result = await w.sync('full');
      expect(result.counts).toMatchObject({
        pulled: students,
        unchanged: students - unknown,
        created: 0,
        updated: 0,
        deleted: 0,
      });
      expect(result.counts.refused).toBe(unknown);
      // Only the batch of refused students went out again.
      expect(w.city.city.state.batchesApplied - applied).toBeLessThanOrEqual(Math.ceil(unknown / 100) + 1);
    }));

  it('an incremental sync after three changes at the school pushes exactly those', () =>
    inWorld(async (w) => {
      await firstSync(w);
      const known = [...w.school.state.data.students.idList()].filter((id) => {
        const s = w.school.state.data.students.get(id) as { maHocSinh?: string } | undefined;
        return s?.maHocSinh !== undefined && !w.city.unknownStudentCodes.has(s.maHocSinh);
      });
      await w.sync('incremental'); // takes the first checkpoint
      w.school.state.mutate({ students: { update: known.slice(0, 3) } });
      const result = await w.sync('incremental');
      expect(result.state).toBe('succeeded');
      expect(result.counts).toMatchObject({ pulled: 3, updated: 3, created: 0, unchanged: 0 });
    }));

  it('holds a run that would change more than a tenth of what the city holds', () =>
    inWorld(async (w) => {
      const { result, before } = await heldRun(w);
      expect(result.state).toBe('held');
      expect(result.hold?.reasons[0]).toMatchObject({ target: 'city-edudb', stream: 'students' });
      expect(result.hold?.reasons[0]?.share).toBeGreaterThan(0.1);
      expect(w.city.city.state.batchesApplied).toBe(before);
    }));

  it('releasing the held run delivers what it staged, and the next scan finds nothing to do', () =>
    inWorld(async (w) => {
      const { result: held } = await heldRun(w);
      expect(held.state).toBe('held');
      const [students, unknown] = [w.students(), w.unknown()];
      const before = w.city.city.state.batchesApplied;
      const decide = (decision: 'release' | 'discard') =>
        decideHeldRun({
          db: w.db,
          keyring,
          targets: [w.target()],
          runId: held.runId,
          decision,
          decidedBy: 'test',
        });
      const decided = await decide('release');
      expect(decided.state).toBe('succeeded');
      expect(decided.counts.updated).toBeGreaterThan(students * 0.2);
      expect(w.city.city.state.batchesApplied).toBeGreaterThan(before);
      const again = await w.sync('full');
      expect(again.state).toBe('succeeded');
      expect(again.counts).toMatchObject({ created: 0, updated: 0, unchanged: students - unknown });
      await expect(decide('discard')).rejects.toMatchObject({ code: 'RUN_NOT_HELD' });
    }));

  it('a page broken at every try ends the run failed with the page named, and the next run is free to go', () =>
    inWorld(async (w) => {
      w.school.state.faults.set({ brokenPages: 100 });
      let error: unknown;
      try {
        error = await w.sync('full').catch((e: unknown) => e);
      } finally {
        w.school.state.faults.set({});
      }
      expect(error).toMatchObject({ code: 'PAGE_MALFORMED', retryable: true, tries: 3 });
      expect((error as Error).message).toContain(
        'Page 1 of /api/v1/hoc-sinh?trang=1&kichThuoc=500: malformed JSON after 3 tries',
      );
      const run = await w.db.kysely
        .selectFrom('runs')
        .select(['state', 'report'])
        .orderBy('started_at', 'desc')
        .executeTakeFirstOrThrow();
      expect(run.state).toBe('failed');
      expect((run.report as { failure?: unknown }).failure).toEqual({
        code: 'PAGE_MALFORMED',
        message: (error as Error).message,
      });
      expect((await w.sync('full')).state).toBe('succeeded');
    }));
});

describe('runSync of a school file over the hub’s bounds', () => {
  it('ends the run failed with FILE_LIMIT_EXCEEDED, the bound passed to the adapter as ctx.limits', async () => {
    const error = await runSync({
      db,
      keyring,
      adapter: excel,
      adapterConfig: {
        path: join(import.meta.dirname, '..', 'fixtures', 'excel', 'students-c1.xlsx'),
        kind: 'students',
        schoolCode: SCHOOL,
      },
      targets: [target()],
      schoolCode: SCHOOL,
      streams: ['students'],
      mode: 'full',
      asOf: new Date('2026-11-27T00:00:00Z'),
      // The sample's rows are 23 cells wide.
      inputLimits: { ...DEFAULT_INPUT_LIMITS, maxCellsPerRow: 20 },
    }).catch((e: unknown) => e);

    expect(error).toMatchObject({
      code: 'FILE_LIMIT_EXCEEDED',
      limit: 'maxCellsPerRow',
      max: 20,
      setting: 'SHEET_MAX_CELLS_PER_ROW',
    });
    const run = await db.kysely
      .selectFrom('runs')
      .select(['state', 'report'])
      .orderBy('started_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(run.state).toBe('failed');
    expect((run.report as { failure?: { code?: string } }).failure?.code).toBe('FILE_LIMIT_EXCEEDED');
  });
});

describe('runSync against a misbehaving city side', () => {
  it('ends right through 503s, 429 with Retry-After, an expired gateway token and partial refusals', async () => {
    const faulty = await startCitySandbox({
      personality: 'wso2',
      district: { ...DISTRICT, unknownEvery: 1_000_000 },
    });
    try {
      const faultyTarget = createCityEduDbTarget({
        gateway: createGatewayClient(faulty.gatewayClientOptions() as unknown as GatewayClientOptions),
      });
      faulty.city.faults.set({
        unavailable: { count: 2, retryAfterSeconds: 0 },
        refuse: { count: 4, code: 'TEMPORARY_LOCK' },
      });
      faulty.gateway.faults.set({ rateLimit: { count: 1, retryAfterSeconds: 0 } });
      faulty.gateway.expireTokens();
      const isolated = await memoryDatabase();
      try {
        const result = await runSync({
          db: isolated,
          keyring,
          adapter: rest,
          adapterConfig: {
            baseUrl: school.url,
            profile: 'sandbox-school',
            auth: { type: 'apiKey', key: API_KEY },
          },
          targets: [faultyTarget],
          schoolCode: SCHOOL,
          streams: ['students'],
          mode: 'full',
          asOf: new Date('2026-11-27T00:00:00Z'),
          batchSize: 50,
          pushAttempts: 5,
        });
        const students = school.state.data.students.size;
        expect(result.state).toBe('succeeded');
        // Nothing lost: every record is either held by the city or parked with the city's answer.
        expect(result.counts.created + result.counts.refused + result.counts.failed).toBe(students);
        expect(result.counts).toMatchObject({ refused: 4, failed: 0 });
        const letters = await isolated.kysely.selectFrom('dead_letters').select('code').execute();
        expect(letters.map((l) => l.code)).toEqual([
          'TEMPORARY_LOCK',
          'TEMPORARY_LOCK',
          'TEMPORARY_LOCK',
          'TEMPORARY_LOCK',
        ]);
        expect(faulty.city.contentOf(SCHOOL).size).toBe(students - 4);
      } finally {
        await isolated.close();
      }
    } finally {
      await faulty.close();
    }
  }, 60_000);
});

describe('edubridge sync', () => {
  it('syncs a school from its configured source to the configured city DB, then finds nothing new', async () => {
    const { spawn } = await import('node:child_process');
    const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'edubridge-sync-cli-'));
    const { SANDBOX_CREDENTIALS } = await import('../sandbox/city-edudb/index.ts');
    const cli = await startCitySandbox({
      personality: 'vnpt-lgsp',
      district: { ...DISTRICT, unknownEvery: 10 },
    });
    try {
      const sources = join(dir, 'sources.json');
      await writeFile(
        sources,
        JSON.stringify({
          [SCHOOL]: {
            adapter: 'rest',
            config: {
              baseUrl: school.url,
              profile: 'sandbox-school',
              auth: { type: 'apiKey', key: API_KEY },
            },
          },
        }),
      );
      const creds = SANDBOX_CREDENTIALS['vnpt-lgsp'];
      const env = {
        ...process.env,
        DATABASE_URL: '',
        PGLITE_DIR: join(dir, 'pglite'),
        DATA_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
        BLIND_INDEX_KEY: Buffer.alloc(32, 9).toString('base64'),
        SOURCES_FILE: sources,
        CITY_EDUDB_GATEWAY: 'vnpt-lgsp',
        CITY_EDUDB_GATEWAY_URL: cli.gatewayUrl,
        CITY_EDUDB_ACCESS_KEY: creds.accessKey,
        CITY_EDUDB_SECRET_KEY: creds.secretKey,
        CITY_EDUDB_PARTNER_CODE: creds.partnerCode,
        CITY_EDUDB_PARTNER_CODE_CUS: creds.partnerCodeCus,
        CITY_EDUDB_RECEIVER_CODE: '000.20.00.H29',
      };
      const run = (args: string[]) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn(
            process.execPath,
            [join(import.meta.dirname, '..', 'bin', 'edubridge.js'), ...args],
            { env },
          );
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d) => {
            stdout += d;
          });
          child.stderr.on('data', (d) => {
            stderr += d;
          });
          child.on('close', (code) => resolve({ code, stdout, stderr }));
        });
      const first = await run(['sync', '--school', SCHOOL, '--full', '--json']);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const a = JSON.parse(first.stdout) as { state: string; counts: Record<string, number> };
      const students = school.state.data.students.size;
      expect(a).toMatchObject({
        state: 'succeeded',
        counts: { pulled: students, refused: cli.unknownStudentCodes.size },
      });
      expect(a.counts.created).toBe(students - cli.unknownStudentCodes.size);
      const second = JSON.parse(
        (await run(['sync', '--school', SCHOOL, '--full', '--json'])).stdout,
      ) as typeof a;
      expect(second.counts).toMatchObject({
        created: 0,
        updated: 0,
        unchanged: students - cli.unknownStudentCodes.size,
      });
      const unknownSchool = await run(['sync', '--school', '79XX9999']);
      expect(unknownSchool.code).toBe(2);
      expect(unknownSchool.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      await cli.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
