/**
 * The authorization endpoint and its login form, shared by both personalities:
 * - an unknown client or a redirect_uri not registered exactly: an HTML error page (400), never a
 *   redirect (RFC 6749 §4.1.2.1);
 * - any other bad request: a redirect to the client with `error`, `error_description`, `state`;
 * - otherwise the login page; its form posts the chosen citizen and account level back, and the
 *   person is sent to redirect_uri with a code.
 * dvcqg reads nonce, PKCE (S256 only), acr_values (LoA1/LoA2) and prompt=none; vneid-direct ignores
 * them, as the real one does (domain README §1.1), and writes its base64 code raw into the query.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { VneidContext } from './context.ts';
import { encryptCode, randomBase64Code, sessionState } from './crypto.ts';
import { appendQuery, isForm, parseForm, readBody, redirect, sendHtml } from './http.ts';
import { bilingual, errorPage, loginPage, type PageMessage } from './pages.ts';
import type { CodeGrant, HeldClient, Interaction, Level } from './store.ts';

export interface AuthorizePaths {
  /** Where the login form posts: `/oauth2/authorize/login` or `/auth/login`. */
  loginAction: string;
}

interface RedirectError {
  error: string;
  vi: string;
  en: string;
}

const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const ACR_LEVEL: Record<string, Level> = { LoA1: 1, LoA2: 2 };

function errorRedirect(
  response: ServerResponse,
  redirectUri: string,
  e: RedirectError,
  state: string | undefined,
): void {
  const query = new URLSearchParams({ error: e.error, error_description: bilingual(e) });
  if (state !== undefined) query.set('state', state);
  redirect(response, appendQuery(redirectUri, query.toString()));
}

const page = (ctx: VneidContext, response: ServerResponse, status: number, error: PageMessage) =>
  sendHtml(response, status, errorPage(ctx.personality, error));

/** GET of the authorization endpoint. */
export function authorize(ctx: VneidContext, paths: AuthorizePaths) {
  return (_request: IncomingMessage, response: ServerResponse, url: URL) => {
    const q = url.searchParams;
    const one = (name: string) => (q.getAll(name).length === 1 ? q.get(name)! : undefined);
    const client = ctx.store.clients.get(one('client_id') ?? '');
    if (!client) {
      return page(ctx, response, 400, {
        code: 'invalid_client',
        vi: 'Ứng dụng (client_id) không được đăng ký',
        en: 'The application (client_id) is not registered',
      });
    }
    const redirectUri = one('redirect_uri');
    if (redirectUri === undefined || !client.redirectUris.includes(redirectUri)) {
      return page(ctx, response, 400, {
        code: 'invalid_redirect_uri',
        vi: 'Địa chỉ chuyển hướng (redirect_uri) không khớp với địa chỉ đã đăng ký',
        en: 'The redirect address (redirect_uri) does not match a registered one',
      });
    }
    const state = one('state');
    const fail = (e: RedirectError) => errorRedirect(response, redirectUri, e, state);
    const repeated = [...new Set(q.keys())].filter((k) => q.getAll(k).length > 1);
    if (repeated.length > 0) {
      return fail({
        error: 'invalid_request',
        vi: `Tham số bị lặp: ${repeated.join(', ')}`,
        en: `Repeated parameter: ${repeated.join(', ')}`,
      });
    }
    const responseType = one('response_type');
    if (responseType === undefined) {
      return fail({ error: 'invalid_request', vi: 'Thiếu response_type', en: 'response_type is missing' });
    }
    if (responseType !== 'code') {
      return fail({
        error: 'unsupported_response_type',
        vi: 'Chỉ hỗ trợ response_type=code',
        en: 'Only response_type=code is supported',
      });
    }
    // The real direct VNeID defaults to `openid`; VNConnect insists on it.
    const scope = one('scope') ?? (ctx.personality === 'vneid-direct' ? 'openid' : undefined);
    if (!scope?.split(' ').includes('openid')) {
      return fail({ error: 'invalid_scope', vi: 'scope phải chứa openid', en: 'scope must contain openid' });
    }
    if (!state) {
      return fail({ error: 'invalid_request', vi: 'Thiếu state', en: 'state is missing' });
    }
    const interaction: Omit<Interaction, 'expiresAt'> = {
      id: randomBytes(24).toString('base64url'),
      clientId: client.clientId,
      redirectUri,
      state,
      scope,
    };
    if (ctx.personality === 'dvcqg') {
      const problem = readDvcqgExtras(q, interaction);
      if (problem) return fail(problem);
      if ((one('prompt') ?? '').split(' ').includes('none')) {
        return fail({
          error: 'login_required',
          vi: 'Người dùng chưa đăng nhập',
          en: 'The user is not logged in',
        });
      }
    }
    const held = ctx.store.newInteraction(interaction);
    sendHtml(
      response,
      200,
      loginPage({
        personality: ctx.personality,
        action: paths.loginAction,
        interaction: held.id,
        clientId: client.clientId,
        citizens: [...ctx.store.citizens.values()],
        ...(held.requiredLevel ? { requiredLevel: held.requiredLevel } : {}),
      }),
    );
  };
}

/** nonce, PKCE and acr_values of the dvcqg personality, into the interaction; or an error. */
function readDvcqgExtras(q: URLSearchParams, interaction: Omit<Interaction, 'expiresAt'>) {
  const nonce = q.get('nonce');
  if (nonce) interaction.nonce = nonce;
  const challenge = q.get('code_challenge');
  const method = q.get('code_challenge_method');
  if (challenge !== null) {
    if (method !== 'S256') {
      return {
        error: 'invalid_request',
        vi: 'code_challenge_method phải là S256',
        en: 'code_challenge_method must be S256',
      };
    }
    if (!PKCE_CHALLENGE.test(challenge)) {
      return {
        error: 'invalid_request',
        vi: 'code_challenge không hợp lệ (43 ký tự base64url)',
        en: 'code_challenge is malformed (43 base64url characters)',
      };
    }
    interaction.codeChallenge = challenge;
  } else if (method !== null) {
    return {
      error: 'invalid_request',
      vi: 'Có code_challenge_method nhưng thiếu code_challenge',
      en: 'code_challenge_method without code_challenge',
    };
  }
  // acr_values is a list of acceptable levels; unknown values are ignored (OIDC Core §3.1.2.1).
  const levels = (q.get('acr_values') ?? '')
    .split(' ')
    .map((v) => ACR_LEVEL[v])
    .filter((l): l is Level => l !== undefined);
  if (levels.length > 0) interaction.requiredLevel = Math.min(...levels) as Level;
  return undefined;
}

/** POST of the login form: interaction, personalId, accountLevel (absent: the citizen's own level). */
export function submitLogin(ctx: VneidContext, paths: AuthorizePaths) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (!isForm(request)) {
      return page(ctx, response, 415, {
        code: 'invalid_form',
        vi: 'Biểu mẫu phải gửi dạng application/x-www-form-urlencoded',
        en: 'The form must be sent as application/x-www-form-urlencoded',
      });
    }
    const { fields } = parseForm(await readBody(request));
    const interaction = ctx.store.liveInteraction(fields.interaction ?? '');
    const client = interaction && ctx.store.clients.get(interaction.clientId);
    if (!interaction || !client) {
      return page(ctx, response, 400, {
        code: 'interaction_expired',
        vi: 'Phiên đăng nhập không tồn tại hoặc đã hết hạn, vui lòng đăng nhập lại từ ứng dụng',
        en: 'The login session does not exist or has expired; start again from the application',
      });
    }
    const again = (error: PageMessage) =>
      sendHtml(
        response,
        400,
        loginPage({
          personality: ctx.personality,
          action: paths.loginAction,
          interaction: interaction.id,
          clientId: interaction.clientId,
          citizens: [...ctx.store.citizens.values()],
          ...(interaction.requiredLevel ? { requiredLevel: interaction.requiredLevel } : {}),
          error,
          selected: {
            ...(fields.personalId ? { personalId: fields.personalId } : {}),
            ...(fields.accountLevel ? { accountLevel: fields.accountLevel } : {}),
          },
        }),
      );
    const citizen = ctx.store.citizens.get(fields.personalId ?? '');
    if (!citizen) {
      return again({
        code: 'unknown_citizen',
        vi: 'Không tìm thấy công dân với số định danh này',
        en: 'No citizen holds this personal ID number',
      });
    }
    const levelField = fields.accountLevel ?? String(citizen.accountLevel);
    if (levelField !== '1' && levelField !== '2') {
      return again({
        code: 'invalid_level',
        vi: 'Mức tài khoản phải là 1 hoặc 2',
        en: 'The account level must be 1 or 2',
      });
    }
    const level = Number(levelField) as Level;
    if (level > citizen.accountLevel) {
      return again({
        code: 'level_refused',
        vi: `Tài khoản của công dân này chỉ ở mức ${citizen.accountLevel}, không thể đăng nhập ở mức ${level}`,
        en: `This citizen's account is level ${citizen.accountLevel}; it cannot log in at level ${level}`,
      });
    }
    ctx.store.interactions.delete(interaction.id);
    if (interaction.requiredLevel && level < interaction.requiredLevel) {
      return errorRedirect(
        response,
        interaction.redirectUri,
        {
          error: 'access_denied',
          vi: `Dịch vụ yêu cầu tài khoản mức ${interaction.requiredLevel}`,
          en: `The service requires a level ${interaction.requiredLevel} account`,
        },
        interaction.state,
      );
    }
    issueCode(ctx, response, client, interaction, citizen.personalId, level);
  };
}

function issueCode(
  ctx: VneidContext,
  response: ServerResponse,
  client: HeldClient,
  interaction: Interaction,
  personalId: string,
  level: Level,
) {
  const sessionId = randomUUID();
  ctx.store.sessions.set(sessionId, {
    id: sessionId,
    personalId,
    level,
    clientId: client.clientId,
    ended: false,
  });
  const grant: CodeGrant = {
    clientId: client.clientId,
    redirectUri: interaction.redirectUri,
    personalId,
    level,
    scope: interaction.scope,
    authTime: Math.floor(Date.now() / 1000),
    expiresAt: Date.now() + ctx.codeTtlMs,
    used: false,
    sessionId,
    accessTokens: [],
  };
  if (interaction.nonce !== undefined) grant.nonce = interaction.nonce;
  if (interaction.codeChallenge !== undefined) grant.codeChallenge = interaction.codeChallenge;
  const state = encodeURIComponent(interaction.state);

  if (ctx.personality === 'dvcqg') {
    const code = randomUUID();
    ctx.store.grants.set(code, grant);
    const query = new URLSearchParams({
      code,
      state: interaction.state,
      session_state: sessionState(client.clientId, interaction.redirectUri, sessionId),
    });
    return redirect(response, appendQuery(interaction.redirectUri, query.toString()));
  }

  // vneid-direct: the base64 code goes into the query raw, `+`, `/` and `=` as they are.
  const plain = randomBase64Code();
  if (ctx.encryptCode && client.publicKey) {
    const sealed = encryptCode(plain, client.publicKey);
    grant.encryptKey = sealed.encryptKey;
    ctx.store.grants.set(sealed.code, grant);
    // The Keycloak extension decrypts the code and sends the plain one with encrypt_key: accepted too.
    ctx.store.grants.set(plain, grant);
    return redirect(
      response,
      appendQuery(
        interaction.redirectUri,
        `code=${sealed.code}&state=${state}&encrypt_key=${sealed.encryptKey}`,
      ),
    );
  }
  ctx.store.grants.set(plain, grant);
  redirect(response, appendQuery(interaction.redirectUri, `code=${plain}&state=${state}`));
}
