/**
 * Shared pieces of the OpenAPI 3.1 documents of the outside systems' contracts as EduBridge
 * models them (`openapi/<system>.openapi.json`): the zod schemas the code uses turned into
 * components by `z.toJSONSchema` (JSON Schema 2020-12, the dialect of OpenAPI 3.1), and every
 * property marked with where it comes from (`x-provenance`, `x-source`) from a provenance table
 * written by reading the ✅/⚠️/❓ marks of `openapi/<system>.md`. A property the table does not
 * mark, or a table entry no property uses, fails the generation: a new field cannot go unmarked.
 */
import { z } from 'zod';

/**
 * `known`: ✅ known from public sources; `assumed`: ⚠️ from a secondary source (one community
 * importer, the press, a proposal); `unknown`: ❓ our own assumption, configurable or to be asked.
 */
export type Provenance = 'known' | 'assumed' | 'unknown';

export interface FieldProvenance {
  provenance: Provenance;
  /** Where the mark comes from: the .md file's section and what it says. */
  source: string;
}

/**
 * Scope → property path → provenance. The scope of a component is its name up to the first `.`
 * (`Item.HocSinh` → `Item`), so one table entry marks a property shared by several components;
 * `header` marks the header parameters. Nested paths: `MonHoc[].MaMonHoc`, `NguoiMua.Ten`.
 */
export type ProvenanceTable = Readonly<Record<string, Readonly<Record<string, FieldProvenance>>>>;

export const known = (source: string): FieldProvenance => ({ provenance: 'known', source });
export const assumed = (source: string): FieldProvenance => ({ provenance: 'assumed', source });
export const unknown = (source: string): FieldProvenance => ({ provenance: 'unknown', source });

/** What the contract registries hold: a component `id`, and descriptions. */
export type ContractMeta = { id?: string; description?: string };
export type ContractRegistry = z.core.$ZodRegistry<ContractMeta>;

export const contractRegistry = (): ContractRegistry => z.registry<ContractMeta>();

/** A JSON Schema (or OpenAPI) object as plain JSON. */
export type Json = Record<string, unknown>;

export class ProvenanceError extends Error {
  constructor(
    readonly contract: string,
    /** `scope.path` of properties the table does not mark. */
    readonly missing: string[],
    /** `scope.path` of table entries no property uses. */
    readonly stale: string[],
  ) {
    super(
      [
        `${contract}: the provenance table does not match the schemas.`,
        ...(missing.length ? [`Unmarked (add to provenance.ts): ${missing.join(', ')}`] : []),
        ...(stale.length ? [`Marked but not in any schema (remove): ${stale.join(', ')}`] : []),
      ].join('\n'),
    );
    this.name = 'ProvenanceError';
  }
}

/**
 * The registry's schemas (those with an `id`) as OpenAPI components, refs between them as
 * `#/components/schemas/<id>`. The shape is what goes over the wire: the output of the schemas
 * (io "output"), except that an object which strips unknown keys (`z.object`, not
 * `z.strictObject`) does not forbid them: its reader ignores what it does not know.
 */
export function componentSchemas(registry: ContractRegistry): Record<string, Json> {
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'output',
    metadata: registry,
    uri: (id) => `#/components/schemas/${id}`,
    override: ({ zodSchema, jsonSchema }) => {
      const def = zodSchema._zod.def;
      if (def.type === 'object' && (def as z.core.$ZodObjectDef).catchall === undefined)
        delete jsonSchema.additionalProperties;
    },
  });
  const out: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    // OpenAPI 3.1 documents are JSON Schema 2020-12 throughout; the component key is its id.
    const { $schema: _dialect, $id: _id, ...rest } = schema as Json;
    out[id] = rest;
  }
  return out;
}

/** The provenance scope of a component: its name up to the first `.`. */
export const scopeOf = (component: string): string => component.split('.')[0]!;

/**
 * Marks every property of every component (and every header parameter) from the table, in
 * place; throws a ProvenanceError naming what is unmarked and what is marked for nothing.
 */
export function markProvenance(
  contract: string,
  schemas: Record<string, Json>,
  headers: Record<string, Json>,
  table: ProvenanceTable,
): void {
  const missing = new Set<string>();
  const used = new Set<string>();
  const mark = (target: Json, scope: string, path: string) => {
    const entry = table[scope]?.[path];
    if (!entry) {
      missing.add(`${scope}.${path}`);
      return;
    }
    used.add(`${scope}.${path}`);
    target['x-provenance'] = entry.provenance;
    target['x-source'] = entry.source;
  };
  const walk = (schema: unknown, scope: string, path: string) => {
    if (!isObject(schema)) return;
    if (isObject(schema.properties))
      for (const [name, property] of Object.entries(schema.properties)) {
        const at = path === '' ? name : `${path}.${name}`;
        if (isObject(property)) mark(property, scope, at);
        walk(property, scope, at);
      }
    if (schema.items !== undefined) walk(schema.items, scope, `${path}[]`);
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      const branches = schema[key];
      if (Array.isArray(branches)) for (const branch of branches) walk(branch, scope, path);
    }
  };
  for (const [component, schema] of Object.entries(schemas)) walk(schema, scopeOf(component), '');
  for (const [name, header] of Object.entries(headers)) mark(header, 'header', name);
  const stale = Object.entries(table)
    .flatMap(([scope, paths]) => Object.keys(paths).map((p) => `${scope}.${p}`))
    .filter((k) => !used.has(k));
  if (missing.size > 0 || stale.length > 0) throw new ProvenanceError(contract, [...missing], stale);
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `{ $ref: '#/components/<kind>/<name>' }`. */
export const ref = (kind: 'schemas' | 'parameters' | 'responses' | 'headers', name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});

/** A JSON body of a request or response. */
export const jsonContent = (schema: string) => ({ 'application/json': { schema: ref('schemas', schema) } });

/** One property of a document's component schemas, or one header parameter or header. */
export interface DocumentProperty {
  /** `<component>.<path>` (`KetQuaHocTap.MonHoc[].DiemTB`), or `header.<name>`. */
  where: string;
  schema: Json;
}

/**
 * Every property of the document's component schemas (a property in two branches of a union is
 * listed twice, under the same `where`), then every header parameter and header.
 */
export function documentProperties(document: Json): DocumentProperty[] {
  const out: DocumentProperty[] = [];
  const walk = (schema: unknown, where: string) => {
    if (!isObject(schema)) return;
    if (isObject(schema.properties))
      for (const [name, property] of Object.entries(schema.properties)) {
        const at = `${where}.${name}`;
        if (isObject(property)) out.push({ where: at, schema: property });
        walk(property, at);
      }
    if (schema.items !== undefined) walk(schema.items, `${where}[]`);
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      const branches = schema[key];
      if (Array.isArray(branches)) for (const branch of branches) walk(branch, where);
    }
  };
  const components = isObject(document.components) ? document.components : {};
  for (const [name, schema] of Object.entries(isObject(components.schemas) ? components.schemas : {}))
    walk(schema, name);
  for (const group of ['parameters', 'headers'] as const)
    for (const [name, header] of Object.entries(isObject(components[group]) ? components[group] : {}))
      if (isObject(header)) out.push({ where: `header.${name}`, schema: header });
  return out;
}

/** How many distinct properties (and headers) of a document carry each mark. */
export function provenanceCounts(document: Json): Record<Provenance | 'total', number> {
  const marks = new Map(documentProperties(document).map((p) => [p.where, p.schema['x-provenance']]));
  const counts = { known: 0, assumed: 0, unknown: 0, total: marks.size };
  for (const mark of marks.values())
    if (mark === 'known' || mark === 'assumed' || mark === 'unknown') counts[mark]++;
  return counts;
}

/**
 * What each contract's `schemas()` builds with: `add` registers a schema as a component `id`,
 * `described` gives a schema (a property, usually) its description.
 */
export function schemaBuilder(registry: ContractRegistry) {
  return {
    add<S extends z.ZodType>(schema: S, id: string, description?: string): S {
      registry.add(schema, { id, ...(description ? { description } : {}) });
      return schema;
    },
    described<S extends z.ZodType>(schema: S, description: string): S {
      registry.add(schema, { description });
      return schema;
    },
  };
}
