import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError, RetryableError, ThrottledError } from './errors.ts';
import { createHttpClient, retryAfterMs } from './http.ts';
import { checkPage } from './pages.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
let handler: Handler = (_req, res) => res.end('{}');
let server: Server;
let baseUrl: string;
const seen: Array<{ url: string; auth: string | undefined; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({
        url: req.url ?? '',
        auth: req.headers.authorization ?? (req.headers['x-api-key'] as string),
        body,
      });
      handler(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
afterEach(() => {
  seen.length = 0;
});

const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
};

describe('createHttpClient', () => {
  it('sends the API key and parses JSON, with query parameters', async () => {
    handler = (_req, res) => json(res, 200, { items: [1, 2] });
    const http = createHttpClient({ baseUrl, auth: { type: 'apiKey', header: 'x-api-key', key: 'k-123' } });
    const { body } = await http.getJson<{ items: number[] }>('/students', { page: 2, since: undefined });
    expect(body.items).toEqual([1, 2]);
    expect(seen[0]).toMatchObject({ url: '/api/students?page=2', auth: 'k-123' });
  });

  it('retries a 429 after the Retry-After it was given, then succeeds', async () => {
    let calls = 0;
    handler = (_req, res) =>
      ++calls === 1 ? json(res, 429, {}, { 'retry-after': '0.2' }) : json(res, 200, { ok: 1 });
    const http = createHttpClient({ baseUrl, backoffMs: 1 });
    const started = Date.now();
    expect((await http.getJson('/x')).body).toEqual({ ok: 1 });
    expect(calls).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('gives up on a 503 burst with a RetryableError carrying the code', async () => {
    handler = (_req, res) => json(res, 503, {});
    const http = createHttpClient({ baseUrl, backoffMs: 1, maxAttempts: 3 });
    const error = await http.getJson('/x').catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.code).toBe('HTTP_503');
    expect(seen).toHaveLength(3);
  });

  it('hands a long Retry-After to the hub instead of sleeping on it', async () => {
    handler = (_req, res) => json(res, 429, {}, { 'retry-after': '120' });
    const http = createHttpClient({ baseUrl, maxRetryAfterMs: 1000 });
    const error = await http.getJson('/x').catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.retryAfterMs).toBe(120_000);
    expect(seen).toHaveLength(1);
  });

  it('hands a 429 over as a ThrottledError, a 503 as a plain RetryableError', async () => {
    handler = (_req, res) => json(res, 429, {}, { 'retry-after': '120' });
    const http = createHttpClient({ baseUrl, maxRetryAfterMs: 1000, sourceName: 'SMAS' });
    const throttled = await http.getJson('/x').catch((e) => e);
    expect(throttled).toBeInstanceOf(ThrottledError);
    expect(throttled.code).toBe('HTTP_429');
    expect(throttled.message).toMatch(/^SMAS trả lời HTTP 429 ở \S*\/x \/ SMAS answered HTTP 429 at \S*\/x$/);
    handler = (_req, res) => json(res, 503, {});
    const busy = await createHttpClient({ baseUrl, maxAttempts: 1 })
      .getJson('/x')
      .catch((e) => e);
    expect(busy).toBeInstanceOf(RetryableError);
    expect(busy).not.toBeInstanceOf(ThrottledError);
    expect(busy.code).toBe('HTTP_503');
  });

  it('treats 401 with an API key as refused credentials, without quoting them', async () => {
    handler = (_req, res) => json(res, 401, {});
    const http = createHttpClient({
      baseUrl,
      auth: { type: 'apiKey', header: 'x-api-key', key: 'secret-key-9' },
    });
    const error = await http.getJson('/x').catch((e) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.code).toBe('AUTH_REFUSED');
    expect(error.message).not.toContain('secret-key-9');
  });

  it('fetches an OAuth2 token once for concurrent calls and refreshes it once after a 401', async () => {
    let tokens = 0;
    let rejectNext = false;
    handler = (req, res, body) => {
      if (req.url === '/token') {
        tokens++;
        expect(body).toContain('grant_type=client_credentials');
        return json(res, 200, { access_token: `t${tokens}`, expires_in: 3600 });
      }
      if (rejectNext && req.headers.authorization === 'Bearer t1') return json(res, 401, {});
      return json(res, 200, { token: req.headers.authorization });
    };
    const http = createHttpClient({
      baseUrl,
      auth: {
        type: 'oauth2',
        tokenUrl: `${baseUrl.replace('/api/', '')}/token`,
        clientId: 'c',
        clientSecret: 's',
      },
    });
    const answers = await Promise.all([http.getJson('/a'), http.getJson('/b'), http.getJson('/c')]);
    expect(tokens).toBe(1);
    expect(answers.map((a) => (a.body as { token: string }).token)).toEqual([
      'Bearer t1',
      'Bearer t1',
      'Bearer t1',
    ]);
    rejectNext = true;
    expect(((await http.getJson('/d')).body as { token: string }).token).toBe('Bearer t2');
    expect(tokens).toBe(2);
  });

  it('reports refused client credentials as AUTH_REFUSED', async () => {
    handler = (_req, res) => json(res, 401, { error: 'invalid_client' });
    const http = createHttpClient({
      baseUrl,
      auth: { type: 'oauth2', tokenUrl: `${baseUrl}token`, clientId: 'c', clientSecret: 'wrong-secret' },
    });
    const error = await http.getJson('/x').catch((e) => e);
    expect(error).toMatchObject({ code: 'AUTH_REFUSED' });
    expect(error.message).not.toContain('wrong-secret');
  });

  it('asks again for an answer whose JSON is malformed, and returns it whole', async () => {
    let calls = 0;
    handler = (_req, res) => {
      if (++calls > 1) return json(res, 200, { items: [1, 2] });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"items": [');
    };
    const { body } = await createHttpClient({ baseUrl, backoffMs: 1 }).getJson('/x');
    expect(body).toEqual({ items: [1, 2] });
    expect(calls).toBe(2);
  });

  it('gives up on JSON malformed every time after three tries, naming the page and quoting no body', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"items": [{"hoTen": "Nguyễn Văn A"');
    };
    const error = await createHttpClient({ baseUrl, backoffMs: 1, sourceName: 'SMAS' })
      .getJson('/students', { page: 3 }, { page: { number: 3 } })
      .catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ code: 'PAGE_MALFORMED', tries: 3 });
    expect(error.message).toBe(
      'SMAS: Trang 3 của /api/students?page=3: JSON hỏng sau 3 lần thử / Page 3 of /api/students?page=3: malformed JSON after 3 tries',
    );
    expect(error.cause).toBeUndefined();
    expect(seen).toHaveLength(3);
  });

  it('takes its tries for a broken answer from pageAttempts, apart from maxAttempts', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{');
    };
    const error = await createHttpClient({ baseUrl, backoffMs: 1, maxAttempts: 1, pageAttempts: 5 })
      .getJson('/x')
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'PAGE_MALFORMED', tries: 5 });
    expect(seen).toHaveLength(5);
  });

  it('asks again for a page its check refuses', async () => {
    let calls = 0;
    handler = (_req, res) => json(res, 200, { total: 3, items: ++calls === 1 ? [] : [1, 2, 3] });
    const { body } = await createHttpClient({ baseUrl, backoffMs: 1 }).getJson<{ items: number[] }>(
      '/x',
      {},
      {
        page: { offset: 0 },
        check: (b) => {
          const page = b as { total: number; items: number[] };
          checkPage({ items: page.items.length, position: 0, total: page.total });
        },
      },
    );
    expect(body.items).toEqual([1, 2, 3]);
    expect(calls).toBe(2);
  });

  it('calls a page answered without a body empty, and asks again', async () => {
    let calls = 0;
    handler = (_req, res) => (++calls === 1 ? res.end() : json(res, 200, { items: [] }));
    const { body } = await createHttpClient({ baseUrl, backoffMs: 1 }).getJson(
      '/x',
      {},
      { page: { number: 1 } },
    );
    expect(body).toEqual({ items: [] });
    expect(calls).toBe(2);
  });

  it('still takes an empty answer to a request that is not a page', async () => {
    handler = (_req, res) => {
      res.writeHead(204);
      res.end();
    };
    expect((await createHttpClient({ baseUrl }).request('POST', '/x', { body: {} })).body).toBeUndefined();
  });

  it('stops waiting between tries of a broken page when the signal aborts', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{');
    };
    const controller = new AbortController();
    const http = createHttpClient({ baseUrl, backoffMs: 60_000, signal: controller.signal });
    const pending = http.getJson('/x').catch((e) => e);
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const error = await pending;
    expect(Date.now() - started).toBeLessThan(1000);
    expect((error as Error).name).toBe('AbortError');
    expect(seen).toHaveLength(1);
  });

  it('times out a silent server as retryable', async () => {
    handler = () => {};
    const http = createHttpClient({ baseUrl, timeoutMs: 100, maxAttempts: 1 });
    const error = await http.getJson('/x').catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.code).toBe('TIMEOUT');
  });

  it('reports an unreachable source as retryable', async () => {
    const http = createHttpClient({ baseUrl: 'http://127.0.0.1:1/', maxAttempts: 1 });
    const error = await http.getJson('/x').catch((e) => e);
    expect(error).toMatchObject({ code: 'UNREACHABLE', retryable: true });
  });

  it('stops waiting when the signal aborts', async () => {
    handler = (_req, res) => json(res, 503, {}, { 'retry-after': '5' });
    const controller = new AbortController();
    const http = createHttpClient({ baseUrl, signal: controller.signal });
    const pending = http.getJson('/x').catch((e) => e);
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const error = await pending;
    expect(Date.now() - started).toBeLessThan(1000);
    expect((error as Error).name).toBe('AbortError');
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('30')).toBe(30_000);
    expect(retryAfterMs('Fri, 27 Nov 2026 05:00:10 GMT', Date.parse('2026-11-27T05:00:00Z'))).toBe(10_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});
