/**
 * The CLI against a running hub: a real hub listens on a port with a run and its dead letters in
 * its (in-memory) database; `edubridge dead-letters …` and `edubridge runs …`, run as child
 * processes with EDUBRIDGE_URL and EDUBRIDGE_API_KEY, print what its API holds. Without them, with
 * an in-memory database of their own, they say it is empty and fail rather than answer "none".
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rest from '../adapters/rest/index.ts';
import { createHub, type Hub } from '../src/app/hub.ts';
import { runObservers } from '../src/app/observers.ts';
import { loadConfig } from '../src/config/index.ts';
import { runSync } from '../src/pipeline/sync.ts';
import { createApiKey, listDeadLetters, loadKeyring } from '../src/store/index.ts';
import { type SyncWorld, startSyncWorld } from './support/sync-world.ts';

const execFileAsync = promisify(execFile);
const bin = join(import.meta.dirname, '..', 'bin', 'edubridge.js');
const SCHOOL = '79NB0001';

let world: SyncWorld;
let hub: Hub;
let url: string;
let key: string;
let runId: string;

/** The CLI as a child process (never blocking this one, whose hub must answer it). */
async function cli(args: string[], env: Record<string, string>) {
  const { EDUBRIDGE_URL: _u, EDUBRIDGE_API_KEY: _k, EDUBRIDGE_API_URL: _a, ...rest } = process.env;
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [bin, ...args], {
      env: { ...rest, DATABASE_URL: '', PGLITE_DIR: '', ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout: string; stderr: string };
    return { code: e.code ?? -1, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  // One student in five unknown to the city: refused with UNKNOWN_MASTER, left in dead letters.
  world = await startSyncWorld({ seed: 5, classesPerGrade: 1, classSize: 12 }, 5);
  const keyring = loadKeyring({ NODE_ENV: 'test' });
  const observers = runObservers(world.db, keyring);
  runId = (
    await runSync({
      db: world.db,
      keyring,
      adapter: rest,
      adapterConfig: world.adapterConfig,
      targets: [world.target()],
      schoolCode: SCHOOL,
      streams: ['students'],
      mode: 'full',
      batchSize: 50,
      // Education facts kept as the hub keeps them: the report below has students to count.
      onValidRecords: (records) => observers.observeRecords(SCHOOL, records),
      onStreamEnd: (end) => observers.observeStreamEnd(SCHOOL, end),
    })
  ).runId;
  hub = await createHub(loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'test' }, { envFile: false }), {
    database: world.db,
    sso: null,
  });
  const app = await hub.app();
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  key = (await createApiKey(world.db, { role: 'district', schools: [SCHOOL] })).key;
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await world?.close();
});

describe('with EDUBRIDGE_URL and EDUBRIDGE_API_KEY', () => {
  it('lists the dead letters the running hub holds', async () => {
    const letters = await listDeadLetters(world.db, { schools: [SCHOOL] });
    expect(letters.length).toBe(world.city.unknownStudentCodes.size);
    expect(letters.length).toBeGreaterThan(0);
    const r = await cli(['dead-letters', 'list'], { EDUBRIDGE_URL: url, EDUBRIDGE_API_KEY: key });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`city-edudb UNKNOWN_MASTER (${letters.length}) → city: `);
    for (const letter of letters)
      expect(r.stdout).toContain(`  ${letter.id}  ${SCHOOL}  students  ${letter.record_key}`);
    expect(r.stdout).not.toContain(key);
  });

  it('lists its runs and shows one', async () => {
    const list = await cli(['runs', 'list', '--json'], { EDUBRIDGE_URL: url, EDUBRIDGE_API_KEY: key });
    expect(list.code).toBe(0);
    const runs = (JSON.parse(list.stdout) as { runs: { id: string; state: string; schoolCode: string }[] })
      .runs;
    expect(runs).toEqual([expect.objectContaining({ id: runId, state: 'succeeded', schoolCode: SCHOOL })]);
    const show = await cli(['runs', 'show', runId], { EDUBRIDGE_URL: url, EDUBRIDGE_API_KEY: key });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`^${runId}  ${SCHOOL}  succeeded `));
  });

  it('discards a dead letter through the API, which then holds it discarded', async () => {
    const [letter] = await listDeadLetters(world.db, { schools: [SCHOOL] });
    const r = await cli(['dead-letters', 'discard', letter!.id], {
      EDUBRIDGE_URL: url,
      EDUBRIDGE_API_KEY: key,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Đã bỏ / Discarded ${letter!.id}\n`);
    const [after] = await listDeadLetters(world.db, { ids: [letter!.id], state: 'all' });
    expect(after!.discarded_at).toBeInstanceOf(Date);
    // Twice: the API's own refusal, in its words.
    const again = await cli(['dead-letters', 'discard', letter!.id], {
      EDUBRIDGE_URL: url,
      EDUBRIDGE_API_KEY: key,
    });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      'Lỗi / Error [DEAD_LETTER_CLOSED]: Thư chết đã được xử lý / The dead letter is already discarded',
    );
  });

  it('says what the API said of a wrong key, in words, without a stack or the key', async () => {
    const wrong = 'eb_00000000_not-a-real-key-at-all';
    const r = await cli(['dead-letters', 'list'], { EDUBRIDGE_URL: url, EDUBRIDGE_API_KEY: wrong });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Lỗi \/ Error \[API_KEY_INVALID\]: .+ \/ .+\n$/);
    expect(r.stderr).not.toContain(wrong);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a held-run release of a run that is not held with the API’s code', async () => {
    const r = await cli(['runs', 'release', runId], { EDUBRIDGE_URL: url, EDUBRIDGE_API_KEY: key });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[RUN_NOT_HELD]');
    expect(r.stderr).toContain('succeeded');
  });
});

describe('edubridge report through the running hub', () => {
  it('prints the API’s own answer with --json, and the same numbers in its table', async () => {
    const env = { EDUBRIDGE_URL: url, EDUBRIDGE_API_KEY: key };
    const r = await cli(['report', 'enrolment', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const api = (await (
      await fetch(`${url}/v1/reports/enrolment`, { headers: { 'x-api-key': key } })
    ).json()) as {
      generatedAt: string;
      totals: { students: number };
      byGrade: Array<{ grade: number | null; students: number; male: number; female: number }>;
    };
    const { generatedAt: _a, ...printed } = JSON.parse(r.stdout) as typeof api;
    const { generatedAt: _b, ...answered } = api;
    expect(printed).toEqual(answered);
    expect(answered.totals.students).toBeGreaterThan(0);
    const table = await cli(['report', 'enrolment'], env);
    expect(table.code, table.stderr).toBe(0);
    for (const g of answered.byGrade) {
      expect(table.stdout).toMatch(
        new RegExp(`^${SCHOOL}\\s+\\S+\\s+${g.grade}\\s+${g.students}\\s+${g.male}\\s+${g.female}$`, 'm'),
      );
    }
  });
});

describe('without them', () => {
  it('on an in-memory database says it is empty and fails, rather than "No dead letters"', async () => {
    for (const args of [
      ['dead-letters', 'list'],
      ['runs', 'list'],
      ['runs', 'release', runId],
      ['report', 'enrolment'],
    ]) {
      const r = await cli(args, {});
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(
        'In-memory database, empty: this process sees nothing of a running hub; set EDUBRIDGE_URL and EDUBRIDGE_API_KEY (the demo prints them) or DATABASE_URL',
      );
      expect(r.stderr).toContain('Cơ sở dữ liệu trong bộ nhớ, trống: ');
    }
  });

  it('names the missing one when only one of the two is set', async () => {
    const r = await cli(['dead-letters', 'list'], { EDUBRIDGE_URL: url });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[HUB_ACCESS_INCOMPLETE]');
    expect(r.stderr).toContain('EDUBRIDGE_URL is set but EDUBRIDGE_API_KEY is not');
  });

  it('will not send the key over plain http to another machine', async () => {
    const r = await cli(['dead-letters', 'list'], {
      EDUBRIDGE_URL: 'http://hub.example.org:8080',
      EDUBRIDGE_API_KEY: key,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[HUB_URL_REFUSED]');
    expect(r.stderr).not.toContain(key);
  });
});
