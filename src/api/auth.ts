/**
 * Who may call `/v1`: every route needs an API key; `authorize` decides, per request, whether the
 * key's role and scope cover what the route is about to do. Every decision, allow or deny, and every
 * refused authentication goes to the audit log.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  type ApiKeyRole,
  audit,
  type Database,
  type Keyring,
  type Principal,
  refusedInputHash,
  verifyApiKey,
} from '../store/index.ts';
import type { ApiLimits } from './limits.ts';
import { problem } from './problem.ts';

export type { Principal };

/** `<resource>:read` or `<resource>:write`: a city key may only read. */
export type AuthAction = `${string}:${'read' | 'write'}`;

export interface AuthorizeCheck {
  action: AuthAction;
  /** The school the request touches; omit for a collection the route filters by `principal.schools`. */
  schoolCode?: string | undefined;
  /** The adapter whose data or run the request touches: a vendor key reaches only its own. */
  adapterId?: string | undefined;
  /** Roles allowed at all (default: every role, within its scope). */
  roles?: readonly ApiKeyRole[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's key under `/v1` (set before any handler runs); null elsewhere. */
    principal: Principal | null;
  }
}

export const API_KEY_HEADER = 'x-api-key';
/** The OpenAPI security schemes declared in src/app/docs.ts: the key in `X-Api-Key`, or as a bearer token. */
export const SECURITY_SCHEMES = ['apiKey', 'bearerApiKey'] as const;
/** Put on each `/v1` route's schema (`security: SECURED`) so the OpenAPI document shows the key is required. */
export const SECURED = SECURITY_SCHEMES.map((name) => ({ [name]: [] }));

interface RequestAuth {
  database: Database;
  keyring: Keyring;
  principal: Principal;
  authorized: boolean;
}

export interface ApiKeyAuthOptions {
  database: Database;
  /** Hashes what a refused request named outside the key's scope, for the audit log (see `authorize`). */
  keyring: Keyring;
  /** Failed authentications counted (429 past the limit, no audit row each); none without. */
  limits?: Pick<ApiLimits, 'authFailuresByAddress' | 'authFailuresByKey'>;
  /**
   * Who holds a bearer access token that is not an API key (the district console signed in through
   * the SSO relay); without it such a token is an invalid key.
   */
  bearerToken?: (token: string) => Promise<Principal | undefined>;
}

const requests = new WeakMap<FastifyRequest, RequestAuth>();
const RECENTLY_GOOD_MS = 10 * 60_000;
const RECENTLY_GOOD_KEPT = 10_000;

/**
 * Installs the key check on `app` and on every route registered in it afterwards (its children
 * included). Call it inside the plugin that owns the `/v1` prefix, not through `register`: the
 * hooks must stay in that encapsulation context, which fastify-plugin would have lifted to the root.
 * Nothing here touches the database until a request arrives.
 */
export function installApiKeyAuth(app: FastifyInstance, options: ApiKeyAuthOptions): void {
  const { database, keyring, limits } = options;
  app.decorateRequest('principal', null);

  // Key prefixes that authenticated here lately: a request from an address over its failure limit
  // is answered 429 before any look-up, unless it presents one of these (an honest client behind
  // the same address as a flood keeps working; the flood costs no query).
  const recentlyGood = new Map<string, number>();
  app.addHook('onRequest', async (request, reply) => {
    const presented = presentedKey(request);
    if (limits) {
      const blocked = limits.authFailuresByAddress.blocked(request.ip);
      const prefix = presented === undefined ? undefined : prefixOf(presented);
      if (blocked && !(prefix !== undefined && (recentlyGood.get(prefix) ?? 0) > Date.now())) throw blocked;
      // Someone guessing this key's secret from many addresses: the key waits out its window.
      const keyBlocked = prefix === undefined ? undefined : limits.authFailuresByKey.blocked(`key:${prefix}`);
      if (keyBlocked) throw keyBlocked;
    }
    // A bearer that is not shaped like a key is an access token the SSO relay may have issued.
    const asToken =
      presented !== undefined &&
      prefixOf(presented) === undefined &&
      !!options.bearerToken &&
      isBearer(request);
    const principal =
      presented === undefined
        ? null
        : asToken
          ? ((await options.bearerToken!(presented)) ?? null)
          : await verifyApiKey(database, presented);
    if (principal) {
      if (limits) {
        if (recentlyGood.size >= RECENTLY_GOOD_KEPT) recentlyGood.delete(recentlyGood.keys().next().value!);
        recentlyGood.set(principal.prefix, Date.now() + RECENTLY_GOOD_MS);
      }
      request.principal = principal;
      requests.set(request, { database, keyring, principal, authorized: false });
      return;
    }
    const code =
      presented === undefined ? 'API_KEY_MISSING' : asToken ? 'ACCESS_TOKEN_INVALID' : 'API_KEY_INVALID';
    const keyPrefix = presented ? prefixOf(presented) : undefined;
    // Past the limit a failure is answered 429 and not audited (the limit writes one summary row a
    // window): a flood of wrong keys must not become a flood of audit rows.
    if (limits) {
      const limited =
        (await limits.authFailuresByAddress.hit(request.ip)) ??
        (keyPrefix ? await limits.authFailuresByKey.hit(`key:${keyPrefix}`) : undefined);
      if (limited) throw limited;
    }
    await audit(database, {
      actor: 'anonymous',
      role: null,
      action: 'authenticate',
      resource: resourceOf(request),
      decision: 'deny',
      // The prefix of a well-formed key names which key was tried without revealing it.
      detail: { code, requestId: request.id, ...(keyPrefix ? { keyPrefix } : {}) },
    });
    reply.header(
      'www-authenticate',
      presented === undefined
        ? 'Bearer realm="edubridge"'
        : 'Bearer realm="edubridge", error="invalid_token"',
    );
    throw problem(code, {});
  });

  // Deny by default: a route that forgot to call `authorize` must not answer with data.
  app.addHook('preSerialization', async (request, reply, payload) => {
    const state = requests.get(request);
    if (state && !state.authorized && reply.statusCode < 400) {
      throw new Error(`route ${resourceOf(request)} answered without calling authorize()`);
    }
    return payload;
  });
}

/**
 * Decides whether the caller may do `check` and writes the decision to the audit log; returns the
 * principal when allowed, throws a 403 `FORBIDDEN_SCOPE` problem when not. Call it in every `/v1`
 * handler before reading or changing anything; a collection route without a `schoolCode` must then
 * filter what it returns by `principal.schools` (unless the role is `city`).
 *
 * @example
 * const principal = await authorize(request, { action: 'runs:read', schoolCode: run.schoolCode, adapterId: run.adapterId });
 */
export async function authorize(request: FastifyRequest, check: AuthorizeCheck): Promise<Principal> {
  const state = requests.get(request);
  if (!state) throw new Error('authorize() called outside the /v1 API-key context');
  const { principal, database, keyring } = state;
  const rule = refusalRule(principal, check);
  await audit(database, {
    actor: principal.actor,
    role: principal.role,
    action: check.action,
    resource: resourceOf(request),
    decision: rule === undefined ? 'allow' : 'deny',
    detail: {
      requestId: request.id,
      ...(rule === undefined ? scopeOf(check) : refusedScope(keyring, principal, check, rule)),
    },
  });
  if (rule !== undefined) {
    throw problem('FORBIDDEN_SCOPE', { reason: refusalText(principal, check, rule) });
  }
  state.authorized = true;
  return principal;
}

/** Why a key may not do something: stable names, for the audit log and for reports over it. */
export type ScopeRule = 'role_not_allowed' | 'city_read_only' | 'school_outside_key' | 'adapter_outside_key';

/** The rule the principal breaks by doing `check`; undefined if it may. */
export function refusalRule(principal: Principal, check: AuthorizeCheck): ScopeRule | undefined {
  if (check.roles && !check.roles.includes(principal.role)) return 'role_not_allowed';
  if (principal.role === 'city') {
    return check.action.endsWith(':read') ? undefined : 'city_read_only';
  }
  if (check.schoolCode !== undefined && !principal.schools.includes(check.schoolCode)) {
    return 'school_outside_key';
  }
  if (principal.role === 'vendor' && (check.schoolCode !== undefined || check.adapterId !== undefined)) {
    if (check.adapterId === undefined || !principal.vendorAdapters.includes(check.adapterId)) {
      return 'adapter_outside_key';
    }
  }
  return undefined;
}

/**
 * Why the principal may not do this, in English, for the caller's problem answer (which may repeat
 * what the caller sent: it goes back to them only, never to the audit log); undefined if it may.
 */
export function refusal(principal: Principal, check: AuthorizeCheck): string | undefined {
  const rule = refusalRule(principal, check);
  return rule === undefined ? undefined : refusalText(principal, check, rule);
}

function refusalText(principal: Principal, check: AuthorizeCheck, rule: ScopeRule): string {
  switch (rule) {
    case 'role_not_allowed':
      return `role ${principal.role} may not ${check.action}`;
    case 'city_read_only':
      return 'city keys are read-only';
    case 'school_outside_key':
      return `school ${check.schoolCode} is outside the key's schools`;
    case 'adapter_outside_key':
      return `adapter ${check.adapterId ?? '(none)'} is not one of the key's adapters`;
  }
}

// What routes pass when the record asked for does not exist: the hub's word, not the caller's.
const NOT_FOUND = '(unknown)';

/** An allowed request's school and adapter, as the audit log keeps them (`school` is filtered on). */
function scopeOf(check: AuthorizeCheck): Record<string, string> {
  return {
    ...(check.schoolCode === undefined ? {} : { school: check.schoolCode }),
    ...(check.adapterId === undefined ? {} : { adapter: check.adapterId }),
  };
}

/**
 * A refused request's school and adapter as the audit log keeps them. A value the key's own scope
 * lists was checked when the key was made, so it is kept as it is (and `listAudit({ schools })`
 * finds the entry). Anything else is what the caller sent and the hub refused: it may be anything,
 * a personal ID typed as a school code once was, and the log can never take it back. It is kept
 * only as a keyed hash (`refused`), beside the rule that refused the request (`reason`).
 */
function refusedScope(
  keyring: Keyring,
  principal: Principal,
  check: AuthorizeCheck,
  rule: ScopeRule,
): Record<string, unknown> {
  const kept: Record<string, string> = {};
  const refused: Record<string, string> = {};
  const { schoolCode, adapterId } = check;
  if (schoolCode !== undefined) {
    if (schoolCode === NOT_FOUND || principal.schools.includes(schoolCode)) kept.school = schoolCode;
    else refused.schoolCode = refusedInputHash(keyring, schoolCode);
  }
  if (adapterId !== undefined) {
    if (principal.vendorAdapters.includes(adapterId)) kept.adapter = adapterId;
    else refused.adapterId = refusedInputHash(keyring, adapterId);
  }
  return {
    ...kept,
    code: 'FORBIDDEN_SCOPE',
    reason: rule,
    ...(Object.keys(refused).length > 0 ? { refused } : {}),
  };
}

/** The API key a request presents (`Authorization: Bearer` or `X-Api-Key`), if any. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization !== undefined && authorization.trim() !== '') {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    // Another scheme (Basic …) or a malformed header is a key presented wrongly, not a missing one.
    return match ? match[1]! : authorization;
  }
  const header = request.headers[API_KEY_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function isBearer(request: FastifyRequest): boolean {
  return /^Bearer[ \t]/i.test(request.headers.authorization ?? '');
}

function prefixOf(presented: string): string | undefined {
  return /^eb_([0-9a-f]{8})_/.exec(presented)?.[1];
}

// The route's pattern, not the URL: a query string or path may carry personal data.
function resourceOf(request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions.url ?? request.url.split('?', 1)[0]}`;
}
