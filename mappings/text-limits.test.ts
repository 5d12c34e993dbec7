/**
 * The hub's text limits against the targets' schemas: a text the hub passes, even at the most
 * configuration may allow (`TEXT_KINDS[kind].max`), is taken by the target; one character more is
 * refused there. Otherwise a record would pass the hub and be refused by the city or SSC, one at a
 * time, after the run counted it valid.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { checkRecord, type Student, TEXT_KINDS, type TextKindName } from '../src/model/index.ts';
import { classCode } from './city-edudb/v1/common.ts';
import { mapToCityEduDb } from './city-edudb/v1/index.ts';
import { CityStudentSchema } from './city-edudb/v1/students.ts';
import { CityTeacherSchema } from './city-edudb/v1/teachers.ts';
import { CityTimetableSlotSchema } from './city-edudb/v1/timetable.ts';
import { SscFeeItemSchema } from './ssc/v1/fee-items.ts';
import { SscFeeNoticeSchema } from './ssc/v1/fee-notices.ts';

/** The target fields each capped kind ends up in. */
const TARGET_FIELDS: Array<[TextKindName, string, z.ZodType]> = [
  ['fullName', 'HocSinh.HoTen', CityStudentSchema.shape.HoTen],
  ['fullName', 'HocSinh.HoTenCha', CityStudentSchema.shape.HoTenCha],
  ['fullName', 'HocSinh.HoTenMe', CityStudentSchema.shape.HoTenMe],
  ['fullName', 'HocSinh.HoTenNguoiGiamHo', CityStudentSchema.shape.HoTenNguoiGiamHo],
  ['fullName', 'GiaoVien.HoTen', CityTeacherSchema.shape.HoTen],
  ['position', 'GiaoVien.ViTriViecLam', CityTeacherSchema.shape.ViTriViecLam],
  ['room', 'ThoiKhoaBieu.Phong', CityTimetableSlotSchema.shape.Phong],
  ['feeItemName', 'KhoanThu.TenKhoanThu', SscFeeItemSchema.shape.TenKhoanThu],
  ['paymentPurpose', 'PhieuBaoThu.NoiDungChuyenKhoan', SscFeeNoticeSchema.shape.NoiDungChuyenKhoan],
];

describe('text limits and the targets', () => {
  it.each(TARGET_FIELDS)(
    '%s: %s takes what the hub may pass and refuses one more',
    (kind, _field, schema) => {
      const { max } = TEXT_KINDS[kind];
      // A Vietnamese letter, and a letter outside the BMP: both sides count code points.
      for (const letter of ['ễ', '\u{20000}']) {
        expect(schema.safeParse(letter.repeat(max)).success).toBe(true);
        expect(schema.safeParse(letter.repeat(max + 1)).success).toBe(false);
      }
    },
  );

  it('className: the city makes its class code from a name of at most 12 characters', () => {
    const { max } = TEXT_KINDS.className;
    expect(classCode('79NB0001', '2025-2026', `6${'A'.repeat(max - 1)}`)).toBe(
      `79NB0001.2025.6${'A'.repeat(max - 1)}`,
    );
    expect(() => classCode('79NB0001', '2025-2026', `6${'A'.repeat(max)}`)).toThrow(/className|code/);
  });

  it('a decomposed name the hub passes at the city’s cap is sent composed, and taken', () => {
    const name = `Nguyễn ${'ễ'.repeat(TEXT_KINDS.fullName.max - 7)}`.normalize('NFD');
    const student = {
      type: 'student',
      key: 'smas-nbk:HS-000123',
      source: { adapter: 'smas', schoolCode: '79NB0001', pulledAt: '2026-06-15T00:00:00+07:00' },
      schoolCode: '79NB0001',
      studentCode: '7900123456',
      fullName: name,
      birthDate: '2013-04-09',
      gender: 'male',
      guardians: [{ relationship: 'mother', fullName: name }],
    };
    const check = checkRecord(student, {
      asOf: new Date('2026-06-15T00:00:00Z'),
      textLimits: { fullName: TEXT_KINDS.fullName.max },
    });
    expect(check.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const mapped = mapToCityEduDb(check.record as Student);
    expect(mapped?.record).toMatchObject({ HoTen: name.normalize('NFC'), HoTenMe: name.normalize('NFC') });
  });
});
