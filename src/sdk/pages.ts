/**
 * One retry policy for pages, whatever carries them (JSON over HTTP, a SOAP answer, a OneRoster
 * collection). A page that comes back malformed, cut short, or empty while the source says more
 * follows is a hiccup (a proxy that cut the body, a source in the middle of a write), not a broken
 * contract: it is asked for again with backoff a bounded number of times, and then the read fails
 * naming the URL, the page and what was wrong. A page is judged from its own answer only (its
 * total, its next link), never against what earlier pages said: a source that changes during a
 * read must not look broken.
 *
 * Messages name the path and query (secret-looking parameters masked) and never quote the body:
 * pages hold children's personal data. For the same reason a page error carries no `cause` (a JSON
 * or XML parser's message quotes the text it choked on).
 */
import type { AdapterLogger } from './adapter.ts';
import { RetryableError } from './errors.ts';
import { sleep } from './sleep.ts';

/** What was wrong with a page. */
export type PageProblem = 'malformed' | 'cutOff' | 'truncated' | 'empty';

/** The stable code of each problem. */
export const PAGE_PROBLEM_CODES = {
  /** The body does not parse (JSON, XML), or lacks what every page of the source carries. */
  malformed: 'PAGE_MALFORMED',
  /** The connection broke off in the middle of the body. */
  cutOff: 'TRANSFER_BROKEN',
  /** Fewer items than the page's own total (or page header) promised. */
  truncated: 'PAGE_TRUNCATED',
  /** No items (or no body) although the total or a next link says more follows. */
  empty: 'PAGE_EMPTY_UNEXPECTED',
} as const satisfies Record<PageProblem, string>;

/** Which page: its number, its offset, or the cursor it was asked with (`undefined`: the first). */
export type PageRef = { number: number } | { offset: number } | { cursor: string | undefined };

/** A text in Vietnamese and in English. */
export interface Bilingual {
  /** In Vietnamese. */
  vi: string;
  /** In English. */
  en: string;
}

const DEFAULT_DETAIL: Record<PageProblem, Bilingual> = {
  malformed: { vi: 'dữ liệu hỏng, không đọc được', en: 'malformed, cannot be parsed' },
  cutOff: { vi: 'kết nối đứt giữa chừng', en: 'the connection broke off mid-body' },
  truncated: { vi: 'thiếu bản ghi', en: 'fewer items than promised' },
  empty: { vi: 'trống dù nguồn báo còn dữ liệu', en: 'empty although the source says more follows' },
};

/** What a `PageError` says about the page. */
export interface PageErrorOptions {
  /** What was wrong, in each language (default: the problem's own words). */
  detail?: Bilingual;
  /** Path and query of the page (see `pageUrl`), never with credentials. */
  url?: string;
  /** Which page. */
  page?: PageRef;
  /** The source's name, first in the message ("SMAS"). */
  source?: string;
  /** Tries made, on the error thrown after the last one. */
  tries?: number;
}

const CURSOR_SHOWN = 40;

function pageLabel(page: PageRef | undefined): Bilingual {
  if (page === undefined) return { vi: 'Câu trả lời', en: 'The answer' };
  if ('number' in page) return { vi: `Trang ${page.number}`, en: `Page ${page.number}` };
  if ('offset' in page) return { vi: `Trang từ vị trí ${page.offset}`, en: `Page at offset ${page.offset}` };
  if (page.cursor === undefined) return { vi: 'Trang đầu', en: 'The first page' };
  const c = page.cursor.length > CURSOR_SHOWN ? `${page.cursor.slice(0, CURSOR_SHOWN)}…` : page.cursor;
  return { vi: `Trang có con trỏ "${c}"`, en: `Page at cursor "${c}"` };
}

function pageMessage(problem: PageProblem, o: PageErrorOptions): string {
  const detail = o.detail ?? DEFAULT_DETAIL[problem];
  const label = pageLabel(o.page);
  const of = o.url !== undefined ? { vi: ` của ${o.url}`, en: ` of ${o.url}` } : { vi: '', en: '' };
  const after =
    o.tries !== undefined
      ? { vi: ` sau ${o.tries} lần thử`, en: ` after ${o.tries} ${o.tries === 1 ? 'try' : 'tries'}` }
      : { vi: '', en: '' };
  const prefix = o.source ? `${o.source}: ` : '';
  return `${prefix}${label.vi}${of.vi}: ${detail.vi}${after.vi} / ${label.en}${of.en}: ${detail.en}${after.en}`;
}

/**
 * A page that came back broken. Retryable by class, so that whatever retries steps retries it;
 * `retryPage` asks for the page again and, after the last try, throws one with `tries` set.
 */
export class PageError extends RetryableError {
  /** What was wrong. */
  readonly problem: PageProblem;
  /** What was wrong, in words. */
  readonly detail: Bilingual;
  /** The page's path and query, secrets masked. */
  readonly url: string | undefined;
  /** Which page. */
  readonly page: PageRef | undefined;
  /** Tries made, on the error thrown after the last one. */
  readonly tries: number | undefined;

  constructor(problem: PageProblem, options: PageErrorOptions = {}) {
    super(PAGE_PROBLEM_CODES[problem], pageMessage(problem, options));
    this.problem = problem;
    this.detail = options.detail ?? DEFAULT_DETAIL[problem];
    this.url = options.url;
    this.page = options.page;
    this.tries = options.tries;
  }
}

/**
 * The error to throw from a page check: `retryPage` adds the URL and the page.
 *
 * @example
 * ```ts
 * if (items.length === 0 && next) throw pageProblem('empty', { vi: 'trang rỗng dù còn trang sau', en: 'empty although a next page is linked' });
 * ```
 */
export function pageProblem(problem: PageProblem, detail?: Bilingual): PageError {
  return new PageError(problem, detail ? { detail } : {});
}

/** What a page's own answer says about it, for `checkPage`. */
export interface PageCounts {
  /** Items the page holds. */
  items: number;
  /** Position of the page's first item in the whole list, when known (offset, (page - first) × size). */
  position?: number | undefined;
  /** The source's total for the whole list, as this page's answer gives it. */
  total?: number | undefined;
  /**
   * The size asked, when the source serves exactly that many on every page but the last (page
   * numbers: a shorter page ends the read, so one cut short would lose records silently). Leave
   * it out for offsets and cursors, where a source may serve fewer and the read goes on from there.
   */
  pageSize?: number | undefined;
  /** A next link or cursor says more follows. */
  more?: boolean | undefined;
}

/**
 * Throws a `PageError` when a page's own answer shows it short or empty: no items while its total
 * or a next link says more follows, or (with `pageSize`) fewer than the total leaves for it.
 *
 * @example
 * ```ts
 * checkPage({ items: body.items.length, position: (page - 1) * 100, total: body.total, pageSize: 100 });
 * ```
 */
export function checkPage(counts: PageCounts): void {
  const { items, position, total, pageSize, more } = counts;
  const left = total !== undefined && position !== undefined ? Math.max(0, total - position) : undefined;
  if (items === 0 && left !== undefined && left > 0) {
    throw pageProblem('empty', {
      vi: `trang rỗng dù tổng số là ${total}, mới đọc ${position}`,
      en: `no items although the total is ${total} and ${position} were read before it`,
    });
  }
  if (items === 0 && more) {
    throw pageProblem('empty', {
      vi: 'trang rỗng dù còn trang sau',
      en: 'no items although a next page is linked',
    });
  }
  if (pageSize !== undefined && left !== undefined && items < Math.min(pageSize, left)) {
    const promised = Math.min(pageSize, left);
    throw pageProblem('truncated', {
      vi: `chỉ có ${items} bản ghi, tổng số hứa ${promised}`,
      en: `${items} items where the total promised ${promised}`,
    });
  }
}

/**
 * A total as a source writes it (a number, or digits as text); undefined when it is neither.
 *
 * @example
 * ```ts
 * totalOf('120') // 120
 * totalOf('n/a') // undefined
 * ```
 */
export function totalOf(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

const SECRET_PARAM = /key|token|secret|passw|signature|^sig$|auth|credential|session/i;

/**
 * Query parameters as text, the values of secret-looking ones (`api_key`, `token` …) masked.
 *
 * @example
 * ```ts
 * maskedQuery({ page: 2, api_key: 'k' }) // 'page=2&api_key=***'
 * ```
 */
export function maskedQuery(params: URLSearchParams | Record<string, unknown>): string {
  const entries =
    params instanceof URLSearchParams
      ? [...params]
      : Object.entries(params).filter(([, v]) => v !== undefined && v !== null && typeof v !== 'object');
  const out = new URLSearchParams();
  for (const [k, v] of entries) out.append(k, SECRET_PARAM.test(k) ? '***' : String(v));
  return out.toString();
}

/**
 * A page's URL for messages and logs: path and query only (never the user-info part), with the
 * values of secret-looking parameters masked.
 *
 * @example
 * ```ts
 * pageUrl(new URL('https://u:p@smas.vn/api/hs?page=3&api_key=k')) // '/api/hs?page=3&api_key=***'
 * ```
 */
export function pageUrl(url: URL | string): string {
  const u = typeof url === 'string' ? new URL(url, 'http://x') : url;
  const query = maskedQuery(u.searchParams);
  return query ? `${u.pathname}?${query}` : u.pathname;
}

/** How patient to be with a broken page. */
export interface PagePolicy {
  /** Tries in all for a broken page (default 3). */
  maxAttempts?: number;
  /** First wait; it doubles each time, with jitter (default 200 ms). */
  backoffMs?: number;
}

/** What `retryPage` needs besides the fetch: what to name in messages, a signal, a logger. */
export interface RetryPageOptions extends PagePolicy {
  /** The page's path and query (`pageUrl`), or what names the call (a SOAP operation). */
  url: string;
  /** Which page, named in the error. */
  page?: PageRef | undefined;
  /** The source's name, first in the message. */
  source?: string | undefined;
  /** Stops the retries (pass `ctx.signal`). */
  signal?: AbortSignal | undefined;
  /** Where retries are logged (pass `ctx.logger`). */
  logger?: AdapterLogger | undefined;
}

/** Tries in all for a broken page, unless the adapter's config says otherwise. */
export const DEFAULT_PAGE_ATTEMPTS = 3;
const DEFAULT_PAGE_BACKOFF_MS = 200;

/**
 * Fetches a page with the page policy: a `PageError` (thrown by the fetch or by the page check
 * inside it) is retried with exponential backoff and jitter up to `maxAttempts` tries in all;
 * every other error passes through at once, as does an abort. After the last try it throws a
 * `PageError` naming the URL, the page and what was wrong, with `tries` set.
 *
 * That final error stays a `RetryableError`, not a `PermanentError`: a page that broke three
 * times in a row may well come whole in an hour (the proxy recovers, the source finishes its
 * write), so a later pull is the fix, not a call to the vendor. The run still ends failed with
 * this message at once (the hub does not retry a pull job by itself), and nothing downstream may
 * take it for a stream the source does not offer (reconciliation skips a stream on a
 * PermanentError, which would hide the broken page).
 *
 * A `PageError` that already carries `tries` (an inner `retryPage`, the HTTP client's) passes
 * through too: tries never multiply.
 *
 * @example
 * ```ts
 * const items = await retryPage(async () => {
 *   const { body } = await http.getJson<Page>('/students', { page: 3 });
 *   checkPage({ items: body.items.length, position: 200, total: body.total, pageSize: 100 });
 *   return body.items;
 * }, { url: '/students?page=3', page: { number: 3 }, signal: ctx.signal, logger: ctx.logger });
 * ```
 */
export async function retryPage<T>(
  fetchPage: (attempt: number) => Promise<T>,
  options: RetryPageOptions,
): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_PAGE_ATTEMPTS);
  const backoffMs = options.backoffMs ?? DEFAULT_PAGE_BACKOFF_MS;
  const locate = (error: PageError, tries?: number) =>
    new PageError(error.problem, {
      detail: error.detail,
      url: options.url,
      ...(options.page !== undefined ? { page: options.page } : {}),
      ...(options.source !== undefined ? { source: options.source } : {}),
      ...(tries !== undefined ? { tries } : {}),
    });
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchPage(attempt);
    } catch (error) {
      if (options.signal?.aborted || !(error instanceof PageError) || error.tries !== undefined) throw error;
      if (attempt >= maxAttempts) throw locate(error, attempt);
      const wait = backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random());
      options.logger?.warn('retrying', {
        code: error.code,
        attempt,
        waitMs: Math.round(wait),
        url: options.url,
        ...(options.page !== undefined ? { page: options.page } : {}),
      });
      await sleep(wait, options.signal);
    }
  }
}
