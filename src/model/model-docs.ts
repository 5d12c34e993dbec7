/**
 * The canonical model for vendors, rendered from the zod schemas of `records.ts`: a JSON Schema per
 * record type (`schemas/model/`, zod 4's `toJSONSchema`) and `docs/model.md`, a table of each
 * record's fields with their meaning, format, code list and personal-data class. One source: the
 * meanings are the fields' `.meta()` (zod's global registry), the classes the marks of
 * `personal-data.ts`. Pure, so the test that the committed files are fresh renders them the same
 * way `npm run model-docs` writes them.
 */
import { z } from 'zod';
import ethnicities from '../../mappings/codes/ethnicities.json' with { type: 'json' };
import feeTypes from '../../mappings/codes/fee-types.json' with { type: 'json' };
import genders from '../../mappings/codes/genders.json' with { type: 'json' };
import provinces from '../../mappings/codes/provinces.json' with { type: 'json' };
import relationships from '../../mappings/codes/relationships.json' with { type: 'json' };
import statuses from '../../mappings/codes/student-statuses.json' with { type: 'json' };
import subjects from '../../mappings/codes/subjects.json' with { type: 'json' };
import teacherStatuses from '../../mappings/codes/teacher-statuses.json' with { type: 'json' };
import weekdays from '../../mappings/codes/weekdays.json' with { type: 'json' };
import { personalDataRegistry } from './personal-data.ts';
import { RECORD_SCHEMAS, RECORD_TYPES, type RecordType } from './records.ts';

/** Where the schemas say they live; `.example` is reserved, so no real host is named. */
export const MODEL_SCHEMA_BASE = 'https://edubridge.example/schemas/model/';
/** The folder of the JSON Schemas, from the repository's root. */
export const MODEL_SCHEMA_DIR = 'schemas/model';
/** The file of the whole model's docs, from the repository's root. */
export const MODEL_DOCS_FILE = 'docs/model.md';

type Json = Record<string, unknown>;

/** The code lists a field's `x-code-list` may name, by path. */
const CODE_LISTS: Record<string, { items: ReadonlyArray<{ code: string; name: string }> }> = {
  'mappings/codes/ethnicities.json': ethnicities,
  'mappings/codes/fee-types.json': feeTypes,
  'mappings/codes/genders.json': genders,
  'mappings/codes/provinces.json': provinces,
  'mappings/codes/relationships.json': relationships,
  'mappings/codes/student-statuses.json': statuses,
  'mappings/codes/subjects.json': subjects,
  'mappings/codes/teacher-statuses.json': teacherStatuses,
  'mappings/codes/weekdays.json': weekdays,
};
/** A list this long or shorter is written out in the docs; a longer one is linked. */
const LISTED = 12;

/** `schoolYear` → `school-year.schema.json`. */
export function schemaFileOf(type: RecordType): string {
  return `${type.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}.schema.json`;
}

/** The JSON Schema of one record type: what an adapter yields, as JSON (zod's input side). */
export function recordJsonSchema(type: RecordType): Json {
  const generated = z.toJSONSchema(RECORD_SCHEMAS[type], {
    target: 'draft-2020-12',
    // What an adapter hands the hub: fields with a default may be left out.
    io: 'input',
    override: (ctx) => {
      const mark = personalDataRegistry.get(ctx.zodSchema as unknown as z.ZodType);
      if (mark) ctx.jsonSchema['x-personal-data'] = mark.class;
    },
  }) as Json;
  const { $schema, title, description, ...rest } = generated;
  return { $schema, $id: `${MODEL_SCHEMA_BASE}${schemaFileOf(type)}`, title, description, ...rest };
}

/** Every file of `schemas/model/`, by name: one per record type, and `record.schema.json` for any. */
export function modelJsonSchemas(): Record<string, Json> {
  const files: Record<string, Json> = {};
  for (const type of RECORD_TYPES) files[schemaFileOf(type)] = recordJsonSchema(type);
  files['record.schema.json'] = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${MODEL_SCHEMA_BASE}record.schema.json`,
    title: 'Canonical record',
    description:
      'Bản ghi chuẩn / Any canonical record an adapter yields, told apart by `type`; docs/model.md describes each',
    oneOf: RECORD_TYPES.map((type) => ({ $ref: schemaFileOf(type) })),
  };
  return files;
}

// ---------------------------------------------------------------------------------------------
// docs/model.md

interface Row {
  path: string;
  schema: Json;
  required: boolean;
  /** For a field of one branch of a union: which (`evaluation` = `scored`). */
  when?: string;
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const code = (value: unknown) => `\`${String(value)}\``;

/** The fields of an object schema as rows, nested objects and lists of objects flattened. */
function rows(schema: Json, prefix: string, when?: string): Row[] {
  const variants = (schema.oneOf ?? schema.anyOf) as Json[] | undefined;
  if (variants?.every((v) => v.type === 'object')) return unionRows(variants, prefix);
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  const out: Row[] = [];
  for (const [name, property] of Object.entries(properties)) {
    const path = prefix ? `${prefix}.${name}` : name;
    out.push({ path, schema: property, required: required.has(name), ...(when ? { when } : {}) });
    if (property.type === 'object') out.push(...rows(property, path, when));
    const items = property.items as Json | undefined;
    if (property.type === 'array' && items && (items.type === 'object' || items.oneOf || items.anyOf)) {
      out.push(...rows(items, `${path}[]`, when));
    }
  }
  return out;
}

/**
 * The rows of a discriminated union: a field every branch has alike once, and a field of some
 * branches once per branch, with the discriminator's value that selects it.
 */
function unionRows(variants: Json[], prefix: string): Row[] {
  const constOf = (v: Json, name: string) => (v.properties as Record<string, Json>)[name]?.const;
  // The field whose value tells every branch apart (not `type`, the same in all of a record's).
  const discriminator = Object.keys((variants[0]!.properties ?? {}) as Json).find(
    (name) =>
      variants.every((v) => constOf(v, name) !== undefined) &&
      new Set(variants.map((v) => constOf(v, name))).size === variants.length,
  );
  const discriminatorPath = prefix ? `${prefix}.${discriminator}` : discriminator;
  const perVariant = variants.map((v) => {
    const value = discriminator ? (v.properties as Record<string, Json>)[discriminator]!.const : undefined;
    return rows(v, prefix, discriminator ? `${code(discriminator)} = ${code(value)}` : undefined);
  });
  const alike = (a: Row | undefined, b: Row) =>
    a !== undefined && a.required === b.required && JSON.stringify(a.schema) === JSON.stringify(b.schema);
  const out: Row[] = [];
  const done = new Set<string>();
  for (const row of perVariant.flat()) {
    if (done.has(row.path)) continue;
    done.add(row.path);
    const matches = perVariant.map((list) => list.find((r) => r.path === row.path));
    const { when: _when, ...plain } = row;
    if (row.path !== discriminatorPath && matches.every((r) => alike(r, row))) out.push(plain);
    else if (row.path === discriminatorPath) {
      for (const r of matches) if (r) out.push({ path: r.path, schema: r.schema, required: r.required });
    } else for (const r of matches) if (r) out.push(r);
  }
  return out;
}

const DATE_FORMATS: Record<string, string> = {
  date: '`YYYY-MM-DD`',
  'date-time': 'ISO 8601 with offset, `YYYY-MM-DDThh:mm:ss+07:00`',
  email: 'e-mail address',
};

/** How a value is written, as people read it. */
function formatOf(schema: Json): string {
  if (typeof schema['x-format'] === 'string') return schema['x-format'];
  if (schema.const !== undefined) return code(schema.const);
  if (Array.isArray(schema.enum)) return 'one of the codes';
  if (typeof schema.format === 'string' && DATE_FORMATS[schema.format]) return DATE_FORMATS[schema.format]!;
  const items = schema.items as Json | undefined;
  if (schema.type === 'array') {
    const min = typeof schema.minItems === 'number' ? `, at least ${schema.minItems}` : '';
    if (!items || items.type === 'object' || items.oneOf || items.anyOf) return `list${min}`;
    return `list of ${formatOf(items)}${min}`;
  }
  if (schema.type === 'object') return 'object';
  if (schema.type === 'boolean') return '`true` or `false`';
  if (schema.type === 'integer' || schema.type === 'number') {
    const what = schema.type === 'integer' ? 'whole number' : 'number';
    const min = schema.minimum ?? schema.exclusiveMinimum;
    const max = schema.maximum as number | undefined;
    if (min !== undefined && max !== undefined && max < 2 ** 31) return `${what}, ${min} to ${max}`;
    if (schema.exclusiveMinimum === 0) return `${what} above 0`;
    if (min === 0) return `${what}, 0 or more`;
    return what;
  }
  if (Array.isArray(schema.anyOf)) {
    return (schema.anyOf as Json[]).map((s) => s.const ?? formatOf(s)).join(' or ');
  }
  if (typeof schema.pattern === 'string') return `text matching ${code(schema.pattern)}`;
  if (schema.type === 'string') return schema.minLength ? 'text, not empty' : 'text';
  return '';
}

/** The codes a field takes: its list's file, and the codes with their names when few. */
function codeListOf(schema: Json): string {
  const file = schema['x-code-list'] as string | undefined;
  const values = (schema.enum ?? (schema.items as Json | undefined)?.enum) as unknown[] | undefined;
  if (!file && !values) return '';
  const list = file ? CODE_LISTS[file] : undefined;
  if (file && !list) throw new Error(`x-code-list names ${file}, which model-docs does not load`);
  const names = new Map((list?.items ?? []).map((item) => [item.code, item.name]));
  const link = file ? `[${file.split('/').at(-1)}](../${file})` : '';
  const shown = values ?? (list && list.items.length <= LISTED ? list.items.map((i) => i.code) : undefined);
  if (!shown) return `${link} (${list!.items.length} codes)`;
  const codes = shown.map((v) => (names.has(String(v)) ? `${code(v)} ${names.get(String(v))}` : code(v)));
  return [link, codes.join(', ')].filter(Boolean).join(': ');
}

const PERSONAL: Record<string, string> = {
  personal: 'personal',
  sensitive: '**sensitive**',
};

function requiredOf(row: Row): string {
  if (row.required) return 'yes';
  return row.schema.default !== undefined ? `no (default ${code(JSON.stringify(row.schema.default))})` : 'no';
}

/** The fields every record carries alike (`RecordKeySchema`, `SourceSchema`), described once. */
const COMMON = (path: string) => path === 'key' || path === 'source' || path.startsWith('source.');

function table(list: Row[]): string {
  const lines = [
    '| field | required | meaning | format | code list | personal data |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of list) {
    const meaning = `${(row.schema.description as string | undefined) ?? ''}${row.when ? ` (only when ${row.when})` : ''}`;
    const mark = row.schema['x-personal-data'] as string | undefined;
    lines.push(
      `| ${[
        code(row.path),
        requiredOf(row),
        meaning,
        formatOf(row.schema),
        codeListOf(row.schema),
        mark ? PERSONAL[mark]! : '',
      ]
        .map(cell)
        .join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/** `docs/model.md`, as `npm run model-docs` writes it. */
export function renderModelDocs(): string {
  const sections = RECORD_TYPES.map((type) => {
    const schema = recordJsonSchema(type);
    return [
      `## ${schema.title} (\`${type}\`)`,
      '',
      `${schema.description}.`,
      '',
      `JSON Schema: [\`${MODEL_SCHEMA_DIR}/${schemaFileOf(type)}\`](../${MODEL_SCHEMA_DIR}/${schemaFileOf(type)})`,
      '',
      table(rows(schema, '').filter((row) => !COMMON(row.path))),
    ].join('\n');
  });
  const common = rows(recordJsonSchema(RECORD_TYPES[0]!), '').filter((row) => COMMON(row.path));
  return `${[
    '# The canonical model',
    '',
    '_Mô hình dữ liệu chuẩn của EduBridge: các bản ghi mà adapter trả về._',
    '',
    '<!-- Generated by `npm run model-docs` from src/model/records.ts: edit the schemas, not this file. -->',
    '',
    "Every adapter translates its source's records into these, and every mapping translates these into a",
    "target's format. They are the zod schemas of `src/model/records.ts`, exported by the SDK",
    '(`edubridge/sdk`: `StudentSchema`, `Student` …); the same schemas as JSON Schema (draft 2020-12) are',
    `in \`${MODEL_SCHEMA_DIR}/\`, one file per record type and \`record.schema.json\` for any record. The schemas`,
    'check shape only; the domain rules (ID structure, Circular 22, guardians …) run in the hub after them',
    'and name their rule codes (`docs/errors.md`).',
    '',
    'How to read the tables:',
    '',
    '- **field**: `source.adapter` is a field of an object; `guardians[].fullName` a field of each item of a list.',
    '- **required**: a field that is not required may be left out; one with a default takes it when left out.',
    '  Text is trimmed where it must not be empty; any text is refused above 32,767 characters.',
    '- **code list**: the file in `mappings/codes/` whose codes the field takes, and the codes with their',
    '  Vietnamese names when there are few.',
    '- **personal data**, as Decree 356/2025/NĐ-CP (with the Personal Data Protection Law 91/2025/QH15, in',
    '  force from 1 January 2026) classes it: _personal_ is basic personal data (name, birth date, gender,',
    '  personal ID number, phone, e-mail, family relationships …); **sensitive** is sensitive personal data',
    '  (ethnic origin here; the model holds no health, religion or biometric data). The hub encrypts and',
    '  minimises by these marks. A record about a student is about a child as a whole: its other fields are',
    '  personal data too once linked to the student, and are handled as such; the marks name the fields that',
    '  identify or describe the person.',
    '## Every record',
    '',
    'Besides its own fields below, every record has a `type` (which record it is) and these:',
    '',
    table(common),
    '',
    ...sections.flatMap((section) => [section, '']),
  ].join('\n')}`;
}
