/**
 * Where each field of the city Education DB contract comes from, read off the marks of
 * `openapi/city-edudb.md`: ✅ → `known`, ⚠️ → `assumed`, ❓ → `unknown`.
 *
 * Rules, in order:
 * 1. The field's own mark in the .md (its row, its note); with two marks (`1/2 ✅/⚠️`), the weaker,
 *    since the contract field is only as sure as its least sure part.
 * 2. Otherwise the mark of the section: "Field names follow the MOET templates C1-HocSinh /
 *    CSDL_GiaoVien / KetQuaHocTap (⚠️)" for the kinds those templates carry (HocSinh, GiaoVien,
 *    GhiDanh, DiemMonHoc, KetQuaHocTap); the x-source says "no mark of its own".
 * 3. A field of a kind no template carries (LopHoc, ThoiKhoaBieu), or whose values are ours, with
 *    no mark: ❓ (the .md: "the exact spelling of each field in a city API is ❓").
 * A field several kinds share (MaTruong, NamHoc, MaLop, MaHocSinh, MaMonHoc, MaCanBo) is marked
 * once, the same in every kind; GioiTinh, MaDanToc, SoDinhDanh and TrangThai of other kinds take
 * the mark HocSinh's carry.
 * The envelopes (batch, answer, roster read) are ❓ throughout (§ Transport, § Batch request/answer).
 *
 * A property of the generated document missing here fails `npm run contracts`, and so does an
 * entry here that no property uses.
 */
import { assumed, type FieldProvenance, known, type ProvenanceTable, unknown } from '../openapi.ts';

const KINDS = 'city-edudb.md § Record kinds';
const SECTION = 'the section: field names follow the MOET templates (⚠️, domain README §4.2)';
const NOT_TEMPLATE = 'no template carries it and the .md gives no mark (spelling in a city API ❓)';

/** Fields several kinds share, marked once. */
const SHARED = {
  MaTruong: assumed(
    `${KINDS}: no mark of its own; ${SECTION}. The school ID exists (Circular 42/2021 Art. 10 ✅), its format in a city API ❓`,
  ),
  NamHoc: assumed(`${KINDS}: no mark of its own; ${SECTION}. Written YYYY-YYYY`),
  MaLop: unknown(`${KINDS}: the city's class-code format is ❓; we send <MaTruong>.<first year>.<TenLop>`),
  MaHocSinh: unknown(`${KINDS}: MaHocSinh is opaque (❓ format, domain README §4.2: "Mã học sinh")`),
  MaMonHoc: unknown(
    `${KINDS}: EduBridge's subject list (mappings/codes/subjects.json), no MOET list found ❓`,
  ),
  MaCanBo: assumed(`${KINDS}: no mark of its own; ${SECTION} (CSDL_GiaoVien); its format ❓`),
} satisfies Record<string, FieldProvenance>;

const PARENT = assumed(`${KINDS}: parents inline as on the template ⚠️ (C1-HocSinh); one per relationship`);
const parents = Object.fromEntries(
  ['Cha', 'Me', 'NguoiGiamHo'].flatMap((who) =>
    ['HoTen', 'SoDinhDanh', 'SoDienThoai', 'NamSinh'].map((field) => [`${field}${who}`, PARENT]),
  ),
);

const DOB = assumed(`${KINDS}: NgaySinh dd/MM/yyyy ⚠️ (C1-HocSinh "Ngày sinh")`);
const GENDER = assumed(`${KINDS}: GioiTinh 1/2 ✅/⚠️, the weaker: the C06 code ✅, the city taking it ⚠️`);
const ETHNICITY = known(`${KINDS}: MaDanToc, 2 digits ✅ (C06 / CSDLQG code list, domain README §4.3)`);
const PERSONAL_ID = known(`${KINDS}: SoDinhDanh, 12 digits ✅ (C06; Law on Identity 26/2023)`);
const STATUS = assumed(
  `${KINDS}: TrangThai, the template's label (e.g. "Đang học") ⚠️ (C1-HocSinh "Trạng thái HS")`,
);

const HEAD = {
  MaTruong: SHARED.MaTruong,
  NamHoc: SHARED.NamHoc,
  MaLop: SHARED.MaLop,
  MaHocSinh: SHARED.MaHocSinh,
};

const TX = (what: string) =>
  assumed(
    `${KINDS}: no mark of its own; ${SECTION} (KetQuaHocTap import); ${what} are Circular 22/2021 Art. 6 ✅`,
  );
const RECOMPUTED = known(`${KINDS}: averages/results recomputed (Circular 22/2021 Art. 9 ✅)`);
const SEMESTER = assumed(`${KINDS}: no mark of its own; ${SECTION}; semesters 1 and 2 (Circular 22/2021)`);

const TRANSPORT = 'city-edudb.md § Transport';
const BODY = unknown(`${TRANSPORT}: POST with JSON, the body ❓`);
const ANSWER = 'city-edudb.md § Batch answer';
const RESULT = unknown(`${ANSWER}: one result per record and per delete ❓`);
const ROSTER = unknown('city-edudb.md § Roster read (danhsach): request and answer ❓');

export const CITY_EDUDB_PROVENANCE: ProvenanceTable = {
  HocSinh: {
    MaTruong: SHARED.MaTruong,
    MaHocSinh: SHARED.MaHocSinh,
    HoTen: assumed(`${KINDS}: no mark of its own; ${SECTION} (C1-HocSinh "Họ tên")`),
    NgaySinh: DOB,
    GioiTinh: GENDER,
    MaDanToc: ETHNICITY,
    SoDinhDanh: PERSONAL_ID,
    NamHoc: SHARED.NamHoc,
    MaLop: SHARED.MaLop,
    TrangThai: STATUS,
    ...parents,
  },
  GiaoVien: {
    MaTruong: SHARED.MaTruong,
    MaCanBo: SHARED.MaCanBo,
    HoTen: assumed(`${KINDS}: no mark of its own; ${SECTION} (CSDL_GiaoVien "Họ tên")`),
    NgaySinh: assumed(`${KINDS}: no mark of its own; dd/MM/yyyy as HocSinh.NgaySinh ⚠️`),
    GioiTinh: assumed(
      `${KINDS}: no mark of its own in GiaoVien; the code 1/2 as HocSinh.GioiTinh ✅/⚠️, the weaker`,
    ),
    MaDanToc: ETHNICITY,
    SoDinhDanh: PERSONAL_ID,
    Email: assumed(`${KINDS}: no mark of its own; ${SECTION} (CSDL_GiaoVien "Email")`),
    SoDienThoai: assumed(`${KINDS}: no mark of its own; ${SECTION}`),
    ViTriViecLam: assumed(`${KINDS}: no mark of its own; ${SECTION} (CSDL_GiaoVien "Vị trí việc làm")`),
    MonDay: unknown(`${KINDS}: MonDay[], our subject codes ❓ (CSDL_GiaoVien "Môn dạy" ⚠️)`),
    TrangThaiCanBo: unknown(`${KINDS}: TrangThaiCanBo labels ❓ (mappings/codes/teacher-statuses.json)`),
  },
  LopHoc: {
    MaTruong: SHARED.MaTruong,
    NamHoc: SHARED.NamHoc,
    MaLop: SHARED.MaLop,
    TenLop: unknown(`${KINDS}: ${NOT_TEMPLATE}`),
    Khoi: unknown(`${KINDS}: ${NOT_TEMPLATE}; grades 1–12`),
    MaGVCN: unknown(`${KINDS}: ${NOT_TEMPLATE}; the homeroom teacher's MaCanBo`),
    SoBuoiHocTrenNgay: unknown(`${KINDS}: ${NOT_TEMPLATE}; 1 or 2 sessions a day`),
  },
  GhiDanh: {
    ...HEAD,
    TrangThai: assumed(
      `${KINDS}: no mark of its own in GhiDanh; the template's label as HocSinh.TrangThai ⚠️ (C1-HocSinh "Trạng thái HS")`,
    ),
    NgayTrangThai: assumed(`${KINDS}: "Ngày nhập trạng thái" ⚠️ (C1-HocSinh)`),
  },
  DiemMonHoc: {
    ...HEAD,
    HocKy: SEMESTER,
    MaMonHoc: SHARED.MaMonHoc,
    HinhThucDanhGia: unknown(
      `${KINDS}: no mark of its own; the values DiemSo/NhanXet are ours (scored vs commented subjects: Circular 22/2021 Art. 5 ✅)`,
    ),
    DiemDDGtx: TX('regular assessments (ĐĐGtx)'),
    DiemDDGgk: TX('midterm assessments (ĐĐGgk)'),
    DiemDDGck: TX('final assessments (ĐĐGck)'),
    DiemTBmhk: RECOMPUTED,
    DanhGiaDDGtx: TX('regular assessments (ĐĐGtx, Đ/CĐ)'),
    DanhGiaDDGgk: TX('midterm assessments (ĐĐGgk, Đ/CĐ)'),
    DanhGiaDDGck: TX('final assessments (ĐĐGck, Đ/CĐ)'),
    KetQuaHK: RECOMPUTED,
  },
  KetQuaHocTap: {
    ...HEAD,
    KyDanhGia: assumed(`${KINDS}: no mark of its own; ${SECTION}; HK1/HK2/CN`),
    MonHoc: assumed(`${KINDS}: no mark of its own; ${SECTION} (KetQuaHocTap import)`),
    'MonHoc[].MaMonHoc': SHARED.MaMonHoc,
    'MonHoc[].DiemTB': assumed(
      `${KINDS}: no mark of its own; ${SECTION}; the value is ĐTBmhk or ĐTBmcn (Circular 22/2021 Art. 9 ✅)`,
    ),
    'MonHoc[].KetQua': assumed(
      `${KINDS}: no mark of its own; ${SECTION}; Đ/CĐ of a commented subject (Circular 22/2021 ✅)`,
    ),
    KetQuaHocTap: known(`${KINDS}: KetQuaHocTap, the level recomputed ✅ (Circular 22/2021 Art. 9(2)–(3))`),
    KetQuaRenLuyen: assumed(`${KINDS}: no mark of its own; ${SECTION}; as the school stated it`),
  },
  ThoiKhoaBieu: {
    MaTruong: SHARED.MaTruong,
    NamHoc: SHARED.NamHoc,
    MaLop: SHARED.MaLop,
    Thu: unknown(`${KINDS}: Thu 2–7, 8 = Chủ nhật ❓`),
    Buoi: unknown(`${KINDS}: Buoi 1 sáng, 2 chiều ❓`),
    Tiet: unknown(`${KINDS}: ${NOT_TEMPLATE}; period 1–5 of the session`),
    MaMonHoc: SHARED.MaMonHoc,
    MaCanBo: SHARED.MaCanBo,
    Phong: unknown(`${KINDS}: ${NOT_TEMPLATE}`),
    TuNgay: unknown(`${KINDS}: ${NOT_TEMPLATE}; dd/MM/yyyy`),
    DenNgay: unknown(`${KINDS}: ${NOT_TEMPLATE}; dd/MM/yyyy`),
  },
  Item: {
    key: unknown(
      "city-edudb.md § Batch request: `key` is the hub's record key (the city echoes it and deletes by it) ❓",
    ),
    kind: unknown('city-edudb.md § Batch request: `kind` is the city record type; the body ❓ (§ Transport)'),
    record: unknown(
      'city-edudb.md § Batch request: `record` follows the schema of its kind; the body ❓ (§ Transport)',
    ),
  },
  Batch: {
    idempotencyKey: unknown(
      `${TRANSPORT}: idempotency, \`idempotencyKey\` in the body and the Idempotency-Key header ❓`,
    ),
    records: BODY,
    deletes: BODY,
  },
  BatchAnswer: {
    idempotencyKey: RESULT,
    results: RESULT,
  },
  RecordResult: {
    key: RESULT,
    status: unknown(`${ANSWER}: accepted|refused|review ❓`),
    code: unknown(
      `${ANSWER}: the codes UNKNOWN_MASTER, SCHEMA_INVALID, MASTER_IMMUTABLE ❓ (the rules behind them ✅ §0, Circular 42/2021 Art. 10)`,
    ),
    message: RESULT,
    version: RESULT,
    deleted: RESULT,
  },
  RosterRequest: { MaTruong: ROSTER },
  RosterAnswer: { MaTruong: ROSTER, HocSinh: ROSTER, GiaoVien: ROSTER, LopHoc: ROSTER },
  Problem: {
    code: unknown(`${TRANSPORT}: the error body and its codes (IDEMPOTENCY_KEY_REUSED, outage 503) ❓`),
    message: unknown(`${TRANSPORT}: the error body ❓`),
  },
  header: {
    'Idempotency-Key': unknown(`${TRANSPORT}: idempotency, the Idempotency-Key header ❓`),
    'X-Correlation-Id': unknown(
      'lgsp-gateway.md § Every personality (ours): X-Correlation-Id on every business call',
    ),
    'Retry-After': unknown(`${TRANSPORT}: outage, 503 with Retry-After ❓`),
  },
};
