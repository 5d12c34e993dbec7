/**
 * The district at a glance: a school's status is read from what its runs left in the database, its
 * colour follows the most urgent fact, and the reason is in words a person acts on. Real syncs
 * through the REST sandbox and the city simulator; the API answers what the page shows, within the
 * key's scope.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rest from '../adapters/rest/index.ts';
import { identityObserver } from '../src/app/identity.ts';
import { type App, buildApp } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { type ConfiguredSchool, schoolStatuses, statusesOf } from '../src/pipeline/school-status.ts';
import type { RunService } from '../src/pipeline/service.ts';
import { runSync } from '../src/pipeline/sync.ts';
import { kyselyOf } from '../src/store/db.ts';
import {
  createApiKey,
  createRun,
  listAudit,
  listDeadLetters,
  loadKeyring,
  peopleByKeys,
  recordCheck,
  schoolActivity,
  setRunState,
} from '../src/store/index.ts';
import { type SyncWorld, startSyncWorld } from './support/sync-world.ts';

const SCHOOL = '79NB0001';
const QUIET = '79NB0002';
const BROKEN = '79NB0003';
const keyring = loadKeyring({ NODE_ENV: 'test' });
const CONFIGURED: ConfiguredSchool[] = [
  { code: SCHOOL, name: 'THCS Nguyễn Bình Khiêm', adapter: 'rest' },
  { code: QUIET, adapter: 'rest' },
  {
    code: BROKEN,
    adapter: 'rest',
    problem: {
      code: 'SOURCE_SECRET_UNRESOLVED',
      message: 'Trường 79NB0003: thiếu biến SIS_KEY / School 79NB0003: variable SIS_KEY is not set',
    },
  },
];

let world: SyncWorld;
let firstRun: string;
let app: App;

beforeAll(async () => {
  // One student in six unknown to the city: refused with the city's words.
  world = await startSyncWorld({ seed: 7, classesPerGrade: 1, classSize: 12 }, 6);
  const result = await runSync({
    db: world.db,
    keyring,
    adapter: rest,
    adapterConfig: world.adapterConfig,
    targets: [world.target()],
    schoolCode: SCHOOL,
    streams: ['students'],
    mode: 'full',
    batchSize: 50,
    onValidRecords: (records) => identityObserver(world.db, keyring)(SCHOOL, records),
  });
  firstRun = result.runId;
  const configured = async () => CONFIGURED;
  app = await buildApp(loadConfig({ LOG_LEVEL: 'silent' }, { envFile: false }), {
    database: world.db,
    runService: { configuredSchools: configured, close: async () => {} } as unknown as RunService,
    sso: null,
  });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await world?.close();
});

describe('a school that synced with refusals', () => {
  it('is amber with the city’s refusal in words and counts that match the run', async () => {
    const [status] = await schoolStatuses(world.db, CONFIGURED, [SCHOOL]);
    const letters = await listDeadLetters(world.db, { schools: [SCHOOL] });
    const refused = world.city.unknownStudentCodes.size;
    expect(refused).toBeGreaterThan(0);
    expect(letters).toHaveLength(refused);

    expect(status).toMatchObject({ schoolCode: SCHOOL, name: 'THCS Nguyễn Bình Khiêm', colour: 'amber' });
    expect(status!.reasons[0]).toMatchObject({ code: 'DEAD_LETTERS_OPEN', colour: 'amber' });
    expect(status!.reasons[0]!.en).toMatch(new RegExp(`^City refused ${refused} students: .*unknown`));
    expect(status!.reasons[0]!.vi).toMatch(new RegExp(`^CSDL ngành từ chối ${refused} học sinh: `));
    expect(status!.deadLetters.open).toBe(refused);
    expect(status!.deadLetters.reasons[0]).toMatchObject({
      target: 'city-edudb',
      stream: 'students',
      actor: 'city',
    });

    const students = status!.streams.find((s) => s.stream === 'students')!;
    const run = await kyselyOf(world.db)
      .selectFrom('runs')
      .selectAll()
      .where('id', '=', firstRun)
      .executeTakeFirstOrThrow();
    expect(students).toMatchObject({ runId: firstRun, state: 'succeeded', read: run.counts.pulled, refused });
    expect(students.sent).toBe(
      run.counts.created + run.counts.updated + run.counts.deleted + refused + run.counts.failed,
    );
    expect(students.durationMs).toBe(run.finished_at!.getTime() - run.started_at!.getTime());
  });

  it('counts identity coverage as people whose personal ID C06 confirmed', async () => {
    const people = await kyselyOf(world.db)
      .selectFrom('persons')
      .select(['id', 'personal_id_index'])
      .where('school_code', '=', SCHOOL)
      .execute();
    const withId = people.filter((p) => p.personal_id_index !== null);
    expect(withId.length).toBeGreaterThan(2);
    for (const person of withId.slice(0, 2)) {
      await recordCheck(world.db, {
        personId: person.id,
        method: 'c06',
        result: 'verified',
        detail: null,
        requestedBy: 'test',
        purpose: 'overview test',
        validUntil: null,
      });
    }
    const [status] = await schoolStatuses(world.db, CONFIGURED, [SCHOOL]);
    expect(status!.identity).toEqual({
      people: people.length,
      withPersonalId: withId.length,
      confirmed: 2,
      confirmedShare: 2 / people.length,
    });
  });
});

describe('colours', () => {
  it('a school whose source cannot be read is red, a never-synced one grey, whatever else', async () => {
    const statuses = await schoolStatuses(world.db, CONFIGURED, undefined);
    const broken = statuses.find((s) => s.schoolCode === BROKEN)!;
    expect(broken.colour).toBe('red');
    expect(broken.reasons[0]!.en).toBe(
      "The school's software cannot be read: School 79NB0003: variable SIS_KEY is not set",
    );
    const quiet = statuses.find((s) => s.schoolCode === QUIET)!;
    expect(quiet).toMatchObject({ colour: 'grey', lastRunAt: null, streams: [] });
    expect(quiet.reasons.map((r) => r.code)).toEqual(['NEVER_SYNCED']);
  });

  it('a failed run is red with its failure, named once however many streams it carried', async () => {
    const runId = await createRun(world.db, {
      schoolCode: QUIET,
      adapterId: 'rest',
      adapterVersion: '1.0.0',
      mappingVersions: { 'city-edudb': 'v1' },
      streams: ['students', 'teachers'],
      mode: 'full',
    });
    await setRunState(world.db, runId, 'failed', {
      report: {
        failure: {
          code: 'SOURCE_UNAVAILABLE',
          message: 'Phần mềm trường không trả lời / The school system does not answer',
        },
      },
    });
    const [quiet] = await schoolStatuses(world.db, CONFIGURED, [QUIET]);
    expect(quiet!.colour).toBe('red');
    expect(quiet!.reasons.filter((r) => r.code === 'RUN_FAILED')).toEqual([
      {
        code: 'RUN_FAILED',
        colour: 'red',
        vi: 'Lần đồng bộ gần nhất thất bại: Phần mềm trường không trả lời',
        en: 'The last sync failed: The school system does not answer',
      },
    ]);
    expect(quiet!.streams.map((s) => s.stream).sort()).toEqual(['students', 'teachers']);
  });

  it('a school with a success older than a day and nothing open is amber; a fresh one green', async () => {
    const activity = await schoolActivity(world.db, [SCHOOL]);
    const withoutLetters = { ...activity, deadLetters: [] };
    const success = activity.lastSuccess.get(SCHOOL)!;
    const dayLater = new Date(success.getTime() + 25 * 3_600_000);
    const [stale] = statusesOf(withoutLetters, CONFIGURED.slice(0, 1), { now: dayLater });
    expect(stale!.reasons.map((r) => r.code)).toEqual(['NOT_SYNCED_RECENTLY']);
    expect(stale!.reasons[0]!.en).toBe('No successful sync in the last 24 hours');
    const [fresh] = statusesOf(withoutLetters, CONFIGURED.slice(0, 1), {
      now: new Date(success.getTime() + 60_000),
    });
    expect(fresh).toMatchObject({ colour: 'green', reasons: [{ code: 'OK' }] });
  });
});

describe('the API', () => {
  it('a district key sees its schools with totals that add up; a school key only its own', async () => {
    const district = await createApiKey(world.db, { role: 'district', schools: [SCHOOL, QUIET, BROKEN] });
    const overview = await app.inject({
      method: 'GET',
      url: '/v1/district/overview',
      headers: { 'x-api-key': district.key },
    });
    expect(overview.statusCode).toBe(200);
    const body = overview.json();
    expect(body.schools.map((s: { schoolCode: string }) => s.schoolCode)).toEqual([SCHOOL, QUIET, BROKEN]);
    expect(body.totals).toMatchObject({ schools: 3, red: 2, amber: 1, green: 0, grey: 0 });
    expect(body.totals.openDeadLetters).toBe(world.city.unknownStudentCodes.size);
    const direct = await schoolStatuses(world.db, CONFIGURED, [SCHOOL]);
    expect(body.schools[0]).toEqual(JSON.parse(JSON.stringify(direct[0])));

    const schoolKey = await createApiKey(world.db, { role: 'school', schools: [QUIET] });
    const own = await app.inject({
      method: 'GET',
      url: '/v1/district/overview',
      headers: { 'x-api-key': schoolKey.key },
    });
    expect(own.json().schools.map((s: { schoolCode: string }) => s.schoolCode)).toEqual([QUIET]);
    const other = await app.inject({
      method: 'GET',
      url: `/v1/schools/${SCHOOL}/status`,
      headers: { 'x-api-key': schoolKey.key },
    });
    expect(other.statusCode).toBe(403);
    const mine = await app.inject({
      method: 'GET',
      url: `/v1/schools/${QUIET}/status`,
      headers: { 'x-api-key': schoolKey.key },
    });
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({ schoolCode: QUIET, colour: 'red' });
  });

  it('an unknown school is a 404 problem naming it', async () => {
    const city = await createApiKey(world.db, { role: 'city', schools: [] });
    const answer = await app.inject({
      method: 'GET',
      url: '/v1/schools/79XX9999/status',
      headers: { 'x-api-key': city.key },
    });
    expect(answer.statusCode).toBe(404);
    expect(answer.json()).toMatchObject({ code: 'SCHOOL_NOT_CONFIGURED' });
    expect(answer.json().detail).toContain('79XX9999');
  });

  it('looks a person up by personal ID: their records and every delivery, masked, audited, in scope', async () => {
    const row = await kyselyOf(world.db)
      .selectFrom('persons')
      .select('record_key')
      .where('school_code', '=', SCHOOL)
      .where('role', '=', 'student')
      .where('personal_id_index', 'is not', null)
      .orderBy('record_key')
      .executeTakeFirstOrThrow();
    const [person] = await peopleByKeys(world.db, keyring, SCHOOL, [row.record_key]);
    const personalId = person!.personalId!;
    const deliveries = await kyselyOf(world.db)
      .selectFrom('lineage')
      .select(['target', 'run_id'])
      .where('record_key', '=', row.record_key)
      .execute();
    expect(deliveries.length).toBeGreaterThan(0);

    const district = await createApiKey(world.db, { role: 'district', schools: [SCHOOL] });
    const answer = await app.inject({
      method: 'POST',
      url: '/v1/people/lineage',
      headers: { 'x-api-key': district.key },
      payload: { personalId },
    });
    expect(answer.statusCode).toBe(200);
    const body = answer.json();
    expect(body.personalId).toBe(`${personalId.slice(0, 2)}********${personalId.slice(-2)}`);
    expect(body.records).toHaveLength(1);
    expect(body.records[0]).toMatchObject({
      schoolCode: SCHOOL,
      role: 'student',
      stream: 'students',
      recordKey: row.record_key,
    });
    expect(body.records[0].lineage.map((l: { runId: string }) => l.runId).sort()).toEqual(
      deliveries.map((d) => d.run_id).sort(),
    );
    expect(body.records[0].lineage[0]).toMatchObject({ target: 'city-edudb', runId: firstRun });
    expect(answer.body).not.toContain(personalId);

    // The look-up is audited by who asked and a keyed hash, never the number.
    const audit = await listAudit(world.db, { limit: 50 });
    const entry = audit.find((e) => e.action === 'people:lineage');
    expect(entry).toMatchObject({ actor: `key:${district.prefix}`, decision: 'allow' });
    expect(JSON.stringify(audit)).not.toContain(personalId);

    // A key of another school finds nothing of this school's person.
    const other = await createApiKey(world.db, { role: 'school', schools: [QUIET] });
    const outside = await app.inject({
      method: 'POST',
      url: '/v1/people/lineage',
      headers: { 'x-api-key': other.key },
      payload: { personalId },
    });
    expect(outside.statusCode).toBe(200);
    expect(outside.json().records).toEqual([]);

    const malformed = await app.inject({
      method: 'POST',
      url: '/v1/people/lineage',
      headers: { 'x-api-key': district.key },
      payload: { personalId: '12345' },
    });
    expect(malformed.statusCode).toBe(400);
  });
});
