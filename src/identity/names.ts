/**
 * Comparing a person's name as two systems spell it (the school's record, C06, a card).
 *
 * The same Vietnamese name reaches us in several spellings that are one name: precomposed (NFC) or
 * decomposed (NFD), upper or lower case, with doubled spaces or NBSPs, and with the tone mark on a
 * different vowel ("Hoà"/"Hòa", "Thuỷ"/"Thủy", "Quý"/"Qúy"). The tone belongs to the syllable,
 * not to a letter: no two Vietnamese syllables differ only by the vowel that carries the tone, so
 * where it sits is orthographic convention (old style vs new style, and keyboard habits). Those
 * spellings compare `exact`. Names equal once every diacritic is dropped (C06 clients and old
 * systems send "NGUYEN VAN AN") compare `diacritics_only`, which a check must still treat as a
 * mismatch: "Lê" and "Le" are different family names.
 *
 * Canonical tone position (the "new style" of the 2018 MOET spelling rules, kiểu bỏ dấu mới),
 * applied to each word that is one Vietnamese syllable:
 *   1. "qu" and "gi" before another vowel are the onset: their u / i never carry the tone
 *      ("quý", "giá", but "gì").
 *   2. In the remaining vowels (the nucleus), a vowel with a shape mark (â ă ê ô ơ ư) carries it;
 *      with two such vowels (ươ), the last ("người", "rượu").
 *   3. Otherwise, a syllable ending in a consonant puts it on the last vowel ("hoàng", "toán").
 *   4. Otherwise (open syllable): three vowels → the middle one ("ngoài", "khuỷu"); oa, oe, uy →
 *      the second ("hoà", "khoẻ", "thuỷ"); any other pair → the first ("mái", "của", "mía").
 * A word that is not one Vietnamese syllable (two vowel groups, or marks that are neither tones nor
 * shapes, as in "Jérôme" or "Zoë") is left as it is.
 */

// Tone marks (dấu thanh): grave (huyền), acute (sắc), tilde (ngã), hook above (hỏi), dot below (nặng).
const TONE_MARKS = new Set(['\u0300', '\u0301', '\u0303', '\u0309', '\u0323']);
// Vowel-shape marks: circumflex (â ê ô), breve (ă), horn (ơ ư).
const SHAPE_MARKS = new Set(['\u0302', '\u0306', '\u031b']);
const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);
// Pairs that take the tone on the second vowel in an open syllable (new style).
const SECOND_VOWEL_PAIRS = new Set(['oa', 'oe', 'uy']);

// Invisible characters that never belong in a name (as in src/model/names.ts): controls,
// zero-width, bidi marks, soft hyphen, BOM.
const INVISIBLE =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;
// Unicode spaces of every width, tabs and line breaks.
const SPACES = /[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;
// A word: letters with their combining marks. Everything else (space, hyphen, apostrophe) separates.
const WORD = /[\p{L}\p{M}]+/gu;
const MARKS = /\p{M}/gu;

export type NameComparison = 'exact' | 'diacritics_only' | 'different';

interface Letter {
  base: string;
  shapes: string[];
  others: string[];
}

/** Splits an NFD, lower-case word into letters with their marks; tone marks go to `tones`. */
function splitLetters(word: string, tones: string[]): Letter[] | null {
  const letters: Letter[] = [];
  for (const ch of word) {
    if (/\p{M}/u.test(ch)) {
      const last = letters.at(-1);
      if (!last) return null; // a mark with nothing to sit on
      if (TONE_MARKS.has(ch)) tones.push(ch);
      else if (SHAPE_MARKS.has(ch)) last.shapes.push(ch);
      else last.others.push(ch);
    } else {
      letters.push({ base: ch, shapes: [], others: [] });
    }
  }
  return letters;
}

/** Index of the letter that carries the tone, or null when the word is not one syllable. */
function toneIndex(letters: readonly Letter[]): number | null {
  const isVowel = (i: number) => VOWELS.has(letters[i]?.base ?? '');
  let start = letters.findIndex((_, i) => isVowel(i));
  if (start < 0) return null;
  let end = start;
  while (end + 1 < letters.length && isVowel(end + 1)) end++;
  for (let i = end + 1; i < letters.length; i++) if (isVowel(i)) return null; // a second vowel group
  // "qu" and "gi" followed by another vowel: the u / i is part of the onset.
  const onsetVowel =
    start === 1 &&
    end > start &&
    ((letters[0]?.base === 'q' && letters[1]?.base === 'u') ||
      (letters[0]?.base === 'g' && letters[1]?.base === 'i' && letters[1].shapes.length === 0));
  if (onsetVowel) start++;
  const nucleus = letters.slice(start, end + 1);
  for (let i = nucleus.length - 1; i >= 0; i--) if (nucleus[i]!.shapes.length > 0) return start + i;
  if (end + 1 < letters.length) return end; // closed syllable: last vowel
  if (nucleus.length >= 3) return start + 1;
  if (nucleus.length === 2) {
    return SECOND_VOWEL_PAIRS.has(nucleus.map((l) => l.base).join('')) ? start + 1 : start;
  }
  return start;
}

/** Moves a word's tone mark(s) to the canonical letter; a word that is not a syllable is kept. */
function placeTone(word: string): string {
  const tones: string[] = [];
  const letters = splitLetters(word, tones);
  if (!letters || tones.length === 0) return word;
  if (letters.some((l) => l.others.length > 0)) return word;
  const at = toneIndex(letters);
  if (at === null) return word;
  // Sorted so that two tone marks (a typing slip) land in one order whatever order they came in.
  tones.sort();
  return letters
    .map((l, i) => l.base + l.shapes.join('') + (i === at ? tones.join('') : ''))
    .join('')
    .normalize('NFC');
}

/**
 * The canonical form of a name for exact comparison: NFC, lower case, invisible characters removed,
 * whitespace folded to single spaces, tone marks at their canonical vowel (see the module comment).
 *
 * @example
 * foldName('  NGUYỄN  Thị\u00a0Thuỷ ') // 'nguyễn thị thuỷ'
 * foldName('Nguyễn Thị Thủy')        // 'nguyễn thị thuỷ'
 */
export function foldName(name: string): string {
  // Vietnamese needs no locale-specific case mapping (unlike Turkish or Lithuanian); the default
  // Unicode mapping lowers Đ to đ and every precomposed vowel correctly.
  const cleaned = name.normalize('NFC').replace(INVISIBLE, '').replace(SPACES, ' ').trim().toLowerCase();
  return cleaned.normalize('NFD').replace(WORD, placeTone).normalize('NFC');
}

/**
 * The name with every diacritic removed and Đ/đ written D/d; case and spacing are kept.
 *
 * @example
 * stripMarks('Đặng Thị Hoà') // 'Dang Thi Hoa'
 */
export function stripMarks(name: string): string {
  return name.normalize('NFD').replace(MARKS, '').replace(/Đ/g, 'D').replace(/đ/g, 'd').normalize('NFC');
}

/**
 * Compares two spellings of a name.
 * - `exact`: the same name (differences of Unicode form, case, spacing or tone placement only);
 * - `diacritics_only`: equal once diacritics are removed (Đ counts as D), but not exact;
 * - `different`: anything else.
 *
 * @example
 * compareNames('Nguyễn Thị Hoà', 'NGUYỄN THỊ HÒA') // 'exact'
 * compareNames('Đặng Văn An', 'Dang Van An')      // 'diacritics_only'
 */
export function compareNames(a: string, b: string): NameComparison {
  const fa = foldName(a);
  const fb = foldName(b);
  if (fa === fb) return 'exact';
  return stripMarks(fa) === stripMarks(fb) ? 'diacritics_only' : 'different';
}
