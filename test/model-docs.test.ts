// The canonical model as vendors read it: `schemas/model/*.schema.json` and `docs/model.md`, fresh
// from the zod schemas, every field described, personal data marked as the model marks it, and the
// JSON Schemas taking the records the hub takes (checked with zod's own JSON Schema reader).
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readDistrict } from '../sandbox/city-edudb/index.ts';
import { generateDistrict, RECORD_STREAMS } from '../sandbox/generator/index.ts';
import type { CanonicalRecord } from '../src/model/index.ts';
import {
  MODEL_DOCS_FILE,
  MODEL_SCHEMA_DIR,
  modelJsonSchemas,
  renderModelDocs,
  schemaFileOf,
} from '../src/model/model-docs.ts';
import { personalDataFields } from '../src/model/personal-data.ts';
import { RECORD_SCHEMAS, RECORD_TYPES, type RecordType } from '../src/model/records.ts';

type Json = Record<string, unknown>;

const STALE = (file: string) =>
  `${file} is out of date with the zod schemas of src/model/records.ts: run \`npm run model-docs\` and commit it`;

const root = new URL('../', import.meta.url);
const committed = async (file: string) => readFile(new URL(file, root), 'utf8');

/** Every property of a JSON Schema by dotted path (`guardians[].fullName`), union branches merged. */
function properties(schema: Json, prefix = ''): Array<{ path: string; schema: Json }> {
  const branches = (schema.oneOf ?? schema.anyOf) as Json[] | undefined;
  if (branches?.every((b) => b.type === 'object')) return branches.flatMap((b) => properties(b, prefix));
  return Object.entries((schema.properties ?? {}) as Record<string, Json>).flatMap(([name, property]) => {
    const path = prefix ? `${prefix}.${name}` : name;
    const items = property.items as Json | undefined;
    return [
      { path, schema: property },
      ...(property.type === 'object' ? properties(property, path) : []),
      ...(items && (items.type === 'object' || items.oneOf) ? properties(items, `${path}[]`) : []),
    ];
  });
}

describe('schemas/model', () => {
  const fresh = modelJsonSchemas();

  it('holds one schema per record type and one for any record, nothing else', async () => {
    const files = (await readdir(new URL(`${MODEL_SCHEMA_DIR}/`, root))).sort();
    expect(files, STALE(`${MODEL_SCHEMA_DIR}/`)).toEqual(Object.keys(fresh).sort());
    expect(Object.keys(fresh)).toEqual([...RECORD_TYPES.map(schemaFileOf), 'record.schema.json']);
  });

  it.each(Object.keys(fresh))('%s is the committed copy of a fresh generation', async (file) => {
    const path = `${MODEL_SCHEMA_DIR}/${file}`;
    expect(JSON.parse(await committed(path)), STALE(path)).toEqual(JSON.parse(JSON.stringify(fresh[file])));
  });

  it.each(RECORD_TYPES)('%s: every field says what it means; each names its $id, title and type', (type) => {
    const schema = fresh[schemaFileOf(type)]!;
    expect(schema.$id).toBe(`https://edubridge.example/schemas/model/${schemaFileOf(type)}`);
    expect(schema.title).toEqual(expect.any(String));
    expect(schema.description).toEqual(expect.any(String));
    const undescribed = properties(schema)
      .filter((p) => typeof p.schema.description !== 'string' || p.schema.description.length < 5)
      .map((p) => p.path);
    expect(undescribed, 'describe these fields with doc(…) in src/model/records.ts').toEqual([]);
  });

  it.each(RECORD_TYPES)('%s: marks as personal or sensitive exactly the fields the model marks', (type) => {
    const marked = Object.fromEntries(
      properties(fresh[schemaFileOf(type)]!)
        .filter((p) => p.schema['x-personal-data'] !== undefined)
        .map((p) => [p.path, p.schema['x-personal-data']]),
    );
    const model = Object.fromEntries(
      Object.entries(personalDataFields(RECORD_SCHEMAS[type])).map(([path, mark]) => [path, mark.class]),
    );
    expect(marked).toEqual(model);
  });

  it('marks ethnicity sensitive and the identity fields of students and guardians personal', () => {
    const student = Object.fromEntries(
      properties(fresh[schemaFileOf('student')]!).map((p) => [p.path, p.schema['x-personal-data']]),
    );
    expect(student).toMatchObject({
      ethnicityCode: 'sensitive',
      personalId: 'personal',
      fullName: 'personal',
      birthDate: 'personal',
      gender: 'personal',
      'guardians[].personalId': 'personal',
      'guardians[].phone': 'personal',
      'guardians[].relationship': 'personal',
    });
    expect(student.studentCode).toBeUndefined();
  });

  describe('against records of a generated district', () => {
    let records: CanonicalRecord[] = [];
    const validators = new Map<RecordType, z.ZodType>();

    beforeAll(async () => {
      const dir = await mkdtemp(join(tmpdir(), 'edubridge-model-docs-'));
      try {
        await generateDistrict({ outDir: dir, schools: 1, seed: 5, classesPerGrade: 1, classSize: 6 });
        records = [...(await readDistrict(dir, RECORD_STREAMS)).values()].flat();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      for (const type of RECORD_TYPES) {
        validators.set(
          type,
          z.fromJSONSchema(fresh[schemaFileOf(type)] as Parameters<typeof z.fromJSONSchema>[0]),
        );
      }
    });

    it('fit their type’s JSON Schema whenever the zod schema takes them', () => {
      const checked = new Set<string>();
      for (const record of records) {
        if (!RECORD_SCHEMAS[record.type].safeParse(record).success) continue;
        checked.add(record.type);
        const parsed = validators.get(record.type)!.safeParse(record);
        const issue = parsed.success ? undefined : parsed.error.issues[0];
        expect(issue && `${record.key}: ${issue.path.join('.')}: ${issue.message}`).toBeUndefined();
      }
      expect(checked.size).toBeGreaterThan(8);
    });

    it('refuse a record without a required field or with a malformed date, as the zod schema does', () => {
      const student = records.find((r) => r.type === 'student')!;
      const { fullName: _name, ...nameless } = student;
      const validator = validators.get('student')!;
      expect(validator.safeParse(nameless).success).toBe(false);
      expect(validator.safeParse({ ...student, birthDate: '05/09/2013' }).success).toBe(false);
      expect(RECORD_SCHEMAS.student.safeParse({ ...student, birthDate: '05/09/2013' }).success).toBe(false);
    });
  });
});

describe('docs/model.md', () => {
  it('is what npm run model-docs writes from the schemas', async () => {
    const text = await committed(MODEL_DOCS_FILE).catch(() => '(missing)');
    expect(text, STALE(MODEL_DOCS_FILE)).toBe(renderModelDocs());
  });

  it('has a section per record type, and a row per field of each', () => {
    const docs = renderModelDocs();
    for (const type of RECORD_TYPES) {
      expect(docs).toContain(`(\`${type}\`)`);
      for (const { path } of properties(modelJsonSchemas()[schemaFileOf(type)]!)) {
        expect(docs, `${type}.${path}`).toContain(`| \`${path}\` |`);
      }
    }
  });
});
