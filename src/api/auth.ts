/**
 * Who may call `/v1`: every route needs an API key; `authorize` decides, per request, whether the
 * key's role and scope cover what the route is about to do. Every decision, allow or deny, and every
 * refused authentication goes to the audit log.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { problem } from '../app/problem.ts';
import { type ApiKeyRole, audit, type Database, type Principal, verifyApiKey } from '../store/index.ts';
import type { ApiLimits } from './limits.ts';

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
  principal: Principal;
  authorized: boolean;
}

const requests = new WeakMap<FastifyRequest, RequestAuth>();

/**
 * Installs the key check on `app` and on every route registered in it afterwards (its children
 * included). Call it inside the plugin that owns the `/v1` prefix, not through `register`: the
 * hooks must stay in that encapsulation context, which fastify-plugin would have lifted to the root.
 * Nothing here touches the database until a request arrives.
 */
export function installApiKeyAuth(
  app: FastifyInstance,
  options: { database: Database; limits?: Pick<ApiLimits, 'authFailuresByAddress' | 'authFailuresByKey'> },
): void {
  const { database, limits } = options;
  app.decorateRequest('principal', null);

  app.addHook('onRequest', async (request, reply) => {
    const presented = presentedKey(request);
    const principal = presented === undefined ? null : await verifyApiKey(database, presented);
    if (principal) {
      request.principal = principal;
      requests.set(request, { database, principal, authorized: false });
      return;
    }
    const code = presented === undefined ? 'API_KEY_MISSING' : 'API_KEY_INVALID';
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
  const { principal, database } = state;
  const reason = refusal(principal, check);
  await audit(database, {
    actor: `key:${principal.prefix}`,
    role: principal.role,
    action: check.action,
    resource: resourceOf(request),
    decision: reason === undefined ? 'allow' : 'deny',
    detail: {
      requestId: request.id,
      ...(check.schoolCode === undefined ? {} : { school: check.schoolCode }),
      ...(check.adapterId === undefined ? {} : { adapter: check.adapterId }),
      ...(reason === undefined ? {} : { reason }),
    },
  });
  if (reason !== undefined) {
    throw problem('FORBIDDEN_SCOPE', { reason });
  }
  state.authorized = true;
  return principal;
}

/** Why the principal may not do this, in English for the audit log and the problem; undefined if it may. */
export function refusal(principal: Principal, check: AuthorizeCheck): string | undefined {
  if (check.roles && !check.roles.includes(principal.role)) {
    return `role ${principal.role} may not ${check.action}`;
  }
  if (principal.role === 'city') {
    return check.action.endsWith(':read') ? undefined : 'city keys are read-only';
  }
  if (check.schoolCode !== undefined && !principal.schools.includes(check.schoolCode)) {
    return `school ${check.schoolCode} is outside the key's schools`;
  }
  if (principal.role === 'vendor' && (check.schoolCode !== undefined || check.adapterId !== undefined)) {
    if (check.adapterId === undefined || !principal.vendorAdapters.includes(check.adapterId)) {
      return `adapter ${check.adapterId ?? '(none)'} is not one of the key's adapters`;
    }
  }
  return undefined;
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

function prefixOf(presented: string): string | undefined {
  return /^eb_([0-9a-f]{8})_/.exec(presented)?.[1];
}

// The route's pattern, not the URL: a query string or path may carry personal data.
function resourceOf(request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions.url ?? request.url.split('?', 1)[0]}`;
}
