/**
 * Sandbox REST school system: a Vietnamese school-management system's API, serving a generated
 * district (people, classes, fee items and notices, and with `grades: true` the grade books and
 * learning results) with the vendor's own field names (see
 * records.ts), paging, an `updatedSince` filter, deletions, three kinds of authentication, and
 * misbehaviour on demand; and a fee book that takes payments written back (payments.ts).
 *
 * @example
 * const school = await startRestSchool({ schools: 1, auth: { type: 'apiKey', key: 'k' } });
 * await fetch(`${school.url}/api/v1/hoc-sinh?trang=1&kichThuoc=100`, { headers: { 'x-api-key': 'k' } });
 * school.state.mutate({ students: { update: 5, delete: 2 } });
 * school.state.payments.closeBooks(); // new payments refused with SO_DA_KHOA until openBooks()
 * await school.close();
 */
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { ADMIN_PREFIX, registerAdmin } from '../shared/admin.ts';
import { acceptFormBodies, type SimulatorAuth, SimulatorAuthenticator } from '../shared/auth.ts';
import { breakBody, FaultInjector, type FaultPlan, installFaults } from '../shared/faults.ts';
import type { RecordTable } from '../shared/table.ts';
import {
  type MutationRequest,
  type MutationResult,
  VENDOR_KINDS,
  VendorData,
  type VendorDataOptions,
  type VendorKind,
} from './data.ts';
import { PAYMENTS_PATH, VendorPayments } from './payments.ts';

export type { MutationRequest, MutationResult } from './data.ts';
export { PAYMENTS_PATH, type VendorPayment, VendorPayments } from './payments.ts';

export interface RestSchoolOptions extends VendorDataOptions {
  auth?: SimulatorAuth;
  /**
   * How lists page: `page` answers `{ tongSo, trang, kichThuoc, duLieu }` to `?trang=&kichThuoc=`
   * (or `?batDau=` for an offset); `nextLink` answers `{ duLieu, tiepTheo }` with a `Link` header
   * and no total, and follows its own `?conTro=` cursor.
   */
  paging?: 'page' | 'nextLink';
  /**
   * How deletions show: `tombstones` lists deleted records with `daXoa: true` in a delta read
   * (`capNhatTu` given); `endpoint` leaves them out of lists. `GET /api/v1/da-xoa` answers in both.
   */
  deletions?: 'tombstones' | 'endpoint';
  /** Default page size and the largest accepted (100 and 5,000). */
  defaultPageSize?: number;
  maxPageSize?: number;
  faults?: FaultPlan;
  port?: number;
  /** The address to listen on (default 127.0.0.1). */
  host?: string;
}

export interface RestSchoolState {
  data: VendorData;
  faults: FaultInjector;
  auth: SimulatorAuthenticator;
  /** Data requests answered (pages of lists), by path. */
  requests: Map<string, number>;
  /** The payments written back to the school (`POST /api/v1/thanh-toan`). */
  payments: VendorPayments;
  mutate(request: MutationRequest): MutationResult;
}

export interface RestSchool {
  url: string;
  close(): Promise<void>;
  state: RestSchoolState;
}

/** The routes of each kind and the name the deleted-records endpoint uses for it. */
export const REST_PATHS: Record<VendorKind, { path: string; kind: string; idFields: string[] }> = {
  students: { path: '/api/v1/hoc-sinh', kind: 'hoc-sinh', idFields: ['maHocSinh', 'maTruong'] },
  teachers: { path: '/api/v1/giao-vien', kind: 'giao-vien', idFields: ['maGiaoVien', 'maTruong'] },
  classes: { path: '/api/v1/lop', kind: 'lop', idFields: ['maLop', 'maTruong', 'namHoc'] },
  feeItems: {
    path: '/api/v1/khoan-thu',
    kind: 'khoan-thu',
    idFields: ['maKhoanThu', 'maTruong', 'namHoc'],
  },
  feeNotices: { path: '/api/v1/phieu-bao-thu', kind: 'phieu-bao-thu', idFields: ['soPhieu', 'maTruong'] },
  marks: {
    path: '/api/v1/so-diem',
    kind: 'so-diem',
    idFields: ['maTruong', 'namHoc', 'hocKy', 'maHocSinh', 'maMon'],
  },
  comments: {
    path: '/api/v1/so-nhan-xet',
    kind: 'so-nhan-xet',
    idFields: ['maTruong', 'namHoc', 'hocKy', 'maHocSinh', 'maMon'],
  },
  learningResults: {
    path: '/api/v1/ket-qua-hoc-tap',
    kind: 'ket-qua-hoc-tap',
    idFields: ['maTruong', 'namHoc', 'ky', 'maHocSinh'],
  },
};
export const DELETED_PATH = '/api/v1/da-xoa';
export const SCHOOLS_PATH = '/api/v1/truong';

function problem(status: number, title: string, detail?: string): string {
  return JSON.stringify({ type: 'about:blank', title, status, ...(detail ? { detail } : {}) });
}

const cursorOf = (offset: number) => Buffer.from(`o:${offset}`).toString('base64url');
function offsetOfCursor(cursor: string): number | undefined {
  const m = /^o:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : undefined;
}

export async function startRestSchool(options: RestSchoolOptions = {}): Promise<RestSchool> {
  const data = await VendorData.load(options);
  const faults = new FaultInjector(options.faults);
  const auth = new SimulatorAuthenticator(options.auth ?? { type: 'none' }, options.now);
  const paging = options.paging ?? 'page';
  const deletions = options.deletions ?? 'tombstones';
  const defaultSize = options.defaultPageSize ?? 100;
  const maxSize = options.maxPageSize ?? 5000;
  const requests = new Map<string, number>();

  // Close drops open connections: a client's keep-alive must not hold a test's teardown.
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, forceCloseConnections: true });
  acceptFormBodies(app);
  installFaults(app, faults, {
    exclude: [ADMIN_PREFIX, auth.tokenPath],
    render: (_kind, status) => ({
      contentType: 'application/problem+json',
      body: problem(
        status,
        status === 429 ? 'Quá nhiều yêu cầu / Too many requests' : 'Lỗi máy chủ / Server error',
      ),
    }),
  });
  auth.registerTokenEndpoint(app);
  const payments = new VendorPayments(data);
  const state: RestSchoolState = {
    data,
    faults,
    auth,
    requests,
    payments,
    mutate: (request) => data.mutate(request),
  };
  registerAdmin(app, {
    faults,
    mutate: (body) => data.mutate(body as MutationRequest),
    revokeTokens: () => auth.revokeTokens(),
    describe: () => ({
      students: data.students.size,
      teachers: data.teachers.size,
      classes: data.classes.size,
      feeItems: data.feeItems.size,
      feeNotices: data.feeNotices.size,
      marks: data.marks.size,
      comments: data.comments.size,
      learningResults: data.learningResults.size,
      payments: { held: payments.size, booksClosed: payments.booksClosed, ...payments.counters },
      auth: auth.counters,
      requests: Object.fromEntries(requests),
    }),
  });
  /** `{"closed": true}` closes the fee book (new payments refused), `{"closed": false}` opens it. */
  app.post(`${ADMIN_PREFIX}/books`, async (request) => {
    if ((request.body as { closed?: unknown } | undefined)?.closed === true) payments.closeBooks();
    else payments.openBooks();
    return { booksClosed: payments.booksClosed };
  });
  app.get(`${ADMIN_PREFIX}/payments`, async () => ({ payments: payments.all() }));

  // Everything under /api needs credentials.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    if (auth.accepts(request)) return;
    auth.counters.requestsRefused++;
    const challenge =
      auth.auth.type === 'basic'
        ? 'Basic realm="truong-hoc"'
        : auth.auth.type === 'oauth2'
          ? 'Bearer'
          : 'ApiKey';
    return reply
      .code(401)
      .header('www-authenticate', challenge)
      .type('application/problem+json')
      .send(problem(401, 'Chưa xác thực / Unauthorized'));
  });

  const send = (request: FastifyRequest, reply: FastifyReply, body: string) => {
    reply.type('application/json; charset=utf-8');
    return reply.send(request.fault === 'brokenPages' ? breakBody(body) : body);
  };

  type Query = Record<string, string | undefined>;
  function parseSince(q: Query, reply: FastifyReply): number | undefined | null {
    if (q.capNhatTu === undefined || q.capNhatTu === '') return undefined;
    const since = Date.parse(q.capNhatTu);
    if (Number.isNaN(since)) {
      reply
        .code(400)
        .type('application/problem+json')
        .send(problem(400, 'capNhatTu không hợp lệ / capNhatTu is not a timestamp'));
      return null;
    }
    return since;
  }

  for (const kind of VENDOR_KINDS) {
    const { path } = REST_PATHS[kind];
    const table = data.table(kind) as RecordTable<object>;
    app.get(path, async (request, reply) => {
      requests.set(path, (requests.get(path) ?? 0) + 1);
      const q = request.query as Query;
      const since = parseSince(q, reply);
      if (since === null) return reply;
      const size = Math.min(maxSize, Math.max(1, Number(q.kichThuoc) || defaultSize));
      const query = {
        ...(since !== undefined ? { since } : {}),
        includeDeleted: deletions === 'tombstones' && since !== undefined,
        ...(q.maTruong ? { group: q.maTruong } : {}),
      };
      let offset: number;
      if (q.conTro !== undefined) {
        const o = offsetOfCursor(q.conTro);
        if (o === undefined) {
          return reply
            .code(400)
            .type('application/problem+json')
            .send(problem(400, 'conTro không hợp lệ / invalid cursor'));
        }
        offset = o;
      } else if (q.batDau !== undefined) {
        offset = Math.max(0, Number(q.batDau) || 0);
      } else {
        offset = (Math.max(1, Number(q.trang) || 1) - 1) * size;
      }
      const rows = table.page(query, offset, size);
      if (request.fault === 'hollowPages') return send(request, reply, '{}');
      // A short or empty page keeps the total and the next link the whole page would have had.
      const shown =
        request.fault === 'emptyPages'
          ? []
          : request.fault === 'shortPages'
            ? rows.slice(0, Math.floor(rows.length / 2))
            : rows;
      if (paging === 'page') {
        const total = table.count(query);
        const page = Math.floor(offset / size) + 1;
        return send(
          request,
          reply,
          `{"tongSo":${total},"trang":${page},"kichThuoc":${size},"duLieu":[${shown.join(',')}]}`,
        );
      }
      let next: string | null = null;
      if (rows.length === size) {
        const params = new URLSearchParams({
          conTro: cursorOf(offset + rows.length),
          kichThuoc: String(size),
        });
        if (q.capNhatTu) params.set('capNhatTu', q.capNhatTu);
        if (q.maTruong) params.set('maTruong', q.maTruong);
        next = `${path}?${params}`;
        reply.header('link', `<${next}>; rel="next"`);
      }
      return send(request, reply, `{"duLieu":[${shown.join(',')}],"tiepTheo":${JSON.stringify(next)}}`);
    });
  }

  app.get(DELETED_PATH, async (request, reply) => {
    const q = request.query as Query;
    const since = parseSince(q, reply);
    if (since === null) return reply;
    const kind = VENDOR_KINDS.find((k) => REST_PATHS[k].kind === q.loai);
    if (!kind) {
      const kinds = VENDOR_KINDS.map((k) => REST_PATHS[k].kind).join(', ');
      return reply
        .code(400)
        .type('application/problem+json')
        .send(problem(400, `loai phải là một trong ${kinds} / loai must be one of ${kinds}`));
    }
    // A deleted record is named by its id fields only: the feed carries no personal data.
    const { idFields } = REST_PATHS[kind];
    const items = (data.table(kind) as RecordTable<object>).tombstones(since ?? 0).map((t) => {
      const item: Record<string, unknown> = { loai: q.loai };
      for (const f of idFields) item[f] = (t.record as Record<string, unknown>)[f];
      item.thoiGianXoa = new Date(t.deletedAt).toISOString();
      return item;
    });
    return send(request, reply, JSON.stringify({ tongSo: items.length, duLieu: items }));
  });

  app.post(PAYMENTS_PATH, async (request, reply) => {
    requests.set(PAYMENTS_PATH, (requests.get(PAYMENTS_PATH) ?? 0) + 1);
    const answer = payments.accept(request.body);
    if (answer.status === 400) {
      return reply
        .code(400)
        .type('application/problem+json')
        .send(problem(400, answer.title, answer.detail));
    }
    return send(request, reply, JSON.stringify(answer.body));
  });

  app.get(SCHOOLS_PATH, async (request, reply) =>
    send(request, reply, JSON.stringify({ tongSo: data.schools.length, duLieu: data.schools })),
  );

  const url = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  return { url, close: () => app.close(), state };
}
