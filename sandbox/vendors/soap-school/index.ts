/**
 * Sandbox SOAP school service: the same vendor database as the REST simulator, behind a SOAP 1.1
 * service with a WSDL (`GET /soap/TruongHoc?wsdl`), HTTP basic authentication, SOAP faults for
 * errors, and misbehaviour on demand. A small hand-written handler: requests are parsed with
 * fast-xml-parser (entities off), answers written in the WSDL's element order.
 *
 * @example
 * const service = await startSoapSchool({ schools: 1, auth: { type: 'basic', username: 'u', password: 'p' } });
 * service.wsdlUrl // http://127.0.0.1:…/soap/TruongHoc?wsdl
 */
import { XMLParser } from 'fast-xml-parser';
import Fastify, { type FastifyReply } from 'fastify';
import {
  type MutationRequest,
  type MutationResult,
  VendorData,
  type VendorDataOptions,
} from '../rest-school/data.ts';
import { ADMIN_PREFIX, registerAdmin } from '../shared/admin.ts';
import { type SimulatorAuth, SimulatorAuthenticator } from '../shared/auth.ts';
import { breakBody, FaultInjector, type FaultPlan, installFaults, type PageFault } from '../shared/faults.ts';
import type { RecordTable } from '../shared/table.ts';
import {
  CLASS_ELEMENTS,
  type ElementDef,
  OPERATIONS,
  type Operation,
  SCHOOL_ELEMENTS,
  SOAP_NAMESPACE,
  SOAP_PATH,
  STUDENT_ELEMENTS,
  TEACHER_ELEMENTS,
  wsdl,
} from './wsdl.ts';

export { SOAP_NAMESPACE, SOAP_PATH } from './wsdl.ts';

export interface SoapSchoolOptions extends VendorDataOptions {
  /** `basic` or `none` (the WSDL itself is served without credentials, as is common). */
  auth?: Extract<SimulatorAuth, { type: 'basic' | 'none' }>;
  faults?: FaultPlan;
  maxPageSize?: number;
  port?: number;
  /** The address to listen on (default 127.0.0.1). */
  host?: string;
}

export interface SoapSchoolState {
  data: VendorData;
  faults: FaultInjector;
  auth: SimulatorAuthenticator;
  /** Calls answered, by operation. */
  calls: Map<string, number>;
  mutate(request: MutationRequest): MutationResult;
}

export interface SoapSchool {
  /** The service's root URL (`http://127.0.0.1:port`). */
  url: string;
  wsdlUrl: string;
  endpoint: string;
  close(): Promise<void>;
  state: SoapSchoolState;
}

const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>';
const ENVELOPE_CLOSE = '</soap:Body></soap:Envelope>';

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`,
  );
}

/** A record as elements, in the order the WSDL declares them. */
export function recordXml(record: Record<string, unknown>, fields: readonly ElementDef[]): string {
  let out = '';
  for (const f of fields) {
    const value = record[f.name];
    if (value === undefined || value === null) continue;
    const values = f.many && Array.isArray(value) ? value : [value];
    for (const v of values) {
      const inner =
        typeof f.type === 'object'
          ? recordXml(v as Record<string, unknown>, f.type.fields)
          : escapeXml(String(v));
      out += `<${f.name}>${inner}</${f.name}>`;
    }
  }
  return out;
}

export function soapFault(
  code: 'soap:Client' | 'soap:Server',
  message: string,
  errorCode: string,
  retry: boolean,
): string {
  return `${ENVELOPE_OPEN}<soap:Fault><faultcode>${code}</faultcode><faultstring>${escapeXml(message)}</faultstring><detail><LoiDichVu xmlns="${SOAP_NAMESPACE}"><maLoi>${errorCode}</maLoi><thuLai>${retry}</thuLai></LoiDichVu></detail></soap:Fault>${ENVELOPE_CLOSE}`;
}

class ClientFault extends Error {
  constructor(
    message: string,
    readonly errorCode: string,
  ) {
    super(message);
  }
}

const parser = new XMLParser({
  processEntities: false,
  parseTagValue: false,
  removeNSPrefix: true,
  ignoreAttributes: true,
});

export async function startSoapSchool(options: SoapSchoolOptions = {}): Promise<SoapSchool> {
  const data = await VendorData.load(options);
  const faults = new FaultInjector(options.faults);
  const auth = new SimulatorAuthenticator(options.auth ?? { type: 'none' }, options.now);
  const maxSize = options.maxPageSize ?? 5000;
  const calls = new Map<string, number>();
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, forceCloseConnections: true });
  app.addContentTypeParser(['text/xml', 'application/soap+xml'], { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );
  installFaults(app, faults, {
    exclude: [ADMIN_PREFIX],
    // Calls misbehave; the WSDL is fetched once per read and stays reachable.
    applies: (request) => request.method === 'POST',
    render: (kind, status) => {
      // A SOAP fault for the vendor's own errors; plain HTTP failures come from a proxy in front.
      if (kind === 'vendorErrors') {
        return {
          contentType: 'text/xml; charset=utf-8',
          body: soapFault(
            'soap:Server',
            'Hệ thống đang quá tải, thử lại sau / Service overloaded, try again later',
            'QUA_TAI',
            true,
          ),
        };
      }
      return { contentType: 'text/html', body: `<html><body><h1>${status}</h1></body></html>` };
    },
  });
  const state: SoapSchoolState = { data, faults, auth, calls, mutate: (r) => data.mutate(r) };
  registerAdmin(app, {
    faults,
    mutate: (body) => data.mutate(body as MutationRequest),
    describe: () => ({
      students: data.students.size,
      teachers: data.teachers.size,
      classes: data.classes.size,
      auth: auth.counters,
      calls: Object.fromEntries(calls),
    }),
  });

  let location = '';
  app.get(SOAP_PATH, async (request, reply) => {
    if (!('wsdl' in (request.query as object)) && !request.url.toLowerCase().includes('?wsdl')) {
      return reply.code(404).send();
    }
    return reply.type('text/xml; charset=utf-8').send(wsdl(location));
  });

  const answer = (reply: FastifyReply, body: string, broken: boolean) =>
    reply.type('text/xml; charset=utf-8').send(broken ? breakBody(body) : body);

  function pageArgs(args: Record<string, unknown>) {
    const maTruong = typeof args.maTruong === 'string' ? args.maTruong : '';
    if (!data.schools.some((s) => s.maTruong === maTruong)) {
      throw new ClientFault(
        `Không có trường "${maTruong}" / No school "${maTruong}"`,
        'TRUONG_KHONG_TON_TAI',
      );
    }
    const page = Number(args.trang ?? 1);
    const size = Number(args.kichThuocTrang ?? 100);
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(size) || size < 1 || size > maxSize) {
      throw new ClientFault(`trang ≥ 1, 1 ≤ kichThuocTrang ≤ ${maxSize}`, 'THAM_SO_KHONG_HOP_LE');
    }
    let since: number | undefined;
    if (typeof args.capNhatTu === 'string' && args.capNhatTu !== '') {
      since = Date.parse(args.capNhatTu);
      if (Number.isNaN(since))
        throw new ClientFault('capNhatTu không hợp lệ / invalid capNhatTu', 'THAM_SO_KHONG_HOP_LE');
    }
    const query = { group: maTruong, ...(since !== undefined ? { since, includeDeleted: true } : {}) };
    return { page, size, query };
  }

  function listPage(table: RecordTable<object>, args: Record<string, unknown>, fault: PageFault | undefined) {
    const { page, size, query } = pageArgs(args);
    const rows = table
      .page(query, (page - 1) * size, size)
      .map((json) => JSON.parse(json) as Record<string, unknown>);
    // A short or empty page keeps the total the whole page would have had.
    const shown =
      fault === 'emptyPages'
        ? []
        : fault === 'shortPages'
          ? rows.slice(0, Math.floor(rows.length / 2))
          : rows;
    return { page, total: table.count(query), rows: shown };
  }

  function respond(op: Operation, args: Record<string, unknown>, fault: PageFault | undefined): string {
    const open = `<${op}Response xmlns="${SOAP_NAMESPACE}">`;
    const close = `</${op}Response>`;
    // A well-formed envelope whose answer holds nothing: no total, no records, no result text.
    if (fault === 'hollowPages') return `${open}${close}`;
    switch (op) {
      case 'LayDanhSachTruong':
        return `${open}${data.schools.map((s) => `<truong>${recordXml(s as unknown as Record<string, unknown>, SCHOOL_ELEMENTS)}</truong>`).join('')}${close}`;
      case 'LayDanhSachHocSinh': {
        const { page, total, rows } = listPage(data.students as RecordTable<object>, args, fault);
        return `${open}<tongSo>${total}</tongSo><trang>${page}</trang>${rows.map((r) => `<hocSinh>${recordXml(r, STUDENT_ELEMENTS)}</hocSinh>`).join('')}${close}`;
      }
      case 'LayDanhSachLop': {
        const { page, total, rows } = listPage(data.classes as RecordTable<object>, args, fault);
        return `${open}<tongSo>${total}</tongSo><trang>${page}</trang>${rows.map((r) => `<lop>${recordXml(r, CLASS_ELEMENTS)}</lop>`).join('')}${close}`;
      }
      case 'LayDanhSachGiaoVien': {
        const { page, total, rows } = listPage(data.teachers as RecordTable<object>, args, fault);
        const doc = `<DanhSachGiaoVien tongSo="${total}" trang="${page}">${rows.map((r) => `<GiaoVien>${recordXml(r, TEACHER_ELEMENTS)}</GiaoVien>`).join('')}</DanhSachGiaoVien>`;
        return `${open}<LayDanhSachGiaoVienResult>${escapeXml(doc)}</LayDanhSachGiaoVienResult>${close}`;
      }
    }
  }

  app.post(SOAP_PATH, async (request, reply) => {
    if (!auth.accepts(request)) {
      auth.counters.requestsRefused++;
      return reply
        .code(401)
        .header('www-authenticate', 'Basic realm="TruongHoc"')
        .type('text/html')
        .send('<h1>401</h1>');
    }
    let op: Operation | undefined;
    let args: Record<string, unknown> = {};
    try {
      const doc = parser.parse(typeof request.body === 'string' ? request.body : '') as Record<
        string,
        unknown
      >;
      const body = (doc.Envelope as Record<string, unknown> | undefined)?.Body as
        | Record<string, unknown>
        | undefined;
      const name = Object.keys(body ?? {})[0];
      if (!name || !(OPERATIONS as readonly string[]).includes(name)) {
        throw new ClientFault(
          `Không có thao tác "${name ?? ''}" / Unknown operation`,
          'THAO_TAC_KHONG_TON_TAI',
        );
      }
      op = name as Operation;
      const raw = body![name];
      args = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
      calls.set(op, (calls.get(op) ?? 0) + 1);
      const out = `${ENVELOPE_OPEN}${respond(op, args, request.fault)}${ENVELOPE_CLOSE}`;
      return answer(reply, out, request.fault === 'brokenPages');
    } catch (error) {
      if (error instanceof ClientFault) {
        return reply
          .code(500)
          .type('text/xml; charset=utf-8')
          .send(soapFault('soap:Client', error.message, error.errorCode, false));
      }
      return reply
        .code(500)
        .type('text/xml; charset=utf-8')
        .send(soapFault('soap:Server', 'Lỗi hệ thống / Internal error', 'LOI_HE_THONG', true));
    }
  });

  const url = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  location = `${url}${SOAP_PATH}`;
  return { url, wsdlUrl: `${location}?wsdl`, endpoint: location, close: () => app.close(), state };
}
