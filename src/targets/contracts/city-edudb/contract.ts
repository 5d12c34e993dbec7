/**
 * The city Education DB (CSDL ngành) contract as EduBridge models it, as an OpenAPI 3.1 document:
 * the record kinds are the mapping's zod schemas (`CITY_RECORD_SCHEMAS`), the operations those of
 * `CITY_STREAMS`, and the envelopes below are what `sandbox/city-edudb/server.ts` takes and
 * answers. Written to `openapi/city-edudb.openapi.json` by `npm run contracts`.
 */
import { z } from 'zod';
import {
  CITY_EDUDB_MAPPING_VERSION,
  CITY_RECORD_SCHEMAS,
  CITY_STREAMS,
  type CityRecordKind,
} from '../../../../mappings/city-edudb/v1/index.ts';
import { contractDocument } from '../document.ts';
import { headerParameters } from '../headers.ts';
import {
  componentSchemas,
  contractRegistry,
  type Json,
  jsonContent,
  ref,
  schemaBuilder,
} from '../openapi.ts';
import { CITY_EDUDB_PROVENANCE } from './provenance.ts';

/** The roster read (reconciliation), as `createCityEduDbTarget({ rosterOperation })` defaults it. */
export const CITY_ROSTER_OPERATION = 'danhsach';

const KIND_DESCRIPTIONS: Record<CityRecordKind, string> = {
  HocSinh:
    'Học sinh (student), master data: columns of the MOET template C1-HocSinh, C06 codes; parents inline, one per relationship. A student the city does not hold goes to its review list (`review`, `UNKNOWN_MASTER`).',
  GiaoVien:
    'Giáo viên (teacher), master data: columns of the MOET template CSDL_GiaoVien, C06 codes. A teacher the city does not hold goes to its review list.',
  LopHoc: 'Lớp học (class), master data. A class the city does not hold goes to its review list.',
  GhiDanh: "Ghi danh: a student's status in a class for a school year (operational data).",
  DiemMonHoc:
    "Điểm môn học: a subject's semester marks (Circular 22/2021), scored (`DiemSo`) or commented (`NhanXet`), with the semester average or result recomputed by the hub; null until midterm and final are in.",
  KetQuaHocTap:
    "Kết quả học tập: a student's semester or year summary (Circular 22/2021), the level recomputed by the hub (Art. 9(2)–(3)).",
  ThoiKhoaBieu: "Thời khóa biểu: one lesson of a class's weekly timetable.",
};

/** The operation of each stream, with the record kinds it carries. */
const operations = () =>
  Object.entries(CITY_STREAMS).map(([stream, s]) => ({
    stream,
    operation: s.operation,
    kinds: [...s.kinds] as CityRecordKind[],
  }));

function schemas(): Record<string, Json> {
  const registry = contractRegistry();
  const { add, described } = schemaBuilder(registry);
  const key = () =>
    described(
      z.string().min(1),
      "The hub's record key (`<source system>:<id>`): the city echoes it and deletes by it.",
    );

  for (const [kind, schema] of Object.entries(CITY_RECORD_SCHEMAS))
    add(schema, kind, KIND_DESCRIPTIONS[kind as CityRecordKind]);

  const items = new Map<CityRecordKind, z.ZodObject>();
  for (const kind of Object.keys(CITY_RECORD_SCHEMAS) as CityRecordKind[])
    items.set(
      kind,
      add(
        z.object({
          key: key(),
          kind: described(z.literal(kind), 'The city record type.'),
          record: CITY_RECORD_SCHEMAS[kind],
        }),
        `Item.${kind}`,
        `One ${kind} to create or update.`,
      ),
    );

  for (const { stream, operation, kinds } of operations()) {
    const [first, ...rest] = kinds.map((k) => items.get(k)!);
    const item = rest.length === 0 ? first! : z.discriminatedUnion('kind', [first!, ...rest]);
    add(
      z.object({
        idempotencyKey: described(
          z.string().min(1).optional(),
          'Applied once; here or in the `Idempotency-Key` header (one of the two is required).',
        ),
        records: described(
          z.array(item).optional(),
          `Records of stream \`${stream}\` to upsert; default [].`,
        ),
        deletes: described(z.array(key()).optional(), 'Record keys to delete; default [].'),
      }),
      `Batch.${operation}`,
      `A batch of stream \`${stream}\` (${kinds.join(', ')}).`,
    );
  }

  const result = add(
    z.object({
      key: described(z.string(), 'The record key of the upsert or delete.'),
      status: described(
        z.enum(['accepted', 'refused', 'review']),
        '`review`: master data the city does not hold, on its review list (the hub reads it as refused).',
      ),
      code: described(
        z.string().optional(),
        '`UNKNOWN_MASTER`, `SCHEMA_INVALID`, `MASTER_IMMUTABLE`, or the city’s own code.',
      ),
      message: described(z.string().optional(), 'Names the field for `SCHEMA_INVALID`.'),
      version: described(
        z.string().optional(),
        "The record's version in the city after the change (counts changes of content).",
      ),
      deleted: described(z.boolean().optional(), 'True on the result of a delete.'),
    }),
    'RecordResult',
    'The answer for one record or delete.',
  );
  add(
    z.object({
      idempotencyKey: z.string().min(1),
      results: described(z.array(result), 'One result per record, then one per delete, in order.'),
    }),
    'BatchAnswer',
    "The batch's answer, per record; a repeat of the key gets the first answer.",
  );

  add(z.object({ MaTruong: z.string().min(1) }), 'RosterRequest', 'The school whose roster to read.');
  add(
    z.object({
      MaTruong: z.string().min(1),
      HocSinh: z.array(CITY_RECORD_SCHEMAS.HocSinh),
      GiaoVien: z.array(CITY_RECORD_SCHEMAS.GiaoVien),
      LopHoc: z.array(CITY_RECORD_SCHEMAS.LopHoc),
    }),
    'RosterAnswer',
    "The school's master data the city holds, for reconciliation.",
  );
  add(z.object({ code: z.string().min(1), message: z.string() }), 'Problem', 'A refusal of the whole call.');
  return componentSchemas(registry);
}

const problem = (description: string) => ({ description, content: jsonContent('Problem') });

function responses(): Record<string, Json> {
  return {
    BatchAnswer: {
      description: 'Applied (or a repeat of the key): one result per record.',
      content: jsonContent('BatchAnswer'),
    },
    BadRequest: problem(
      '`SCHEMA_INVALID`: the body is not a batch; `IDEMPOTENCY_KEY_MISSING`: no key in the body or header.',
    ),
    KeyReused: problem('`IDEMPOTENCY_KEY_REUSED`: the key was used for another operation.'),
    Unavailable: {
      ...problem('`UNAVAILABLE`: the city DB is down; try again after `Retry-After`.'),
      headers: { 'Retry-After': ref('headers', 'Retry-After') },
    },
  };
}

function paths(): Json {
  const out: Json = {};
  for (const { stream, operation, kinds } of operations())
    out[`/api/${operation}`] = {
      post: {
        operationId: operation,
        tags: ['batch'],
        summary: `Upserts and deletes of stream \`${stream}\` (${kinds.join(', ')})`,
        description: [
          `One batch of \`${kinds.join('`, `')}\` records: \`{ idempotencyKey, records: [{ key, kind, record }], deletes: [key] }\`, answered per record.`,
          'Master data (HocSinh, GiaoVien, LopHoc) is created only in the city DB: one it does not hold goes to its review list (`review`, `UNKNOWN_MASTER`) and is never deleted (`MASTER_IMMUTABLE`, Circular 42/2021 Art. 10); operational data about a student it does not hold is refused (`UNKNOWN_MASTER`).',
          'Through vnpt-lgsp the body arrives wrapped as `{"data":[ batch ]}`, which the city accepts too.',
        ].join('\n\n'),
        parameters: headerParameters,
        requestBody: { required: true, content: jsonContent(`Batch.${operation}`) },
        responses: {
          '200': ref('responses', 'BatchAnswer'),
          '400': ref('responses', 'BadRequest'),
          '409': ref('responses', 'KeyReused'),
          '503': ref('responses', 'Unavailable'),
        },
      },
    };
  out[`/api/${CITY_ROSTER_OPERATION}`] = {
    post: {
      operationId: CITY_ROSTER_OPERATION,
      tags: ['roster'],
      summary: "A school's master data (students, teachers, classes), for reconciliation",
      parameters: headerParameters,
      requestBody: { required: true, content: jsonContent('RosterRequest') },
      responses: {
        '200': { description: "The school's roster.", content: jsonContent('RosterAnswer') },
        '400': problem('`SCHEMA_INVALID`: `MaTruong` is required.'),
        '503': ref('responses', 'Unavailable'),
      },
    },
  };
  return out;
}

const DESCRIPTION = [
  'The contract of the city Education DB (CSDL ngành, csdl.hcm.edu.vn) **as EduBridge models it. It is not published by the city**: the city publishes no API (shared/domain/README.md §4.1).',
  'EduBridge codes against it (`src/targets/city-edudb.ts`) and the simulator enforces it (`sandbox/city-edudb/`); the city is reached through the LGSP gateway (service `csdl-nganh`), which routes `POST {upstream}/{operation}` to it. The reasoning behind every field, and what is to be asked, is in `openapi/city-edudb.md`.',
  'Every schema property (and header) carries `x-provenance`: `known` (✅ known from public sources), `assumed` (⚠️ secondary: community importers, one source) or `unknown` (❓ our assumption: configurable or to be asked), with `x-source` saying where the mark comes from (`src/targets/contracts/city-edudb/provenance.ts`).',
  `Generated by \`npm run contracts\` from the zod schemas of \`mappings/city-edudb/${CITY_EDUDB_MAPPING_VERSION}/\` and \`src/targets/contracts/city-edudb/contract.ts\`: do not edit by hand. Checks beyond JSON Schema (a grade that matches the class name, recomputed averages) are the mapping's.`,
].join('\n\n');

/** The OpenAPI 3.1 document of the city Education DB contract. */
export function cityEduDbContract(): Json {
  return contractDocument({
    contract: 'city-edudb',
    system: 'The city',
    title: 'City Education DB (CSDL ngành): the contract as EduBridge models it',
    version: CITY_EDUDB_MAPPING_VERSION,
    description: DESCRIPTION,
    server:
      'The upstream the LGSP gateway routes service `csdl-nganh` to; the simulator serves it at `startCityEduDb().url`.',
    tags: [
      { name: 'batch', description: 'One batch upsert per stream' },
      { name: 'roster', description: 'Reading master data back' },
    ],
    schemas: schemas(),
    responses: responses(),
    paths: paths(),
    provenance: CITY_EDUDB_PROVENANCE,
  });
}
