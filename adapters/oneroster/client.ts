/**
 * The OneRoster REST consumer under the adapter: the SDK's HTTP client (OAuth2 client credentials,
 * retries honouring `Retry-After`, one token refresh on 401, the page policy for a page that comes
 * back broken) plus what OneRoster adds: collections wrapped in a named array, `limit`/`offset`
 * paging with `X-Total-Count`, `filter`, and the provider's own clock for checkpoints.
 */
import {
  type BaseContext,
  byOffset,
  checkPage,
  createHttpClient,
  type HttpClient,
  type PageRequest,
  PermanentError,
  pageProblem,
} from '../../src/sdk/index.ts';
import type { OneRosterConfig } from './config.ts';

export type Service = 'rostering' | 'gradebook';

export interface ListOptions {
  filter?: string;
  fields?: readonly string[];
}

/** The named list of a collection's answer (`{ users: [...] }`), if it has one. */
const listIn = (body: unknown, key: string): unknown[] | undefined => {
  const list = (body as Record<string, unknown> | undefined)?.[key];
  return Array.isArray(list) ? list : undefined;
};

/** `X-Total-Count`, when the provider sends it. */
const totalCount = (headers: Headers): number | undefined => {
  const header = headers.get('x-total-count');
  return header !== null && /^\d+$/.test(header.trim()) ? Number(header) : undefined;
};

/** `filter` text for "changed after": `dateLastModified>'2026-01-01T00:00:00.000Z'`. */
export const changedSince = (since: string): string => `dateLastModified>'${since}'`;

export class OneRosterClient {
  readonly http: HttpClient;
  readonly source: string;
  /** The provider's clock at the first answer of this client, floored to the second (the `Date` header's precision). */
  private startedAt: string | undefined;

  constructor(
    private readonly config: OneRosterConfig,
    private readonly ctx: BaseContext,
  ) {
    this.source = `OneRoster ${new URL(config.baseUrl).host}`;
    this.http = createHttpClient({
      baseUrl: config.baseUrl,
      auth: {
        type: 'oauth2',
        tokenUrl: config.tokenUrl,
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        scope: config.scope,
      },
      timeoutMs: config.timeoutMs,
      maxAttempts: config.maxAttempts,
      pageAttempts: config.pageAttempts,
      backoffMs: config.backoffMs,
      signal: ctx.signal,
      logger: ctx.logger,
      sourceName: this.source,
    });
  }

  private path(service: Service, path: string): string {
    const base = service === 'rostering' ? this.config.rosteringPath : this.config.gradebookPath;
    return `${base.replace(/\/$/, '')}/${path.replace(/^\//, '')}`;
  }

  private async fetch<T>(
    service: Service,
    path: string,
    query: Record<string, string | number | undefined>,
    page?: PageRequest,
  ) {
    const response = await this.http.getJson<T>(this.path(service, path), query, page);
    if (this.startedAt === undefined) {
      const date = Date.parse(response.headers.get('date') ?? '');
      // Without the provider's clock, ours minus five minutes: a little re-read beats a lost change.
      this.startedAt = new Date(Number.isNaN(date) ? this.ctx.now().getTime() - 300_000 : date).toISOString();
    }
    return response;
  }

  /** The instant to resume from after this read: when it started, by the provider's clock. */
  checkpoint(): string {
    return this.startedAt ?? new Date(this.ctx.now().getTime() - 300_000).toISOString();
  }

  /**
   * One page as the provider serves it, under the SDK's page policy: a page without its named
   * list, or empty while `X-Total-Count` says more follows, is asked for again as a malformed one
   * is. A page shorter than asked is not: many providers cap `limit`, and `list` pages on.
   */
  async page<T>(
    service: Service,
    path: string,
    key: string,
    query: { offset: number; limit: number } & ListOptions,
  ): Promise<{ items: T[]; total: number | undefined }> {
    const response = await this.fetch(
      service,
      path,
      {
        limit: query.limit,
        offset: query.offset,
        filter: query.filter,
        fields: query.fields?.join(','),
      },
      {
        page: { offset: query.offset },
        check: (body, headers) => {
          const items = listIn(body, key);
          if (!items) {
            throw pageProblem('malformed', { vi: `không có danh sách "${key}"`, en: `no "${key}" list` });
          }
          checkPage({ items: items.length, position: query.offset, total: totalCount(headers) });
        },
      },
    );
    return { items: listIn(response.body, key) as T[], total: totalCount(response.headers) };
  }

  /**
   * Every item of a collection, page by page (`limit`/`offset`). A provider that serves shorter
   * pages than asked (many cap `limit`) is paged on until `X-Total-Count`, or an empty page, says
   * the end.
   *
   * @example
   * for await (const user of client.list<OrUser>('rostering', 'students', 'users', { filter: changedSince(cp) })) …
   */
  list<T>(service: Service, path: string, key: string, options: ListOptions = {}): AsyncGenerator<T> {
    return byOffset<T>(
      async (offset, limit) => {
        const items: T[] = [];
        let total: number | undefined;
        let at = offset;
        while (items.length < limit) {
          const want = limit - items.length;
          const page = await this.page<T>(service, path, key, { ...options, offset: at, limit: want });
          total = page.total ?? total;
          items.push(...page.items);
          at += page.items.length;
          if (page.items.length === 0 || (total !== undefined && at >= total)) break;
        }
        return { items, total };
      },
      { limit: this.config.pageSize, signal: this.ctx.signal },
    );
  }

  /** One object (`{ user: {…} }`), or undefined when the provider does not know it (404). */
  async get<T>(service: Service, path: string, key: string): Promise<T | undefined> {
    try {
      const response = await this.fetch<Record<string, unknown>>(service, path, {});
      const item = response.body?.[key];
      if (item === null || typeof item !== 'object') {
        throw new PermanentError(
          'RESPONSE_UNEXPECTED',
          `${this.source} trả lời ${path} không có "${key}" / ${this.source} answered ${path} without "${key}"`,
        );
      }
      return item as T;
    } catch (error) {
      if (error instanceof PermanentError && error.code === 'HTTP_404') return undefined;
      throw error;
    }
  }

  /** How many items a collection holds, from `X-Total-Count` (undefined when the provider does not say). */
  async count(service: Service, path: string, key: string, filter?: string): Promise<number | undefined> {
    const page = await this.page(service, path, key, { offset: 0, limit: 1, ...(filter ? { filter } : {}) });
    return page.total;
  }
}
