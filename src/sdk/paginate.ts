/**
 * Pagination, the four ways school systems page their lists. Each helper is an async generator of
 * items that fetches one page at a time, so a source of a million rows never sits in memory, and
 * stops between pages when the signal aborts.
 */

/** What every pagination helper takes besides the fetch. */
export interface PageOptions {
  /** Stops between pages (pass `ctx.signal`). */
  signal?: AbortSignal;
  /** Refuse to loop forever on a source that never says it is done. */
  maxPages?: number;
}

function guard(page: number, options: PageOptions): void {
  options.signal?.throwIfAborted();
  if (page > (options.maxPages ?? 1_000_000)) {
    throw new Error(`pagination stopped after ${options.maxPages} pages`);
  }
}

/**
 * Page numbers: `?page=1&size=100`, until a page comes back shorter than `pageSize` (or empty).
 *
 * @example
 * ```ts
 * for await (const row of byPageNumber((page) => fetchRows({ page, size: 100 }), { pageSize: 100 })) …
 * ```
 */
export async function* byPageNumber<T>(
  fetchPage: (page: number) => Promise<readonly T[]>,
  options: PageOptions & { pageSize: number; firstPage?: number },
): AsyncGenerator<T> {
  for (let page = options.firstPage ?? 1, n = 1; ; page++, n++) {
    guard(n, options);
    const items = await fetchPage(page);
    yield* items;
    if (items.length < options.pageSize) return;
  }
}

/**
 * Offsets: `?limit=100&offset=200` (OneRoster), until a short page, or `total` when the source says it.
 *
 * @example
 * ```ts
 * byOffset(async (offset, limit) => { const r = await get({ offset, limit }); return { items: r.users, total: r.total }; }, { limit: 100 })
 * ```
 */
export async function* byOffset<T>(
  fetchPage: (offset: number, limit: number) => Promise<{ items: readonly T[]; total?: number | undefined }>,
  options: PageOptions & { limit: number },
): AsyncGenerator<T> {
  for (let offset = 0, n = 1; ; n++) {
    guard(n, options);
    const { items, total } = await fetchPage(offset, options.limit);
    yield* items;
    offset += items.length;
    // A provider may serve fewer than `limit` (many cap it): trust the total when there is one.
    if (items.length === 0 || (total !== undefined ? offset >= total : items.length < options.limit)) return;
  }
}

/**
 * Cursors: each page returns the cursor of the next, `null` or absent at the end.
 *
 * @example
 * ```ts
 * byCursor(async (cursor) => { const r = await get({ cursor }); return { items: r.data, next: r.nextCursor }; })
 * ```
 */
export async function* byCursor<T>(
  fetchPage: (
    cursor: string | undefined,
  ) => Promise<{ items: readonly T[]; next?: string | null | undefined }>,
  options: PageOptions = {},
): AsyncGenerator<T> {
  let cursor: string | undefined;
  for (let n = 1; ; n++) {
    guard(n, options);
    const { items, next } = await fetchPage(cursor);
    yield* items;
    if (!next || next === cursor) return;
    cursor = next;
  }
}

/**
 * Next links: each page names the URL of the next (in its body, or an RFC 8288 `Link` header:
 * use `nextLinkFromHeader`).
 *
 * @example
 * ```ts
 * byNextLink('/students?page=1', async (url) => { const r = await http.getJson(url); return { items: r.body.items, next: r.body.next }; })
 * ```
 */
export async function* byNextLink<T>(
  first: string,
  fetchPage: (url: string) => Promise<{ items: readonly T[]; next?: string | null | undefined }>,
  options: PageOptions = {},
): AsyncGenerator<T> {
  let url: string | undefined = first;
  const seen = new Set<string>();
  for (let n = 1; url; n++) {
    guard(n, options);
    if (seen.has(url)) return; // a source that links back to a page it already served
    seen.add(url);
    const { items, next }: { items: readonly T[]; next?: string | null | undefined } = await fetchPage(url);
    yield* items;
    url = next ?? undefined;
  }
}

/**
 * The `rel="next"` target of an RFC 8288 `Link` header, if any.
 *
 * @example
 * ```ts
 * nextLinkFromHeader('<https://smas.vn/api/hs?page=2>; rel="next"') // 'https://smas.vn/api/hs?page=2'
 * ```
 */
export function nextLinkFromHeader(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;(?:[^;]*;)*\s*rel="?next"?/i.exec(part.trim());
    if (m) return m[1];
  }
  return undefined;
}
