/**
 * The sandbox OneRoster 1.2 provider speaks the protocol: tokens and scopes, paging headers,
 * filters, soft deletes, and the misbehaviour tests ask of it.
 */
import { fc, test as property } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matches, parseFilter } from './filter.ts';
import { type OneRosterProvider, SCOPES, startOneRosterProvider } from './index.ts';

describe('filter', () => {
  it('reads one predicate, or two joined by AND or OR', () => {
    expect(parseFilter("dateLastModified>'2026-01-01T00:00:00Z'")).toEqual({
      predicates: [{ field: 'dateLastModified', op: '>', value: '2026-01-01T00:00:00Z' }],
      logical: 'AND',
    });
    expect(parseFilter("role='teacher' OR role='student'").logical).toBe('OR');
    expect(() => parseFilter("a='1' AND b='2' AND c='3'")).toThrow(/at most two/);
    expect(() => parseFilter('status=active')).toThrow(/cannot read/);
  });

  it('compares dates as instants, looks into arrays, and contains ignores case', () => {
    const user = {
      dateLastModified: '2026-03-01T10:00:00.000Z',
      roles: [{ role: 'parent' }, { role: 'guardian' }],
      familyName: 'Nguyễn',
    };
    expect(matches(user, parseFilter("dateLastModified>'2026-03-01'"))).toBe(true);
    expect(matches(user, parseFilter("dateLastModified>'2026-03-01T10:00:00Z'"))).toBe(false);
    expect(matches(user, parseFilter("roles.role='guardian'"))).toBe(true);
    expect(matches(user, parseFilter("roles.role!='student'"))).toBe(true);
    expect(matches(user, parseFilter("familyName~'NGUY'"))).toBe(true);
  });

  property.prop([fc.string({ maxLength: 20 })])('quotes double inside a value', (text) => {
    const filter = parseFilter(`title='${text.replace(/'/g, "''")}'`);
    expect(filter.predicates[0]!.value).toBe(text);
    expect(matches({ title: text }, filter)).toBe(true);
  });
});

describe('the provider', () => {
  let provider: OneRosterProvider;
  let token: string;
  const tokenFor = async (clientId: string, secret: string, scope?: string) =>
    fetch(provider.tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }),
    });
  const get = (path: string, bearer = token) =>
    fetch(`${provider.url}${path}`, { headers: { authorization: `Bearer ${bearer}` } });
  const R = '/ims/oneroster/rostering/v1p2';
  const G = '/ims/oneroster/gradebook/v1p2';

  beforeAll(async () => {
    provider = await startOneRosterProvider({
      schools: 1,
      seed: 2,
      classSize: 5,
      tokenTtlSeconds: 60,
      clients: [{ clientId: 'core', clientSecret: 'core-secret', scopes: [SCOPES.rosterCore] }],
    });
    token = (
      (await (await tokenFor(provider.clientId, provider.clientSecret)).json()) as { access_token: string }
    ).access_token;
  });
  afterAll(() => provider.close());

  it('issues bearer tokens for client credentials, with the scopes asked for', async () => {
    const response = await tokenFor(provider.clientId, provider.clientSecret, SCOPES.roster);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      token_type: 'bearer',
      expires_in: 60,
      scope: SCOPES.roster,
    });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a wrong secret (401) and a scope the client may not have (400)', async () => {
    expect((await tokenFor(provider.clientId, 'wrong')).status).toBe(401);
    const response = await tokenFor('core', 'core-secret', SCOPES.gradebook);
    expect([response.status, await response.json()]).toEqual([400, { error: 'invalid_scope' }]);
  });

  it('wants a bearer token on every call, and the right scope', async () => {
    const anonymous = await fetch(`${provider.url}${R}/orgs`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ imsx_codeMajor: 'failure' });
    const core = ((await (await tokenFor('core', 'core-secret')).json()) as { access_token: string })
      .access_token;
    expect((await get(`${R}/orgs`, core)).status).toBe(200);
    expect((await get(`${R}/demographics`, core)).status).toBe(403);
    expect((await get(`${G}/results`, core)).status).toBe(403);
  });

  it('pages with limit and offset, and says the total in X-Total-Count and the next page in Link', async () => {
    const total = provider.data.users.filter((u) => u.roles.some((r) => r.role === 'student')).length;
    const response = await get(`${R}/students?limit=5&offset=5`);
    const body = (await response.json()) as { users: Array<{ sourcedId: string }> };
    expect(body.users).toHaveLength(5);
    expect(response.headers.get('x-total-count')).toBe(String(total));
    expect(response.headers.get('link')).toContain('offset=10>; rel="next"');
    const all = (await (await get(`${R}/students?limit=1000`)).json()) as {
      users: Array<{ sourcedId: string }>;
    };
    expect(body.users.map((u) => u.sourcedId)).toEqual(all.users.slice(5, 10).map((u) => u.sourcedId));
  });

  it('filters, selects fields, and answers a bad filter with 400 invalid_filter_field', async () => {
    const response = await get(
      `${R}/enrollments?filter=${encodeURIComponent("role='teacher'")}&fields=sourcedId,role`,
    );
    const body = (await response.json()) as { enrollments: Array<Record<string, unknown>> };
    expect(body.enrollments.length).toBeGreaterThan(0);
    expect(new Set(body.enrollments.flatMap((e) => Object.keys(e)))).toEqual(new Set(['sourcedId', 'role']));
    expect(new Set(body.enrollments.map((e) => e.role))).toEqual(new Set(['teacher']));
    const bad = await get(`${R}/users?filter=${encodeURIComponent('role=teacher')}`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('invalid_filter_field');
  });

  it('a deleted user stays, as tobedeleted, and shows in a delta with its enrollments', async () => {
    const since = new Date(Date.now() - 1).toISOString();
    const { changed, deleted } = provider.mutate({ change: 1, delete: 1 });
    const filter = encodeURIComponent(`dateLastModified>'${since}'`);
    const users = (await (await get(`${R}/users?filter=${filter}`)).json()) as {
      users: Array<{ sourcedId: string; status: string }>;
    };
    expect(users.users.map((u) => [u.sourcedId, u.status]).sort()).toEqual(
      [
        [changed[0], 'active'],
        [deleted[0], 'tobedeleted'],
      ].sort(),
    );
    const enrollments = (await (await get(`${R}/enrollments?filter=${filter}`)).json()) as {
      enrollments: Array<{ user: { sourcedId: string }; status: string }>;
    };
    expect(enrollments.enrollments.length).toBeGreaterThan(0);
    expect(
      enrollments.enrollments.every((e) => e.user.sourcedId === deleted[0] && e.status === 'tobedeleted'),
    ).toBe(true);
    expect((await get(`${R}/users/${deleted[0]}`)).status).toBe(200);
  });

  it('serves nested collections: a class’s students, line items and results', async () => {
    const cls = provider.data.classes.find((c) => c.classType === 'scheduled')!;
    const students = (await (await get(`${R}/classes/${cls.sourcedId}/students`)).json()) as {
      users: unknown[];
    };
    const items = (await (await get(`${G}/classes/${cls.sourcedId}/lineItems`)).json()) as {
      lineItems: Array<{ title: string; category: { sourcedId: string } }>;
    };
    expect(students.users.length).toBeGreaterThan(0);
    expect(items.lineItems.map((l) => l.title.split(' ')[0])).toEqual(
      expect.arrayContaining(['TX1', 'GK', 'CK', 'TB']),
    );
    expect((await get(`${R}/classes/no-such-class/students`)).status).toBe(404);
  });

  it('misbehaves on demand: 429 with Retry-After, a broken page, an expired token', async () => {
    provider.fail({ kind: 'status', status: 429, retryAfter: 7, path: '/orgs' });
    const limited = await get(`${R}/orgs`);
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '7']);
    expect((await get(`${R}/orgs`)).status).toBe(200);
    provider.fail({ kind: 'malformed', path: '/orgs' });
    await expect((await get(`${R}/orgs`)).json()).rejects.toThrow();
    provider.fail({ kind: 'expireToken', path: '/orgs' });
    expect((await get(`${R}/orgs`)).status).toBe(401);
    expect((await get(`${R}/orgs`)).status).toBe(401);
  });

  it('serves a page empty on demand, with the total and links it would have had', async () => {
    const fresh = (
      (await (await tokenFor(provider.clientId, provider.clientSecret)).json()) as {
        access_token: string;
      }
    ).access_token;
    provider.fail({ kind: 'empty', path: '/students' });
    const empty = await get(`${R}/students?limit=5&offset=5`, fresh);
    const whole = await get(`${R}/students?limit=5&offset=5`, fresh);
    expect(((await empty.json()) as { users: unknown[] }).users).toEqual([]);
    expect(((await whole.json()) as { users: unknown[] }).users).toHaveLength(5);
    expect(empty.headers.get('x-total-count')).toBe(whole.headers.get('x-total-count'));
    expect(empty.headers.get('link')).toBe(whole.headers.get('link'));
  });
});
