/**
 * Reading one stream of a SOAP service as its profile describes: the operation called school by
 * school and page by page, records found in the result (or in an XML document it carries as
 * text, parsed with entity expansion off and every value kept as text), mapped by the same
 * compiled field mapping as the REST adapter.
 */
import { XMLParser } from 'fast-xml-parser';
import type { RecordType } from '../../src/model/index.ts';
import {
  atPointer,
  type Checkpoint,
  checkPage,
  mapEach,
  PermanentError,
  pageProblem,
  type ReadContext,
  type ReadItem,
  RecordError,
  totalOf,
} from '../../src/sdk/index.ts';
import { compileKeyTemplate, compileMapping, compilePointer, relocate } from '../rest/mapping.ts';
import { LatestUpdate, parseCheckpoint, sinceParam, timeOf } from '../rest/read.ts';
import type { SoapCaller } from './client.ts';
import type { SoapConfig } from './config.ts';
import type { SoapProfile, SoapStream } from './profile.ts';

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Decodes the five predefined XML entities and numeric references, and nothing else: with the
 * parser's own entity processing off, no DTD entity is ever expanded.
 */
export function decodeXmlText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
    e[0] === '#'
      ? String.fromCodePoint(e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)))
      : PREDEFINED[e]!,
  );
}

/** A parser for XML that arrives as text: entities off, values as text (IDs keep leading zeros). */
export function rawXmlParser(arrays: readonly string[]): XMLParser {
  const lists = new Set(arrays);
  return new XMLParser({
    processEntities: false,
    parseTagValue: false,
    parseAttributeValue: false,
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    removeNSPrefix: true,
    trimValues: true,
    isArray: (name) => lists.has(name),
    tagValueProcessor: (_name, value) => decodeXmlText(value),
    attributeValueProcessor: (_name, value) => decodeXmlText(value),
  });
}

export function listAt(value: unknown, pointer: string, where: string): readonly unknown[] {
  const items = atPointer(value, pointer);
  if (items === undefined || items === null || items === '') return [];
  if (Array.isArray(items)) return items;
  if (typeof items === 'object') return [items];
  throw new PermanentError(
    'RESPONSE_UNEXPECTED',
    `${where}: "${pointer}" không trỏ tới danh sách bản ghi / "${pointer}" does not point at records in the answer`,
  );
}

/** Schools to read: the config's, or those the profile's schools operation lists. */
export async function schoolCodes(
  caller: SoapCaller,
  profile: SoapProfile,
  config: SoapConfig,
): Promise<string[]> {
  if (config.schoolCodes) return config.schoolCodes;
  if (!profile.schools) {
    throw new PermanentError(
      'SCHOOLS_UNKNOWN',
      'Cần schoolCodes trong cấu hình hoặc thao tác schools trong hồ sơ / Give schoolCodes in the config or a schools operation in the profile',
    );
  }
  const result = await caller.call(profile.schools.operation, { ...profile.schools.args });
  const code = compilePointer(profile.schools.code);
  return listAt(result, profile.schools.items, profile.schools.operation).map((s) => String(code(s)));
}

/**
 * The result's document: the result itself, or the XML text it carries, parsed. An answer without
 * that text (the element absent, not merely empty) or with text that does not parse is a broken
 * page.
 */
export function documentOf(result: unknown, stream: SoapStream, parser: XMLParser | undefined): unknown {
  if (!stream.rawXml || !parser) return result;
  const text = atPointer(result, stream.rawXml.pointer);
  if (text === undefined || text === null) {
    throw pageProblem('malformed', {
      vi: `câu trả lời không có "${stream.rawXml.pointer}"`,
      en: `the answer has no "${stream.rawXml.pointer}"`,
    });
  }
  if (text === '') return {};
  if (typeof text !== 'string') {
    throw new PermanentError(
      'RESPONSE_UNEXPECTED',
      `${stream.operation}: "${stream.rawXml.pointer}" không phải văn bản XML / is not XML text`,
    );
  }
  try {
    return parser.parse(text, true);
  } catch {
    // Without the parser's error as cause: it may quote the document.
    throw pageProblem('malformed', {
      vi: 'tài liệu XML trong kết quả không hợp lệ',
      en: 'the XML document in the result is malformed',
    });
  }
}

/**
 * The records of one page's result, judged by the page policy: with the stream's `total`, a page
 * that lacks it (a hollow answer), or is short or empty while it says more follows, is broken.
 * `page` and `pageSize` are those asked (undefined when the operation does not page).
 */
export function pageItems(
  result: unknown,
  stream: SoapStream,
  parser: XMLParser | undefined,
  page: number | undefined,
  pageSize: number | undefined,
): readonly unknown[] {
  const document = documentOf(result, stream, parser);
  const items = listAt(document, stream.items, stream.operation);
  if (stream.total === undefined) return items;
  const total = totalOf(atPointer(document, stream.total));
  if (total === undefined) {
    throw pageProblem('malformed', {
      vi: `câu trả lời không có tổng số ở "${stream.total}"`,
      en: `the answer has no total at "${stream.total}"`,
    });
  }
  const p = stream.pagination;
  checkPage(
    p.type === 'page' && page !== undefined && pageSize !== undefined
      ? { items: items.length, position: (page - p.firstPage) * pageSize, total, pageSize }
      : // One answer holds the whole list.
        { items: items.length, position: 0, total, pageSize: Number.MAX_SAFE_INTEGER },
  );
  return items;
}

export function pageArgs(
  stream: SoapStream,
  pageSize: number | undefined,
  page: number | undefined,
  school: string | undefined,
) {
  const args: Record<string, unknown> = { ...stream.args };
  if (stream.schoolArg && school !== undefined) args[stream.schoolArg] = school;
  const p = stream.pagination;
  if (p.type === 'page' && page !== undefined) {
    args[p.pageArg] = page;
    args[p.sizeArg] = pageSize ?? p.pageSize;
  }
  return args;
}

export async function* readSoapStream(
  adapter: { id: string; version: string },
  profile: SoapProfile,
  stream: SoapStream,
  caller: SoapCaller,
  ctx: ReadContext<SoapConfig>,
): AsyncGenerator<ReadItem> {
  const config = ctx.config;
  const system = `soap-${config.system ?? profile.system}`;
  const keyOf = compileKeyTemplate(stream.key, `${system}:`);
  const map = compileMapping(
    stream.record as RecordType,
    stream.fields,
    profile.codeLists,
    stream.schoolArg ? ['schoolCode'] : [],
  );
  const updatedAtOf = stream.updatedAt ? compilePointer(stream.updatedAt) : undefined;
  const deletedOf = stream.deleted ? compilePointer(stream.deleted.pointer) : undefined;
  const parser = stream.rawXml ? rawXmlParser(stream.rawXml.arrays) : undefined;
  const previous = parseCheckpoint(ctx.checkpoint);
  const incremental = previous?.since && stream.updatedSince ? previous : undefined;
  const skipAt = incremental && stream.updatedSince?.inclusive ? Date.parse(incremental.since!) : Number.NaN;
  const skipKeys = new Set(incremental?.seen ?? []);
  const latest = new LatestUpdate(previous);
  const pulledAt = ctx.now().toISOString();
  const pageSize =
    config.pageSize ?? (stream.pagination.type === 'page' ? stream.pagination.pageSize : undefined);
  const schools = stream.schoolArg ? await schoolCodes(caller, profile, config) : [undefined];

  for (const school of schools) {
    const first = stream.pagination.type === 'page' ? stream.pagination.firstPage : undefined;
    for (let page = first; ; page = page === undefined ? undefined : page + 1) {
      ctx.signal.throwIfAborted();
      const args = pageArgs(stream, pageSize, page, school);
      if (incremental && stream.updatedSince) {
        args[stream.updatedSince.arg] = sinceParam(incremental.since!, stream.updatedSince.format);
      }
      const items = await caller.call(stream.operation, args, {
        ...(page !== undefined ? { page: { number: page } } : {}),
        read: (result) => pageItems(result, stream, parser, page, pageSize),
      });
      let item = 0;
      const where = `${stream.operation}${school !== undefined ? ` school ${school}` : ''}${page !== undefined ? ` page ${page}` : ''}`;
      yield* mapEach(
        items,
        (raw): ReadItem | undefined => {
          item++;
          try {
            const key = keyOf(raw);
            const updatedAt = updatedAtOf?.(raw);
            if (skipKeys.size > 0 && skipKeys.has(key) && timeOf(updatedAt) === skipAt) return undefined;
            latest.see(updatedAt, key);
            if (deletedOf && String(deletedOf(raw)) === String(stream.deleted!.equals))
              return ctx.deleted([key]);
            const fields = map(raw);
            const schoolCode = fields.schoolCode ?? school;
            const record: Record<string, unknown> = {
              type: stream.record,
              key,
              source: { adapter: adapter.id, adapterVersion: adapter.version, schoolCode, pulledAt },
              ...fields,
            };
            if (fields.schoolCode === undefined) record.schoolCode = schoolCode;
            return record as unknown as ReadItem;
          } catch (error) {
            if (error instanceof RecordError) throw relocate(error, `${where} item ${item}`);
            throw error;
          }
        },
        ctx,
      );
      if (page === undefined || pageSize === undefined || items.length < pageSize) break;
    }
  }
  yield ctx.checkpointAt(latest.checkpoint() as unknown as Checkpoint);
}
