/**
 * Person names. Vietnamese text arrives decomposed (old Windows-1258 input, macOS), with
 * non-breaking spaces and zero-width characters pasted from the web, and with doubled spaces from
 * Excel concatenation. Each of these breaks matching against the city DB and C06, so names are
 * normalised: Unicode NFC, trimmed, single spaces. A change is reported as a warning, never silent.
 */
import { error, type Problem, warning } from './problem.ts';

export interface NameCheck {
  /** The normalised name, or null when it cannot be a name. */
  value: string | null;
  problems: Problem[];
}

// Invisible or formatting characters that never belong in a name: controls, zero-width,
// bidi marks, soft hyphen, BOM.
const INVISIBLE =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;
// Unicode spaces of every width, tabs and line breaks, which become one ordinary space.
const SPACES = /[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;
// What a Vietnamese (or foreign) name may hold once normalised: letters with their marks, spaces,
// apostrophe, hyphen and dot (ethnic-minority and foreign names use them).
// Text made only of code points below U+0300 and of the precomposed Latin letters U+1E00–U+1EFF
// (where every Vietnamese letter with its tone mark lives) is already NFC: with no combining mark
// nothing can compose. Testing this is far cheaper than normalising every name.
const NFC_STABLE = /^[\u0000-\u02ff\u1e00-\u1eff]*$/;
// Letters of Latin, Latin-1 (less × and ÷), Latin Extended A/B and the precomposed Vietnamese
// block, words separated by one space: already NFC, trimmed and of the right shape.
const CLEAN_LATIN_NAME =
  /^[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]+(?: [A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]+)*$/;
const NAME_SHAPE = /^[\p{L}\p{M}]+(?:[ '’.-][\p{L}\p{M}]+)*\.?$/u;

/**
 * Normalises a person's name and reports what it changed or what is wrong.
 *
 * @example
 * checkName('  Nguyễn  Văn\u00a0An ').value // 'Nguyễn Văn An', with a NAME_NORMALISED warning
 */
export function checkName(raw: unknown, field = 'fullName'): NameCheck {
  if (typeof raw !== 'string' || raw.trim() === '') {
    return {
      value: null,
      problems: [error('NAME_EMPTY', field, 'Họ tên bị trống', 'The name is empty')],
    };
  }
  // Nearly every name is already clean Latin letters and single spaces: answer it without the
  // normalisation passes, which dominate the cost of validating a student.
  if (CLEAN_LATIN_NAME.test(raw)) return { value: raw, problems: [] };
  const changes: string[] = [];
  let value = raw;
  const composed = NFC_STABLE.test(value) ? value : value.normalize('NFC');
  if (composed !== value) changes.push('NFC');
  value = composed;
  const visible = value.replace(INVISIBLE, '');
  if (visible !== value) changes.push('invisible');
  value = visible;
  const spaced = value.replace(SPACES, ' ').trim();
  if (spaced !== value) changes.push('spaces');
  value = spaced;

  const problems: Problem[] = [];
  if (changes.length > 0) {
    const vi: Record<string, string> = {
      NFC: 'dấu tiếng Việt ở dạng tổ hợp (đã chuyển sang dựng sẵn NFC)',
      invisible: 'ký tự ẩn (đã bỏ)',
      spaces: 'khoảng trắng thừa hoặc lạ (đã chuẩn hóa)',
    };
    const en: Record<string, string> = {
      NFC: 'decomposed Vietnamese diacritics (composed to NFC)',
      invisible: 'invisible characters (removed)',
      spaces: 'extra or unusual spaces (normalised)',
    };
    problems.push(
      warning(
        'NAME_NORMALISED',
        field,
        `Họ tên có ${changes.map((c) => vi[c]).join(', ')}`,
        `The name had ${changes.map((c) => en[c]).join(', ')}`,
      ),
    );
  }
  if (!NAME_SHAPE.test(value)) {
    problems.push(
      error(
        'NAME_INVALID_CHARACTERS',
        field,
        'Họ tên chứa chữ số hoặc ký tự không phải chữ cái',
        'The name contains digits or characters that are not letters',
      ),
    );
    return { value: null, problems };
  }
  return { value, problems };
}

/**
 * The key used to compare names across systems: NFC, lower case, single spaces. Diacritics are
 * kept, since "Lê" and "Le" are different family names.
 */
export function nameMatchKey(name: string): string {
  const composed = NFC_STABLE.test(name) ? name : name.normalize('NFC');
  // Vietnamese has no locale-specific case mapping, and the plain one is much faster.
  return composed.replace(SPACES, ' ').trim().toLowerCase();
}
