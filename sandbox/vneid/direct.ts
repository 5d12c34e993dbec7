/**
 * The vneid-direct personality: the C06 direct integration as `ospgroupvn/vneid-keycloak-extensions`
 * shows it (domain README §1.1 item 2). `/auth` and its login form, a form-only `/token` (a JSON
 * body gets 415), token and userinfo answers sealed in `{"data","key"}` for the client's RSA key, no
 * id_token, no nonce, no PKCE, codes that live seconds.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authorize, submitLogin } from './authorize.ts';
import type { Routes, VneidContext } from './context.ts';
import { sameString, sealEnvelope, tamperEnvelope } from './crypto.ts';
import { bearerToken, isForm, parseForm, readBody, sendJson, sendOAuthError } from './http.ts';

export const DIRECT_USERINFO_CLAIMS = [
  'citizenPid',
  'fullName',
  'birthDate',
  'gender',
  'accountType',
  'accountLevel',
] as const;

/**
 * The sandbox's own description of its endpoints. Whether the real direct VNeID publishes a
 * discovery document is not known (❓): a relying party should take these URLs from configuration.
 */
export function directDiscovery(ctx: VneidContext) {
  const u = ctx.url;
  return {
    issuer: ctx.issuer,
    authorization_endpoint: `${u}/auth`,
    token_endpoint: `${u}/token`,
    userinfo_endpoint: `${u}/userinfo`,
    scopes_supported: ['openid'],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code'],
    token_endpoint_auth_methods_supported: ['client_secret_post'],
    claims_supported: [...DIRECT_USERINFO_CLAIMS],
    /** Non-standard: how token and userinfo bodies are sealed, and what the flow leaves out. */
    vneid_response_encryption: {
      envelope: '{"data","key"}',
      key: 'RSA/ECB/PKCS1Padding (the client public key) of a fresh 32-byte AES key',
      data: 'AES-256/ECB/PKCS5Padding of the JSON answer',
    },
    vneid_code_encryption: ctx.encryptCode,
    id_token_issued: false,
    nonce_supported: false,
    pkce_supported: false,
  };
}

function token(ctx: VneidContext) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const err = (status: number, error: string, vi: string, en: string) =>
      sendOAuthError(response, status, { error, vi, en });
    if (!isForm(request)) {
      return err(
        415,
        'unsupported_media_type',
        'Chỉ nhận application/x-www-form-urlencoded',
        'Only application/x-www-form-urlencoded is accepted',
      );
    }
    const { fields, repeated } = parseForm(await readBody(request));
    if (repeated.length > 0) {
      return err(400, 'invalid_request', `Tham số bị lặp: ${repeated}`, `Repeated parameter: ${repeated}`);
    }
    const client = ctx.store.clients.get(fields.client_id ?? '');
    if (
      !client ||
      fields.client_secret === undefined ||
      !sameString(fields.client_secret, client.clientSecret)
    ) {
      return err(401, 'invalid_client', 'Xác thực ứng dụng thất bại', 'Client authentication failed');
    }
    if (fields.grant_type !== 'authorization_code') {
      return err(
        400,
        'unsupported_grant_type',
        'Chỉ hỗ trợ grant_type=authorization_code',
        'Only grant_type=authorization_code is supported',
      );
    }
    const code = fields.code;
    if (!code) return err(400, 'invalid_request', 'Thiếu code', 'code is missing');
    const invalidGrant = (vi: string, en: string) => err(400, 'invalid_grant', vi, en);
    const grant = ctx.store.grants.get(code);
    if (!grant || grant.clientId !== client.clientId) {
      if (code.includes(' ') && ctx.store.grants.has(code.replaceAll(' ', '+'))) {
        return invalidGrant(
          'Mã cấp quyền không hợp lệ: dấu + trong code đã bị đổi thành dấu cách (hãy đọc query thô)',
          "The authorization code is invalid: its '+' arrived as spaces (read the raw query, percent-encode the form)",
        );
      }
      return invalidGrant('Mã cấp quyền không hợp lệ', 'The authorization code is invalid');
    }
    if (grant.used) {
      for (const t of grant.accessTokens) {
        const issued = ctx.store.tokens.get(t);
        if (issued) issued.revoked = true;
      }
      return invalidGrant('Mã cấp quyền đã được sử dụng', 'The authorization code was already used');
    }
    if (grant.expiresAt <= Date.now()) {
      return invalidGrant('Mã cấp quyền đã hết hạn', 'The authorization code has expired');
    }
    if (fields.redirect_uri !== grant.redirectUri) {
      return invalidGrant('redirect_uri không khớp', 'redirect_uri does not match the authorization request');
    }
    if (grant.encryptKey !== undefined && fields.encrypt_key !== grant.encryptKey) {
      return invalidGrant(
        'encrypt_key thiếu hoặc không khớp với mã cấp quyền',
        'encrypt_key is missing or does not match the authorization code',
      );
    }
    grant.used = true;
    const accessToken = randomUUID();
    ctx.store.tokens.set(accessToken, {
      clientId: client.clientId,
      personalId: grant.personalId,
      level: grant.level,
      scope: grant.scope,
      expiresAt: Date.now() + ctx.tokenTtlSeconds * 1000,
      sessionId: grant.sessionId,
      revoked: false,
    });
    grant.accessTokens.push(accessToken);
    const { envelope } = sealEnvelope(
      { access_token: accessToken, token_type: 'Bearer', expires_in: ctx.tokenTtlSeconds },
      client.publicKey!,
    );
    sendJson(response, 200, envelope);
  };
}

function userinfo(ctx: VneidContext) {
  return (request: IncomingMessage, response: ServerResponse) => {
    const bearer = bearerToken(request);
    const grant = bearer ? ctx.store.liveToken(bearer) : undefined;
    if (!grant) {
      return sendOAuthError(
        response,
        401,
        {
          error: 'invalid_token',
          vi: 'Access token thiếu, không hợp lệ hoặc đã hết hạn',
          en: 'The access token is missing, invalid or expired',
        },
        { 'www-authenticate': bearer ? 'Bearer error="invalid_token"' : 'Bearer' },
      );
    }
    const citizen = ctx.store.citizens.get(grant.personalId)!;
    const client = ctx.store.clients.get(grant.clientId)!;
    const sealed = sealEnvelope(
      {
        citizenPid: citizen.personalId,
        fullName: citizen.fullName,
        birthDate: citizen.birthDate.replaceAll('-', ''),
        gender: citizen.gender === 'male' ? '1' : '2',
        accountType: 1,
        accountLevel: grant.level,
      },
      client.publicKey!,
    );
    const envelope =
      ctx.store.attack === 'userinfo_tampered'
        ? tamperEnvelope(sealed.envelope, sealed.aesKey)
        : sealed.envelope;
    sendJson(response, 200, envelope);
  };
}

export function directRoutes(ctx: VneidContext): Routes {
  const paths = { loginAction: '/auth/login' };
  const userinfoHandler = userinfo(ctx);
  return {
    '/.well-known/openid-configuration': {
      GET: (_, response) => sendJson(response, 200, directDiscovery(ctx)),
    },
    '/auth': { GET: authorize(ctx, paths) },
    '/auth/login': { POST: submitLogin(ctx, paths) },
    '/token': { POST: token(ctx) },
    '/userinfo': { GET: userinfoHandler, POST: userinfoHandler },
  };
}
