/** The relay refuses a bad configuration at start-up, naming the setting, before any request. */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { createSsoRelay, type SsoRelayOptions } from '../src/identity/sso/index.ts';
import { type Database, loadKeyring } from '../src/store/index.ts';

const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;

const untouchable = new Proxy(
  {},
  {
    get(_target, property) {
      throw new Error(`the database was touched (${String(property)})`);
    },
  },
);
// Never queried: the relay reads the database on the first request only.
const database = { kind: 'pglite', kysely: { withTables: () => untouchable } } as unknown as Database;

function options(overrides: Partial<SsoRelayOptions> = {}): SsoRelayOptions {
  return {
    database,
    keyring: loadKeyring({}, () => {}),
    publicUrl: 'https://hub.edubridge.example',
    cookieKeys: ['a-cookie-key-of-32-characters-xx'],
    upstream: {
      personality: 'dvcqg',
      issuer: 'https://xacthuc.dichvucong.gov.vn/oauth2/token',
      clientId: 'hub',
      clientSecret: 'secret',
    },
    resolveAccount: async () => ({ ok: false, reason: 'unknown_citizen' }),
    findAccount: async () => undefined,
    audit: async () => {},
    ...overrides,
  };
}

describe('createSsoRelay', () => {
  test('accepts a sound configuration without touching the database', async () => {
    const relay = await createSsoRelay(options());
    await relay.close();
  });

  test.each([
    ['a public URL with a path', { publicUrl: 'https://hub.example/edubridge' }, 'SSO_PUBLIC_URL_INVALID'],
    ['a public URL that is no URL', { publicUrl: 'hub.example' }, 'SSO_PUBLIC_URL_INVALID'],
    ['no cookie key', { cookieKeys: [] }, 'SSO_COOKIE_KEYS_INVALID'],
    ['a short cookie key', { cookieKeys: ['short'] }, 'SSO_COOKIE_KEYS_INVALID'],
    [
      'a key retention shorter than an ID token',
      { signingKeyRetentionMs: 60_000 },
      'SSO_KEY_RETENTION_TOO_SHORT',
    ],
    [
      'plain http to a DVCQG that is not on this machine',
      {
        upstream: {
          personality: 'dvcqg',
          issuer: 'http://xacthuc.example/oauth2/token',
          clientId: 'hub',
          clientSecret: 's',
        },
      },
      'SSO_UPSTREAM_URL_INSECURE',
    ],
    [
      'a direct VNeID private key that does not parse',
      {
        upstream: {
          personality: 'vneid-direct',
          baseUrl: 'https://sso.dancuquocgia.gov.vn',
          clientId: 'hub',
          clientSecret: 's',
          privateKeyPem: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----',
        },
      },
      'SSO_UPSTREAM_KEY_INVALID',
    ],
  ] as const)('refuses %s', async (_name, overrides, code) => {
    await expect(createSsoRelay(options(overrides as Partial<SsoRelayOptions>))).rejects.toMatchObject({
      code,
    });
  });

  test('allows plain http off loopback only when allowHttp says so (a sandbox on another machine)', async () => {
    const upstream = {
      personality: 'vneid-direct' as const,
      baseUrl: 'http://vneid-sandbox.lan:8080',
      clientId: 'hub',
      clientSecret: 's',
      privateKeyPem: rsaPem,
    };
    // Without the flag the same address is refused, naming the setting…
    const refused = createSsoRelay(options({ upstream }));
    await expect(refused).rejects.toMatchObject({ code: 'SSO_UPSTREAM_URL_INSECURE' });
    await expect(refused).rejects.toThrow(/upstream\.baseUrl/);
    // …with it the relay starts, and its routes can be mounted.
    const relay = await createSsoRelay(options({ upstream: { ...upstream, allowHttp: true } }));
    try {
      expect(typeof relay.register).toBe('function');
    } finally {
      await relay.close();
    }
  });
});
