/**
 * HTTP for adapters: JSON over `fetch` with a timeout, authentication (API key header, HTTP basic,
 * OAuth2 client credentials with a cached token), retries with backoff that honour `Retry-After`,
 * the page policy of `pages.ts` for an answer that comes back broken, and every failure turned
 * into an SDK error class. Messages name the status and the source, never a credential or a
 * response body that may hold personal data.
 */
import type { AdapterLogger } from './adapter.ts';
import { hubError, RetryableError } from './errors.ts';
import { type PageRef, pageProblem, pageUrl, retryPage } from './pages.ts';
import { sleep } from './sleep.ts';

/** How the client authenticates: nothing, an API key header, HTTP basic, or OAuth2 client credentials. */
export type HttpAuth =
  | { type: 'none' }
  | { type: 'apiKey'; header: string; key: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; scope?: string };

/** What `createHttpClient` needs: where, how to authenticate, and how patient to be. */
export interface HttpClientOptions {
  /** The source's base URL; request paths are relative to it. */
  baseUrl: string;
  /** Default: none. */
  auth?: HttpAuth;
  /** Sent with every request. */
  headers?: Record<string, string>;
  /** Per request (default 30 s). */
  timeoutMs?: number;
  /** Tries for a retryable failure before giving up with a RetryableError (default 4). */
  maxAttempts?: number;
  /**
   * Tries in all for an answer that comes back broken (malformed JSON, a body cut off, a page its
   * `check` refuses) before giving up with a `PageError` (default 3). See `retryPage`.
   */
  pageAttempts?: number;
  /** First backoff (doubles each time, with jitter; default 200 ms). */
  backoffMs?: number;
  /** Longest wait the client accepts from a Retry-After before handing the retry to the hub. */
  maxRetryAfterMs?: number;
  /** Aborts requests and waits (pass `ctx.signal`). */
  signal?: AbortSignal;
  /** Where retries are logged (pass `ctx.logger`). */
  logger?: AdapterLogger;
  /** Name of the source in messages: "SMAS of THCS Nguyễn Bình Khiêm". */
  sourceName?: string;
}

/** A successful answer: its status, headers and parsed JSON body. */
export interface HttpResponse<T> {
  /** HTTP status (2xx: anything else was thrown as an SDK error). */
  status: number;
  /** The answer's headers (`Link`, counts …). */
  headers: Headers;
  /** The parsed JSON, typed as the caller says (not checked). */
  body: T;
}

/** What a request for one page of a list adds: which page it is, and how to judge it. */
export interface PageRequest {
  /** Named in the error after the last try; an answer without a body is then a broken page. */
  page?: PageRef;
  /**
   * Judges the parsed answer: throws `pageProblem(…)` (see `checkPage`) for a page short or empty
   * while more follows, and the page is asked for again under the same policy as malformed JSON.
   */
  check?: (body: unknown, headers: Headers) => void;
}

/** A JSON HTTP client for one source, made by `createHttpClient`. */
export interface HttpClient {
  /** GETs a JSON document; `page` names a page of a list and judges it. */
  getJson<T = unknown>(
    path: string,
    query?: Record<string, string | number | undefined>,
    page?: PageRequest,
  ): Promise<HttpResponse<T>>;
  /** Any method, with a JSON body; retried as `getJson` is (make writes idempotent). */
  request<T = unknown>(
    method: string,
    path: string,
    options?: {
      query?: Record<string, string | number | undefined>;
      body?: unknown;
      headers?: Record<string, string>;
    } & PageRequest,
  ): Promise<HttpResponse<T>>;
  /** Drops the cached OAuth2 token (after a 401, say). */
  resetToken(): void;
}

/**
 * Parses `Retry-After` (seconds or an HTTP date) into milliseconds.
 *
 * @example
 * ```ts
 * throw new RetryableError('HTTP_503', 'busy', { retryAfterMs: retryAfterMs(response.headers.get('retry-after')) });
 * ```
 */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function buildUrl(baseUrl: string, path: string, query?: Record<string, string | number | undefined>): URL {
  const url = /^https?:\/\//.test(path)
    ? new URL(path)
    : new URL(path.replace(/^\//, ''), baseUrl.replace(/\/?$/, '/'));
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  return url;
}

/**
 * Creates a JSON HTTP client for one source.
 *
 * @example
 * ```ts
 * const http = createHttpClient({ baseUrl: config.baseUrl, auth: { type: 'apiKey', header: 'X-Api-Key', key: config.apiKey },
 *   signal: ctx.signal, logger: ctx.logger, sourceName: 'SMAS' });
 * const { body } = await http.getJson<{ items: unknown[] }>('/students', { page: 1 });
 * // A page of a list: named in the error, and asked for again when its total says it is short.
 * const page3 = await http.getJson<{ items: unknown[]; total: number }>('/students', { page: 3, size: 100 }, {
 *   page: { number: 3 },
 *   check: (b) => checkPage({ items: (b as { items: unknown[] }).items.length, position: 200,
 *     total: (b as { total: number }).total, pageSize: 100 }),
 * });
 * ```
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const source = options.sourceName ?? new URL(options.baseUrl).host;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 4;
  const pageAttempts = options.pageAttempts;
  const backoffMs = options.backoffMs ?? 200;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  let token: { value: string; expiresAt: number } | undefined;
  let tokenInFlight: Promise<string> | undefined;

  async function fetchToken(auth: Extract<HttpAuth, { type: 'oauth2' }>): Promise<string> {
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (auth.scope) body.set('scope', auth.scope);
    let response: Response;
    try {
      response = await fetch(auth.tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`).toString('base64')}`,
        },
        body,
        signal: AbortSignal.any([
          AbortSignal.timeout(timeoutMs),
          ...(options.signal ? [options.signal] : []),
        ]),
      });
    } catch (cause) {
      throw hubError('TOKEN_UNREACHABLE', { system: source }, { cause });
    }
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      throw hubError('AUTH_REFUSED', { system: source, status: response.status });
    }
    if (!response.ok) throw hubError('TOKEN_FAILED', { system: source, status: response.status });
    const json = (await response.json().catch(() => ({}))) as { access_token?: string; expires_in?: number };
    if (!json.access_token) throw hubError('TOKEN_MALFORMED', { system: source });
    // Refresh a minute early so a token never expires in the middle of a page; a short-lived token
    // (a minute or less) halfway, or it would be fetched again before every request.
    const lifetime = json.expires_in ?? 3600;
    token = {
      value: json.access_token,
      expiresAt: Date.now() + Math.max(lifetime / 2, lifetime - 60) * 1000,
    };
    return token.value;
  }

  async function authHeaders(): Promise<Record<string, string>> {
    const auth = options.auth ?? { type: 'none' };
    switch (auth.type) {
      case 'none':
        return {};
      case 'apiKey':
        return { [auth.header]: auth.key };
      case 'basic':
        return {
          authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
        };
      case 'oauth2': {
        if (token && token.expiresAt > Date.now()) return { authorization: `Bearer ${token.value}` };
        // One refresh at a time, however many requests are waiting for it.
        tokenInFlight ??= fetchToken(auth).finally(() => {
          tokenInFlight = undefined;
        });
        return { authorization: `Bearer ${await tokenInFlight}` };
      }
    }
  }

  async function once(method: string, url: URL, body: unknown, extra: Record<string, string> | undefined) {
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...options.headers,
      ...extra,
      ...(await authHeaders()),
    };
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
        signal: AbortSignal.any([
          AbortSignal.timeout(timeoutMs),
          ...(options.signal ? [options.signal] : []),
        ]),
      });
    } catch (cause) {
      if (options.signal?.aborted) throw cause;
      throw (cause as Error)?.name === 'TimeoutError'
        ? hubError('TIMEOUT', { system: source, ms: timeoutMs }, { cause })
        : hubError(
            'UNREACHABLE',
            { system: source, reason: String((cause as Error)?.message ?? cause) },
            { cause },
          );
    }
    return response;
  }

  /** One answer with status 2xx, after the retries its status or the network called for. */
  async function send(
    method: string,
    url: URL,
    body: unknown,
    extra: Record<string, string> | undefined,
  ): Promise<Response> {
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      let failure: RetryableError;
      try {
        const response = await once(method, url, body, extra);
        if (response.ok) return response;
        await response.body?.cancel().catch(() => {});
        const status = response.status;
        if (status === 401 && options.auth?.type === 'oauth2' && !refreshed) {
          // An expired or revoked token: one refresh, one more try.
          refreshed = true;
          token = undefined;
          attempt--;
          continue;
        }
        if (status === 401 || status === 403) throw hubError('AUTH_REFUSED', { system: source, status });
        // The catalogue's kind of the status decides: 408, 425 and 5xx are retried, 429 waited out
        // as a ThrottledError, any other 4xx is permanent.
        const after = retryAfterMs(response.headers.get('retry-after'));
        const error = hubError(
          `HTTP_${status}`,
          { system: source, status, where: url.pathname },
          after !== undefined ? { retryAfterMs: after } : {},
        );
        if (!(error instanceof RetryableError)) throw error;
        failure = error;
      } catch (error) {
        if (!(error instanceof RetryableError)) throw error;
        failure = error;
      }
      const wait = failure.retryAfterMs ?? backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random());
      // A wait longer than the client accepts, or the last try: hand the retry to the hub's queue.
      if (attempt >= maxAttempts || wait > maxRetryAfterMs) throw failure;
      options.logger?.warn('retrying', {
        code: failure.code,
        attempt,
        waitMs: Math.round(wait),
        path: url.pathname,
      });
      await sleep(wait, options.signal);
    }
  }

  async function request<T>(
    method: string,
    path: string,
    opts: {
      query?: Record<string, string | number | undefined>;
      body?: unknown;
      headers?: Record<string, string>;
    } & PageRequest = {},
  ): Promise<HttpResponse<T>> {
    const url = buildUrl(options.baseUrl, path, opts.query);
    // Status and network failures are retried inside each try (`send`); a broken answer is the
    // page policy's, so its tries do not multiply with those.
    return retryPage(
      async () => {
        const response = await send(method, url, opts.body, opts.headers);
        let text: string;
        try {
          text = await response.text();
        } catch (cause) {
          // The connection broke off in the middle of the body: the next try may get it whole.
          if (options.signal?.aborted) throw cause;
          throw pageProblem('cutOff');
        }
        if (text === '' && opts.page !== undefined) {
          throw pageProblem('empty', { vi: 'câu trả lời không có nội dung', en: 'the answer has no body' });
        }
        let parsed: T;
        try {
          parsed = (text === '' ? undefined : JSON.parse(text)) as T;
        } catch {
          // Without the SyntaxError as cause: its message quotes the body.
          throw pageProblem('malformed', { vi: 'JSON hỏng', en: 'malformed JSON' });
        }
        opts.check?.(parsed, response.headers);
        return { status: response.status, headers: response.headers, body: parsed };
      },
      {
        url: pageUrl(url),
        page: opts.page,
        source,
        maxAttempts: pageAttempts,
        backoffMs,
        signal: options.signal,
        logger: options.logger,
      },
    );
  }

  return {
    request,
    getJson: (path, query, page) => request('GET', path, { ...(query ? { query } : {}), ...page }),
    resetToken: () => {
      token = undefined;
    },
  };
}
