/**
 * The sandbox SOAP service as a client sees it over HTTP (raw envelopes, no SOAP library).
 */
import { XMLParser } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { atPointer } from '../../../src/sdk/index.ts';
import { SOAP_NAMESPACE, type SoapSchool, startSoapSchool } from './index.ts';

const open: SoapSchool[] = [];
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
});
async function service() {
  const s = await startSoapSchool({
    seed: 5,
    schools: 1,
    classesPerGrade: 1,
    classSize: 8,
    auth: { type: 'basic', username: 'u', password: 'p' },
  });
  open.push(s);
  return s;
}
const parser = new XMLParser({
  processEntities: false,
  parseTagValue: false,
  removeNSPrefix: true,
  ignoreAttributes: false,
});
const BASIC = { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` };

async function call(s: SoapSchool, body: string, headers: Record<string, string> = BASIC) {
  const r = await fetch(s.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', ...headers },
    body: `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`,
  });
  return {
    status: r.status,
    doc: r.status === 401 ? undefined : (parser.parse(await r.text()) as unknown),
  };
}

describe('sandbox SOAP school', () => {
  it('serves its WSDL with its own address', async () => {
    const s = await service();
    const text = await (await fetch(s.wsdlUrl)).text();
    expect(text).toContain(`<soap:address location="${s.endpoint}"/>`);
    expect(text).toContain('<wsdl:operation name="LayDanhSachHocSinh">');
  });

  it('pages students, IDs kept as text', async () => {
    const s = await service();
    const { doc } = await call(
      s,
      `<LayDanhSachHocSinh xmlns="${SOAP_NAMESPACE}"><maTruong>79NB0001</maTruong><trang>2</trang><kichThuocTrang>3</kichThuocTrang></LayDanhSachHocSinh>`,
    );
    const res = atPointer(doc, '/Envelope/Body/LayDanhSachHocSinhResponse');
    expect(atPointer(res, '/tongSo')).toBe(String(s.state.data.students.size));
    expect(atPointer(res, '/trang')).toBe('2');
    expect(atPointer(res, '/hocSinh')).toHaveLength(3);
    expect(atPointer(res, '/hocSinh/0/soDinhDanh')).toMatch(/^0\d{11}$/);
  });

  it('carries teachers as an XML document in a string', async () => {
    const s = await service();
    const { doc } = await call(
      s,
      `<LayDanhSachGiaoVien xmlns="${SOAP_NAMESPACE}"><maTruong>79NB0001</maTruong><trang>1</trang><kichThuocTrang>2</kichThuocTrang></LayDanhSachGiaoVien>`,
    );
    const text = atPointer(doc, '/Envelope/Body/LayDanhSachGiaoVienResponse/LayDanhSachGiaoVienResult');
    // Entities stay as sent: this parser expands none (processEntities: false).
    expect(text).toMatch(/^&lt;DanhSachGiaoVien tongSo=&quot;\d+&quot; trang=&quot;1&quot;&gt;/);
  });

  it('answers a soap:Client fault for an unknown school, and 401 without credentials', async () => {
    const s = await service();
    const { status, doc } = await call(
      s,
      `<LayDanhSachLop xmlns="${SOAP_NAMESPACE}"><maTruong>XX</maTruong><trang>1</trang><kichThuocTrang>2</kichThuocTrang></LayDanhSachLop>`,
    );
    expect(status).toBe(500);
    expect(atPointer(doc, '/Envelope/Body/Fault')).toMatchObject({
      faultcode: 'soap:Client',
      detail: { LoiDichVu: { maLoi: 'TRUONG_KHONG_TON_TAI', thuLai: 'false' } },
    });
    expect((await call(s, '<LayDanhSachTruong/>', {})).status).toBe(401);
  });

  it('answers a soap:Server fault on demand, and counts it', async () => {
    const s = await service();
    s.state.faults.set({ vendorErrors: 1 });
    const first = await call(s, `<LayDanhSachTruong xmlns="${SOAP_NAMESPACE}"/>`);
    const second = await call(s, `<LayDanhSachTruong xmlns="${SOAP_NAMESPACE}"/>`);
    expect(atPointer(first.doc, '/Envelope/Body/Fault')).toMatchObject({
      faultcode: 'soap:Server',
      detail: { LoiDichVu: { maLoi: 'QUA_TAI', thuLai: 'true' } },
    });
    expect(atPointer(second.doc, '/Envelope/Body/LayDanhSachTruongResponse/truong/maTruong')).toBe(
      '79NB0001',
    );
    expect(s.state.faults.injected.vendorErrors).toBe(1);
  });

  it('serves a page short of half its records, or with none, keeping the total of the whole page', async () => {
    const s = await service();
    s.state.faults.set({ shortPages: 1, emptyPages: 1 });
    const page = `<LayDanhSachLop xmlns="${SOAP_NAMESPACE}"><maTruong>79NB0001</maTruong><trang>1</trang><kichThuocTrang>4</kichThuocTrang></LayDanhSachLop>`;
    const answers = [await call(s, page), await call(s, page), await call(s, page)].map(
      (a) => atPointer(a.doc, '/Envelope/Body/LayDanhSachLopResponse') as { tongSo: string; lop?: unknown },
    );
    expect(answers.map((a) => (a.lop === undefined ? 0 : Array.isArray(a.lop) ? a.lop.length : 1))).toEqual([
      2, 0, 4,
    ]);
    expect(new Set(answers.map((a) => a.tongSo)).size).toBe(1);
  });

  it('serves a hollow answer: a well-formed envelope whose answer element is empty', async () => {
    const s = await service();
    s.state.faults.set({ hollowPages: 1 });
    const { status, doc } = await call(
      s,
      `<LayDanhSachHocSinh xmlns="${SOAP_NAMESPACE}"><maTruong>79NB0001</maTruong><trang>1</trang><kichThuocTrang>4</kichThuocTrang></LayDanhSachHocSinh>`,
    );
    expect(status).toBe(200);
    expect(atPointer(doc, '/Envelope/Body/LayDanhSachHocSinhResponse')).toBe('');
  });
});
