import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { compareNames, foldName, stripMarks } from './names.ts';

const TONES = ['', '\u0300', '\u0301', '\u0303', '\u0309', '\u0323'];
const TONE_SET = new Set(TONES.slice(1));
const VOWEL = /[aeiouy]/i;

// Syllables built from real onsets and rhymes (shape marks included, tone left to the generator).
const ONSETS = ['', 'b', 'c', 'ch', 'd', 'đ', 'g', 'gi', 'h', 'kh', 'l', 'm', 'n', 'ng', 'nh', 'ph', 'qu'];
const MORE_ONSETS = ['r', 's', 't', 'th', 'tr', 'v', 'x', 'Đ', 'Ng', 'Th', 'Tr', 'H', 'Qu', 'Gi'];
const RHYMES = [
  'a',
  'ai',
  'ao',
  'au',
  'ay',
  'âu',
  'ây',
  'an',
  'ang',
  'anh',
  'ăn',
  'ăng',
  'ân',
  'e',
  'em',
  'en',
  'eo',
  'ê',
  'ên',
  'ênh',
  'êu',
  'i',
  'ia',
  'iêu',
  'iên',
  'iêng',
  'inh',
  'o',
  'oa',
  'oai',
  'oan',
  'oang',
  'oanh',
  'oay',
  'oe',
  'oen',
  'oi',
  'ong',
  'ô',
  'ôi',
  'ông',
  'ơ',
  'ơi',
  'ơn',
  'u',
  'ua',
  'uân',
  'uê',
  'ui',
  'ung',
  'uy',
  'uyên',
  'uyêt',
  'uynh',
  'uyu',
  'ư',
  'ưa',
  'ươi',
  'ương',
  'ươu',
  'ưu',
  'y',
  'yên',
];

/** Puts a tone mark after the vowel number `at` (any vowel, as sloppy typing would). */
function withToneAt(syllable: string, tone: string, at: number): string {
  const letters = [...syllable.normalize('NFD')];
  const vowelIdx = letters.flatMap((ch, i) => (VOWEL.test(ch) ? [i] : []));
  if (tone === '' || vowelIdx.length === 0) return syllable.normalize('NFC');
  let i = vowelIdx[at % vowelIdx.length]!;
  while (i + 1 < letters.length && /\p{M}/u.test(letters[i + 1]!)) i++; // after the shape marks
  letters.splice(i + 1, 0, tone);
  return letters.join('').normalize('NFC');
}

/** A syllable with its tone, and a second spelling of it with the tone on another vowel. */
const syllableArb = fc
  .record({
    onset: fc.constantFrom(...ONSETS, ...MORE_ONSETS),
    rhyme: fc.constantFrom(...RHYMES),
    tone: fc.constantFrom(...TONES),
    at: fc.nat(3),
    otherAt: fc.nat(3),
  })
  .map(({ onset, rhyme, tone, at, otherAt }) => ({
    one: withToneAt(onset + rhyme, tone, at),
    other: withToneAt(onset + rhyme, tone, otherAt),
  }));

const namePairArb = fc.array(syllableArb, { minLength: 1, maxLength: 4 }).map((syllables) => ({
  one: syllables.map((s) => s.one).join(' '),
  other: syllables.map((s) => s.other).join(' '),
}));
const nameArb = namePairArb.map((p) => p.one);

const randomCase = (text: string, mask: boolean[]) =>
  [...text]
    .map((ch, i) => (mask[i % Math.max(mask.length, 1)] ? ch.toUpperCase() : ch.toLowerCase()))
    .join('');

describe('compareNames: one name, several spellings', () => {
  it.each([
    ['Nguyễn Thị Hoà', 'Nguyễn Thị Hòa'],
    ['Lê Thị Thuỷ', 'Lê Thị Thủy'],
    ['Khoẻ', 'Khỏe'],
    ['Trần Quý', 'Trần Qúy'],
    ['Phạm Oánh', 'Phạm Óanh'],
    ['Võ Thị Thuý', 'Võ Thị Thúy'],
    ['Hoàng Ngoại', 'Hòang Ngọai'],
    ['Huỳnh Khuỷu', 'Huỳnh Khủyu'],
    ['Trương Giá', 'Trương Gía'],
    ['Hồ Người', 'Hồ Ngừơi'],
  ])('"%s" and "%s" are one spelling (tone-mark placement)', (a, b) => {
    expect(compareNames(a, b)).toBe('exact');
  });

  it('ignores case, Unicode form and spacing (NBSP, tabs, doubled spaces)', () => {
    expect(compareNames('  NGUYỄN\tVăn\u00a0\u00a0An ', 'nguyễn văn an')).toBe('exact');
    expect(compareNames('Đặng Thị Ánh'.normalize('NFD'), 'Đặng Thị Ánh')).toBe('exact');
  });

  it('fixes a tone typed before the shape mark (a + acute + circumflex is ấ)', () => {
    expect(compareNames('Tha\u0301\u0302n', 'Thấn')).toBe('exact');
  });

  it('says "diacritics_only" for a name written without its marks', () => {
    expect(compareNames('Nguyễn Văn An', 'Nguyen Van An')).toBe('diacritics_only');
    expect(compareNames('NGUYỄN VĂN AN', 'nguyen van an')).toBe('diacritics_only');
  });

  it('counts Đ/đ as D/d for "diacritics_only"', () => {
    expect(compareNames('Đặng', 'Dang')).toBe('diacritics_only');
    expect(compareNames('Đỗ Văn Đức', 'DO VAN DUC')).toBe('diacritics_only');
  });

  it('says "diacritics_only" for a different tone: Lê and Le, Người and Ngưới are different names', () => {
    expect(compareNames('Lê', 'Le')).toBe('diacritics_only');
    expect(compareNames('Người', 'Ngưới')).toBe('diacritics_only');
  });

  it('says "different" for different letters or words', () => {
    expect(compareNames('Nguyễn Văn An', 'Nguyễn Văn Anh')).toBe('different');
    expect(compareNames('Nguyễn Văn An', 'Nguyễn An')).toBe('different');
    expect(compareNames('Lê Thị Hoa', 'Lý Thị Hoa')).toBe('different');
    // Spaces inside a name are letters' boundaries, not spelling: "NGUYENVANAN" is another string.
    expect(compareNames('Nguyễn Văn An', 'NGUYENVANAN')).toBe('different');
  });

  it('leaves foreign names alone: no tone is moved in a word of several vowel groups', () => {
    expect(foldName('Jérôme')).toBe('jérôme');
    expect(compareNames('Jérôme', 'Jerôme')).toBe('diacritics_only');
    expect(foldName('Zoë')).toBe('zoë');
  });
});

describe('foldName and stripMarks', () => {
  it('puts the tone where the new-style rule says', () => {
    expect(foldName('Hòa Thủy Khỏe Qúy Óanh')).toBe('hoà thuỷ khoẻ quý oánh');
    expect(foldName('Hoàng Toán Ngòai Khủyu Gía Gì Mía Của Rựơu Ngừơi')).toBe(
      'hoàng toán ngoài khuỷu giá gì mía của rượu người',
    );
  });

  it('removes invisible characters (zero-width space, BOM)', () => {
    expect(foldName('Nguyễn\u200b Văn\ufeff An')).toBe('nguyễn văn an');
  });

  it('strips every diacritic and writes Đ as D, keeping case and spaces', () => {
    expect(stripMarks('Đặng Thị  Hoà')).toBe('Dang Thi  Hoa');
    expect(stripMarks('đường Ưu Ơn'.normalize('NFD'))).toBe('duong Uu On');
  });
});

describe('compareNames: properties', () => {
  propTest.prop([namePairArb])(
    'moving a tone mark to another vowel of its syllable is "exact"',
    ({ one, other }) => {
      expect(compareNames(one, other)).toBe('exact');
    },
  );

  propTest.prop([nameArb, fc.array(fc.boolean(), { minLength: 1 }), fc.constantFrom('NFC', 'NFD')])(
    'a name is "exact" with itself in either Unicode form and any letter case',
    (name, mask, form) => {
      expect(compareNames(name, randomCase(name.normalize(form), mask))).toBe('exact');
    },
  );

  propTest.prop([nameArb])(
    'a name with all its marks stripped is "diacritics_only", or "exact" if it had none',
    (name) => {
      const expected = stripMarks(name) === name ? 'exact' : 'diacritics_only';
      expect(compareNames(name, stripMarks(name))).toBe(expected);
    },
  );

  propTest.prop([fc.oneof(nameArb, fc.string()), fc.oneof(nameArb, fc.string())])('is symmetric', (a, b) => {
    expect(compareNames(a, b)).toBe(compareNames(b, a));
  });

  propTest.prop([fc.oneof(nameArb, fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }))])(
    'foldName is idempotent, so folded names compare exact with their originals',
    (name) => {
      expect(foldName(foldName(name))).toBe(foldName(name));
      expect(compareNames(name, foldName(name))).toBe('exact');
    },
  );

  propTest.prop([nameArb])('the folded form has at most one tone mark per word', (name) => {
    for (const word of foldName(name).normalize('NFD').split(' ')) {
      expect([...word].filter((ch) => TONE_SET.has(ch)).length).toBeLessThanOrEqual(1);
    }
  });
});
