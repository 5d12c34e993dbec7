import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { CardPayloadError } from './card.ts';
import { type CardData, formatCccdQr, parseCccdQr } from './qr.ts';
import { AS_OF, cardArb } from './testing/cards.ts';

const parse = (text: string) => parseCccdQr(text, { asOf: AS_OF });

/** The error parse throws for a text, or fails the test. */
function errorOf(text: string): CardPayloadError {
  try {
    parse(text);
  } catch (err) {
    if (err instanceof CardPayloadError) return err;
    throw err;
  }
  throw new Error('expected a CardPayloadError');
}

// An old (2021 – Jun 2024) CCCD, the layout of domain §6.2.
const OLD_CARD =
  '079203001234|123456789|Nguyễn Văn An|15032003|Nam|12 Lê Lợi, Phường Bến Nghé, Quận 1, TP.HCM|20042021';
const OLD_CARD_DATA: CardData = {
  personalId: '079203001234',
  legacyId: '123456789',
  fullName: 'Nguyễn Văn An',
  birthDate: '2003-03-15',
  gender: 'male',
  address: '12 Lê Lợi, Phường Bến Nghé, Quận 1, TP.HCM',
  issueDate: '2021-04-20',
  extra: [],
};
// A girl born in Hà Nội in 2019, with a new (Circular 16/2024) card for the under-6s: the extra
// fields (cancelled ID, parents) are in an order nobody has confirmed, so they are kept raw.
const NEW_CARD =
  '001319012345||Trần Thị Thuỳ Dương|02092019|Nữ|Số 5 ngõ 12 Phố Huế, Phường Hai Bà Trưng, Hà Nội|15082024||Trần Văn Bình|Lê Thị Hoà';

/** The old card with field `position` (1-based) replaced. */
const withField = (position: number, value: string) =>
  OLD_CARD.split('|')
    .map((f, i) => (i === position - 1 ? value : f))
    .join('|');

describe('parseCccdQr: cards as readers return them', () => {
  it('reads an old card (7 fields)', () => {
    expect(parse(OLD_CARD)).toEqual(OLD_CARD_DATA);
  });

  it('reads a card without a CMND number', () => {
    expect(parse(withField(2, '')).legacyId).toBeNull();
  });

  it('reads a new card, keeping the fields beyond the 7th raw', () => {
    expect(parse(NEW_CARD)).toEqual({
      personalId: '001319012345',
      legacyId: null,
      fullName: 'Trần Thị Thuỳ Dương',
      birthDate: '2019-09-02',
      gender: 'female',
      address: 'Số 5 ngõ 12 Phố Huế, Phường Hai Bà Trưng, Hà Nội',
      issueDate: '2024-08-15',
      extra: ['', 'Trần Văn Bình', 'Lê Thị Hoà'],
    });
  });

  it('tolerates a BOM, surrounding whitespace, CR/LF and a trailing "|"', () => {
    expect(parse(`\ufeff  ${OLD_CARD}|\r\n`)).toEqual(OLD_CARD_DATA);
    expect(parse(`${OLD_CARD}||\n`)).toEqual(OLD_CARD_DATA);
  });

  it('reads a decomposed (NFD) text as NFC', () => {
    expect(parse(OLD_CARD.normalize('NFD'))).toEqual(OLD_CARD_DATA);
  });

  it.each(['Nam', 'NAM', 'nam', ' Nam '])('reads gender "%s" as male', (g) => {
    expect(parse(withField(5, g)).gender).toBe('male');
  });

  it.each(['Nữ', 'NỮ', 'Nữ'.normalize('NFD'), 'Nu', 'NU'])('reads gender "%s" as female', (g) => {
    expect(parse(withField(1, '079303001234').replace('|Nam|', `|${g}|`)).gender).toBe('female');
  });

  it('normalises the name (NFC, single spaces)', () => {
    expect(parse(withField(3, '  Nguyễn   Văn\u00a0An ')).fullName).toBe('Nguyễn Văn An');
  });

  it('accepts a province code given as extra', () => {
    const card = withField(1, '100203001234');
    expect(errorOf(card).code).toBe('QR_PERSONAL_ID');
    expect(parseCccdQr(card, { asOf: AS_OF, extraProvinceCodes: new Set(['100']) }).personalId).toBe(
      '100203001234',
    );
  });
});

describe('parseCccdQr: what it refuses', () => {
  it.each([
    ['empty text', '', 'QR_EMPTY', '', null],
    ['only whitespace and a BOM', '\ufeff \r\n', 'QR_EMPTY', '', null],
    [
      'too few fields',
      '079203001234|123456789|Nguyễn Văn An|15032003|Nam|12 Lê Lợi',
      'QR_FIELD_COUNT',
      '',
      null,
    ],
    ['a URL in the QR', 'https://example.vn/cccd?id=079203001234', 'QR_FIELD_COUNT', '', null],
    ['an 11-digit ID', withField(1, '79203001234'), 'QR_PERSONAL_ID', 'personalId', 1],
    ['an ID with a letter', withField(1, '07920300123A'), 'QR_PERSONAL_ID', 'personalId', 1],
    ['an unknown province code', withField(1, '003203001234'), 'QR_PERSONAL_ID', 'personalId', 1],
    ['a 12-digit CMND', withField(2, '079203001234'), 'QR_LEGACY_ID', 'legacyId', 2],
    ['an 8-digit CMND', withField(2, '12345678'), 'QR_LEGACY_ID', 'legacyId', 2],
    ['an empty name', withField(3, '  '), 'QR_FULL_NAME', 'fullName', 3],
    ['a name with digits', withField(3, 'Nguyễn Văn 4n'), 'QR_FULL_NAME', 'fullName', 3],
    ['a birth date with slashes', withField(4, '15/03/2003'), 'QR_BIRTH_DATE', 'birthDate', 4],
    ['31 February', withField(4, '31022003'), 'QR_BIRTH_DATE', 'birthDate', 4],
    ['29 February of a common year', withField(4, '29022003'), 'QR_BIRTH_DATE', 'birthDate', 4],
    ['month 13', withField(4, '15132003'), 'QR_BIRTH_DATE', 'birthDate', 4],
    ['a birth date in the future', withField(4, '15032099'), 'QR_BIRTH_DATE', 'birthDate', 4],
    ['an English gender', withField(5, 'Male'), 'QR_GENDER', 'gender', 5],
    ['an empty gender', withField(5, ''), 'QR_GENDER', 'gender', 5],
    ['an issue date that is no day', withField(7, '00002021'), 'QR_ISSUE_DATE', 'issueDate', 7],
    ['an issue date before birth', withField(7, '20042001'), 'QR_ISSUE_DATE', 'issueDate', 7],
    ['an issue date in the future', withField(7, '01012027'), 'QR_ISSUE_DATE', 'issueDate', 7],
    ['a gender other than the ID says', withField(5, 'Nữ'), 'QR_ID_INCONSISTENT', 'personalId', 1],
    ['a birth year other than the ID says', withField(4, '15032004'), 'QR_ID_INCONSISTENT', 'personalId', 1],
    ['a century other than the ID says', withField(4, '15031903'), 'QR_ID_INCONSISTENT', 'personalId', 1],
  ])('%s: %s', (_what, text, code, field, position) => {
    const err = errorOf(text);
    expect({ code: err.code, field: err.field, position: err.position }).toEqual({ code, field, position });
  });

  it('says in both languages what disagrees, naming fields by position', () => {
    const err = errorOf(withField(5, 'Nữ'));
    expect(err.vi).toMatch(/chữ số thứ 4 chỉ giới tính khác với giới tính \(trường 5\)/);
    expect(err.en).toMatch(/digit 4 gives a gender other than gender \(field 5\)/);
    expect(err.message).toBe(`${err.vi} / ${err.en}`);
    expect(err.toProblem()).toEqual({
      code: 'QR_ID_INCONSISTENT',
      severity: 'error',
      field: 'personalId',
      message: { vi: err.vi, en: err.en },
    });
  });

  it('never quotes a value from the card in its message', () => {
    for (const text of [withField(5, 'Nữ'), withField(4, '31022003'), withField(1, '003203001234')]) {
      const { message } = errorOf(text);
      for (const value of [
        '079203001234',
        '003203001234',
        '123456789',
        'Nguyễn Văn An',
        '15032003',
        '2003',
      ]) {
        expect(message).not.toContain(value);
      }
    }
  });
});

describe('parseCccdQr: properties', () => {
  propTest.prop([cardArb])('a valid card, serialised, parses back to itself', (card) => {
    expect(parse(formatCccdQr(card))).toEqual(card);
  });

  propTest.prop([cardArb, fc.constantFrom('', '|', '\r\n', '|\n', ' ')])(
    "and so it does with a reader's line ending, BOM and in NFD",
    (card, ending) => {
      expect(parse(`\ufeff${formatCccdQr(card).normalize('NFD')}${ending}`)).toEqual(card);
    },
  );

  propTest.prop([
    fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.array(fc.string(), { minLength: 6, maxLength: 10 }).map((f) => f.join('|')),
    ),
  ])('any text parses or throws CardPayloadError, never another error', (text) => {
    try {
      parse(text);
    } catch (err) {
      expect(err).toBeInstanceOf(CardPayloadError);
    }
  });

  propTest.prop([cardArb, fc.nat(), fc.string({ minLength: 0, maxLength: 3 })])(
    'a damaged card parses or throws CardPayloadError whose message quotes none of its values',
    (card, at, insert) => {
      const text = formatCccdQr(card);
      const i = at % (text.length + 1);
      const damaged = text.slice(0, i) + insert + text.slice(i + 1);
      try {
        parse(damaged);
      } catch (err) {
        expect(err).toBeInstanceOf(CardPayloadError);
        const { message } = err as CardPayloadError;
        for (const value of [card.personalId, card.fullName, card.legacyId, card.address]) {
          if (value) expect(message).not.toContain(value);
        }
      }
    },
  );
});
