/**
 * The relay refuses what it must: forged or replayed answers from "VNeID", callbacks that do not
 * belong to the browser, school-app requests without PKCE or with a foreign redirect URI, replayed
 * codes, accounts below the level an application needs. Every refusal is a page (or an OAuth error
 * for the school app's back channel) and an audit entry.
 */
import * as oidc from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  Browser,
  type Harness,
  refusalReason,
  SCHOOL_REDIRECT,
  type SchoolApp,
  type SignInResult,
  startHarness,
} from './sso-harness.ts';

function expectPage(result: SignInResult, status: number, reason: string) {
  if (result.outcome !== 'page') throw new Error(`expected a refusal page, got a code (${reason})`);
  expect({ status: result.status, reason: refusalReason(result.body) }).toEqual({ status, reason });
  expect(result.body).toContain('Không thể đăng nhập');
  expect(result.body).toContain('Sign-in refused');
  expect(result.body).not.toMatch(/\.ts:\d+|node_modules|Error:/);
}

/** A sign-in up to VNeID's answer: the callback URL the browser would be sent to, not yet followed. */
async function upToCallback(h: Harness, school: SchoolApp, browser = new Browser()) {
  const begun = await h.begin(school, browser);
  if (!begun.upstreamUrl) throw new Error(`no redirect to VNeID (${begun.status})`);
  const callback = new URL(await h.sandbox.login(begun.upstreamUrl.href, '079088012345'));
  return { callback, browser, started: begun.started };
}

describe('the hub refuses answers that are not the browser’s (both personalities)', () => {
  describe.each(['dvcqg', 'vneid-direct'] as const)('%s', (personality) => {
    let h: Harness;
    let school: SchoolApp;
    beforeAll(async () => {
      h = await startHarness({ personality });
      school = await h.school();
    });
    afterAll(async () => {
      await h?.close();
    });

    test('a callback whose upstream state is not the interaction’s is refused and audited', async () => {
      const { callback, browser, started } = await upToCallback(h, school);
      // Rebuilt by hand: URLSearchParams would re-encode the direct personality's raw `+`.
      const forged = callback.href.replace(/([?&]state=)[^&]*/, '$1forged-state-value');
      const before = h.audits.length;
      expectPage(await h.finish(forged, browser, started), 400, 'state_mismatch');
      expect(h.audits.slice(before)).toEqual([
        {
          action: 'sso:refuse',
          decision: 'deny',
          clientId: school.clientId,
          reason: 'state_mismatch',
          upstream: personality,
        },
      ]);
    });

    test('a callback without the interaction cookie (another browser) is refused', async () => {
      const { callback, started } = await upToCallback(h, school);
      expectPage(await h.finish(callback, new Browser(), started), 400, 'interaction_expired');
    });

    test('the same callback twice: the second is refused', async () => {
      const { callback, browser, started } = await upToCallback(h, school);
      expect((await h.finish(callback, browser, started)).outcome).toBe('code');
      expectPage(await h.finish(callback, browser, started), 400, 'interaction_expired');
    });

    test('a teacher with a level 1 account is refused where staff need level 2', async () => {
      const before = h.audits.length;
      expectPage(await h.signIn(school, 'levelOneTeacher'), 403, 'level_too_low');
      expect(h.audits.slice(before)).toEqual([
        {
          action: 'sso:refuse',
          decision: 'deny',
          clientId: school.clientId,
          reason: 'level_too_low',
          accountId: 'acc_teacher_l1',
          upstream: personality,
        },
      ]);
    });

    test('a guardian with a level 1 account signs in where the app sets no level (acr "1")', async () => {
      const result = await h.signIn(school, 'levelOneGuardian');
      if (result.outcome !== 'code') throw new Error(`refused: ${refusalReason(result.body)}`);
      expect((await h.redeem(school, result)).claims()).toMatchObject({ role: 'guardian', acr: '1' });
    });

    test('a role the app does not accept is refused', async () => {
      const teachersOnly = await h.school({ name: 'Sổ điểm', allowedRoles: ['teacher'] });
      expectPage(await h.signIn(teachersOnly, 'guardian'), 403, 'role_not_allowed');
    });
  });
});

describe('forged ID tokens from DVCQG', () => {
  let h: Harness;
  let school: SchoolApp;
  beforeAll(async () => {
    h = await startHarness({ personality: 'dvcqg' });
    school = await h.school();
  });
  afterEach(() => h.sandbox.setAttack(null));
  afterAll(async () => {
    await h?.close();
  });

  test.each([
    ['id_token_foreign_key', 'id_token_signature'],
    ['id_token_expired', 'id_token_expired'],
    ['id_token_wrong_nonce', 'id_token_nonce'],
    ['id_token_wrong_audience', 'id_token_audience'],
    ['userinfo_tampered', 'claims_invalid'],
  ] as const)('%s is refused as %s, and audited', async (attack, reason) => {
    h.sandbox.setAttack(attack);
    const before = h.audits.length;
    expectPage(await h.signIn(school, 'teacher'), 400, reason);
    expect(h.audits.slice(before)).toEqual([
      { action: 'sso:refuse', decision: 'deny', clientId: school.clientId, reason, upstream: 'dvcqg' },
    ]);
  });

  test('an app that requires level 2 sends acr_values=LoA2: DVCQG itself turns a level 1 account away', async () => {
    const strict = await h.school({ name: 'Hồ sơ học sinh', requiredLevel: 2, allowedRoles: ['guardian'] });
    const begun = await h.begin(strict);
    expect(begun.upstreamUrl?.searchParams.get('acr_values')).toBe('LoA2');
    const callback = await h.sandbox.login(begun.upstreamUrl!.href, '079187055566', 1);
    expectPage(await h.finish(callback, begun.browser, begun.started), 403, 'upstream_denied');
  });

  test('PKCE towards DVCQG: the authorization request carries an S256 challenge and a nonce', async () => {
    const begun = await h.begin(school);
    expect(begun.upstreamUrl?.searchParams.get('code_challenge_method')).toBe('S256');
    expect(begun.upstreamUrl?.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(begun.upstreamUrl?.searchParams.get('nonce')).toBeTruthy();
    expect(begun.upstreamUrl?.searchParams.get('acr_values')).toBe('LoA1');
  });
});

describe('tampered answers from direct VNeID', () => {
  let h: Harness;
  let school: SchoolApp;
  beforeAll(async () => {
    h = await startHarness({ personality: 'vneid-direct' });
    school = await h.school();
  });
  afterEach(() => h.sandbox.setAttack(null));
  afterAll(async () => {
    await h?.close();
  });

  test('a tampered encrypted userinfo is refused as SSO_UPSTREAM_TAMPERED, and audited', async () => {
    h.sandbox.setAttack('userinfo_tampered');
    const before = h.audits.length;
    const result = await h.signIn(school, 'teacher');
    expectPage(result, 400, 'upstream_tampered');
    expect(result.outcome === 'page' && result.body).toContain('SSO_UPSTREAM_TAMPERED');
    expect(h.audits.slice(before)).toEqual([
      {
        action: 'sso:refuse',
        decision: 'deny',
        clientId: school.clientId,
        reason: 'upstream_tampered',
        upstream: 'vneid-direct',
      },
    ]);
  });

  test('direct VNeID ignores levels: the hub refuses a level 1 account where the app requires 2', async () => {
    const strict = await h.school({ name: 'Hồ sơ học sinh', requiredLevel: 2, allowedRoles: ['guardian'] });
    expectPage(await h.signIn(strict, 'levelOneGuardian', { level: 1 }), 403, 'level_too_low');
  });

  test('the authorization request is the plain one: no nonce, no PKCE', async () => {
    const begun = await h.begin(school);
    const params = Object.fromEntries(begun.upstreamUrl!.searchParams);
    expect(Object.keys(params).sort()).toEqual([
      'client_id',
      'redirect_uri',
      'response_type',
      'scope',
      'state',
    ]);
    expect(params).toMatchObject({
      response_type: 'code',
      scope: 'openid',
      redirect_uri: `${h.hubUrl}/sso/callback`,
    });
  });
});

describe('direct VNeID with encrypted codes', () => {
  let h: Harness;
  let school: SchoolApp;
  beforeAll(async () => {
    h = await startHarness({ personality: 'vneid-direct', encryptCode: true });
    school = await h.school();
  });
  afterAll(async () => {
    await h?.close();
  });

  test('a base64 code with a raw "+" and its encrypt_key reach VNeID intact', async () => {
    let seen: {
      callback: URL;
      browser: Browser;
      started: Awaited<ReturnType<typeof upToCallback>>['started'];
    };
    for (let attempt = 0; ; attempt++) {
      seen = await upToCallback(h, school);
      const rawCode = /[?&]code=([^&]*)/.exec(seen.callback.href)?.[1] ?? '';
      if (rawCode.includes('+') || attempt === 30) break;
    }
    expect(seen.callback.searchParams.has('encrypt_key')).toBe(true);
    expect(/[?&]code=[^&]*\+/.test(seen.callback.href)).toBe(true);
    const result = await h.finish(seen.callback, seen.browser, seen.started);
    if (result.outcome !== 'code') throw new Error(`refused: ${refusalReason(result.body)}`);
    expect((await h.redeem(school, result)).claims()).toMatchObject({ sub: 'acc_teacher_7f3a' });
  });
});

describe('direct VNeID read with the wrong AES mode', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ personality: 'vneid-direct', aesMode: 'cbc-iv-prefix' });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('an answer that does not decrypt is a refusal page, not a crash', async () => {
    const school = await h.school();
    expectPage(await h.signIn(school, 'teacher'), 400, 'upstream_tampered');
  });
});

describe('the hub as OpenID Provider refuses school-app requests it must not honour', () => {
  let h: Harness;
  let school: SchoolApp;
  beforeAll(async () => {
    h = await startHarness({ personality: 'dvcqg' });
    school = await h.school();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function codeFor(app: SchoolApp = school) {
    const result = await h.signIn(app, 'teacher');
    if (result.outcome !== 'code') throw new Error('expected a code');
    return result;
  }

  test('a token request without the PKCE verifier is refused with invalid_grant', async () => {
    const result = await codeFor();
    await expect(
      oidc.authorizationCodeGrant(school.config, result.callback, {
        expectedState: result.started.state,
        expectedNonce: result.started.nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  test('a token request with another PKCE verifier is refused with invalid_grant', async () => {
    const result = await codeFor();
    await expect(
      oidc.authorizationCodeGrant(school.config, result.callback, {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: result.started.state,
        expectedNonce: result.started.nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(h.audits.at(-1)).toMatchObject({ action: 'sso:refuse', reason: 'op_invalid_grant' });
  });

  test('an authorization request without a code challenge goes back with invalid_request', async () => {
    const url = oidc.buildAuthorizationUrl(school.config, {
      redirect_uri: SCHOOL_REDIRECT,
      scope: 'openid',
      state: 'no-pkce',
    });
    const walked = await new Browser().follow(url, h.hubUrl);
    expect(walked.left?.origin + (walked.left?.pathname ?? '')).toBe(SCHOOL_REDIRECT);
    expect(walked.left?.searchParams.get('error')).toBe('invalid_request');
    expect(walked.left?.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  test('a plain code challenge method is refused', async () => {
    const url = oidc.buildAuthorizationUrl(school.config, {
      redirect_uri: SCHOOL_REDIRECT,
      scope: 'openid',
      state: 'plain',
      code_challenge: oidc.randomPKCECodeVerifier(),
      code_challenge_method: 'plain',
    });
    const walked = await new Browser().follow(url, h.hubUrl);
    expect(walked.left?.searchParams.get('error')).toBe('invalid_request');
  });

  test('an unregistered redirect URI gets a bilingual error page at the hub, no redirect', async () => {
    const before = h.audits.length;
    const begun = await h.begin(school, new Browser(), { redirect_uri: 'https://evil.example/steal' });
    expect(begun.upstreamUrl).toBeUndefined();
    expect(begun.status).toBe(400);
    expect(begun.body).toContain('data-error="invalid_redirect_uri"');
    expect(begun.body).toContain('Yêu cầu đăng nhập không hợp lệ');
    expect(begun.body).toContain('The sign-in request is not valid');
    expect(h.audits.slice(before)).toEqual([
      {
        action: 'sso:refuse',
        decision: 'deny',
        clientId: school.clientId,
        reason: 'op_invalid_redirect_uri',
        upstream: 'dvcqg',
      },
    ]);
  });

  test('an unknown client_id is audited as `unknown`, never as sent (it may be anything, an ID number)', async () => {
    const before = h.audits.length;
    const url = new URL(`${h.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: '079088012345',
      redirect_uri: SCHOOL_REDIRECT,
      response_type: 'code',
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    }).toString();

    const walked = await new Browser().follow(url, h.hubUrl);

    expect(walked.status).toBe(400);
    expect(h.audits.slice(before)).toEqual([
      {
        action: 'sso:refuse',
        decision: 'deny',
        clientId: 'unknown',
        reason: 'op_invalid_client',
        upstream: 'dvcqg',
      },
    ]);
  });

  test('a redirect URI that differs only by a trailing slash is not registered', async () => {
    const begun = await h.begin(school, new Browser(), { redirect_uri: `${SCHOOL_REDIRECT}/` });
    expect(begun.status).toBe(400);
    expect(begun.body).toContain('data-error="invalid_redirect_uri"');
  });

  test('a replayed authorization code is refused and revokes the tokens of the first use', async () => {
    const result = await codeFor();
    const tokens = await h.redeem(school, result);
    await expect(h.redeem(school, result)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(
      oidc.fetchUserInfo(school.config, tokens.access_token, 'acc_teacher_7f3a'),
    ).rejects.toMatchObject({
      status: 401,
    });
  });

  test('a code is redeemed only by the app it was issued to', async () => {
    const other = await h.school({ name: 'Khác', redirectUris: [SCHOOL_REDIRECT] });
    const result = await codeFor();
    await expect(h.redeem(other, result)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  test('a wrong client secret is refused with invalid_client', async () => {
    const result = await codeFor();
    const config = await oidc.discovery(
      new URL(h.issuer),
      school.clientId,
      undefined,
      oidc.ClientSecretBasic('not-the-secret'),
      { execute: [oidc.allowInsecureRequests] },
    );
    await expect(
      oidc.authorizationCodeGrant(config, result.callback, {
        pkceCodeVerifier: result.started.verifier,
        expectedState: result.started.state,
        expectedNonce: result.started.nonce,
      }),
    ).rejects.toMatchObject({ status: 401, cause: [{ parameters: { error: 'invalid_client' } }] });
  });
});
