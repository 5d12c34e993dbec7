/**
 * Compiles a profile's field mapping into a function from a vendor record to a canonical record,
 * once per read: pointers are split, code lists built and memoised, and the canonical schema
 * consulted for which fields are required, so mapping 100,000 records costs little more than
 * reading them. A value that cannot be mapped throws a RecordError naming the canonical field;
 * the caller adds where the record is (`mapEach` turns it into a `rejected` signal).
 */
import type { z } from 'zod';
import { errorMessage, RECORD_SCHEMAS, type RecordType } from '../../src/model/index.ts';
import { codeList, type DateFormat, PermanentError, parseDate, RecordError } from '../../src/sdk/index.ts';
import type { FieldSpec, FieldSpecObject } from './profile.ts';

type Getter = (record: unknown) => unknown;

/** A JSON pointer (RFC 6901), split once. */
export function compilePointer(pointer: string): Getter {
  if (pointer === '' || pointer === '/') return (v) => v;
  const parts = pointer
    .replace(/^\//, '')
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (parts.length === 1) {
    const p = parts[0]!;
    return (v) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined);
  }
  return (value) => {
    let node = value;
    for (const part of parts) {
      if (node === null || typeof node !== 'object') return undefined;
      node = (node as Record<string, unknown>)[part];
    }
    return node;
  };
}

/**
 * A key template, `student-{/maHocSinh}` or `class-{/maTruong}-{/maLop}`: literal text with JSON
 * pointers in braces. A missing id part throws `RECORD_KEY_MISSING`.
 */
export function compileKeyTemplate(template: string, prefix: string): (record: unknown) => string {
  const pieces: Array<string | Getter> = [];
  let last = 0;
  for (const m of template.matchAll(/\{(\/[^}]*)\}/g)) {
    if (m.index > last) pieces.push(template.slice(last, m.index));
    pieces.push(compilePointer(m[1]!));
    last = m.index + m[0].length;
  }
  if (last < template.length) pieces.push(template.slice(last));
  return (record) => {
    let key = prefix;
    for (const piece of pieces) {
      if (typeof piece === 'string') {
        key += piece;
        continue;
      }
      const v = piece(record);
      if (v === undefined || v === null || v === '') {
        // RECORD_KEY_MISSING, not KEY_MISSING: that code is the keyring's (a setting), this one a record's.
        throw new RecordError('RECORD_KEY_MISSING', errorMessage('RECORD_KEY_MISSING', { template }), {
          field: 'key',
        });
      }
      key += String(v);
    }
    return key;
  };
}

const empty = (v: unknown) => v === undefined || v === null || v === '';

/** A RecordError thrown deeper, with its place and the full field path. */
export function relocate(error: RecordError, location: string | undefined, field = error.field): RecordError {
  return new RecordError(error.code, error.message, {
    ...(location ? { location } : {}),
    ...(field ? { field } : {}),
    cause: error,
  });
}

function isRequired(shape: Record<string, z.ZodType> | undefined, field: string): boolean {
  const schema = shape?.[field];
  return schema ? !schema.safeParse(undefined).success : false;
}

function objectShape(schema: z.ZodType | undefined): Record<string, z.ZodType> | undefined {
  return (schema as { shape?: Record<string, z.ZodType> } | undefined)?.shape;
}

/**
 * The shape of a list field's elements (`guardians`, a receivable's `items`), to know which of
 * their fields are required: through `.default()`/`.optional()` to the array, then its element.
 */
function elementShape(schema: z.ZodType | undefined): Record<string, z.ZodType> | undefined {
  let current = schema as { def?: { type?: string; innerType?: z.ZodType; element?: z.ZodType } } | undefined;
  while (current?.def?.innerType) current = current.def.innerType as typeof current;
  return current?.def?.type === 'array' ? objectShape(current.def.element) : undefined;
}

/** Shapes of the canonical record types (an assessment is a union: the first option's shape). */
function shapeOf(type: RecordType): Record<string, z.ZodType> | undefined {
  const schema = RECORD_SCHEMAS[type] as z.ZodType;
  return objectShape(schema) ?? objectShape((schema as { options?: z.ZodType[] }).options?.[0]);
}

type FieldFn = (record: unknown) => unknown;

function coerce(type: NonNullable<FieldSpecObject['type']>, field: string): (v: unknown) => unknown {
  const bad = (what: string) =>
    new RecordError(
      'FIELD_INVALID',
      `${field}: không phải ${what} / not ${what === 'số nguyên' ? 'an integer' : what}`,
      {
        field,
      },
    );
  // An element of a list is named by its place (`regular.2`), never by its value (personal data).
  const badAt = (i: number, what: string) =>
    new RecordError('FIELD_INVALID', `${field}.${i}: không phải số / not ${what}`, {
      field: `${field}.${i}`,
    });
  switch (type) {
    case 'string':
      return (v) =>
        typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
    case 'integer':
      return (v) => {
        const n = typeof v === 'number' ? v : Number(String(v).trim());
        if (!Number.isInteger(n)) throw bad('số nguyên');
        return n;
      };
    case 'number':
      return (v) => {
        const n = typeof v === 'number' ? v : Number(String(v).trim().replace(',', '.'));
        if (!Number.isFinite(n)) throw bad('a number');
        return n;
      };
    case 'boolean':
      return (v) => {
        if (typeof v === 'boolean') return v;
        const s = String(v).trim().toLowerCase();
        if (['true', '1', 'yes', 'có', 'co'].includes(s)) return true;
        if (['false', '0', 'no', 'không', 'khong'].includes(s)) return false;
        throw bad('true/false');
      };
    case 'string[]':
      return (v) => listOf(v).map(String);
    case 'integer[]':
      return (v) =>
        listOf(v).map((x) => {
          const n = typeof x === 'number' ? x : Number(String(x).trim());
          if (!Number.isInteger(n)) throw bad('số nguyên');
          return n;
        });
    case 'number[]':
      // Marks: a comma is a decimal comma ("7,5"), so text is split on ";" only.
      return (v) =>
        listOf(v, /;/).map((x, i) => {
          const n = typeof x === 'number' ? x : decimal(x);
          if (!Number.isFinite(n)) throw badAt(i, 'a number');
          return n;
        });
  }
}

/** "7,5" or " 7.5 " → 7.5; anything else that is not a plain decimal → NaN (never 0 for ""). */
function decimal(x: unknown): number {
  if (typeof x !== 'string') return Number.NaN;
  const s = x.trim().replace(',', '.');
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(s) ? Number(s) : Number.NaN;
}

/** An array as is; text split on `,` or `;` (`"6,7,8,9"`), or on `separator`. */
function listOf(v: unknown, separator: RegExp = /[,;]/): unknown[] {
  return Array.isArray(v)
    ? v
    : String(v)
        .split(separator)
        .map((s) => s.trim())
        .filter(Boolean);
}

function memoCodes(table: Record<string, string[]>, field: string): (v: unknown) => string {
  const lookup = codeList(table, field);
  const memo = new Map<unknown, string>();
  return (v) => {
    const hit = memo.get(v);
    if (hit !== undefined) return hit;
    const code = lookup(v);
    if (memo.size < 10_000) memo.set(v, code);
    return code;
  };
}

interface CompileContext {
  codeLists: Record<string, Record<string, string[]>>;
}

function compileField(
  field: string,
  spec: FieldSpec,
  required: boolean,
  elementShape: Record<string, z.ZodType> | undefined,
  c: CompileContext,
): FieldFn {
  const s: FieldSpecObject = typeof spec === 'string' ? { pointer: spec } : spec;
  if (s.each !== undefined) {
    const list = compilePointer(s.each);
    const element = compileObject(s.fields ?? {}, elementShape, c);
    return (record) => {
      const raw = list(record);
      if (empty(raw)) {
        if (required) throw missing(field);
        return s.default;
      }
      // XML and some JSON APIs give one element where a list has one: a list all the same.
      const items = Array.isArray(raw) ? raw : [raw];
      const out = new Array(items.length);
      for (let i = 0; i < items.length; i++) {
        try {
          out[i] = element(items[i]);
        } catch (error) {
          if (error instanceof RecordError)
            throw relocate(error, undefined, `${field}.${i}.${error.field ?? ''}`);
          throw error;
        }
      }
      return out;
    };
  }
  if (s.const !== undefined) return () => s.const;
  const get = compilePointer(s.pointer ?? '');
  const steps: Array<(v: unknown) => unknown> = [];
  if (s.codes) steps.push(memoCodes(c.codeLists[s.codes]!, field));
  else if (s.date) {
    const formats = (Array.isArray(s.date) ? s.date : [s.date]) as DateFormat[];
    steps.push((v) => parseDate(v, { field, formats }));
  } else {
    steps.push(coerce(s.type ?? 'string', field));
  }
  if (s.type && (s.codes || s.date)) steps.push(coerce(s.type, field));
  const fallback = s.default;
  const step = steps.length === 1 ? steps[0]! : (v: unknown) => steps.reduce((acc, f) => f(acc), v);
  return (record) => {
    const raw = get(record);
    if (empty(raw)) {
      if (fallback !== undefined) return fallback;
      if (required) throw missing(field);
      return undefined;
    }
    return step(typeof raw === 'string' ? raw.trim() : raw);
  };
}

function missing(field: string): RecordError {
  return new RecordError('FIELD_MISSING', `${field}: thiếu giá trị / the value is missing`, { field });
}

function compileObject(
  fields: Record<string, FieldSpec>,
  shape: Record<string, z.ZodType> | undefined,
  c: CompileContext,
): (record: unknown) => Record<string, unknown> {
  const fns: Array<[string, FieldFn]> = Object.entries(fields).map(([name, spec]) => {
    return [name, compileField(name, spec, isRequired(shape, name), elementShape(shape?.[name]), c)];
  });
  return (record) => {
    const out: Record<string, unknown> = {};
    for (const [name, fn] of fns) {
      const v = fn(record);
      if (v !== undefined) out[name] = v;
    }
    return out;
  };
}

/**
 * Compiles the mapping of one stream: a function from a vendor record to the canonical record's
 * own fields (without `type`, `key` and `source`, which the reader adds).
 *
 * @example
 * const map = compileMapping('student', { fullName: '/hoTen', birthDate: { pointer: '/ngaySinh', date: 'dd/MM/yyyy' } }, {});
 * // throws PermanentError PROFILE_INVALID: studentCode, gender … are required and not mapped
 */
export function compileMapping(
  type: RecordType,
  fields: Record<string, FieldSpec>,
  codeLists: Record<string, Record<string, string[]>>,
  /** Fields the reader fills itself when the record has none (`schoolCode` from config). */
  provided: readonly string[] = [],
): (record: unknown) => Record<string, unknown> {
  const shape = shapeOf(type);
  const ctx: CompileContext = { codeLists };
  const object = compileObject(fields, shape, ctx);
  // Required canonical fields the profile does not map at all: every record would fail, so say
  // it once, now.
  const unmapped = Object.keys(shape ?? {}).filter(
    (f) =>
      !['type', 'key', 'source'].includes(f) &&
      isRequired(shape, f) &&
      !(f in fields) &&
      !provided.includes(f),
  );
  if (unmapped.length > 0) {
    throw new PermanentError(
      'PROFILE_INVALID',
      `Hồ sơ không ánh xạ trường bắt buộc ${unmapped.join(', ')} của ${type} / the profile maps no ${unmapped.join(', ')} for ${type}`,
    );
  }
  return object;
}
