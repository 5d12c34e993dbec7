/**
 * The WSDL of the sandbox SOAP service (SOAP 1.1, document/literal wrapped) and the element
 * order of each vendor record, which the service writes in exactly that order.
 */

export const SOAP_NAMESPACE = 'urn:sandbox:truong-hoc:v1';
export const SOAP_PATH = '/soap/TruongHoc';

type XsdType = 'string' | 'int' | 'boolean' | 'dateTime';
export interface ElementDef {
  name: string;
  type: XsdType | { complex: string; fields: ElementDef[] };
  optional?: boolean;
  many?: boolean;
}

export const GUARDIAN_ELEMENTS: ElementDef[] = [
  { name: 'quanHe', type: 'string' },
  { name: 'hoTen', type: 'string' },
  { name: 'soDinhDanh', type: 'string', optional: true },
  { name: 'dienThoai', type: 'string', optional: true },
  { name: 'ngaySinh', type: 'string', optional: true },
];

export const STUDENT_ELEMENTS: ElementDef[] = [
  { name: 'maHocSinh', type: 'string' },
  { name: 'maTruong', type: 'string' },
  { name: 'hoTen', type: 'string' },
  { name: 'ngaySinh', type: 'string' },
  { name: 'gioiTinh', type: 'string' },
  { name: 'soDinhDanh', type: 'string', optional: true },
  { name: 'maDanToc', type: 'string', optional: true },
  { name: 'maLop', type: 'string', optional: true },
  { name: 'namHoc', type: 'string', optional: true },
  { name: 'trangThai', type: 'string', optional: true },
  { name: 'ngayNhapTrangThai', type: 'string', optional: true },
  { name: 'phuHuynh', type: { complex: 'PhuHuynh', fields: GUARDIAN_ELEMENTS }, optional: true, many: true },
  { name: 'ngayCapNhat', type: 'dateTime' },
  { name: 'daXoa', type: 'boolean' },
];

/** Teachers travel as an XML document inside a string (as many .asmx services do): no XSD type. */
export const TEACHER_ELEMENTS: ElementDef[] = [
  { name: 'maGiaoVien', type: 'string' },
  { name: 'maTruong', type: 'string' },
  { name: 'hoTen', type: 'string' },
  { name: 'ngaySinh', type: 'string', optional: true },
  { name: 'gioiTinh', type: 'string', optional: true },
  { name: 'soDinhDanh', type: 'string', optional: true },
  { name: 'maDanToc', type: 'string', optional: true },
  { name: 'email', type: 'string', optional: true },
  { name: 'dienThoai', type: 'string', optional: true },
  { name: 'viTriViecLam', type: 'string', optional: true },
  { name: 'monDay', type: 'string', optional: true, many: true },
  { name: 'trangThai', type: 'string' },
  { name: 'ngayCapNhat', type: 'dateTime' },
  { name: 'daXoa', type: 'boolean' },
];

export const CLASS_ELEMENTS: ElementDef[] = [
  { name: 'maLop', type: 'string' },
  { name: 'maTruong', type: 'string' },
  { name: 'namHoc', type: 'string' },
  { name: 'tenLop', type: 'string' },
  { name: 'khoi', type: 'int' },
  { name: 'maGVCN', type: 'string', optional: true },
  { name: 'soBuoiHoc', type: 'int', optional: true },
  { name: 'ngayCapNhat', type: 'dateTime' },
  { name: 'daXoa', type: 'boolean' },
];

export const SCHOOL_ELEMENTS: ElementDef[] = [
  { name: 'maTruong', type: 'string' },
  { name: 'tenTruong', type: 'string' },
  { name: 'capHoc', type: 'string' },
  { name: 'xaPhuong', type: 'string' },
  { name: 'maTinh', type: 'string' },
  { name: 'diaChi', type: 'string', optional: true },
];

function sequence(fields: ElementDef[], indent: string): string {
  return fields
    .map((f) => {
      const type = typeof f.type === 'string' ? `xs:${f.type}` : `tns:${f.type.complex}`;
      const occurs = `${f.optional ? ' minOccurs="0"' : ''}${f.many ? ' maxOccurs="unbounded"' : ''}`;
      return `${indent}<xs:element name="${f.name}" type="${type}"${occurs}/>`;
    })
    .join('\n');
}

function complexType(name: string, fields: ElementDef[]): string {
  return `      <xs:complexType name="${name}">\n        <xs:sequence>\n${sequence(fields, '          ')}\n        </xs:sequence>\n      </xs:complexType>`;
}

function wrapper(name: string, fields: ElementDef[]): string {
  return `      <xs:element name="${name}">\n        <xs:complexType>\n          <xs:sequence>\n${sequence(fields, '            ')}\n          </xs:sequence>\n        </xs:complexType>\n      </xs:element>`;
}

const PAGE_REQUEST: ElementDef[] = [
  { name: 'maTruong', type: 'string' },
  { name: 'trang', type: 'int' },
  { name: 'kichThuocTrang', type: 'int' },
  { name: 'capNhatTu', type: 'dateTime', optional: true },
];

export const OPERATIONS = [
  'LayDanhSachTruong',
  'LayDanhSachHocSinh',
  'LayDanhSachGiaoVien',
  'LayDanhSachLop',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** The WSDL, with the service at `location`. */
export function wsdl(location: string): string {
  const elements = [
    wrapper('LayDanhSachTruong', []),
    wrapper('LayDanhSachTruongResponse', [
      { name: 'truong', type: { complex: 'Truong', fields: SCHOOL_ELEMENTS }, optional: true, many: true },
    ]),
    wrapper('LayDanhSachHocSinh', PAGE_REQUEST),
    wrapper('LayDanhSachHocSinhResponse', [
      { name: 'tongSo', type: 'int' },
      { name: 'trang', type: 'int' },
      { name: 'hocSinh', type: { complex: 'HocSinh', fields: STUDENT_ELEMENTS }, optional: true, many: true },
    ]),
    wrapper('LayDanhSachGiaoVien', PAGE_REQUEST),
    // An XML document as text: <DanhSachGiaoVien tongSo="…" trang="…"><GiaoVien>…</GiaoVien></DanhSachGiaoVien>
    wrapper('LayDanhSachGiaoVienResponse', [{ name: 'LayDanhSachGiaoVienResult', type: 'string' }]),
    wrapper('LayDanhSachLop', PAGE_REQUEST),
    wrapper('LayDanhSachLopResponse', [
      { name: 'tongSo', type: 'int' },
      { name: 'trang', type: 'int' },
      { name: 'lop', type: { complex: 'Lop', fields: CLASS_ELEMENTS }, optional: true, many: true },
    ]),
    `      <xs:element name="LoiDichVu">\n        <xs:complexType>\n          <xs:sequence>\n            <xs:element name="maLoi" type="xs:string"/>\n            <xs:element name="thuLai" type="xs:boolean"/>\n          </xs:sequence>\n        </xs:complexType>\n      </xs:element>`,
  ];
  const messages = OPERATIONS.flatMap((op) => [
    `  <wsdl:message name="${op}In"><wsdl:part name="parameters" element="tns:${op}"/></wsdl:message>`,
    `  <wsdl:message name="${op}Out"><wsdl:part name="parameters" element="tns:${op}Response"/></wsdl:message>`,
  ]);
  const portOps = OPERATIONS.map(
    (op) =>
      `    <wsdl:operation name="${op}">\n      <wsdl:input message="tns:${op}In"/>\n      <wsdl:output message="tns:${op}Out"/>\n    </wsdl:operation>`,
  );
  const bindingOps = OPERATIONS.map(
    (op) =>
      `    <wsdl:operation name="${op}">\n      <soap:operation soapAction="${SOAP_NAMESPACE}/${op}" style="document"/>\n      <wsdl:input><soap:body use="literal"/></wsdl:input>\n      <wsdl:output><soap:body use="literal"/></wsdl:output>\n    </wsdl:operation>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
  xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="${SOAP_NAMESPACE}" targetNamespace="${SOAP_NAMESPACE}" name="TruongHoc">
  <wsdl:types>
    <xs:schema targetNamespace="${SOAP_NAMESPACE}" elementFormDefault="qualified">
${complexType('Truong', SCHOOL_ELEMENTS)}
${complexType('PhuHuynh', GUARDIAN_ELEMENTS)}
${complexType('HocSinh', STUDENT_ELEMENTS)}
${complexType('Lop', CLASS_ELEMENTS)}
${elements.join('\n')}
    </xs:schema>
  </wsdl:types>
${messages.join('\n')}
  <wsdl:portType name="TruongHocPort">
${portOps.join('\n')}
  </wsdl:portType>
  <wsdl:binding name="TruongHocBinding" type="tns:TruongHocPort">
    <soap:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>
${bindingOps.join('\n')}
  </wsdl:binding>
  <wsdl:service name="TruongHocService">
    <wsdl:port name="TruongHocPort" binding="tns:TruongHocBinding">
      <soap:address location="${location}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;
}
