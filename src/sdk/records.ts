/**
 * Helpers for building canonical records in `read`.
 */
import type { Source } from '../model/index.ts';
import type { ReadContext, ReadItem } from './adapter.ts';
import { RecordError } from './errors.ts';

/**
 * The `source` block every canonical record carries.
 *
 * @example
 * ```ts
 * const source = recordSource(adapter, '79NB0001', ctx.now(), 'HocSinh.xlsx!Sheet1 row 12');
 * ```
 */
export function recordSource(
  adapter: { id: string; version: string },
  schoolCode: string,
  pulledAt: Date,
  location?: string,
): Source {
  return {
    adapter: adapter.id,
    adapterVersion: adapter.version,
    schoolCode,
    pulledAt: pulledAt.toISOString(),
    ...(location ? { location } : {}),
  };
}

/**
 * Maps source rows to read items, turning a RecordError thrown for one row into a `rejected`
 * signal so the stream goes on; any other error ends the read, as it should.
 *
 * @example
 * ```ts
 * yield* mapEach(rows, (row) => toStudent(row), ctx);
 * ```
 */
export async function* mapEach<T>(
  rows: AsyncIterable<T> | Iterable<T>,
  map: (row: T) => ReadItem | readonly ReadItem[] | undefined,
  ctx: Pick<ReadContext<unknown>, 'rejected' | 'signal'>,
): AsyncGenerator<ReadItem> {
  for await (const row of rows) {
    ctx.signal.throwIfAborted();
    let out: ReadItem | readonly ReadItem[] | undefined;
    try {
      out = map(row);
    } catch (error) {
      if (error instanceof RecordError) {
        yield ctx.rejected(error);
        continue;
      }
      throw error;
    }
    if (out === undefined) continue;
    if (Array.isArray(out)) yield* out as readonly ReadItem[];
    else yield out as ReadItem;
  }
}
