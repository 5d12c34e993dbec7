/**
 * The C06 contract, `openapi/c06.wsdl`, against the two sides that speak it: every element (and
 * attribute) the hub's codec writes in a request and the sandbox writes in an answer is declared
 * there, at the same place and in the same namespace, so the codec, the sandbox and the contract
 * cannot drift apart. And every declared element says whether it is known or assumed.
 */
import { readFile } from 'node:fs/promises';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLookupResponse, type SandboxCitizen } from '../sandbox/c06/server.ts';
import {
  buildLookupRequest,
  C06_REQUEST_NAMESPACE,
  C06_RESPONSE_NAMESPACE,
  type C06LookupInput,
} from '../src/identity/c06/index.ts';

const XS = 'http://www.w3.org/2001/XMLSchema';
const WSDL = 'http://schemas.xmlsoap.org/wsdl/';
const WSDL_SOAP = 'http://schemas.xmlsoap.org/wsdl/soap/';
const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';

interface Node {
  local: string;
  ns: string | undefined;
  /** Attributes other than namespace declarations. */
  attrs: Record<string, string>;
  /** Prefix → namespace in scope here (for QName attribute values such as `type="dc:CongDan"`). */
  scope: Map<string, string>;
  children: Node[];
  text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  processEntities: false,
  trimValues: true,
  ignoreDeclaration: true,
});

type Ordered = Record<string, unknown>;

function tree(xml: string): Node {
  const build = (nodes: Ordered[], scope: Map<string, string>): Node[] =>
    nodes.flatMap((node) => {
      const tag = Object.keys(node).find((k) => k !== ':@');
      if (!tag || tag.startsWith('#') || tag.startsWith('?')) return [];
      const raw = (node[':@'] ?? {}) as Record<string, string>;
      const inner = new Map(scope);
      const attrs: Record<string, string> = {};
      for (const [k, v] of Object.entries(raw)) {
        if (k === 'xmlns') inner.set('', v);
        else if (k.startsWith('xmlns:')) inner.set(k.slice(6), v);
        else attrs[k] = v;
      }
      const colon = tag.indexOf(':');
      const children = (node[tag] ?? []) as Ordered[];
      const text = children.map((c) => ('#text' in c ? String(c['#text']) : '')).join('');
      return [
        {
          local: tag.slice(colon + 1),
          ns: inner.get(colon < 0 ? '' : tag.slice(0, colon)),
          attrs,
          scope: inner,
          children: build(children, inner),
          text,
        },
      ];
    });
  const [root] = build(parser.parse(xml) as Ordered[], new Map());
  if (!root) throw new Error('no root element');
  return root;
}

const kids = (n: Node, local: string, ns: string) =>
  n.children.filter((c) => c.local === local && c.ns === ns);
const resolve = (n: Node, qname: string) => {
  const colon = qname.indexOf(':');
  return { ns: n.scope.get(colon < 0 ? '' : qname.slice(0, colon)), local: qname.slice(colon + 1) };
};

/** What a schema declares: element paths from a top-level element down, and attributes as `path@name`. */
interface Declared {
  targetNamespace: string;
  paths: Set<string>;
  elements: Node[];
}

function declared(schema: Node): Declared {
  const targetNamespace = schema.attrs.targetNamespace!;
  const types = new Map(kids(schema, 'complexType', XS).map((t) => [t.attrs.name!, t]));
  const paths = new Set<string>();
  const elements: Node[] = [];
  const walkType = (type: Node, path: string, depth: number) => {
    for (const c of type.children) {
      if (c.ns !== XS) continue;
      if (c.local === 'element') walkElement(c, path, depth);
      else if (c.local === 'attribute') paths.add(`${path}@${c.attrs.name}`);
      else if (['sequence', 'choice', 'all', 'complexContent', 'extension'].includes(c.local)) {
        walkType(c, path, depth);
      }
    }
  };
  const walkElement = (e: Node, parent: string, depth: number) => {
    const path = parent === '' ? e.attrs.name! : `${parent}/${e.attrs.name}`;
    paths.add(path);
    elements.push(e);
    if (depth > 10) return;
    for (const inline of kids(e, 'complexType', XS)) walkType(inline, path, depth + 1);
    if (e.attrs.type) {
      const t = resolve(e, e.attrs.type);
      const named = t.ns === targetNamespace ? types.get(t.local) : undefined;
      if (named) walkType(named, path, depth + 1);
    }
  };
  for (const top of kids(schema, 'element', XS)) walkElement(top, '', 0);
  return { targetNamespace, paths, elements };
}

/** Element paths (and attributes) written under the SOAP Body, each with its namespace. */
function written(xml: string): Array<{ path: string; ns: string | undefined }> {
  const envelope = tree(xml);
  const body = kids(envelope, 'Body', SOAP_ENV)[0];
  if (!body) throw new Error('no SOAP Body');
  const out: Array<{ path: string; ns: string | undefined }> = [];
  const walk = (n: Node, parent: string) => {
    const path = parent === '' ? n.local : `${parent}/${n.local}`;
    out.push({ path, ns: n.ns });
    for (const a of Object.keys(n.attrs)) out.push({ path: `${path}@${a}`, ns: n.ns });
    for (const c of n.children) walk(c, path);
  };
  for (const c of body.children) walk(c, '');
  return out;
}

const REQUESTER = { officialId: '079080001234', unitCode: '000.00.15.H29', account: 'edubridge.hcm' };
const INPUT: C06LookupInput = {
  requestId: 'req-1',
  personalId: '079213004567',
  fullName: 'Nguyễn Gia Bảo',
  birthDate: '2013-04-02',
  requester: { ...REQUESTER, phone: '0901234567' },
};
const { birthDate: _, ...INPUT_WITHOUT_DATE } = INPUT;
/** A citizen with every field the sandbox can write. */
const EVERYTHING: SandboxCitizen = {
  personalId: '079213004567',
  legacyId: '023456789',
  fullName: 'NGUYỄN GIA BẢO',
  birthDate: '2013-04-02',
  gender: 'male',
  ethnicityCode: '01',
  father: { personalId: '001085012345', legacyId: '023456780', fullName: 'NGUYỄN VĂN HÙNG' },
  mother: { personalId: '079187006543', fullName: 'TRẦN THỊ THUỶ' },
  representative: { personalId: '001085012345', fullName: 'NGUYỄN VĂN HÙNG' },
};

let definitions: Node;
let request: Declared;
let response: Declared;

beforeAll(async () => {
  definitions = tree(await readFile(new URL('../openapi/c06.wsdl', import.meta.url), 'utf8'));
  const schemas = kids(kids(definitions, 'types', WSDL)[0]!, 'schema', XS).map(declared);
  request = schemas.find((s) => s.targetNamespace === C06_REQUEST_NAMESPACE)!;
  response = schemas.find((s) => s.targetNamespace === C06_RESPONSE_NAMESPACE)!;
});

describe('openapi/c06.wsdl', () => {
  it('has a schema for each namespace: the request in dan:, the answer in the QCVN 109 namespace', () => {
    expect(definitions.local).toBe('definitions');
    expect(request?.paths.has('TraCuuThongTinCongDan/SoDinhDanh')).toBe(true);
    expect(response?.paths.has('CongdanCollection/CongDan/HoVaTen/Ten')).toBe(true);
  });

  it('declares every element the codec writes in a request, where and in the namespace it writes it', () => {
    for (const xml of [
      buildLookupRequest(INPUT),
      buildLookupRequest({ ...INPUT_WITHOUT_DATE, birthYear: 2013 }),
    ]) {
      const paths = written(xml);
      expect(paths.length).toBeGreaterThan(10);
      for (const { path, ns } of paths) {
        expect(request.paths, `request element ${path}`).toContain(path);
        expect(ns, `namespace of ${path}`).toBe(C06_REQUEST_NAMESPACE);
      }
    }
  });

  it('declares every element and attribute the sandbox writes in an answer, found or not', () => {
    for (const layout of ['split', 'ten'] as const) {
      for (const xml of [
        buildLookupResponse(EVERYTHING, { nameLayout: layout }),
        buildLookupResponse(null),
      ]) {
        for (const { path, ns } of written(xml)) {
          expect(response.paths, `answer element ${path}`).toContain(path);
          expect(ns, `namespace of ${path}`).toBe(C06_RESPONSE_NAMESPACE);
        }
      }
    }
    // The relatives the hub checks guardians against are among them.
    const paths = written(buildLookupResponse(EVERYTHING)).map((p) => p.path);
    for (const r of ['Cha', 'Me', 'NguoiDaiDien']) {
      expect(paths).toContain(`CongdanCollection/CongDan/${r}/SoDinhDanh`);
    }
  });

  it('says of every element whether it is known or assumed', () => {
    for (const e of [...request.elements, ...response.elements]) {
      const doc = kids(kids(e, 'annotation', XS)[0] ?? e, 'documentation', XS)[0]?.text.trim() ?? '';
      expect(doc, `documentation of ${e.attrs.name}`).toMatch(/^(known|assumed): \S/);
    }
  });

  it('binds the operation as document/literal SOAP 1.1 with SOAPAction "" on its two elements', () => {
    const binding = kids(definitions, 'binding', WSDL)[0]!;
    expect(kids(binding, 'binding', WSDL_SOAP)[0]?.attrs).toEqual({
      style: 'document',
      transport: 'http://schemas.xmlsoap.org/soap/http',
    });
    const operation = kids(binding, 'operation', WSDL)[0]!;
    expect(operation.attrs.name).toBe('TraCuuThongTinCongDan');
    expect(kids(operation, 'operation', WSDL_SOAP)[0]?.attrs.soapAction).toBe('');
    for (const io of ['input', 'output']) {
      expect(kids(kids(operation, io, WSDL)[0]!, 'body', WSDL_SOAP)[0]?.attrs.use).toBe('literal');
    }
    const parts = kids(definitions, 'message', WSDL).map((m) => {
      const part = kids(m, 'part', WSDL)[0]!;
      return resolve(part, part.attrs.element!);
    });
    expect(parts).toEqual([
      { ns: C06_REQUEST_NAMESPACE, local: 'TraCuuThongTinCongDan' },
      { ns: C06_RESPONSE_NAMESPACE, local: 'CongdanCollection' },
    ]);
  });
});
