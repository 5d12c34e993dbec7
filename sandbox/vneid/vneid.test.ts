/**
 * The sandbox VNeID identity provider speaks both personalities over real HTTP with real crypto:
 * VNConnect's OIDC code flow (id_token checked with jose against the JWKS) and direct VNeID's
 * encrypted `{"data","key"}` bodies (opened with the test relying party's RSA key).
 */
import { constants, createHash, type KeyObject, publicEncrypt, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decryptCode,
  generateRelyingPartyKeys,
  openEnvelope,
  type RelyingPartyKeys,
  rawQueryParam,
  rsaPkcs1v15Decrypt,
  startVneidSandbox,
  type VneidCitizen,
  type VneidEnvelope,
  VneidLoginError,
  type VneidSandbox,
} from './index.ts';

const CITIZENS: VneidCitizen[] = [
  { personalId: '001099012345', fullName: 'Nguyễn Thị Lan', birthDate: '1985-03-07', gender: 'female' },
  {
    personalId: '079204000123',
    fullName: 'Trần Văn Minh',
    birthDate: '2012-11-20',
    gender: 'male',
    accountLevel: 1,
  },
];
const [LAN, MINH] = CITIZENS as [VneidCitizen, VneidCitizen];
const CALLBACK = 'http://127.0.0.1:9/sso/callback';
const RP = { clientId: 'edubridge', clientSecret: 'rp-secret', redirectUris: [CALLBACK] };
const OTHER = {
  clientId: 'other-app',
  clientSecret: 'other-secret',
  redirectUris: ['http://127.0.0.1:9/other'],
};

const b64url = (bytes: Buffer) => bytes.toString('base64url');
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
/** A JSON body as these tests read it: string fields (errors, claims, tokens, `{"data","key"}`). */
interface Body extends VneidEnvelope {
  error: string;
  error_description: string;
  access_token: string;
  id_token: string;
  sub: string;
  status: string;
  userProfileUri: string;
  logoutUri: string;
  [field: string]: unknown;
}
const json = <T = Body>(response: Response) => response.json() as Promise<T>;
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/**
 * The test relying party's RSA key pair and the dvcqg signing key, made once and side by side: key
 * generation is the slow part of these tests.
 */
let keys: RelyingPartyKeys;
let signingKey: KeyObject;
beforeAll(async () => {
  const [rp, signer] = await Promise.all([generateRelyingPartyKeys(), generateRelyingPartyKeys()]);
  keys = rp;
  signingKey = signer.privateKey;
});

describe('dvcqg personality (VNConnect)', () => {
  let idp: VneidSandbox;
  let jwks: ReturnType<typeof createRemoteJWKSet>;

  beforeAll(async () => {
    idp = await startVneidSandbox({
      personality: 'dvcqg',
      citizens: CITIZENS,
      clients: [RP, OTHER],
      signingKey,
    });
    jwks = createRemoteJWKSet(new URL(`${idp.url}/oauth2/jwks`));
  });
  afterAll(() => idp.close());

  const authUrl = (extra: Record<string, string> = {}) =>
    `${idp.url}/oauth2/authorize?${form({
      response_type: 'code',
      client_id: RP.clientId,
      redirect_uri: CALLBACK,
      scope: 'openid',
      state: 'st-1',
      nonce: 'n-1',
      ...extra,
    })}`;
  const tokenCall = (fields: Record<string, string>, authorization = basic(RP.clientId, RP.clientSecret)) =>
    fetch(`${idp.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
      body: form({ grant_type: 'authorization_code', redirect_uri: CALLBACK, ...fields }),
    });
  const codeOf = (callback: string) => new URL(callback).searchParams.get('code')!;
  /** A fresh login as Lan at level 2 and its token answer. */
  const loginAndToken = async () => {
    const code = codeOf(await idp.login(authUrl(), LAN.personalId, 2));
    const answer = await tokenCall({ code });
    expect(answer.status).toBe(200);
    return json<{ access_token: string; id_token: string }>(answer);
  };
  const verify = (idToken: string) =>
    jwtVerify(idToken, jwks, { issuer: idp.issuer, audience: RP.clientId, algorithms: ['RS256'] });

  it('publishes the same discovery document at the root and under the WSO2 issuer', async () => {
    const root = await json(await fetch(`${idp.url}/.well-known/openid-configuration`));
    const underIssuer = await json(await fetch(`${idp.issuer}/.well-known/openid-configuration`));
    expect(underIssuer).toEqual(root);
    expect(idp.issuer).toBe(`${idp.url}/oauth2/token`);
    expect(root).toMatchObject({
      issuer: `${idp.url}/oauth2/token`,
      authorization_endpoint: `${idp.url}/oauth2/authorize`,
      token_endpoint: `${idp.url}/oauth2/token`,
      userinfo_endpoint: `${idp.url}/oauth2/userinfo`,
      jwks_uri: `${idp.url}/oauth2/jwks`,
      end_session_endpoint: `${idp.url}/oidc/logout`,
      response_types_supported: ['code'],
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      acr_values_supported: ['LoA1', 'LoA2'],
    });
    expect(root.claims_supported).toEqual(
      expect.arrayContaining(['SoDinhDanh', 'HoVaTen', 'NgayThangNamSinh']),
    );
  });

  it('shows a bilingual login page listing the citizens, with the form a browser posts', async () => {
    const page = await fetch(authUrl());
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('Đăng nhập / Log in');
    expect(html).toContain('Nguyễn Thị Lan');
    expect(html).toContain('001099012345');
    expect(html).toContain('07/03/1985');
    expect(html).toMatch(/<input type="hidden" name="interaction" value="[\w-]{32}">/);
    expect(html).toContain('action="/oauth2/authorize/login"');
  });

  it('logs in, issues tokens with PKCE, an id_token that verifies against the JWKS, and the userinfo claims', async () => {
    const verifier = b64url(randomBytes(32));
    const challenge = b64url(createHash('sha256').update(verifier).digest());
    const callback = await idp.login(
      authUrl({ code_challenge: challenge, code_challenge_method: 'S256', acr_values: 'LoA1' }),
      LAN.personalId,
      2,
    );
    const back = new URL(callback);
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    expect(back.searchParams.get('state')).toBe('st-1');
    expect(back.searchParams.get('session_state')).toMatch(/^[0-9a-f]{64}\.[0-9a-f]{16}$/);

    const answer = await tokenCall({ code: codeOf(callback), code_verifier: verifier });
    expect(answer.status).toBe(200);
    const tokens = await json(answer);
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'openid' });
    const { payload, protectedHeader } = await verify(tokens.id_token);
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({
      iss: idp.issuer,
      aud: RP.clientId,
      azp: RP.clientId,
      nonce: 'n-1',
      acr: 'LoA2',
    });
    expect(payload.sub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(payload.at_hash).toBe(
      b64url(createHash('sha256').update(tokens.access_token).digest().subarray(0, 16)),
    );

    const info = await fetch(`${idp.url}/oauth2/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(info.status).toBe(200);
    const claims = await json(info);
    expect(claims).toMatchObject({
      sub: payload.sub,
      LoaiTaiKhoan: '1',
      HoVaTen: 'Nguyễn Thị Lan',
      SoDinhDanh: '001099012345',
      NgayThangNamSinh: '19850307',
      GioiTinh: '2',
      loginIdp: 'BCA',
      loAs: 'LoA2',
    });
    expect(claims.TechID).not.toBe(claims.sub);
    expect(claims.userProfileUri).toMatch(
      new RegExp(`^${idp.url}/api/idp/third-party/view-info\\?token_id=[\\w-]+\\.[\\w-]+\\.[\\w-]+$`),
    );
    const profile = await json(await fetch(claims.userProfileUri));
    expect(profile.data).toMatchObject({ SoDinhDanh: '001099012345', HoVaTen: 'Nguyễn Thị Lan' });
  });

  it('gives the same citizen the same sub on every login, and a different one to another citizen', async () => {
    const first = decodeJwt((await loginAndToken()).id_token).sub;
    const second = decodeJwt((await loginAndToken()).id_token).sub;
    const code = codeOf(await idp.login(authUrl(), MINH.personalId));
    const minh = decodeJwt((await json(await tokenCall({ code }))).id_token);
    expect(second).toBe(first);
    expect(minh.sub).not.toBe(first);
    expect(minh.acr).toBe('LoA1');
  });

  it('accepts client_secret_post and refuses a wrong secret with 401 invalid_client', async () => {
    const code = codeOf(await idp.login(authUrl(), LAN.personalId));
    const wrong = await tokenCall({ code }, basic(RP.clientId, 'nope'));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await json(wrong)).error).toBe('invalid_client');
    const post = await fetch(`${idp.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({
        grant_type: 'authorization_code',
        code,
        redirect_uri: CALLBACK,
        client_id: RP.clientId,
        client_secret: RP.clientSecret,
      }),
    });
    expect(post.status).toBe(200);
  });

  it('refuses an unregistered redirect_uri with a page and no redirect', async () => {
    const page = await fetch(authUrl({ redirect_uri: 'http://127.0.0.1:9/sso/callback/evil' }), {
      redirect: 'manual',
    });
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
    expect(await page.text()).toContain('does not match a registered one');
    const refused = await idp
      .login(authUrl({ redirect_uri: 'https://evil.example/cb' }), LAN.personalId)
      .catch((e) => e);
    expect(refused).toBeInstanceOf(VneidLoginError);
    expect(refused).toMatchObject({ code: 'invalid_redirect_uri', status: 400 });
    const unknownClient = await idp.login(authUrl({ client_id: 'nobody' }), LAN.personalId).catch((e) => e);
    expect(unknownClient).toMatchObject({ code: 'invalid_client', status: 400 });
  });

  it('sends other bad requests back to the client with an error and the state', async () => {
    const noOpenid = new URL(await idp.login(authUrl({ scope: 'profile' }), LAN.personalId));
    expect(noOpenid.searchParams.get('error')).toBe('invalid_scope');
    expect(noOpenid.searchParams.get('state')).toBe('st-1');
    const plainPkce = new URL(
      await idp.login(
        authUrl({ code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }),
        LAN.personalId,
      ),
    );
    expect(plainPkce.searchParams.get('error')).toBe('invalid_request');
    const noState = new URL(await idp.login(authUrl({ state: '' }), LAN.personalId));
    expect(noState.searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses a replayed code with invalid_grant and revokes the tokens it gave', async () => {
    const code = codeOf(await idp.login(authUrl(), LAN.personalId));
    const first = await json(await tokenCall({ code }));
    const replay = await tokenCall({ code });
    expect(replay.status).toBe(400);
    expect((await json(replay)).error).toBe('invalid_grant');
    const info = await fetch(`${idp.url}/oauth2/userinfo`, {
      headers: { authorization: `Bearer ${first.access_token}` },
    });
    expect(info.status).toBe(401);
  });

  it('refuses a wrong or missing PKCE verifier, and a verifier the authorization did not ask for', async () => {
    const verifier = b64url(randomBytes(32));
    const challenge = b64url(createHash('sha256').update(verifier).digest());
    const code = codeOf(
      await idp.login(authUrl({ code_challenge: challenge, code_challenge_method: 'S256' }), LAN.personalId),
    );
    for (const attempt of [{ code_verifier: b64url(randomBytes(32)) }, {}] as Record<string, string>[]) {
      const refused = await tokenCall({ code, ...attempt });
      expect(refused.status).toBe(400);
      expect((await json(refused)).error).toBe('invalid_grant');
    }
    expect((await tokenCall({ code, code_verifier: verifier })).status).toBe(200);
    const noChallenge = codeOf(await idp.login(authUrl(), LAN.personalId));
    const stray = await tokenCall({ code: noChallenge, code_verifier: verifier });
    expect((await json(stray)).error).toBe('invalid_grant');
  });

  it('refuses a redirect_uri in the token call other than the authorization one', async () => {
    const code = codeOf(await idp.login(authUrl(), LAN.personalId));
    const refused = await tokenCall({ code, redirect_uri: 'http://127.0.0.1:9/other' });
    expect((await json(refused)).error).toBe('invalid_grant');
  });

  it('refuses a level above the account on the page, and LoA1 when acr_values asks LoA2', async () => {
    const above = await idp.login(authUrl(), MINH.personalId, 2).catch((e) => e);
    expect(above).toBeInstanceOf(VneidLoginError);
    expect(above).toMatchObject({ code: 'level_refused', status: 400 });
    expect(above.message).toMatch(/mức 1.*\/.*level 1/);
    const denied = new URL(await idp.login(authUrl({ acr_values: 'LoA2' }), LAN.personalId, 1));
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('error_description')).toContain('level 2');
    expect(denied.searchParams.get('state')).toBe('st-1');
    expect(denied.searchParams.get('code')).toBeNull();
  });

  it('answers 401 with WWW-Authenticate for a missing or unknown access token', async () => {
    const missing = await fetch(`${idp.url}/oauth2/userinfo`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    const unknown = await fetch(`${idp.url}/oauth2/userinfo`, {
      headers: { authorization: 'Bearer forged' },
    });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('ends the session on logout: redirect with state, then the access token answers 401', async () => {
    const tokens = await loginAndToken();
    const logout = await fetch(
      `${idp.url}/oidc/logout?${form({ id_token_hint: tokens.id_token, post_logout_redirect_uri: 'http://127.0.0.1:9/bye', state: 'out-1' })}`,
      { redirect: 'manual' },
    );
    expect(logout.status).toBe(302);
    expect(logout.headers.get('location')).toBe('http://127.0.0.1:9/bye?state=out-1');
    const info = await fetch(`${idp.url}/oauth2/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(info.status).toBe(401);
    const evil = await fetch(`${idp.url}/oidc/logout?post_logout_redirect_uri=https://evil.example/`, {
      redirect: 'manual',
    });
    expect(evil.status).toBe(400);
    const page = await fetch(`${idp.url}/oidc/logout`);
    expect(await page.text()).toContain('Đã đăng xuất / Signed out');
  });

  it('signs out through the logoutUri of the userinfo', async () => {
    const tokens = await loginAndToken();
    const claims = await json(
      await fetch(`${idp.url}/oauth2/userinfo`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      }),
    );
    expect((await json(await fetch(claims.logoutUri))).status).toBe('signed_out');
    expect((await fetch(claims.userProfileUri)).status).toBe(401);
  });

  describe('attacks', () => {
    afterAll(() => idp.setAttack(null));
    const attacked = async (attack: Parameters<VneidSandbox['setAttack']>[0]) => {
      idp.setAttack(attack);
      try {
        return await loginAndToken();
      } finally {
        idp.setAttack(null);
      }
    };
    const claimNames = (jwt: string) => Object.keys(decodeJwt(jwt)).sort();

    it('id_token_foreign_key signs with another key under the published kid', async () => {
      const honest = await loginAndToken();
      const forged = await attacked('id_token_foreign_key');
      const jwks = await json<{ keys: Array<{ kid: string }> }>(await fetch(`${idp.url}/oauth2/jwks`));
      const jwksKids = jwks.keys.map((k) => k.kid);
      expect(decodeProtectedHeader(forged.id_token).kid).toBe(jwksKids[0]);
      expect(decodeProtectedHeader(honest.id_token).kid).toBe(jwksKids[0]);
      await expect(verify(forged.id_token)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);
      expect(decodeJwt(forged.id_token)).toMatchObject({ iss: idp.issuer, aud: RP.clientId, nonce: 'n-1' });
    });

    it('id_token_expired puts exp in the past and iat before it, signature intact', async () => {
      const token = (await attacked('id_token_expired')).id_token;
      const claims = decodeJwt(token);
      const now = Math.floor(Date.now() / 1000);
      expect(claims.exp!).toBeLessThan(now - 3000);
      expect(claims.iat!).toBe(claims.exp! - 300);
      await expect(verify(token)).rejects.toBeInstanceOf(errors.JWTExpired);
      const { payload } = await jwtVerify(token, jwks, { currentDate: new Date((claims.iat! + 1) * 1000) });
      expect(payload.nonce).toBe('n-1');
    });

    it('id_token_wrong_nonce replaces only the nonce', async () => {
      const honest = (await loginAndToken()).id_token;
      const token = (await attacked('id_token_wrong_nonce')).id_token;
      const { payload } = await verify(token);
      expect(payload.nonce).toEqual(expect.any(String));
      expect(payload.nonce).not.toBe('n-1');
      expect(claimNames(token)).toEqual(claimNames(honest));
      expect(payload.aud).toBe(RP.clientId);
    });

    it('id_token_wrong_audience names another client as aud', async () => {
      const token = (await attacked('id_token_wrong_audience')).id_token;
      await expect(verify(token)).rejects.toBeInstanceOf(errors.JWTClaimValidationFailed);
      const { payload } = await jwtVerify(token, jwks, { issuer: idp.issuer, audience: OTHER.clientId });
      expect(payload).toMatchObject({ aud: OTHER.clientId, azp: RP.clientId, nonce: 'n-1' });
    });

    it('userinfo_tampered answers a sub other than the id_token’s', async () => {
      const tokens = await loginAndToken();
      idp.setAttack('userinfo_tampered');
      const claims = await json(
        await fetch(`${idp.url}/oauth2/userinfo`, {
          headers: { authorization: `Bearer ${tokens.access_token}` },
        }),
      );
      idp.setAttack(null);
      expect(claims.sub).not.toBe(decodeJwt(tokens.id_token).sub);
      expect(claims.SoDinhDanh).toBe(LAN.personalId);
    });
  });

  it('refuses an expired code', async () => {
    const quick = await startVneidSandbox({
      personality: 'dvcqg',
      citizens: CITIZENS,
      clients: [RP],
      codeTtlMs: 20,
      signingKey: keys.privateKeyPem,
    });
    try {
      const url = authUrl().replace(idp.url, quick.url);
      const code = codeOf(await quick.login(url, LAN.personalId));
      await new Promise((r) => setTimeout(r, 40));
      const refused = await fetch(`${quick.url}/oauth2/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basic(RP.clientId, RP.clientSecret),
        },
        body: form({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK }),
      });
      expect(refused.status).toBe(400);
      expect((await json(refused)).error_description).toContain('expired');
    } finally {
      await quick.close();
    }
  });

  it('records method and path of each request, without queries', () => {
    const authorizeCalls = idp.requests.filter((r) => r.path === '/oauth2/authorize');
    expect(authorizeCalls.length).toBeGreaterThan(5);
    expect(authorizeCalls[0]).toEqual({ method: 'GET', path: '/oauth2/authorize', at: expect.any(Number) });
    expect(idp.requests.some((r) => r.path.includes('?') || r.path.includes(LAN.personalId))).toBe(false);
  });
});

describe('vneid-direct personality (C06)', () => {
  let idp: VneidSandbox;
  let client: typeof RP & { publicKeyPem: string };

  beforeAll(async () => {
    client = { ...RP, publicKeyPem: keys.publicKeyPem };
    idp = await startVneidSandbox({ personality: 'vneid-direct', citizens: CITIZENS, clients: [client] });
  });
  afterAll(() => idp.close());

  const authUrl = (base = idp.url, extra: Record<string, string> = {}) =>
    `${base}/auth?${form({ response_type: 'code', client_id: RP.clientId, redirect_uri: CALLBACK, scope: 'openid', state: 's-9', ...extra })}`;
  const tokenCall = (base: string, fields: Record<string, string>) =>
    fetch(`${base}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({
        grant_type: 'authorization_code',
        client_id: RP.clientId,
        client_secret: RP.clientSecret,
        redirect_uri: CALLBACK,
        ...fields,
      }),
    });
  const openedToken = async (base: string, fields: Record<string, string>) => {
    const answer = await tokenCall(base, fields);
    expect(answer.status).toBe(200);
    return openEnvelope<{ access_token: string; token_type: string; expires_in: number }>(
      await json(answer),
      keys.privateKey,
    );
  };

  it('describes its endpoints at the discovery path, issuer = url, with no id_token', async () => {
    const doc = await json(await fetch(`${idp.url}/.well-known/openid-configuration`));
    expect(idp.issuer).toBe(idp.url);
    expect(doc).toMatchObject({
      issuer: idp.url,
      authorization_endpoint: `${idp.url}/auth`,
      token_endpoint: `${idp.url}/token`,
      userinfo_endpoint: `${idp.url}/userinfo`,
      token_endpoint_auth_methods_supported: ['client_secret_post'],
      id_token_issued: false,
      nonce_supported: false,
    });
    expect(doc.jwks_uri).toBeUndefined();
    expect(doc.claims_supported).toEqual([
      'citizenPid',
      'fullName',
      'birthDate',
      'gender',
      'accountType',
      'accountLevel',
    ]);
  });

  it('logs in with a raw base64 code holding + and /, and answers sealed token and userinfo bodies', async () => {
    const callback = await idp.login(
      authUrl(idp.url, { nonce: 'ignored', code_challenge: 'y'.repeat(43) }),
      MINH.personalId,
      1,
    );
    expect(callback.startsWith(`${CALLBACK}?code=`)).toBe(true);
    const code = rawQueryParam(callback, 'code')!;
    expect(code).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(code).toContain('+');
    expect(code).toContain('/');
    expect(callback).toContain(`code=${code}&`);
    expect(rawQueryParam(callback, 'state')).toBe('s-9');
    expect(rawQueryParam(callback, 'session_state')).toBeUndefined();
    expect(rawQueryParam(callback, 'encrypt_key')).toBeUndefined();

    const answer = await tokenCall(idp.url, { code });
    const body = await json(answer);
    expect(Object.keys(body).sort()).toEqual(['data', 'key']);
    const token = openEnvelope<Record<string, unknown>>(body, keys.privateKey);
    expect(token).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 300 });
    expect(token.id_token).toBeUndefined();

    const info = await fetch(`${idp.url}/userinfo`, {
      headers: { authorization: `Bearer ${token.access_token}` },
    });
    expect(info.status).toBe(200);
    expect(openEnvelope(await json(info), keys.privateKey)).toEqual({
      citizenPid: '079204000123',
      fullName: 'Trần Văn Minh',
      birthDate: '20121120',
      gender: '1',
      accountType: 1,
      accountLevel: 1,
    });
  });

  it('seals each answer with a fresh 32-byte AES key under the client RSA key', async () => {
    const a = await json(
      await tokenCall(idp.url, { code: rawQueryParam(await idp.login(authUrl(), LAN.personalId), 'code')! }),
    );
    const b = await json(
      await tokenCall(idp.url, { code: rawQueryParam(await idp.login(authUrl(), LAN.personalId), 'code')! }),
    );
    const keyA = rsaPkcs1v15Decrypt(keys.privateKey, Buffer.from(a.key, 'base64'));
    const keyB = rsaPkcs1v15Decrypt(keys.privateKey, Buffer.from(b.key, 'base64'));
    expect(keyA.length).toBe(32);
    expect(keyA.equals(keyB)).toBe(false);
    expect(Buffer.from(a.key, 'base64').length).toBe(256);
  });

  it('refuses a code whose + was read as a space, naming the mistake', async () => {
    const callback = await idp.login(authUrl(), LAN.personalId);
    const decoded = new URL(callback).searchParams.get('code')!;
    expect(decoded).toContain(' ');
    const refused = await tokenCall(idp.url, { code: decoded });
    expect(refused.status).toBe(400);
    const body = await json(refused);
    expect(body.error).toBe('invalid_grant');
    expect(body.error_description).toContain("'+' arrived as spaces");
    expect((await tokenCall(idp.url, { code: rawQueryParam(callback, 'code')! })).status).toBe(200);
  });

  it('refuses a JSON token call with 415', async () => {
    const code = rawQueryParam(await idp.login(authUrl(), LAN.personalId), 'code')!;
    const jsonCall = await fetch(`${idp.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'authorization_code',
        code,
        client_id: RP.clientId,
        client_secret: RP.clientSecret,
        redirect_uri: CALLBACK,
      }),
    });
    expect(jsonCall.status).toBe(415);
    expect((await json(jsonCall)).error).toBe('unsupported_media_type');
    expect((await tokenCall(idp.url, { code })).status).toBe(200);
  });

  it('refuses a replayed code, a wrong secret, and an unregistered redirect_uri', async () => {
    const code = rawQueryParam(await idp.login(authUrl(), LAN.personalId), 'code')!;
    expect((await tokenCall(idp.url, { code, client_secret: 'nope' })).status).toBe(401);
    expect((await tokenCall(idp.url, { code })).status).toBe(200);
    const replay = await tokenCall(idp.url, { code });
    expect(replay.status).toBe(400);
    expect((await json(replay)).error).toBe('invalid_grant');
    const page = await fetch(authUrl(idp.url, { redirect_uri: 'https://evil.example/cb' }), {
      redirect: 'manual',
    });
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
    expect(await page.text()).toContain('redirect_uri');
  });

  it('answers 401 JSON for a bad access token', async () => {
    const info = await fetch(`${idp.url}/userinfo`, { headers: { authorization: 'Bearer forged' } });
    expect(info.status).toBe(401);
    expect((await json(info)).error).toBe('invalid_token');
  });

  it('userinfo_tampered breaks the sealed data, the key still opens', async () => {
    const { access_token } = await openedToken(idp.url, {
      code: rawQueryParam(await idp.login(authUrl(), LAN.personalId), 'code')!,
    });
    idp.setAttack('userinfo_tampered');
    const body = await json(
      await fetch(`${idp.url}/userinfo`, { headers: { authorization: `Bearer ${access_token}` } }),
    );
    idp.setAttack(null);
    expect(rsaPkcs1v15Decrypt(keys.privateKey, Buffer.from(body.key, 'base64')).length).toBe(32);
    expect(() => openEnvelope(body, keys.privateKey)).toThrow();
    const honest = await json(
      await fetch(`${idp.url}/userinfo`, { headers: { authorization: `Bearer ${access_token}` } }),
    );
    expect(openEnvelope(honest, keys.privateKey)).toMatchObject({ citizenPid: LAN.personalId });
    expect(Buffer.from(body.data, 'base64').length).toBe(Buffer.from(honest.data, 'base64').length);
  });

  it('refuses an expired code (5 s by default; 20 ms here)', async () => {
    const quick = await startVneidSandbox({
      personality: 'vneid-direct',
      citizens: CITIZENS,
      clients: [client],
      codeTtlMs: 20,
    });
    try {
      const code = rawQueryParam(await quick.login(authUrl(quick.url), LAN.personalId), 'code')!;
      await new Promise((r) => setTimeout(r, 40));
      const refused = await tokenCall(quick.url, { code });
      expect(refused.status).toBe(400);
      expect((await json(refused)).error_description).toContain('expired');
    } finally {
      await quick.close();
    }
  });

  it('with encryptCode, sends an AES-encrypted code and encrypt_key, and wants both back', async () => {
    const sealed = await startVneidSandbox({
      personality: 'vneid-direct',
      citizens: CITIZENS,
      clients: [client],
      encryptCode: true,
    });
    try {
      const callback = await sealed.login(authUrl(sealed.url), LAN.personalId);
      const code = rawQueryParam(callback, 'code')!;
      const encryptKey = rawQueryParam(callback, 'encrypt_key')!;
      expect(code).toContain('+');
      expect(Buffer.from(encryptKey, 'base64').length).toBe(256);
      const plain = decryptCode(code, encryptKey, keys.privateKey);
      expect(plain).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      const missingKey = await tokenCall(sealed.url, { code });
      expect((await json(missingKey)).error).toBe('invalid_grant');
      const token = await openedToken(sealed.url, { code, encrypt_key: encryptKey });
      expect(token.token_type).toBe('Bearer');
      // The Keycloak extension's way, the plain code with encrypt_key, names the same (now used) code.
      const again = await tokenCall(sealed.url, { code: plain, encrypt_key: encryptKey });
      expect((await json(again)).error_description).toContain('already used');
    } finally {
      await sealed.close();
    }
  });

  it('insists on a public key for its clients', async () => {
    expect(() => idp.addClient({ clientId: 'keyless', clientSecret: 'x', redirectUris: [CALLBACK] })).toThrow(
      /publicKeyPem/,
    );
  });
});

describe('rsaPkcs1v15Decrypt', () => {
  it('opens a type-2 block and refuses a type-1 (signature) block', () => {
    const message = Buffer.from('khóa AES 32 byte / 32-byte AES k');
    const padded = publicEncrypt({ key: keys.publicKeyPem, padding: constants.RSA_PKCS1_PADDING }, message);
    expect(rsaPkcs1v15Decrypt(keys.privateKey, padded).equals(message)).toBe(true);
    const type1 = Buffer.concat([
      Buffer.from([0, 1]),
      Buffer.alloc(256 - 3 - message.length, 0xff),
      Buffer.from([0]),
      message,
    ]);
    const raw = publicEncrypt({ key: keys.publicKeyPem, padding: constants.RSA_NO_PADDING }, type1);
    expect(() => rsaPkcs1v15Decrypt(keys.privateKey, raw)).toThrow(/bad padding/);
  });
});
