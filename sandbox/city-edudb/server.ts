/**
 * Simulator of the city Education DB (CSDL ngành, csdl.hcm.edu.vn), the system of record for
 * master data, as `openapi/city-edudb.md` models it. It sits behind the LGSP simulator (register
 * `${url}/api` as the upstream of a service) and:
 * - holds a roster per school (students, teachers, classes), seeded or empty;
 * - takes one batch upsert per stream, `{ idempotencyKey, records: [{ key, kind, record }], deletes }`
 *   (also inside the vnpt `{"data":[…]}` envelope), and answers per record;
 * - sends a master record whose code it does not know to its review list (`review`,
 *   `UNKNOWN_MASTER`) instead of creating it, and refuses operational data about unknown students;
 * - refuses what breaks its schema, naming the field; never deletes master data;
 * - applies an idempotency key once and answers its repeats with the first answer;
 * - moves a record to its new key when the item names its `previousKey` (a school corrected a code);
 * - misbehaves on demand and shows tests what it holds (`/_sandbox/...`).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import {
  CITY_RECORD_SCHEMAS,
  CITY_STREAMS,
  type CityRecordKind,
  type CityStream,
  MASTER_KINDS,
} from '../../mappings/city-edudb/v1/index.ts';

export type CityRecordStatus = 'accepted' | 'refused' | 'review';

export interface CityRecordResult {
  key: string;
  status: CityRecordStatus;
  code?: string;
  message?: string;
  /** The record's version in the city after the change (counts changes of content). */
  version?: string;
  deleted?: boolean;
}

export interface CityBatchAnswer {
  idempotencyKey: string;
  results: CityRecordResult[];
}

export interface CityFaultPlan {
  /** The next `count` batch calls answer 503 with `Retry-After`. */
  unavailable?: { count: number; retryAfterSeconds?: number };
  /**
   * Every batch call until `until` (epoch milliseconds) answers 503 with `Retry-After`: an outage
   * of a set length, however often the client tries (`unavailable` counts calls, so a client that
   * waits longer between tries would outlast a shorter outage).
   */
  outage?: { until: number; retryAfterSeconds?: number };
  /** The next `count` records are refused with this code and message. */
  refuse?: { count: number; code?: string; message?: string };
  /** Every call waits this long. */
  latencyMs?: number;
  /** The next `count` answers are cut-off JSON. */
  malformed?: { count: number };
  /**
   * The next `count` batch calls are applied, then answered only after `ms`: longer than the
   * client's timeout, this is the lost answer whose retry must not apply the batch twice.
   */
  stall?: { count: number; ms: number };
}

export interface HeldRecord {
  stream: CityStream;
  kind: CityRecordKind;
  record: Record<string, unknown>;
  version: number;
}

export interface ReviewEntry {
  key: string;
  kind: CityRecordKind;
  schoolCode: string;
  /** The master code the city did not know (MaHocSinh, MaCanBo, MaLop). */
  masterCode: string;
  record: Record<string, unknown>;
}

export interface SchoolRoster {
  HocSinh: Map<string, Record<string, unknown>>;
  GiaoVien: Map<string, Record<string, unknown>>;
  LopHoc: Map<string, Record<string, unknown>>;
}

export interface CityEduDbState {
  /** What the city holds from the hub, by the hub's record key. */
  held: Map<string, HeldRecord>;
  /** Master data per school (MaTruong), keyed by the master code. */
  rosters: Map<string, SchoolRoster>;
  /** Master records the city did not know: a person at the city decides. */
  review: Map<string, ReviewEntry>;
  /** Every idempotency key seen, with how many times. */
  idempotencyKeys: Map<string, number>;
  /** Batches applied (repeats of a key are not). */
  batchesApplied: number;
  /** Records moved to a new key (`previousKey`). */
  renamed: number;
  /**
   * How many times each record was written, by the hub's record key: a record written more often
   * than its content changed (its `version`) came in two batches, each applied.
   */
  applied: Map<string, number>;
  faultsInjected: { unavailable: number; refuse: number; malformed: number; stall: number };
}

export interface CityMasterRecord {
  kind: 'HocSinh' | 'GiaoVien' | 'LopHoc';
  record: Record<string, unknown>;
}

export interface CityEduDbOptions {
  /** Master data the city already holds (every record must fit the city's schema). */
  roster?: Iterable<CityMasterRecord>;
  faults?: CityFaultPlan;
  port?: number;
  /** The address to listen on (default 127.0.0.1). */
  host?: string;
}

export interface CityEduDb {
  /** Base URL; the batch API is under `${url}/api`. */
  url: string;
  /** What to register as the LGSP route of the service: `${url}/api`. */
  upstreamUrl: string;
  state: CityEduDbState;
  faults: { set(plan: CityFaultPlan): void; current(): CityFaultPlan };
  /** The roster of a school, as the reconciliation read returns it. */
  roster(schoolCode: string): CityRosterAnswer;
  /** What the city holds from the hub for a school (key → `{ kind, record }`). */
  contentOf(schoolCode?: string): Map<string, { kind: CityRecordKind; record: Record<string, unknown> }>;
  close(): Promise<void>;
}

export interface CityRosterAnswer {
  MaTruong: string;
  HocSinh: Record<string, unknown>[];
  GiaoVien: Record<string, unknown>[];
  LopHoc: Record<string, unknown>[];
}

const MASTER_CODE_FIELD = { HocSinh: 'MaHocSinh', GiaoVien: 'MaCanBo', LopHoc: 'MaLop' } as const;
const OPERATIONS = new Map<string, CityStream>(
  Object.entries(CITY_STREAMS).map(([stream, s]) => [s.operation, stream as CityStream]),
);

/** A class the hub has not seen refuses no less than a student: unknown, not invented. */
const REFERS_TO_STUDENT: ReadonlySet<CityRecordKind> = new Set(['GhiDanh', 'DiemMonHoc', 'KetQuaHocTap']);

const emptyRoster = (): SchoolRoster => ({ HocSinh: new Map(), GiaoVien: new Map(), LopHoc: new Map() });

/** The batch out of whichever envelope it came in. */
function unwrap(
  body: unknown,
  headerKey: string | undefined,
): { idempotencyKey?: string; records: unknown[]; deletes: unknown[] } | undefined {
  let b: unknown = body;
  if (b && typeof b === 'object' && !Array.isArray(b) && Array.isArray((b as { data?: unknown }).data))
    b = (b as { data: unknown[] }).data;
  if (Array.isArray(b)) {
    const first = b[0] as { records?: unknown } | undefined;
    if (b.length === 1 && first && typeof first === 'object' && Array.isArray(first.records)) b = first;
    else return { ...(headerKey ? { idempotencyKey: headerKey } : {}), records: b, deletes: [] };
  }
  if (!b || typeof b !== 'object') return undefined;
  const o = b as { idempotencyKey?: unknown; records?: unknown; deletes?: unknown };
  if (o.records !== undefined && !Array.isArray(o.records)) return undefined;
  if (o.deletes !== undefined && !Array.isArray(o.deletes)) return undefined;
  const key = typeof o.idempotencyKey === 'string' ? o.idempotencyKey : headerKey;
  return {
    ...(key ? { idempotencyKey: key } : {}),
    records: (o.records as unknown[]) ?? [],
    deletes: (o.deletes as unknown[]) ?? [],
  };
}

const sameContent = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export async function startCityEduDb(options: CityEduDbOptions = {}): Promise<CityEduDb> {
  const state: CityEduDbState = {
    held: new Map(),
    rosters: new Map(),
    review: new Map(),
    idempotencyKeys: new Map(),
    batchesApplied: 0,
    renamed: 0,
    applied: new Map(),
    faultsInjected: { unavailable: 0, refuse: 0, malformed: 0, stall: 0 },
  };
  let plan: CityFaultPlan = structuredClone(options.faults ?? {});
  const answers = new Map<string, { operation: string; answer: CityBatchAnswer }>();

  const rosterOf = (school: string) => {
    let r = state.rosters.get(school);
    if (!r) {
      r = emptyRoster();
      state.rosters.set(school, r);
    }
    return r;
  };
  for (const m of options.roster ?? []) {
    const parsed = CITY_RECORD_SCHEMAS[m.kind].safeParse(m.record);
    if (!parsed.success) throw new Error(`roster seed: ${m.kind} does not fit the city schema`);
    const rec = parsed.data as Record<string, unknown>;
    rosterOf(String(rec.MaTruong))[m.kind].set(String(rec[MASTER_CODE_FIELD[m.kind]]), rec);
  }

  const take = <K extends 'unavailable' | 'refuse' | 'malformed' | 'stall'>(
    kind: K,
  ): CityFaultPlan[K] | undefined => {
    const f = plan[kind] as { count: number } | undefined;
    if (!f || f.count <= 0) return undefined;
    f.count--;
    state.faultsInjected[kind]++;
    return plan[kind];
  };

  /** The time-based outage, while it lasts (counted with the `unavailable` faults). */
  function outage(): { retryAfterSeconds?: number } | undefined {
    if (!plan.outage || Date.now() >= plan.outage.until) return undefined;
    state.faultsInjected.unavailable++;
    return plan.outage;
  }

  function upsert(stream: CityStream, item: unknown, index: number): CityRecordResult {
    const i = item as { key?: unknown; kind?: unknown; record?: unknown } | null;
    const key = i && typeof i.key === 'string' && i.key !== '' ? i.key : `#${index}`;
    const refuse = (code: string, message: string): CityRecordResult => ({
      key,
      status: 'refused',
      code,
      message,
    });
    if (key.startsWith('#')) return refuse('SCHEMA_INVALID', 'Thiếu trường key / the item has no key');
    const kinds = CITY_STREAMS[stream].kinds as readonly string[];
    if (typeof i!.kind !== 'string' || !kinds.includes(i!.kind))
      return refuse(
        'SCHEMA_INVALID',
        `Trường kind phải là ${kinds.join('|')} / kind must be ${kinds.join('|')}`,
      );
    const kind = i!.kind as CityRecordKind;
    const parsed = CITY_RECORD_SCHEMAS[kind].safeParse(i!.record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.map(String).join('.') || 'record';
      return refuse(
        'SCHEMA_INVALID',
        `Trường ${field} không hợp lệ / field ${field} is invalid: ${issue.message}`,
      );
    }
    const record = parsed.data as Record<string, unknown>;
    const school = String(record.MaTruong);
    const roster = state.rosters.get(school) ?? emptyRoster();
    if (MASTER_KINDS.has(kind)) {
      const m = kind as keyof typeof MASTER_CODE_FIELD;
      const masterCode = String(record[MASTER_CODE_FIELD[m]]);
      if (!roster[m].has(masterCode)) {
        state.review.set(key, { key, kind, schoolCode: school, masterCode, record });
        return {
          key,
          status: 'review',
          code: 'UNKNOWN_MASTER',
          message: `${MASTER_CODE_FIELD[m]} chưa có trong CSDL ngành, chờ duyệt / ${MASTER_CODE_FIELD[m]} unknown to the city DB, held for review`,
        };
      }
    } else if (REFERS_TO_STUDENT.has(kind) && !roster.HocSinh.has(String(record.MaHocSinh))) {
      return refuse(
        'UNKNOWN_MASTER',
        'MaHocSinh chưa có trong CSDL ngành / MaHocSinh unknown to the city DB',
      );
    }
    const forced = take('refuse');
    if (forced)
      return refuse(forced.code ?? 'REFUSED', forced.message ?? 'Từ chối (sandbox) / refused (sandbox)');
    // The school changed the record's key: the city moves what it holds, history and all, so the
    // record is updated under its new key and never held twice.
    const previousKey =
      typeof (i as { previousKey?: unknown }).previousKey === 'string'
        ? ((i as { previousKey: string }).previousKey as string)
        : undefined;
    if (previousKey !== undefined && previousKey !== key && state.held.has(previousKey)) {
      const moved = state.held.get(previousKey)!;
      state.held.delete(previousKey);
      if (!state.held.has(key)) state.held.set(key, moved);
      state.renamed++;
    }
    const previous = state.held.get(key);
    const version =
      previous && sameContent(previous.record, record) && previous.kind === kind
        ? previous.version
        : (previous?.version ?? 0) + 1;
    state.held.set(key, { stream, kind, record, version });
    state.applied.set(key, (state.applied.get(key) ?? 0) + 1);
    state.review.delete(key);
    if (MASTER_KINDS.has(kind)) {
      const m = kind as keyof typeof MASTER_CODE_FIELD;
      // The fields the school may update replace the city's; the code never changes.
      roster[m].set(String(record[MASTER_CODE_FIELD[m]]), {
        ...roster[m].get(String(record[MASTER_CODE_FIELD[m]])),
        ...record,
      });
    }
    return { key, status: 'accepted', version: String(version) };
  }

  function remove(item: unknown): CityRecordResult {
    const key = typeof item === 'string' ? item : '';
    if (key === '')
      return {
        key: String(item),
        status: 'refused',
        code: 'SCHEMA_INVALID',
        message: 'delete key must be a string',
        deleted: true,
      };
    const held = state.held.get(key);
    if (held && MASTER_KINDS.has(held.kind))
      return {
        key,
        status: 'refused',
        code: 'MASTER_IMMUTABLE',
        message:
          'Dữ liệu gốc không được xóa (Thông tư 42/2021 Điều 10) / master data is never deleted (Circular 42/2021 Art. 10)',
        deleted: true,
      };
    state.held.delete(key);
    state.review.delete(key);
    return { key, status: 'accepted', deleted: true, ...(held ? { version: String(held.version + 1) } : {}) };
  }

  function rosterAnswer(school: string): CityRosterAnswer {
    const r = state.rosters.get(school) ?? emptyRoster();
    return {
      MaTruong: school,
      HocSinh: [...r.HocSinh.values()],
      GiaoVien: [...r.GiaoVien.values()],
      LopHoc: [...r.LopHoc.values()],
    };
  }

  const app: FastifyInstance = Fastify({
    logger: false,
    bodyLimit: 32 * 1024 * 1024,
    forceCloseConnections: true,
  });

  app.addHook('onRequest', async () => {
    if (plan.latencyMs) await new Promise((r) => setTimeout(r, plan.latencyMs));
  });

  app.post<{ Params: { operation: string } }>('/api/:operation', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return reply.code(404).send();
    const busy = take('unavailable') ?? outage();
    if (busy) {
      reply.header('retry-after', String(busy.retryAfterSeconds ?? 1));
      return reply
        .code(503)
        .send({ code: 'UNAVAILABLE', message: 'CSDL ngành đang bảo trì / the city DB is down' });
    }
    const operation = request.params.operation;
    if (operation === 'danhsach') {
      const body = Array.isArray(request.body) ? request.body[0] : request.body;
      const school = (body as { MaTruong?: unknown } | undefined)?.MaTruong;
      if (typeof school !== 'string' || school === '')
        return reply.code(400).send({ code: 'SCHEMA_INVALID', message: 'MaTruong is required' });
      return rosterAnswer(school);
    }
    const stream = OPERATIONS.get(operation);
    if (!stream) return reply.code(404).send({ code: 'NO_OPERATION', message: `no operation ${operation}` });
    const header = request.headers['idempotency-key'];
    const batch = unwrap(request.body, Array.isArray(header) ? header[0] : header);
    if (!batch)
      return reply.code(400).send({
        code: 'SCHEMA_INVALID',
        message: 'body must be { idempotencyKey, records: [], deletes: [] }',
      });
    if (!batch.idempotencyKey)
      return reply.code(400).send({ code: 'IDEMPOTENCY_KEY_MISSING', message: 'idempotencyKey is required' });
    const key = batch.idempotencyKey;
    state.idempotencyKeys.set(key, (state.idempotencyKeys.get(key) ?? 0) + 1);
    const seen = answers.get(key);
    let answer: CityBatchAnswer;
    if (seen) {
      if (seen.operation !== operation)
        return reply
          .code(409)
          .send({ code: 'IDEMPOTENCY_KEY_REUSED', message: 'the key was used for another operation' });
      answer = seen.answer;
    } else {
      answer = {
        idempotencyKey: key,
        results: [...batch.records.map((r, i) => upsert(stream, r, i)), ...batch.deletes.map(remove)],
      };
      answers.set(key, { operation, answer });
      state.batchesApplied++;
    }
    const stall = take('stall');
    if (stall) await new Promise((r) => setTimeout(r, stall.ms));
    if (take('malformed')) return reply.type('application/json').send('{"idempotencyKey":"');
    return answer;
  });

  app.get<{ Params: { school: string } }>('/api/roster/:school', async (request) =>
    rosterAnswer(request.params.school),
  );
  app.get<{ Querystring: { school?: string } }>('/_sandbox/records', async (request) =>
    Object.fromEntries(contentOf(request.query.school)),
  );
  app.get('/_sandbox/state', async () => ({
    held: state.held.size,
    review: [...state.review.values()].map(({ key, kind, schoolCode, masterCode }) => ({
      key,
      kind,
      schoolCode,
      masterCode,
    })),
    rosters: Object.fromEntries(
      [...state.rosters].map(([s, r]) => [
        s,
        { HocSinh: r.HocSinh.size, GiaoVien: r.GiaoVien.size, LopHoc: r.LopHoc.size },
      ]),
    ),
    idempotencyKeys: Object.fromEntries(state.idempotencyKeys),
    batchesApplied: state.batchesApplied,
    faults: plan,
    faultsInjected: state.faultsInjected,
  }));
  app.post('/_sandbox/faults', async (request) => {
    plan = structuredClone((request.body ?? {}) as CityFaultPlan);
    return plan;
  });

  function contentOf(school?: string) {
    const out = new Map<string, { kind: CityRecordKind; record: Record<string, unknown> }>();
    for (const [key, h] of state.held)
      if (school === undefined || h.record.MaTruong === school)
        out.set(key, { kind: h.kind, record: h.record });
    return out;
  }

  const url = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  return {
    url,
    upstreamUrl: `${url}/api`,
    state,
    faults: {
      set: (p) => {
        plan = structuredClone(p);
      },
      current: () => structuredClone(plan),
    },
    roster: rosterAnswer,
    contentOf,
    close: () => app.close(),
  };
}
