/**
 * Reading a SOAP Fault out of an answer, SOAP 1.1 (`faultcode`, `faultstring`) or 1.2 (`Code/Value`,
 * `Reason/Text`), whatever the prefixes. Entities are not processed: a gateway's error body is not
 * trusted, and a fault never needs more than the five predefined ones, decoded here by hand.
 */
import { XMLParser } from 'fast-xml-parser';

export interface SoapFault {
  /** `faultcode` as written, prefix included (`soapenv:Server`); '' when missing. */
  code: string;
  /** `faultstring`; '' when missing. */
  string: string;
  /** The `Fault` element as it was written (for the error's kept body, once cleaned). */
  text: string;
}

const FAULT_START = /<(?:[A-Za-z_][\w.-]*:)?Fault[\s>/]/;
const FAULT_ELEMENT = /<([A-Za-z_][\w.-]*:)?Fault[\s>/][\s\S]*?(?:<\/\1?Fault\s*>|$)/;

const parser = new XMLParser({
  processEntities: false,
  parseTagValue: false,
  ignoreAttributes: true,
  removeNSPrefix: true,
  ignoreDeclaration: true,
});

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The five predefined entities and character references; anything else stays as written. */
export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (m, name: string) => {
    if (name[0] !== '#') return PREDEFINED[name] ?? m;
    const code =
      name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return decodeXmlText(value).trim();
  if (Array.isArray(value)) return textOf(value[0]);
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if ('#text' in v) return textOf(v['#text']);
    // SOAP 1.2: Code/Value, Reason/Text.
    if ('Value' in v) return textOf(v.Value);
    if ('Text' in v) return textOf(v.Text);
  }
  return '';
}

/** The SOAP Fault an answer carries, or undefined when it carries none (or is not XML at all). */
export function readSoapFault(body: string): SoapFault | undefined {
  if (!FAULT_START.test(body)) return undefined;
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const envelope = doc.Envelope as Record<string, unknown> | undefined;
  const soapBody = envelope?.Body as Record<string, unknown> | undefined;
  const fault = soapBody?.Fault;
  if (fault === undefined) return undefined;
  const f = (Array.isArray(fault) ? fault[0] : fault) as Record<string, unknown> | string;
  const text = FAULT_ELEMENT.exec(body)?.[0] ?? '';
  if (typeof f !== 'object' || f === null) return { code: '', string: '', text };
  return {
    code: textOf(f.faultcode ?? f.Code),
    string: textOf(f.faultstring ?? f.Reason),
    text,
  };
}
