/**
 * The OneRoster → canonical mapping rules that need no provider: the line item convention, names,
 * personal IDs, grades.
 */
import { fc, test as property } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { kindOfCategory, kindOfTitle } from './assessments.ts';
import { fullNameOf, gradeOf, personalIdOf, rolesOf } from './map.ts';

describe('which assessment a line item is', () => {
  it('reads the sandbox categories and the usual Vietnamese names', () => {
    expect(kindOfCategory('Đánh giá thường xuyên (ĐĐGtx)')).toBe('regular');
    expect(kindOfCategory('Đánh giá giữa kỳ (ĐĐGgk)')).toBe('midterm');
    expect(kindOfCategory('Kiểm tra giữa học kỳ')).toBe('midterm');
    expect(kindOfCategory('ĐĐGck')).toBe('final');
    expect(kindOfCategory('Điểm trung bình / kết quả môn học kỳ (ĐTBmhk)')).toBe('average');
    expect(kindOfCategory('Final exam')).toBe('final');
    expect(kindOfCategory('Khác')).toBeUndefined();
    expect(kindOfCategory(undefined)).toBeUndefined();
  });

  it('reads title prefixes, with the number of a regular assessment', () => {
    expect(kindOfTitle('TX3 - Toán 6A1 - HKI')).toEqual({ kind: 'regular', index: 3 });
    expect(kindOfTitle('ĐĐGtx 2')).toEqual({ kind: 'regular', index: 2 });
    expect(kindOfTitle('tx')).toEqual({ kind: 'regular' });
    expect(kindOfTitle('GK - Ngữ văn')).toEqual({ kind: 'midterm' });
    expect(kindOfTitle('CK')).toEqual({ kind: 'final' });
    expect(kindOfTitle('TB - Toán 6A1 - HKII')).toEqual({ kind: 'average' });
    expect(kindOfTitle('ĐTBmhk')).toEqual({ kind: 'average' });
    expect(kindOfTitle('Kiểm tra miệng')).toBeUndefined();
    expect(kindOfTitle('TXT export')).toBeUndefined();
  });

  property.prop([fc.integer({ min: 1, max: 99 }), fc.string({ maxLength: 30 })])(
    'TX<n> followed by anything after a space is regular assessment n',
    (n, rest) => {
      expect(kindOfTitle(`TX${n} ${rest}`)).toEqual({ kind: 'regular', index: n });
    },
  );
});

describe('people', () => {
  it('puts a name together in Vietnamese order: family, middle, given', () => {
    expect(fullNameOf({ familyName: 'Nguyễn', middleName: 'Thị Minh', givenName: 'Khai' })).toBe(
      'Nguyễn Thị Minh Khai',
    );
    expect(fullNameOf({ familyName: ' Lê ', givenName: 'Na' })).toBe('Lê Na');
    expect(fullNameOf({})).toBe('');
  });

  it('takes the personal ID from the first configured userIds type, case-insensitively', () => {
    const user = {
      userIds: [
        { type: 'MaHocSinh', identifier: '7912345678' },
        { type: 'cccd', identifier: ' 079214349493 ' },
        { type: 'SoDinhDanh', identifier: '079314031761' },
      ],
    };
    expect(personalIdOf(user, ['SoDinhDanh', 'CCCD'])).toBe('079314031761');
    expect(personalIdOf(user, ['CCCD'])).toBe('079214349493');
    expect(personalIdOf(user, ['DDCN'])).toBeUndefined();
  });

  it('knows 1.2 roles and the 1.1 role field', () => {
    expect(rolesOf({ roles: [{ role: 'parent' }, { role: 'teacher' }] })).toEqual(['parent', 'teacher']);
    expect(rolesOf({ role: 'student' })).toEqual(['student']);
  });

  it('reads CEDS grades ("06") and plain numbers, not kindergarten', () => {
    expect(gradeOf(['06'])).toBe(6);
    expect(gradeOf(['KG', '10'])).toBe(10);
    expect(gradeOf(['PS'])).toBeUndefined();
    expect(gradeOf(undefined)).toBeUndefined();
  });
});
