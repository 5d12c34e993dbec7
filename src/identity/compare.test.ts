import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { compareIdentity, IdentityCompareError, type IdentityFacts } from './compare.ts';

const student: IdentityFacts = {
  personalId: '079213004521',
  fullName: 'Nguyễn Thị Thuỷ',
  birthDate: '2013-05-09',
  gender: 'female',
};

describe('compareIdentity', () => {
  it('verifies a person found with the same facts, spelt another way', () => {
    const found = { ...student, personalId: ' 079213004521 ', fullName: 'NGUYỄN THỊ THỦY' };
    expect(compareIdentity(student, found)).toEqual({ result: 'verified', fields: [] });
  });

  it('lists a name without its diacritics as a mismatch', () => {
    expect(compareIdentity(student, { ...student, fullName: 'NGUYEN THI THUY' })).toEqual({
      result: 'mismatch',
      fields: [{ field: 'fullName', how: 'diacritics_only' }],
    });
  });

  it('lists every field that differs, in a fixed order', () => {
    const found: IdentityFacts = {
      personalId: '079213004522',
      fullName: 'Trần Thị Thuỷ',
      birthDate: '2013-05-10',
      gender: 'male',
    };
    expect(compareIdentity(student, found).fields).toEqual([
      { field: 'personalId', how: 'different' },
      { field: 'fullName', how: 'different' },
      { field: 'birthDate', how: 'different' },
      { field: 'gender', how: 'different' },
    ]);
  });

  it('says "missing" for a field expected but not found', () => {
    expect(compareIdentity(student, { personalId: student.personalId, fullName: student.fullName })).toEqual({
      result: 'mismatch',
      fields: [
        { field: 'birthDate', how: 'missing' },
        { field: 'gender', how: 'missing' },
      ],
    });
  });

  it('says "missing" for a personal ID expected but not found, blank or absent', () => {
    for (const personalId of [undefined, '  ']) {
      expect(compareIdentity({ personalId: student.personalId }, { ...student, personalId })).toEqual({
        result: 'mismatch',
        fields: [{ field: 'personalId', how: 'missing' }],
      });
    }
  });

  it('does not compare a field the expected side lacks', () => {
    expect(compareIdentity({ personalId: student.personalId }, { ...student, gender: 'male' })).toEqual({
      result: 'verified',
      fields: [],
    });
  });

  it('compares only the year when the source gives the birth year alone', () => {
    expect(compareIdentity(student, { ...student, birthDate: undefined, birthYear: 2013 }).result).toBe(
      'verified',
    );
    expect(compareIdentity(student, { ...student, birthDate: undefined, birthYear: 2012 }).fields).toEqual([
      { field: 'birthDate', how: 'different' },
    ]);
  });

  it('compares the year when only the year is expected', () => {
    const expected = { fullName: student.fullName, birthYear: 2013 };
    expect(compareIdentity(expected, student).result).toBe('verified');
    expect(compareIdentity(expected, { ...student, birthDate: '2014-01-01' }).fields).toEqual([
      { field: 'birthDate', how: 'different' },
    ]);
  });

  it('treats a blank value as absent', () => {
    expect(compareIdentity(student, { ...student, fullName: '   ' }).fields).toEqual([
      { field: 'fullName', how: 'missing' },
    ]);
  });

  it('refuses to verify when nothing is expected', () => {
    expect(() => compareIdentity({}, student)).toThrow(IdentityCompareError);
    const thrown = (() => {
      try {
        compareIdentity({}, student);
      } catch (error) {
        return error as IdentityCompareError;
      }
    })();
    expect(thrown).toMatchObject({ code: 'IDENTITY_NOTHING_TO_COMPARE', name: 'IdentityCompareError' });
    expect(() => compareIdentity({ fullName: ' ' }, student)).toThrow(/Nothing to compare/);
  });
});

const factsArb = fc.record(
  {
    personalId: fc.stringMatching(/^0\d{11}$/),
    fullName: fc.constantFrom('Nguyễn Văn An', 'Lê Thị Hoà', 'Đặng Quý', 'Trần Thuỳ Dương'),
    birthDate: fc
      .date({ min: new Date('1950-01-01'), max: new Date('2025-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
    gender: fc.constantFrom('male' as const, 'female' as const),
  },
  { requiredKeys: [] },
);
const nonEmptyFactsArb = factsArb.filter((f) => Object.keys(f).length > 0);

describe('compareIdentity: properties', () => {
  propTest.prop([nonEmptyFactsArb])('any facts verify against themselves', (facts) => {
    expect(compareIdentity(facts, facts)).toEqual({ result: 'verified', fields: [] });
  });

  propTest.prop([nonEmptyFactsArb, factsArb])(
    'is "verified" exactly when no field is listed, and lists only expected fields',
    (expected, found) => {
      const comparison = compareIdentity(expected, found);
      expect(comparison.result === 'verified').toBe(comparison.fields.length === 0);
      for (const { field } of comparison.fields) expect(expected[field]).toBeDefined();
    },
  );

  propTest.prop([nonEmptyFactsArb, factsArb])('never carries a personal value', (expected, found) => {
    const output = JSON.stringify(compareIdentity(expected, found));
    for (const value of [...Object.values(expected), ...Object.values(found)]) {
      if (typeof value === 'string' && value !== 'male' && value !== 'female') {
        expect(output).not.toContain(value);
      }
    }
  });
});
