import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  buildVietQr,
  crc16CcittFalse,
  foldVietnamese,
  NAPAS_GUID,
  parseEmvTlv,
  parseVietQr,
  VietQrError,
  type VietQrInput,
} from './vietqr.ts';

/** Domain README §5.3, verified example (its purpose is 28 characters, over the builder's limit of 25). */
const README_EXAMPLE =
  '00020101021238540010A00000072701240006970436011098895593570208QRIBFTTA53037045405100005802VN62320828day la noi dung chuyen khoan6304EEF5';

/**
 * NAPAS test vectors (README §5.3 cites them with their CRCs F4E5 and 4F52 but does not quote the
 * strings; these are the strings as published in several public VietQR libraries, recomputed here).
 */
const NAPAS_STATIC_ACCOUNT_AS_QUOTED =
  '00020101021138570010A00000072701270006970403011200110123456780208QRIBFTTA53037045802VN6304F4E5';
const NAPAS_STATIC_CARD =
  '00020101021138600010A00000072701300006970403011697040311012345670208QRIBFTTC53037045802VN63044F52';
const NAPAS_DYNAMIC_CARD =
  '00020101021238600010A00000072701300006970403011697040311012345670208QRIBFTTC530370454061800005802VN62340107NPS68690819thanh toan don hang6304A203';

const errorCode = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(VietQrError);
    expect(err).toBeInstanceOf(Error);
    return (err as VietQrError).code;
  }
  return undefined;
};

const crcVerifies = (payload: string) => crc16CcittFalse(payload.slice(0, -4)) === payload.slice(-4);

describe('crc16CcittFalse', () => {
  it('gives the standard check value 29B1 for "123456789"', () => {
    expect(crc16CcittFalse('123456789')).toBe('29B1');
  });

  it('pads to 4 uppercase hex digits', () => {
    expect(crc16CcittFalse('')).toBe('FFFF');
    expect(crc16CcittFalse('123456789')).toMatch(/^[0-9A-F]{4}$/);
  });

  it('reproduces the README example CRC EEF5, computed over the literal 6304', () => {
    expect(README_EXAMPLE.slice(-8, -4)).toBe('6304');
    expect(crc16CcittFalse(README_EXAMPLE.slice(0, -4))).toBe('EEF5');
  });

  it('reproduces the NAPAS vector CRCs F4E5 (static, account) and 4F52 (static, card)', () => {
    expect(crc16CcittFalse(NAPAS_STATIC_ACCOUNT_AS_QUOTED.slice(0, -4))).toBe('F4E5');
    expect(crc16CcittFalse(NAPAS_STATIC_CARD.slice(0, -4))).toBe('4F52');
  });

  it('works over UTF-8 bytes, not UTF-16 code units', () => {
    // "đ" is U+0111: the bytes C4 91 give 5407, the single code unit 0x11 would give E3E0.
    expect(crc16CcittFalse('đ')).toBe('5407');
  });
});

describe('parseEmvTlv', () => {
  it('splits the README example into its top-level fields', () => {
    expect(parseEmvTlv(README_EXAMPLE).map((f) => f.id)).toEqual([
      '00',
      '01',
      '38',
      '53',
      '54',
      '58',
      '62',
      '63',
    ]);
    expect(parseEmvTlv('000201010211')).toEqual([
      { id: '00', value: '01' },
      { id: '01', value: '11' },
    ]);
  });

  it('rejects a length running past the end, or a non-digit header', () => {
    expect(errorCode(() => parseEmvTlv('000501'))).toBe('VIETQR_FORMAT');
    expect(errorCode(() => parseEmvTlv('0002010'))).toBe('VIETQR_FORMAT');
    expect(errorCode(() => parseEmvTlv('AB0201'))).toBe('VIETQR_FORMAT');
  });
});

describe('parseVietQr', () => {
  it('reads the README example', () => {
    expect(parseVietQr(README_EXAMPLE)).toEqual({
      bankBin: '970436',
      account: '9889559357',
      service: 'QRIBFTTA',
      amount: 10000,
      purpose: 'day la noi dung chuyen khoan',
      dynamic: true,
    });
  });

  it('reads the NAPAS card vectors, static and dynamic with a bill number', () => {
    expect(parseVietQr(NAPAS_STATIC_CARD)).toEqual({
      bankBin: '970403',
      account: '9704031101234567',
      service: 'QRIBFTTC',
      dynamic: false,
    });
    expect(parseVietQr(NAPAS_DYNAMIC_CARD)).toEqual({
      bankBin: '970403',
      account: '9704031101234567',
      service: 'QRIBFTTC',
      amount: 180000,
      billNumber: 'NPS6869',
      purpose: 'thanh toan don hang',
      dynamic: true,
    });
  });

  it('rejects the NAPAS account vector as quoted: its CRC is right but 38/01/01 says 12 for 13 characters', () => {
    expect(errorCode(() => parseVietQr(NAPAS_STATIC_ACCOUNT_AS_QUOTED))).toBe('VIETQR_FORMAT');
  });

  it('reports VIETQR_CRC when one character is altered', () => {
    const altered = README_EXAMPLE.replace('54051000', '54051900');
    expect(errorCode(() => parseVietQr(altered))).toBe('VIETQR_CRC');
    expect(errorCode(() => parseVietQr(`${README_EXAMPLE.slice(0, -4)}0000`))).toBe('VIETQR_CRC');
  });

  it('reports VIETQR_FORMAT for a payload without a CRC field or with broken TLV', () => {
    expect(errorCode(() => parseVietQr(''))).toBe('VIETQR_FORMAT');
    expect(errorCode(() => parseVietQr(README_EXAMPLE.slice(0, -8)))).toBe('VIETQR_FORMAT');
    const broken = '000201010211385';
    expect(errorCode(() => parseVietQr(`${broken}6304${crc16CcittFalse(`${broken}6304`)}`))).toBe(
      'VIETQR_FORMAT',
    );
    const notNapas = '00020101021153037045802VN'; // no field 38
    expect(errorCode(() => parseVietQr(`${notNapas}6304${crc16CcittFalse(`${notNapas}6304`)}`))).toBe(
      'VIETQR_FORMAT',
    );
  });
});

describe('buildVietQr', () => {
  it('builds the README example again with a purpose of at most 25 characters', () => {
    const purpose = 'noi dung chuyen khoan'; // 21 characters
    const payload = buildVietQr({ bankBin: '970436', account: '9889559357', amount: 10000, purpose });
    const readmeWithoutTail = README_EXAMPLE.slice(0, README_EXAMPLE.indexOf('6232'));
    expect(payload.startsWith(readmeWithoutTail)).toBe(true);
    expect(payload).toContain('38540010A00000072701240006970436011098895593570208QRIBFTTA');
    expect(payload).toContain('5405100005802VN');
    expect(payload.slice(readmeWithoutTail.length, -8)).toBe(`6225${'0821'}${purpose}`);
    expect(payload.slice(-8, -4)).toBe('6304');
    expect(crcVerifies(payload)).toBe(true);
    expect(parseVietQr(payload)).toEqual({
      bankBin: '970436',
      account: '9889559357',
      service: 'QRIBFTTA',
      amount: 10000,
      purpose,
      dynamic: true,
    });
  });

  it('reproduces the NAPAS card vectors exactly (4F52, A203)', () => {
    expect(buildVietQr({ bankBin: '970403', account: '9704031101234567', service: 'QRIBFTTC' })).toBe(
      NAPAS_STATIC_CARD,
    );
    expect(
      buildVietQr({
        bankBin: '970403',
        account: '9704031101234567',
        service: 'QRIBFTTC',
        amount: 180000,
        billNumber: 'NPS6869',
        purpose: 'thanh toan don hang',
      }),
    ).toBe(NAPAS_DYNAMIC_CARD);
  });

  it('writes the NAPAS account vector with the correct inner length 13 (so its CRC is not F4E5)', () => {
    const payload = buildVietQr({ bankBin: '970403', account: '0011012345678' });
    expect(payload).toBe(
      '00020101021138570010A00000072701270006970403011300110123456780208QRIBFTTA53037045802VN6304' +
        crc16CcittFalse(
          '00020101021138570010A00000072701270006970403011300110123456780208QRIBFTTA53037045802VN6304',
        ),
    );
    expect(payload.slice(-4)).not.toBe('F4E5');
  });

  it('is static (01 = 11) without an amount and has no 54 or 62', () => {
    const payload = buildVietQr({ bankBin: '970436', account: '9889559357' });
    expect(payload.startsWith('000201010211')).toBe(true);
    expect(parseEmvTlv(payload).map((f) => f.id)).toEqual(['00', '01', '38', '53', '58', '63']);
  });

  it('folds a Vietnamese purpose to ASCII', () => {
    expect(foldVietnamese('Học phí tháng 9')).toBe('Hoc phi thang 9');
    expect(foldVietnamese('ĐÓNG TIỀN đồng phục')).toBe('DONG TIEN dong phuc');
    expect(foldVietnamese('Nguyễn Thị Ngọc Ánh'.normalize('NFD'))).toBe('Nguyen Thi Ngoc Anh');
    const payload = buildVietQr({
      bankBin: '970436',
      account: '9889559357',
      amount: 1500000,
      purpose: 'Học phí tháng 9',
    });
    expect(payload).toContain('0815Hoc phi thang 9');
    expect(parseVietQr(payload).purpose).toBe('Hoc phi thang 9');
  });

  it('rejects a bad bank BIN with VIETQR_BANK_BIN and a bilingual message naming the field', () => {
    for (const bankBin of ['97043', '9704361', '97043a', '']) {
      expect(errorCode(() => buildVietQr({ bankBin, account: '123' }))).toBe('VIETQR_BANK_BIN');
    }
    expect(() => buildVietQr({ bankBin: '12345', account: '123' })).toThrow(
      'Mã ngân hàng (BIN) phải có đúng 6 chữ số (nhận được "12345") / The bank BIN must be exactly 6 digits (got "12345")',
    );
  });

  it('rejects a bad account with VIETQR_ACCOUNT', () => {
    for (const account of ['', '12345678901234567890', '123-456', '123 456', 'tàikhoản']) {
      expect(errorCode(() => buildVietQr({ bankBin: '970436', account }))).toBe('VIETQR_ACCOUNT');
    }
    expect(
      errorCode(() => buildVietQr({ bankBin: '970436', account: '1234567890123456789' })),
    ).toBeUndefined();
    expect(() => buildVietQr({ bankBin: '970436', account: '' })).toThrow(/số tài khoản.* \/ The account/i);
  });

  it('rejects a bad amount with VIETQR_AMOUNT', () => {
    for (const amount of [0, -1, 10.5, Number.NaN, Number.POSITIVE_INFINITY, 1e13, 2 ** 53]) {
      expect(errorCode(() => buildVietQr({ bankBin: '970436', account: '1', amount }))).toBe('VIETQR_AMOUNT');
    }
    expect(errorCode(() => buildVietQr({ bankBin: '970436', account: '1', amount: 9_999_999_999_999 }))).toBe(
      undefined,
    );
    expect(() => buildVietQr({ bankBin: '970436', account: '1', amount: 0 })).toThrow(
      /Số tiền.* \/ The amount/,
    );
  });

  it('rejects a bad purpose with VIETQR_PURPOSE: over 25 characters after folding, non-ASCII, or empty', () => {
    const long = 'day la noi dung chuyen khoan'; // 28
    for (const purpose of [long, 'Học phí tháng 9 và tiền ăn bán trú', 'phí 😀', 'tab\there', '']) {
      expect(errorCode(() => buildVietQr({ bankBin: '970436', account: '1', purpose }))).toBe(
        'VIETQR_PURPOSE',
      );
    }
    expect(() => buildVietQr({ bankBin: '970436', account: '1', purpose: long })).toThrow(
      /Nội dung chuyển khoản.*28.* \/ The transfer purpose.*28/,
    );
    // Exactly 25 characters after folding is fine.
    expect(errorCode(() => buildVietQr({ bankBin: '970436', account: '1', purpose: 'Đ'.repeat(25) }))).toBe(
      undefined,
    );
  });

  it('rejects a bad bill number with VIETQR_BILL and a bad service with VIETQR_SERVICE', () => {
    for (const billNumber of ['', 'x'.repeat(26), 'HĐ01']) {
      expect(errorCode(() => buildVietQr({ bankBin: '970436', account: '1', billNumber }))).toBe(
        'VIETQR_BILL',
      );
    }
    const service = 'QRPUSH' as VietQrInput['service'];
    expect(errorCode(() => buildVietQr({ bankBin: '970436', account: '1', service }))).toBe('VIETQR_SERVICE');
  });
});

describe('round trip', () => {
  const printable = fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    minLength: 1,
    maxLength: 25,
  });
  const input = fc.record(
    {
      bankBin: fc.stringMatching(/^\d{6}$/),
      account: fc.stringMatching(/^[0-9A-Za-z]{1,19}$/),
      amount: fc.integer({ min: 1, max: 9_999_999_999_999 }),
      purpose: printable,
      service: fc.constantFrom('QRIBFTTA' as const, 'QRIBFTTC' as const),
      billNumber: printable,
    },
    { requiredKeys: ['bankBin', 'account'] },
  );

  propTest.prop([input])('parse(build(x)) gives x back, and the CRC verifies', (x) => {
    const payload = buildVietQr(x);
    expect(crcVerifies(payload)).toBe(true);
    const expected: Record<string, unknown> = {
      ...x,
      service: x.service ?? 'QRIBFTTA',
      dynamic: x.amount !== undefined,
    };
    expect(parseVietQr(payload)).toEqual(expected);
  });
});

describe('parseVietQr: what it refuses, and what it says', () => {
  const tlv = (id: string, value: string) => `${id}${String(value.length).padStart(2, '0')}${value}`;
  /** A payload with its CRC, from the fields before it. */
  const sealed = (body: string) => `${body}6304${crc16CcittFalse(`${body}6304`)}`;
  const napas = (inner = tlv('00', '970436') + tlv('01', '0011001234567'), service = 'QRIBFTTA') =>
    tlv('38', tlv('00', NAPAS_GUID) + tlv('01', inner) + tlv('02', service));
  const fields = (
    over: {
      first?: string;
      method?: string;
      napas?: string;
      currency?: string;
      amount?: string;
      extra?: string;
    } = {},
  ) =>
    (over.first ?? tlv('00', '01')) +
    tlv('01', over.method ?? '12') +
    (over.napas ?? napas()) +
    tlv('53', over.currency ?? '704') +
    (over.amount === undefined ? '' : tlv('54', over.amount)) +
    tlv('58', 'VN') +
    (over.extra ?? '');
  const refusal = (payload: string) => {
    try {
      parseVietQr(payload);
    } catch (error) {
      const e = error as VietQrError;
      return { code: e.code, name: e.name, vi: e.vi, en: e.en };
    }
    return undefined;
  };
  const format = (vi: string, en: string) => ({
    code: 'VIETQR_FORMAT',
    name: 'VietQrError',
    vi: `Chuỗi VietQR sai cấu trúc: ${vi}`,
    en: `Malformed VietQR payload: ${en}`,
  });

  it('reads a payload built field by field', () => {
    expect(
      parseVietQr(
        sealed(fields({ amount: '1500000', extra: tlv('62', tlv('01', 'HD01') + tlv('08', 'HOC PHI')) })),
      ),
    ).toEqual({
      bankBin: '970436',
      account: '0011001234567',
      service: 'QRIBFTTA',
      dynamic: true,
      amount: 1_500_000,
      billNumber: 'HD01',
      purpose: 'HOC PHI',
    });
    expect(parseVietQr(sealed(fields({ method: '11' }))).dynamic).toBe(false);
  });

  it.each([
    [
      'no CRC field at the end',
      `${fields()}6304ABC`,
      format('không kết thúc bằng trường CRC 6304XXXX', 'it does not end with the CRC field 6304XXXX'),
    ],
    // A field whose length runs over the CRC field swallows it: 63 is then not the last field.
    [
      'the CRC field not last',
      sealed(`${fields()}0910AB`),
      format('trường CRC 63 không phải trường cuối', 'the CRC field 63 is not the last field'),
    ],
    [
      'a first field other than 00 = 01',
      sealed(fields({ first: tlv('00', '02') })),
      format('trường đầu tiên phải là 00 = 01', 'the first field must be 00 = 01'),
    ],
    [
      'a first field that is not 00',
      sealed(tlv('01', '12') + tlv('00', '01') + napas() + tlv('53', '704')),
      format('trường đầu tiên phải là 00 = 01', 'the first field must be 00 = 01'),
    ],
    [
      'a method other than 11 or 12',
      sealed(fields({ method: '13' })),
      format('trường 01 phải là 11 hoặc 12 (có "13")', 'field 01 must be 11 or 12 (got "13")'),
    ],
    [
      'a currency other than VND',
      sealed(fields({ currency: '840' })),
      format('tiền tệ (53) không phải VND 704', 'the currency (53) is not VND 704'),
    ],
    [
      'a GUID other than NAPAS',
      sealed(
        fields({
          napas: tlv(
            '38',
            tlv('00', 'A000000000') + tlv('01', tlv('00', '970436') + tlv('01', '1')) + tlv('02', 'QRIBFTTA'),
          ),
        }),
      ),
      format(`trường 38/00 không phải ${NAPAS_GUID} (NAPAS)`, `field 38/00 is not ${NAPAS_GUID} (NAPAS)`),
    ],
    [
      'no account',
      sealed(fields({ napas: napas(tlv('00', '970436')) })),
      format('thiếu trường 01 trong trường 38/01', 'field 01 missing in field 38/01'),
    ],
    [
      'a repeated field',
      sealed(fields() + tlv('58', 'VN')),
      format('trường 58 lặp lại trong chuỗi', 'field 58 repeats in the payload'),
    ],
    [
      'an amount of 0',
      sealed(fields({ amount: '0' })),
      format(
        'số tiền (54) không phải số nguyên VND dương (có "0")',
        'the amount (54) is not a positive whole number of VND (got "0")',
      ),
    ],
    [
      'an amount with decimals',
      sealed(fields({ amount: '10.5' })),
      format(
        'số tiền (54) không phải số nguyên VND dương (có "10.5")',
        'the amount (54) is not a positive whole number of VND (got "10.5")',
      ),
    ],
    [
      'a field cut short',
      sealed(`${fields()}0920AB`),
      format(
        'trường 09 khai báo 20 ký tự nhưng chỉ còn 10',
        'field 09 declares 20 characters but only 10 remain',
      ),
    ],
    [
      'text where a field id should be',
      sealed(`${fields()}X`),
      format(
        `vị trí ${fields().length} không bắt đầu bằng mã trường và độ dài 2+2 chữ số`,
        `no 2-digit id and 2-digit length at position ${fields().length}`,
      ),
    ],
  ])('refuses %s', (_what, payload, want) => {
    expect(refusal(payload)).toEqual(want);
  });

  it('refuses a damaged payload by its checksum, saying both values', () => {
    const good = sealed(fields());
    const bad = `${good.slice(0, -4)}0000`;
    expect(refusal(bad)).toEqual({
      code: 'VIETQR_CRC',
      name: 'VietQrError',
      vi: `Mã kiểm tra CRC sai (có 0000, tính được ${good.slice(-4)}): chuỗi bị hỏng hoặc bị sửa`,
      en: `Bad CRC (found 0000, computed ${good.slice(-4)}): the payload is damaged or was altered`,
    });
  });
});
