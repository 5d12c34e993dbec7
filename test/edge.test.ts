/**
 * The hub's edge as an attacker on the same network meets it: request headers never choose a host
 * or a scheme (PUBLIC_URL does), only the proxies in TRUST_PROXY are believed about addresses,
 * failed authentications and the SSO endpoints are rate limited in the shared Redis (429 with
 * Retry-After, one audit row a window), every answer carries security headers, the API docs are
 * off in production unless turned on and then for the district role only, and a sign-in's code and
 * state never reach the log.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import rest from '../adapters/rest/index.ts';
import { type App, buildApp } from '../src/app/index.ts';
import { processLogger } from '../src/app/process.ts';
import { type Config, loadConfig } from '../src/config/index.ts';
import { createSsoRelay, type SsoRelay } from '../src/identity/sso/index.ts';
import { runSync } from '../src/pipeline/sync.ts';
import {
  createApiKey,
  createDatabase,
  type Database,
  loadKeyring,
  migrateToLatest,
} from '../src/store/index.ts';
import { SYNC_WORLD_API_KEY, startSyncWorld } from './support/sync-world.ts';

const PUBLIC = 'https://hub.edubridge.example';
const EVIL = 'evil.example';
const keyring = loadKeyring({}, () => {});

let database: Database;

beforeAll(async () => {
  database = await createDatabase({});
  await migrateToLatest(database);
}, 30_000);

afterAll(async () => {
  await database?.close();
});

function settings(env: Record<string, string> = {}): Config {
  return loadConfig(
    {
      LOG_LEVEL: 'silent',
      REDIS_URL: 'redis://127.0.0.1:6379',
      // Each app counts in a namespace of its own: the limits live in the shared Redis.
      REDIS_PREFIX: `edubridge-edge-${randomUUID().slice(0, 8)}`,
      ...env,
    },
    { envFile: false },
  );
}

function relayFor(publicUrl = PUBLIC): Promise<SsoRelay> {
  return createSsoRelay({
    database,
    keyring,
    publicUrl,
    cookieKeys: ['an-edge-test-cookie-key-0123456789'],
    upstream: {
      personality: 'dvcqg',
      issuer: 'https://xacthuc.dichvucong.gov.vn/oauth2/token',
      clientId: 'hub',
      clientSecret: 'secret',
    },
    resolveAccount: async () => ({ ok: false, reason: 'unknown_citizen' }),
    findAccount: async () => undefined,
    audit: async () => {},
  });
}

const opened: Array<{ app: App; relay?: SsoRelay }> = [];

async function open(env: Record<string, string> = {}, options: { relay?: SsoRelay; logs?: string[] } = {}) {
  const logs = options.logs;
  const app = await buildApp(settings(env), {
    database,
    sso: options.relay ?? null,
    ...(logs
      ? {
          logStream: new Writable({
            write(chunk, _encoding, done) {
              logs.push(String(chunk));
              done();
            },
          }),
        }
      : {}),
  });
  opened.push({ app, ...(options.relay ? { relay: options.relay } : {}) });
  return app;
}

afterEach(async () => {
  for (const { app, relay } of opened.splice(0)) {
    await app.close();
    await relay?.close();
  }
});

const DISCOVERY = '/sso/.well-known/openid-configuration';

describe('PUBLIC_URL decides every URL the SSO relay gives out', () => {
  it.each([
    ['Host', { host: EVIL }],
    ['X-Forwarded-Host and X-Forwarded-Proto', { 'x-forwarded-host': EVIL, 'x-forwarded-proto': 'http' }],
    ['Forwarded', { forwarded: `host=${EVIL};proto=http` }],
  ])('a %s set by the client changes nothing in the discovery document', async (_name, headers) => {
    const app = await open({}, { relay: await relayFor() });
    const res = await app.inject({ method: 'GET', url: DISCOVERY, headers });
    expect(res.statusCode).toBe(200);
    const document = res.json() as Record<string, unknown>;
    const urls = Object.entries(document).filter(
      ([name, value]) =>
        typeof value === 'string' && (name === 'issuer' || name.endsWith('_endpoint') || name === 'jwks_uri'),
    );
    expect(urls.length).toBeGreaterThan(4);
    for (const [name, url] of urls) {
      expect({ name, url }).toEqual({
        name,
        url: expect.stringMatching(/^https:\/\/hub\.edubridge\.example\/sso(\/|$)/),
      });
    }
    expect(res.body).not.toContain(EVIL);
  });

  it('behind a TLS-terminating proxy (plain http inside), cookies are Secure and redirects stay on the public host', async () => {
    const relay = await relayFor();
    const app = await open({}, { relay });
    const client = await relay.addClient({ name: 'SMAS', redirectUris: ['https://smas.example/cb'] });
    const verifier = 'v'.repeat(64);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const query = new URLSearchParams({
      client_id: client.clientId,
      redirect_uri: 'https://smas.example/cb',
      response_type: 'code',
      scope: 'openid',
      state: 's-123',
      nonce: 'n-123',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const res = await app.inject({
      method: 'GET',
      url: `/sso/auth?${query}`,
      headers: { host: EVIL, 'x-forwarded-proto': 'http' },
    });
    expect([302, 303]).toContain(res.statusCode);
    expect(String(res.headers.location)).not.toContain(EVIL);
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie.toLowerCase()).toContain('; secure');
  });

  it('in production, start-up refuses a public URL that is not https, unless it is loopback', () => {
    const production = (url: string) =>
      loadConfig(
        {
          NODE_ENV: 'production',
          PUBLIC_URL: url,
          DATA_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
          BLIND_INDEX_KEY: Buffer.alloc(32, 2).toString('base64'),
        },
        { envFile: false },
      );
    expect(() => production('http://hub.edubridge.example')).toThrow(/PUBLIC_URL/);
    expect(() => production('http://127.0.0.1:8080')).not.toThrow();
    expect(() => production('https://hub.edubridge.example')).not.toThrow();
    expect(() => settings({ PUBLIC_URL: 'https://a.example', SSO_PUBLIC_URL: 'https://b.example' })).toThrow(
      /SSO_PUBLIC_URL/,
    );
    expect(() => settings({ PUBLIC_URL: 'https://a.example/hub' })).toThrow(/PUBLIC_URL/);
  });
});

describe('security headers', () => {
  it('every answer: nosniff, no framing, a CSP; HSTS only when the public URL is https', async () => {
    const https = await open({ PUBLIC_URL: PUBLIC });
    const res = await https.inject({ method: 'GET', url: '/healthz' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(String(res.headers['strict-transport-security'])).toMatch(/max-age=\d+/);
    const http = await open({ PUBLIC_URL: 'http://127.0.0.1:8080' });
    expect(
      (await http.inject({ method: 'GET', url: '/healthz' })).headers['strict-transport-security'],
    ).toBeUndefined();
  });

  it('the SSO pages get them too, and their one inline style is allowed by its hash', async () => {
    const app = await open({}, { relay: await relayFor() });
    // An interaction that does not exist: the relay's refusal page.
    const res = await app.inject({ method: 'GET', url: '/sso/interaction/unknown-uid' });
    expect(res.headers['content-type']).toContain('text/html');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const style = /<style>([\s\S]*?)<\/style>/.exec(res.body)?.[1];
    expect(style).toBeDefined();
    expect(csp).toContain(`'sha256-${createHash('sha256').update(style!).digest('base64')}'`);
    expect(res.headers['x-frame-options']).toBe('DENY');
  });
});

describe('the API docs', () => {
  it('are served in development', async () => {
    const app = await open();
    expect((await app.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/openapi.json' })).statusCode).toBe(200);
  });

  const PRODUCTION = {
    NODE_ENV: 'production',
    DATA_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
    BLIND_INDEX_KEY: Buffer.alloc(32, 2).toString('base64'),
  };

  it('are off in production unless API_DOCS=on', async () => {
    const app = await open(PRODUCTION);
    expect((await app.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/openapi.json' })).statusCode).toBe(404);
  });

  it('turned on in production, need a key of the district role', async () => {
    const app = await open({ ...PRODUCTION, API_DOCS: 'on', PUBLIC_URL: PUBLIC });
    const district = (await createApiKey(database, { role: 'district', schools: ['79NB0001'] })).key;
    const school = (await createApiKey(database, { role: 'school', schools: ['79NB0001'] })).key;
    for (const url of ['/docs/', '/openapi.json']) {
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
      expect((await app.inject({ method: 'GET', url, headers: { 'x-api-key': school } })).statusCode).toBe(
        403,
      );
      expect((await app.inject({ method: 'GET', url, headers: { 'x-api-key': district } })).statusCode).toBe(
        200,
      );
    }
    const document = await app.inject({
      method: 'GET',
      url: '/openapi.json',
      headers: { 'x-api-key': district },
    });
    expect(document.json().servers.map((server: { url: string }) => server.url)).toEqual([PUBLIC]);
  });
});

/** The audit rows of one action since `since`. */
async function auditRows(action: string, since: Date) {
  return database.kysely
    .selectFrom('audit_log')
    .select(['actor', 'action', 'resource', 'detail'])
    .where('action', '=', action)
    .where('at', '>=', since)
    .orderBy('id')
    .execute();
}

describe('rate limits', () => {
  it('failed authentications from one address: 401 and audited up to the limit, then 429 with one summary row; a key that worked lately still passes', async () => {
    const app = await open({ RATE_LIMIT_AUTH_FAILURES: '5' });
    const since = new Date();
    const good = (await createApiKey(database, { role: 'district', schools: ['79NB0001'] })).key;
    const fresh = (await createApiKey(database, { role: 'district', schools: ['79NB0001'] })).key;
    // An honest client at the same address, before the flood.
    expect(
      (await app.inject({ method: 'GET', url: '/v1/runs', headers: { 'x-api-key': good } })).statusCode,
    ).toBe(200);
    const statuses: number[] = [];
    let last: Awaited<ReturnType<App['inject']>> | undefined;
    for (let i = 0; i < 20; i++) {
      last = await app.inject({
        method: 'GET',
        url: '/v1/runs',
        headers: { 'x-api-key': `eb_0000000${i % 10}_wrongwrongwrongwrongwrong` },
      });
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(15).fill(429)]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(last!.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await auditRows('authenticate', since)).toHaveLength(5);
    const summaries = await auditRows('rate-limit', since);
    expect(summaries).toEqual([
      expect.objectContaining({ actor: 'address:127.0.0.1', resource: 'authFailuresByAddress' }),
    ]);
    // The honest client keeps working; a key not seen lately waits out the window with the flood
    // (its requests cost no look-up while the address is over its limit).
    const ok = await app.inject({ method: 'GET', url: '/v1/runs', headers: { 'x-api-key': good } });
    expect(ok.statusCode).toBe(200);
    const unseen = await app.inject({ method: 'GET', url: '/v1/runs', headers: { 'x-api-key': fresh } });
    expect(unseen.statusCode).toBe(429);
  });

  it('one key guessed from many addresses is limited by its prefix', async () => {
    const app = await open({ RATE_LIMIT_AUTH_FAILURES: '3' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await app.inject({
        method: 'GET',
        url: '/v1/runs',
        remoteAddress: `198.51.100.${i + 1}`,
        headers: { 'x-api-key': 'eb_abcdef01_guessguessguessguessguess' },
      });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
  });

  it('X-Forwarded-For is believed only from a proxy in TRUST_PROXY', async () => {
    // No trusted proxy: an attacker rotating X-Forwarded-For is still one address.
    const direct = await open({ RATE_LIMIT_AUTH_FAILURES: '2' });
    const rotated: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await direct.inject({
        method: 'GET',
        url: '/v1/runs',
        headers: { 'x-api-key': 'eb_wrong', 'x-forwarded-for': `203.0.113.${i + 1}` },
      });
      rotated.push(res.statusCode);
    }
    expect(rotated).toEqual([401, 401, 429, 429]);
    // Behind the district's proxy: each client is counted on its own.
    const proxied = await open({ RATE_LIMIT_AUTH_FAILURES: '2', TRUST_PROXY: '127.0.0.1' });
    const clients: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await proxied.inject({
        method: 'GET',
        url: '/v1/runs',
        headers: { 'x-api-key': 'eb_wrong', 'x-forwarded-for': `203.0.113.${i + 1}` },
      });
      clients.push(res.statusCode);
    }
    expect(clients).toEqual([401, 401, 401, 401]);
  });

  it('the SSO token endpoint, per address and client', async () => {
    const app = await open({ RATE_LIMIT_SSO_TOKEN: '3' }, { relay: await relayFor() });
    const basic = `Basic ${Buffer.from('some-client:wrong-secret').toString('base64')}`;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/sso/token',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'grant_type=authorization_code&code=x&redirect_uri=https%3A%2F%2Fsmas.example%2Fcb',
      });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 3).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(3)).toEqual([429, 429]);
  });

  it('identity checks, per API key', async () => {
    const app = await open({ RATE_LIMIT_IDENTITY: '2' });
    const key = (await createApiKey(database, { role: 'district', schools: ['79NB0001'] })).key;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await app.inject({
        method: 'GET',
        url: `/v1/identity/people/${randomUUID()}/status`,
        headers: { 'x-api-key': key },
      });
      statuses.push(res.statusCode);
    }
    // An unknown person is refused like another school's (403); the third and fourth are not looked at.
    expect(statuses).toEqual([403, 403, 429, 429]);
  });
});

describe('the log', () => {
  it('keeps an SSO callback’s code and state out, and the relay logs with the app’s request id', async () => {
    const logs: string[] = [];
    const app = await open({ LOG_LEVEL: 'debug' }, { relay: await relayFor(), logs });
    await app.inject({ method: 'GET', url: '/sso/callback?code=SECRET-CODE-4711&state=SECRET-STATE-0815' });
    await app.inject({ method: 'GET', url: '/sso/interaction/unknown-uid' });
    const text = logs.join('');
    expect(text).toContain('/sso/callback?code=…&state=…');
    expect(text).not.toContain('SECRET-CODE-4711');
    expect(text).not.toContain('SECRET-STATE-0815');
    // The relay's own line comes through the app's logger, with the request's id.
    const refused = logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'sso sign-in refused');
    expect(refused).toMatchObject({ reqId: expect.any(String), reason: 'interaction_expired' });
  });

  it('a full sync at debug level logs no personal value of the school’s records and no key', async () => {
    const world = await startSyncWorld({ seed: 41, classesPerGrade: 1, classSize: 10 }, 10);
    try {
      const lines: string[] = [];
      const { adapter: logger } = processLogger(
        'debug',
        'edge-test',
        new Writable({
          write(chunk, _encoding, done) {
            lines.push(String(chunk));
            done();
          },
        }),
      );
      // One cut-off answer from the city: the retry's warning is logged too.
      world.city.city.faults.set({ malformed: { count: 1 } });
      const result = await runSync({
        db: world.db,
        keyring,
        adapter: rest,
        adapterConfig: world.adapterConfig,
        targets: [world.target()],
        schoolCode: '79NB0001',
        streams: ['students', 'teachers'],
        mode: 'full',
        logger,
      });
      expect(result.state).toBe('succeeded');
      const text = lines.join('');
      // The sync logs little: what went wrong and was tried again, with its codes.
      expect(text).toContain('push retry');
      const personal = [
        ...world.school.state.data.students.idList().flatMap((id) => {
          const s = world.school.state.data.students.get(id)!;
          return [
            s.hoTen,
            s.ngaySinh,
            s.soDinhDanh,
            ...s.phuHuynh.flatMap((g) => [g.hoTen, g.soDinhDanh, g.dienThoai]),
          ];
        }),
        ...world.school.state.data.teachers.idList().flatMap((id) => {
          const t = world.school.state.data.teachers.get(id)!;
          return [t.hoTen, t.soDinhDanh, t.email, t.dienThoai];
        }),
      ].filter((v): v is string => typeof v === 'string' && v.length >= 6);
      expect(personal.length).toBeGreaterThan(50);
      const leaked = [...personal, SYNC_WORLD_API_KEY].filter((value) => text.includes(value));
      expect(leaked).toEqual([]);
    } finally {
      await world.close();
    }
  }, 60_000);
});
