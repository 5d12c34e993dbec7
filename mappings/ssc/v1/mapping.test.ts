import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import {
  type CanonicalRecord,
  type FeeItem,
  type Invoice,
  type Payment,
  PaymentSchema,
  type Receivable,
} from '../../../src/model/index.ts';
import { parseVietQr } from '../../../src/model/vietqr.ts';
import { RecordError } from '../../../src/sdk/errors.ts';
import {
  amountInWords,
  buildEInvoiceXml,
  type EInvoiceBuyer,
  type EInvoiceSeller,
  issuePath,
  mapToSsc,
  paymentFromSsc,
  paymentToSsc,
  SSC_MAPPING_VERSION,
  SSC_RECORD_SCHEMAS,
  SSC_STREAMS,
  type SscMappingOptions,
} from './index.ts';

// Records as the generator writes them (sandbox/generator, seed 7, school 79NB0001).
const source = {
  adapter: 'sandbox-generator',
  adapterVersion: '1',
  schoolCode: '79NB0001',
  pulledAt: '2026-06-15T02:00:00+07:00',
};
const head = { source, schoolCode: '79NB0001', schoolYear: '2025-2026' };

const FEES: FeeItem[] = [
  ['BHYT', 'Bảo hiểm y tế học sinh', 1_263_600, 'year', true],
  ['BANTRU', 'Tiền tổ chức phục vụ bán trú', 260_000, 'month', false],
  ['TIENAN', 'Tiền ăn bán trú', 792_000, 'month', false],
  ['NUOCUONG', 'Nước uống', 13_000, 'month', false],
  ['TATC', 'Tiếng Anh tăng cường', 220_000, 'month', false],
].map(([feeCode, name, amount, period, mandatory]) => ({
  type: 'feeItem',
  key: `sandbox-79nb0001:fee-item-2025-2026-${feeCode}`,
  ...head,
  feeCode: feeCode as string,
  name: name as string,
  amount: amount as number,
  period: period as FeeItem['period'],
  mandatory: mandatory as boolean,
  grades: [6, 7, 8, 9],
}));
const bhyt = FEES[0]!;

const notice: Receivable = {
  type: 'receivable',
  key: 'sandbox-79nb0001:receivable-79NB0001-2526-HK1-00001',
  ...head,
  receivableNo: '79NB0001-2526-HK1-00001',
  studentCode: '7966283279',
  items: [
    { feeCode: 'BHYT', amount: 1_263_600 },
    { feeCode: 'BANTRU', amount: 1_300_000 },
    { feeCode: 'TIENAN', amount: 3_960_000 },
    { feeCode: 'NUOCUONG', amount: 65_000 },
    { feeCode: 'TATC', amount: 1_100_000 },
  ],
  total: 7_688_600,
  dueDate: '2025-10-31',
  paymentReference: 'SSC 7966283279 HK1 2526',
  status: 'open',
};

const payment: Payment = {
  type: 'payment',
  key: 'sandbox-79nb0001:payment-79NB0001-P2526-000001',
  source,
  schoolCode: '79NB0001',
  paymentId: '79NB0001-P2526-000001',
  amount: 7_688_600,
  channel: 'e_wallet',
  paidAt: '2025-09-27T17:41:04+07:00',
  bankReference: 'MW25270235051587',
  fee: 9_000,
  receivableNo: '79NB0001-2526-HK1-00001',
  studentCode: '7966283279',
};

const invoice: Invoice = {
  type: 'invoice',
  key: 'sandbox-79nb0001:invoice-C25TAA-00000001',
  source,
  schoolCode: '79NB0001',
  kind: 'e_invoice',
  template: '1',
  series: 'C25TAA',
  number: '00000001',
  issuedAt: '2025-09-27',
  paymentId: '79NB0001-P2526-000001',
  receivableNo: '79NB0001-2526-HK1-00001',
  studentCode: '7966283279',
  total: 7_688_600,
};

const ACCOUNT = { bankBin: '970436', account: '0071000888999' };
const options: SscMappingOptions = { collectionAccounts: { '79NB0001': ACCOUNT } };

const seller: EInvoiceSeller = {
  name: 'Trường THCS Nguyễn Bình Khiêm',
  taxCode: '0312345678',
  address: '73 Lê Văn Lương, xã Nhà Bè, TP. Hồ Chí Minh',
  bankAccount: ACCOUNT.account,
};
const buyer: EInvoiceBuyer = { name: 'Nguyễn Văn Hùng', contactName: 'Nguyễn Văn Hùng' };

const as = (r: unknown) => r as CanonicalRecord;

/** The notice as SSC gets it, without a QR. */
const noticeRecord = (TrangThai: string) => ({
  MaTruong: '79NB0001',
  NamHoc: '2025-2026',
  SoPhieu: '79NB0001-2526-HK1-00001',
  MaHocSinh: '7966283279',
  ChiTiet: notice.items.map((i) => ({ MaKhoanThu: i.feeCode, SoTien: i.amount })),
  TongTien: 7_688_600,
  HanNop: '2025-10-31',
  NoiDungChuyenKhoan: 'SSC 7966283279 HK1 2526',
  TrangThai,
});

function thrownBy(fn: () => unknown): RecordError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RecordError);
    return e as RecordError;
  }
  throw new Error('expected a RecordError');
}

describe('SSC mapping v1', () => {
  it('is version v1, with one fees stream carrying fee items and notices', () => {
    expect(SSC_MAPPING_VERSION).toBe('v1');
    expect(SSC_STREAMS).toEqual({ fees: { operation: 'baothu', kinds: ['KhoanThu', 'PhieuBaoThu'] } });
  });

  it.each([
    [
      'a yearly mandatory fee item',
      bhyt,
      'KhoanThu',
      {
        MaTruong: '79NB0001',
        NamHoc: '2025-2026',
        MaKhoanThu: 'BHYT',
        TenKhoanThu: 'Bảo hiểm y tế học sinh',
        SoTien: 1_263_600,
        KyThu: 'NAM',
        BatBuoc: true,
        KhoiApDung: [6, 7, 8, 9],
      },
    ],
    [
      'a monthly optional fee item for some grades (sorted, once each)',
      { ...FEES[4]!, grades: [9, 6, 6] },
      'KhoanThu',
      {
        MaTruong: '79NB0001',
        NamHoc: '2025-2026',
        MaKhoanThu: 'TATC',
        TenKhoanThu: 'Tiếng Anh tăng cường',
        SoTien: 220_000,
        KyThu: 'THANG',
        BatBuoc: false,
        KhoiApDung: [6, 9],
      },
    ],
    [
      'a paid notice (no QR: nobody pays twice)',
      { ...notice, status: 'paid' },
      'PhieuBaoThu',
      noticeRecord('DA_THU'),
    ],
    ['a cancelled notice (no QR)', { ...notice, status: 'cancelled' }, 'PhieuBaoThu', noticeRecord('HUY')],
  ])('maps %s', (_name, input, kind, expected) => {
    const mapped = mapToSsc(as(input), options);
    expect(mapped?.key).toBe(input.key);
    expect(mapped?.body.kind).toBe(kind);
    expect(mapped?.body.record).toEqual(expected);
    const schema = SSC_RECORD_SCHEMAS[kind as keyof typeof SSC_RECORD_SCHEMAS];
    expect(schema.safeParse(mapped?.body.record).success).toBe(true);
  });

  it('gives an open notice a dynamic VietQR for its total, into the school account', () => {
    const record = mapToSsc(as(notice), options)!.body.record;
    expect(record).toMatchObject({ TrangThai: 'CHUA_THU', TongTien: 7_688_600 });
    const qr = parseVietQr(record.MaQR as string); // checks the CRC
    expect(qr).toEqual({
      bankBin: '970436',
      account: '0071000888999',
      service: 'QRIBFTTA',
      dynamic: true,
      amount: 7_688_600,
      purpose: 'SSC 7966283279 HK1 2526',
      billNumber: '79NB0001-2526-HK1-00001',
    });
    expect(record.MaQR).toMatch(/^000201010212.*6304[0-9A-F]{4}$/);
  });

  it('gives a partly paid notice a static VietQR: the payer types what is left', () => {
    const record = mapToSsc(as({ ...notice, status: 'partially_paid' }), options)!.body.record;
    expect(record.TrangThai).toBe('THU_MOT_PHAN');
    const qr = parseVietQr(record.MaQR as string);
    expect(qr.dynamic).toBe(false);
    expect(qr.amount).toBeUndefined();
    expect(qr.purpose).toBe('SSC 7966283279 HK1 2526');
  });

  it('folds a Vietnamese payment reference in the QR and leaves out a bill number too long for bank apps', () => {
    const record = mapToSsc(
      as({ ...notice, paymentReference: 'Học phí HK1 7966283279', receivableNo: `${'X'.repeat(26)}` }),
      options,
    )!.body.record;
    const qr = parseVietQr(record.MaQR as string);
    expect(qr.purpose).toBe('Hoc phi HK1 7966283279');
    expect(qr.billNumber).toBeUndefined();
    expect(SSC_RECORD_SCHEMAS.PhieuBaoThu.safeParse(record).success).toBe(true);
  });

  it.each([
    ['a payment (SSC is where payments come from)', payment],
    ['an invoice (SSC issues its own)', invoice],
    [
      'a student',
      {
        type: 'student',
        key: 's:1',
        source,
        schoolCode: '79NB0001',
        studentCode: '7966283279',
        fullName: 'Nguyễn Gia Bảo',
        birthDate: '2013-04-09',
        gender: 'male',
      },
    ],
  ])('takes no %s', (_name, input) => {
    expect(mapToSsc(as(input), options)).toBeUndefined();
  });

  it.each([
    ['open notice of a school with no collection account', notice, { collectionAccounts: {} }, 'schoolCode'],
    [
      'open notice of a school whose account has a 5-digit BIN',
      notice,
      { collectionAccounts: { '79NB0001': { bankBin: '97043', account: '1' } } },
      'schoolCode',
    ],
    ['notice whose total is not its items', { ...notice, total: 7_688_000 }, options, 'total'],
    ['notice of 0 đồng', { ...notice, items: [{ feeCode: 'BHYT', amount: 0 }], total: 0 }, options, 'total'],
    [
      'notice whose payment reference is too long for bank apps',
      { ...notice, paymentReference: 'SSC 7966283279 HK1 2526 bán trú' },
      options,
      'paymentReference',
    ],
    [
      'notice whose payment reference has no ASCII form',
      { ...notice, paymentReference: 'SSC 学费 7966283279' },
      options,
      'paymentReference',
    ],
    [
      'notice with a fee code SSC cannot take',
      { ...notice, items: [{ feeCode: 'bán trú', amount: 1_000 }], total: 1_000 },
      options,
      'items.0.feeCode',
    ],
    [
      'notice listing a fee twice',
      {
        ...notice,
        items: [
          { feeCode: 'BHYT', amount: 1_000 },
          { feeCode: 'BHYT', amount: 2_000 },
        ],
        total: 3_000,
      },
      options,
      'items.1.feeCode',
    ],
    ['notice with a bad due date', { ...notice, dueDate: '31/10/2025' }, options, 'dueDate'],
    ['notice of a bad school year', { ...notice, schoolYear: '2025' }, options, 'schoolYear'],
    ['fee item with a lower-case code', { ...bhyt, feeCode: 'bhyt' }, options, 'feeCode'],
    ['fee item with an empty name', { ...bhyt, name: '   ' }, options, 'name'],
    ['fee item for grade 13', { ...bhyt, grades: [6, 13] }, options, 'grades.1'],
    ['fee item of a fractional amount', { ...bhyt, amount: 1_263_600.5 }, options, 'amount'],
  ])('refuses a %s, naming the field', (_name, input, opts, field) => {
    const error = thrownBy(() => mapToSsc(as(input), opts as SscMappingOptions));
    expect(error.code).toBe('FIELD_UNMAPPABLE');
    expect(error.field).toBe(field);
  });

  it('tells the school without an account to configure SSC_COLLECTION_ACCOUNTS', () => {
    const error = thrownBy(() => mapToSsc(as(notice), { collectionAccounts: {} }));
    expect(error.message).toMatch(/MaQR/);
    expect(error.message).toMatch(/SSC_COLLECTION_ACCOUNTS/);
  });

  type Change = (r: Record<string, unknown>) => Record<string, unknown>;
  it.each<[string, Change, string]>([
    ['a notice whose TongTien is not its items', (r) => ({ ...r, TongTien: 1 }), 'TongTien'],
    ['an open notice without MaQR', ({ MaQR: _q, ...r }) => r, 'MaQR'],
    [
      'a notice with a damaged QR (amount changed, CRC kept)',
      (r) => ({ ...r, MaQR: String(r.MaQR).replace('7688600', '7688000') }),
      'MaQR',
    ],
    ['a paid notice with a QR', (r) => ({ ...r, TrangThai: 'DA_THU' }), 'MaQR'],
    ['a notice with a field SSC does not know', (r) => ({ ...r, GhiChu: 'x' }), 'GhiChu'],
  ])('has a schema that refuses %s', (_name, change, path) => {
    const record = change(mapToSsc(as(notice), options)!.body.record);
    const parsed = SSC_RECORD_SCHEMAS.PhieuBaoThu.safeParse(record);
    expect(parsed.success).toBe(false);
    expect(issuePath(parsed.error!.issues[0]!).join('.')).toBe(path);
  });
});

describe('SSC payments read back', () => {
  const row = {
    MaGiaoDich: 'SSC-GD-0000001',
    MaTruong: '79NB0001',
    SoPhieu: '79NB0001-2526-HK1-00001',
    MaHocSinh: '7966283279',
    SoTien: 7_688_600,
    PhiGiaoDich: 9_000,
    KenhThanhToan: 'VI_DIEN_TU',
    MaThamChieuNganHang: 'MW25270235051587',
    ThoiGian: '2025-09-27T17:41:04+07:00',
  };

  it.each([
    ['CHUYEN_KHOAN', 'bank_transfer'],
    ['THE', 'card'],
    ['VI_DIEN_TU', 'e_wallet'],
    ['POS', 'pos'],
    ['TRICH_NO_TU_DONG', 'auto_debit'],
    ['CONG_SSC', 'ssc_portal'],
  ])('reads a %s payment as a canonical %s payment', (channel, canonical) => {
    const p = paymentFromSsc({ ...row, KenhThanhToan: channel }, { pulledAt: '2026-06-15T02:00:00+07:00' });
    expect(p).toEqual({
      type: 'payment',
      key: 'ssc:SSC-GD-0000001',
      source: {
        adapter: 'ssc',
        adapterVersion: 'v1',
        schoolCode: '79NB0001',
        pulledAt: '2026-06-15T02:00:00+07:00',
      },
      schoolCode: '79NB0001',
      paymentId: 'SSC-GD-0000001',
      receivableNo: '79NB0001-2526-HK1-00001',
      studentCode: '7966283279',
      amount: 7_688_600,
      channel: canonical,
      paidAt: '2025-09-27T17:41:04+07:00',
      bankReference: 'MW25270235051587',
      fee: 9_000,
    });
    expect(PaymentSchema.safeParse(p).success).toBe(true);
  });

  it('reads a cash payment with neither fee nor bank reference, and ignores a field SSC added', () => {
    const { PhiGiaoDich: _f, MaThamChieuNganHang: _r, ...cash } = row;
    const p = paymentFromSsc({ ...cash, KenhThanhToan: 'TIEN_MAT', MaQuay: 'Q1' });
    expect(p.channel).toBe('cash');
    expect(p.fee).toBeUndefined();
    expect(p.bankReference).toBeUndefined();
    expect(p.source.pulledAt).toMatch(/\+07:00$/);
  });

  it('round-trips the generator payments through SSC rows', () => {
    const back = paymentFromSsc(paymentToSsc(payment), { pulledAt: source.pulledAt });
    expect(back).toMatchObject({
      paymentId: payment.paymentId,
      amount: payment.amount,
      channel: payment.channel,
      fee: payment.fee,
      bankReference: payment.bankReference,
      paidAt: payment.paidAt,
    });
  });

  it.each([
    ['an amount as text', { SoTien: '7688600' }, 'SoTien'],
    ['a payment of 0 đồng', { SoTien: 0 }, 'SoTien'],
    ['an unknown channel', { KenhThanhToan: 'BITCOIN' }, 'KenhThanhToan'],
    ['a time without offset', { ThoiGian: '2025-09-27 17:41:04' }, 'ThoiGian'],
    ['no transaction id', { MaGiaoDich: undefined }, 'MaGiaoDich'],
    ['a negative fee', { PhiGiaoDich: -1 }, 'PhiGiaoDich'],
  ])('refuses a row with %s, naming SSC’s field', (_name, change, field) => {
    const error = thrownBy(() => paymentFromSsc({ ...row, ...change }));
    expect(error.code).toBe('SSC_PAYMENT_INVALID');
    expect(error.field).toBe(field);
  });
});

describe('amount in words', () => {
  it.each([
    [0, 'Không đồng'],
    [1, 'Một đồng'],
    [5, 'Năm đồng'],
    [10, 'Mười đồng'],
    [11, 'Mười một đồng'],
    [14, 'Mười bốn đồng'],
    [15, 'Mười lăm đồng'],
    [21, 'Hai mươi mốt đồng'],
    [25, 'Hai mươi lăm đồng'],
    [50, 'Năm mươi đồng'],
    [100, 'Một trăm đồng'],
    [101, 'Một trăm linh một đồng'],
    [105, 'Một trăm linh năm đồng'],
    [110, 'Một trăm mười đồng'],
    [115, 'Một trăm mười lăm đồng'],
    [1_000, 'Một nghìn đồng'],
    [1_005, 'Một nghìn không trăm linh năm đồng'],
    [1_010, 'Một nghìn không trăm mười đồng'],
    [9_500, 'Chín nghìn năm trăm đồng'],
    [11_000, 'Mười một nghìn đồng'],
    [1_001_000, 'Một triệu không trăm linh một nghìn đồng'],
    [1_250_000, 'Một triệu hai trăm năm mươi nghìn đồng'],
    [1_263_600, 'Một triệu hai trăm sáu mươi ba nghìn sáu trăm đồng'],
    [2_000_051, 'Hai triệu không trăm năm mươi mốt đồng'],
    [7_688_600, 'Bảy triệu sáu trăm tám mươi tám nghìn sáu trăm đồng'],
    [12_345_678, 'Mười hai triệu ba trăm bốn mươi lăm nghìn sáu trăm bảy mươi tám đồng'],
    [1_000_000_000, 'Một tỷ đồng'],
    [1_000_000_005, 'Một tỷ không trăm linh năm đồng'],
    [21_500_000_000, 'Hai mươi mốt tỷ năm trăm triệu đồng'],
    [1_500_000_000_000, 'Một nghìn năm trăm tỷ đồng'],
  ])('reads %i as "%s"', (vnd, words) => {
    expect(amountInWords(vnd)).toBe(words);
  });

  it.each([-1, 1.5, Number.NaN])('refuses %s', (vnd) => {
    expect(() => amountInWords(vnd)).toThrow(RangeError);
  });
});

describe('e-invoice XML (HDon)', () => {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    processEntities: true,
    isArray: (name) => name === 'HHDVu',
  });
  type Tree = Record<string, unknown>;
  const parse = (xml: string) => {
    expect(XMLValidator.validate(xml)).toBe(true);
    return parser.parse(xml) as { HDon: Tree };
  };
  const at = (tree: unknown, path: string): unknown =>
    path.split('/').reduce<unknown>((node, name) => (node as Tree | undefined)?.[name], tree);

  it('lays out an invoice for a whole notice: TTChung, parties, one line per fee, totals in figures and words', () => {
    const xml = buildEInvoiceXml(invoice, notice, seller, buyer, { feeItems: FEES, paymentMethod: 'CK' });
    expect(xml).not.toMatch(/xmlns/);
    const { HDon } = parse(xml);
    expect(Object.keys(HDon)).toEqual(['DLHDon', 'DSCKS']);
    expect(at(HDon, 'DLHDon/@Id')).toBe('DLHDon-C25TAA-00000001');
    expect(at(HDon, 'DLHDon/TTChung')).toEqual({
      PBan: '2.1.0',
      THDon: 'Hóa đơn giá trị gia tăng',
      KHMSHDon: '1',
      KHHDon: 'C25TAA',
      SHDon: '00000001',
      NLap: '2025-09-27',
      DVTTe: 'VND',
      TGia: '1',
      HTTToan: 'CK',
    });
    expect(at(HDon, 'DLHDon/NDHDon/NBan')).toEqual({
      Ten: seller.name,
      MST: '0312345678',
      DChi: seller.address,
      STKNHang: ACCOUNT.account,
    });
    expect(at(HDon, 'DLHDon/NDHDon/NMua')).toEqual({
      Ten: 'Nguyễn Văn Hùng',
      MKHang: '7966283279',
      HVTNMHang: 'Nguyễn Văn Hùng',
    });
    const lines = at(HDon, 'DLHDon/NDHDon/DSHHDVu/HHDVu') as Tree[];
    expect(lines.map((l) => [l.STT, l.MHHDVu, l.DVTinh, l.SLuong, l.DGia, l.ThTien, l.TSuat])).toEqual([
      ['1', 'BHYT', 'Năm', '1', '1263600', '1263600', 'KCT'],
      ['2', 'BANTRU', 'Tháng', '5', '260000', '1300000', 'KCT'],
      ['3', 'TIENAN', 'Tháng', '5', '792000', '3960000', 'KCT'],
      ['4', 'NUOCUONG', 'Tháng', '5', '13000', '65000', 'KCT'],
      ['5', 'TATC', 'Tháng', '5', '220000', '1100000', 'KCT'],
    ]);
    expect(lines[1]!.THHDVu).toBe('Tiền tổ chức phục vụ bán trú');
    for (const l of lines) expect(Number(l.SLuong) * Number(l.DGia)).toBe(Number(l.ThTien));
    const sum = lines.reduce((a, l) => a + Number(l.ThTien), 0);
    expect(at(HDon, 'DLHDon/NDHDon/TToan')).toEqual({
      THTTLTSuat: { LTSuat: { TSuat: 'KCT', ThTien: String(sum), TThue: '0' } },
      TgTCThue: '7688600',
      TgTThue: '0',
      TgTTTBSo: '7688600',
      TgTTTBChu: 'Bảy triệu sáu trăm tám mươi tám nghìn sáu trăm đồng',
    });
    expect(sum).toBe(invoice.total);
    expect(at(HDon, 'DSCKS')).toEqual({ NBan: '' });
  });

  it('names an e-receipt as a receipt and, without fee items, bills each fee once at its amount', () => {
    const receipt: Invoice = { ...invoice, kind: 'e_receipt', template: '01BLP0-001', series: 'BL-25T' };
    const { HDon } = parse(buildEInvoiceXml(receipt, notice, seller, buyer));
    expect(at(HDon, 'DLHDon/TTChung/THDon')).toBe('Biên lai thu tiền');
    expect(at(HDon, 'DLHDon/TTChung/HTTToan')).toBe('TM/CK');
    const lines = at(HDon, 'DLHDon/NDHDon/DSHHDVu/HHDVu') as Tree[];
    expect(lines[2]).toMatchObject({ THHDVu: 'TIENAN', DVTinh: 'Khoản', SLuong: '1', DGia: '3960000' });
  });

  it('bills a payment of part of a notice as one line for the part paid', () => {
    const part = { ...invoice, total: 3_000_000 };
    const { HDon } = parse(buildEInvoiceXml(part, { ...notice, status: 'partially_paid' }, seller, buyer));
    const lines = at(HDon, 'DLHDon/NDHDon/DSHHDVu/HHDVu') as Tree[];
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      THHDVu: `Thu một phần phiếu báo thu ${notice.receivableNo}`,
      ThTien: '3000000',
    });
    expect(at(HDon, 'DLHDon/NDHDon/TToan/TgTTTBChu')).toBe('Ba triệu đồng');
  });

  it('escapes text, so a name with & < > " \' reads back as written', () => {
    const odd = { ...seller, name: 'Trường "A&B" <Nhà Bè> \'1\'' };
    const xml = buildEInvoiceXml(invoice, notice, odd, buyer);
    expect(xml).toContain('Trường &quot;A&amp;B&quot; &lt;Nhà Bè&gt; &apos;1&apos;');
    expect(at(parse(xml).HDon, 'DLHDon/NDHDon/NBan/Ten')).toBe(odd.name);
  });

  it.each([
    ['a seller tax code of letters', { seller: { ...seller, taxCode: 'MST-ABC' } }, 'seller.taxCode'],
    ['a seller without address', { seller: { ...seller, address: ' ' } }, 'seller.address'],
    ['a buyer without name', { buyer: { name: '' } }, 'buyer.name'],
    ['an invoice over the notice total', { invoice: { ...invoice, total: 8_000_000 } }, 'invoice.total'],
    ['an invoice series in receipt style', { invoice: { ...invoice, series: 'BL-25T' } }, 'invoice.series'],
    ['an invoice number of 9 digits', { invoice: { ...invoice, number: '123456789' } }, 'invoice.number'],
    [
      'an invoice for another notice',
      { invoice: { ...invoice, receivableNo: '79NB0001-2526-HK2-00001' } },
      'invoice.receivableNo',
    ],
    ['an invoice for another student', { invoice: { ...invoice, studentCode: '1' } }, 'invoice.studentCode'],
    ['a notice whose total is not its items', { receivable: { ...notice, total: 1 } }, 'receivable.total'],
  ])('refuses %s, naming the field', (_name, change, field) => {
    const c = change as Partial<{
      invoice: Invoice;
      receivable: Receivable;
      seller: EInvoiceSeller;
      buyer: EInvoiceBuyer;
    }>;
    const error = thrownBy(() =>
      buildEInvoiceXml(c.invoice ?? invoice, c.receivable ?? notice, c.seller ?? seller, c.buyer ?? buyer),
    );
    expect(error.field).toBe(field);
  });
});
