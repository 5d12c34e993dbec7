/**
 * The redirect URI policy of the school applications (RFC 8252, RFC 9700): https, or http on a
 * loopback host only; no user name or password; no fragment; an absolute URL; matched exactly at
 * authorization. Checked where a registration is made (`addClient`, whichever way it is called)
 * and again where the relay reads a registration back from its store.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSsoAdmin, redirectUriProblem, type SsoAdmin } from '../src/identity/sso/index.ts';
import { createDatabase, type Database, loadKeyring, migrateToLatest } from '../src/store/index.ts';
import { Browser, type Harness, SCHOOL_REDIRECT, startHarness } from './sso-harness.ts';

const PASSWORD = 'Mk-2026-truong-nguyen-du';

describe('what may be registered', () => {
  test.each([
    ['https://smas.thcs-nguyen-du.example/oidc/callback'],
    ['https://smas.thcs-nguyen-du.example:8443/oidc/callback?tenant=79NB0001'],
    ['http://127.0.0.1:53682/callback'],
    ['http://[::1]:53682/callback'],
    ['http://localhost:3000/callback'],
  ])('%s is accepted', (uri) => {
    expect(redirectUriProblem(uri)).toBeUndefined();
  });

  test.each([
    ['http://smas.thcs-nguyen-du.example/oidc/callback', 'SSO_REDIRECT_URI_NOT_HTTPS'],
    // Loopback by name only: a public host that starts like one is still a public host.
    ['http://127.0.0.1.nip.io/callback', 'SSO_REDIRECT_URI_NOT_HTTPS'],
    ['http://localhost.evil.example/callback', 'SSO_REDIRECT_URI_NOT_HTTPS'],
    ['http://10.0.0.7/callback', 'SSO_REDIRECT_URI_NOT_HTTPS'],
    ['javascript:alert(document.cookie)', 'SSO_REDIRECT_URI_NOT_HTTPS'],
    ['com.smas.app:/oidc/callback', 'SSO_REDIRECT_URI_NOT_HTTPS'],
    [`https://smas:${PASSWORD}@smas.thcs-nguyen-du.example/cb`, 'SSO_REDIRECT_URI_USERINFO'],
    ['https://smas.thcs-nguyen-du.example@evil.example/cb', 'SSO_REDIRECT_URI_USERINFO'],
    ['https://@smas.thcs-nguyen-du.example/cb', 'SSO_REDIRECT_URI_USERINFO'],
    ['http://user@127.0.0.1:8080/cb', 'SSO_REDIRECT_URI_USERINFO'],
    ['https://smas.thcs-nguyen-du.example/cb#done', 'SSO_REDIRECT_URI_FRAGMENT'],
    ['https://smas.thcs-nguyen-du.example/cb#', 'SSO_REDIRECT_URI_FRAGMENT'],
    ['/oidc/callback', 'SSO_REDIRECT_URI_INVALID'],
    ['smas.thcs-nguyen-du.example/oidc/callback', 'SSO_REDIRECT_URI_INVALID'],
    ['', 'SSO_REDIRECT_URI_INVALID'],
    // The URL parser would drop the newline and the spaces; what is stored must be what is checked.
    ['https://smas.thcs-nguyen-du.example/cb\n', 'SSO_REDIRECT_URI_INVALID'],
    [' https://smas.thcs-nguyen-du.example/cb', 'SSO_REDIRECT_URI_INVALID'],
  ])('%j is refused with %s', (uri, code) => {
    expect(redirectUriProblem(uri)?.code).toBe(code);
  });
});

describe('registering through the admin (what `edubridge sso client add` and the relay share)', () => {
  let database: Database;
  let admin: SsoAdmin;

  beforeAll(async () => {
    database = await createDatabase({});
    await migrateToLatest(database);
    admin = createSsoAdmin({
      database,
      keyring: loadKeyring({}, () => {}),
      publicUrl: 'https://hub.nhabe.example',
    });
  });
  afterAll(async () => {
    await admin?.close();
    await database?.close();
  });

  const clients = async () =>
    (
      await sql<{ payload: { redirect_uris: string[] } }>`
        select payload from sso_payloads where model = 'Client'`.execute(database.kysely)
    ).rows.map((r) => r.payload.redirect_uris);

  test.each([
    ['http on a public host', 'http://smas.thcs-nguyen-du.example/cb', 'SSO_REDIRECT_URI_NOT_HTTPS'],
    ['a user name and password', `https://smas:${PASSWORD}@smas.example/cb`, 'SSO_REDIRECT_URI_USERINFO'],
    ['a fragment', 'https://smas.thcs-nguyen-du.example/cb#top', 'SSO_REDIRECT_URI_FRAGMENT'],
    ['a relative URI', '/oidc/callback', 'SSO_REDIRECT_URI_INVALID'],
  ])('%s is refused with a typed, bilingual error and nothing is stored', async (_, uri, code) => {
    const before = await clients();
    const refused = await admin
      .addClient({ name: 'SMAS', redirectUris: ['https://smas.example/ok', uri] })
      .then(
        () => undefined,
        (error: unknown) => error as Error & { code: string },
      );

    expect(refused).toMatchObject({ name: 'SsoClientInputError', code });
    // Vietnamese first, English beside, naming which URI.
    expect(refused!.message).toMatch(/^redirect URI thứ 2 .+ \/ redirect URI #2 /);
    expect(refused!.message).not.toContain(PASSWORD);
    expect(await clients()).toEqual(before);
  });

  test('a post-logout URI is held to the same policy', async () => {
    await expect(
      admin.addClient({
        name: 'SMAS',
        redirectUris: ['https://smas.example/cb'],
        postLogoutRedirectUris: ['http://smas.example/signed-out'],
      }),
    ).rejects.toMatchObject({
      code: 'SSO_REDIRECT_URI_NOT_HTTPS',
      message: expect.stringContaining('post-logout URI #1'),
    });
  });

  test('https and http on a loopback port are accepted and stored as given', async () => {
    const uris = ['https://smas.thcs-nguyen-du.example/oidc/callback', 'http://127.0.0.1:53682/callback'];
    const added = await admin.addClient({ name: 'SMAS', redirectUris: uris });

    expect(added.clientId).toMatch(/^eb-/);
    expect(await clients()).toContainEqual(uris);
  });
});

describe('at authorization', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ personality: 'dvcqg' });
  });
  afterAll(async () => {
    await h?.close();
  });

  test.each([
    [
      'another port on the same loopback host',
      'http://127.0.0.1:53682/callback',
      'http://127.0.0.1:53683/callback',
    ],
    ['the host in capitals', SCHOOL_REDIRECT, SCHOOL_REDIRECT.replace('smas.', 'SMAS.')],
    ['a query added', SCHOOL_REDIRECT, `${SCHOOL_REDIRECT}?next=/admin`],
    ['the default port written out', SCHOOL_REDIRECT, SCHOOL_REDIRECT.replace('.example/', '.example:443/')],
    ['http instead of https', SCHOOL_REDIRECT, SCHOOL_REDIRECT.replace('https:', 'http:')],
  ])('a redirect_uri that differs by %s is refused: the match is exact', async (_, registered, asked) => {
    const school = await h.school({ redirectUris: [registered] });

    const exact = await h.begin(school, new Browser(), { redirect_uri: registered });
    const differing = await h.begin(school, new Browser(), { redirect_uri: asked });

    expect(exact.upstreamUrl?.origin).toBe(h.sandbox.url);
    expect(differing.upstreamUrl).toBeUndefined();
    expect(differing.status).toBe(400);
    expect(differing.body).toContain('data-error="invalid_redirect_uri"');
  });

  test('a registration stored before the policy (or by hand) is refused when read, and district IT is told', async () => {
    const school = await h.school();
    // As if written before the policy: an http redirect URI on a public host.
    const insecure = SCHOOL_REDIRECT.replace('https:', 'http:');
    await sql`
      update sso_payloads
         set payload = jsonb_set(payload, '{redirect_uris}', ${JSON.stringify([insecure])}::jsonb)
       where model = 'Client' and id = ${school.clientId}`.execute(h.database.kysely);
    const logged = h.logs.length;

    const begun = await h.begin(school, new Browser(), { redirect_uri: insecure });

    expect(begun.upstreamUrl).toBeUndefined();
    expect(begun.status).toBe(400);
    expect(begun.body).toContain('data-error="invalid_client"');
    const warnings = h.logs.slice(logged).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(warnings).toContainEqual(
      expect.objectContaining({ clientId: school.clientId, code: 'SSO_REDIRECT_URI_NOT_HTTPS' }),
    );
  });
});
