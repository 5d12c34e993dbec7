/**
 * The oidc-provider configuration: authorization code with PKCE (S256) only, exact redirect URIs,
 * `client_secret_basic` or `private_key_jwt`, RS256 ID tokens carrying the school claims, userinfo,
 * RP-initiated logout, no development interactions, storage in PostgreSQL.
 */
import type {
  Account,
  Adapter,
  Configuration,
  JWK,
  KoaContextWithOIDC,
  default as Provider,
} from 'oidc-provider';
import { logoutPage, logoutSuccessPage, protocolErrorPage } from './pages.ts';
import { DEFAULT_ALLOWED_ROLES, type ResolvedAccount, ROLES, type Role } from './types.ts';

export const MOUNT_PATH = '/sso';
export const ID_TOKEN_TTL_SECONDS = 3600;
export const SCOPES = ['openid', 'profile', 'edubridge'] as const;
/** The scope school applications ask for. */
export const DEFAULT_SCOPE = SCOPES.join(' ');

const TOKEN_ROUTES: ReadonlySet<string> = new Set(['token', 'userinfo']);

const ROLE_CLAIMS = ['role', 'schools', 'teacher_codes', 'students'] as const;

/** Staff accounts need level 2 unless the application says otherwise; guardians and students level 1. */
const STAFF: ReadonlySet<Role> = new Set(['teacher', 'district_admin']);

/** What a school application's registration says about who may sign in. */
export interface StoredPolicy {
  allowedRoles: Role[];
  /** Set by the application; absent means "by role" (staff 2, guardians and students 1). */
  requiredLevel: 1 | 2 | undefined;
}

export const POLICY_PROPERTIES = ['edubridge_allowed_roles', 'edubridge_required_level'] as const;

export function policyOf(client: object): StoredPolicy {
  const record = client as Record<string, unknown>;
  const roles = record.edubridge_allowed_roles;
  const level = record.edubridge_required_level;
  return {
    allowedRoles: Array.isArray(roles) ? (roles as Role[]) : [...DEFAULT_ALLOWED_ROLES],
    requiredLevel: level === 1 || level === 2 ? level : undefined,
  };
}

/** The level a role must reach at an application. */
export function levelFor(policy: StoredPolicy, role: Role): 1 | 2 {
  return policy.requiredLevel ?? (STAFF.has(role) ? 2 : 1);
}

/** The least level anyone could sign in with at the application (asked of VNeID, checked first). */
export function minimumLevel(policy: StoredPolicy): 1 | 2 {
  if (policy.requiredLevel) return policy.requiredLevel;
  return policy.allowedRoles.some((role) => !STAFF.has(role)) ? 1 : 2;
}

export interface ProviderEvents {
  logout(ctx: KoaContextWithOIDC): void;
  refused(ctx: KoaContextWithOIDC, error: { error?: string }): void;
  serverError(error: Error): void;
}

export interface ProviderSettings {
  issuer: string;
  adapter: (model: string) => Adapter;
  keys: JWK[];
  cookieKeys: string[];
  sessionTtlSeconds: number;
  findAccount(accountId: string, allowedRoles?: readonly Role[]): Promise<ResolvedAccount | undefined>;
  events: ProviderEvents;
}

function validatePolicyMetadata(_ctx: KoaContextWithOIDC | undefined, key: string, value: unknown): void {
  if (value === undefined) return;
  if (key === 'edubridge_allowed_roles') {
    if (!Array.isArray(value) || value.length === 0 || value.some((r) => !ROLES.includes(r as Role))) {
      throw new TypeError(`edubridge_allowed_roles must list some of ${ROLES.join(', ')}`);
    }
  }
  if (key === 'edubridge_required_level' && value !== 1 && value !== 2) {
    throw new TypeError('edubridge_required_level must be 1 or 2');
  }
}

function claimsOf(accountId: string, account: ResolvedAccount): Record<string, unknown> {
  const { claims } = account;
  return {
    sub: accountId,
    name: claims.name,
    role: claims.role,
    schools: claims.schools,
    ...(claims.teacher_codes ? { teacher_codes: claims.teacher_codes } : {}),
    ...(claims.students ? { students: claims.students } : {}),
  };
}

const UNSUPPORTED_RUNTIME = 'oidc-provider WARNING: Unsupported runtime';
let loading: Promise<typeof Provider> | undefined;

/**
 * oidc-provider 9 warns "Unsupported runtime" as it loads on Node 20, where it works (STACK.md); an
 * operator would read that line at every start as a fault. Only that line is dropped, and only
 * while the library loads: every other warning it gives is kept.
 */
function loadProvider(): Promise<typeof Provider> {
  loading ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes(UNSUPPORTED_RUNTIME)) return;
      warn(...args);
    };
    try {
      return (await import('oidc-provider')).default;
    } finally {
      console.warn = warn;
    }
  })();
  return loading;
}

export async function buildProvider(settings: ProviderSettings): Promise<Provider> {
  const Provider = await loadProvider();
  const ttl = settings.sessionTtlSeconds;
  const configuration: Configuration = {
    adapter: settings.adapter as unknown as Configuration['adapter'],
    jwks: { keys: settings.keys },
    cookies: {
      keys: settings.cookieKeys,
      names: { session: 'sso_session', interaction: 'sso_interaction', resume: 'sso_resume' },
      // Path /sso for the interaction cookie too (oidc-provider would scope it to the interaction
      // page): the VNeID callback at /sso/callback must see it to find, and bind, the interaction.
      long: { httpOnly: true, sameSite: 'lax', signed: true, path: MOUNT_PATH },
      short: { httpOnly: true, sameSite: 'lax', signed: true, path: MOUNT_PATH },
    },
    scopes: [...SCOPES],
    claims: {
      // acr (the VNeID level) and amr always go into the ID token, not only when asked for.
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      profile: ['name'],
      edubridge: [...ROLE_CLAIMS],
      acr: null,
      amr: null,
      auth_time: null,
      sid: null,
      iss: null,
    },
    // The school applications read who signed in from the ID token alone if they like.
    conformIdTokenClaims: false,
    acrValues: ['1', '2'],
    responseTypes: ['code'],
    // `none` only for the hub's own pages (registerFirstPartyClient): `addClient` gives a school
    // app a secret or keys.
    clientAuthMethods: ['client_secret_basic', 'private_key_jwt', 'none'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    enabledJWA: {
      idTokenSigningAlgValues: ['RS256'],
      clientAuthSigningAlgValues: ['RS256', 'PS256', 'ES256'],
    },
    pkce: { required: () => true },
    allowOmittingSingleRegisteredRedirectUri: false,
    extraClientMetadata: { properties: [...POLICY_PROPERTIES], validator: validatePolicyMetadata },
    // The hub's own pages (public clients, `none`) call the token endpoint from the hub's origin;
    // no other origin, and no school app, ever does from a browser.
    clientBasedCORS: (_ctx, origin, client) =>
      client.tokenEndpointAuthMethod === 'none' && origin === new URL(settings.issuer).origin,
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: { enabled: false },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.type = 'html';
          ctx.body = logoutPage(form, ctx.oidc.client?.clientName);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.type = 'html';
          ctx.body = logoutSuccessPage(ctx.oidc.client?.clientName);
        },
      },
    },
    interactions: {
      url: (_ctx, interaction) => `${MOUNT_PATH}/interaction/${interaction.uid}`,
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = protocolErrorPage(out);
    },
    async findAccount(ctx, sub): Promise<Account | undefined> {
      const account = await settings.findAccount(
        sub,
        ctx.oidc.client ? policyOf(ctx.oidc.client).allowedRoles : undefined,
      );
      if (!account) return undefined;
      // A role the application no longer accepts (re-registered, or the person changed role) gets
      // no more tokens or claims. Not during authorization: there the interaction refuses with a
      // page, and oidc-provider cannot carry on with a session whose account it cannot find.
      const client = ctx.oidc.client;
      if (
        client &&
        TOKEN_ROUTES.has(ctx.oidc.route) &&
        !policyOf(client).allowedRoles.includes(account.claims.role)
      ) {
        return undefined;
      }
      return { accountId: sub, claims: async () => claimsOf(sub, account) as { sub: string } };
    },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: ID_TOKEN_TTL_SECONDS,
      Interaction: 600,
      Session: ttl,
      Grant: ttl,
      RefreshToken: ttl,
      ClientCredentials: 600,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
      PreAuthorizedCode: 600,
    },
  };
  const provider = new Provider(settings.issuer, configuration);
  // The relay's routes set Host and X-Forwarded-Host/Proto/For on every request from the public URL
  // and the address Fastify resolved (TRUST_PROXY) before the provider sees it (see routes.ts
  // `pinOrigin`): reading them is then reading the configuration, whatever the client sent.
  provider.proxy = true;
  provider.on('end_session.success', (ctx: KoaContextWithOIDC) => settings.events.logout(ctx));
  provider.on('authorization.error', (ctx: KoaContextWithOIDC, error: { error?: string }) =>
    settings.events.refused(ctx, error),
  );
  provider.on('grant.error', (ctx: KoaContextWithOIDC, error: { error?: string }) =>
    settings.events.refused(ctx, error),
  );
  provider.on('server_error', (_ctx: KoaContextWithOIDC, error: Error) => settings.events.serverError(error));
  // Koa prints uncaught errors to stderr unless someone listens.
  (provider as unknown as NodeJS.EventEmitter).on('error', (error: Error) =>
    settings.events.serverError(error),
  );
  return provider;
}
