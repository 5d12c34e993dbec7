/**
 * The dvcqg personality: VNConnect, the National Public Service Portal SSO that brokers VNeID, in
 * the WSO2 Identity Server style (issuer `${url}/oauth2/token`, `/oauth2/*`, `/oidc/logout`), with
 * the PascalCase userinfo claims of domain README §1.2.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { compactVerify, jwtVerify, SignJWT } from 'jose';
import { authorize, submitLogin } from './authorize.ts';
import type { Routes, VneidContext } from './context.ts';
import { atHash, pkceS256, sameString } from './crypto.ts';
import {
  appendQuery,
  bearerToken,
  isForm,
  parseForm,
  readBody,
  redirect,
  sendHtml,
  sendJson,
  sendOAuthError,
} from './http.ts';
import { bilingual, errorPage, signedOutPage } from './pages.ts';
import type { AccessGrant, HeldCitizen, HeldClient } from './store.ts';

/** The claims of the userinfo answer, also listed in the discovery document. */
export const DVCQG_USERINFO_CLAIMS = [
  'sub',
  'TechID',
  'LoaiTaiKhoan',
  'HoVaTen',
  'SoDinhDanh',
  'NgayThangNamSinh',
  'GioiTinh',
  'loginIdp',
  'loAs',
  'userProfileUri',
  'logoutUri',
] as const;

const REALM = 'VNConnect sandbox';
const compactDate = (iso: string) => iso.replaceAll('-', '');
const genderCode = (c: HeldCitizen) => (c.gender === 'male' ? '1' : '2');

export function dvcqgDiscovery(ctx: VneidContext) {
  const u = ctx.url;
  return {
    issuer: ctx.issuer,
    authorization_endpoint: `${u}/oauth2/authorize`,
    token_endpoint: `${u}/oauth2/token`,
    userinfo_endpoint: `${u}/oauth2/userinfo`,
    jwks_uri: `${u}/oauth2/jwks`,
    end_session_endpoint: `${u}/oidc/logout`,
    scopes_supported: ['openid'],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    acr_values_supported: ['LoA1', 'LoA2'],
    claims_supported: [...DVCQG_USERINFO_CLAIMS],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
  };
}

/** RFC 6749 §2.3.1: id and secret are form-encoded inside the Basic header. */
function basicCredentials(request: IncomingMessage): { id: string; secret: string } | undefined | null {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  try {
    const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

async function signJwt(ctx: VneidContext, claims: Record<string, unknown>, foreign = false): Promise<string> {
  const keys = ctx.keys!;
  // The foreign key signs under the published kid: only a real signature check refuses it.
  const key = foreign ? await ctx.foreignKey() : keys.privateKey;
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: 'JWT' }).sign(key);
}

function token(ctx: VneidContext) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const err = (status: number, error: string, vi: string, en: string, headers?: Record<string, string>) =>
      sendOAuthError(response, status, { error, vi, en }, headers);
    if (!isForm(request)) {
      return err(
        400,
        'invalid_request',
        'Yêu cầu phải ở dạng application/x-www-form-urlencoded',
        'The request must be application/x-www-form-urlencoded',
      );
    }
    const { fields, repeated } = parseForm(await readBody(request));
    if (repeated.length > 0) {
      return err(400, 'invalid_request', `Tham số bị lặp: ${repeated}`, `Repeated parameter: ${repeated}`);
    }
    const basic = basicCredentials(request);
    if (basic && fields.client_secret !== undefined) {
      return err(
        400,
        'invalid_request',
        'Chỉ dùng một cách xác thực ứng dụng',
        'Use only one client authentication method',
      );
    }
    if (basic && fields.client_id !== undefined && fields.client_id !== basic.id) {
      return err(
        400,
        'invalid_request',
        'client_id không khớp',
        'client_id does not match the Basic credentials',
      );
    }
    const id = basic ? basic.id : fields.client_id;
    const secret = basic ? basic.secret : fields.client_secret;
    const client = ctx.store.clients.get(id ?? '');
    if (!client || secret === undefined || !sameString(secret, client.clientSecret)) {
      return err(
        401,
        'invalid_client',
        'Xác thực ứng dụng thất bại',
        'Client authentication failed',
        basic !== undefined ? { 'www-authenticate': `Basic realm="${REALM}"` } : {},
      );
    }
    if (fields.grant_type === undefined) {
      return err(400, 'invalid_request', 'Thiếu grant_type', 'grant_type is missing');
    }
    if (fields.grant_type !== 'authorization_code') {
      return err(
        400,
        'unsupported_grant_type',
        'Chỉ hỗ trợ authorization_code',
        'Only authorization_code is supported',
      );
    }
    const code = fields.code;
    if (!code) return err(400, 'invalid_request', 'Thiếu code', 'code is missing');
    const grant = ctx.store.grants.get(code);
    const invalidGrant = (vi: string, en: string) => err(400, 'invalid_grant', vi, en);
    if (!grant || grant.clientId !== client.clientId) {
      return invalidGrant('Mã cấp quyền không hợp lệ', 'The authorization code is invalid');
    }
    if (grant.used) {
      for (const t of grant.accessTokens) {
        const issued = ctx.store.tokens.get(t);
        if (issued) issued.revoked = true;
      }
      return invalidGrant(
        'Mã cấp quyền đã được sử dụng; các token đã cấp bị thu hồi',
        'The authorization code was already used; the tokens issued from it are revoked',
      );
    }
    if (grant.expiresAt <= Date.now()) {
      return invalidGrant('Mã cấp quyền đã hết hạn', 'The authorization code has expired');
    }
    if (fields.redirect_uri !== grant.redirectUri) {
      return invalidGrant(
        'redirect_uri không khớp với yêu cầu cấp quyền',
        'redirect_uri does not match the authorization request',
      );
    }
    const verifier = fields.code_verifier;
    if (grant.codeChallenge !== undefined) {
      if (
        !verifier ||
        !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) ||
        pkceS256(verifier) !== grant.codeChallenge
      ) {
        return invalidGrant(
          'code_verifier thiếu hoặc không khớp code_challenge',
          'code_verifier is missing or does not match the code_challenge',
        );
      }
    } else if (verifier !== undefined) {
      // A verifier without a challenge would let an attacker strip PKCE (RFC 9700 §2.1.1).
      return invalidGrant(
        'Có code_verifier nhưng yêu cầu cấp quyền không có code_challenge',
        'code_verifier sent but the authorization request had no code_challenge',
      );
    }
    grant.used = true;
    const accessToken = randomUUID();
    const expiresIn = ctx.tokenTtlSeconds;
    ctx.store.tokens.set(accessToken, {
      clientId: client.clientId,
      personalId: grant.personalId,
      level: grant.level,
      scope: grant.scope,
      expiresAt: Date.now() + expiresIn * 1000,
      sessionId: grant.sessionId,
      revoked: false,
    });
    grant.accessTokens.push(accessToken);
    const idToken = await idTokenFor(ctx, client, grant, accessToken);
    sendJson(
      response,
      200,
      {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: expiresIn,
        scope: grant.scope,
        id_token: idToken,
      },
      { pragma: 'no-cache' },
    );
  };
}

async function idTokenFor(
  ctx: VneidContext,
  client: HeldClient,
  grant: { personalId: string; level: 1 | 2; nonce?: string; authTime: number; sessionId: string },
  accessToken: string,
): Promise<string> {
  const citizen = ctx.store.citizens.get(grant.personalId)!;
  const attack = ctx.store.attack;
  const ttl = ctx.tokenTtlSeconds;
  const now = Math.floor(Date.now() / 1000);
  let iat = now;
  let exp = now + ttl;
  let authTime = grant.authTime;
  if (attack === 'id_token_expired') {
    exp = now - 3600;
    iat = exp - ttl;
    authTime = iat;
  }
  const claims: Record<string, unknown> = {
    iss: ctx.issuer,
    sub: citizen.sub,
    aud: attack === 'id_token_wrong_audience' ? ctx.store.otherClientId(client.clientId) : client.clientId,
    azp: client.clientId,
    iat,
    exp,
    auth_time: authTime,
    acr: `LoA${grant.level}`,
    at_hash: atHash(accessToken),
    sid: grant.sessionId,
  };
  if (attack === 'id_token_wrong_nonce') claims.nonce = randomUUID();
  else if (grant.nonce !== undefined) claims.nonce = grant.nonce;
  return signJwt(ctx, claims, attack === 'id_token_foreign_key');
}

/** The `token_id` JWT of userProfileUri and logoutUri: names the session, signed by the sandbox. */
async function tokenIdFor(ctx: VneidContext, grant: AccessGrant, citizen: HeldCitizen): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(ctx, {
    iss: ctx.url,
    sub: citizen.sub,
    aud: grant.clientId,
    sid: grant.sessionId,
    iat: now,
    exp: now + ctx.tokenTtlSeconds,
  });
}

function unauthorized(response: ServerResponse, missing: boolean): void {
  const header = missing
    ? `Bearer realm="${REALM}"`
    : `Bearer realm="${REALM}", error="invalid_token", error_description="The access token is invalid or expired"`;
  sendOAuthError(
    response,
    401,
    missing
      ? { error: 'invalid_request', vi: 'Thiếu access token', en: 'The access token is missing' }
      : {
          error: 'invalid_token',
          vi: 'Access token không hợp lệ hoặc đã hết hạn',
          en: 'The access token is invalid or expired',
        },
    { 'www-authenticate': header },
  );
}

function userinfo(ctx: VneidContext) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const bearer = bearerToken(request);
    if (!bearer) return unauthorized(response, true);
    const grant = ctx.store.liveToken(bearer);
    if (!grant) return unauthorized(response, false);
    const citizen = ctx.store.citizens.get(grant.personalId)!;
    const tokenId = await tokenIdFor(ctx, grant, citizen);
    sendJson(response, 200, {
      // userinfo_tampered: a sub other than the id_token's, which OIDC Core §5.3.2 says to refuse.
      sub: ctx.store.attack === 'userinfo_tampered' ? randomUUID() : citizen.sub,
      TechID: citizen.techId,
      LoaiTaiKhoan: '1',
      HoVaTen: citizen.fullName,
      SoDinhDanh: citizen.personalId,
      NgayThangNamSinh: compactDate(citizen.birthDate),
      GioiTinh: genderCode(citizen),
      loginIdp: 'BCA',
      loAs: `LoA${grant.level}`,
      userProfileUri: `${ctx.url}/api/idp/third-party/view-info?token_id=${tokenId}`,
      logoutUri: `${ctx.url}/api/idp/third-party/logout?token_id=${tokenId}`,
    });
  };
}

/** The session a `token_id` names, if the JWT is ours, unexpired, and the session still open. */
async function sessionOfTokenId(ctx: VneidContext, tokenId: string | null) {
  if (!tokenId) return undefined;
  try {
    const { payload } = await jwtVerify(tokenId, ctx.keys!.publicKey, {
      issuer: ctx.url,
      algorithms: ['RS256'],
    });
    const session = ctx.store.sessions.get(String(payload.sid));
    return session && !session.ended ? session : undefined;
  } catch {
    return undefined;
  }
}

const badTokenId = (response: ServerResponse) =>
  sendOAuthError(response, 401, {
    error: 'invalid_token',
    vi: 'token_id không hợp lệ, đã hết hạn hoặc phiên đã đăng xuất',
    en: 'token_id is invalid or expired, or its session is signed out',
  });

function viewInfo(ctx: VneidContext) {
  return async (_request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
    const session = await sessionOfTokenId(ctx, url.searchParams.get('token_id'));
    if (!session) return badTokenId(response);
    const citizen = ctx.store.citizens.get(session.personalId)!;
    sendJson(response, 200, {
      status: 'ok',
      data: {
        sub: citizen.sub,
        TechID: citizen.techId,
        HoVaTen: citizen.fullName,
        SoDinhDanh: citizen.personalId,
        NgayThangNamSinh: compactDate(citizen.birthDate),
        GioiTinh: genderCode(citizen),
        loAs: `LoA${session.level}`,
      },
    });
  };
}

function thirdPartyLogout(ctx: VneidContext) {
  return async (_request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
    const session = await sessionOfTokenId(ctx, url.searchParams.get('token_id'));
    if (!session) return badTokenId(response);
    ctx.store.endSession(session.id);
    sendJson(response, 200, {
      status: 'signed_out',
      message: bilingual({ vi: 'Đã đăng xuất', en: 'Signed out' }),
    });
  };
}

/**
 * RP-initiated logout. `id_token_hint` (signature checked, expiry not) ends its session;
 * `post_logout_redirect_uri` must share its origin with a redirect URI of the client (named by
 * `client_id` or the hint's `aud`; any client when neither says), else the page refuses it.
 */
function oidcLogout(ctx: VneidContext) {
  return async (_request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
    const q = url.searchParams;
    const refuse = (code: string, vi: string, en: string) =>
      sendHtml(response, 400, errorPage(ctx.personality, { code, vi, en }));
    let clientId = q.get('client_id') ?? undefined;
    const hint = q.get('id_token_hint');
    if (hint) {
      let claims: { iss?: unknown; sid?: unknown; aud?: unknown };
      try {
        const { payload } = await compactVerify(hint, ctx.keys!.publicKey, { algorithms: ['RS256'] });
        claims = JSON.parse(new TextDecoder().decode(payload));
      } catch {
        return refuse('invalid_id_token_hint', 'id_token_hint không hợp lệ', 'id_token_hint is invalid');
      }
      if (claims.iss !== ctx.issuer) {
        return refuse('invalid_id_token_hint', 'id_token_hint không hợp lệ', 'id_token_hint is invalid');
      }
      if (typeof claims.sid === 'string') ctx.store.endSession(claims.sid);
      if (typeof claims.aud === 'string') clientId ??= claims.aud;
    }
    const target = q.get('post_logout_redirect_uri');
    if (!target) return sendHtml(response, 200, signedOutPage(ctx.personality));
    let origin: string;
    try {
      origin = new URL(target).origin;
    } catch {
      return refuse(
        'invalid_post_logout_redirect_uri',
        'post_logout_redirect_uri không hợp lệ',
        'post_logout_redirect_uri is invalid',
      );
    }
    const clients = clientId
      ? [ctx.store.clients.get(clientId)].filter((c) => c !== undefined)
      : [...ctx.store.clients.values()];
    const allowed = clients.some((c) => c.redirectUris.some((u) => new URL(u).origin === origin));
    if (!allowed) {
      return refuse(
        'invalid_post_logout_redirect_uri',
        'post_logout_redirect_uri không thuộc ứng dụng đã đăng ký',
        'post_logout_redirect_uri does not belong to a registered application',
      );
    }
    const state = q.get('state');
    redirect(
      response,
      state === null ? target : appendQuery(target, new URLSearchParams({ state }).toString()),
    );
  };
}

export function dvcqgRoutes(ctx: VneidContext): Routes {
  const paths = { loginAction: '/oauth2/authorize/login' };
  const discovery = (_: IncomingMessage, response: ServerResponse) =>
    sendJson(response, 200, dvcqgDiscovery(ctx));
  const userinfoHandler = userinfo(ctx);
  return {
    '/.well-known/openid-configuration': { GET: discovery },
    '/oauth2/token/.well-known/openid-configuration': { GET: discovery },
    '/oauth2/authorize': { GET: authorize(ctx, paths) },
    '/oauth2/authorize/login': { POST: submitLogin(ctx, paths) },
    '/oauth2/token': { POST: token(ctx) },
    '/oauth2/userinfo': { GET: userinfoHandler, POST: userinfoHandler },
    '/oauth2/jwks': {
      GET: (_, response) =>
        sendJson(response, 200, { keys: [ctx.keys!.publicJwk] }, { 'cache-control': 'public, max-age=60' }),
    },
    '/oidc/logout': { GET: oidcLogout(ctx) },
    '/api/idp/third-party/view-info': { GET: viewInfo(ctx) },
    '/api/idp/third-party/logout': { GET: thirdPartyLogout(ctx) },
  };
}
