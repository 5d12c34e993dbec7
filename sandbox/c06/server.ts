/**
 * Simulator of C06's citizen lookup ("API 037", `dan:TraCuuThongTinCongDan`, domain README §2),
 * as `openapi/c06.wsdl` models it: a plain node:http SOAP 1.1 endpoint that
 * - validates the request envelope strictly, as a schema-validating SOAP stack would: SOAP 1.1
 *   envelope namespace, the operation in `http://dancuquocgia.bca`, every element of the WSDL's
 *   sequence present once, in order, in that namespace and well formed (12-digit `SoDinhDanh`,
 *   `NgayThangNam` yyyyMMdd or `Nam` yyyy, `MaTichHop` 037, the rest non-empty); anything wrong
 *   is a `soapenv:Client` fault (HTTP 500) whose faultstring names the element, never its value;
 * - answers the `CongdanCollection` of QCVN 109 with the whole record when the ID is known, and
 *   an empty collection when it is not (domain README §2.5);
 * - does not compare the name or birth date by default (`strictMatch: false`): the real service's
 *   behaviour there is unknown, the hub compares what comes back itself, and a record that comes
 *   back with another birth date is the harder case for the hub to handle. With
 *   `strictMatch: true` a name (compared without case, marks or spaces) or birth date that does not
 *   match gives the empty collection instead, as a service that matches on all three would;
 * - keeps C06's side of the audit: who asked (`MaCanBo`, `MaDonVi`) and when;
 * - misbehaves on demand: latency, HTTP 503 outages (`errorRate`), SOAP `Server` faults
 *   (`faultEvery`).
 *
 * @example
 * const c06 = await startC06Sandbox({ population: citizens });
 * const gw = await startSandboxGateway('xroad', { routes: { c06: c06.url } });
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { urlHost } from '../ports.ts';

export const SOAP_ENVELOPE_NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/';
export const C06_REQUEST_NAMESPACE = 'http://dancuquocgia.bca';
export const C06_RESPONSE_NAMESPACE = 'http://www.mic.gov.vn/dancu/1.0';
export const C06_OPERATION = 'TraCuuThongTinCongDan';
/** Where the simulator serves the lookup, under its root (and at `/` too). */
export const C06_PATH = `/c06/${C06_OPERATION}`;

export interface SandboxRelative {
  personalId?: string;
  legacyId?: string;
  fullName?: string;
}

/** A citizen as C06 holds them: the hub's `C06Citizen`, birth date always known. */
export interface SandboxCitizen {
  personalId: string;
  legacyId?: string;
  fullName: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  gender?: 'male' | 'female';
  ethnicityCode?: string;
  father?: SandboxRelative;
  mother?: SandboxRelative;
  representative?: SandboxRelative;
}

export interface C06FaultPlan {
  /** Every answer waits this long. */
  latencyMs?: number;
  /** Share (0–1) of calls answered HTTP 503 with a plain-text body: the service is down. */
  errorRate?: number;
  /** Every n-th call is answered a `soapenv:Server` SOAP Fault (HTTP 500). */
  faultEvery?: number;
}

export interface C06SandboxOptions {
  population: SandboxCitizen[];
  host?: string;
  port?: number;
  faults?: C06FaultPlan;
  /** Answer the record only when the name and birth date match too (default false: ID alone). */
  strictMatch?: boolean;
  /** How names are laid out in `HoVaTen` (default `split`). */
  nameLayout?: NameLayout;
  /** Seed of the `errorRate` draws (default 1). */
  seed?: number;
}

export interface C06LookupRecord {
  at: number;
  requestId: string;
  officialId: string;
  unitCode: string;
}

export interface C06Sandbox {
  /** The service's base (`http://127.0.0.1:port/c06`): the gateway posts to `${url}/TraCuuThongTinCongDan`. */
  url: string;
  /** The lookup endpoint itself; `${endpoint}?wsdl` serves the WSDL. */
  endpoint: string;
  /** Every valid lookup C06 answered: its side of the audit trail. */
  requests: C06LookupRecord[];
  setFaults(faults: C06FaultPlan): void;
  close(): Promise<void>;
}

/** `split`: `HoVaTen{Ho, ChuDem, Ten}`; `ten`: the whole name in `Ten` (as in a public sample). */
export type NameLayout = 'split' | 'ten';

// ---------------------------------------------------------------------------------------------
// Answers

const escapeXml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);

const el = (name: string, value: string | undefined) =>
  value === undefined || value === '' ? `<ns1:${name}/>` : `<ns1:${name}>${escapeXml(value)}</ns1:${name}>`;

function nameXml(fullName: string, layout: NameLayout): string {
  const words = fullName.split(' ').filter((w) => w !== '');
  if (layout === 'ten' || words.length < 2) {
    return `<ns1:HoVaTen>${el('Ho', '')}${el('ChuDem', '')}${el('Ten', words.join(' '))}</ns1:HoVaTen>`;
  }
  const ho = words[0];
  const ten = words.at(-1);
  const chuDem = words.slice(1, -1).join(' ');
  return `<ns1:HoVaTen>${el('Ho', ho)}${el('ChuDem', chuDem)}${el('Ten', ten)}</ns1:HoVaTen>`;
}

/** A relative as the public sample writes one: `HoVaTen` as one string, then nationality and IDs. */
function relativeXml(tag: string, r: SandboxRelative | undefined): string {
  if (!r) return '';
  return (
    `<ns1:${tag}>${el('HoVaTen', r.fullName)}${el('QuocTich', 'VN')}` +
    `${el('SoDinhDanh', r.personalId)}${el('SoCMND', r.legacyId)}</ns1:${tag}>`
  );
}

const GENDER_CODES = { male: '1', female: '2' } as const;

/**
 * The SOAP answer to a lookup: the citizen's `CongdanCollection`, or an empty one for `null`.
 * Elements in the order of the public sample (domain README §2.3) and of `openapi/c06.wsdl`.
 */
export function buildLookupResponse(
  citizen: SandboxCitizen | null,
  options: { nameLayout?: NameLayout } = {},
): string {
  const open =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENVELOPE_NAMESPACE}">` +
    `<soapenv:Header xmlns:dan="${C06_REQUEST_NAMESPACE}"/>` +
    `<soapenv:Body xmlns:dan="${C06_REQUEST_NAMESPACE}">`;
  const close = '</soapenv:Body></soapenv:Envelope>';
  if (!citizen) {
    return `${open}<ns1:CongdanCollection xmlns:ns1="${C06_RESPONSE_NAMESPACE}" SoCongDan="0"/>${close}`;
  }
  const c = citizen;
  const congDan =
    el('SoDinhDanh', c.personalId) +
    (c.legacyId ? el('SoCMND', c.legacyId) : '') +
    nameXml(c.fullName, options.nameLayout ?? 'split') +
    (c.gender ? el('GioiTinh', GENDER_CODES[c.gender]) : '') +
    (c.ethnicityCode ? el('DanToc', c.ethnicityCode) : '') +
    el('TonGiao', '00') +
    `<ns1:NgayThangNamSinh>${el('Nam', c.birthDate.slice(0, 4))}${el('NgayThangNam', c.birthDate.replace(/-/g, ''))}</ns1:NgayThangNamSinh>` +
    el('QuocTich', 'VN') +
    relativeXml('Cha', c.father) +
    relativeXml('Me', c.mother) +
    relativeXml('NguoiDaiDien', c.representative);
  return `${open}<ns1:CongdanCollection xmlns:ns1="${C06_RESPONSE_NAMESPACE}" SoCongDan="1"><ns1:CongDan>${congDan}</ns1:CongDan></ns1:CongdanCollection>${close}`;
}

/** A SOAP 1.1 fault; `faultstring` names elements, never values. */
export function soapFault(code: 'Client' | 'Server' | 'VersionMismatch', message: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENVELOPE_NAMESPACE}"><soapenv:Body><soapenv:Fault>` +
    `<faultcode>soapenv:${code}</faultcode><faultstring>${escapeXml(message)}</faultstring>` +
    '</soapenv:Fault></soapenv:Body></soapenv:Envelope>'
  );
}

// ---------------------------------------------------------------------------------------------
// Requests

/** An element with its namespace resolved. */
interface Node {
  local: string;
  ns: string | undefined;
  text: string;
  children: Node[];
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseAttributeValue: false,
  processEntities: false,
  parseTagValue: false,
  trimValues: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type Ordered = Record<string, unknown>;

function tree(nodes: readonly Ordered[], scope: ReadonlyMap<string, string>): Node[] {
  const out: Node[] = [];
  for (const node of nodes) {
    const tag = Object.keys(node).find((k) => k !== ':@');
    if (tag === undefined || tag === '#text' || tag === '#cdata' || tag.startsWith('?')) continue;
    const attrs = (node[':@'] ?? {}) as Record<string, string>;
    const inner = new Map(scope);
    for (const [name, value] of Object.entries(attrs)) {
      if (name === '@_xmlns') inner.set('', value);
      else if (name.startsWith('@_xmlns:')) inner.set(name.slice(8), value);
    }
    const colon = tag.indexOf(':');
    const prefix = colon < 0 ? '' : tag.slice(0, colon);
    const children = (node[tag] ?? []) as Ordered[];
    let text = '';
    for (const c of children) {
      if ('#text' in c) text += String(c['#text']);
      else if ('#cdata' in c) for (const d of c['#cdata'] as Ordered[]) text += String(d['#text'] ?? '');
    }
    out.push({ local: tag.slice(colon + 1), ns: inner.get(prefix), text, children: tree(children, inner) });
  }
  return out;
}

/** A refused request: the faultstring, in Vietnamese and English, naming the element. */
export class RequestFault extends Error {
  constructor(
    readonly faultCode: 'Client' | 'VersionMismatch',
    vi: string,
    en: string,
  ) {
    super(`${vi} / ${en}`);
  }
}

const refuse = (vi: string, en: string) => new RequestFault('Client', vi, en);

/** The WSDL's request sequence: element, required, and what its text must look like. */
const REQUEST_ELEMENTS: ReadonlyArray<{ name: string; required: boolean; check?: 'id12' | 'integration' }> = [
  { name: 'MaYeuCau', required: true },
  { name: 'MaDVC', required: true },
  { name: 'MaTichHop', required: true, check: 'integration' },
  { name: 'MaCanBo', required: true },
  { name: 'MaDonVi', required: true },
  { name: 'TaiKhoan', required: true },
  { name: 'SoDienThoai', required: false },
  { name: 'SoDinhDanh', required: true, check: 'id12' },
  { name: 'HoVaTen', required: true },
  { name: 'NgayThangNamSinh', required: true },
];

export interface LookupRequest {
  requestId: string;
  officialId: string;
  unitCode: string;
  personalId: string;
  fullName: string;
  /** yyyyMMdd, or undefined when only `Nam` came. */
  birthDate?: string;
  birthYear: number;
}

const decode = (text: string) =>
  text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (m, n: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (n[0] !== '#') return named[n] ?? m;
    const code = n[1] === 'x' || n[1] === 'X' ? Number.parseInt(n.slice(2), 16) : Number(n.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });

function realDate(yyyymmdd: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(yyyymmdd);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return (
    d.getUTCFullYear() === Number(m[1]) &&
    d.getUTCMonth() === Number(m[2]) - 1 &&
    d.getUTCDate() === Number(m[3])
  );
}

/** Reads and checks a lookup envelope; throws `RequestFault` naming what is wrong. */
export function readLookupRequest(xml: string): LookupRequest {
  if (/<!DOCTYPE/i.test(xml)) {
    throw refuse('Thông điệp SOAP không được có DOCTYPE', 'a SOAP message must not contain a DOCTYPE');
  }
  if (XMLValidator.validate(xml) !== true) throw refuse('XML sai cú pháp', 'malformed XML');
  const [root] = tree(parser.parse(xml) as Ordered[], new Map());
  if (root?.local !== 'Envelope') {
    throw refuse('Thiếu phần tử soapenv:Envelope', 'missing element soapenv:Envelope');
  }
  if (root.ns !== SOAP_ENVELOPE_NAMESPACE) {
    throw new RequestFault(
      'VersionMismatch',
      `soapenv:Envelope phải thuộc namespace ${SOAP_ENVELOPE_NAMESPACE}`,
      `soapenv:Envelope must be in namespace ${SOAP_ENVELOPE_NAMESPACE} (SOAP 1.1)`,
    );
  }
  const body = root.children.find((c) => c.local === 'Body' && c.ns === SOAP_ENVELOPE_NAMESPACE);
  if (!body) throw refuse('Thiếu phần tử soapenv:Body', 'missing element soapenv:Body');
  const operation = body.children[0];
  if (
    body.children.length !== 1 ||
    operation?.local !== C06_OPERATION ||
    operation.ns !== C06_REQUEST_NAMESPACE
  ) {
    throw refuse(
      `soapenv:Body phải chứa đúng một phần tử dan:${C06_OPERATION} (namespace ${C06_REQUEST_NAMESPACE})`,
      `soapenv:Body must hold exactly one dan:${C06_OPERATION} element (namespace ${C06_REQUEST_NAMESPACE})`,
    );
  }
  const seen = new Map<string, Node>();
  let position = -1;
  for (const c of operation.children) {
    const at = REQUEST_ELEMENTS.findIndex((e) => e.name === c.local);
    if (at < 0) {
      throw refuse(`Phần tử ${c.local} không có trong lược đồ`, `element ${c.local} is not in the schema`);
    }
    if (c.ns !== C06_REQUEST_NAMESPACE) {
      throw refuse(
        `dan:${c.local} phải thuộc namespace ${C06_REQUEST_NAMESPACE}`,
        `dan:${c.local} must be in namespace ${C06_REQUEST_NAMESPACE}`,
      );
    }
    if (seen.has(c.local)) {
      throw refuse(`dan:${c.local} xuất hiện nhiều lần`, `dan:${c.local} appears more than once`);
    }
    if (at < position) {
      const before = REQUEST_ELEMENTS[position]!.name;
      throw refuse(
        `dan:${c.local} sai thứ tự (phải đứng trước dan:${before})`,
        `dan:${c.local} is out of order (it must come before dan:${before})`,
      );
    }
    position = at;
    seen.set(c.local, c);
  }
  const value = (name: string): string => {
    const node = seen.get(name);
    if (!node) throw refuse(`Thiếu phần tử dan:${name}`, `missing element dan:${name}`);
    if (node.children.length > 0 && name !== 'NgayThangNamSinh') {
      throw refuse(`dan:${name} chỉ được chứa văn bản`, `dan:${name} must hold text only`);
    }
    return decode(node.text).trim();
  };
  for (const e of REQUEST_ELEMENTS) {
    if (!e.required || e.name === 'NgayThangNamSinh') continue;
    const v = value(e.name);
    if (v === '') throw refuse(`dan:${e.name} bị trống`, `dan:${e.name} is empty`);
    if (e.check === 'id12' && !/^\d{12}$/.test(v)) {
      throw refuse(`dan:${e.name} phải gồm đúng 12 chữ số`, `dan:${e.name} must be exactly 12 digits`);
    }
    if (e.check === 'integration' && v !== '037') {
      throw refuse(
        `dan:${e.name} phải là 037 (tra cứu thông tin công dân)`,
        `dan:${e.name} must be 037 (citizen lookup)`,
      );
    }
  }
  if (
    seen.has('SoDienThoai') &&
    value('SoDienThoai') !== '' &&
    !/^[0-9+]{1,15}$/.test(value('SoDienThoai'))
  ) {
    throw refuse('dan:SoDienThoai chỉ gồm chữ số', 'dan:SoDienThoai must be digits');
  }
  const birth = seen.get('NgayThangNamSinh');
  if (!birth) throw refuse('Thiếu phần tử dan:NgayThangNamSinh', 'missing element dan:NgayThangNamSinh');
  const parts = birth.children;
  if (parts.length !== 1 || !['NgayThangNam', 'Nam'].includes(parts[0]!.local)) {
    throw refuse(
      'dan:NgayThangNamSinh phải chứa đúng một trong dan:NgayThangNam hoặc dan:Nam',
      'dan:NgayThangNamSinh must hold exactly one of dan:NgayThangNam or dan:Nam',
    );
  }
  const part = parts[0]!;
  if (part.ns !== C06_REQUEST_NAMESPACE) {
    throw refuse(
      `dan:${part.local} phải thuộc namespace ${C06_REQUEST_NAMESPACE}`,
      `dan:${part.local} must be in namespace ${C06_REQUEST_NAMESPACE}`,
    );
  }
  const birthText = decode(part.text).trim();
  if (part.local === 'NgayThangNam' && !realDate(birthText)) {
    throw refuse(
      'dan:NgayThangNam phải là ngày có thật dạng yyyyMMdd',
      'dan:NgayThangNam must be a real date as yyyyMMdd',
    );
  }
  if (part.local === 'Nam' && !/^\d{4}$/.test(birthText)) {
    throw refuse('dan:Nam phải là năm 4 chữ số (yyyy)', 'dan:Nam must be a 4-digit year (yyyy)');
  }
  return {
    requestId: value('MaYeuCau'),
    officialId: value('MaCanBo'),
    unitCode: value('MaDonVi'),
    personalId: value('SoDinhDanh'),
    fullName: value('HoVaTen'),
    ...(part.local === 'NgayThangNam' ? { birthDate: birthText } : {}),
    birthYear: Number(birthText.slice(0, 4)),
  };
}

/** Names compared as C06 might: no case, no marks, no spaces (one client sends `NGUYENVANA`). */
const compact = (name: string) =>
  name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .replace(/[^\p{L}]/gu, '')
    .toLowerCase();

function matches(citizen: SandboxCitizen, request: LookupRequest): boolean {
  if (compact(citizen.fullName) !== compact(request.fullName)) return false;
  if (request.birthDate !== undefined) return citizen.birthDate.replace(/-/g, '') === request.birthDate;
  return Number(citizen.birthDate.slice(0, 4)) === request.birthYear;
}

// ---------------------------------------------------------------------------------------------
// Server

const XML_TYPES = ['text/xml', 'application/xml'];
const MAX_BODY = 1024 * 1024;
const WSDL_FILE = new URL('../../openapi/c06.wsdl', import.meta.url);

/** mulberry32: the errorRate draws, seeded so a run with faults can be repeated. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startC06Sandbox(options: C06SandboxOptions): Promise<C06Sandbox> {
  const byId = new Map<string, SandboxCitizen>();
  for (const c of options.population) if (!byId.has(c.personalId)) byId.set(c.personalId, c);
  let faults: C06FaultPlan = { ...options.faults };
  const random = seeded(options.seed ?? 1);
  const requests: C06LookupRecord[] = [];
  let calls = 0;
  const layout = options.nameLayout ?? 'split';

  const send = (res: http.ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const xmlAnswer = (res: http.ServerResponse, status: number, body: string) =>
    send(res, status, 'text/xml; charset=utf-8', body);

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: string) {
    const url = new URL(req.url ?? '/', 'http://c06.sandbox');
    const onEndpoint = ['/', '/c06', C06_PATH].includes(url.pathname.replace(/(.)\/$/, '$1'));
    if (req.method === 'GET' && onEndpoint && url.searchParams.has('wsdl')) {
      return send(res, 200, 'text/xml; charset=utf-8', await readFile(WSDL_FILE, 'utf8'));
    }
    if (!onEndpoint) return send(res, 404, 'text/plain; charset=utf-8', 'no such endpoint');
    if (req.method !== 'POST') return send(res, 405, 'text/plain; charset=utf-8', 'POST only');
    calls++;
    if (faults.latencyMs) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (faults.errorRate && random() < faults.errorRate) {
      return send(res, 503, 'text/plain; charset=utf-8', 'Service Unavailable');
    }
    if (faults.faultEvery && calls % faults.faultEvery === 0) {
      return xmlAnswer(
        res,
        500,
        soapFault('Server', 'Hệ thống CSDLQG về dân cư đang bận / the population DB is busy'),
      );
    }
    const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase() ?? '';
    if (!XML_TYPES.includes(type)) {
      return xmlAnswer(
        res,
        500,
        soapFault(
          'Client',
          'Content-Type phải là text/xml hoặc application/xml / Content-Type must be text/xml or application/xml',
        ),
      );
    }
    let request: LookupRequest;
    try {
      request = readLookupRequest(body);
    } catch (error) {
      if (!(error instanceof RequestFault)) throw error;
      return xmlAnswer(res, 500, soapFault(error.faultCode, error.message));
    }
    requests.push({
      at: Date.now(),
      requestId: request.requestId,
      officialId: request.officialId,
      unitCode: request.unitCode,
    });
    const citizen = byId.get(request.personalId);
    const answer = citizen && (!options.strictMatch || matches(citizen, request)) ? citizen : null;
    return xmlAnswer(res, 200, buildLookupResponse(answer, { nameLayout: layout }));
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        send(res, 413, 'text/plain; charset=utf-8', 'request too large');
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch(() => {
        if (!res.headersSent) xmlAnswer(res, 500, soapFault('Server', 'Lỗi nội bộ / internal error'));
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = urlHost(address.address);
  const url = `http://${host}:${address.port}/c06`;
  return {
    url,
    endpoint: `${url}/${C06_OPERATION}`,
    requests,
    setFaults: (next) => {
      faults = { ...next };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
