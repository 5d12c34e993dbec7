/**
 * What a report may show of a person. A report travels further than the school's own file: it is
 * printed in terminals, pasted into tickets, attached to e-mails. So ID and phone numbers in a
 * message are masked, and a cell's value shown as an example keeps only what helps to see the
 * problem (the length and the ends of a number, the year of a date, the initials of a name).
 * The marks come from the model's schemas (`personal()`, `sensitive()`), not from a list here.
 */
import {
  type PersonalDataClass,
  personalDataFields,
  RECORD_SCHEMAS,
  type RecordType,
} from '../model/index.ts';

/**
 * A number's digits masked but the first two and last two, its length kept (an 11-digit ID shows
 * it lost its leading zero).
 *
 * @example
 * maskDigits('079214300109') // '07********09'
 */
export function maskDigits(digits: string): string {
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return `${digits.slice(0, 2)}${'*'.repeat(digits.length - 4)}${digits.slice(-2)}`;
}

/**
 * Masks, in a text for people, what may identify a person: runs of 9, 11 or 12 digits (CMND, a
 * CCCD with or without the leading zero Excel drops), phone numbers (0 and 9 or 10 more digits,
 * or +84 …) and e-mail addresses. A student code (10 digits, not starting with 0) is kept: it is
 * how the school finds the row.
 *
 * @example
 * maskPersonalText('Số 079214300109 đã có ở học sinh 7900000101') // 'Số 07********09 đã có ở học sinh 7900000101'
 */
export function maskPersonalText(text: string): string {
  return text
    .replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, (email) => `${email[0]}***@${email.split('@')[1]}`)
    .replace(/(?<![\d*])\+84[ .]?\d{2,3}[ .]?\d{3}[ .]?\d{3,4}(?![\d*])/g, (m) =>
      maskDigits(m.replace(/\D/g, '')),
    )
    .replace(/(?<![\d*])\d{9,12}(?![\d*])/g, (m) =>
      m.length === 9 || m.length >= 11 || m.startsWith('0') ? maskDigits(m) : m,
    );
}

/** `guardians.0.phone` → `guardians[].phone`: the path the schemas' marks are kept under. */
export const fieldPattern = (field: string): string => field.replace(/\.\d+(?=\.|$)/g, '[]');

const marksByType = new Map<string, Record<string, { class: PersonalDataClass }>>();

/** The personal-data class of a record type's field, if it holds personal data. */
export function personalDataClassOf(type: string, field: string): PersonalDataClass | undefined {
  let marks = marksByType.get(type);
  if (!marks) {
    const schema = (RECORD_SCHEMAS as Partial<Record<string, (typeof RECORD_SCHEMAS)[RecordType]>>)[type];
    marks = schema ? personalDataFields(schema) : {};
    marksByType.set(type, marks);
  }
  return marks[fieldPattern(field)]?.class;
}

/**
 * A value as an example in a report may show it: in clear when it is not personal data, masked
 * when it is (digits but their ends, a date but its year, words but their first letters), and
 * hidden when it is sensitive (ethnicity).
 *
 * @example
 * maskValue('Nguyễn Văn  An', 'personal') // 'N***** V**  A*'
 * maskValue('2014-03-12', 'personal') // '2014-**-**'
 */
export function maskValue(value: string, mark: PersonalDataClass | undefined): string {
  if (mark === undefined) return value;
  if (mark === 'sensitive') return '***';
  const date = /^(\d{4})-\d{2}-\d{2}$/.exec(value);
  if (date) return `${date[1]}-**-**`;
  const digits = value.replace(/[\s.+()-]/g, '');
  if (/^\d{5,}$/.test(digits)) return maskDigits(digits);
  if (value.includes('@')) return maskPersonalText(value);
  // Spaces are kept as they are: a name's extra or odd spaces may be the problem shown.
  return value.replace(/\S+/gu, (word) => {
    const [first = ''] = word;
    return first + '*'.repeat([...word].length - 1);
  });
}

/** The value at a dotted path of a record (`guardians.0.phone`), as text, if it is one. */
export function valueAtPath(record: unknown, field: string): string | undefined {
  if (field === '') return undefined;
  let current: unknown = record;
  for (const part of field.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  if (typeof current === 'string') return current;
  if (typeof current === 'number' || typeof current === 'boolean') return String(current);
  return undefined;
}
