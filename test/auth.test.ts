/**
 * Who may call `/v1`: API keys stored hashed, roles and schools enforced, every decision audited.
 * Against a real PostgreSQL database of its own, dropped afterwards.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { refusal, refusalRule } from '../src/api/index.ts';
import { type App, buildApp } from '../src/app/index.ts';
import { buildProgram } from '../src/cli/program.ts';
import { loadConfig } from '../src/config/index.ts';
import {
  ApiKeyInputError,
  createApiKey,
  createDatabase,
  type Database,
  listApiKeys,
  listAudit,
  loadKeyring,
  migrateToLatest,
  type Principal,
  revokeApiKey,
  verifyApiKey,
} from '../src/store/index.ts';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DB_NAME = `edubridge_auth_${randomBytes(6).toString('hex')}`;
const DATABASE_URL = (() => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DB_NAME}`;
  return url.toString();
})();

async function admin(statement: string) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

let database: Database;
let app: App;
let redis: Redis;
const keys: Record<'district' | 'school' | 'city' | 'vendor', string> = {
  district: '',
  school: '',
  city: '',
  vendor: '',
};

beforeAll(async () => {
  await admin(`create database ${DB_NAME}`);
  database = await createDatabase({ DATABASE_URL });
  await migrateToLatest(database);
  keys.district = (await createApiKey(database, { role: 'district', schools: ['79NB0001', '79NB0002'] })).key;
  keys.school = (await createApiKey(database, { role: 'school', schools: ['79NB0003'] })).key;
  keys.city = (await createApiKey(database, { role: 'city', schools: [] })).key;
  keys.vendor = (
    await createApiKey(database, { role: 'vendor', schools: ['79NB0001'], vendorAdapters: ['excel'] })
  ).key;
  // Nothing here uses Redis; a client that never connects keeps the test off it.
  redis = new Redis({ lazyConnect: true, enableOfflineQueue: false });
  app = await buildApp(loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL }, { envFile: false }), {
    database,
    redis,
  });
});

afterAll(async () => {
  await app?.close();
  redis?.disconnect();
  await database?.close();
  await admin(`drop database if exists ${DB_NAME} with (force)`);
});

const get = (url: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, headers });
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const prefixOf = (key: string) => key.slice(3, 11);

/** The last audit entry: the tests of this file run one at a time, so it is the last request's. */
const lastAudit = () => listAudit(database, { limit: 1 });

describe('API keys in the store', () => {
  test('a key is eb_ + 8-character prefix + _ + 32 random bytes, and only its SHA-256 is stored', async () => {
    const { key, prefix } = await createApiKey(database, { role: 'school', schools: ['79NB0009'] });

    expect(key).toMatch(/^eb_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(key.slice(3, 11)).toBe(prefix);
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    const { rows } = await client
      .query('select * from api_keys where prefix = $1', [prefix])
      .finally(() => client.end());
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(key);
    expect(stored).not.toContain(key.slice(12));
    expect(rows[0].hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('verifying gives the principal, without the hash', async () => {
    const principal = await verifyApiKey(database, keys.district);

    expect(principal).toEqual({
      id: expect.any(String),
      prefix: prefixOf(keys.district),
      actor: `key:${prefixOf(keys.district)}`,
      kind: 'api-key',
      role: 'district',
      schools: ['79NB0001', '79NB0002'],
      vendorAdapters: [],
    });
  });

  test('a key with the right prefix and a wrong secret is refused', async () => {
    const forged = `${keys.district.slice(0, 12)}${randomBytes(32).toString('base64url')}`;

    expect(await verifyApiKey(database, forged)).toBeNull();
    expect(await verifyApiKey(database, 'eb_00000000_nope')).toBeNull();
  });

  test('last_used_at is written on first use and not again within the minute', async () => {
    const { key, prefix } = await createApiKey(database, { role: 'school', schools: ['79NB0008'] });
    const lastUsed = async () => (await listApiKeys(database)).find((k) => k.prefix === prefix)?.lastUsedAt;

    expect(await lastUsed()).toBeNull();
    await verifyApiKey(database, key);
    const first = await lastUsed();
    await verifyApiKey(database, key);

    expect(first).toBeInstanceOf(Date);
    expect(await lastUsed()).toEqual(first);
  });

  test('a scope that does not fit the role is refused with a code', async () => {
    const attempts = [
      { role: 'school', schools: ['79NB0001', '79NB0002'] },
      { role: 'district', schools: [] },
      { role: 'city', schools: ['79NB0001'] },
      { role: 'vendor', schools: ['79NB0001'] },
      { role: 'district', schools: ['79 NB'] },
    ] as const;
    for (const attempt of attempts) {
      await expect(createApiKey(database, attempt)).rejects.toBeInstanceOf(ApiKeyInputError);
    }
  });

  test('the list never carries hashes or keys, and shows the label', async () => {
    const { prefix } = await createApiKey(database, {
      role: 'district',
      schools: ['79NB0005'],
      label: 'Phòng GD Quận 5',
    });

    const listed = (await listApiKeys(database)).find((k) => k.prefix === prefix);

    expect(listed).toMatchObject({ role: 'district', schools: ['79NB0005'], label: 'Phòng GD Quận 5' });
    expect(Object.keys(listed!)).not.toContain('hash');
  });
});

describe('authentication on /v1', () => {
  test('no key: 401 API_KEY_MISSING with WWW-Authenticate, audited as a deny by anonymous', async () => {
    const response = await get('/v1/whoami');

    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.headers['www-authenticate']).toBe('Bearer realm="edubridge"');
    expect(response.json()).toMatchObject({ status: 401, code: 'API_KEY_MISSING', instance: '/v1/whoami' });
    expect(await lastAudit()).toMatchObject([
      { actor: 'anonymous', action: 'authenticate', decision: 'deny', resource: 'GET /v1/whoami' },
    ]);
  });

  test('a wrong key: 401 API_KEY_INVALID, audited with the prefix tried but never the key', async () => {
    const forged = `${keys.city.slice(0, 12)}${randomBytes(32).toString('base64url')}`;

    const response = await get('/v1/whoami', bearer(forged));

    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('API_KEY_INVALID');
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
    const entries = await lastAudit();
    expect(entries).toMatchObject([
      {
        actor: 'anonymous',
        decision: 'deny',
        detail: { code: 'API_KEY_INVALID', keyPrefix: prefixOf(keys.city) },
      },
    ]);
    expect(JSON.stringify(entries)).not.toContain(forged.slice(12));
  });

  test('a valid key in X-Api-Key is accepted as well as a bearer token', async () => {
    const viaHeader = await get('/v1/whoami', { 'x-api-key': keys.school });
    const viaBearer = await get('/v1/whoami', bearer(keys.school));

    expect(viaHeader.statusCode).toBe(200);
    expect(viaBearer.json()).toEqual(viaHeader.json());
    expect(viaHeader.json()).toMatchObject({ role: 'school', schools: ['79NB0003'] });
    expect(JSON.stringify(viaHeader.json())).not.toContain(keys.school.slice(12));
  });

  test('a revoked key is refused', async () => {
    const { key, prefix } = await createApiKey(database, { role: 'school', schools: ['79NB0007'] });
    expect((await get('/v1/whoami', bearer(key))).statusCode).toBe(200);

    expect(await revokeApiKey(database, prefix)).toBe('revoked');
    const response = await get('/v1/whoami', bearer(key));

    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('API_KEY_INVALID');
    expect(await revokeApiKey(database, prefix)).toBe('already-revoked');
  });
});

describe('scope on /v1/audit', () => {
  test('a district key asking about another school gets 403 FORBIDDEN_SCOPE, audited as a deny', async () => {
    const response = await get('/v1/audit?school=79NB0099', bearer(keys.district));

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'FORBIDDEN_SCOPE', status: 403 });
    expect(await lastAudit()).toMatchObject([
      {
        actor: `key:${prefixOf(keys.district)}`,
        role: 'district',
        action: 'audit:read',
        resource: 'GET /v1/audit',
        decision: 'deny',
        // A school outside the key is what the caller sent: kept as a keyed hash, with the rule.
        detail: {
          code: 'FORBIDDEN_SCOPE',
          reason: 'school_outside_key',
          refused: { schoolCode: expect.stringMatching(/^hmac-sha256:[0-9a-f]{32}$/) },
        },
      },
    ]);
    expect(JSON.stringify(await lastAudit())).not.toContain('79NB0099');
  });

  test('a district key inside its scope is allowed, audited, and sees only its schools', async () => {
    // Something about each side of the boundary to see.
    await get('/v1/audit?school=79NB0002', bearer(keys.district));
    await get('/v1/whoami', bearer(keys.school));

    const response = await get('/v1/audit?limit=500', bearer(keys.district));

    expect(response.statusCode).toBe(200);
    const { entries } = response.json() as { entries: Array<{ detail: { school?: string } | null }> };
    expect(entries.length).toBeGreaterThan(0);
    expect(new Set(entries.map((e) => e.detail?.school))).toEqual(new Set(['79NB0002']));
    expect(await lastAudit()).toMatchObject([{ decision: 'allow', action: 'audit:read' }]);
  });

  test('a school key may not read the audit log at all', async () => {
    const response = await get('/v1/audit?school=79NB0003', bearer(keys.school));

    expect(response.statusCode).toBe(403);
  });

  test('a city key reads every school', async () => {
    const response = await get('/v1/audit?limit=500', bearer(keys.city));

    expect(response.statusCode).toBe(200);
    const entries = response.json().entries as Array<{ actor: string }>;
    expect(entries.some((e) => e.actor === 'anonymous')).toBe(true);
  });
});

describe('the role rules', () => {
  const principal = (
    role: Principal['role'],
    schools: string[],
    vendorAdapters: string[] = [],
  ): Principal => ({
    id: '00000000-0000-0000-0000-000000000000',
    prefix: '00000000',
    actor: 'key:00000000',
    kind: 'api-key',
    role,
    schools,
    vendorAdapters,
  });

  // Each refusal is checked by the rule it names (refusalRule) and the words the caller reads
  // (refusal): a refusal for the wrong reason is a wrong answer, not a pass.
  test('a city key reads everything and writes nothing', () => {
    const city = principal('city', []);
    expect(refusal(city, { action: 'runs:read', schoolCode: '79NB0001' })).toBeUndefined();
    expect(refusal(city, { action: 'runs:read', schoolCode: '79NB0009', adapterId: 'rest' })).toBeUndefined();
    expect(refusalRule(city, { action: 'runs:write', schoolCode: '79NB0001' })).toBe('city_read_only');
    expect(refusal(city, { action: 'runs:write', schoolCode: '79NB0001' })).toBe('city keys are read-only');
    // A route open to some roles only refuses the city by role before anything else.
    expect(refusalRule(city, { action: 'runs:read', roles: ['district'] })).toBe('role_not_allowed');
    expect(refusal(city, { action: 'runs:read', roles: ['district'] })).toBe('role city may not runs:read');
  });

  test('a school key reaches its own school only', () => {
    const school = principal('school', ['79NB0003']);
    expect(refusal(school, { action: 'runs:write', schoolCode: '79NB0003' })).toBeUndefined();
    expect(
      refusal(school, { action: 'runs:read', schoolCode: '79NB0003', adapterId: 'rest' }),
    ).toBeUndefined();
    expect(refusalRule(school, { action: 'runs:read', schoolCode: '79NB0004' })).toBe('school_outside_key');
    expect(refusal(school, { action: 'runs:read', schoolCode: '79NB0004' })).toBe(
      "school 79NB0004 is outside the key's schools",
    );
    expect(refusalRule(school, { action: 'runs:write', schoolCode: '79NB0004' })).toBe('school_outside_key');
  });

  test("a vendor key reaches runs of its adapters at its schools, not another adapter's", () => {
    const vendor = principal('vendor', ['79NB0001'], ['excel']);
    expect(
      refusal(vendor, { action: 'runs:read', schoolCode: '79NB0001', adapterId: 'excel' }),
    ).toBeUndefined();
    expect(refusalRule(vendor, { action: 'runs:read', schoolCode: '79NB0001', adapterId: 'rest' })).toBe(
      'adapter_outside_key',
    );
    expect(refusal(vendor, { action: 'runs:read', schoolCode: '79NB0001', adapterId: 'rest' })).toBe(
      "adapter rest is not one of the key's adapters",
    );
    // No adapter named: the vendor cannot show the run is one of theirs.
    expect(refusal(vendor, { action: 'runs:read', schoolCode: '79NB0001' })).toBe(
      "adapter (none) is not one of the key's adapters",
    );
    // Another school is refused for the school, even with the vendor's own adapter.
    expect(refusalRule(vendor, { action: 'runs:read', schoolCode: '79NB0002', adapterId: 'excel' })).toBe(
      'school_outside_key',
    );
  });
});

describe('the deny-by-default guard', () => {
  test('a route behind the key check that forgets authorize() answers 500, not data', async () => {
    const { installApiKeyAuth } = await import('../src/api/index.ts');
    const local = await buildApp(loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL }, { envFile: false }), {
      database,
      redis,
    });
    try {
      await local.register(
        async (scope) => {
          installApiKeyAuth(scope, { database, keyring: loadKeyring({}, () => {}) });
          scope.get('/forgetful', async () => ({ secret: 'data' }));
        },
        { prefix: '/guarded' },
      );

      const response = await local.inject({
        method: 'GET',
        url: '/guarded/forgetful',
        headers: bearer(keys.city),
      });

      expect(response.statusCode).toBe(500);
      expect(response.body).not.toContain('data"');
    } finally {
      await local.close();
    }
  });
});

describe('edubridge apikey', () => {
  const registered = buildProgram().commands.some((c) => c.name() === 'apikey');
  // Until program.ts registers the command, the same program is built with it added.
  const SHIM = [
    '--import',
    'tsx',
    '--input-type=module',
    '-e',
    `import { buildProgram, runProgram } from './src/cli/program.ts';
     import { registerApiKeyCommands } from './src/cli/commands/apikey.ts';
     const ctx = { exitCode: 0 }; const program = buildProgram(ctx); registerApiKeyCommands(program);
     const code = await runProgram(program, ctx, ['node', 'edubridge', ...process.argv.slice(1)]);
     process.stdout.write('', () => process.exit(code));`,
  ];
  const run = (args: string[]) => {
    const prefix = registered ? [join(import.meta.dirname, '..', 'bin', 'edubridge.js')] : SHIM;
    const result = spawnSync(process.execPath, [...prefix, ...args], {
      cwd: join(import.meta.dirname, '..'),
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, DATABASE_URL, LOG_LEVEL: 'silent' },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  test('create prints the key once with a warning, list never shows it, revoke refuses it', async () => {
    const created = run([
      'apikey',
      'create',
      '--role',
      'district',
      '--schools',
      '79NB0001,79NB0002',
      '--label',
      'Q1',
      '--json',
    ]);
    expect(created.stderr).toMatch(/cannot be shown again/);
    expect(created.code).toBe(0);
    const { key, prefix } = JSON.parse(created.stdout) as { key: string; prefix: string };
    expect(await verifyApiKey(database, key)).toMatchObject({
      role: 'district',
      schools: ['79NB0001', '79NB0002'],
    });

    const listed = run(['apikey', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(prefix);
    expect(listed.stdout).toContain('Q1');
    expect(listed.stdout).not.toContain(key.slice(12));

    const revoked = run(['apikey', 'revoke', prefix]);
    expect(revoked.code).toBe(0);
    expect(await verifyApiKey(database, key)).toBeNull();
    expect(run(['apikey', 'list', '--json']).stdout).not.toContain(prefix);
  });

  test('a bad role or school list is one line on stderr and exit 2', () => {
    const badRole = run(['apikey', 'create', '--role', 'admin', '--schools', '79NB0001']);
    const badScope = run(['apikey', 'create', '--role', 'school', '--schools', '79NB0001,79NB0002']);
    const unknown = run(['apikey', 'revoke', 'abcdef12']);

    for (const r of [badRole, badScope, unknown]) {
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(badRole.stderr).toContain('--role');
    expect(badScope.stderr).toContain('exactly one school');
  });
});
