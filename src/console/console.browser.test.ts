/**
 * The district console in a real browser (Debian's Chromium, driven by playwright-core) over a
 * real hub: a district of two schools synced through BullMQ workers, the REST school sandbox, the
 * gateway and the city simulator. The tests sign in, read every page against the API's own
 * answers, replay dead letters, release a held run, switch language, and check contrast with
 * axe-core. Screenshots go to CONSOLE_SCREENSHOTS (the README's are made with
 * `CONSOLE_SCREENSHOTS=docs/screenshots`), else to a temporary folder.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rest from '../../adapters/rest/index.ts';
import { type CitySandbox, startCitySandbox } from '../../sandbox/city-edudb/index.ts';
import { reservePort } from '../../sandbox/ports.ts';
import { type RestSchool, startRestSchool } from '../../sandbox/vendors/rest-school/index.ts';
import { startVneidSandbox, type VneidSandbox } from '../../sandbox/vneid/index.ts';
import { memoryDatabase } from '../../test/support/memory-database.ts';
import { type App, buildApp } from '../app/index.ts';
import { runObservers } from '../app/observers.ts';
import { ssoRelayFor } from '../app/sso.ts';
import { loadConfig } from '../config/index.ts';
import { createGatewayClient, type GatewayClientOptions } from '../gateway/index.ts';
import { createRunQueue, queueConnection } from '../pipeline/queue.ts';
import { RunService } from '../pipeline/service.ts';
import { loadSources } from '../pipeline/sources/index.ts';
import { type SyncWorkers, startSyncWorkers } from '../pipeline/workers.ts';
import { createApiKey, type Database, loadKeyring, peopleByKeys } from '../store/index.ts';
import { createCityEduDbTarget } from '../targets/city-edudb.ts';
import { consoleBundle } from './build.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DISTRICT = { schools: 2, seed: 16, classesPerGrade: 1, classSize: 14 };
const PREFIX = `edubridge-console-${randomUUID().slice(0, 8)}`;
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS;
const NAMES: Record<string, string> = { '79NB0001': 'THCS Nguyễn Bình Khiêm', '79NB0002': 'THCS Lê Văn Tám' };
/** District staff known to the simulated VNeID, named in SSO_DISTRICT_ADMINS for the first school only. */
const ADMIN = {
  personalId: '079085004321',
  fullName: 'Phạm Minh Khoa',
  birthDate: '1985-04-12',
  gender: 'male',
} as const;
/** Someone VNeID knows whom the hub does not list as district staff. */
const STRANGER = {
  personalId: '079090009876',
  fullName: 'Đỗ Thị Hạnh',
  birthDate: '1990-09-30',
  gender: 'female',
} as const;

let city: CitySandbox;
let vneid: VneidSandbox;
let school: RestSchool;
let db: Database;
let app: App;
let workers: SyncWorkers;
let service: RunService;
let browser: Browser;
let base: string;
let districtKey: string;
/** A second district user: approves what the first asked for (four eyes). */
let secondKey: string;
let dir: string;
let shots: string;
const connections: Array<{ disconnect(): void }> = [];
let schools: string[];
const measured: Record<string, number> = {};

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${base}/v1${path}`, { headers: { 'x-api-key': districtKey } });
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

async function post<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(`${base}/v1${path}`, {
    method: 'POST',
    headers: { 'x-api-key': districtKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, path).toBeLessThan(300);
  return (await response.json()) as T;
}

async function settled(runId: string): Promise<{ state: string }> {
  for (let i = 0; i < 300; i++) {
    const run = await get<{ state: string }>(`/runs/${runId}`);
    if (['succeeded', 'failed', 'held', 'cancelled'].includes(run.state)) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${runId} did not settle`);
}

/** A new tab signed in with the district key (or another), on the given view. */
async function signedIn(view = '/', key = districtKey): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.on('pageerror', (error) => {
    throw error;
  });
  await page.goto(`${base}/console/`);
  await page.getByTestId('api-key').fill(key);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('who').waitFor();
  if (view !== '/') await page.goto(`${base}/console/#${view}`);
  return page;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edubridge-console-'));
  shots = SCREENSHOTS ?? join(dir, 'screenshots');
  await mkdir(shots, { recursive: true });
  city = await startCitySandbox({ personality: 'wso2', district: { ...DISTRICT, unknownEvery: 7 } });
  school = await startRestSchool({ ...DISTRICT, auth: { type: 'apiKey', key: 'k' } });
  schools = Object.keys(NAMES);
  db = await memoryDatabase();
  const sourcesFile = join(dir, 'sources.json');
  await writeFile(
    sourcesFile,
    JSON.stringify(
      Object.fromEntries(
        schools.map((code) => [
          code,
          {
            name: NAMES[code],
            adapter: 'rest',
            config: { baseUrl: school.url, profile: 'sandbox-school', auth: { type: 'apiKey', key: 'k' } },
          },
        ]),
      ),
    ),
  );
  // The relay's issuer names the address the hub listens on: the port is chosen first.
  const port = await reservePort('127.0.0.1');
  base = `http://127.0.0.1:${port.port}`;
  const hubAtVneid = { clientId: 'edubridge-hub', clientSecret: randomUUID() };
  vneid = await startVneidSandbox({
    personality: 'dvcqg',
    citizens: [ADMIN, STRANGER],
    clients: [{ ...hubAtVneid, redirectUris: [`${base}/sso/callback`] }],
  });
  const config = loadConfig(
    {
      REDIS_PREFIX: PREFIX,
      SOURCES_FILE: sourcesFile,
      LOG_LEVEL: 'silent',
      PUBLIC_URL: base,
      // Four eyes from three letters on: the replay below waits for a second district user.
      REPLAY_APPROVAL_THRESHOLD: '2',
      SSO_DISTRICT_ADMINS: JSON.stringify({ [ADMIN.personalId]: [schools[0]] }),
    },
    { envFile: false },
  );
  const queueRedis = queueConnection(config.REDIS_URL);
  connections.push(queueRedis);
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
    holdThreshold: 0.1,
    // People are registered and education facts kept as the hub does: lineage and reports.
    ...runObservers(db, loadKeyring({ NODE_ENV: 'test' })),
  });
  workers = await startSyncWorkers({
    connect: () => queueConnection(config.REDIS_URL),
    prefix: PREFIX,
    service,
    sweepEveryMs: 0,
  });
  const relay = await ssoRelayFor(config, db, loadKeyring({ NODE_ENV: 'test' }), {
    upstream: { personality: 'dvcqg', issuer: vneid.issuer, ...hubAtVneid },
    cookieKeys: [randomUUID()],
  });
  app = await buildApp(config, { database: db, runService: service, sso: relay ?? null });
  app.addHook('onClose', async () => relay?.close());
  await port.release();
  await app.listen({ host: '127.0.0.1', port: port.port });
  districtKey = (await createApiKey(db, { role: 'district', schools })).key;
  secondKey = (await createApiKey(db, { role: 'district', schools })).key;

  // The district's first sync, then a change at the first school big enough to be held.
  const district = await post<{ runs: Array<{ id: string }> }>('/runs/district', { mode: 'full' });
  expect(district.runs).toHaveLength(schools.length);
  for (const run of district.runs) expect((await settled(run.id)).state).toBe('succeeded');
  const ids = school.state.data.students.idList();
  school.state.mutate({ students: { update: ids.slice(0, Math.ceil(ids.length * 0.4)) } });
  const held = await post<{ id: string }>('/runs', {
    schoolCode: schools[0],
    mode: 'full',
    streams: ['students'],
  });
  expect((await settled(held.id)).state).toBe('held');

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await workers?.close();
  await service?.close();
  await app?.close();
  for (const c of connections) c.disconnect();
  await db?.close();
  await school?.close();
  await city?.close();
  await vneid?.close();
  if (Object.keys(measured).length > 0) {
    // The figures for the note: page weight and load times as this browser measured them.
    console.log(`console measurements: ${JSON.stringify(measured)}`);
  }
  await rm(dir, { recursive: true, force: true });
});

describe('the browser is real', () => {
  it('Debian’s Chromium is installed where the tests look for it', () => {
    expect(existsSync(CHROMIUM)).toBe(true);
  });
});

describe('sign-in and the district overview', () => {
  it('a wrong key is refused with the API’s words; the district key opens the overview', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/console/`);
    await page.getByTestId('api-key').fill('eb_00000000_wrong');
    await page.getByTestId('sign-in').click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('API_KEY_INVALID');
    await page.close();
  });

  it('shows every school with the numbers and the reason the API gives', async () => {
    const page = await signedIn();
    await page.getByTestId('schools').waitFor();
    // The first view of someone signed in: from the request of the page to the table on screen.
    await page.reload();
    await page.getByTestId('schools').waitFor();
    measured.firstViewMs = Math.round(await page.evaluate(() => performance.now()));
    const overview = await get<{
      totals: Record<string, number>;
      schools: Array<{
        schoolCode: string;
        reasons: Array<{ vi: string; en: string }>;
        deadLetters: { open: number };
      }>;
    }>('/district/overview');
    expect(await page.getByTestId('total-schools').textContent()).toBe(String(overview.totals.schools));
    expect(await page.getByTestId('total-dead-letters').textContent()).toBe(
      String(overview.totals.openDeadLetters),
    );
    expect(overview.totals.openDeadLetters).toBeGreaterThan(0);
    for (const s of overview.schools) {
      const row = page.locator(`tr[data-school="${s.schoolCode}"]`);
      expect(await row.getByTestId('dead-letters').textContent()).toBe(String(s.deadLetters.open));
      expect(await row.getByTestId('reason').textContent()).toBe(s.reasons[0]!.vi);
    }
    await shot(page, 'console-overview');

    // Filter and search narrow the rows.
    await page.getByTestId('search').fill(NAMES['79NB0002']!.slice(5));
    await expect(page.locator('tbody tr').count()).resolves.toBe(1);
    await page.close();
  });

  it('a school key sees its own school only, and no other school’s page', async () => {
    const own = schools[1]!;
    const { key } = await createApiKey(db, { role: 'school', schools: [own] });
    const page = await browser.newPage();
    await page.goto(`${base}/console/`);
    await page.getByTestId('api-key').fill(key);
    await page.getByTestId('sign-in').click();
    await page.getByTestId('schools').waitFor();
    await expect(
      page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-school'))),
    ).resolves.toEqual([own]);
    await page.goto(`${base}/console/#/school/${schools[0]}`);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('FORBIDDEN_SCOPE');
    await page.close();
  });

  it('district staff sign in with VNeID through the hub’s relay and see the schools SSO_DISTRICT_ADMINS gives them; others are refused', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/console/`);
    await page.getByTestId('vneid').click();
    // The simulated VNeID's own login page, reached through the relay.
    await page.locator('select[name="personalId"]').selectOption(ADMIN.personalId);
    await page.locator('form button').click();
    await page.getByTestId('schools').waitFor();
    await expect(
      page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-school'))),
    ).resolves.toEqual([schools[0]]);
    // The API sees the person, not a key: the token is the relay's, the actor a keyed hash.
    const stored = await page.evaluate<string | null>(
      "sessionStorage.getItem('edubridge.console.credential')",
    );
    const token = (JSON.parse(stored ?? 'null') as { token?: string } | null)?.token;
    expect(token).toBeTruthy();
    const whoami = await fetch(`${base}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
    const principal = (await whoami.json()) as {
      kind: string;
      role: string;
      actor: string;
      schools: string[];
    };
    expect(principal).toMatchObject({ kind: 'sso', role: 'district', schools: [schools[0]] });
    expect(principal.actor).toMatch(/^sso:[0-9a-f]{16}$/);
    expect(principal.actor).not.toContain(ADMIN.personalId);
    // Its powers end at its schools.
    const other = await fetch(`${base}/v1/schools/${schools[1]}/status`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(other.status).toBe(403);
    await page.close();

    // Someone VNeID knows but the hub does not list as district staff gets no console.
    const stranger = await browser.newPage();
    await stranger.goto(`${base}/console/`);
    await stranger.getByTestId('vneid').click();
    await stranger.locator('select[name="personalId"]').selectOption(STRANGER.personalId);
    await stranger.locator('form button').click();
    await stranger.waitForLoadState('load');
    expect(await stranger.getByTestId('who').count()).toBe(0);
    expect(stranger.url().startsWith(`${base}/sso/`)).toBe(true);
    await stranger.close();

    // A token the console never had is refused in the API's words.
    const forged = await fetch(`${base}/v1/whoami`, { headers: { authorization: 'Bearer not-a-token' } });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { code: string }).code).toBe('ACCESS_TOKEN_INVALID');
  });

  it('switches to English and back, the reason following the language', async () => {
    const page = await signedIn();
    await page.getByTestId('lang').click();
    await expect(page.locator('h1').textContent()).resolves.toBe('District');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    const overview = await get<{ schools: Array<{ schoolCode: string; reasons: Array<{ en: string }> }> }>(
      '/district/overview',
    );
    const first = overview.schools[0]!;
    expect(
      await page.locator(`tr[data-school="${first.schoolCode}"]`).getByTestId('reason').textContent(),
    ).toBe(first.reasons[0]!.en);
    await page.getByTestId('lang').click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Toàn quận');
    await page.close();
  });

  it('loads under 300 KB of script, every byte from the hub', async () => {
    const page = await browser.newPage();
    const outside: string[] = [];
    let scriptBytes = 0;
    page.on('request', (request) => {
      if (!request.url().startsWith(base)) outside.push(request.url());
    });
    page.on('response', async (response) => {
      if (response.request().resourceType() === 'script') scriptBytes += (await response.body()).length;
    });
    await page.goto(`${base}/console/`);
    await page.getByTestId('api-key').waitFor();
    expect(outside).toEqual([]);
    const { weight } = await consoleBundle();
    expect(scriptBytes).toBe(weight.script);
    expect(scriptBytes).toBeLessThan(300 * 1024);
    measured.scriptBytes = scriptBytes;
    measured.styleBytes = weight.style;
    await page.close();
  });
});

describe('the school page', () => {
  it('groups dead letters by reason with who acts; a large replay waits for a second district user, whose approval delivers it', async () => {
    const code = schools[1]!;
    const page = await signedIn(`/school/${code}`);
    await page.getByTestId('letter-groups').waitFor();
    const status = await get<{
      deadLetters: { open: number; reasons: Array<{ count: number; action: { vi: string } }> };
    }>(`/schools/${code}/status`);
    const group = status.deadLetters.reasons[0]!;
    expect(group.count).toBeGreaterThan(2);
    const firstGroup = page.getByTestId('letter-groups').locator('tbody tr').first();
    await expect(firstGroup.textContent()).resolves.toContain(group.action.vi);
    await shot(page, 'console-school');

    // The city approves the students on its review list; a replay now delivers them.
    for (const entry of city.city.state.review.values()) {
      city.city.state.rosters.get(entry.schoolCode)?.HocSinh.set(entry.masterCode, entry.record as never);
    }
    await page.getByTestId('replay').first().click();
    await page.getByTestId('replay-message').waitFor();
    expect(await page.getByTestId('replay-message').textContent()).toContain('cán bộ quận thứ hai');
    // Nothing went yet; the request waits, and its author cannot approve it.
    expect((await get<{ deadLetters: { open: number } }>(`/schools/${code}/status`)).deadLetters.open).toBe(
      status.deadLetters.open,
    );
    await page.getByTestId('replay-requests').waitFor();
    await page.getByTestId('approve-replay').click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('FOUR_EYES_REQUIRED');
    await page.close();

    const second = await signedIn(`/school/${code}`, secondKey);
    await second.getByTestId('replay-requests').waitFor();
    expect(await second.getByTestId('replay-requests').locator('tbody tr').first().textContent()).toContain(
      String(group.count),
    );
    await second.getByTestId('approve-replay').click();
    await second.getByTestId('replay-requests').waitFor({ state: 'detached' });
    const after = await get<{ deadLetters: { open: number } }>(`/schools/${code}/status`);
    expect(after.deadLetters.open).toBe(status.deadLetters.open - group.count);
    await second.close();
  });

  it('looks a person up by personal ID: masked on the page, with every delivery the API lists', async () => {
    const code = schools[0]!;
    const row = await db.kysely
      .selectFrom('persons')
      .select('record_key')
      .where('school_code', '=', code)
      .where('role', '=', 'student')
      .where('personal_id_index', 'is not', null)
      .orderBy('record_key')
      .executeTakeFirstOrThrow();
    const [person] = await peopleByKeys(db, loadKeyring({ NODE_ENV: 'test' }), code, [row.record_key]);
    const personalId = person!.personalId!;
    const answer = await post<{ records: Array<{ lineage: unknown[] }> }>('/people/lineage', { personalId });
    expect(answer.records[0]!.lineage.length).toBeGreaterThan(0);

    const page = await signedIn(`/school/${code}`);
    await page.getByTestId('personal-id').fill(personalId);
    await page.getByTestId('personal-id').press('Enter');
    await page.getByTestId('lineage').waitFor();
    const shown = (await page.getByTestId('lineage').textContent()) ?? '';
    expect(shown).toContain(`${personalId.slice(0, 2)}********${personalId.slice(-2)}`);
    expect(shown).not.toContain(personalId);
    expect(await page.getByTestId('personal-id').inputValue()).toBe('');
    await expect(page.getByTestId('lineage').locator('li').count()).resolves.toBe(
      answer.records[0]!.lineage.length,
    );
    await page.close();
  });

  it('shows a held run with what caused the hold; releasing it delivers the run', async () => {
    const code = schools[0]!;
    const status = await get<{ heldRuns: string[] }>(`/schools/${code}/status`);
    expect(status.heldRuns).toHaveLength(1);
    const page = await signedIn(`/school/${code}`);
    await page.getByTestId('held-run').waitFor();
    await expect(page.getByTestId('hold-diff').textContent()).resolves.toContain('city-edudb');
    await page.getByTestId('release').click();
    const run = await settled(status.heldRuns[0]!);
    expect(run.state).toBe('succeeded');
    await page.close();
  });

  it('draws the run history chart from the runs the API lists', async () => {
    const code = schools[0]!;
    const runs = await get<{ runs: unknown[] }>(`/runs?school=${code}&limit=100`);
    const page = await signedIn(`/school/${code}`);
    await page.getByTestId('runs').waitFor();
    await expect(page.getByTestId('runs').locator('tbody tr').count()).resolves.toBe(runs.runs.length);
    await expect(page.locator('.chart canvas').count()).resolves.toBeGreaterThan(0);
    await page.close();
  });
});

describe('the education reports', () => {
  /** Every cell of the page's report tables, by sheet: the raw values the page keeps beside the text. */
  async function pageCells(page: Page): Promise<Map<string, string[][]>> {
    const tables = await page.getByTestId('report-table').evaluateAll((nodes) =>
      nodes.map((table) => ({
        sheet: table.getAttribute('data-sheet') ?? '',
        rows: [...table.querySelectorAll('tbody tr')].map((tr) =>
          [...tr.querySelectorAll('td')].map((td) => td.getAttribute('data-value') ?? ''),
        ),
      })),
    );
    return new Map(tables.map((t) => [t.sheet, t.rows]));
  }

  it('shows enrolment by grade as the API counts it, and its Excel download holds the page’s cells', async () => {
    const report = await get<{
      totals: { students: number };
      byGrade: Array<{ schoolCode: string; grade: number | null; students: number }>;
    }>('/reports/enrolment');
    expect(report.totals.students).toBeGreaterThan(0);
    const page = await signedIn('/reports/enrolment');
    await page.getByTestId('report-table').first().waitFor();
    const cells = await pageCells(page);
    const byGrade = cells.get('Sĩ số theo khối - By grade')!;
    expect(byGrade).toHaveLength(report.byGrade.length);
    // Students column (4th): the page's rows add up to the API's total.
    expect(byGrade.reduce((sum, row) => sum + Number(row[3]), 0)).toBe(report.totals.students);
    await expect(page.locator('.report-chart canvas').count()).resolves.toBeGreaterThan(0);
    await shot(page, 'console-reports');

    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
    expect(file.suggestedFilename()).toMatch(/^bao-cao-si-so-toan-quan-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const path = join(dir, file.suggestedFilename());
    await file.saveAs(path);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    expect(workbook.worksheets.map((w) => w.name).sort()).toEqual([...cells.keys()].sort());
    for (const sheet of workbook.worksheets) {
      const rows: string[][] = [];
      sheet.eachRow((row, number) => {
        if (number === 1) return;
        const values: string[] = [];
        for (let c = 1; c <= sheet.columnCount; c++) {
          const value = row.getCell(c).value;
          values.push(value === null || value === undefined ? '' : String(value));
        }
        rows.push(values);
      });
      expect(rows, sheet.name).toEqual(cells.get(sheet.name));
    }
    await page.close();
  });

  it('compares the schools of the district and filters a report by school from the address', async () => {
    const district = await get<{ schools: Array<{ schoolCode: string; students: number }> }>(
      '/reports/district',
    );
    expect(district.schools.map((s) => s.schoolCode)).toEqual(schools);
    const page = await signedIn('/reports/district');
    await page.getByTestId('report-table').first().waitFor();
    const rows = (await pageCells(page)).get('Toàn quận - District')!;
    expect(rows.map((r) => [r[0], Number(r[1])])).toEqual(
      district.schools.map((s) => [s.schoolCode, s.students]),
    );

    await page.getByTestId('report-enrolment').click();
    await page.getByTestId('filter-school').selectOption(schools[1]!);
    const code = schools[1]!;
    // Functions, not strings: the hub's CSP rightly refuses eval in the page.
    type Dom = {
      location: { hash: string };
      document: { querySelectorAll(s: string): ArrayLike<{ getAttribute(n: string): string | null }> };
    };
    await page.waitForFunction(
      (c) => (globalThis as unknown as Dom).location.hash.includes(`school=${c}`),
      code,
    );
    await page.waitForFunction((c) => {
      const cells = (globalThis as unknown as Dom).document.querySelectorAll(
        '[data-testid="report-table"] tbody tr td:first-child',
      );
      return cells.length > 0 && Array.from(cells).every((td) => td.getAttribute('data-value') === c);
    }, code);
    const only = await get<{ totals: { students: number } }>(`/reports/enrolment?school=${schools[1]}`);
    const shown = (await pageCells(page)).get('Sĩ số theo khối - By grade')!;
    expect(shown.reduce((sum, row) => sum + Number(row[3]), 0)).toBe(only.totals.students);
    await page.close();
  });
});

describe('the run page', () => {
  it('shows the run’s counts and its state events at the times the run entered them', async () => {
    const code = schools[0]!;
    const runs = await get<{
      runs: Array<{ id: string; state: string; finishedAt: string; counts: { pulled: number } }>;
    }>(`/runs?school=${code}&limit=100`);
    const run = runs.runs.find((r) => r.state === 'succeeded')!;
    const page = await signedIn(`/run/${run.id}`);
    await expect(
      page.getByTestId('run-state').locator('[data-state]').getAttribute('data-state'),
    ).resolves.toBe(run.state);
    await expect(page.getByTestId('run-state').textContent()).resolves.toBe('thành công');
    await page.getByTestId('events').locator('li').first().waitFor();
    const counts = page.getByTestId('run-counts');
    expect(await counts.locator('[data-count="pulled"]').textContent()).toBe(String(run.counts.pulled));
    const stateEvent = await page.getByTestId('events').locator('li').first().textContent();
    expect(stateEvent).toContain('state: thành công');
    const shown = new Intl.DateTimeFormat('vi-VN', { dateStyle: 'short', timeStyle: 'short' }).format(
      new Date(run.finishedAt),
    );
    expect(stateEvent).toContain(shown);
    await shot(page, 'console-run');
    await page.close();
  });
});

describe('accessibility', () => {
  it('the overview, school and report pages have no WCAG 2.1 AA violations that axe-core finds', async () => {
    const axe = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    // Only this context lets the test inject axe: the hub's CSP rightly refuses inline scripts.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${base}/console/`);
    await page.getByTestId('api-key').fill(districtKey);
    await page.getByTestId('sign-in').click();
    await page.getByTestId('schools').waitFor();
    for (const view of ['/', `/school/${schools[1]}`, '/reports/district', '/reports/enrolment']) {
      await page.goto(`${base}/console/#${view}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      await page.addScriptTag({ content: axe });
      const violations = await page.evaluate(async () => {
        const result = await (
          globalThis as unknown as {
            axe: { run(o: unknown): Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> };
          }
        ).axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
        return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
      });
      expect(violations, view).toEqual([]);
    }
    await context.close();
  });

  it('the sign-in form works from the keyboard alone', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/console/`);
    await page.getByTestId('api-key').waitFor();
    // Skip link, language, then the key field: Tab reaches it, Enter submits.
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      if (
        await page
          .getByTestId('api-key')
          .evaluate(
            (el) =>
              el ===
              (el as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement,
          )
      )
        break;
    }
    await page.keyboard.type(districtKey);
    await page.keyboard.press('Enter');
    await page.getByTestId('schools').waitFor();
    await page.close();
  });
});
