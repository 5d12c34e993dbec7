/**
 * The one composition root: `createHub(config)` builds the hub's parts once, the API and the
 * workers share them (a run asked for through the API is carried out by the same hub's workers,
 * into the same database), and `close()` closes everything it made, so the process can leave.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rest from '../adapters/rest/index.ts';
import { type CitySandbox, startCitySandbox } from '../sandbox/city-edudb/index.ts';
import { type RestSchool, startRestSchool } from '../sandbox/vendors/rest-school/index.ts';
import { createHub, type Hub, type HubWorkers } from '../src/app/hub.ts';
import type { App } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { createAdapterCatalogue } from '../src/pipeline/sources/index.ts';
import { createApiKey, getRun } from '../src/store/index.ts';
import { cityEnv } from './support/services.ts';

const run = promisify(execFile);
const SCHOOL = '79NB0001';
const DISTRICT = { schools: 1, seed: 23, classesPerGrade: 1, classSize: 15 };

let city: CitySandbox;
let school: RestSchool;
let dir: string;
let env: Record<string, string>;
let hub: Hub;
let app: App;
let workers: HubWorkers;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edubridge-hub-'));
  city = await startCitySandbox({ personality: 'wso2', district: { ...DISTRICT, unknownEvery: 8 } });
  school = await startRestSchool({ ...DISTRICT, auth: { type: 'apiKey', key: 'k' } });
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
  // Everything from settings, as `edubridge serve` and `edubridge worker` read them: the city's
  // gateway, the sources file, PGlite in memory, the local Redis under a prefix of this test's own.
  env = {
    ...cityEnv(city),
    SOURCES_FILE: sourcesFile,
    REDIS_PREFIX: `edubridge-test-${randomUUID().slice(0, 8)}`,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
  };
  hub = await createHub(loadConfig(env, { envFile: false }), {
    adapters: createAdapterCatalogue({ rest: async () => rest }),
    sso: null,
  });
  app = await hub.app();
  workers = await hub.startWorkers({ concurrency: 1 });
}, 60_000);

afterAll(async () => {
  await hub?.close();
  await school?.close();
  await city?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('createHub', () => {
  it('carries out with its own workers a run queued through its own API, in one database', async () => {
    const { key } = await createApiKey(hub.database, { role: 'district', schools: [SCHOOL] });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: { authorization: `Bearer ${key}` },
      payload: { schoolCode: SCHOOL, streams: ['students'], mode: 'full' },
    });
    expect(res.statusCode).toBe(202);
    const id = (res.json() as { id: string }).id;
    let row = await getRun(hub.database, id);
    for (let i = 0; i < 300 && !['succeeded', 'failed', 'held'].includes(row?.state ?? ''); i++) {
      await new Promise((r) => setTimeout(r, 100));
      row = await getRun(hub.database, id);
    }
    const students = school.state.data.students.size;
    const unknown = city.unknownStudentCodes.size;
    expect(unknown).toBeGreaterThan(0);
    expect(row).toMatchObject({ state: 'succeeded', school_code: SCHOOL });
    expect(row!.counts).toMatchObject({ pulled: students, created: students - unknown, refused: unknown });
    // The city holds what the hub's workers sent: one record per student it knows.
    expect(city.city.contentOf().size).toBe(students - unknown);
    // The workers' breakers are the configured targets'.
    expect([...workers.sync.breakers.keys()]).toEqual(['city-edudb']);
  });

  it('makes each part once: the app and the workers hold the same run service', () => {
    expect(hub.runs()).toBe(hub.runs());
    expect(hub.identity().queue).toBe(hub.identity().queue);
  });

  it('closes everything it made: a process that built, served and closed a hub leaves by itself', async () => {
    const script = join(import.meta.dirname, 'support', 'hub-lifecycle.ts');
    const started = Date.now();
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, ...env, DATABASE_URL: '', PGLITE_DIR: '' },
      timeout: 45_000,
    });
    expect(stdout).toBe('closed not listening\n');
    // Well under the 45 s timeout: nothing kept it waiting (a lingering handle keeps it forever).
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});
