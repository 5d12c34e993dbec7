import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { RECORD_SCHEMAS } from './records.ts';
import { checkRecord, type RuleContext } from './rules.ts';
import {
  TEXT_FIELDS,
  TEXT_GUARD,
  TEXT_KIND_NAMES,
  TEXT_KINDS,
  type TextLimits,
  textLength,
  textLimitOf,
} from './text-limits.ts';

const ctx: RuleContext = { asOf: new Date('2026-11-27T00:00:00Z') };
const source = { adapter: 'excel', schoolCode: '79NB0001', pulledAt: '2026-11-20T08:00:00+07:00' };

function student(overrides: Record<string, unknown> = {}) {
  return {
    type: 'student',
    key: 'smas-nbk:HS-0001',
    source,
    schoolCode: '79NB0001',
    studentCode: '7900012345',
    personalId: '079213004521',
    fullName: 'Nguyễn Minh Khôi',
    birthDate: '2013-04-02',
    gender: 'male',
    className: '8A2',
    schoolYear: '2026-2027',
    guardians: [{ relationship: 'mother', fullName: 'Trần Thị Lan', personalId: '079185002345' }],
    ...overrides,
  };
}

const school = (overrides: Record<string, unknown> = {}) => ({
  type: 'school',
  key: 'sandbox:79NB0001',
  source,
  schoolCode: '79NB0001',
  name: 'THCS Nguyễn Văn Quỳ',
  level: 'lower_secondary',
  commune: 'xã Nhà Bè',
  provinceCode: '79',
  address: '12 Nguyễn Bình, xã Nhà Bè, TP. Hồ Chí Minh',
  ...overrides,
});

/** A name of exactly `n` code points, all precomposed letters: `Nguyễn ễễễ…`. */
const nameOf = (n: number) => `Nguyễn ${'ễ'.repeat(n - 7)}`;

const tooLong = (input: unknown, limits?: TextLimits) =>
  checkRecord(input, { ...ctx, textLimits: limits }).problems.filter((p) => p.code === 'TEXT_TOO_LONG');

describe('text limits of a student', () => {
  it('accepts a full name at its limit of 100 characters', () => {
    const check = checkRecord(student({ fullName: nameOf(100) }), ctx);
    expect(check).toMatchObject({ valid: true, problems: [] });
  });

  it('refuses a name one character over, naming the field, the limit and the length, never the name', () => {
    const name = nameOf(101);
    const check = checkRecord(student({ fullName: name }), ctx);
    expect(check.valid).toBe(false);
    expect(check.problems).toEqual([
      {
        code: 'TEXT_TOO_LONG',
        severity: 'error',
        field: 'fullName',
        message: {
          vi: 'Họ tên dài 101 ký tự, vượt giới hạn 100 ký tự',
          en: 'Full name is 101 characters long, over the limit of 100',
        },
      },
    ]);
    expect(JSON.stringify(check.problems)).not.toContain('ễễ');
  });

  it("names a guardian's field by its place in the list", () => {
    const guardians = [
      { relationship: 'father', fullName: 'Nguyễn Văn Hùng' },
      { relationship: 'mother', fullName: nameOf(140) },
    ];
    expect(tooLong(student({ guardians }))).toMatchObject([
      {
        field: 'guardians.1.fullName',
        message: { en: 'Full name is 140 characters long, over the limit of 100' },
      },
    ]);
  });

  it('counts a decomposed name by its NFC form: 100 letters of three code points each are 100', () => {
    const decomposed = nameOf(100).normalize('NFD');
    expect(decomposed.length).toBeGreaterThan(250);
    const check = checkRecord(student({ fullName: decomposed }), ctx);
    expect(check.problems.map((p) => p.code)).toEqual(['NAME_NORMALISED']);
    expect(checkRecord(student({ fullName: nameOf(101).normalize('NFD') }), ctx).problems).toMatchObject([
      { code: 'NAME_NORMALISED' },
      { code: 'TEXT_TOO_LONG', message: { en: 'Full name is 101 characters long, over the limit of 100' } },
    ]);
  });

  it('counts a character outside the BMP once, not as its two UTF-16 units', () => {
    // U+20000, a CJK letter of Hoa family names: two UTF-16 units, one code point.
    const name = `Lâm ${'\u{20000}'.repeat(96)}`;
    expect(name.length).toBe(196);
    expect(tooLong(student({ fullName: name }))).toEqual([]);
    expect(tooLong(student({ fullName: `${name}\u{20000}` }))).toMatchObject([
      { message: { en: 'Full name is 101 characters long, over the limit of 100' } },
    ]);
  });

  it('measures a name as checkName leaves it: doubled and edge spaces do not count', () => {
    expect(tooLong(student({ fullName: `  ${nameOf(100).replace(' ', '    ')}  ` }))).toEqual([]);
  });

  it('refuses a class name over the 12 characters the city makes its class code from', () => {
    expect(tooLong(student({ className: '8A2' }))).toEqual([]);
    expect(tooLong(student({ className: '8A2CHUYENANH' }))).toEqual([]);
    expect(tooLong(student({ className: '8A2CHUYENANH1' }))).toMatchObject([
      {
        field: 'className',
        message: { vi: 'Tên lớp dài 13 ký tự, vượt giới hạn 12 ký tự' },
      },
    ]);
  });
});

describe('configured limits', () => {
  it('raise a limit: a name of 110 characters passes under {"fullName": 120}', () => {
    expect(tooLong(student({ fullName: nameOf(110) }))).toHaveLength(1);
    expect(tooLong(student({ fullName: nameOf(110) }), { fullName: 120 })).toEqual([]);
    expect(tooLong(student({ fullName: nameOf(121) }), { fullName: 120 })).toMatchObject([
      { message: { en: 'Full name is 121 characters long, over the limit of 120' } },
    ]);
  });

  it('lower a limit, and leave the other kinds at their defaults', () => {
    const limits = { fullName: 20 };
    expect(tooLong(student({ fullName: 'Nguyễn Thị Ngọc Phương Thảo' }), limits)).toMatchObject([
      { field: 'fullName', message: { en: 'Full name is 27 characters long, over the limit of 20' } },
    ]);
    expect(textLimitOf('address', limits)).toBe(255);
    expect(tooLong(school({ address: 'x'.repeat(255) }), limits)).toEqual([]);
  });
});

describe('text other than names', () => {
  it('counts a decomposed address after NFC and stores it composed, as it is sent on', () => {
    const address = `${'Ấp Ễ '.repeat(51)}`.trim().normalize('NFD');
    const check = checkRecord(school({ address }), ctx);
    expect(check.problems).toEqual([]);
    expect((check.record as { address: string }).address).toBe(address.normalize('NFC'));
    expect(tooLong(school({ address: `${address} Ễ` }))).toMatchObject([
      { field: 'address', message: { en: 'Address is 256 characters long, over the limit of 255' } },
    ]);
  });

  it('checks school, subject and fee item names, rooms and payment purposes', () => {
    expect(tooLong(school({ name: 'T'.repeat(201) }))).toMatchObject([{ field: 'name' }]);
    const slot = {
      type: 'timetableSlot',
      key: 'x:tkb-1',
      source,
      schoolCode: '79NB0001',
      schoolYear: '2026-2027',
      className: '6A1',
      weekday: 2,
      session: 'morning',
      period: 1,
      subjectCode: 'TOAN',
      teacherCode: 'GV01',
      room: 'P'.repeat(51),
      validFrom: '2026-09-05',
    };
    expect(tooLong(slot)).toMatchObject([
      { field: 'room', message: { en: 'Room is 51 characters long, over the limit of 50' } },
    ]);
  });
});

describe('absurd text', () => {
  it('gets TEXT_TOO_LONG with its length at a hundred times the limit', () => {
    expect(tooLong(student({ fullName: nameOf(10_000) }))).toMatchObject([
      { message: { en: 'Full name is 10000 characters long, over the limit of 100' } },
    ]);
  });

  it('is refused by the schema beyond TEXT_GUARD, before any rule reads it, and not echoed', () => {
    const check = checkRecord(student({ fullName: 'a'.repeat(5_000_000) }), ctx);
    expect(check.record).toBeNull();
    expect(check.problems).toHaveLength(1);
    expect(check.problems[0]).toMatchObject({ code: 'SCHEMA_TOO_BIG', field: 'fullName' });
    expect(check.problems[0]!.message.en.length).toBeLessThan(200);
  });

  it('cannot hide a configured limit: no kind may be set above the guard', () => {
    for (const kind of TEXT_KIND_NAMES) {
      expect(TEXT_KINDS[kind].max, kind).toBeLessThanOrEqual(TEXT_GUARD);
      expect(TEXT_KINDS[kind].default, kind).toBeLessThanOrEqual(TEXT_KINDS[kind].max);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The table against the schemas: every free text field is limited, and every limit has its field.

/** Every plain string (no format, pattern or enum) of a schema, by path (`guardians[].fullName`). */
function freeStrings(schema: z.ZodType, path = ''): Map<string, number | null> {
  const found = new Map<string, number | null>();
  const def = (schema as unknown as { def: Record<string, unknown> }).def;
  const walk = (child: unknown, at: string) => {
    for (const [p, max] of freeStrings(child as z.ZodType, at)) found.set(p, max);
  };
  switch (def.type) {
    case 'string': {
      const s = schema as unknown as { format: string | null; maxLength: number | null };
      if (s.format === null) found.set(path, s.maxLength);
      break;
    }
    case 'optional':
    case 'default':
    case 'nullable':
      walk(def.innerType, path);
      break;
    case 'object':
      for (const [key, child] of Object.entries(def.shape as Record<string, unknown>))
        walk(child, path ? `${path}.${key}` : key);
      break;
    case 'array':
      walk(def.element, `${path}[]`);
      break;
    case 'union':
      for (const option of def.options as unknown[]) walk(option, path);
      break;
  }
  return found;
}

// Plain strings that are codes, identifiers or written by adapters, not typed as text.
const NOT_TEXT = new Set([
  'source.adapter',
  'source.adapterVersion',
  'source.schoolCode',
  'source.location',
  'schoolCode',
  'studentCode',
  'teacherCode',
  'subjectCode',
  'subjectCodes[]',
  'subjects[].subjectCode',
  'homeroomTeacherCode',
  'personalId',
  'guardians[].personalId',
  'feeCode',
  'items[].feeCode',
  'receivableNo',
  'paymentId',
  'bankReference',
  'template',
  'series',
  'number',
]);

describe('the table of text fields', () => {
  it('limits every plain string of every record that is not a code, and caps it at the guard', () => {
    for (const [type, schema] of Object.entries(RECORD_SCHEMAS)) {
      const text = (TEXT_FIELDS as Record<string, Record<string, string>>)[type] ?? {};
      for (const [path, max] of freeStrings(schema)) {
        if (NOT_TEXT.has(path)) continue;
        expect(text[path], `${type}.${path} has no text kind`).toBeDefined();
        expect(max, `${type}.${path}`).toBe(TEXT_GUARD);
      }
      for (const path of Object.keys(text)) {
        expect(freeStrings(schema).has(path), `${type}.${path} is not a plain string field`).toBe(true);
      }
    }
  });

  it('gives every kind a field, a source and a message', () => {
    const used = new Set(Object.values(TEXT_FIELDS).flatMap((fields) => Object.values(fields)));
    for (const kind of TEXT_KIND_NAMES) {
      expect(used.has(kind), kind).toBe(true);
      expect(TEXT_KINDS[kind].source.length, kind).toBeGreaterThan(20);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const syllable = fc.constantFrom('Nguyễn', 'Thị', 'Ngọc', 'Ánh', 'Lê', 'Hoàng', 'Khơ', 'Y', 'Ễ', '\u{20000}');

describe('properties', () => {
  propTest.prop([fc.string({ unit: 'binary', maxLength: 60 })])(
    'textLength is the number of code points of the NFC form',
    (text) => {
      expect(textLength(text)).toBe(Array.from(text.normalize('NFC')).length);
    },
  );

  propTest.prop([
    fc.array(syllable, { minLength: 2, maxLength: 40 }),
    fc.boolean(),
    fc.integer({ min: 2, max: 200 }),
  ])('a name is refused exactly when its NFC form is over the configured limit', (words, nfd, limit) => {
    const name = words.join(' ');
    const found = tooLong(student({ fullName: nfd ? name.normalize('NFD') : name, guardians: [] }), {
      fullName: limit,
    });
    const length = Array.from(name).length;
    expect(found).toEqual(
      length > limit
        ? [
            expect.objectContaining({
              field: 'fullName',
              message: expect.objectContaining({
                en: `Full name is ${length} characters long, over the limit of ${limit}`,
              }),
            }),
          ]
        : [],
    );
  });
});
