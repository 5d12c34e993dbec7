import { createHash } from 'node:crypto';

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
