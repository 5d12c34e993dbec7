/**
 * Rate limits at the edge, counted in the shared Redis (every API process sees the same counts):
 * - failed authentications (a wrong or missing API key), per client address and per key prefix:
 *   past the limit the caller gets 429 instead of 401, and is no longer audited row by row;
 * - the SSO relay (`/sso`), per client address, and its token endpoint per address and client id;
 * - identity checks (`/v1/identity`), per API key.
 * A limited request is answered 429 with `Retry-After`; one audit row per window and source says
 * that a source was limited, however many requests it went on sending: a flood of wrong keys must
 * not turn into a flood of audit rows, each appended under its audit chain's lock.
 * Each limit is a number a minute (RATE_LIMIT_*), 0 for none. While Redis is away nothing is
 * limited (`skipOnError`): the limits protect the hub, they must not stop it.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { ApiLimits, Limit } from '../api/limits.ts';
import { PROBLEM_CONTENT_TYPE, problem, problemSchema } from '../api/problem.ts';
import type { Config } from '../config/index.ts';
import { audit, type Database } from '../store/index.ts';

const WINDOW_MS = 60_000;
const BLOCKED_SOURCES_KEPT = 10_000;

/** The API's limits, and the SSO relay's (by address; its token endpoint by address and client). */
export interface EdgeLimits extends ApiLimits {
  sso: Limit;
  ssoToken: Limit;
}

/** What the limit is about, in the 429's words. */
const WHAT: Record<keyof EdgeLimits, { vi: string; en: string }> = {
  authFailuresByAddress: { vi: 'Xác thực sai', en: 'Failed authentication' },
  authFailuresByKey: { vi: 'Xác thực sai với khoá này', en: 'Failed authentication with this key' },
  sso: { vi: 'Đăng nhập một lần (SSO)', en: 'Single sign-on' },
  ssoToken: { vi: 'Lấy token SSO', en: 'SSO token requests' },
  identity: { vi: 'Kiểm tra danh tính', en: 'Identity checks' },
};

const UNLIMITED: Limit = { hit: async () => undefined, blocked: () => undefined };

/**
 * Registers @fastify/rate-limit (no global limit: each limit is applied where it belongs) on the
 * shared Redis, and makes the hub's limits from the settings.
 */
export async function registerRateLimits(
  app: FastifyInstance,
  config: Pick<
    Config,
    | 'REDIS_PREFIX'
    | 'RATE_LIMIT_AUTH_FAILURES'
    | 'RATE_LIMIT_SSO'
    | 'RATE_LIMIT_SSO_TOKEN'
    | 'RATE_LIMIT_IDENTITY'
  >,
  redis: Redis,
  database: Database,
): Promise<EdgeLimits> {
  const namespace = `${config.REDIS_PREFIX}:rate:`;
  await app.register(rateLimit, {
    global: false,
    redis,
    nameSpace: namespace,
    skipOnError: true,
    timeWindow: WINDOW_MS,
  });
  // The shared client connects on first use (building the app touches no Redis): the first
  // counted request opens it, and ioredis keeps it open from then on.
  let connecting: Promise<void> | undefined;
  const connected = async () => {
    if (redis.status !== 'wait') return;
    connecting ??= redis.connect().catch(() => {
      connecting = undefined;
    });
    await connecting;
  };
  const make = (name: keyof EdgeLimits, max: number): Limit => {
    if (max === 0) return UNLIMITED;
    const limiter = app.createRateLimit({
      max,
      timeWindow: WINDOW_MS,
      keyGenerator: (request: FastifyRequest) => (request as unknown as { source: string }).source,
    });
    // Sources this process already found over the limit, until their window ends: their next
    // requests are answered without a round trip to Redis (a flood is answered at the cost of a
    // map look-up). Bounded: the oldest entry goes when it is full.
    const blockedUntil = new Map<string, number>();
    const limitedNow = (seconds: number) =>
      problem('RATE_LIMITED', { what: WHAT[name], limit: max, seconds }, { retryAfterSeconds: seconds });
    const blocked = (source: string) => {
      const until = blockedUntil.get(source);
      if (until === undefined) return undefined;
      const left = until - Date.now();
      if (left > 0) return limitedNow(Math.max(1, Math.ceil(left / 1000)));
      blockedUntil.delete(source);
      return undefined;
    };
    return {
      blocked,
      async hit(source) {
        const known = blocked(source);
        if (known) return known;
        await connected();
        const key = `${name}:${source}`;
        // The plugin reads `routeOptions.config` of what it is given: a counter needs no route.
        const verdict = await limiter({ source: key, routeOptions: {} } as unknown as FastifyRequest);
        if (verdict.isAllowed || !verdict.isExceeded) return undefined;
        const seconds = Math.max(1, verdict.ttlInSeconds);
        if (blockedUntil.size >= BLOCKED_SOURCES_KEPT) blockedUntil.delete(blockedUntil.keys().next().value!);
        blockedUntil.set(source, Date.now() + verdict.ttl);
        await auditOncePerWindow(redis, database, namespace, name, source, max, verdict.ttl);
        return limitedNow(seconds);
      },
    };
  };
  return {
    authFailuresByAddress: make('authFailuresByAddress', config.RATE_LIMIT_AUTH_FAILURES),
    authFailuresByKey: make('authFailuresByKey', config.RATE_LIMIT_AUTH_FAILURES),
    sso: make('sso', config.RATE_LIMIT_SSO),
    ssoToken: make('ssoToken', config.RATE_LIMIT_SSO_TOKEN),
    identity: make('identity', config.RATE_LIMIT_IDENTITY),
  };
}

/**
 * The first limited request of a source in a window writes one audit row; the rest of the window
 * writes none (a key in Redis, set only if absent, lives as long as the window).
 */
async function auditOncePerWindow(
  redis: Redis,
  database: Database,
  namespace: string,
  name: keyof EdgeLimits,
  source: string,
  max: number,
  ttlMs: number,
): Promise<void> {
  try {
    const first = await redis.set(
      `${namespace}audited:${name}:${source}`,
      '1',
      'PX',
      Math.max(1, ttlMs),
      'NX',
    );
    if (first !== 'OK') return;
    await audit(database, {
      actor: source.startsWith('key:') ? source : `address:${source}`,
      role: null,
      action: 'rate-limit',
      resource: name,
      decision: 'deny',
      detail: { code: 'RATE_LIMITED', limitPerMinute: max, windowSeconds: Math.ceil(ttlMs / 1000) },
    });
  } catch {
    // Redis or PostgreSQL away: the 429 stands; the summary row is only for the reader.
  }
}

/**
 * The SSO relay's limits, before its routes (oidc-provider answers them itself): every request
 * under /sso by client address; the token endpoint also by address and client id, where wrong
 * client secrets would be tried.
 */
export function limitSso(app: FastifyInstance, limits: Pick<EdgeLimits, 'sso' | 'ssoToken'>): void {
  // Every documented /sso route (registered after this) may answer 429: the OpenAPI document says so.
  app.addHook('onRoute', (route) => {
    if (!isSsoPath(route.url) || !route.schema || route.schema.hide) return;
    route.schema = {
      ...route.schema,
      response: {
        ...(route.schema.response as Record<string, unknown> | undefined),
        429: {
          description:
            'Quá nhiều yêu cầu đăng nhập từ địa chỉ này (`RATE_LIMITED`) / Too many sign-in requests from this address (`RATE_LIMITED`); `Retry-After` says when to try again',
          content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } },
        },
      },
    };
  });
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?', 1)[0] ?? '';
    if (!isSsoPath(path)) return;
    const limited =
      (await limits.sso.hit(request.ip)) ??
      (path === '/sso/token'
        ? await limits.ssoToken.hit(`${request.ip}|${basicClientId(request)}`)
        : undefined);
    if (limited) throw limited;
  });
}

const isSsoPath = (path: string) => path === '/sso' || path.startsWith('/sso/');

/** The client id of an HTTP Basic `Authorization` (client_secret_basic), bounded; `-` without one. */
function basicClientId(request: FastifyRequest): string {
  const match = /^Basic\s+([A-Za-z0-9+/=]{1,1024})$/i.exec(request.headers.authorization ?? '');
  if (!match) return '-';
  const user = Buffer.from(match[1]!, 'base64').toString('utf8').split(':', 1)[0] ?? '';
  try {
    return decodeURIComponent(user).slice(0, 128);
  } catch {
    return user.slice(0, 128);
  }
}
