/**
 * The OneRoster 1.2 `filter` query parameter: `field op 'value'`, optionally joined to one more
 * predicate by `AND` or `OR` (the spec allows one logical operator). Operators: `=`, `!=`, `>`,
 * `>=`, `<`, `<=`, `~` (contains, case-insensitive). A field may be a dotted path into nested
 * objects and arrays (`roles.role`, `class.sourcedId`): a predicate on an array holds when it holds
 * for any element, as most providers implement it.
 */

export type Operator = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~';

export interface Predicate {
  field: string;
  op: Operator;
  value: string;
}

export interface Filter {
  predicates: Predicate[];
  logical: 'AND' | 'OR';
}

/** A filter the provider cannot read; the server answers 400 with codeMinor `invalid_filter_field`. */
export class FilterSyntaxError extends Error {
  readonly code = 'invalid_filter_field';
}

const PREDICATE = /^\s*([A-Za-z][\w.]*)\s*(!=|>=|<=|=|>|<|~)\s*'((?:[^']|'')*)'\s*/;
const LOGICAL = /^\s*(AND|OR)\s+/;

/**
 * Parses a filter expression.
 *
 * @example
 * parseFilter("dateLastModified>'2026-01-01T00:00:00Z' AND role='student'")
 */
export function parseFilter(text: string): Filter {
  const predicates: Predicate[] = [];
  let logical: 'AND' | 'OR' = 'AND';
  let rest = text.trim();
  for (;;) {
    const m = PREDICATE.exec(rest);
    if (!m) throw new FilterSyntaxError(`cannot read the filter at "${rest.slice(0, 40)}"`);
    predicates.push({ field: m[1]!, op: m[2] as Operator, value: m[3]!.replace(/''/g, "'") });
    rest = rest.slice(m[0].length);
    if (rest === '') break;
    const l = LOGICAL.exec(rest);
    if (!l) throw new FilterSyntaxError(`expected AND or OR at "${rest.slice(0, 40)}"`);
    if (predicates.length >= 2) throw new FilterSyntaxError('a filter may join at most two predicates');
    logical = l[1] as 'AND' | 'OR';
    rest = rest.slice(l[0].length);
  }
  return { predicates, logical };
}

/** Every value at a dotted path, arrays flattened. */
function valuesAt(entity: unknown, path: readonly string[]): unknown[] {
  if (path.length === 0) return Array.isArray(entity) ? entity.flatMap((e) => valuesAt(e, path)) : [entity];
  if (Array.isArray(entity)) return entity.flatMap((e) => valuesAt(e, path));
  if (entity === null || typeof entity !== 'object') return [];
  return valuesAt((entity as Record<string, unknown>)[path[0]!], path.slice(1));
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

function compare(actual: unknown, expected: string): number | undefined {
  if (actual === undefined || actual === null) return undefined;
  if (typeof actual === 'number') {
    const n = Number(expected);
    return Number.isNaN(n) ? undefined : Math.sign(actual - n);
  }
  if (typeof actual === 'boolean') return String(actual) === expected ? 0 : 1;
  const text = String(actual);
  if (ISO_DATE.test(text) && ISO_DATE.test(expected)) {
    // Dates compare as instants, so "2026-01-01" and "2026-01-01T00:00:00Z" mean the same moment.
    const a = Date.parse(text);
    const b = Date.parse(expected);
    if (!Number.isNaN(a) && !Number.isNaN(b)) return Math.sign(a - b);
  }
  return text < expected ? -1 : text > expected ? 1 : 0;
}

function holds(entity: unknown, p: Predicate): boolean {
  const values = valuesAt(entity, p.field.split('.'));
  if (p.op === '!=') return values.every((v) => compare(v, p.value) !== 0);
  return values.some((v) => {
    if (p.op === '~') return String(v).toLowerCase().includes(p.value.toLowerCase());
    const c = compare(v, p.value);
    if (c === undefined) return false;
    switch (p.op) {
      case '=':
        return c === 0;
      case '>':
        return c > 0;
      case '>=':
        return c >= 0;
      case '<':
        return c < 0;
      case '<=':
        return c <= 0;
      default:
        return false;
    }
  });
}

/** True when the entity passes the filter. */
export function matches(entity: unknown, filter: Filter): boolean {
  return filter.logical === 'AND'
    ? filter.predicates.every((p) => holds(entity, p))
    : filter.predicates.some((p) => holds(entity, p));
}
