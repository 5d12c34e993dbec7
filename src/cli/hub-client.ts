/**
 * A small typed client of the running hub's API, for the CLI's commands that read or change its
 * state (runs, dead letters, held runs). Bounded: every call has a timeout and an answer larger
 * than `maxBodyBytes` is refused unread; redirects are not followed, so the key is only ever sent
 * to the address the user gave. The hub's problem details (already "vi / en") become one-line
 * usage errors with the API's code; nothing here ever prints the key or a stack.
 */
import type { describeDeadLetter } from '../pipeline/dead-letter-guidance.ts';
import { UsageError, usageError } from './io.ts';

export type DeadLetterView = ReturnType<typeof describeDeadLetter>;

export interface RunView {
  id: string;
  schoolCode: string;
  streams: string[];
  mode: string;
  state: string;
  counts: Record<string, number>;
  failure: { code: string; message: string } | null;
  hold: Record<string, unknown> | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface ReplayResultView {
  replayed: number;
  stillRefused: number;
  failed: number;
  superseded: number;
  letters: {
    id: string;
    recordKey: string;
    outcome: string;
    code: string;
    message?: string | undefined;
  }[];
}

export interface HubClientOptions {
  /** The hub's address (checked by `hubUrl`). */
  url: URL;
  apiKey: string;
  /** Per request (default 15 s). */
  timeoutMs?: number;
  /** The largest answer read (default 8 MiB: a thousand dead letters are about 1 MiB). */
  maxBodyBytes?: number;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * The hub's address as the user gave it, refused unless the key would travel safely: https to any
 * host, http only to this machine or to a host the user named in `httpHosts` (a trusted network).
 */
export function hubUrl(value: string, httpHosts: readonly string[] = []): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError('HUB_URL_REFUSED', {
      url: value.slice(0, 200),
      reason: { vi: 'không phải URL', en: 'not a URL' },
    });
  }
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  if (url.username || url.password)
    throw usageError('HUB_URL_REFUSED', {
      url: shown,
      reason: { vi: 'không được chứa tên hay mật khẩu', en: 'must not carry a user name or password' },
    });
  if (url.protocol === 'https:') return url;
  const host = url.hostname.toLowerCase();
  const loopback = LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (url.protocol === 'http:' && (loopback || httpHosts.includes(host))) return url;
  throw usageError('HUB_URL_REFUSED', {
    url: shown,
    reason:
      url.protocol === 'http:'
        ? {
            vi: 'http:// chỉ dùng tới máy này hoặc máy trong EDUBRIDGE_HTTP_HOSTS: khoá API sẽ đi không mã hoá',
            en: 'http:// only to this machine or a host in EDUBRIDGE_HTTP_HOSTS: the API key would travel unencrypted',
          }
        : { vi: 'cần https:// hoặc http://', en: 'needs https:// or http://' },
  });
}

export class HubClient {
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;

  constructor(private readonly options: HubClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
  }

  /** Where the hub is, without the key: what a message may say. */
  get origin(): string {
    return this.options.url.origin;
  }

  listRuns(query: { school?: string; limit?: number }): Promise<{ runs: RunView[] }> {
    return this.call('GET', '/v1/runs', { query });
  }

  getRun(id: string): Promise<RunView & { report: unknown }> {
    return this.call('GET', `/v1/runs/${encodeURIComponent(id)}`);
  }

  releaseRun(id: string, decision: 'release' | 'discard'): Promise<RunView> {
    return this.call('POST', `/v1/runs/${encodeURIComponent(id)}/release`, { body: { decision } });
  }

  listDeadLetters(query: {
    school?: string;
    target?: string;
    code?: string;
    state?: string;
    limit?: number;
  }): Promise<{ deadLetters: DeadLetterView[]; next: string | null }> {
    return this.call('GET', '/v1/dead-letters', { query });
  }

  replayDeadLetters(body: {
    ids?: string[];
    school?: string;
    target?: string;
    code?: string;
    all?: boolean;
  }): Promise<ReplayResultView> {
    return this.call('POST', '/v1/dead-letters/replay', { body });
  }

  discardDeadLetter(id: string): Promise<DeadLetterView> {
    return this.call('DELETE', `/v1/dead-letters/${encodeURIComponent(id)}`);
  }

  /** An education report as JSON (`GET /v1/reports/{name}`), the filters as its query. */
  getReport<T>(name: string, filters: Record<string, string | number | undefined>): Promise<T> {
    return this.call('GET', `/v1/reports/${encodeURIComponent(name)}`, { query: filters });
  }

  private async call<T>(
    method: string,
    path: string,
    options: { query?: Record<string, string | number | undefined>; body?: unknown } = {},
  ): Promise<T> {
    // Relative to the given address, so a hub served under a path prefix works too.
    const base = new URL(this.options.url);
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    const url = new URL(path.replace(/^\//, ''), base);
    for (const [name, value] of Object.entries(options.query ?? {}))
      if (value !== undefined) url.searchParams.set(name, String(value));
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        redirect: 'manual',
        headers: {
          'x-api-key': this.options.apiKey,
          accept: 'application/json, application/problem+json',
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      const timedOut = (cause as Error).name === 'TimeoutError';
      throw usageError('HUB_UNAVAILABLE', {
        reason: timedOut
          ? {
              vi: `${this.origin} không trả lời trong ${this.timeoutMs / 1000} giây`,
              en: `${this.origin} gave no answer within ${this.timeoutMs / 1000} s`,
            }
          : {
              vi: `không kết nối được ${this.origin} (${connectionCause(cause)})`,
              en: `cannot connect to ${this.origin} (${connectionCause(cause)})`,
            },
      });
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw invalidAnswer(`HTTP ${response.status} → ${response.headers.get('location') ?? '?'}`);
    }
    const text = await readBounded(response, this.maxBodyBytes);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw invalidAnswer(
        `HTTP ${response.status}, ${response.headers.get('content-type') ?? 'no content type'}`,
      );
    }
    if (response.ok) return json as T;
    // The hub's problem detail is already Vietnamese / English; its code is the catalogue's.
    const problem = (json ?? {}) as { code?: unknown; detail?: unknown; title?: unknown };
    const code = typeof problem.code === 'string' ? problem.code : `HTTP_${response.status}`;
    const said =
      typeof problem.detail === 'string'
        ? problem.detail
        : typeof problem.title === 'string'
          ? problem.title
          : `HTTP ${response.status}`;
    throw new UsageError(code, said.slice(0, 2_000));
  }
}

function invalidAnswer(reason: string) {
  return usageError('HUB_ANSWER_INVALID', { reason });
}

/** The network's reason in a few words (ECONNREFUSED, ENOTFOUND …), not undici's whole chain. */
function connectionCause(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  return String((error as Error).message ?? error).slice(0, 200);
}

/** The answer's text, refused past `max` bytes whatever Content-Length says. */
async function readBounded(response: Response, max: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await response.body?.cancel();
    throw invalidAnswer(`${declared} bytes > ${max}`);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw invalidAnswer(`> ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
