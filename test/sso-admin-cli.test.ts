/**
 * `edubridge sso client add` and `sso keys rotate` as district IT runs them (the real
 * `bin/edubridge.js` in a child process) on a machine with the hub's database and its public
 * address only: no VNeID settings, no cookie keys. What they write, a relay serving sign-ins reads.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../src/store/index.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'edubridge.js');
const KEYS = {
  DATA_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  BLIND_INDEX_KEY: Buffer.alloc(32, 9).toString('base64'),
};
const PUBLIC_URL = 'https://hub.nhabe.example';

let dir: string;
const run = (args: string[], extra: Record<string, string> = {}) => {
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...KEYS,
    DATABASE_URL: '',
    PGLITE_DIR: join(dir, 'pglite'),
    SSO_PUBLIC_URL: PUBLIC_URL,
    ...extra,
  };
  for (const name of ['SSO_UPSTREAM', 'SSO_COOKIE_KEYS', 'VNEID_CLIENT_ID', 'VNEID_CLIENT_SECRET'])
    delete env[name];
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edubridge-sso-admin-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('edubridge sso, with the database and SSO_PUBLIC_URL only', () => {
  let db: Database | undefined;
  afterAll(async () => {
    await db?.close();
  });

  it('registers a school app, prints its secret once, and rotates the signing key', () => {
    const added = run([
      'sso',
      'client',
      'add',
      '--name',
      'SMAS',
      '--redirect-uri',
      'https://smas.example/callback',
      '--roles',
      'teacher',
      '--json',
    ]);
    expect(added.stderr).toContain('client_secret');
    // oidc-provider's "Unsupported runtime" line on Node 20 is dropped as it loads (it works there).
    expect(added.stderr).not.toContain('Unsupported runtime');
    expect(added.code).toBe(0);
    const printed = JSON.parse(added.stdout) as { clientId: string; clientSecret: string; issuer: string };
    expect(printed).toEqual({
      clientId: expect.stringMatching(/^eb-/),
      clientSecret: expect.stringMatching(/^\S{32,}$/),
      issuer: `${PUBLIC_URL}/sso`,
    });

    const first = run(['sso', 'keys', 'rotate', '--json']);
    const second = run(['sso', 'keys', 'rotate', '--json']);
    expect([first.code, second.code]).toEqual([0, 0]);
    const kids = [first, second].map((r) => (JSON.parse(r.stdout) as { kid: string }).kid);
    expect(kids[0]).toMatch(/^\d{8}-[0-9a-f]{12}$/);
    expect(kids[1]).not.toBe(kids[0]);
  }, 120_000);

  it('leaves the app in the store, its secret sealed, for the relays that serve sign-ins', async () => {
    db = await createDatabase({ DATABASE_URL: undefined, PGLITE_DIR: join(dir, 'pglite') } as never);
    const { rows } = await sql<{ id: string; payload: Record<string, unknown>; sealed: Buffer | null }>`
      select id, payload, sealed from sso_payloads where model = 'Client'`.execute(db.kysely);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: expect.stringMatching(/^eb-/),
      payload: { redirect_uris: ['https://smas.example/callback'], edubridge_allowed_roles: ['teacher'] },
    });
    // The secret is sealed, not in the JSON.
    expect(rows[0]!.payload.client_secret).toBeUndefined();
    expect(rows[0]!.sealed).not.toBeNull();
  });

  it.each([
    ['http on a public host', 'http://smas.example/callback', 'SSO_REDIRECT_URI_NOT_HTTPS'],
    ['a password in the URI', 'https://smas:Mk-2026-bi-mat@smas.example/cb', 'SSO_REDIRECT_URI_USERINFO'],
    ['a fragment', 'https://smas.example/callback#top', 'SSO_REDIRECT_URI_FRAGMENT'],
    ['a relative URI', '/callback', 'SSO_REDIRECT_URI_INVALID'],
  ])(
    'refuses %s in one line naming the code, exit 2, no stack, no secret',
    (_, uri, code) => {
      const r = run(['sso', 'client', 'add', '--name', 'SMAS', '--redirect-uri', uri]);

      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`[${code}]`);
      expect(r.stderr).toMatch(/redirect URI thứ 1 .+ \/ redirect URI #1 /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr).not.toContain('Mk-2026-bi-mat');
      expect(r.stdout).toBe('');
    },
    60_000,
  );

  it('accepts http on a loopback port (an app on the user’s own machine)', () => {
    const r = run([
      'sso',
      'client',
      'add',
      '--name',
      'Sổ điểm (máy cá nhân)',
      '--redirect-uri',
      'http://127.0.0.1:53682/callback',
      '--json',
    ]);

    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ clientId: expect.stringMatching(/^eb-/) });
  }, 60_000);

  it('without SSO_PUBLIC_URL, says what is missing in one line', () => {
    const r = run(['sso', 'client', 'add', '--name', 'X', '--redirect-uri', 'https://x.example/cb'], {
      SSO_PUBLIC_URL: '',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SSO_PUBLIC_URL');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
