// The modelled contracts of the city Education DB and SSC (`openapi/*.openapi.json`): fresh, every
// field marked with its provenance, and what the real mappings and simulators send and answer
// valid against them (checked with zod's own JSON Schema reader, `z.fromJSONSchema`).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CITY_RECORD_SCHEMAS, CITY_STREAMS, mapToCityEduDb } from '../mappings/city-edudb/v1/index.ts';
import {
  mapToSsc,
  paymentToSsc,
  SSC_OPERATIONS,
  SSC_RECORD_SCHEMAS,
  SSC_STREAMS,
} from '../mappings/ssc/v1/index.ts';
import {
  type CityEduDb,
  readDistrict,
  rosterFromRecords,
  startCityEduDb,
} from '../sandbox/city-edudb/index.ts';
import { generateDistrict, RECORD_STREAMS } from '../sandbox/generator/index.ts';
import { type Ssc, sandboxCollectionAccount, startSsc } from '../sandbox/ssc/index.ts';
import type { CanonicalRecord, Payment } from '../src/model/index.ts';
import {
  CITY_EDUDB_PROVENANCE,
  CITY_ROSTER_OPERATION,
  CONTRACTS,
  cityEduDbContract,
  documentProperties,
  markProvenance,
  ProvenanceError,
  provenanceCounts,
} from '../src/targets/contracts/index.ts';

type Json = Record<string, unknown>;

const STALE = (file: string) =>
  `openapi/${file} is out of date with the zod schemas or provenance tables: run \`npm run contracts\` and commit it`;

async function committed(file: string): Promise<Json> {
  return JSON.parse(await readFile(new URL(`../openapi/${file}`, import.meta.url), 'utf8')) as Json;
}

/** A zod validator of one component of a document, its refs resolved among the components. */
function validatorOf(document: Json) {
  const components = (document.components as { schemas: Json }).schemas;
  const defs = JSON.parse(JSON.stringify(components).replaceAll('#/components/schemas/', '#/$defs/')) as Json;
  const cache = new Map<string, z.ZodType>();
  return (name: string): z.ZodType => {
    expect(defs, `component ${name}`).toHaveProperty([name]);
    let v = cache.get(name);
    if (!v) {
      v = z.fromJSONSchema({ $defs: defs, $ref: `#/$defs/${name}` } as Parameters<
        typeof z.fromJSONSchema
      >[0]);
      cache.set(name, v);
    }
    return v;
  };
}

/** Asserts the value fits, naming the first issue when it does not. */
function expectValid(validator: z.ZodType, value: unknown, what: string) {
  const parsed = validator.safeParse(value);
  const issue = parsed.success ? undefined : parsed.error.issues[0];
  expect(issue && `${what}: ${issue.path.join('.')}: ${issue.message}`).toBeUndefined();
}

const document = (value: unknown) => value as Json;

describe.each(Object.keys(CONTRACTS))('%s', (file) => {
  it('is the committed copy of a fresh generation', async () => {
    expect(await committed(file), STALE(file)).toEqual(JSON.parse(JSON.stringify(CONTRACTS[file]!())));
  });

  it('is OpenAPI 3.1, says it is modelled, and points to its .md', async () => {
    const doc = await committed(file);
    const info = doc.info as { description: string };
    expect(doc.openapi).toBe('3.1.0');
    expect(info.description).toMatch(/as EduBridge models it/);
    expect(info.description).toMatch(/not published by the city/);
    expect(info.description).toContain(`openapi/${file.replace('.openapi.json', '.md')}`);
  });

  it('marks every property and header with x-provenance and x-source', async () => {
    const properties = documentProperties(await committed(file));
    expect(properties.length).toBeGreaterThan(50);
    const unmarked = properties.filter(
      (p) =>
        !['known', 'assumed', 'unknown'].includes(p.schema['x-provenance'] as string) ||
        typeof p.schema['x-source'] !== 'string' ||
        p.schema['x-source'] === '',
    );
    expect(unmarked.map((p) => p.where)).toEqual([]);
  });

  it('names an operation per path and defines every component it refers to', async () => {
    const doc = await committed(file);
    const text = JSON.stringify(doc);
    for (const [, group, name] of text.matchAll(/"#\/components\/(\w+)\/([^"]+)"/g))
      expect(doc.components, `#/components/${group}/${name}`).toHaveProperty([group!, name!]);
    for (const [path, item] of Object.entries(doc.paths as Json))
      expect((item as { post: { operationId: string } }).post.operationId, path).toBe(path.slice(5));
  });
});

describe('the provenance tables', () => {
  it('fail the generation on a field they do not mark, and on a mark no field uses', () => {
    const { HoTen: _name, ...student } = CITY_EDUDB_PROVENANCE.HocSinh!;
    const schemas = (cityEduDbContract().components as { schemas: Record<string, Json> }).schemas;
    const table = { ...CITY_EDUDB_PROVENANCE, HocSinh: student, Ghost: { Nothing: student.MaTruong! } };
    let error: unknown;
    try {
      markProvenance('city-edudb', structuredClone(schemas), {}, table);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProvenanceError);
    expect((error as ProvenanceError).missing).toContain('HocSinh.HoTen');
    expect((error as ProvenanceError).stale).toContain('Ghost.Nothing');
  });

  it('count what is known, assumed and unknown', () => {
    for (const build of Object.values(CONTRACTS)) {
      const counts = provenanceCounts(build());
      expect(counts.total).toBe(counts.known + counts.assumed + counts.unknown);
      expect(counts.unknown).toBeGreaterThan(0);
    }
  });
});

describe('records mapped from a generated district', () => {
  let records: CanonicalRecord[] = [];
  let city: { doc: Json; valid: (name: string) => z.ZodType };
  let ssc: { doc: Json; valid: (name: string) => z.ZodType };

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edubridge-contracts-'));
    try {
      await generateDistrict({ outDir: dir, schools: 1, seed: 7, classesPerGrade: 1, classSize: 6 });
      records = [...(await readDistrict(dir, RECORD_STREAMS)).values()].flat();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const cityDoc = await committed('city-edudb.openapi.json');
    const sscDoc = await committed('ssc.openapi.json');
    city = { doc: cityDoc, valid: validatorOf(cityDoc) };
    ssc = { doc: sscDoc, valid: validatorOf(sscDoc) };
  });

  const collectionAccounts = () =>
    Object.fromEntries(
      [...new Set(records.map((r) => r.source.schoolCode))].map((s) => [s, sandboxCollectionAccount(s)]),
    );

  it('fit the city contract: every kind, as records, items and batches of their operation', () => {
    const seen = new Set<string>();
    for (const r of records) {
      const mapped = mapToCityEduDb(r);
      if (!mapped) continue;
      seen.add(mapped.kind);
      expectValid(city.valid(mapped.kind), mapped.record, `${mapped.kind} ${r.key}`);
      const item = { key: r.key, kind: mapped.kind, record: mapped.record };
      expectValid(city.valid(`Item.${mapped.kind}`), item, `Item.${mapped.kind}`);
      const operation = CITY_STREAMS[mapped.stream].operation;
      expectValid(
        city.valid(`Batch.${operation}`),
        { idempotencyKey: `city-edudb:${mapped.stream}:1`, records: [item], deletes: [] },
        `Batch.${operation}`,
      );
    }
    expect([...seen].sort()).toEqual(Object.keys(CITY_RECORD_SCHEMAS).sort());
  });

  it('fit the SSC contract: fee items, notices (open ones with their QR) and payments', () => {
    const mapping = { collectionAccounts: collectionAccounts() };
    const seen = new Set<string>();
    for (const r of records) {
      if (r.type === 'payment') {
        seen.add('GiaoDich');
        expectValid(ssc.valid('GiaoDich'), paymentToSsc(r as Payment), `GiaoDich ${r.key}`);
        continue;
      }
      const mapped = mapToSsc(r, mapping);
      if (!mapped) continue;
      const { kind, record } = mapped.body;
      seen.add(kind);
      expectValid(ssc.valid(kind), record, `${kind} ${r.key}`);
      expectValid(
        ssc.valid(`Batch.${SSC_STREAMS.fees.operation}`),
        { idempotencyKey: 'ssc:fees:1', records: [{ key: mapped.key, kind, record }], deletes: [] },
        `Batch.${SSC_STREAMS.fees.operation}`,
      );
    }
    expect([...seen].sort()).toEqual([...Object.keys(SSC_RECORD_SCHEMAS), 'GiaoDich'].sort());
  });

  it('are refused by the documents when a required field is missing or an unknown one added', () => {
    const student = records.map(mapToCityEduDb).find((m) => m?.kind === 'HocSinh')!;
    const { HoTen: _name, ...nameless } = student.record;
    expect(city.valid('HocSinh').safeParse(nameless).success).toBe(false);
    expect(city.valid('HocSinh').safeParse({ ...student.record, GhiChu: 'x' }).success).toBe(false);

    const { required } = (city.doc.components as { schemas: Record<string, { required: string[] }> }).schemas
      .HocSinh!;
    const optional = new Set(
      Object.entries(CITY_RECORD_SCHEMAS.HocSinh.shape)
        .filter(([, s]) => s.safeParse(undefined).success)
        .map(([k]) => k),
    );
    expect(required).toEqual(Object.keys(CITY_RECORD_SCHEMAS.HocSinh.shape).filter((k) => !optional.has(k)));

    const mapping = { collectionAccounts: collectionAccounts() };
    const fee = records.map((r) => mapToSsc(r, mapping)).find((m) => m?.body.kind === 'KhoanThu')!;
    expect(ssc.valid('KhoanThu').safeParse({ ...fee.body.record, GhiChu: 'x' }).success).toBe(false);
  });
});

describe('the simulators speak the documented contracts', () => {
  let records: CanonicalRecord[] = [];
  let cityDb: CityEduDb;
  let sscServer: Ssc;
  let cityValid: (name: string) => z.ZodType;
  let sscValid: (name: string) => z.ZodType;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edubridge-contracts-'));
    try {
      await generateDistrict({ outDir: dir, schools: 1, seed: 11, classesPerGrade: 1, classSize: 4 });
      records = [...(await readDistrict(dir, RECORD_STREAMS)).values()].flat();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    cityDb = await startCityEduDb({ roster: rosterFromRecords(records, { unknownEvery: 3 }).roster });
    sscServer = await startSsc();
    cityValid = validatorOf(document(await committed('city-edudb.openapi.json')));
    sscValid = validatorOf(document(await committed('ssc.openapi.json')));
  });

  afterAll(async () => {
    await cityDb?.close();
    await sscServer?.close();
  });

  async function post(base: string, operation: string, body: unknown, key?: string) {
    const response = await fetch(`${base}/${operation}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-correlation-id': 'contracts-test',
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  it('city Education DB: every batch operation and the roster read', async () => {
    const statuses = new Set<string>();
    for (const [stream, { operation }] of Object.entries(CITY_STREAMS)) {
      const items = records
        .map((r) => ({ r, m: mapToCityEduDb(r) }))
        .filter(({ m }) => m?.stream === stream)
        .slice(0, 20)
        .map(({ r, m }) => ({ key: r.key, kind: m!.kind, record: m!.record }));
      const batch = { idempotencyKey: `contracts:${operation}`, records: items, deletes: [items[0]!.key] };
      expectValid(cityValid(`Batch.${operation}`), batch, `Batch.${operation}`);
      const answer = await post(cityDb.upstreamUrl, operation, batch, batch.idempotencyKey);
      expect(answer.status).toBe(200);
      expectValid(cityValid('BatchAnswer'), answer.body, `${operation} answer`);
      for (const r of (answer.body as { results: { status: string }[] }).results) statuses.add(r.status);
    }
    expect([...statuses].sort()).toEqual(['accepted', 'refused', 'review']);

    const school = records.find((r) => r.type === 'school')!.schoolCode;
    const request = { MaTruong: school };
    expectValid(cityValid('RosterRequest'), request, 'RosterRequest');
    const roster = await post(cityDb.upstreamUrl, CITY_ROSTER_OPERATION, request);
    expect(roster.status).toBe(200);
    expectValid(cityValid('RosterAnswer'), roster.body, 'RosterAnswer');

    const reused = await post(cityDb.upstreamUrl, 'giaovien', { records: [] }, 'contracts:hocsinh');
    expect(reused.status).toBe(409);
    expectValid(cityValid('Problem'), reused.body, 'Problem');
  });

  it('SSC: a batch of fees, the payment list page by page, and a receipt', async () => {
    const school = records.find((r) => r.type === 'school')!.schoolCode;
    const mapping = { collectionAccounts: { [school]: sandboxCollectionAccount(school) } };
    const items = records
      .map((r) => mapToSsc(r, mapping))
      .filter((m) => m !== undefined)
      .map((m) => ({ key: m.key, kind: m.body.kind, record: m.body.record }));
    const batch = { idempotencyKey: 'contracts:baothu', records: items, deletes: ['contracts:nothing'] };
    const operation = SSC_STREAMS.fees.operation;
    expectValid(sscValid(`Batch.${operation}`), batch, `Batch.${operation}`);
    const answer = await post(sscServer.upstreamUrl, operation, batch);
    expect(answer.status).toBe(200);
    expectValid(sscValid('BatchAnswer'), answer.body, 'BatchAnswer');
    const results = (answer.body as { results: { status: string }[] }).results;
    expect(results.slice(0, items.length).filter((r) => r.status !== 'accepted')).toEqual([]);

    const paid = sscServer.payNotices({ share: 1, seed: 3, at: '2026-02-20T10:00:00+07:00' });
    expect(paid.length).toBeGreaterThan(2);
    let cursor: string | null = null;
    let listed = 0;
    do {
      const request: Json = { MaTruong: school, limit: 2, ...(cursor ? { cursor } : {}) };
      expectValid(sscValid('PaymentListRequest'), request, 'PaymentListRequest');
      const page = await post(sscServer.upstreamUrl, SSC_OPERATIONS.listPayments, request);
      expect(page.status).toBe(200);
      expectValid(sscValid('PaymentPage'), page.body, 'PaymentPage');
      const body = page.body as { items: unknown[]; nextCursor: string | null };
      listed += body.items.length;
      cursor = body.nextCursor;
    } while (cursor !== null);
    expect(listed).toBe(paid.length);

    for (const LoaiChungTu of ['BIEN_LAI', 'HOA_DON'] as const) {
      const request = {
        idempotencyKey: `contracts:receipt:${LoaiChungTu}`,
        MaGiaoDich: paid[LoaiChungTu === 'BIEN_LAI' ? 0 : 1]!.MaGiaoDich,
        LoaiChungTu,
        NguoiMua: { Ten: 'Nguyễn Văn Hùng', DChi: 'TP. Hồ Chí Minh' },
      };
      expectValid(sscValid('ReceiptRequest'), request, 'ReceiptRequest');
      const doc = await post(sscServer.upstreamUrl, SSC_OPERATIONS.issueReceipt, request);
      expect(doc.status).toBe(200);
      expectValid(sscValid('Document'), doc.body, `Document ${LoaiChungTu}`);
    }
    const unknownPayment = await post(sscServer.upstreamUrl, SSC_OPERATIONS.issueReceipt, {
      MaGiaoDich: 'nope',
    });
    expect(unknownPayment.status).toBe(422);
    expectValid(sscValid('Problem'), unknownPayment.body, 'Problem');
  });
});
