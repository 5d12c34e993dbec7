/**
 * Dead letters end to end: the city simulator refuses some records of a run (a fault), they land in
 * dead letters with the city's code; after the fix a replay delivers them through the gateway, the
 * ledger records them and the letters are marked replayed; a record refused again stays open with
 * one attempt more; a discard closes a letter. The API lists within the key's schools only.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rest from '../adapters/rest/index.ts';
import { type CitySandbox, startCitySandbox } from '../sandbox/city-edudb/index.ts';
import { type RestSchool, startRestSchool } from '../sandbox/vendors/rest-school/index.ts';
import { type App, buildApp } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { createGatewayClient, type GatewayClientOptions } from '../src/gateway/index.ts';
import { replayDeadLetters } from '../src/pipeline/dead-letters.ts';
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
const DISTRICT = { schools: 1, seed: 7, classesPerGrade: 1, classSize: 12 };
const API_KEY = 'dead-letters-test-key';
const REFUSED = { code: 'SANDBOX_REFUSED', message: 'Từ chối để thử / refused for the test' };

let city: CitySandbox;
let school: RestSchool;
let db: Database;
let keyring: Keyring;
let app: App;
const keys = { district: '', other: '', city: '' };

const target = () =>
  createCityEduDbTarget({
    gateway: createGatewayClient(city.gatewayClientOptions() as unknown as GatewayClientOptions),
  });

beforeAll(async () => {
  // Every student known to the city: the only refusals are the forced ones.
  city = await startCitySandbox({ personality: 'wso2', district: { ...DISTRICT, unknownEvery: 0 } });
  school = await startRestSchool({ ...DISTRICT, auth: { type: 'apiKey', key: API_KEY } });
  db = await memoryDatabase();
  keyring = loadKeyring({ NODE_ENV: 'test' });
  const service = new RunService({
    db,
    keyring,
    // No run is requested here: the queue is never touched.
    queue: undefined as never,
    sources: async () => ({}),
    targets: () => [target()],
  });
  const config = loadConfig(
    { REDIS_PREFIX: `edubridge-test-${randomUUID().slice(0, 8)}`, LOG_LEVEL: 'silent' },
    { envFile: false },
  );
  app = await buildApp(config, { database: db, runService: service });
  keys.district = (await createApiKey(db, { role: 'district', schools: [SCHOOL] })).key;
  keys.other = (await createApiKey(db, { role: 'district', schools: ['79HP0002'] })).key;
  keys.city = (await createApiKey(db, { role: 'city', schools: [] })).key;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  await school?.close();
  await city?.close();
});

const as = (key: string) => ({ authorization: `Bearer ${key}` });

const open = () => listDeadLetters(db, { schools: [SCHOOL] });

async function ledgerKeys(recordKeys: string[]) {
  const rows = await db.kysely
    .selectFrom('ledger')
    .select('record_key')
    .where('record_key', 'in', recordKeys)
    .where('deleted_at', 'is', null)
    .execute();
  return new Set(rows.map((r) => r.record_key));
}

describe('dead letters', () => {
  let refusedKeys: string[] = [];

  it('a run the city partly refuses leaves dead letters with the city’s code', async () => {
    city.city.faults.set({ refuse: { count: 6, ...REFUSED } });
    const result = await runSync({
      db,
      keyring,
      adapter: rest,
      adapterConfig: {
        baseUrl: school.url,
        profile: 'sandbox-school',
        auth: { type: 'apiKey', key: API_KEY },
      },
      targets: [target()],
      schoolCode: SCHOOL,
      streams: ['students'],
      mode: 'full',
      asOf: new Date('2026-11-27T00:00:00Z'),
      batchSize: 50,
    });
    expect(result.state).toBe('succeeded');
    expect(result.counts.refused).toBe(6);
    const letters = await open();
    expect(letters).toHaveLength(6);
    expect(letters.every((l) => l.code === REFUSED.code && l.attempts === 1)).toBe(true);
    refusedKeys = letters.map((l) => l.record_key!);
    const held = city.city.contentOf(SCHOOL);
    expect(refusedKeys.some((k) => held.has(k))).toBe(false);
    expect((await ledgerKeys(refusedKeys)).size).toBe(0);
  });

  it('lists them through the API within the key’s schools, with no record bodies', async () => {
    const mine = await app.inject({ method: 'GET', url: '/v1/dead-letters', headers: as(keys.district) });
    expect(mine.statusCode).toBe(200);
    const body = mine.json() as { deadLetters: Array<Record<string, unknown>>; next: string | null };
    expect(body.deadLetters).toHaveLength(6);
    expect(Object.keys(body.deadLetters[0]!).sort()).toEqual(
      [
        'action',
        'actor',
        'attempts',
        'code',
        'discardedAt',
        'firstRunId',
        'firstSeenAt',
        'id',
        'lastSeenAt',
        'message',
        'occurrences',
        'recordKey',
        'replayedAt',
        'resolvedAt',
        'runId',
        'schoolCode',
        'state',
        'stream',
        'target',
      ].sort(),
    );
    expect(body.deadLetters[0]).toMatchObject({
      code: REFUSED.code,
      message: REFUSED.message,
      state: 'open',
      occurrences: 1,
      // A code of the city's own the catalogue does not know: the city's helpdesk is asked.
      actor: 'city',
    });
    expect((body.deadLetters[0]!.action as { vi: string; en: string }).en).toContain("target's helpdesk");

    const byCode = (code: string, key = keys.district) =>
      app.inject({ method: 'GET', url: `/v1/dead-letters?code=${code}&target=city-edudb`, headers: as(key) });
    expect(((await byCode(REFUSED.code)).json() as typeof body).deadLetters).toHaveLength(6);
    expect(((await byCode('UNKNOWN_MASTER')).json() as typeof body).deadLetters).toHaveLength(0);
    expect(((await byCode(REFUSED.code, keys.city)).json() as typeof body).deadLetters).toHaveLength(6);
    const paged = (
      await app.inject({ method: 'GET', url: '/v1/dead-letters?limit=4', headers: as(keys.district) })
    ).json() as typeof body;
    expect(paged.deadLetters).toHaveLength(4);
    const rest2 = (
      await app.inject({
        method: 'GET',
        url: `/v1/dead-letters?after=${paged.next}`,
        headers: as(keys.district),
      })
    ).json() as typeof body;
    expect(rest2.deadLetters).toHaveLength(2);

    const theirs = await app.inject({ method: 'GET', url: '/v1/dead-letters', headers: as(keys.other) });
    expect((theirs.json() as typeof body).deadLetters).toEqual([]);
    const outside = await app.inject({
      method: 'GET',
      url: `/v1/dead-letters?school=${SCHOOL}`,
      headers: as(keys.other),
    });
    expect(outside.statusCode).toBe(403);
    expect(outside.json()).toMatchObject({ code: 'FORBIDDEN_SCOPE' });
  });

  it('refuses a replay or a discard outside the key’s scope, and audits it', async () => {
    const [letter] = await open();
    const asCity = await app.inject({
      method: 'POST',
      url: '/v1/dead-letters/replay',
      headers: as(keys.city),
      payload: { all: true },
    });
    expect(asCity.statusCode).toBe(403);
    const asOther = await app.inject({
      method: 'POST',
      url: '/v1/dead-letters/replay',
      headers: as(keys.other),
      payload: { ids: [letter!.id] },
    });
    expect(asOther.statusCode).toBe(403);
    const discard = await app.inject({
      method: 'DELETE',
      url: `/v1/dead-letters/${letter!.id}`,
      headers: as(keys.other),
    });
    expect(discard.statusCode).toBe(403);
    const noScope = await app.inject({
      method: 'POST',
      url: '/v1/dead-letters/replay',
      headers: as(keys.district),
      payload: {},
    });
    expect(noScope.statusCode).toBe(400);
    expect(noScope.json()).toMatchObject({ code: 'REPLAY_SCOPE_MISSING' });
    const denied = await listAudit(db, { action: 'dead-letters:write', decision: 'deny' });
    expect(denied.length).toBeGreaterThanOrEqual(3);
    expect(await open()).toHaveLength(6);
  });

  it('a replay after the fix delivers them; one refused again stays open with attempts 2', async () => {
    // The fix, but for one record the city still refuses.
    city.city.faults.set({ refuse: { count: 1, ...REFUSED } });
    const result = await replayDeadLetters({
      db,
      keyring,
      targets: [target()],
      filter: { schools: [SCHOOL] },
      replayedBy: 'cli:tester',
    });
    expect(result).toMatchObject({ replayed: 5, stillRefused: 1, failed: 0, superseded: 0 });

    const stillOpen = await open();
    // Each letter has its answer: five accepted, the sixth refused again for the same reason.
    expect(result.letters).toHaveLength(6);
    expect(result.letters.find((l) => l.id === stillOpen[0]!.id)).toMatchObject({
      outcome: 'refused',
      code: REFUSED.code,
      message: REFUSED.message,
    });
    expect(
      result.letters
        .filter((l) => l.outcome === 'accepted')
        .map((l) => l.recordKey)
        .sort(),
    ).toEqual(refusedKeys.filter((k) => k !== stillOpen[0]!.record_key).sort());
    expect(stillOpen).toHaveLength(1);
    expect(stillOpen[0]).toMatchObject({ attempts: 2, code: REFUSED.code });
    const delivered = refusedKeys.filter((k) => k !== stillOpen[0]!.record_key);
    const held = city.city.contentOf(SCHOOL);
    expect(delivered.every((k) => held.has(k))).toBe(true);
    expect(held.has(stillOpen[0]!.record_key!)).toBe(false);
    expect(await ledgerKeys(refusedKeys)).toEqual(new Set(delivered));

    const replayed = await listDeadLetters(db, { schools: [SCHOOL], state: 'replayed' });
    expect(replayed.map((l) => l.record_key).sort()).toEqual([...delivered].sort());
    const entries = await listAudit(db, { action: 'dead-letters:replayed', schools: [SCHOOL] });
    expect(entries[0]).toMatchObject({ actor: 'cli:tester' });
    expect((entries[0]!.detail as { ids: string[] }).ids).toHaveLength(5);
  });

  it('replays through the API by id, refused again, then a discard closes it', async () => {
    const [letter] = await open();
    city.city.faults.set({ refuse: { count: 1, ...REFUSED } });
    const replay = await app.inject({
      method: 'POST',
      url: '/v1/dead-letters/replay',
      headers: as(keys.district),
      payload: { ids: [letter!.id] },
    });
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toMatchObject({ replayed: 0, stillRefused: 1, failed: 0, superseded: 0 });
    expect(replay.json().letters).toEqual([
      {
        id: letter!.id,
        target: 'city-edudb',
        stream: 'students',
        recordKey: letter!.record_key,
        outcome: 'refused',
        code: REFUSED.code,
        message: REFUSED.message,
      },
    ]);
    expect((await open())[0]).toMatchObject({ id: letter!.id, attempts: 3 });

    const missing = await app.inject({
      method: 'DELETE',
      url: `/v1/dead-letters/${randomUUID()}`,
      headers: as(keys.district),
    });
    // As for runs: an unknown id is outside every scope, so its existence is not revealed.
    expect(missing.statusCode).toBe(403);
    const discard = await app.inject({
      method: 'DELETE',
      url: `/v1/dead-letters/${letter!.id}`,
      headers: as(keys.district),
    });
    expect(discard.statusCode).toBe(200);
    expect(discard.json()).toMatchObject({ id: letter!.id, state: 'discarded' });
    const again = await app.inject({
      method: 'DELETE',
      url: `/v1/dead-letters/${letter!.id}`,
      headers: as(keys.district),
    });
    expect(again.statusCode).toBe(409);
    expect(await open()).toHaveLength(0);
    const entries = await listAudit(db, { action: 'dead-letters:discarded', schools: [SCHOOL] });
    expect(entries[0]!.actor).toMatch(/^key:/);

    city.city.faults.set({});
    const nothing = await app.inject({
      method: 'POST',
      url: '/v1/dead-letters/replay',
      headers: as(keys.district),
      payload: { all: true },
    });
    expect(nothing.json()).toEqual({ replayed: 0, stillRefused: 0, failed: 0, superseded: 0, letters: [] });
  });

  it('a letter whose record a later run delivered is resolved by that run: nothing is left to replay', async () => {
    // A second full run with one refusal, then a third that delivers it: its letter is stale.
    const sync = () =>
      runSync({
        db,
        keyring,
        adapter: rest,
        adapterConfig: {
          baseUrl: school.url,
          profile: 'sandbox-school',
          auth: { type: 'apiKey', key: API_KEY },
        },
        targets: [target()],
        schoolCode: SCHOOL,
        streams: ['students'],
        mode: 'full',
        asOf: new Date('2026-11-27T00:00:00Z'),
        batchSize: 50,
      });
    // The discarded record is not in the ledger: the next full run sends it again.
    city.city.faults.set({ refuse: { count: 1, ...REFUSED } });
    const second = await sync();
    city.city.faults.set({});
    // The third run re-sends the refused record and one changed at the school (another student than
    // the refused one, whichever record the city happened to refuse first).
    const refusedKey = (
      await db.kysely
        .selectFrom('dead_letters')
        .select('record_key')
        .where('run_id', '=', second.runId)
        .executeTakeFirstOrThrow()
    ).record_key;
    const changed = school.state.data.students
      .idList()
      .find(
        (id) =>
          !refusedKey?.endsWith(
            `-${(school.state.data.students.get(id) as { maHocSinh: string }).maHocSinh}`,
          ),
      );
    school.state.mutate({ students: { update: [changed!] } });
    const third = await sync();
    expect(second.counts.refused).toBe(1);
    expect(third.counts).toMatchObject({ created: 1, updated: 1, refused: 0 });
    const batches = city.city.state.batchesApplied;
    const result = await replayDeadLetters({
      db,
      keyring,
      targets: [target()],
      filter: { schools: [SCHOOL] },
      replayedBy: 'cli:tester',
    });
    expect(result).toEqual({ replayed: 0, stillRefused: 0, failed: 0, superseded: 0, letters: [] });
    expect(city.city.state.batchesApplied).toBe(batches);
    const resolved = await listDeadLetters(db, { schools: [SCHOOL], state: 'resolved' });
    expect(resolved.map((l) => l.record_key)).toEqual([refusedKey]);
  });
});
