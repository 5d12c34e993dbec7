/**
 * Where each field of the SSC contract comes from, read off the marks of `openapi/ssc.md`:
 * ✅ → `known`, ⚠️ → `assumed`, ❓ → `unknown`.
 *
 * Rules, in order:
 * 1. The field's own mark in the .md's tables; with two marks (`✅ (format) ❓ (that SSC takes
 *    it)`), the weaker, since the contract field is only as sure as its least sure part.
 * 2. A field inside another (`ChiTiet[].SoTien`) takes the mark of the same field of the kind it
 *    names (`KhoanThu.SoTien`); the x-source says "no mark of its own".
 * 3. Otherwise the .md's blanket mark: "Everything below about transport, operation names, field
 *    names and codes ❓" — the envelopes, the payment list, the receipt call and its answer.
 *
 * A property of the generated document missing here fails `npm run contracts`, and so does an
 * entry here that no property uses.
 */
import { assumed, known, type ProvenanceTable, unknown } from '../openapi.ts';

const FEE_ITEM = 'ssc.md § KhoanThu';
const NOTICE = 'ssc.md § PhieuBaoThu';
const PAYMENT = 'ssc.md § GiaoDich';
const BLANKET =
  'ssc.md § What is known: everything about transport, operation names, field names and codes ❓';
const TRANSPORT = 'ssc.md § Transport';
const BODY = unknown(`${TRANSPORT}: POST with JSON, the body ❓`);
const ANSWER = 'ssc.md § Batch answer';
const RESULT = unknown(`${ANSWER}: one result per record, then one per delete ❓`);
const LIST = unknown('ssc.md § Payments (giaodich): request and answer ❓');
const ISSUE = unknown('ssc.md § Receipt or invoice (xuatchungtu): request ❓');
const DOCUMENT = unknown(`ssc.md § Receipt or invoice (xuatchungtu): the answer; ${BLANKET}`);

const SCHOOL = unknown(`${FEE_ITEM}: MaTruong, school code ❓`);
const YEAR = unknown(`${FEE_ITEM}: NamHoc, YYYY-YYYY ❓`);
const IDEMPOTENCY = unknown(
  `${TRANSPORT}: idempotency, \`idempotencyKey\` in the body and the Idempotency-Key header ❓`,
);
const RECONCILE = assumed(
  `${PAYMENT}: MaTruong, SoPhieu, MaHocSinh ⚠️ (reconcile by reference or student code)`,
);

export const SSC_PROVENANCE: ProvenanceTable = {
  KhoanThu: {
    MaTruong: SCHOOL,
    NamHoc: YEAR,
    MaKhoanThu: unknown(`${FEE_ITEM}: MaKhoanThu, 1–20 of A-Z 0-9 _ - ❓`),
    TenKhoanThu: assumed(`${FEE_ITEM}: TenKhoanThu ⚠️ (notices list item names)`),
    SoTien: assumed(`${FEE_ITEM}: SoTien, đồng per period ⚠️; whole đồng ✅ (VND has no minor unit)`),
    KyThu: unknown(`${FEE_ITEM}: KyThu THANG | HOC_KY | NAM | MOT_LAN ❓`),
    BatBuoc: assumed(`${FEE_ITEM}: BatBuoc ⚠️ (README §5.1: mandatory/optional)`),
    KhoiApDung: assumed(`${FEE_ITEM}: KhoiApDung ⚠️ (README §5.1: target class/grade)`),
  },
  PhieuBaoThu: {
    MaTruong: unknown(`${NOTICE}: MaTruong ❓`),
    NamHoc: unknown(`${NOTICE}: NamHoc ❓`),
    SoPhieu: unknown(`${NOTICE}: SoPhieu, unique in the school ❓`),
    MaHocSinh: assumed(`${NOTICE}: MaHocSinh ⚠️ (the SSC card carries the student number)`),
    ChiTiet: assumed(`${NOTICE}: ChiTiet[] { MaKhoanThu, SoTien }, ≥ 1, each fee once ⚠️`),
    'ChiTiet[].MaKhoanThu': unknown(
      `${NOTICE}: no mark of its own; the fee item's MaKhoanThu ❓ (${FEE_ITEM})`,
    ),
    'ChiTiet[].SoTien': assumed(`${NOTICE}: no mark of its own; ChiTiet ⚠️, amounts in whole đồng ✅`),
    TongTien: assumed(`${NOTICE}: TongTien, đồng, ≥ 1, = sum of ChiTiet ⚠️`),
    HanNop: assumed(`${NOTICE}: HanNop yyyy-MM-dd ⚠️ (the date format ❓, ssc.md § Record kinds)`),
    NoiDungChuyenKhoan: assumed(`${NOTICE}: NoiDungChuyenKhoan ⚠️ (reconcile by payment reference)`),
    TrangThai: unknown(`${NOTICE}: TrangThai CHUA_THU | THU_MOT_PHAN | DA_THU | HUY ❓`),
    MaQR: unknown(`${NOTICE}: MaQR ✅ (VietQR format, README §5.3) ❓ (that SSC takes it): the weaker`),
  },
  GiaoDich: {
    MaGiaoDich: unknown(`${PAYMENT}: MaGiaoDich, transaction id ❓`),
    MaTruong: RECONCILE,
    SoPhieu: RECONCILE,
    MaHocSinh: RECONCILE,
    SoTien: assumed(`${PAYMENT}: SoTien, đồng credited to the notice ⚠️`),
    PhiGiaoDich: known(`${PAYMENT}: PhiGiaoDich ✅ (7,500–11,000 đ per transaction, README §5.1)`),
    KenhThanhToan: unknown(`${PAYMENT}: KenhThanhToan ✅ (channels, README §5.1) ❓ (codes): the weaker`),
    MaThamChieuNganHang: assumed(`${PAYMENT}: MaThamChieuNganHang, bank/wallet reference ⚠️`),
    ThoiGian: unknown(`${PAYMENT}: ThoiGian, ISO 8601 with offset ❓`),
  },
  Item: {
    key: unknown(
      "ssc.md § Batch request: `key` is the hub's record key (SSC echoes it and deletes by it) ❓",
    ),
    kind: unknown(`ssc.md § Batch request: \`kind\` is SSC's record type; ${BLANKET}`),
    record: unknown(`ssc.md § Batch request: \`record\` follows the schema of its kind; ${BLANKET}`),
  },
  Batch: {
    idempotencyKey: IDEMPOTENCY,
    records: unknown('ssc.md § Batch request: fee items applied before notices, whatever their order ❓'),
    deletes: BODY,
  },
  BatchAnswer: { idempotencyKey: RESULT, results: RESULT },
  RecordResult: {
    key: RESULT,
    status: unknown(`${ANSWER}: accepted|refused ❓`),
    code: unknown(`${ANSWER}: codes ❓`),
    message: RESULT,
    field: unknown(`${ANSWER}: \`field\` names the path in the record ❓`),
    version: unknown(`${ANSWER}: \`version\` counts changes of content ❓`),
    deleted: RESULT,
  },
  PaymentListRequest: { MaTruong: LIST, since: LIST, cursor: LIST, limit: LIST },
  PaymentPage: { MaTruong: LIST, items: LIST, nextCursor: LIST },
  ReceiptRequest: {
    idempotencyKey: IDEMPOTENCY,
    MaGiaoDich: ISSUE,
    LoaiChungTu: unknown(
      'ssc.md § Receipt or invoice: which document a public school must issue for which fee is not settled ❓',
    ),
    NguoiMua: ISSUE,
    'NguoiMua.Ten': ISSUE,
    'NguoiMua.MST': ISSUE,
    'NguoiMua.DChi': ISSUE,
    'NguoiMua.HoTenNguoiMua': ISSUE,
  },
  Document: {
    MaGiaoDich: DOCUMENT,
    SoPhieu: DOCUMENT,
    MaTruong: DOCUMENT,
    MaHocSinh: DOCUMENT,
    LoaiChungTu: unknown('ssc.md § Receipt or invoice: BIEN_LAI or HOA_DON, which one is not settled ❓'),
    KyHieuMauSo: unknown(
      'ssc.md § Receipt or invoice: forms 01BLP0-001 / 2 ⚠️ (series rule of TT78 ✅, our letters ❓): the weaker',
    ),
    KyHieu: unknown(
      'ssc.md § Receipt or invoice: series BL-<yy>T / C<yy>TBL ⚠️ (series rule of TT78 ✅, our letters ❓): the weaker',
    ),
    So: unknown(
      'ssc.md § Receipt or invoice: 7-digit receipt and 8-digit invoice numbers ⚠️ (our letters ❓): the weaker',
    ),
    NgayLap: unknown("ssc.md § Receipt or invoice: NgayLap is the payment's date ❓"),
    TongTien: DOCUMENT,
    XML: unknown(
      'ssc.md § The XML: HDon per README §5.2 ✅, but THDon, no MCCQT/MSTTCGP ❓ and that SSC answers it in this field ❓: the weaker',
    ),
  },
  Problem: {
    code: unknown(`${TRANSPORT}: business refusal of a single call, 422 { code, message, field? } ❓`),
    message: unknown(`${TRANSPORT}: business refusal of a single call ❓`),
    field: unknown(`${TRANSPORT}: business refusal of a single call ❓`),
  },
  header: {
    'Idempotency-Key': unknown(`${TRANSPORT}: idempotency, the Idempotency-Key header ❓`),
    'X-Correlation-Id': unknown(
      'lgsp-gateway.md § Every personality (ours): X-Correlation-Id on every business call',
    ),
    'Retry-After': unknown(`${TRANSPORT}: outage, 503 with Retry-After ❓`),
  },
};
