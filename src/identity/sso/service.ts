/**
 * The relay: EduBridge as OpenID Provider to the school applications, VNeID (one personality) as
 * its upstream. A sign-in goes school app → /sso/auth → /sso/interaction/:uid → VNeID →
 * /sso/callback → (checks, account resolution, grant) → /sso/auth/:uid → school app.
 */

import { randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { JWKS, KoaContextWithOIDC, ClientMetadata as OidcClientMetadata } from 'oidc-provider';
import { errorMessage } from '../../model/error-catalogue.ts';
import { adapterFactory, purgeExpired, type RefusedClientListener } from './adapter.ts';
import { SsoClientInputError, SsoConfigError } from './errors.ts';
import { currentKid, loadSigningKeys, pruneRetiredKeys, rotate } from './keys.ts';
import { errorFields } from './log.ts';
import {
  buildProvider,
  DEFAULT_SCOPE,
  ID_TOKEN_TTL_SECONDS,
  MOUNT_PATH,
  POLICY_PROPERTIES,
} from './provider.ts';
import { checkRedirectUris } from './redirect-uris.ts';
import { registerRoutes } from './routes.ts';
import { ssoDb } from './tables.ts';
import {
  type AddClientInput,
  type AddedClient,
  DEFAULT_ALLOWED_ROLES,
  ROLES,
  type SsoAdmin,
  type SsoAdminOptions,
  type SsoAuditEntry,
  type SsoLogger,
  type SsoRelay,
  type SsoRelayOptions,
} from './types.ts';
import { createUpstream } from './upstream/index.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const PURGE_EVERY_MS = 10 * 60 * 1000;
const SILENT: SsoLogger = { info() {}, warn() {} };
// Protocol answers that are no refusal of the relay's own: `access_denied` carries a refusal the
// interaction already audited with its precise reason; the others answer `prompt=none`.
const NOT_AUDITED = new Set(['access_denied', 'login_required', 'consent_required', 'interaction_required']);

/** What the routes need from the relay. */
export interface RelayContext {
  options: SsoRelayOptions;
  db: ReturnType<typeof ssoDb>;
  upstream: ReturnType<typeof createUpstream>;
  logger: SsoLogger;
  provider(): Promise<Provider>;
  audit(entry: Omit<SsoAuditEntry, 'upstream'>): Promise<void>;
  /** The public origin every URL the relay gives out is made from (PUBLIC_URL). */
  origin: string;
}

function issuerOf(publicUrl: string): string {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch (cause) {
    throw new SsoConfigError(
      'SSO_PUBLIC_URL_INVALID',
      errorMessage('SSO_PUBLIC_URL_INVALID', {
        reason: { vi: 'không phải URL hợp lệ', en: 'is not a valid URL' },
      }),
      { cause },
    );
  }
  if (url.pathname !== '/' || url.search || url.hash) {
    throw new SsoConfigError(
      'SSO_PUBLIC_URL_INVALID',
      errorMessage('SSO_PUBLIC_URL_INVALID', {
        reason: {
          vi: 'chỉ gồm giao thức và máy chủ, không có đường dẫn',
          en: 'must be scheme and host only, no path',
        },
      }),
    );
  }
  return `${url.origin}${MOUNT_PATH}`;
}

function checkOptions(options: SsoRelayOptions): { issuer: string } {
  const issuer = issuerOf(options.publicUrl);
  if (
    options.signingKeyRetentionMs !== undefined &&
    options.signingKeyRetentionMs < ID_TOKEN_TTL_SECONDS * 1000
  ) {
    throw new SsoConfigError('SSO_KEY_RETENTION_TOO_SHORT', errorMessage('SSO_KEY_RETENTION_TOO_SHORT', {}));
  }
  if (options.cookieKeys.length === 0 || options.cookieKeys.some((k) => k.length < 16)) {
    throw new SsoConfigError('SSO_COOKIE_KEYS_INVALID', errorMessage('SSO_COOKIE_KEYS_INVALID', {}));
  }
  return { issuer };
}

/**
 * Builds the relay; touches no database until the first request (the hub's migrations may still be
 * running). Mount it with `await relay.register(app)` before the app listens.
 *
 * @example
 * const relay = await createSsoRelay({ database, keyring, publicUrl: 'https://hub.example.vn',
 *   cookieKeys: [secret], upstream: { personality: 'dvcqg', issuer, clientId, clientSecret },
 *   resolveAccount, findAccount, audit });
 * await relay.register(app);
 * const { clientId, clientSecret } = await relay.addClient({ name: 'SMAS', redirectUris: [...] });
 */
export async function createSsoRelay(options: SsoRelayOptions): Promise<SsoRelay> {
  const { issuer } = checkOptions(options);
  const db = ssoDb(options.database);
  const upstream = createUpstream(options.upstream, `${issuer}/callback`);
  const logger = options.logger ?? SILENT;
  const adapter = adapterFactory(db, options.keyring, refusedClientLogger(logger));
  const retentionMs = options.signingKeyRetentionMs ?? 7 * DAY_MS;
  const refreshMs = options.keyRefreshMs ?? 60_000;
  const personality = options.upstream.personality;

  const audit = async (entry: Omit<SsoAuditEntry, 'upstream'>) => {
    try {
      await options.audit({ ...entry, upstream: personality });
    } catch (error) {
      logger.warn(errorFields(error), 'sso audit failed');
    }
  };

  let built: { provider: Provider; kid: string; checkedAt: number } | undefined;
  let building: Promise<Provider> | undefined;
  let purgeTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const rebuild = async (): Promise<Provider> => {
    const keys = await loadSigningKeys(db, options.keyring, retentionMs);
    const provider = await buildProvider({
      issuer,
      adapter,
      keys: keys.keys,
      cookieKeys: options.cookieKeys,
      sessionTtlSeconds: options.sessionTtlSeconds ?? 8 * 60 * 60,
      findAccount: (accountId, allowedRoles) => options.findAccount(accountId, allowedRoles),
      events: {
        logout: (ctx) => void audit(logoutEntry(ctx)),
        refused: (ctx, error) => {
          if (NOT_AUDITED.has(error.error ?? '')) return;
          void audit({
            action: 'sso:refuse',
            decision: 'deny',
            clientId: ctx.oidc?.client?.clientId ?? 'unknown',
            reason: `op_${error.error ?? 'error'}`,
          });
        },
        serverError: (error) => logger.warn(errorFields(error), 'sso provider error'),
      },
    });
    built = { provider, kid: keys.current, checkedAt: Date.now() };
    if (!purgeTimer && !closed) {
      purgeTimer = setInterval(() => {
        purgeExpired(db)
          .then(() => pruneRetiredKeys(db, retentionMs))
          .catch((error: unknown) => logger.warn(errorFields(error), 'sso purge of expired rows failed'));
      }, PURGE_EVERY_MS);
      purgeTimer.unref();
    }
    return provider;
  };

  const provider = async (): Promise<Provider> => {
    if (building) return building;
    if (built && Date.now() - built.checkedAt < refreshMs) return built.provider;
    building = (async () => {
      if (built) {
        // Another process may have rotated the key: pick the new one up.
        const kid = await currentKid(db);
        if (kid === built.kid) {
          built.checkedAt = Date.now();
          return built.provider;
        }
      }
      return rebuild();
    })().finally(() => {
      building = undefined;
    });
    return building;
  };

  const context: RelayContext = {
    options,
    db,
    upstream,
    logger,
    provider,
    audit,
    origin: new URL(issuer).origin,
  };

  return {
    async register(app) {
      await registerRoutes(app, context);
    },

    addClient: (input) => addClient(input, { provider, adapter, issuer, logger }),

    async registerFirstPartyClient(input) {
      checkRedirectUris(input.redirectUris, 'redirect_uris');
      const metadata: ClientMetadata = {
        client_id: input.clientId,
        client_name: input.name,
        application_type: 'web',
        redirect_uris: [...input.redirectUris],
        post_logout_redirect_uris: [...input.redirectUris],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        id_token_signed_response_alg: 'RS256',
        scope: DEFAULT_SCOPE,
        edubridge_allowed_roles: [...new Set(input.allowedRoles)],
      };
      const op = await provider();
      await op.Client.validate(metadata);
      await adapter('Client').upsert(metadata.client_id, metadata);
    },

    async accessTokenHolder(token) {
      // Opaque tokens are looked up in the relay's store; anything else is simply not found.
      if (token.length > 256) return undefined;
      const op = await provider();
      const found = await op.AccessToken.find(token).catch(() => undefined);
      if (!found || found.isExpired || !found.accountId || !found.clientId) return undefined;
      return { accountId: found.accountId, clientId: found.clientId };
    },

    async rotateSigningKey() {
      const kid = await rotate(db, options.keyring);
      await rebuild();
      logger.info({ kid }, 'sso signing key rotated');
      return { kid };
    },

    async close() {
      closed = true;
      if (purgeTimer) clearInterval(purgeTimer);
      purgeTimer = undefined;
    },
  };
}

/** Validates a school app's metadata as the provider will read it, then stores it. */
async function addClient(
  input: AddClientInput,
  deps: {
    provider: () => Promise<Provider>;
    adapter: ReturnType<typeof adapterFactory>;
    issuer: string;
    logger: SsoLogger;
  },
): Promise<AddedClient> {
  const metadata = clientMetadata(input);
  const op = await deps.provider();
  try {
    await op.Client.validate(metadata);
  } catch (cause) {
    throw new SsoClientInputError(
      'SSO_CLIENT_INVALID',
      errorMessage('SSO_CLIENT_INVALID', {
        reason: (cause as { error_description?: string }).error_description ?? (cause as Error).message,
      }),
      { cause },
    );
  }
  await deps.adapter('Client').upsert(metadata.client_id, metadata);
  deps.logger.info({ clientId: metadata.client_id }, 'sso client registered');
  const added: AddedClient = { clientId: metadata.client_id, issuer: deps.issuer };
  if (metadata.client_secret) added.clientSecret = metadata.client_secret;
  return added;
}

/**
 * Registers school apps and rotates the signing key in the relay's store, without the relay: what
 * `edubridge sso client add` and `sso keys rotate` need on a machine that does not serve sign-ins
 * (no VNeID settings, no cookie keys). The relays serving sign-ins read new apps from the store at
 * once and pick a new key up within a minute.
 */
export function createSsoAdmin(options: SsoAdminOptions): SsoAdmin {
  const issuer = issuerOf(options.publicUrl);
  const db = ssoDb(options.database);
  const logger = options.logger ?? SILENT;
  const adapter = adapterFactory(db, options.keyring, refusedClientLogger(logger));
  // A provider only to validate client metadata exactly as the serving one does; it serves
  // nothing, so its cookie key is a throwaway and it knows no account.
  const provider = async () =>
    buildProvider({
      issuer,
      adapter,
      keys: (await loadSigningKeys(db, options.keyring, 7 * DAY_MS)).keys,
      cookieKeys: [randomBytes(32).toString('base64url')],
      sessionTtlSeconds: 60,
      findAccount: async () => undefined,
      events: { logout() {}, refused() {}, serverError() {} },
    });
  return {
    addClient: (input) => addClient(input, { provider, adapter, issuer, logger }),
    async rotateSigningKey() {
      const kid = await rotate(db, options.keyring);
      logger.info({ kid }, 'sso signing key rotated');
      return { kid };
    },
    async close() {},
  };
}

/** A stored app refused as read: district IT must hear of it, the school app only sees `invalid_client`. */
const refusedClientLogger =
  (logger: SsoLogger): RefusedClientListener =>
  (clientId, code) =>
    logger.warn(
      { clientId, code },
      'sso client refused: a redirect URI it was registered with breaks the policy; register the app again',
    );

function logoutEntry(ctx: KoaContextWithOIDC): Omit<SsoAuditEntry, 'upstream'> {
  const accountId = ctx.oidc?.session?.accountId;
  return {
    action: 'sso:logout',
    decision: 'allow',
    clientId: ctx.oidc?.client?.clientId ?? 'unknown',
    ...(accountId ? { accountId } : {}),
  };
}

type ClientMetadata = OidcClientMetadata & { client_id: string; client_secret?: string };

function clientMetadata(input: AddClientInput): ClientMetadata {
  const name = input.name?.trim();
  const invalid = (vi: string, en: string) =>
    new SsoClientInputError('SSO_CLIENT_INVALID', errorMessage('SSO_CLIENT_INVALID', { reason: { vi, en } }));
  if (!name) throw invalid('Thiếu tên ứng dụng', 'The application needs a name');
  if (!Array.isArray(input.redirectUris) || input.redirectUris.length === 0) {
    throw invalid('Cần ít nhất một redirect URI', 'At least one redirect URI is needed');
  }
  // Before oidc-provider's own checks, which allow http anywhere and user names for a web client.
  checkRedirectUris(input.redirectUris, 'redirect_uris');
  checkRedirectUris(input.postLogoutRedirectUris ?? [], 'post_logout_redirect_uris');
  const authMethod = input.authMethod ?? 'client_secret_basic';
  if (authMethod === 'private_key_jwt' && !input.jwks) {
    throw invalid('private_key_jwt cần jwks', 'private_key_jwt needs jwks');
  }
  const roles = input.allowedRoles ?? [...DEFAULT_ALLOWED_ROLES];
  if (roles.length === 0 || roles.some((r) => !ROLES.includes(r))) {
    throw invalid(`Vai trò phải thuộc ${ROLES.join(', ')}`, `Roles must be among ${ROLES.join(', ')}`);
  }
  if (input.requiredLevel !== undefined && input.requiredLevel !== 1 && input.requiredLevel !== 2) {
    throw invalid('Mức định danh là 1 hoặc 2', 'The level is 1 or 2');
  }
  const metadata: ClientMetadata = {
    client_id: `eb-${randomBytes(12).toString('base64url')}`,
    client_name: name,
    // Said outright: for a `native` client oidc-provider would accept a loopback redirect URI on
    // any port (RFC 8252 §7.3); a web client's redirect URI must match character for character.
    application_type: 'web',
    redirect_uris: [...input.redirectUris],
    post_logout_redirect_uris: [...(input.postLogoutRedirectUris ?? [])],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: authMethod,
    id_token_signed_response_alg: 'RS256',
    scope: DEFAULT_SCOPE,
    edubridge_allowed_roles: [...new Set(roles)],
    client_id_issued_at: Math.floor(Date.now() / 1000),
  };
  if (input.requiredLevel !== undefined) metadata[POLICY_PROPERTIES[1]] = input.requiredLevel;
  if (authMethod === 'client_secret_basic') metadata.client_secret = randomBytes(32).toString('base64url');
  else metadata.jwks = input.jwks as JWKS;
  return metadata;
}
