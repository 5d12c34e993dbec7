/**
 * Reading one stream of a REST source as its profile describes: pages through the SDK helpers,
 * changes only since the checkpoint, deletions from a flag or an endpoint, and each vendor record
 * mapped to a canonical one (or rejected, naming the page and item).
 */
import type { RecordType } from '../../src/model/index.ts';
import {
  atPointer,
  byCursor,
  byNextLink,
  byOffset,
  byPageNumber,
  type Checkpoint,
  checkPage,
  createHttpClient,
  type HttpClient,
  isSignal,
  mapEach,
  nextLinkFromHeader,
  type PageRef,
  PermanentError,
  pageProblem,
  type ReadContext,
  type ReadItem,
  RecordError,
  totalOf,
} from '../../src/sdk/index.ts';
import { httpAuth, type RestConfig } from './config.ts';
import { compileKeyTemplate, compileMapping, compilePointer, relocate } from './mapping.ts';
import { type Pagination, type Profile, partName, type StreamProfile } from './profile.ts';

export interface AdapterMeta {
  id: string;
  version: string;
}

/** The checkpoint of a stream: the latest update seen, and the keys seen at exactly that time. */
export interface UpdateCheckpoint {
  since: string | null;
  /** Keys updated at `since` already read (an inclusive filter returns them again). */
  seen?: string[];
}

const MAX_SEEN = 1000;

export function parseCheckpoint(checkpoint: Checkpoint | undefined): UpdateCheckpoint | undefined {
  if (checkpoint === undefined || checkpoint === null) return undefined;
  if (typeof checkpoint === 'string') return { since: checkpoint };
  if (typeof checkpoint === 'object' && !Array.isArray(checkpoint) && 'since' in checkpoint) {
    const since = checkpoint.since;
    const seen = Array.isArray(checkpoint.seen) ? checkpoint.seen.filter((k) => typeof k === 'string') : [];
    return { since: typeof since === 'string' ? since : null, seen: seen as string[] };
  }
  throw new PermanentError(
    'CHECKPOINT_INVALID',
    'Điểm dừng không đúng dạng { since } / The checkpoint is not of the form { since }',
  );
}

/**
 * A timestamp in ms from what a source gives: text (ISO 8601), epoch milliseconds, or a Date (the
 * soap package turns xs:dateTime into one). NaN when it is none of these.
 */
export function timeOf(value: unknown): number {
  if (typeof value === 'string') return Date.parse(value);
  if (typeof value === 'number') return value;
  if (value instanceof Date) return value.getTime();
  return Number.NaN;
}

/** Follows the latest update time seen (as the source wrote it) and who was updated then. */
export class LatestUpdate {
  private ms: number;
  private raw: string | null;
  private keys: string[];
  private overflow = false;

  constructor(previous: UpdateCheckpoint | undefined) {
    this.raw = previous?.since ?? null;
    this.ms = this.raw ? Date.parse(this.raw) : Number.NEGATIVE_INFINITY;
    if (Number.isNaN(this.ms)) this.ms = Number.NEGATIVE_INFINITY;
    this.keys = [...(previous?.seen ?? [])];
  }

  see(value: unknown, key: string): void {
    const ms = timeOf(value);
    if (Number.isNaN(ms) || ms < this.ms) return;
    if (ms > this.ms) {
      this.ms = ms;
      this.raw = typeof value === 'string' ? value : new Date(ms).toISOString();
      this.keys = [];
      this.overflow = false;
    }
    if (this.keys.length < MAX_SEEN) this.keys.push(key);
    else this.overflow = true;
  }

  checkpoint(): UpdateCheckpoint {
    // Past MAX_SEEN keys at one instant, repeat them next time rather than carry them all.
    return {
      since: this.raw,
      ...(this.raw && !this.overflow && this.keys.length > 0 ? { seen: this.keys } : {}),
    };
  }
}

export function sinceParam(since: string, format: 'iso' | 'epoch-ms' | 'epoch-s'): string {
  if (format === 'iso') return since;
  const ms = Date.parse(since);
  return String(format === 'epoch-ms' ? ms : Math.floor(ms / 1000));
}

export function clientFor(
  config: RestConfig,
  ctx: Pick<ReadContext<unknown>, 'signal' | 'logger'>,
  profile: Profile,
  retry?: Partial<RestConfig['retry']>,
): HttpClient {
  const r = { ...config.retry, ...retry };
  return createHttpClient({
    baseUrl: config.baseUrl,
    auth: httpAuth(config),
    ...(config.headers ? { headers: config.headers } : {}),
    timeoutMs: config.timeoutMs,
    maxAttempts: r.maxAttempts,
    pageAttempts: r.pageAttempts,
    backoffMs: r.backoffMs,
    maxRetryAfterMs: r.maxRetryAfterMs,
    signal: ctx.signal,
    logger: ctx.logger,
    sourceName: profile.name,
  });
}

function itemsOf(body: unknown, pointer: string, path: string): readonly unknown[] {
  const items = atPointer(body, pointer);
  if (items === undefined || items === null) return [];
  if (Array.isArray(items)) return items;
  throw new PermanentError(
    'RESPONSE_UNEXPECTED',
    `${path}: "${pointer}" không trỏ tới một danh sách / "${pointer}" does not point at a list in the answer`,
  );
}

export function effectivePagination(stream: StreamProfile, config: RestConfig): Pagination {
  const p = structuredClone(config.pagination ?? stream.pagination);
  if (config.pageSize !== undefined) {
    if (p.type === 'offset') p.limit = config.pageSize;
    else if (p.type !== 'none') p.pageSize = config.pageSize;
  }
  return p;
}

export interface PageTracker {
  page: number;
  item: number;
}

/** One list endpoint of a source, as `pagesOf` reads it. */
export interface ListSource {
  http: HttpClient;
  baseUrl: string;
  path: string;
  query: Record<string, string>;
  pagination: Pagination;
  /** Where the items are in a page's body. */
  items: string;
  /**
   * Where the list's total is in a page's body: with it, a page numbered, at an offset, or alone
   * that is short or empty while the total says more follows is asked for again (the page policy).
   */
  total?: string | undefined;
  signal: AbortSignal;
  /** Which page and item is current, for records' locations. */
  where: PageTracker;
}

/** Every item of a list, page after page, each page under the SDK's page policy. */
export function pagesOf(source: ListSource): AsyncGenerator<unknown> {
  const { http, baseUrl, path, query, pagination, signal, where } = source;
  const items = (body: unknown) => itemsOf(body, source.items, path);
  // Read only where it checks a page: a source that pages by links often gives no total.
  const totalIn = (body: unknown): number | undefined => {
    if (source.total === undefined) return undefined;
    const total = totalOf(atPointer(body, source.total));
    if (total === undefined) {
      throw pageProblem('malformed', {
        vi: `không có tổng số ở "${source.total}"`,
        en: `no total at "${source.total}"`,
      });
    }
    return total;
  };
  const get = (
    p: string,
    q: Record<string, string | number | undefined> | undefined,
    page: PageRef,
    check: (body: unknown, headers: Headers) => void,
  ) => {
    where.page++;
    where.item = 0;
    return http.getJson(p, q, { page, check });
  };
  switch (pagination.type) {
    case 'none':
      return (async function* () {
        const { body } = await get(path, query, { number: 1 }, (b) =>
          // One page holds the whole list.
          checkPage({
            items: items(b).length,
            position: 0,
            total: totalIn(b),
            pageSize: Number.MAX_SAFE_INTEGER,
          }),
        );
        yield* items(body);
      })();
    case 'page':
      return byPageNumber(
        async (page) => {
          const position = (page - pagination.firstPage) * pagination.pageSize;
          const { body } = await get(
            path,
            { ...query, [pagination.pageParam]: page, [pagination.sizeParam]: pagination.pageSize },
            { number: page },
            (b) =>
              checkPage({
                items: items(b).length,
                position,
                total: totalIn(b),
                pageSize: pagination.pageSize,
              }),
          );
          return items(body);
        },
        { pageSize: pagination.pageSize, firstPage: pagination.firstPage, signal },
      );
    case 'offset':
      return byOffset(
        async (offset, limit) => {
          const { body } = await get(
            path,
            { ...query, [pagination.offsetParam]: offset, [pagination.limitParam]: limit },
            { offset },
            (b) => checkPage({ items: items(b).length, position: offset, total: totalIn(b) }),
          );
          // With the total, a source that serves fewer than asked is paged on to the end.
          return { items: items(body), total: totalIn(body) };
        },
        { limit: pagination.limit, signal },
      );
    case 'cursor': {
      const nextOf = (body: unknown) => {
        const next = atPointer(body, pagination.nextCursor);
        return typeof next === 'string' && next !== '' ? next : null;
      };
      return byCursor(
        async (cursor) => {
          const { body } = await get(
            path,
            {
              ...query,
              ...(pagination.sizeParam ? { [pagination.sizeParam]: pagination.pageSize } : {}),
              ...(cursor !== undefined ? { [pagination.cursorParam]: cursor } : {}),
            },
            { cursor },
            (b) => {
              const next = nextOf(b);
              checkPage({ items: items(b).length, more: next !== null && next !== cursor });
            },
          );
          return { items: items(body), next: nextOf(body) };
        },
        { signal },
      );
    }
    case 'nextLink': {
      const params = new URLSearchParams(query);
      if (pagination.sizeParam) params.set(pagination.sizeParam, String(pagination.pageSize));
      const first = params.size > 0 ? `${path}?${params}` : path;
      const nextOf = (body: unknown, headers: Headers) => {
        const raw = pagination.next
          ? atPointer(body, pagination.next)
          : nextLinkFromHeader(headers.get('link'));
        // Resolved here, against the API root: a root-relative link keeps its own path.
        return typeof raw === 'string' && raw !== ''
          ? new URL(raw, `${baseUrl.replace(/\/?$/, '/')}`).href
          : null;
      };
      let n = 0;
      return byNextLink(
        first,
        async (url) => {
          const { body, headers } = await get(url, undefined, { number: ++n }, (b, h) => {
            checkPage({ items: items(b).length, more: nextOf(b, h) !== null });
          });
          return { items: items(body), next: nextOf(body, headers) };
        },
        { signal },
      );
    }
  }
}

/**
 * A part's own checkpoint in the checkpoint of a stream of several parts,
 * `{ parts: { <part name: its record type unless named>: { since, seen } } }`. A plain checkpoint
 * (the stream had one part) applies to every part.
 */
function partCheckpoint(checkpoint: Checkpoint | undefined, name: string): Checkpoint | undefined {
  if (checkpoint !== null && typeof checkpoint === 'object' && !Array.isArray(checkpoint)) {
    if ('parts' in checkpoint) {
      const parts = checkpoint.parts;
      if (parts !== null && typeof parts === 'object' && !Array.isArray(parts)) return parts[name];
      return undefined;
    }
  }
  return checkpoint;
}

/**
 * Reads one stream: its one endpoint, or its parts one after the other, each from its own
 * checkpoint, ending with one checkpoint that holds them all.
 */
export async function* readRestStream(
  adapter: AdapterMeta,
  profile: Profile,
  parts: readonly StreamProfile[],
  ctx: ReadContext<RestConfig>,
): AsyncGenerator<ReadItem> {
  if (parts.length === 1) {
    yield* readRestPart(adapter, profile, parts[0]!, ctx);
    return;
  }
  const checkpoints: Record<string, Checkpoint> = {};
  for (const part of parts) {
    const name = partName(part);
    const partCtx = { ...ctx, checkpoint: partCheckpoint(ctx.checkpoint, name) };
    for await (const item of readRestPart(adapter, profile, part, partCtx)) {
      if (isSignal(item) && item.kind === 'checkpoint') checkpoints[name] = item.checkpoint;
      else yield item;
    }
  }
  yield ctx.checkpointAt({ parts: checkpoints });
}

/** Reads one endpoint of a stream. */
export async function* readRestPart(
  adapter: AdapterMeta,
  profile: Profile,
  stream: StreamProfile,
  ctx: ReadContext<RestConfig>,
): AsyncGenerator<ReadItem> {
  const config = ctx.config;
  const http = clientFor(config, ctx, profile);
  const system = `rest-${config.system ?? profile.system}`;
  const keyOf = compileKeyTemplate(stream.key, `${system}:`);
  const map = compileMapping(
    stream.record as RecordType,
    stream.fields,
    profile.codeLists,
    config.schoolCode ? ['schoolCode'] : [],
  );
  const updatedAtOf = stream.updatedAt ? compilePointer(stream.updatedAt) : undefined;
  const deletedFlag = stream.deleted && 'pointer' in stream.deleted ? stream.deleted : undefined;
  const deletedOf = deletedFlag ? compilePointer(deletedFlag.pointer) : undefined;
  const previous = parseCheckpoint(ctx.checkpoint);
  const incremental = previous?.since && stream.updatedSince ? previous : undefined;
  const skipAt = incremental && stream.updatedSince?.inclusive ? Date.parse(incremental.since!) : Number.NaN;
  const skipKeys = new Set(incremental?.seen ?? []);
  const latest = new LatestUpdate(previous);
  const query: Record<string, string> = { ...stream.query };
  if (incremental && stream.updatedSince) {
    query[stream.updatedSince.param] = sinceParam(incremental.since!, stream.updatedSince.format);
  }
  const pulledAt = ctx.now().toISOString();
  const where: PageTracker = { page: 0, item: 0 };
  const location = () => `${stream.path} page ${where.page} item ${where.item}`;
  const rows = pagesOf({
    http,
    baseUrl: config.baseUrl,
    path: stream.path,
    query,
    pagination: effectivePagination(stream, config),
    items: stream.items,
    total: stream.total,
    signal: ctx.signal,
    where,
  });

  yield* mapEach(
    rows,
    (raw): ReadItem | undefined => {
      where.item++;
      try {
        const key = keyOf(raw);
        const updatedAt = updatedAtOf?.(raw);
        if (skipKeys.size > 0 && skipKeys.has(key) && timeOf(updatedAt) === skipAt) return undefined;
        latest.see(updatedAt, key);
        if (deletedOf) {
          const flag = deletedOf(raw);
          if (flag === deletedFlag!.equals || String(flag) === String(deletedFlag!.equals))
            return ctx.deleted([key]);
        }
        const fields = map(raw);
        const schoolCode = (fields.schoolCode as string | undefined) ?? config.schoolCode;
        const record = {
          type: stream.record,
          key,
          // Where a person finds the record again: the endpoint, page and position.
          source: {
            adapter: adapter.id,
            adapterVersion: adapter.version,
            schoolCode,
            pulledAt,
            location: location(),
          },
          ...fields,
        } as Record<string, unknown>;
        if (fields.schoolCode === undefined) record.schoolCode = schoolCode;
        return record as unknown as ReadItem;
      } catch (error) {
        if (error instanceof RecordError) throw relocate(error, location());
        throw error;
      }
    },
    ctx,
  );

  if (incremental && stream.deleted && 'path' in stream.deleted) {
    const d = stream.deleted;
    const keyOfDeleted = compileKeyTemplate(d.key ?? stream.key, `${system}:`);
    const deletedAtOf = d.deletedAt ? compilePointer(d.deletedAt) : undefined;
    const dq: Record<string, string> = { ...d.query };
    if (stream.updatedSince)
      dq[stream.updatedSince.param] = sinceParam(incremental.since!, stream.updatedSince.format);
    // The deleted-records feed is short: one request.
    const deletedRows = pagesOf({
      http,
      baseUrl: config.baseUrl,
      path: d.path,
      query: dq,
      pagination: { type: 'none' },
      items: d.items,
      signal: ctx.signal,
      where,
    });
    let keys: string[] = [];
    for await (const raw of deletedRows) {
      where.item++;
      let key: string;
      try {
        key = keyOfDeleted(raw);
      } catch (error) {
        if (error instanceof RecordError) {
          yield ctx.rejected(relocate(error, `${d.path} item ${where.item}`));
          continue;
        }
        throw error;
      }
      const deletedAt = deletedAtOf?.(raw);
      if (skipKeys.has(key) && timeOf(deletedAt) === skipAt) continue;
      latest.see(deletedAt, key);
      keys.push(key);
      if (keys.length >= 1000) {
        yield ctx.deleted(keys);
        keys = [];
      }
    }
    if (keys.length > 0) yield ctx.deleted(keys);
  }

  yield ctx.checkpointAt(latest.checkpoint() as unknown as Checkpoint);
}
