/**
 * The HTTP side of the sandbox OneRoster 1.2 provider: OAuth2 client credentials on `/oauth/token`,
 * bearer tokens with scopes on every API call, the Rostering and Gradebook read endpoints with
 * `limit`/`offset` paging (`X-Total-Count`, `Link`), `filter`, `sort`/`orderBy` and `fields`, and
 * errors as OneRoster status info payloads.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { GRADEBOOK_PATH, ROSTERING_PATH } from './dataset.ts';
import type { FaultQueue } from './faults.ts';
import { type Filter, FilterSyntaxError, matches, parseFilter } from './filter.ts';
import type { Base, Enrollment, OneRosterData, User } from './types.ts';

export const SCOPE_PREFIX = 'https://purl.imsglobal.org/spec/or/v1p2/scope/';
export const SCOPES = {
  rosterCore: `${SCOPE_PREFIX}roster-core.readonly`,
  roster: `${SCOPE_PREFIX}roster.readonly`,
  demographics: `${SCOPE_PREFIX}roster-demographics.readonly`,
  gradebook: `${SCOPE_PREFIX}gradebook.readonly`,
} as const;
export const ALL_SCOPES: readonly string[] = Object.values(SCOPES);

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  /** Scopes this client may be granted (default: all read scopes). */
  scopes?: readonly string[];
}

export interface ServerStats {
  /** API requests (token requests not included). */
  requests: number;
  tokenRequests: number;
  /** Tokens issued. */
  tokensIssued: number;
  /** Answers by status code. */
  statuses: Record<number, number>;
  /** The last requests, method and path with query, newest last (at most 2,000). */
  log: string[];
}

export interface ServerContext {
  data: OneRosterData;
  clients: readonly ClientCredentials[];
  tokenTtlSeconds: number;
  defaultLimit: number;
  maxLimit: number;
  now: () => Date;
  faults: FaultQueue;
  stats: ServerStats;
  tokens: Map<string, { clientId: string; scopes: Set<string>; expiresAt: number }>;
}

type Row = Base & Record<string, unknown>;

/** One OneRoster status info payload (imsx_StatusInfo). */
function statusInfo(description: string, codeMinor: string) {
  return {
    imsx_codeMajor: 'failure',
    imsx_severity: 'error',
    imsx_description: description,
    imsx_CodeMinor: {
      imsx_codeMinorField: [
        { imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: codeMinor },
      ],
    },
  };
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly codeMinor: string,
    message: string,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const hasRole = (u: User, role: string) => u.roles.some((r) => r.role === role);

interface Indexes {
  byId: Map<string, Map<string, Row>>;
  students: User[];
  teachers: User[];
  schools: Row[];
  bySchool: Map<string, Map<string, Row[]>>; // collection → school → rows
  enrollmentsByClass: Map<string, Enrollment[]>;
  enrollmentsByUser: Map<string, Enrollment[]>;
  lineItemsByClass: Map<string, Row[]>;
  resultsByClass: Map<string, Row[]>;
  resultsByLineItem: Map<string, Row[]>;
}

function group<T>(rows: readonly T[], keyOf: (row: T) => string | undefined): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const k = keyOf(row);
    if (k === undefined) continue;
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

/** Records are never added or removed (deletion is `status: tobedeleted`), so indexes stay valid. */
function buildIndexes(data: OneRosterData): Indexes {
  const byId = new Map<string, Map<string, Row>>();
  for (const [name, rows] of Object.entries(data)) {
    byId.set(name, new Map((rows as Row[]).map((r) => [r.sourcedId, r])));
  }
  const rowsOf = <T>(list: readonly T[]) => list as unknown as Row[];
  const ref = (r: unknown, field: string) =>
    (r as Record<string, { sourcedId?: string } | undefined>)[field]?.sourcedId;
  return {
    byId,
    students: data.users.filter((u) => hasRole(u, 'student')),
    teachers: data.users.filter((u) => hasRole(u, 'teacher')),
    schools: data.orgs.filter((o) => o.type === 'school') as unknown as Row[],
    bySchool: new Map<string, Map<string, Row[]>>([
      [
        'students',
        group(rowsOf(data.users.filter((u) => hasRole(u, 'student'))), (u) => ref(u, 'primaryOrg')),
      ],
      [
        'teachers',
        group(rowsOf(data.users.filter((u) => hasRole(u, 'teacher'))), (u) => ref(u, 'primaryOrg')),
      ],
      ['classes', group(rowsOf(data.classes), (c) => ref(c, 'school'))],
      ['enrollments', group(rowsOf(data.enrollments), (e) => ref(e, 'school'))],
      ['courses', group(rowsOf(data.courses), (c) => ref(c, 'org'))],
      ['lineItems', group(rowsOf(data.lineItems), (l) => ref(l, 'school'))],
    ]),
    enrollmentsByClass: group(data.enrollments, (e) => e.class.sourcedId),
    enrollmentsByUser: group(data.enrollments, (e) => e.user.sourcedId),
    lineItemsByClass: group(data.lineItems as unknown as Row[], (l) => ref(l, 'class')),
    resultsByClass: group(data.results as unknown as Row[], (r) => ref(r, 'class')),
    resultsByLineItem: group(data.results as unknown as Row[], (r) => ref(r, 'lineItem')),
  };
}

function pickFields(row: Row, fields: string[] | undefined): Record<string, unknown> {
  if (!fields) return row;
  return Object.fromEntries(fields.filter((f) => f in row).map((f) => [f, row[f]]));
}

function firstValue(row: unknown, path: string): string {
  let node: unknown = row;
  for (const part of path.split('.')) {
    if (Array.isArray(node)) node = node[0];
    node = (node as Record<string, unknown> | undefined)?.[part];
  }
  return node === undefined || node === null ? '' : String(node);
}

/**
 * Builds the Fastify app. Not listening yet: `startOneRosterProvider` does that.
 */
export function buildServer(ctx: ServerContext): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, forceCloseConnections: true });
  const idx = buildIndexes(ctx.data);
  /** Requests whose collection page is to be served empty (the `empty` fault). */
  const emptied = new WeakSet<FastifyRequest>();

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const logRequest = (req: FastifyRequest) => {
    ctx.stats.log.push(`${req.method} ${req.url}`);
    if (ctx.stats.log.length > 2000) ctx.stats.log.splice(0, ctx.stats.log.length - 2000);
  };

  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0]!;
    const isApi = path.startsWith('/ims/oneroster/');
    if (isApi) ctx.stats.requests++;
    logRequest(req);
    const fault = ctx.faults.take(req.url, isApi);
    if (!fault) return;
    switch (fault.kind) {
      case 'slow':
        await sleep(fault.delayMs);
        return;
      case 'status':
        if (fault.retryAfter !== undefined) reply.header('retry-after', String(fault.retryAfter));
        return reply
          .code(fault.status)
          .send(
            statusInfo(
              `sandbox fault: HTTP ${fault.status}`,
              fault.status === 429 ? 'server_busy' : 'internal_server_error',
            ),
          );
      case 'malformed':
        return reply.code(200).type('application/json').send('{"users":[{"sourcedId":"st-');
      case 'empty':
        emptied.add(req);
        return;
      case 'reset':
        reply.hijack();
        req.raw.socket.destroy();
        return;
      case 'truncated': {
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
        res.write('{"users":[{"sourcedId":"st-');
        setTimeout(() => res.destroy(), 10);
        return;
      }
      case 'expireToken': {
        const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
        const entry = token ? ctx.tokens.get(token) : undefined;
        if (entry) entry.expiresAt = 0;
        return;
      }
    }
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('date', ctx.now().toUTCString());
    ctx.stats.statuses[reply.statusCode] = (ctx.stats.statuses[reply.statusCode] ?? 0) + 1;
    return payload;
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, _req, reply) => {
    if (error instanceof HttpProblem) {
      if (error.status === 401) reply.header('www-authenticate', 'Bearer error="invalid_token"');
      return reply.code(error.status).send(statusInfo(error.message, error.codeMinor));
    }
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    return reply
      .code(status)
      .send(statusInfo(error.message, status === 500 ? 'internal_server_error' : 'invalid_data'));
  });

  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(statusInfo(`no endpoint ${req.method} ${req.url.split('?')[0]}`, 'unknownobject')),
  );

  // OAuth2 client credentials (RFC 6749 §4.4) ---------------------------------------------------
  app.post('/oauth/token', async (req, reply) => {
    ctx.stats.tokenRequests++;
    reply.header('cache-control', 'no-store');
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    let clientId = body.client_id;
    let clientSecret = body.client_secret;
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (basic) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      clientId = decodeURIComponent(decoded.slice(0, colon));
      clientSecret = decodeURIComponent(decoded.slice(colon + 1));
    }
    if (body.grant_type !== 'client_credentials') {
      return reply.code(400).send({ error: 'unsupported_grant_type' });
    }
    const client = ctx.clients.find((c) => c.clientId === clientId);
    if (!client || clientSecret === undefined || !sameSecret(client.clientSecret, clientSecret)) {
      reply.header('www-authenticate', 'Basic realm="oneroster"');
      return reply.code(401).send({ error: 'invalid_client' });
    }
    const allowed = new Set(client.scopes ?? ALL_SCOPES);
    const requested = (body.scope ?? '').split(/\s+/).filter(Boolean);
    if (requested.some((s) => !allowed.has(s))) return reply.code(400).send({ error: 'invalid_scope' });
    const scopes = new Set(requested.length > 0 ? requested : allowed);
    const token = randomBytes(24).toString('base64url');
    ctx.tokens.set(token, {
      clientId: client.clientId,
      scopes,
      expiresAt: ctx.now().getTime() + ctx.tokenTtlSeconds * 1000,
    });
    ctx.stats.tokensIssued++;
    return {
      access_token: token,
      token_type: 'bearer',
      expires_in: ctx.tokenTtlSeconds,
      scope: [...scopes].join(' '),
    };
  });

  function authorise(req: FastifyRequest, needs: readonly string[]): void {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const entry = token ? ctx.tokens.get(token) : undefined;
    if (!token || !entry)
      throw new HttpProblem(401, 'unauthorisedrequest', 'missing or unknown bearer token');
    if (entry.expiresAt <= ctx.now().getTime()) {
      ctx.tokens.delete(token);
      throw new HttpProblem(401, 'unauthorisedrequest', 'the bearer token has expired');
    }
    if (!needs.some((s) => entry.scopes.has(s))) {
      throw new HttpProblem(403, 'forbidden', 'the token lacks the scope this endpoint needs');
    }
  }

  // Collections ---------------------------------------------------------------------------------
  interface Query {
    limit?: string;
    offset?: string;
    filter?: string;
    sort?: string;
    orderBy?: string;
    fields?: string;
  }

  function page(req: FastifyRequest, reply: FastifyReply, key: string, rows: readonly Row[]) {
    const q = req.query as Query;
    const limit = q.limit === undefined ? ctx.defaultLimit : Number(q.limit);
    const offset = q.offset === undefined ? 0 : Number(q.offset);
    if (!Number.isInteger(limit) || limit < 1)
      throw new HttpProblem(400, 'invalid_selection_field', 'limit must be a positive integer');
    if (!Number.isInteger(offset) || offset < 0)
      throw new HttpProblem(400, 'invalid_selection_field', 'offset must be a non-negative integer');
    let filter: Filter | undefined;
    if (q.filter) {
      try {
        filter = parseFilter(q.filter);
      } catch (e) {
        if (e instanceof FilterSyntaxError) throw new HttpProblem(400, 'invalid_filter_field', e.message);
        throw e;
      }
    }
    let selected = filter ? rows.filter((r) => matches(r, filter)) : rows;
    if (q.sort) {
      const field = q.sort;
      const dir = q.orderBy === 'desc' ? -1 : 1;
      selected = [...selected].sort((a, b) => {
        const x = firstValue(a, field);
        const y = firstValue(b, field);
        return x < y ? -dir : x > y ? dir : 0;
      });
    }
    const take = Math.min(limit, ctx.maxLimit);
    const items = emptied.has(req) ? [] : selected.slice(offset, offset + take);
    const fields = q.fields ? q.fields.split(',').map((f) => f.trim()) : undefined;
    const total = selected.length;
    reply.header('x-total-count', String(total));
    const link = (o: number) => {
      const params = new URLSearchParams(q as Record<string, string>);
      params.set('limit', String(take));
      params.set('offset', String(o));
      return `<${req.url.split('?')[0]}?${params}>`;
    };
    const links: string[] = [];
    if (offset + take < total) links.push(`${link(offset + take)}; rel="next"`);
    links.push(`${link(Math.max(0, Math.floor(Math.max(0, total - 1) / take) * take))}; rel="last"`);
    links.push(`${link(0)}; rel="first"`);
    if (offset > 0) links.push(`${link(Math.max(0, offset - take))}; rel="prev"`);
    reply.header('link', links.join(', '));
    return { [key]: items.map((r) => pickFields(r, fields)) };
  }

  function one(collection: keyof OneRosterData, id: string, label: string): Row {
    const row = idx.byId.get(collection)?.get(id);
    if (!row) throw new HttpProblem(404, 'unknownobject', `no ${label} with sourcedId ${id}`);
    return row;
  }

  const CORE = [SCOPES.roster, SCOPES.rosterCore];
  const DEMO = [SCOPES.roster, SCOPES.demographics];
  const GRADE = [SCOPES.gradebook];
  const R = ROSTERING_PATH;
  const G = GRADEBOOK_PATH;
  const rows = <T>(list: readonly T[]) => list as unknown as readonly Row[];
  const sessions = ctx.data.academicSessions;

  type Params = { id: string; sub?: string };
  const list = (path: string, needs: readonly string[], key: string, get: (p: Params) => readonly Row[]) =>
    app.get(path, async (req, reply) => {
      authorise(req, needs);
      return page(req, reply, key, get(req.params as Params));
    });
  const single = (path: string, needs: readonly string[], key: string, get: (p: Params) => Row) =>
    app.get(path, async (req) => {
      authorise(req, needs);
      return { [key]: get(req.params as Params) };
    });

  // Rostering
  list(`${R}/orgs`, CORE, 'orgs', () => rows(ctx.data.orgs));
  single(`${R}/orgs/:id`, CORE, 'org', (p) => one('orgs', p.id, 'org'));
  list(`${R}/schools`, CORE, 'orgs', () => idx.schools);
  single(`${R}/schools/:id`, CORE, 'org', (p) => {
    const org = one('orgs', p.id, 'school');
    if (org.type !== 'school')
      throw new HttpProblem(404, 'unknownobject', `no school with sourcedId ${p.id}`);
    return org;
  });
  list(`${R}/academicSessions`, CORE, 'academicSessions', () => rows(sessions));
  single(`${R}/academicSessions/:id`, CORE, 'academicSession', (p) =>
    one('academicSessions', p.id, 'academic session'),
  );
  list(`${R}/terms`, CORE, 'academicSessions', () =>
    rows(sessions.filter((s) => s.type === 'term' || s.type === 'semester')),
  );
  list(`${R}/gradingPeriods`, CORE, 'academicSessions', () =>
    rows(sessions.filter((s) => s.type === 'gradingPeriod')),
  );
  list(`${R}/courses`, CORE, 'courses', () => rows(ctx.data.courses));
  single(`${R}/courses/:id`, CORE, 'course', (p) => one('courses', p.id, 'course'));
  list(`${R}/classes`, CORE, 'classes', () => rows(ctx.data.classes));
  single(`${R}/classes/:id`, CORE, 'class', (p) => one('classes', p.id, 'class'));
  list(`${R}/users`, CORE, 'users', () => rows(ctx.data.users));
  single(`${R}/users/:id`, CORE, 'user', (p) => one('users', p.id, 'user'));
  list(`${R}/students`, CORE, 'users', () => rows(idx.students));
  single(`${R}/students/:id`, CORE, 'user', (p) => {
    const u = one('users', p.id, 'student');
    if (!hasRole(u as unknown as User, 'student'))
      throw new HttpProblem(404, 'unknownobject', `no student ${p.id}`);
    return u;
  });
  list(`${R}/teachers`, CORE, 'users', () => rows(idx.teachers));
  single(`${R}/teachers/:id`, CORE, 'user', (p) => {
    const u = one('users', p.id, 'teacher');
    if (!hasRole(u as unknown as User, 'teacher'))
      throw new HttpProblem(404, 'unknownobject', `no teacher ${p.id}`);
    return u;
  });
  list(`${R}/users/:id/agents`, CORE, 'users', (p) => {
    const u = one('users', p.id, 'user') as unknown as User;
    return u.agents.flatMap((a) => idx.byId.get('users')?.get(a.sourcedId) ?? []);
  });
  list(`${R}/enrollments`, CORE, 'enrollments', () => rows(ctx.data.enrollments));
  single(`${R}/enrollments/:id`, CORE, 'enrollment', (p) => one('enrollments', p.id, 'enrollment'));
  list(`${R}/demographics`, DEMO, 'demographics', () => rows(ctx.data.demographics));
  single(`${R}/demographics/:id`, DEMO, 'demographics', (p) => one('demographics', p.id, 'demographics'));
  for (const sub of ['students', 'teachers', 'classes', 'enrollments', 'courses'] as const) {
    const key = sub === 'students' || sub === 'teachers' ? 'users' : sub;
    list(`${R}/schools/:id/${sub}`, CORE, key, (p) => {
      one('orgs', p.id, 'school');
      return idx.bySchool.get(sub)?.get(p.id) ?? [];
    });
  }
  const usersOfClass = (classId: string, role: 'student' | 'teacher') =>
    (idx.enrollmentsByClass.get(classId) ?? [])
      .filter((e) => e.role === role && e.status === 'active')
      .flatMap((e) => idx.byId.get('users')?.get(e.user.sourcedId) ?? []);
  list(`${R}/classes/:id/students`, CORE, 'users', (p) => {
    one('classes', p.id, 'class');
    return usersOfClass(p.id, 'student');
  });
  list(`${R}/classes/:id/teachers`, CORE, 'users', (p) => {
    one('classes', p.id, 'class');
    return usersOfClass(p.id, 'teacher');
  });
  const classesOfUser = (userId: string) =>
    (idx.enrollmentsByUser.get(userId) ?? [])
      .filter((e) => e.status === 'active')
      .flatMap((e) => idx.byId.get('classes')?.get(e.class.sourcedId) ?? []);
  list(`${R}/students/:id/classes`, CORE, 'classes', (p) => {
    one('users', p.id, 'student');
    return classesOfUser(p.id);
  });
  list(`${R}/teachers/:id/classes`, CORE, 'classes', (p) => {
    one('users', p.id, 'teacher');
    return classesOfUser(p.id);
  });

  // Gradebook
  list(`${G}/categories`, GRADE, 'categories', () => rows(ctx.data.categories));
  single(`${G}/categories/:id`, GRADE, 'category', (p) => one('categories', p.id, 'category'));
  list(`${G}/lineItems`, GRADE, 'lineItems', () => rows(ctx.data.lineItems));
  single(`${G}/lineItems/:id`, GRADE, 'lineItem', (p) => one('lineItems', p.id, 'line item'));
  list(`${G}/results`, GRADE, 'results', () => rows(ctx.data.results));
  single(`${G}/results/:id`, GRADE, 'result', (p) => one('results', p.id, 'result'));
  list(`${G}/classes/:id/lineItems`, GRADE, 'lineItems', (p) => {
    one('classes', p.id, 'class');
    return idx.lineItemsByClass.get(p.id) ?? [];
  });
  list(`${G}/classes/:id/results`, GRADE, 'results', (p) => {
    one('classes', p.id, 'class');
    return idx.resultsByClass.get(p.id) ?? [];
  });
  list(`${G}/classes/:id/students/:sub/results`, GRADE, 'results', (p) => {
    one('classes', p.id, 'class');
    return (idx.resultsByClass.get(p.id) ?? []).filter(
      (r) => (r.student as { sourcedId: string }).sourcedId === p.sub,
    );
  });
  list(`${G}/lineItems/:id/results`, GRADE, 'results', (p) => {
    one('lineItems', p.id, 'line item');
    return idx.resultsByLineItem.get(p.id) ?? [];
  });
  list(`${G}/schools/:id/lineItems`, GRADE, 'lineItems', (p) => {
    one('orgs', p.id, 'school');
    return idx.bySchool.get('lineItems')?.get(p.id) ?? [];
  });

  return app;
}
