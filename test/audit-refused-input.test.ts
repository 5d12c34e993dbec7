/**
 * The audit log keeps no raw refused input (issue 14, finding 11): a request the hub refuses is on
 * record with the rule that refused it and a keyed hash of what it named outside the key's scope,
 * never the text itself, which may be a personal ID typed into the wrong field. The log is
 * append-only: what is written there can never be taken back. Against a real PostgreSQL database of
 * its own, read back with plain SQL; `edubridge audit verify` still walks the chain whole.
 */
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type App, buildApp } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import {
  blindIndex,
  createApiKey,
  createDatabase,
  type Database,
  loadKeyring,
  migrateToLatest,
} from '../src/store/index.ts';
import { freshPostgres } from './support/services.ts';

/** A twelve-digit personal ID (CCCD) that a school's staff pasted where a school code goes. */
const PERSONAL_ID = '079088012345';
const KEYS = {
  DATA_KEYS: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
  BLIND_INDEX_KEY: Buffer.alloc(32, 5).toString('base64'),
};

/**
 * The hash as the audit log documents it, computed here from the settings alone: HMAC-SHA256 under
 * a key derived from BLIND_INDEX_KEY, its first 128 bits in hex.
 */
function expectedHash(value: string): string {
  const key = createHmac('sha256', Buffer.from(KEYS.BLIND_INDEX_KEY, 'base64'))
    .update('edubridge audit refused-input v1')
    .digest();
  return `hmac-sha256:${createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, 32)}`;
}

let postgres: Awaited<ReturnType<typeof freshPostgres>>;
let database: Database;
let app: App;
let redis: Redis;
const keys = { district: '', school: '', city: '' };

beforeAll(async () => {
  postgres = await freshPostgres('audit_refused');
  database = await createDatabase({ DATABASE_URL: postgres.url });
  await migrateToLatest(database);
  keys.district = (await createApiKey(database, { role: 'district', schools: ['79NB0001', '79NB0002'] })).key;
  keys.school = (await createApiKey(database, { role: 'school', schools: ['79NB0003'] })).key;
  keys.city = (await createApiKey(database, { role: 'city', schools: [] })).key;
  // Nothing here uses Redis; a client that never connects keeps the test off it.
  redis = new Redis({ lazyConnect: true, enableOfflineQueue: false });
  app = await buildApp(
    loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: postgres.url, ...KEYS }, { envFile: false }),
    { database, redis },
  );
});

afterAll(async () => {
  await app?.close();
  redis?.disconnect();
  await database?.close();
  await postgres?.drop();
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** Every audit row written since `afterId`, as PostgreSQL holds it, every column. */
async function rowsAfter(afterId: string): Promise<Array<Record<string, unknown>>> {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    const { rows } = await client.query('select * from audit_log where id > $1 order by id', [afterId]);
    return rows;
  } finally {
    await client.end();
  }
}

async function lastId(): Promise<string> {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    const { rows } = await client.query('select coalesce(max(id), 0)::text as id from audit_log');
    return rows[0].id as string;
  } finally {
    await client.end();
  }
}

/** The rows as text, every column (hashes as hex): where the ID must not be, in any spelling. */
const asText = (rows: Array<Record<string, unknown>>) =>
  JSON.stringify(rows, (_key, value) =>
    value?.type === 'Buffer' ? Buffer.from(value.data as number[]).toString('hex') : value,
  );

describe('a refused request names a personal ID where a school code goes', () => {
  test.each([
    [
      'a school key, in the path',
      'GET',
      `/v1/schools/${PERSONAL_ID}/payments`,
      'school',
      'school_outside_key',
    ],
    [
      'a district key, in the query',
      'GET',
      `/v1/audit?school=${PERSONAL_ID}`,
      'district',
      'school_outside_key',
    ],
    ['a city key, writing', 'POST', `/v1/schools/${PERSONAL_ID}/payments/pull`, 'city', 'role_not_allowed'],
  ] as const)('%s: the row keeps the hash and the rule, never the ID', async (_, method, url, who, rule) => {
    const since = await lastId();

    const response = await app.inject({ method, url, headers: bearer(keys[who]) });

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'FORBIDDEN_SCOPE' });
    const rows = await rowsAfter(since);
    expect(rows).toHaveLength(1);
    expect(asText(rows)).not.toContain(PERSONAL_ID);
    expect(rows[0]).toMatchObject({
      decision: 'deny',
      detail: {
        code: 'FORBIDDEN_SCOPE',
        reason: rule,
        refused: { schoolCode: expectedHash(PERSONAL_ID) },
      },
    });
    expect(rows[0]!.detail).not.toHaveProperty('school');
  });

  test('the hash is not the blind index of the ID: the log cannot be joined to the persons table', () => {
    const keyring = loadKeyring({ NODE_ENV: 'test', ...KEYS });
    const index = blindIndex(keyring, PERSONAL_ID).toString('hex');

    expect(expectedHash(PERSONAL_ID).slice('hmac-sha256:'.length)).not.toBe(index.slice(0, 32));
  });

  test('a school the key holds stays readable when the refusal is about the role', async () => {
    const since = await lastId();

    const response = await app.inject({
      method: 'GET',
      url: '/v1/audit?school=79NB0003',
      headers: bearer(keys.school),
    });

    expect(response.statusCode).toBe(403);
    expect((await rowsAfter(since))[0]).toMatchObject({
      decision: 'deny',
      detail: { school: '79NB0003', code: 'FORBIDDEN_SCOPE', reason: 'role_not_allowed' },
    });
  });

  test('without a key, an ID in the path does not reach the audit log either', async () => {
    const since = await lastId();

    const answers = await Promise.all(
      [`/v1/schools/${PERSONAL_ID}/payments`, `/v1/schools/${PERSONAL_ID}/nothing-here`].map((url) =>
        app.inject({ method: 'GET', url }),
      ),
    );

    expect(answers.map((a) => a.statusCode)).toEqual([401, 404]);
    expect(asText(await rowsAfter(since))).not.toContain(PERSONAL_ID);
  });

  test('edubridge audit verify walks the chain whole afterwards', () => {
    const result = spawnSync(
      process.execPath,
      [join(import.meta.dirname, '..', 'bin', 'edubridge.js'), 'audit', 'verify', '--json'],
      {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, ...KEYS, DATABASE_URL: postgres.url, LOG_LEVEL: 'silent' },
      },
    );

    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as { checked: number; unchained: number; broken?: unknown };
    expect(report.broken).toBeUndefined();
    expect(report.checked).toBeGreaterThanOrEqual(5);
  }, 60_000);
});
