/**
 * The OneRoster adapter when the provider misbehaves, refuses, or the run is cancelled; and the
 * reference inputs with known broken records.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type OneRosterProvider,
  SCOPES,
  startOneRosterProvider,
} from '../../sandbox/vendors/oneroster/index.ts';
import { readContext } from '../../src/sdk/conformance/index.ts';
import { isSignal, PermanentError, RetryableError } from '../../src/sdk/index.ts';
import adapter from './index.ts';
import { baseContext, collect, parse, sandboxConfig } from './testing.ts';

describe('a provider that misbehaves', () => {
  let provider: OneRosterProvider;
  let config: Record<string, unknown>;
  let expected: string[];
  beforeAll(async () => {
    provider = await startOneRosterProvider({
      schools: 1,
      seed: 3,
      classSize: 6,
      clients: [{ clientId: 'roster-only', clientSecret: 'roster-only-secret', scopes: [SCOPES.rosterCore] }],
    });
    config = sandboxConfig(provider, { pageSize: 10 });
    expected = (await collect('students', config)).records.map((r) => r.key);
  });
  afterAll(() => provider.close());
  beforeEach(() => provider.clearFaults());

  it('429 with Retry-After: waits as told, then reads everything', async () => {
    provider.fail({ kind: 'status', status: 429, retryAfter: 1, path: '/students', after: 1 });
    const started = performance.now();
    const { records } = await collect('students', config);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(records.map((r) => r.key)).toEqual(expected);
    expect(provider.faultsServed['status:429']).toBe(1);
  });

  it('503 twice on one page: retried with backoff, nothing lost', async () => {
    const before = provider.faultsServed['status:503'] ?? 0;
    provider.fail({ kind: 'status', status: 503, times: 2, path: '/students', after: 2 });
    expect((await collect('students', config)).records.map((r) => r.key)).toEqual(expected);
    expect(provider.faultsServed['status:503']).toBe(before + 2);
  });

  it('a page cut off mid-JSON is asked for again', async () => {
    provider.fail({ kind: 'malformed', path: '/students', after: 1 });
    expect((await collect('students', config)).records.map((r) => r.key)).toEqual(expected);
    expect(provider.faultsServed.malformed).toBe(1);
  });

  it('a page empty while X-Total-Count says more follows is asked for again', async () => {
    provider.fail({ kind: 'empty', path: '/students', after: 1 });
    expect((await collect('students', config)).records.map((r) => r.key)).toEqual(expected);
    expect(provider.faultsServed.empty).toBe(1);
  });

  it('a page malformed every time fails after three tries, naming the URL, the page and what was wrong', async () => {
    const before = provider.faultsServed.malformed ?? 0;
    provider.fail({ kind: 'malformed', path: '/students', after: 1, times: 100 });
    const error = await collect('students', config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ code: 'PAGE_MALFORMED', tries: 3 });
    const url = '/ims/oneroster/rostering/v1p2/students?limit=10&offset=10';
    expect((error as Error).message).toBe(
      `OneRoster ${new URL(provider.url).host}: Trang từ vị trí 10 của ${url}: JSON hỏng sau 3 lần thử` +
        ` / Page at offset 10 of ${url}: malformed JSON after 3 tries`,
    );
    expect(provider.faultsServed.malformed! - before).toBe(3);
  });

  it('takes its number of tries for a broken page from pageAttempts', async () => {
    const before = provider.faultsServed.malformed ?? 0;
    provider.fail({ kind: 'malformed', path: '/students', times: 100 });
    await expect(collect('students', { ...config, pageAttempts: 2 })).rejects.toMatchObject({ tries: 2 });
    expect(provider.faultsServed.malformed! - before).toBe(2);
  });

  it('an abort while waiting to ask again for a broken page ends the wait', async () => {
    const before = provider.faultsServed.malformed ?? 0;
    provider.fail({ kind: 'malformed', path: '/students', after: 1, times: 100 });
    const controller = new AbortController();
    const reading = collect('students', { ...config, backoffMs: 60_000 }, undefined, controller.signal);
    while ((provider.faultsServed.malformed ?? 0) === before) await new Promise((r) => setTimeout(r, 5));
    const abortedAt = performance.now();
    controller.abort();
    // As any cancelled read of this adapter: it ends, without the rest.
    const { records } = await reading;
    expect(performance.now() - abortedAt).toBeLessThan(200);
    expect(records.length).toBeLessThan(expected.length);
    expect(provider.faultsServed.malformed! - before).toBe(1);
  });

  it('a body cut off by a dropped connection is asked for again', async () => {
    provider.fail({ kind: 'truncated', path: '/students', after: 1 });
    expect((await collect('students', config)).records.map((r) => r.key)).toEqual(expected);
    expect(provider.faultsServed.truncated).toBe(1);
  });

  it('a body cut off every time ends in a RetryableError, not a bare TypeError', async () => {
    provider.fail({ kind: 'truncated', path: '/orgs', times: 100 });
    await expect(collect('schools', config)).rejects.toMatchObject({
      code: 'TRANSFER_BROKEN',
      retryable: true,
    });
  });

  it('a dropped connection is retried', async () => {
    provider.fail({ kind: 'reset', path: '/demographics' });
    expect((await collect('students', config)).records.map((r) => r.key)).toEqual(expected);
  });

  it('a token that expires mid-read is refreshed once, and the read goes on', async () => {
    const tokens = provider.stats.tokenRequests;
    const unauthorised = provider.stats.statuses[401] ?? 0;
    provider.fail({ kind: 'expireToken', path: '/students', after: 2 });
    expect((await collect('students', config)).records.map((r) => r.key)).toEqual(expected);
    // One token for the read, one after the 401.
    expect(provider.stats.tokenRequests - tokens).toBe(2);
    expect((provider.stats.statuses[401] ?? 0) - unauthorised).toBe(1);
  });

  it('a provider that is down for good: a RetryableError the hub can schedule', async () => {
    provider.fail({ kind: 'status', status: 502, times: 2, path: '/orgs' });
    const read = collect('schools', { ...config, maxAttempts: 2 });
    await expect(read).rejects.toBeInstanceOf(RetryableError);
    await expect(read).rejects.toMatchObject({ code: 'HTTP_502' });
  });

  it('a slow answer past the timeout is retried', async () => {
    provider.fail({ kind: 'slow', delayMs: 600, path: '/orgs' });
    const { records } = await collect('schools', { ...config, timeoutMs: 300 });
    expect(records.map((r) => r.type)).toEqual(['school', 'schoolYear', 'semester', 'semester']);
  });

  it('a provider that serves shorter pages than asked is paged to the end', async () => {
    const capped = await startOneRosterProvider({ schools: 1, seed: 3, classSize: 6, maxLimit: 7 });
    try {
      const { records } = await collect('students', sandboxConfig(capped, { pageSize: 50 }));
      expect(records.map((r) => r.key)).toEqual(expected);
    } finally {
      await capped.close();
    }
  });

  it('refused credentials: check() names the problem and echoes no secret; read() fails permanently', async () => {
    const refused = { ...config, clientSecret: 'not-the-secret-42' };
    const result = await adapter.check(parse(refused), baseContext());
    expect(result).toEqual({ ok: false, problems: [{ code: 'AUTH_REFUSED', message: expect.any(String) }] });
    expect(JSON.stringify(result)).not.toContain('not-the-secret-42');
    const read = collect('students', refused);
    await expect(read).rejects.toBeInstanceOf(PermanentError);
    await expect(read).rejects.toMatchObject({ code: 'AUTH_REFUSED' });
  });

  it('a client without the demographics and gradebook scopes: check() says which', async () => {
    const result = await adapter.check(
      parse(
        sandboxConfig(
          { url: provider.url, clientId: 'roster-only', clientSecret: 'roster-only-secret' },
          { scope: SCOPES.rosterCore },
        ),
      ),
      baseContext(),
    );
    expect(result).toEqual({
      ok: false,
      problems: [
        { code: 'SCOPE_MISSING', message: expect.stringContaining('demographics') },
        { code: 'SCOPE_MISSING', message: expect.stringContaining('gradebook') },
      ],
    });
  });

  it('an unreachable provider: check() reports it, without throwing', async () => {
    const gone = await startOneRosterProvider({ schools: 1, classSize: 4, gradebook: false });
    const url = gone.url;
    await gone.close();
    const result = await adapter.check(parse(sandboxConfig({ url }, { maxAttempts: 1 })), baseContext());
    expect(result).toEqual({
      ok: false,
      problems: [{ code: 'TOKEN_UNREACHABLE', message: expect.any(String) }],
    });
  });

  it('a bad config is refused with the field named and no secret echoed', () => {
    expect(() => parse({ ...config, baseUrl: 'ftp://example', system: 'Not OK', pageSize: 0 })).toThrow(
      /baseUrl.*system.*pageSize/s,
    );
    try {
      parse({ ...config, clientSecret: 'hunter2-secret', tokenUrl: 'nope' });
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2-secret');
    }
  });

  it('a cancelled read stops at once and returns', async () => {
    const controller = new AbortController();
    const ctx = readContext(baseContext(controller.signal), parse(config), undefined);
    const items: unknown[] = [];
    const started = performance.now();
    for await (const item of adapter.read('assessments', ctx)) {
      items.push(item);
      if (items.length === 5) controller.abort();
    }
    expect(items).toHaveLength(5);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('an abort while waiting out a Retry-After ends the wait', async () => {
    provider.fail({ kind: 'status', status: 429, retryAfter: 30, path: '/orgs' });
    const controller = new AbortController();
    const ctx = readContext(baseContext(controller.signal), parse(config), undefined);
    setTimeout(() => controller.abort(), 200);
    const started = performance.now();
    const items = [];
    for await (const item of adapter.read('schools', ctx)) items.push(item);
    expect(items).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('reference inputs with known broken records', () => {
  let provider: OneRosterProvider;
  beforeAll(async () => {
    provider = await startOneRosterProvider({ schools: 1, seed: 5, classSize: 6, referenceDefects: true });
  });
  afterAll(() => provider.close());

  for (const stream of ['students', 'assessments'] as const) {
    it(`${stream}: each broken record is rejected with its code, place and field, and the rest comes through`, async () => {
      const { records, rejected } = await collect(stream, sandboxConfig(provider));
      const defects = provider.referenceDefects.filter((d) => d.stream === stream);
      const line = (x: { code: string; location?: string | undefined; field?: string | undefined }) =>
        `${x.code} ${x.location} ${x.field}`;
      expect(rejected.map(line).sort()).toEqual(defects.map(line).sort());
      const total =
        stream === 'students' ? provider.source.students.length : provider.source.assessments.length;
      expect(records).toHaveLength(total - defects.reduce((n, d) => n + d.recordsLost, 0));
      expect(rejected.every((e) => /\/.+/.test(e.message))).toBe(true);
    });
  }

  it('signals are told apart from records', async () => {
    const ctx = readContext(baseContext(), parse(sandboxConfig(provider)), undefined);
    let signals = 0;
    for await (const item of adapter.read('students', ctx)) if (isSignal(item)) signals++;
    // The rejections and the checkpoint.
    expect(signals).toBe(provider.referenceDefects.filter((d) => d.stream === 'students').length + 1);
  });
});
