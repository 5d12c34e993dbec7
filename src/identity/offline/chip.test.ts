import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { CardPayloadError } from './card.ts';
import { type ChipReadingInput, parseChipReading } from './chip.ts';
import { AS_OF, cardArb } from './testing/cards.ts';

const parse = (json: unknown) => parseChipReading(json, { asOf: AS_OF });

function errorOf(json: unknown): CardPayloadError {
  try {
    parse(json);
  } catch (err) {
    if (err instanceof CardPayloadError) return err;
    throw err;
  }
  throw new Error('expected a CardPayloadError');
}

// What a reader reports for a chip card read at a school gate: DG13 text as printed on the card.
const READING: ChipReadingInput = {
  dg13: {
    personalId: '079203001234',
    fullName: 'Nguyễn Văn An',
    birthDate: '15/03/2003',
    gender: 'Nam',
    nationality: 'Việt Nam',
    ethnicity: 'Kinh',
    religion: 'Không',
    placeOfOrigin: 'Xã Phước Kiển, Huyện Nhà Bè, TP. Hồ Chí Minh',
    residence: '12 Lê Lợi, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh',
    identifyingMarks: 'Nốt ruồi C:1cm trên trước mép trái',
    issueDate: '20/04/2021',
    expiryDate: '15/03/2028',
    fatherName: 'Nguyễn Văn Bình',
    motherName: 'Lê Thị Hoà',
    legacyId: '123456789',
  },
  passiveAuthentication: { result: 'valid', documentSigner: 'CN=CSCA Viet Nam DS 07' },
  readerId: 'gate-2',
  readAt: '2026-09-05T07:12:30+07:00',
  faceMatchScore: 0.93,
};

const withDg13 = (dg13: Partial<ChipReadingInput['dg13']>): ChipReadingInput => ({
  ...READING,
  dg13: { ...READING.dg13, ...dg13 },
});

describe('parseChipReading', () => {
  it('normalises a full reading: ISO dates, gender enum, residence as address', () => {
    expect(parse(READING)).toEqual({
      card: {
        personalId: '079203001234',
        legacyId: '123456789',
        fullName: 'Nguyễn Văn An',
        birthDate: '2003-03-15',
        gender: 'male',
        address: '12 Lê Lợi, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh',
        issueDate: '2021-04-20',
        expiryDate: '2028-03-15',
        nationality: 'Việt Nam',
        ethnicity: 'Kinh',
        religion: 'Không',
        placeOfOrigin: 'Xã Phước Kiển, Huyện Nhà Bè, TP. Hồ Chí Minh',
        identifyingMarks: 'Nốt ruồi C:1cm trên trước mép trái',
        fatherName: 'Nguyễn Văn Bình',
        motherName: 'Lê Thị Hoà',
      },
      passiveAuthentication: { result: 'valid', reason: null, documentSigner: 'CN=CSCA Viet Nam DS 07' },
      readerId: 'gate-2',
      readAt: '2026-09-05T07:12:30+07:00',
      faceMatchScore: 0.93,
    });
  });

  it('reads a minimal reading, the optional fields as null', () => {
    const reading = parse({
      dg13: {
        personalId: '079313004521',
        fullName: 'Lê Thị Thuỷ',
        birthDate: '2013-05-09',
        gender: 'female',
      },
      passiveAuthentication: { result: 'not_checked' },
    });
    expect(reading.card).toMatchObject({
      birthDate: '2013-05-09',
      gender: 'female',
      address: null,
      legacyId: null,
    });
    expect(reading.passiveAuthentication.result).toBe('not_checked');
    expect(reading.faceMatchScore).toBeNull();
  });

  it('accepts ISO dates, "Nữ" in NFD and a card that does not expire', () => {
    const reading = parse(
      withDg13({
        personalId: '079303001234',
        gender: 'Nữ'.normalize('NFD'),
        birthDate: '2003-03-15',
        expiryDate: 'Không thời hạn',
      }),
    );
    expect(reading.card).toMatchObject({ gender: 'female', birthDate: '2003-03-15', expiryDate: null });
  });

  it('refuses a reading whose passive authentication failed, with the reason', () => {
    const err = errorOf({
      ...READING,
      passiveAuthentication: { result: 'invalid', reason: 'DG13 hash does not match the SOD' },
    });
    expect(err.code).toBe('CHIP_PASSIVE_AUTH_FAILED');
    expect(err.field).toBe('passiveAuthentication.result');
    expect(err.en).toMatch(/cannot be trusted \(reason: DG13 hash does not match the SOD\)/);
    expect(err.vi).toMatch(/không đáng tin/);
  });

  it.each([
    ['no dg13', { passiveAuthentication: { result: 'valid' } }, 'dg13'],
    ['an 11-digit ID', withDg13({ personalId: '79203001234' }), 'dg13.personalId'],
    ['a date as ddMMyyyy', withDg13({ birthDate: '15032003' }), 'dg13.birthDate'],
    ['30 February', withDg13({ birthDate: '30/02/2003' }), 'dg13.birthDate'],
    ['an unknown gender', withDg13({ gender: 'X' }), 'dg13.gender'],
    ['a name with digits', withDg13({ fullName: 'Nguyễn V4n An' }), 'dg13.fullName'],
    ['a 12-digit CMND', withDg13({ legacyId: '079203001234' }), 'dg13.legacyId'],
    [
      'an unknown result',
      { ...READING, passiveAuthentication: { result: 'ok' } },
      'passiveAuthentication.result',
    ],
    ['a score above 1', { ...READING, faceMatchScore: 1.2 }, 'faceMatchScore'],
    ['a date-time without zone', { ...READING, readAt: '2026-09-05 07:12' }, 'readAt'],
    ['not an object', 'Nguyễn Văn An', ''],
  ])('CHIP_SCHEMA for %s, with the JSON path as field', (_what, json, field) => {
    const err = errorOf(json);
    expect({ code: err.code, field: err.field }).toEqual({ code: 'CHIP_SCHEMA', field });
  });

  it.each([
    [
      'a gender other than the ID says',
      withDg13({ gender: 'Nữ' }),
      'CHIP_ID_INCONSISTENT',
      'dg13.personalId',
    ],
    [
      'a year other than the ID says',
      withDg13({ birthDate: '15/03/2005' }),
      'CHIP_ID_INCONSISTENT',
      'dg13.personalId',
    ],
    ['an unknown province', withDg13({ personalId: '003203001234' }), 'CHIP_PERSONAL_ID', 'dg13.personalId'],
    [
      'a birth date in the future',
      withDg13({ birthDate: '01/01/2099' }),
      'CHIP_BIRTH_DATE',
      'dg13.birthDate',
    ],
    [
      'an issue date before birth',
      withDg13({ issueDate: '01/01/2000' }),
      'CHIP_ISSUE_DATE',
      'dg13.issueDate',
    ],
  ])('checks the ID against the card as the QR does: %s', (_what, json, code, field) => {
    const err = errorOf(json);
    expect({ code: err.code, field: err.field, position: err.position }).toEqual({
      code,
      field,
      position: null,
    });
    expect(err.message).not.toContain('079203001234');
    expect(err.message).not.toContain('Nguyễn Văn An');
  });
});

describe('parseChipReading: properties', () => {
  propTest.prop([cardArb, fc.boolean()])(
    'a generated card read from the chip gives the same data as from its QR',
    (card, printed) => {
      const date = (iso: string) => (printed ? `${iso.slice(8)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : iso);
      const reading = parse({
        dg13: {
          personalId: card.personalId,
          fullName: card.fullName,
          birthDate: date(card.birthDate),
          gender: card.gender === 'male' ? 'Nam' : 'Nữ',
          residence: card.address,
          issueDate: date(card.issueDate),
          legacyId: card.legacyId ?? '',
        },
        passiveAuthentication: { result: 'valid' },
      });
      const { extra: _extra, ...shared } = card;
      expect(reading.card).toMatchObject(shared);
    },
  );

  propTest.prop([
    fc.oneof(
      fc.jsonValue(),
      fc.anything(),
      fc.record({ dg13: fc.jsonValue(), passiveAuthentication: fc.jsonValue() }),
    ),
  ])('any value parses or throws CardPayloadError, never another error', (json) => {
    try {
      parse(json);
    } catch (err) {
      expect(err).toBeInstanceOf(CardPayloadError);
    }
  });
});
