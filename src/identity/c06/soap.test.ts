import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { buildLookupResponse, type SandboxCitizen } from '../../../sandbox/c06/server.ts';
import { C06FaultError, C06RequestError, C06ResponseError } from './errors.ts';
import {
  buildLookupRequest,
  type C06Citizen,
  type C06LookupInput,
  formatNameForC06,
  parseLookupResponse,
} from './soap.ts';

const REQUESTER = {
  officialId: '079080001234',
  unitCode: '000.00.15.H29',
  account: 'edubridge.hcm',
};

const INPUT: C06LookupInput = {
  requestId: 'edubridge-3f1c2a',
  personalId: '012345678901',
  fullName: 'Nguyễn Văn A',
  birthDate: '2013-04-02',
  requester: REQUESTER,
  nameFormat: 'upper-ascii-compact',
};

/** Domain README §2.2, word for word, the placeholders filled in with INPUT's values. */
const README_SAMPLE = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:dan="http://dancuquocgia.bca">
  <soapenv:Header/>
  <soapenv:Body>
    <dan:TraCuuThongTinCongDan>
      <dan:MaYeuCau>edubridge-3f1c2a</dan:MaYeuCau>
      <dan:MaDVC>VPCP</dan:MaDVC>
      <dan:MaTichHop>037</dan:MaTichHop>
      <dan:MaCanBo>079080001234</dan:MaCanBo>
      <dan:MaDonVi>000.00.15.H29</dan:MaDonVi>
      <dan:TaiKhoan>edubridge.hcm</dan:TaiKhoan>
      <dan:SoDienThoai>0</dan:SoDienThoai>
      <dan:SoDinhDanh>012345678901</dan:SoDinhDanh>
      <dan:HoVaTen>NGUYENVANA</dan:HoVaTen>          <!-- one client sends it upper-case, without diacritics or spaces -->
      <dan:NgayThangNamSinh><dan:NgayThangNam>20130402</dan:NgayThangNam></dan:NgayThangNamSinh>  <!-- or <dan:Nam>yyyy</dan:Nam> -->
    </dan:TraCuuThongTinCongDan>
  </soapenv:Body>
</soapenv:Envelope>`;

/** Our own output is trusted: entities on, to read escaped values back. */
const readBack = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
});
const operation = (xml: string) =>
  readBack.parse(xml)['soapenv:Envelope']['soapenv:Body']['dan:TraCuuThongTinCongDan'] as Record<
    string,
    unknown
  >;

/** The public sample answer (domain README §2.3 sources), personal data replaced, relatives kept. */
const SAMPLE_ANSWER = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
    <soapenv:Header xmlns:dan="http://dancuquocgia.bca"/>
    <soapenv:Body xmlns:dan="http://dancuquocgia.bca">
        <ns1:CongdanCollection xmlns:ns1="http://www.mic.gov.vn/dancu/1.0">
            <ns1:CongDan>
                <ns1:SoDinhDanh>079213004567</ns1:SoDinhDanh>
                <ns1:HoVaTen>
                    <ns1:Ho>NGUYỄN</ns1:Ho>
                    <ns1:ChuDem>GIA</ns1:ChuDem>
                    <ns1:Ten>BẢO</ns1:Ten>
                </ns1:HoVaTen>
                <ns1:GioiTinh>1</ns1:GioiTinh>
                <ns1:DanToc>01</ns1:DanToc>
                <ns1:TonGiao>00</ns1:TonGiao>
                <ns1:TinhTrangHonNhan>1</ns1:TinhTrangHonNhan>
                <ns1:NhomMau>00</ns1:NhomMau>
                <ns1:NgayThangNamSinh>
                    <ns1:Nam>2013</ns1:Nam>
                    <ns1:NgayThangNam>20130402</ns1:NgayThangNam>
                </ns1:NgayThangNamSinh>
                <ns1:NoiDangKyKhaiSinh>
                    <ns1:MaTinhThanh>79</ns1:MaTinhThanh>
                    <ns1:MaQuanHuyen>786</ns1:MaQuanHuyen>
                    <ns1:MaPhuongXa>27655</ns1:MaPhuongXa>
                    <ns1:ChiTiet>XÃ NHÀ BÈ, THÀNH PHỐ HỒ CHÍ MINH</ns1:ChiTiet>
                    <ns1:QuocGia>VN</ns1:QuocGia>
                </ns1:NoiDangKyKhaiSinh>
                <ns1:QuocTich/>
                <ns1:Cha>
                    <ns1:HoVaTen>NGUYỄN VĂN HÙNG</ns1:HoVaTen>
                    <ns1:QuocTich>VN</ns1:QuocTich>
                    <ns1:SoDinhDanh>001085012345</ns1:SoDinhDanh>
                    <ns1:SoCMND>023456789</ns1:SoCMND>
                </ns1:Cha>
                <ns1:Me>
                    <ns1:SoDinhDanh>079187006543</ns1:SoDinhDanh>
                    <ns1:QuocTich>VN</ns1:QuocTich>
                    <ns1:HoVaTen><ns1:Ho>TRẦN</ns1:Ho><ns1:ChuDem>THỊ</ns1:ChuDem><ns1:Ten>THUỶ</ns1:Ten></ns1:HoVaTen>
                </ns1:Me>
                <ns1:VoChong>
                    <ns1:HoVaTen/>
                    <ns1:QuocTich/>
                    <ns1:SoDinhDanh/>
                    <ns1:SoCMND/>
                </ns1:VoChong>
                <ns1:NguoiDaiDien>
                    <ns1:HoVaTen>NGUYỄN VĂN HÙNG</ns1:HoVaTen>
                    <ns1:QuocTich>VN</ns1:QuocTich>
                    <ns1:SoDinhDanh>001085012345</ns1:SoDinhDanh>
                    <ns1:SoCMND/>
                </ns1:NguoiDaiDien>
                <ns1:ChuHo>
                    <ns1:QuanHe>CH01</ns1:QuanHe>
                    <ns1:SoDinhDanh>001085012345</ns1:SoDinhDanh>
                    <ns1:HoVaTen>NGUYỄN VĂN HÙNG</ns1:HoVaTen>
                </ns1:ChuHo>
                <ns1:SoSoHoKhau>cm41</ns1:SoSoHoKhau>
            </ns1:CongDan>
        </ns1:CongdanCollection>
    </soapenv:Body>
</soapenv:Envelope>`;

const envelope = (body: string, prefix = 'soapenv') =>
  `<${prefix}:Envelope xmlns:${prefix}="http://schemas.xmlsoap.org/soap/envelope/"><${prefix}:Body>${body}</${prefix}:Body></${prefix}:Envelope>`;
const collection = (inner: string) =>
  envelope(
    `<ns1:CongdanCollection xmlns:ns1="http://www.mic.gov.vn/dancu/1.0">${inner}</ns1:CongdanCollection>`,
  );

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('buildLookupRequest', () => {
  it('writes the envelope of domain README §2.2, element by element', () => {
    const built = buildLookupRequest(INPUT);
    expect(readBack.parse(built)).toEqual(readBack.parse(README_SAMPLE));
    // The order of the sequence too, which a schema-validating service checks.
    const tags = [...built.matchAll(/<dan:(\w+)>/g)].map((m) => m[1]);
    expect(tags).toEqual([
      'TraCuuThongTinCongDan',
      'MaYeuCau',
      'MaDVC',
      'MaTichHop',
      'MaCanBo',
      'MaDonVi',
      'TaiKhoan',
      'SoDienThoai',
      'SoDinhDanh',
      'HoVaTen',
      'NgayThangNamSinh',
      'NgayThangNam',
    ]);
  });

  it('sends the birth year as dan:Nam when the full date is not known', () => {
    const { birthDate: _, ...rest } = INPUT;
    const op = operation(buildLookupRequest({ ...rest, birthYear: 2013 }));
    expect(op['dan:NgayThangNamSinh']).toEqual({ 'dan:Nam': '2013' });
  });

  it('keeps the name as written with as-is, and escapes markup in every value', () => {
    const op = operation(
      buildLookupRequest({
        ...INPUT,
        requestId: 'req <1> & "2"',
        fullName: "  Đặng  Thị O'Hoà ",
        nameFormat: 'as-is',
        requester: { ...REQUESTER, serviceCode: 'SGDĐT', integrationCode: '037', phone: '090 123 4567' },
      }),
    );
    expect(op['dan:MaYeuCau']).toBe('req <1> & "2"');
    expect(op['dan:HoVaTen']).toBe("Đặng Thị O'Hoà");
    expect(op['dan:MaDVC']).toBe('SGDĐT');
    expect(op['dan:SoDienThoai']).toBe('0901234567');
  });

  it('writes upper-ascii-compact names as one public client sends them', () => {
    expect(formatNameForC06('Nguyễn Văn A', 'upper-ascii-compact')).toBe('NGUYENVANA');
    expect(formatNameForC06('Đặng  Thị Thuỷ', 'upper-ascii-compact')).toBe('DANGTHITHUY');
    expect(formatNameForC06('đỗ ngọc ánh', 'upper-ascii-compact')).toBe('DONGOCANH');
  });

  it('refuses an ID that is not 12 digits, naming the field but not the value', () => {
    const error = thrown(() => buildLookupRequest({ ...INPUT, personalId: '12345678901' }));
    expect(error).toBeInstanceOf(C06RequestError);
    expect(error).toMatchObject({ code: 'C06_INVALID_REQUEST', field: 'personalId' });
    expect(error.message).not.toContain('12345678901');
  });

  it('refuses a lookup without birth date or year, or with a date that does not exist', () => {
    const { birthDate: _, ...rest } = INPUT;
    expect(thrown(() => buildLookupRequest(rest))).toMatchObject({ field: 'birthDate' });
    expect(thrown(() => buildLookupRequest({ ...INPUT, birthDate: '2013-02-30' }))).toMatchObject({
      field: 'birthDate',
    });
    expect(thrown(() => buildLookupRequest({ ...rest, birthYear: 13 }))).toMatchObject({
      field: 'birthYear',
    });
  });

  it('refuses a lookup whose requester is incomplete (C06 records who asked)', () => {
    const error = thrown(() =>
      buildLookupRequest({ ...INPUT, requester: { ...REQUESTER, officialId: ' ' } }),
    );
    expect(error).toMatchObject({ code: 'C06_INVALID_REQUEST', field: 'requester.officialId' });
  });
});

describe('parseLookupResponse', () => {
  it('reads a realistic answer with its relatives, IDs keeping their leading zeros', () => {
    expect(parseLookupResponse(SAMPLE_ANSWER)).toEqual({
      found: true,
      citizen: {
        personalId: '079213004567',
        fullName: 'NGUYỄN GIA BẢO',
        birthDate: '2013-04-02',
        gender: 'male',
        ethnicityCode: '01',
        father: { personalId: '001085012345', legacyId: '023456789', fullName: 'NGUYỄN VĂN HÙNG' },
        mother: { personalId: '079187006543', fullName: 'TRẦN THỊ THUỶ' },
        representative: { personalId: '001085012345', fullName: 'NGUYỄN VĂN HÙNG' },
      },
    });
  });

  it('reads the whole name from Ten when Ho and ChuDem are empty (the public sample)', () => {
    const xml = collection(
      '<ns1:CongDan><ns1:SoDinhDanh>026092008262</ns1:SoDinhDanh><ns1:SoCMND>135602342</ns1:SoCMND>' +
        '<ns1:HoVaTen><ns1:Ho/><ns1:ChuDem/><ns1:Ten>ĐÀO  VĂN TÀI</ns1:Ten></ns1:HoVaTen><ns1:GioiTinh>2</ns1:GioiTinh>' +
        '<ns1:NgayThangNamSinh><ns1:Nam>1992</ns1:Nam><ns1:NgayThangNam>19921122</ns1:NgayThangNam></ns1:NgayThangNamSinh>' +
        '</ns1:CongDan>',
    );
    expect(parseLookupResponse(xml)).toEqual({
      found: true,
      citizen: {
        personalId: '026092008262',
        legacyId: '135602342',
        fullName: 'ĐÀO VĂN TÀI',
        birthDate: '1992-11-22',
        gender: 'female',
      },
    });
  });

  it('gives the birth year alone when C06 holds no whole date', () => {
    const yearOnly = (birth: string) =>
      collection(
        `<ns1:CongDan><ns1:SoDinhDanh>001050000001</ns1:SoDinhDanh><ns1:HoVaTen>LÊ VĂN BA</ns1:HoVaTen><ns1:NgayThangNamSinh>${birth}</ns1:NgayThangNamSinh></ns1:CongDan>`,
      );
    for (const birth of ['<ns1:Nam>1950</ns1:Nam>', '<ns1:NgayThangNam>19500000</ns1:NgayThangNam>']) {
      const result = parseLookupResponse(yearOnly(birth));
      expect(result).toEqual({
        found: true,
        citizen: { personalId: '001050000001', fullName: 'LÊ VĂN BA', birthYear: 1950 },
      });
    }
  });

  it('matches elements by local name whatever the prefixes (or a default namespace)', () => {
    const xml =
      '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>' +
      '<CongdanCollection xmlns="http://www.mic.gov.vn/dancu/1.0"><CongDan><SoDinhDanh>079213004567</SoDinhDanh>' +
      '<HoVaTen><Ho>Võ</Ho><ChuDem/><Ten>An</Ten></HoVaTen></CongDan></CongdanCollection></S:Body></S:Envelope>';
    expect(parseLookupResponse(xml)).toMatchObject({
      found: true,
      citizen: { personalId: '079213004567', fullName: 'Võ An' },
    });
  });

  it('reads an empty collection, an empty CongDan and an empty HoVaTen as not found', () => {
    expect(parseLookupResponse(collection(''))).toEqual({ found: false });
    expect(
      parseLookupResponse(
        envelope('<ns1:CongdanCollection xmlns:ns1="http://www.mic.gov.vn/dancu/1.0" SoCongDan="0"/>'),
      ),
    ).toEqual({ found: false });
    expect(parseLookupResponse(collection('<ns1:CongDan/>'))).toEqual({ found: false });
    expect(
      parseLookupResponse(
        collection(
          '<ns1:CongDan><ns1:SoDinhDanh>079213004567</ns1:SoDinhDanh><ns1:HoVaTen><ns1:Ho/><ns1:ChuDem/><ns1:Ten/></ns1:HoVaTen></ns1:CongDan>',
        ),
      ),
    ).toEqual({ found: false });
  });

  it('turns a SOAP Fault into C06FaultError with its faultcode, the fault text masked', () => {
    const error = thrown(() =>
      parseLookupResponse(
        envelope(
          '<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>Không tìm thấy 079213004567 &amp; lỗi</faultstring></soapenv:Fault>',
        ),
      ),
    );
    expect(error).toBeInstanceOf(C06FaultError);
    expect(error).toMatchObject({ code: 'C06_FAULT', faultCode: 'soapenv:Server', source: 'soap' });
    expect((error as C06FaultError).faultString).toBe('Không tìm thấy [number] & lỗi');
    expect(error.message).not.toContain('079213004567');
  });

  it('refuses what is not a lookup answer with C06ResponseError', () => {
    for (const text of [
      '',
      'Service Unavailable',
      '<html><body>502 Bad Gateway</body></html>',
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>',
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"/>',
      envelope('<dan:Other xmlns:dan="http://dancuquocgia.bca"/>'),
      collection('<ns1:CongDan><ns1:HoVaTen>LÊ VĂN BA</ns1:HoVaTen></ns1:CongDan>'),
    ]) {
      const error = thrown(() => parseLookupResponse(text));
      expect(error).toBeInstanceOf(C06ResponseError);
      expect(error).toMatchObject({ code: 'C06_MALFORMED_RESPONSE' });
    }
  });

  it('never expands entities: a DOCTYPE is refused, an unknown entity stays as written', () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY name SYSTEM "file:///etc/passwd">]>' +
      collection(
        '<ns1:CongDan><ns1:SoDinhDanh>079213004567</ns1:SoDinhDanh><ns1:HoVaTen><ns1:Ten>&lol2;&name;</ns1:Ten></ns1:HoVaTen></ns1:CongDan>',
      );
    const error = thrown(() => parseLookupResponse(laughs));
    expect(error).toBeInstanceOf(C06ResponseError);
    expect(error.message).not.toContain('lol');

    const unknown = collection(
      '<ns1:CongDan><ns1:SoDinhDanh>079213004567</ns1:SoDinhDanh><ns1:HoVaTen><ns1:Ten>&xxe; &amp; &#272;</ns1:Ten></ns1:HoVaTen></ns1:CongDan>',
    );
    expect(parseLookupResponse(unknown)).toMatchObject({ citizen: { fullName: '&xxe; & Đ' } });
  });

  it('unwraps a proxy wrapper whose error_code is "0", and refuses one with another code', () => {
    const ok = JSON.stringify({ error_code: '0', message: SAMPLE_ANSWER });
    expect(parseLookupResponse(ok)).toMatchObject({ found: true, citizen: { personalId: '079213004567' } });

    const refused = JSON.stringify({ error_code: '99', message: 'Tài khoản 079080001234 không có quyền' });
    const error = thrown(() => parseLookupResponse(refused));
    expect(error).toMatchObject({ code: 'C06_FAULT', faultCode: '99', source: 'wrapper' });
    expect((error as C06FaultError).faultString).not.toContain('079080001234');

    const one = JSON.stringify({ error_code: 1, message: SAMPLE_ANSWER });
    expect(thrown(() => parseLookupResponse(one))).toBeInstanceOf(C06FaultError);
    expect(parseLookupResponse(one, { acceptedWrapperCodes: ['0', '1'] })).toMatchObject({ found: true });

    expect(thrown(() => parseLookupResponse('{"error_code":"0","message":{"a":1}}'))).toBeInstanceOf(
      C06ResponseError,
    );
    expect(thrown(() => parseLookupResponse('{"error_code":'))).toBeInstanceOf(C06ResponseError);
  });
});

describe('round trip with the sandbox answer builder', () => {
  const letters = [
    ...'aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ&<>\'"',
  ];
  const word = fc.string({ unit: fc.constantFrom(...letters), minLength: 1, maxLength: 7 });
  const name = fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join(' '));
  const digits = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));
  const relative = fc
    .record({ personalId: digits(12), legacyId: digits(9), fullName: name }, { requiredKeys: [] })
    .filter((r) => Object.keys(r).length > 0);
  const citizen: fc.Arbitrary<SandboxCitizen> = fc.record(
    {
      personalId: digits(12),
      legacyId: digits(9),
      fullName: name,
      birthDate: fc
        .date({
          min: new Date('1900-01-01T00:00:00Z'),
          max: new Date('2030-12-31T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString().slice(0, 10)),
      gender: fc.constantFrom('male' as const, 'female' as const),
      ethnicityCode: digits(2),
      father: relative,
      mother: relative,
      representative: relative,
    },
    { requiredKeys: ['personalId', 'fullName', 'birthDate'] },
  );

  it('parses back what the sandbox writes, in both name layouts', () => {
    fc.assert(
      fc.property(citizen, fc.constantFrom('split' as const, 'ten' as const), (c, nameLayout) => {
        const result = parseLookupResponse(buildLookupResponse(c, { nameLayout }));
        const expected: C06Citizen = c;
        expect(result).toEqual({ found: true, citizen: expected });
      }),
      { numRuns: 300 },
    );
  });

  it('parses the sandbox’s empty answer as not found', () => {
    expect(parseLookupResponse(buildLookupResponse(null))).toEqual({ found: false });
  });
});
