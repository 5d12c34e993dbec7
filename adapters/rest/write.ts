/**
 * Writing back into a REST source as its profile's `write` section declares: canonical records
 * (payments SSC reported) turned into the vendor's records field by field, sent in batches to the
 * write endpoint, and the vendor's per-record answers read back into one result per record. A
 * record the profile cannot express (a code the code list lacks) is refused here, without a
 * request; a record the vendor does not answer for is refused too: nothing passes as written
 * unless the source said so.
 */
import { createHash } from 'node:crypto';
import {
  atPointer,
  PermanentError,
  RecordError,
  WRITE_NOT_CONFIGURED,
  type WritableRecords,
  type WritableStream,
  type WriteContext,
  type WriteRecordResult,
  type WriteResult,
} from '../../src/sdk/index.ts';
import type { RestConfig } from './config.ts';
import type { Profile, WriteEndpoint } from './profile.ts';
import { clientFor } from './read.ts';

type Canonical = WritableRecords[WritableStream];
type Sent = { key: string; item: Record<string, unknown> };

const MAX_VENDOR_MESSAGE = 300;

/** The vendor's record for one canonical record; RecordError `CODE_UNMAPPED` for a code it lacks. */
export function toVendorRecord(
  record: Canonical,
  endpoint: WriteEndpoint,
  codeLists: Profile['codeLists'],
): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const [field, spec] of Object.entries(endpoint.fields)) {
    if (typeof spec !== 'string' && spec.const !== undefined) {
      item[field] = spec.const;
      continue;
    }
    const pointer = typeof spec === 'string' ? spec : spec.pointer!;
    let value = atPointer(record, pointer);
    if (value === undefined || value === null) continue;
    const list = typeof spec === 'string' ? undefined : spec.codes;
    if (list) {
      const label = codeLists[list]?.[String(value)]?.[0];
      if (label === undefined) {
        throw new RecordError(
          'CODE_UNMAPPED',
          `Danh mục "${list}" không có nhãn cho mã "${String(value)}" / Code list "${list}" has no label for code "${String(value)}"`,
          { field: pointer.replace(/^\//, '') },
        );
      }
      value = label;
    }
    item[field] = value;
  }
  return item;
}

/** The request body: the list itself, or an object holding it at `pointer`. */
function bodyWith(pointer: string, items: unknown[]): unknown {
  if (pointer === '' || pointer === '/') return items;
  const parts = pointer
    .replace(/^\//, '')
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const root: Record<string, unknown> = {};
  let node = root;
  parts.forEach((part, i) => {
    if (i === parts.length - 1) node[part] = items;
    else node = node[part] = {} as Record<string, unknown>;
  });
  return root;
}

const text = (value: unknown): string | undefined =>
  value === undefined || value === null ? undefined : String(value);

/** One result per record sent, from the vendor's answer. */
export function readWriteAnswer(
  answer: unknown,
  sent: readonly Sent[],
  results: WriteEndpoint['results'],
  source: string,
  path: string,
): WriteRecordResult[] {
  const items = atPointer(answer, results.items);
  if (!Array.isArray(items)) {
    throw new PermanentError(
      'RESPONSE_UNEXPECTED',
      `${path}: "${results.items}" không trỏ tới danh sách kết quả / "${results.items}" does not point at a list of results in ${source}'s answer`,
    );
  }
  const match = results.match;
  const byMatch = new Map<string, unknown>();
  if (match) for (const a of items) byMatch.set(text(atPointer(a, match)) ?? '', a);
  return sent.map(({ key, item }, index) => {
    const a = match ? byMatch.get(text(atPointer(item, match)) ?? '\u0000') : items[index];
    if (a === undefined) {
      return {
        key,
        status: 'refused',
        code: 'WRITE_UNANSWERED',
        message: `${source} không trả lời cho bản ghi này / ${source} gave no answer for this record`,
      };
    }
    const status = atPointer(a, results.status);
    if (results.written.some((w) => w === status)) return { key, status: 'written' };
    const said = text(results.message ? atPointer(a, results.message) : undefined);
    const code = text(results.code ? atPointer(a, results.code) : undefined) ?? text(status) ?? 'REFUSED';
    const message = `${source} từ chối / ${source} refused (${code})${said ? `: ${said}` : ''}`;
    return {
      key,
      status: 'refused',
      code,
      message: message.length > MAX_VENDOR_MESSAGE ? `${message.slice(0, MAX_VENDOR_MESSAGE)}…` : message,
    };
  });
}

/**
 * Writes records of a stream through the profile's write endpoint. PermanentError
 * `WRITE_NOT_CONFIGURED` when the profile declares none for the stream.
 */
export async function writeRest(
  profile: Profile,
  ctx: WriteContext<RestConfig>,
  stream: WritableStream,
  records: readonly Canonical[],
): Promise<WriteResult> {
  const endpoint = profile.write?.[stream];
  if (!endpoint) {
    throw new PermanentError(
      WRITE_NOT_CONFIGURED,
      `Hồ sơ "${profile.name}" không khai báo nơi ghi ${stream} / Profile "${profile.name}" declares no write endpoint for ${stream}`,
    );
  }
  const http = clientFor(ctx.config, ctx, profile);
  const results: WriteRecordResult[] = [];
  for (let start = 0; start < records.length; start += endpoint.batchSize) {
    ctx.signal.throwIfAborted();
    const sent: Sent[] = [];
    for (const record of records.slice(start, start + endpoint.batchSize)) {
      try {
        sent.push({ key: record.key, item: toVendorRecord(record, endpoint, profile.codeLists) });
      } catch (error) {
        if (!(error instanceof RecordError)) throw error;
        results.push({ key: record.key, status: 'refused', code: error.code, message: error.message });
      }
    }
    if (sent.length === 0) continue;
    // The same records give the same key: a vendor that honours it replays its first answer.
    const idempotencyKey = createHash('sha256')
      .update(sent.map((s) => s.key).join('\n'))
      .digest('hex')
      .slice(0, 32);
    const { body } = await http.request(endpoint.method, endpoint.path, {
      body: bodyWith(
        endpoint.items,
        sent.map((s) => s.item),
      ),
      headers: { 'idempotency-key': idempotencyKey },
    });
    results.push(...readWriteAnswer(body, sent, endpoint.results, profile.name, endpoint.path));
  }
  return { results };
}
