/**
 * The SSO relay end to end, over real HTTP: a school application (openid-client 6, PKCE) → the hub
 * (oidc-provider mounted in the hub's Fastify app) → the sandbox VNeID in each personality → the
 * hub → the school application, which verifies the hub's ID token against its JWKS.
 */
import { Command } from 'commander';
import { createRemoteJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { registerSsoCommands } from '../src/cli/commands/sso.ts';
import { ssoDb } from '../src/identity/sso/tables.ts';
import {
  Browser,
  type Harness,
  PEOPLE,
  PERSONAL_VALUES,
  refusalReason,
  SCHOOL_LOGOUT,
  SCHOOL_REDIRECT,
  type SchoolApp,
  startHarness,
} from './sso-harness.ts';

describe.each(['dvcqg', 'vneid-direct'] as const)('sign-in through VNeID (%s)', (personality) => {
  let h: Harness;
  let school: SchoolApp;

  beforeAll(async () => {
    h = await startHarness({ personality });
    school = await h.school();
  });
  afterAll(async () => {
    await h?.close();
  });

  test('a teacher gets an ID token the school app verifies, with role, schools and teacher codes', async () => {
    const result = await h.signIn(school, 'teacher');
    expect(result.outcome).toBe('code');
    if (result.outcome !== 'code') return;
    expect(result.callback.origin + result.callback.pathname).toBe(SCHOOL_REDIRECT);

    const tokens = await h.redeem(school, result);
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      iss: h.issuer,
      aud: school.clientId,
      sub: 'acc_teacher_7f3a',
      name: 'Trần Thị Bích Ngọc',
      role: 'teacher',
      schools: ['79NB0001'],
      teacher_codes: ['GV0042'],
      acr: '2',
      amr: ['vneid'],
    });
    expect(claims).not.toHaveProperty('students');
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');

    const userinfo = await oidc.fetchUserInfo(school.config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({ sub: 'acc_teacher_7f3a', role: 'teacher', teacher_codes: ['GV0042'] });

    expect(h.audits.at(-1)).toEqual({
      action: 'sso:login',
      decision: 'allow',
      clientId: school.clientId,
      accountId: 'acc_teacher_7f3a',
      upstream: personality,
    });
  });

  test('the sub is the pseudonymous account id: no ID number, name or birth date outside name', async () => {
    const result = await h.signIn(school, 'teacher');
    if (result.outcome !== 'code') throw new Error('expected a code');
    const tokens = await h.redeem(school, result);
    const body = JSON.stringify(tokens.claims());
    expect(body).not.toContain(PEOPLE.teacher.citizen.personalId);
    expect(body).not.toContain('19880219');
    expect(body).not.toContain('1988-02-19');
  });

  test('a guardian with a verified link gets role guardian and the students', async () => {
    const result = await h.signIn(school, 'guardian');
    if (result.outcome !== 'code') throw new Error(`refused: ${result.status} ${refusalReason(result.body)}`);
    const claims = (await h.redeem(school, result)).claims()!;
    expect(claims).toMatchObject({
      sub: 'acc_guardian_91c2',
      role: 'guardian',
      schools: ['79NB0001'],
      students: [{ school: '79NB0001', student_code: '7910000123' }],
      acr: '2',
    });
    expect(claims).not.toHaveProperty('teacher_codes');
  });

  test('a guardian without a verified link sees a bilingual refusal page, and it is audited', async () => {
    const before = h.audits.length;
    const result = await h.signIn(school, 'unverifiedGuardian');
    expect(result.outcome).toBe('page');
    if (result.outcome !== 'page') return;
    expect(result.status).toBe(403);
    expect(refusalReason(result.body)).toBe('no_verified_guardianship');
    expect(result.body).toContain('SSO_NO_VERIFIED_GUARDIANSHIP');
    expect(result.body).toContain('chưa được nhà trường xác minh');
    expect(result.body).toContain('has not been verified by the school');
    expect(result.body).not.toMatch(/at .*\.ts:\d+/);
    expect(result.body).not.toContain(PEOPLE.unverifiedGuardian.citizen.personalId);
    expect(h.audits.slice(before)).toEqual([
      {
        action: 'sso:refuse',
        decision: 'deny',
        clientId: school.clientId,
        reason: 'no_verified_guardianship',
        upstream: personality,
      },
    ]);
  });

  test('the refusal page leads back to the school app with error=access_denied', async () => {
    const result = await h.signIn(school, 'unverifiedGuardian');
    if (result.outcome !== 'page') throw new Error('expected a page');
    const back = /href="([^"]+)"/.exec(result.body)?.[1]?.replaceAll('&#38;', '&');
    expect(back).toBeDefined();
    const audited = h.audits.length;
    const walked = await result.browser.follow(back!, h.hubUrl);
    expect(h.audits.length).toBe(audited); // the refusal was audited once, on the page
    expect(walked.left?.origin + (walked.left?.pathname ?? '')).toBe(SCHOOL_REDIRECT);
    expect(walked.left?.searchParams.get('error')).toBe('access_denied');
    expect(walked.left?.searchParams.get('state')).toBe(result.started.state);
  });

  test('a citizen VNeID knows but no school does is refused as unknown', async () => {
    const result = await h.signIn(school, 'stranger');
    if (result.outcome !== 'page') throw new Error('expected a page');
    expect(result.status).toBe(403);
    expect(refusalReason(result.body)).toBe('unknown_citizen');
    expect(result.body).toContain('Không thể đăng nhập');
    expect(result.body).toContain('Sign-in refused');
    expect(h.audits.at(-1)).toMatchObject({ action: 'sso:refuse', reason: 'unknown_citizen' });
  });

  test('a full sign-in writes log lines, none with an ID number, a name or a birth date', async () => {
    const from = h.logs.length;
    const result = await h.signIn(school, 'guardian');
    if (result.outcome !== 'code') throw new Error('expected a code');
    const tokens = await h.redeem(school, result);
    await oidc.fetchUserInfo(school.config, tokens.access_token, tokens.claims()!.sub);
    await h.signIn(school, 'stranger');
    const lines = h.logs.slice(from);
    expect(lines.some((line) => line.includes('"sso sign-in"'))).toBe(true);
    expect(lines.some((line) => line.includes('"sso sign-in refused"'))).toBe(true);
    expect(lines.some((line) => line.includes('/sso/callback'))).toBe(true);
    for (const value of PERSONAL_VALUES) {
      expect(h.logs.filter((line) => line.includes(value))).toEqual([]);
    }
    // Nor a secret of the sign-in: the code and state the school app got, its tokens, the client
    // secrets, the PKCE verifier.
    const secrets = [
      result.callback.searchParams.get('code')!,
      result.started.state,
      result.started.nonce,
      result.started.verifier,
      tokens.access_token,
      tokens.id_token!,
      school.clientSecret,
      'hub-secret-at-vneid',
    ];
    for (const value of secrets) {
      expect(value.length).toBeGreaterThan(8);
      expect(h.logs.filter((line) => line.includes(value))).toEqual([]);
    }
    // The relay logs through the app's logger, with the request's id.
    const signedIn = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'sso sign-in');
    expect(signedIn).toMatchObject({ reqId: expect.any(String) });
  });
});

describe('DVCQG without PKCE (pkce: false, as the real portal may need)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ personality: 'dvcqg', pkce: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('the upstream request has no code challenge and the teacher still signs in', async () => {
    const school = await h.school();
    const begun = await h.begin(school);
    expect(begun.upstreamUrl?.searchParams.has('code_challenge')).toBe(false);
    expect(begun.upstreamUrl?.searchParams.get('nonce')).toBeTruthy();
    const callback = await h.sandbox.login(begun.upstreamUrl!.href, PEOPLE.teacher.citizen.personalId);
    const result = await h.finish(callback, begun.browser, begun.started);
    if (result.outcome !== 'code') throw new Error(`refused: ${refusalReason(result.body)}`);
    expect((await h.redeem(school, result)).claims()).toMatchObject({ role: 'teacher', acr: '2' });
  });
});

describe('the hub as OpenID Provider', () => {
  let h: Harness;
  let school: SchoolApp;

  beforeAll(async () => {
    h = await startHarness({ personality: 'dvcqg' });
    school = await h.school();
  });
  afterAll(async () => {
    await h?.close();
  });

  test('discovery announces code flow with PKCE S256, RS256 ID tokens, userinfo and logout', async () => {
    const metadata = school.config.serverMetadata();
    expect(metadata.issuer).toBe(h.issuer);
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.id_token_signing_alg_values_supported).toEqual(['RS256']);
    // `none` is for the hub's own console, a public client (PKCE, no secret); a school app is
    // registered with a secret or keys and must authenticate with them (tested below).
    expect(metadata.token_endpoint_auth_methods_supported).toEqual([
      'client_secret_basic',
      'private_key_jwt',
      'none',
    ]);
    // A school app registered with a secret cannot present itself as a public client.
    const publicTry = await fetch(metadata.token_endpoint!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'not-a-code',
        client_id: school.clientId,
        redirect_uri: SCHOOL_REDIRECT,
        code_verifier: 'v'.repeat(43),
      }),
    });
    expect(publicTry.status).toBe(401);
    expect(((await publicTry.json()) as { error: string }).error).toBe('invalid_client');
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'edubridge']));
    expect(metadata.userinfo_endpoint).toBe(`${h.issuer}/me`);
    expect(metadata.end_session_endpoint).toBe(`${h.issuer}/session/end`);
    expect(metadata.acr_values_supported).toEqual(['1', '2']);
  });

  test('the client secret is stored sealed, never in clear', async () => {
    const rows = await ssoDb(h.database)
      .selectFrom('sso_payloads')
      .selectAll()
      .where('model', '=', 'Client')
      .where('id', '=', school.clientId)
      .execute();
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.payload).not.toHaveProperty('client_secret');
    expect(JSON.stringify(row.payload)).not.toContain(school.clientSecret);
    expect(row.sealed?.length).toBeGreaterThan(16);
    expect(Buffer.from(row.sealed!).toString('latin1')).not.toContain(school.clientSecret);
    expect(row.payload).toMatchObject({
      redirect_uris: [SCHOOL_REDIRECT],
      edubridge_allowed_roles: ['teacher', 'guardian', 'district_admin'],
    });
  });

  test('RP-initiated logout asks in Vietnamese and English, ends the session and returns to the app', async () => {
    const browser = new Browser();
    const result = await h.signIn(school, 'teacher', { browser });
    if (result.outcome !== 'code') throw new Error('expected a code');
    const tokens = await h.redeem(school, result);

    const endUrl = oidc.buildEndSessionUrl(school.config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: SCHOOL_LOGOUT,
      state: 'bye-123',
    });
    const page = await browser.fetch(endUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Đăng xuất khỏi EduBridge?');
    expect(html).toContain('Sign out of EduBridge?');
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    expect(action).toBeDefined();

    const before = h.audits.length;
    const confirm = await browser.fetch(action!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf: xsrf!, logout: 'yes' }).toString(),
    });
    expect(confirm.status).toBe(303);
    const back = new URL(confirm.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(SCHOOL_LOGOUT);
    expect(back.searchParams.get('state')).toBe('bye-123');
    await vi.waitFor(() =>
      expect(h.audits.slice(before)).toEqual([
        {
          action: 'sso:logout',
          decision: 'allow',
          clientId: school.clientId,
          accountId: 'acc_teacher_7f3a',
          upstream: 'dvcqg',
        },
      ]),
    );

    // The grant went with the session: the access token no longer reads userinfo.
    await expect(
      oidc.fetchUserInfo(school.config, tokens.access_token, 'acc_teacher_7f3a'),
    ).rejects.toThrow();
    // And signing in again goes to VNeID again.
    const again = await h.begin(school, browser);
    expect(again.upstreamUrl?.origin).toBe(h.sandbox.url);
  });

  test('a second school app in the same browser signs in from the hub session without VNeID', async () => {
    const browser = new Browser();
    const first = await h.signIn(school, 'guardian', { browser });
    expect(first.outcome).toBe('code');
    const other = await h.school({ name: 'Sổ liên lạc điện tử', allowedRoles: ['guardian'] });
    const requestsBefore = h.sandbox.requests.length;
    const second = await h.signIn(other, 'guardian', { browser });
    if (second.outcome !== 'code') throw new Error('expected a code');
    expect(h.sandbox.requests.length).toBe(requestsBefore);
    const claims = (await h.redeem(other, second)).claims()!;
    expect(claims).toMatchObject({
      sub: 'acc_guardian_91c2',
      aud: other.clientId,
      role: 'guardian',
      acr: '2',
    });
  });

  test('a signed-in teacher is refused by an app for guardians only, from the hub session too', async () => {
    const browser = new Browser();
    expect((await h.signIn(school, 'teacher', { browser })).outcome).toBe('code');
    const guardiansOnly = await h.school({ name: 'Cổng phụ huynh', allowedRoles: ['guardian'] });
    const before = h.audits.length;
    const result = await h.begin(guardiansOnly, browser);
    expect(result.upstreamUrl).toBeUndefined();
    expect(result.status).toBe(403);
    expect(refusalReason(result.body!)).toBe('role_not_allowed');
    expect(h.audits.slice(before)).toEqual([
      {
        action: 'sso:refuse',
        decision: 'deny',
        clientId: guardiansOnly.clientId,
        reason: 'role_not_allowed',
        accountId: 'acc_teacher_7f3a',
        upstream: 'dvcqg',
      },
    ]);
  });

  test('an app may authenticate with private_key_jwt instead of a secret', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'smas-2026', alg: 'RS256', use: 'sig' };
    const added = await h.relay.addClient({
      name: 'SMAS (khoá riêng)',
      redirectUris: [SCHOOL_REDIRECT],
      authMethod: 'private_key_jwt',
      jwks: { keys: [jwk] },
    });
    expect(added.clientSecret).toBeUndefined();
    const config = await oidc.discovery(
      new URL(added.issuer),
      added.clientId,
      { token_endpoint_auth_method: 'private_key_jwt' },
      oidc.PrivateKeyJwt({ key: privateKey, kid: 'smas-2026' }),
      { execute: [oidc.allowInsecureRequests] },
    );
    const app = { clientId: added.clientId, clientSecret: '', config };
    const result = await h.signIn(app, 'teacher');
    if (result.outcome !== 'code') throw new Error('expected a code');
    expect((await h.redeem(app, result)).claims()).toMatchObject({ aud: added.clientId, role: 'teacher' });
  });

  test('key rotation: new ID tokens carry the new kid, older ones still verify against the JWKS', async () => {
    const first = await h.signIn(school, 'teacher');
    if (first.outcome !== 'code') throw new Error('expected a code');
    const oldToken = (await h.redeem(school, first)).id_token!;
    const oldKid = decodeProtectedHeader(oldToken).kid;

    const { kid } = await h.relay.rotateSigningKey();
    expect(kid).not.toBe(oldKid);

    const second = await h.signIn(school, 'teacher');
    if (second.outcome !== 'code') throw new Error('expected a code');
    const newToken = (await h.redeem(school, second)).id_token!;
    expect(decodeProtectedHeader(newToken).kid).toBe(kid);

    const jwksUrl = new URL(school.config.serverMetadata().jwks_uri!);
    const published = (await (await fetch(jwksUrl)).json()) as { keys: Array<Record<string, unknown>> };
    expect(published.keys.map((k) => k.kid)).toEqual([kid, oldKid]);
    for (const key of published.keys) {
      expect(key).not.toHaveProperty('d');
      expect(key).not.toHaveProperty('p');
    }
    const jwks = createRemoteJWKSet(jwksUrl);
    for (const token of [oldToken, newToken]) {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: h.issuer,
        audience: school.clientId,
        algorithms: ['RS256'],
      });
      expect(payload.sub).toBe('acc_teacher_7f3a');
    }
  });

  test('signing keys are stored sealed', async () => {
    const rows = await ssoDb(h.database).selectFrom('sso_signing_keys').selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(Buffer.from(row.sealed).toString('latin1')).not.toMatch(/"d"\s*:/);
      expect(row.key_id).toBe('dev-insecure');
    }
  });
});

describe('edubridge sso (CLI)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ personality: 'dvcqg' });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function run(args: string[]): Promise<string> {
    const program = new Command('edubridge').exitOverride();
    let closed = 0;
    registerSsoCommands(program, async () => ({
      relay: h.relay,
      close: async () => {
        closed++;
      },
    }));
    const out: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await program.parseAsync(['node', 'edubridge', ...args]);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    expect(closed).toBe(1);
    return out.join('');
  }

  test('sso client add --json prints clientId, clientSecret and issuer, and the app can sign in', async () => {
    const printed = JSON.parse(
      await run([
        'sso',
        'client',
        'add',
        '--name',
        'VnEdu',
        '--redirect-uri',
        SCHOOL_REDIRECT,
        '--redirect-uri',
        'https://vnedu.example/cb2',
        '--post-logout-uri',
        SCHOOL_LOGOUT,
        '--roles',
        'teacher,guardian',
        '--level',
        '2',
        '--json',
      ]),
    ) as { clientId: string; clientSecret: string; issuer: string };
    expect(printed).toEqual({
      clientId: expect.any(String),
      clientSecret: expect.any(String),
      issuer: h.issuer,
    });

    const config = await oidc.discovery(
      new URL(printed.issuer),
      printed.clientId,
      undefined,
      oidc.ClientSecretBasic(printed.clientSecret),
      { execute: [oidc.allowInsecureRequests] },
    );
    const result = await h.signIn({ ...printed, config }, 'teacher');
    if (result.outcome !== 'code') throw new Error('expected a code');
    expect((await h.redeem({ ...printed, config }, result)).claims()).toMatchObject({ role: 'teacher' });
  });

  test('sso client add prints a bilingual summary without --json', async () => {
    const printed = await run(['sso', 'client', 'add', '--name', 'SMAS', '--redirect-uri', SCHOOL_REDIRECT]);
    expect(printed).toContain('Ứng dụng / Application: SMAS');
    expect(printed).toMatch(/client_id: +eb-/);
    expect(printed).toMatch(/client_secret: +\S{20,}/);
  });

  test('sso client add refuses an unknown role with a usage error', async () => {
    await expect(
      run(['sso', 'client', 'add', '--name', 'X', '--redirect-uri', SCHOOL_REDIRECT, '--roles', 'principal']),
    ).rejects.toMatchObject({ name: 'UsageError', code: 'OPTION_INVALID' });
  });

  test('sso keys rotate --json prints the new kid, which then signs', async () => {
    const { kid } = JSON.parse(await run(['sso', 'keys', 'rotate', '--json'])) as { kid: string };
    expect(kid).toMatch(/^\d{8}-[0-9a-f]{12}$/);
    const school = await h.school();
    const result = await h.signIn(school, 'teacher');
    if (result.outcome !== 'code') throw new Error('expected a code');
    expect(decodeProtectedHeader((await h.redeem(school, result)).id_token!).kid).toBe(kid);
  });
});
