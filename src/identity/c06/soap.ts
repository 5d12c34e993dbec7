/**
 * The C06 identity lookup on the wire (domain README §2.2–2.5, contract in `openapi/c06.wsdl`): the
 * `dan:TraCuuThongTinCongDan` SOAP 1.1 request ("API 037") and the `CongdanCollection` answer of
 * QCVN 109:2017/BTTTT. Pure: text in, text or values out; sending is the gateway's job
 * (`GatewayClient.sendSoap`).
 *
 * Reading is lenient where the public samples disagree and strict where safety is at stake:
 * elements are matched by local name whatever their prefix; a name is `HoVaTen{Ho, ChuDem, Ten}`
 * or the whole name in `Ten` or in `HoVaTen` itself; a proxy's `{error_code, message}` JSON
 * wrapper is unwrapped. A document type declaration is refused outright (SOAP forbids one, and it
 * is how entity-expansion attacks arrive), and entities are never expanded: only the five
 * predefined ones and character references are decoded, by hand.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { decodeXmlText } from '../../gateway/soap.ts';
import { C06FaultError, C06RequestError, C06ResponseError } from './errors.ts';

export const SOAP_ENVELOPE_NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/';
/** The request's namespace (`dan:`). */
export const C06_REQUEST_NAMESPACE = 'http://dancuquocgia.bca';
/** The answer's namespace (`ns1:`), QCVN 109 citizen data message. */
export const C06_RESPONSE_NAMESPACE = 'http://www.mic.gov.vn/dancu/1.0';
export const C06_OPERATION = 'TraCuuThongTinCongDan';

/** Who asks: C06 records the official and the unit of every lookup (the audit trail on its side). */
export interface C06Requester {
  /** `MaDVC`; default `VPCP`. */
  serviceCode?: string;
  /** `MaTichHop`; default `037` (the lookup's integration code). */
  integrationCode?: string;
  /** `MaCanBo`: the requesting official's ID number. */
  officialId: string;
  /** `MaDonVi`: the requesting unit's code. */
  unitCode: string;
  /** `TaiKhoan`: the account the hub was given. */
  account: string;
  /** `SoDienThoai`; default `0`, as the public clients send. */
  phone?: string;
}

/**
 * How the name goes in `HoVaTen`: `as-is` (NFC, single spaces), or `upper-ascii-compact` (upper
 * case, diacritics removed, Đ as D, no spaces: `NGUYENVANA`), as one public client sends it.
 */
export type C06NameFormat = 'as-is' | 'upper-ascii-compact';

export interface C06LookupInput {
  /** `MaYeuCau`: unique per lookup, so C06's log and ours can be matched. */
  requestId: string;
  /** `SoDinhDanh`: 12 digits. */
  personalId: string;
  fullName: string;
  /** YYYY-MM-DD; sent as `NgayThangNam` yyyyMMdd. Wins over `birthYear` when both are given. */
  birthDate?: string;
  /** Sent as `Nam` yyyy when the full date is not known. */
  birthYear?: number;
  requester: C06Requester;
  nameFormat?: C06NameFormat;
}

export interface C06Relative {
  personalId?: string;
  /** `SoCMND`: the old 9-digit card number. */
  legacyId?: string;
  fullName?: string;
}

export interface C06Citizen {
  personalId: string;
  legacyId?: string;
  fullName: string;
  /** YYYY-MM-DD, when C06 holds the whole date. */
  birthDate?: string;
  /** Only when C06 holds the year alone (`Nam` without a usable `NgayThangNam`). */
  birthYear?: number;
  gender?: 'male' | 'female';
  /** `DanToc`, two digits (`01` = Kinh). */
  ethnicityCode?: string;
  father?: C06Relative;
  mother?: C06Relative;
  /** `NguoiDaiDien`: the legal representative (a guardian). */
  representative?: C06Relative;
}

export type C06LookupResult = { found: false } | { found: true; citizen: C06Citizen };

export interface ParseLookupOptions {
  /**
   * `error_code`s of a proxy's JSON wrapper that mean "accepted" (default `['0']`). One LGSP client
   * treated "1" as accepted too (domain README §2.5): configure it when a proxy does.
   */
  acceptedWrapperCodes?: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Request

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const SPACES = /[\s\u00a0\u2000-\u200b\u202f\u3000]+/g;

/** Text as element content: controls XML 1.0 cannot carry removed, markup escaped. */
function xmlText(value: string): string {
  return value
    .replace(CONTROL, '')
    .replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}

/**
 * A name in the form C06 is sent.
 *
 * @example
 * formatNameForC06('Đặng  Thị Hoà', 'upper-ascii-compact') // 'DANGTHIHOA'
 * formatNameForC06(' Nguyễn Văn An ', 'as-is')             // 'Nguyễn Văn An'
 */
export function formatNameForC06(name: string, format: C06NameFormat = 'as-is'): string {
  const clean = name.normalize('NFC').replace(CONTROL, '').replace(SPACES, ' ').trim();
  if (format === 'as-is') return clean;
  return clean
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/ /g, '')
    .toUpperCase();
}

function isCalendarDate(iso: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function required(value: string | undefined, field: string): string {
  const v = value?.replace(CONTROL, '').trim() ?? '';
  if (v === '') throw new C06RequestError(field, 'bị trống', 'is empty');
  return v;
}

/**
 * The `dan:TraCuuThongTinCongDan` envelope of domain README §2.2, values XML-escaped. Throws
 * `C06RequestError` (`C06_INVALID_REQUEST`) naming the field when the lookup cannot be sent.
 *
 * @example
 * const xml = buildLookupRequest({ requestId: 'edubridge-7f3a…', personalId: '079213004567',
 *   fullName: 'Nguyễn Văn An', birthDate: '2013-04-02',
 *   requester: { officialId: '079080001234', unitCode: '000.00.15.H29', account: 'edubridge' } });
 */
export function buildLookupRequest(input: C06LookupInput): string {
  const requestId = required(input.requestId, 'requestId');
  if (!/^\d{12}$/.test(input.personalId ?? '')) {
    throw new C06RequestError('personalId', 'phải gồm đúng 12 chữ số', 'must be exactly 12 digits');
  }
  const name = formatNameForC06(required(input.fullName, 'fullName'), input.nameFormat ?? 'as-is');
  if (name === '') throw new C06RequestError('fullName', 'bị trống', 'is empty');
  let birth: string;
  if (input.birthDate !== undefined) {
    if (!isCalendarDate(input.birthDate)) {
      throw new C06RequestError(
        'birthDate',
        'phải là ngày YYYY-MM-DD có thật',
        'must be a real YYYY-MM-DD date',
      );
    }
    birth = `<dan:NgayThangNam>${input.birthDate.replace(/-/g, '')}</dan:NgayThangNam>`;
  } else if (input.birthYear !== undefined) {
    if (!Number.isInteger(input.birthYear) || input.birthYear < 1000 || input.birthYear > 9999) {
      throw new C06RequestError('birthYear', 'phải là năm 4 chữ số', 'must be a 4-digit year');
    }
    birth = `<dan:Nam>${input.birthYear}</dan:Nam>`;
  } else {
    throw new C06RequestError(
      'birthDate',
      'cần ngày sinh hoặc năm sinh',
      'a birth date or a birth year is needed',
    );
  }
  const r = input.requester;
  const fields: Array<[string, string]> = [
    ['MaYeuCau', requestId],
    ['MaDVC', required(r.serviceCode ?? 'VPCP', 'requester.serviceCode')],
    ['MaTichHop', required(r.integrationCode ?? '037', 'requester.integrationCode')],
    ['MaCanBo', required(r.officialId, 'requester.officialId')],
    ['MaDonVi', required(r.unitCode, 'requester.unitCode')],
    ['TaiKhoan', required(r.account, 'requester.account')],
    ['SoDienThoai', r.phone?.replace(/[\s.-]/g, '') || '0'],
    ['SoDinhDanh', input.personalId],
    ['HoVaTen', name],
  ];
  const lines = fields.map(([tag, value]) => `      <dan:${tag}>${xmlText(value)}</dan:${tag}>`);
  return [
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENVELOPE_NAMESPACE}" xmlns:dan="${C06_REQUEST_NAMESPACE}">`,
    '  <soapenv:Header/>',
    '  <soapenv:Body>',
    `    <dan:${C06_OPERATION}>`,
    ...lines,
    `      <dan:NgayThangNamSinh>${birth}</dan:NgayThangNamSinh>`,
    `    </dan:${C06_OPERATION}>`,
    '  </soapenv:Body>',
    '</soapenv:Envelope>',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Response

/** An element with its local name, its own text (entities decoded) and its child elements. */
interface Element {
  local: string;
  text: string;
  children: Element[];
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  processEntities: false,
  parseTagValue: false,
  trimValues: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type Ordered = Record<string, unknown>;

function elements(nodes: readonly Ordered[]): Element[] {
  const out: Element[] = [];
  for (const node of nodes) {
    const tag = Object.keys(node).find((k) => k !== ':@');
    if (tag === undefined || tag === '#text' || tag === '#cdata' || tag.startsWith('?')) continue;
    const children = (node[tag] ?? []) as Ordered[];
    let text = '';
    for (const child of children) {
      if ('#text' in child) text += decodeXmlText(String(child['#text']));
      else if ('#cdata' in child) {
        for (const c of child['#cdata'] as Ordered[]) text += String(c['#text'] ?? '');
      }
    }
    out.push({ local: tag.slice(tag.indexOf(':') + 1), text, children: elements(children) });
  }
  return out;
}

const child = (e: Element | undefined, local: string) => e?.children.find((c) => c.local === local);
const textOf = (e: Element | undefined) => e?.text.replace(SPACES, ' ').trim() ?? '';
const hasContent = (e: Element): boolean => textOf(e) !== '' || e.children.some(hasContent);

function descendant(e: Element, local: string): Element | undefined {
  for (const c of e.children) {
    if (c.local === local) return c;
    const deeper = descendant(c, local);
    if (deeper) return deeper;
  }
  return undefined;
}

/** `HoVaTen{Ho, ChuDem, Ten}` joined by single spaces, or the whole name in `Ten` or `HoVaTen`. */
function nameOf(e: Element | undefined): string {
  if (!e) return '';
  const parts = ['Ho', 'ChuDem', 'Ten'].map((p) => textOf(child(e, p))).filter((p) => p !== '');
  const joined = parts.length > 0 ? parts.join(' ') : textOf(e);
  return joined.normalize('NFC');
}

function birthOf(e: Element | undefined): { birthDate?: string; birthYear?: number } {
  const full = textOf(child(e, 'NgayThangNam'));
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(full);
  if (m) {
    const iso = `${m[1]}-${m[2]}-${m[3]}`;
    if (isCalendarDate(iso)) return { birthDate: iso };
  }
  // A year alone: `Nam`, or a `NgayThangNam` whose day and month are unknown (yyyy0000).
  const year = textOf(child(e, 'Nam')) || (m ? m[1]! : /^\d{4}$/.test(full) ? full : '');
  return /^\d{4}$/.test(year) ? { birthYear: Number(year) } : {};
}

function relativeOf(e: Element | undefined): C06Relative | undefined {
  if (!e) return undefined;
  const personalId = textOf(child(e, 'SoDinhDanh'));
  const legacyId = textOf(child(e, 'SoCMND'));
  const fullName = nameOf(child(e, 'HoVaTen'));
  if (personalId === '' && legacyId === '' && fullName === '') return undefined;
  return {
    ...(personalId !== '' ? { personalId } : {}),
    ...(legacyId !== '' ? { legacyId } : {}),
    ...(fullName !== '' ? { fullName } : {}),
  };
}

const GENDERS: Record<string, 'male' | 'female'> = { '1': 'male', '2': 'female' };

function citizenOf(e: Element): C06Citizen | undefined {
  const fullName = nameOf(child(e, 'HoVaTen'));
  // No name is no match (domain README §2.5: an empty CongDan, or a null HoVaTen/Ten).
  if (fullName === '') return undefined;
  const personalId = textOf(child(e, 'SoDinhDanh'));
  if (personalId === '') {
    throw new C06ResponseError(
      'CongDan có họ tên nhưng thiếu SoDinhDanh',
      'CongDan has a name but no SoDinhDanh',
    );
  }
  const legacyId = textOf(child(e, 'SoCMND'));
  const gender = GENDERS[textOf(child(e, 'GioiTinh'))];
  const ethnicityCode = textOf(child(e, 'DanToc'));
  const father = relativeOf(child(e, 'Cha'));
  const mother = relativeOf(child(e, 'Me'));
  const representative = relativeOf(child(e, 'NguoiDaiDien'));
  return {
    personalId,
    ...(legacyId !== '' ? { legacyId } : {}),
    fullName,
    ...birthOf(child(e, 'NgayThangNamSinh')),
    ...(gender ? { gender } : {}),
    ...(ethnicityCode !== '' ? { ethnicityCode } : {}),
    ...(father ? { father } : {}),
    ...(mother ? { mother } : {}),
    ...(representative ? { representative } : {}),
  };
}

function parseEnvelope(xml: string): C06LookupResult {
  if (/<!DOCTYPE/i.test(xml)) {
    throw new C06ResponseError(
      'có khai báo DOCTYPE, SOAP không cho phép',
      'it declares a DOCTYPE, which SOAP forbids',
    );
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new C06ResponseError(
      `XML sai cú pháp (dòng ${valid.err.line})`,
      `malformed XML (line ${valid.err.line})`,
    );
  }
  let root: Element | undefined;
  try {
    root = elements(parser.parse(xml) as Ordered[])[0];
  } catch (cause) {
    throw new C06ResponseError('XML sai cú pháp', 'malformed XML', { cause });
  }
  if (root?.local !== 'Envelope') {
    throw new C06ResponseError('không có SOAP Envelope', 'no SOAP Envelope');
  }
  const body = child(root, 'Body');
  if (!body) throw new C06ResponseError('không có SOAP Body', 'no SOAP Body');
  const fault = child(body, 'Fault');
  if (fault) {
    // SOAP 1.1 faultcode/faultstring; SOAP 1.2 Code/Value and Reason/Text, should a proxy convert.
    const code = textOf(child(fault, 'faultcode')) || textOf(child(child(fault, 'Code'), 'Value'));
    const said = textOf(child(fault, 'faultstring')) || textOf(child(child(fault, 'Reason'), 'Text'));
    throw new C06FaultError(code, said, 'soap');
  }
  const collection =
    body.children.find((c) => c.local === 'CongdanCollection') ?? descendant(body, 'CongdanCollection');
  if (!collection) {
    throw new C06ResponseError(
      'SOAP Body không có CongdanCollection',
      'the SOAP Body has no CongdanCollection',
    );
  }
  for (const congDan of collection.children.filter((c) => c.local === 'CongDan')) {
    if (!hasContent(congDan)) continue;
    const citizen = citizenOf(congDan);
    if (citizen) return { found: true, citizen };
  }
  return { found: false };
}

function parseWrapper(json: string, accepted: readonly string[]): C06LookupResult {
  let wrapper: unknown;
  try {
    wrapper = JSON.parse(json);
  } catch (cause) {
    throw new C06ResponseError('JSON sai cú pháp', 'malformed JSON', { cause });
  }
  if (!wrapper || typeof wrapper !== 'object' || !('error_code' in wrapper)) {
    throw new C06ResponseError(
      'JSON không phải dạng {error_code, message}',
      'JSON is not an {error_code, message} wrapper',
    );
  }
  const { error_code, message } = wrapper as { error_code: unknown; message?: unknown };
  const code = String(error_code);
  if (!accepted.includes(code)) {
    throw new C06FaultError(
      code,
      typeof message === 'string' ? message : JSON.stringify(message ?? ''),
      'wrapper',
    );
  }
  if (typeof message !== 'string' || !message.trimStart().startsWith('<')) {
    throw new C06ResponseError(
      'message của JSON không chứa SOAP XML',
      "the wrapper's message holds no SOAP XML",
    );
  }
  return parseEnvelope(message.trim());
}

/**
 * Reads C06's answer: the SOAP envelope, or a proxy's `{error_code, message}` wrapper around one.
 * An empty `CongdanCollection`, an empty `CongDan` or an empty `HoVaTen` is `{ found: false }`.
 * Throws `C06FaultError` (`C06_FAULT`) for a SOAP Fault or a refusing wrapper, and
 * `C06ResponseError` (`C06_MALFORMED_RESPONSE`) for anything that is not a lookup answer.
 *
 * @example
 * const result = parseLookupResponse(answer.body);
 * if (result.found) compareIdentity(expected, result.citizen);
 */
export function parseLookupResponse(text: string, options: ParseLookupOptions = {}): C06LookupResult {
  const trimmed = text.replace(/^\ufeff/, '').trim();
  if (trimmed === '') throw new C06ResponseError('phản hồi rỗng', 'empty answer');
  if (trimmed.startsWith('{')) return parseWrapper(trimmed, options.acceptedWrapperCodes ?? ['0']);
  return parseEnvelope(trimmed);
}
