/**
 * The relay's HTTP surface inside the hub's Fastify app: the interaction page (sends the browser to
 * VNeID), the one VNeID callback, and everything else under /sso handed to oidc-provider (a Koa
 * app) with the /sso prefix stripped from the URL, as oidc-provider expects when mounted.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { Interaction } from 'oidc-provider';
import { z } from 'zod';
import { type RefusalReason, SsoRefusal } from './errors.ts';
import { errorFields } from './log.ts';
import { internalErrorPage, refusalPage } from './pages.ts';
import { levelFor, MOUNT_PATH, minimumLevel, policyOf, SCOPES, type StoredPolicy } from './provider.ts';
import type { RelayContext } from './service.ts';
import { peekTransaction, saveTransaction, takeTransaction } from './transactions.ts';
import type { ResolvedAccount } from './types.ts';
import { levelOf } from './upstream/claims.ts';
import { parseRawQuery } from './upstream/index.ts';

const TRANSACTION_TTL_SECONDS = 600;

type Raw = IncomingMessage & { originalUrl?: string; baseUrl?: string };

export async function registerRoutes(app: FastifyInstance, relay: RelayContext): Promise<void> {
  const callbacks = new WeakMap<Provider, (req: IncomingMessage, res: ServerResponse) => Promise<void>>();

  const origin = new URL(relay.origin);
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => pinOrigin(request.raw, origin, request.ip));
    // oidc-provider reads request bodies itself: leave the stream untouched here.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

    // Steps a browser takes during a sign-in, not calls a program makes: out of the OpenAPI document.
    scope.get<{ Params: { uid: string } }>(
      `${MOUNT_PATH}/interaction/:uid`,
      { schema: { hide: true } },
      (request, reply) => guarded(request, reply, () => interaction(relay, request, reply)),
    );
    scope.get(`${MOUNT_PATH}/callback`, { schema: { hide: true } }, (request, reply) =>
      guarded(request, reply, () => callback(relay, request, reply)),
    );

    const passthrough = async (request: FastifyRequest, reply: FastifyReply) => {
      const provider = await relay.provider();
      let handle = callbacks.get(provider);
      if (!handle) {
        handle = provider.callback() as unknown as (
          req: IncomingMessage,
          res: ServerResponse,
        ) => Promise<void>;
        callbacks.set(provider, handle);
      }
      reply.hijack();
      const raw = request.raw as Raw;
      const url = raw.url ?? MOUNT_PATH;
      const rest = url.slice(MOUNT_PATH.length);
      raw.originalUrl = url;
      raw.baseUrl = MOUNT_PATH;
      raw.url = rest.startsWith('/') ? rest : `/${rest}`;
      await handle(raw, reply.raw);
    };
    // The provider's one endpoint in the OpenAPI document: it names all the others (authorization,
    // token, userinfo, JWKS …), which OpenID Connect clients read from it.
    scope.get(`${MOUNT_PATH}/.well-known/openid-configuration`, { schema: DISCOVERY_SCHEMA }, passthrough);
    scope.all(MOUNT_PATH, { schema: { hide: true } }, passthrough);
    scope.all(`${MOUNT_PATH}/*`, { schema: { hide: true } }, passthrough);
  });
}

/**
 * OpenID Connect discovery, as the OpenAPI document shows it: public (school applications read it
 * without an API key). The provider answers it (the route only passes the request on), so nothing
 * here validates or shapes the answer; the app adds its 429 (rate limits).
 */
const DISCOVERY_SCHEMA = {
  operationId: 'getOpenIdConfiguration',
  tags: ['sso'],
  summary: 'Cấu hình OpenID Connect của SSO / OpenID Connect discovery',
  description:
    'The OpenID Provider metadata of the hub’s single sign-on (issuer `<PUBLIC_URL>/sso`): its endpoints, signing keys, scopes and claims.',
  security: [],
  response: {
    200: z
      .looseObject({
        issuer: z.string(),
        authorization_endpoint: z.string(),
        token_endpoint: z.string(),
        jwks_uri: z.string(),
      })
      .describe('OpenID Provider metadata (OpenID Connect Discovery 1.0)'),
  },
};

/**
 * oidc-provider (Koa) makes every URL it gives out (discovery's endpoints, redirects) and decides
 * whether cookies are `Secure` from the request's Host and X-Forwarded-Host/Proto, which any client
 * may set. They are set here from the configured public URL before the provider reads them, and
 * X-Forwarded-For from the client address Fastify resolved (only proxies in TRUST_PROXY are
 * believed), so no request header ever chooses a host or a scheme.
 */
export function pinOrigin(raw: IncomingMessage, origin: URL, clientAddress: string): void {
  raw.headers.host = origin.host;
  raw.headers['x-forwarded-host'] = origin.host;
  raw.headers['x-forwarded-proto'] = origin.protocol.slice(0, -1);
  raw.headers['x-forwarded-for'] = clientAddress;
  delete raw.headers.forwarded;
}

/** Renders a refusal (audited) for an `SsoRefusal`; anything else is a 500 page, logged without detail. */
async function guarded(
  request: FastifyRequest,
  reply: FastifyReply,
  work: () => Promise<FastifyReply | undefined>,
): Promise<FastifyReply | undefined> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Refused) return error.reply;
    // Never the error object itself: a library's error may carry the citizen's claims.
    request.log.warn({ ...errorFields(error), route: request.routeOptions.url }, 'sso interaction failed');
    return reply
      .code(500)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(internalErrorPage());
  }
}

/** Thrown once the refusal page is sent, to leave the handler. */
class Refused extends Error {
  constructor(readonly reply: FastifyReply) {
    super('refused');
  }
}

interface RefusalContext {
  clientId: string;
  details?: Interaction;
  provider?: Provider;
  clientName?: string;
  accountId?: string;
}

async function refuse(
  relay: RelayContext,
  request: FastifyRequest,
  reply: FastifyReply,
  reason: RefusalReason,
  context: RefusalContext,
): Promise<never> {
  await relay.audit({
    action: 'sso:refuse',
    decision: 'deny',
    clientId: context.clientId,
    reason,
    ...(context.accountId ? { accountId: context.accountId } : {}),
  });
  request.log.info({ clientId: context.clientId, reason }, 'sso sign-in refused');
  let returnTo: string | undefined;
  if (context.details && context.provider) {
    // The school application then gets `error=access_denied` when the citizen goes back to it.
    try {
      returnTo = await context.provider.interactionResult(
        request.raw,
        reply.raw,
        { error: 'access_denied', error_description: `sign-in refused: ${reason}` },
        { mergeWithLastSubmission: false },
      );
    } catch {
      returnTo = undefined;
    }
  }
  const refusal = new SsoRefusal(reason);
  reply
    .code(refusal.status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(refusalPage({ reason, returnTo, clientName: context.clientName }));
  throw new Refused(reply);
}

async function interactionDetails(provider: Provider, request: FastifyRequest, reply: FastifyReply) {
  try {
    return await provider.interactionDetails(request.raw, reply.raw);
  } catch {
    return undefined;
  }
}

async function interaction(
  relay: RelayContext,
  request: FastifyRequest<{ Params: { uid: string } }>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const provider = await relay.provider();
  const details = await interactionDetails(provider, request, reply);
  if (!details || details.uid !== request.params.uid) {
    return refuse(relay, request, reply, 'interaction_expired', { clientId: 'unknown' });
  }
  const clientId = String(details.params.client_id);
  const client = await provider.Client.find(clientId);
  if (!client) return refuse(relay, request, reply, 'client_unknown', { clientId, details, provider });
  const policy = policyOf(client);
  const context: RefusalContext = { clientId, details, provider, clientName: client.clientName };

  // Already signed in at the hub (another school application earlier): no need to see VNeID again
  // when this application accepts the account's role and level.
  const accountId = details.session?.accountId;
  if (details.prompt.name === 'consent' && accountId) {
    const account = await relay.options.findAccount(accountId, policy.allowedRoles);
    if (account) {
      if (!policy.allowedRoles.includes(account.claims.role)) {
        return refuse(relay, request, reply, 'role_not_allowed', { ...context, accountId });
      }
      const level = levelOf(details.session?.acr) ?? 1;
      if (level >= levelFor(policy, account.claims.role)) {
        const grantId = await saveGrant(provider, details, accountId);
        const returnTo = await provider.interactionResult(request.raw, reply.raw, { consent: { grantId } });
        await relay.audit({ action: 'sso:login', decision: 'allow', clientId, accountId, reason: 'session' });
        return reply.redirect(returnTo, 303);
      }
      // Level too low for this application: a new VNeID sign-in may step it up.
    }
  }

  let begun: Awaited<ReturnType<RelayContext['upstream']['begin']>>;
  try {
    begun = await relay.upstream.begin({ requiredLevel: minimumLevel(policy) });
  } catch (error) {
    if (error instanceof SsoRefusal) return refuse(relay, request, reply, error.reason, context);
    throw error;
  }
  await saveTransaction(relay.db, details.uid, { ...begun.transaction, clientId }, TRANSACTION_TTL_SECONDS);
  return reply.header('cache-control', 'no-store').redirect(begun.url, 303);
}

async function callback(
  relay: RelayContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const rawUrl = request.raw.url ?? '';
  const at = rawUrl.indexOf('?');
  const rawQuery = at === -1 ? '' : rawUrl.slice(at + 1);
  const provider = await relay.provider();
  const details = await interactionDetails(provider, request, reply);
  if (!details) return refuse(relay, request, reply, 'interaction_expired', { clientId: 'unknown' });
  const clientId = String(details.params.client_id);
  const client = await provider.Client.find(clientId);
  if (!client) return refuse(relay, request, reply, 'client_unknown', { clientId, details, provider });
  const policy = policyOf(client);
  const context: RefusalContext = { clientId, details, provider, clientName: client.clientName };

  const transaction = await peekTransaction(relay.db, details.uid);
  if (!transaction || transaction.clientId !== clientId) {
    return refuse(relay, request, reply, 'interaction_expired', context);
  }
  const query = parseRawQuery(rawQuery);
  const state = query.get('state');
  if (state === undefined || !sameText(state, transaction.state)) {
    return refuse(relay, request, reply, 'state_mismatch', context);
  }
  // One callback per interaction: a replayed or concurrent one finds the transaction gone.
  if (!(await takeTransaction(relay.db, details.uid))) {
    return refuse(relay, request, reply, 'interaction_expired', context);
  }
  if (query.has('error')) return refuse(relay, request, reply, 'upstream_denied', context);

  let citizenLevel: 1 | 2;
  let account: ResolvedAccount;
  try {
    const citizen = await relay.upstream.complete(rawQuery, transaction);
    citizenLevel = citizen.accountLevel;
    if (citizen.accountLevel < minimumLevel(policy)) throw new SsoRefusal('level_too_low');
    const resolution = await relay.options.resolveAccount(citizen, {
      clientId,
      allowedRoles: [...policy.allowedRoles],
      requiredLevel: minimumLevel(policy),
    });
    if (!resolution.ok) throw new SsoRefusal(resolution.reason);
    account = resolution;
  } catch (error) {
    if (error instanceof SsoRefusal) return refuse(relay, request, reply, error.reason, context);
    throw error;
  }
  const accountId = account.accountId;
  const refusal = checkPolicy(policy, account, citizenLevel);
  if (refusal) return refuse(relay, request, reply, refusal, { ...context, accountId });

  const grantId = await saveGrant(provider, details, accountId);
  const returnTo = await provider.interactionResult(
    request.raw,
    reply.raw,
    {
      // A transient session (a browser-session cookie): school computers are shared.
      login: { accountId, acr: String(citizenLevel), amr: ['vneid'], remember: false },
      consent: { grantId },
    },
    { mergeWithLastSubmission: false },
  );
  await relay.audit({ action: 'sso:login', decision: 'allow', clientId, accountId });
  request.log.info({ clientId, accountId, level: citizenLevel }, 'sso sign-in');
  return reply.header('cache-control', 'no-store').redirect(returnTo, 303);
}

export function checkPolicy(
  policy: StoredPolicy,
  account: ResolvedAccount,
  level: 1 | 2,
): RefusalReason | undefined {
  if (!policy.allowedRoles.includes(account.claims.role)) return 'role_not_allowed';
  if (level < levelFor(policy, account.claims.role)) return 'level_too_low';
  return undefined;
}

/**
 * The school registered the application with the hub, so there is no consent screen: the grant
 * covers the scopes the application asked for among those the hub knows.
 */
async function saveGrant(provider: Provider, details: Interaction, accountId: string): Promise<string> {
  const clientId = String(details.params.client_id);
  let grant = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  if (!grant || grant.accountId !== accountId || grant.clientId !== clientId) {
    grant = new provider.Grant({ accountId, clientId });
  }
  const requested = String(details.params.scope ?? '')
    .split(' ')
    .filter((scope) => (SCOPES as readonly string[]).includes(scope));
  if (requested.length > 0) grant.addOIDCScope(requested.join(' '));
  const missing = (details.prompt.details as { missingOIDCClaims?: string[] }).missingOIDCClaims;
  if (missing?.length) grant.addOIDCClaims(missing);
  return grant.save();
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
