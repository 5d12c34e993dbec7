/**
 * Test support only (imported by the offline tests, never by the hub): realistic generated cards
 * for property tests, valid by construction against the rules of src/model/personal-id.
 */
import { fc } from '@fast-check/vitest';
import { PROVINCE_CODES } from '../../../model/codes.ts';
import { type Gender, genderCenturyDigit } from '../../../model/personal-id.ts';
import type { CardData } from '../qr.ts';

/** Reference date of the tests: every generated card is issued on or before it. */
export const AS_OF = new Date('2026-11-27T00:00:00Z');

const FAMILY = [
  'Nguyễn',
  'Trần',
  'Lê',
  'Phạm',
  'Hoàng',
  'Huỳnh',
  'Phan',
  'Vũ',
  'Võ',
  'Đặng',
  'Bùi',
  'Đỗ',
  'Hồ',
  'Ngô',
  'Dương',
];
const MIDDLE = ['Văn', 'Thị', 'Hữu', 'Đức', 'Minh', 'Ngọc', 'Thanh', 'Quốc', 'Xuân', 'Thuỳ', 'Khánh', 'Gia'];
const GIVEN = [
  'An',
  'Hoà',
  'Thuỷ',
  'Quý',
  'Oánh',
  'Huệ',
  'Tuyết',
  'Khuê',
  'Hương',
  'Toàn',
  'Uyên',
  'Quỳnh',
  'Phượng',
  'Đạt',
  'Khoa',
];
const STREETS = [
  'Lê Lợi',
  'Nguyễn Huệ',
  'Hai Bà Trưng',
  'Trần Hưng Đạo',
  'Lý Thường Kiệt',
  'Nguyễn Thị Minh Khai',
];
const WARDS = ['Phường Bến Nghé', 'Phường Tân Định', 'Xã Nhà Bè', 'Xã Hiệp Phước', 'Phường 7'];
const CITIES = ['Quận 1, TP.HCM', 'Huyện Nhà Bè, TP.HCM', 'TP. Hồ Chí Minh', 'Hà Nội', 'Cần Thơ'];

export const fullNameArb = fc
  .tuple(
    fc.constantFrom(...FAMILY),
    fc.array(fc.constantFrom(...MIDDLE), { maxLength: 2 }),
    fc.constantFrom(...GIVEN),
  )
  .map(([family, middle, given]) => [family, ...middle, given].join(' '));

export const addressArb = fc
  .tuple(
    fc.integer({ min: 1, max: 999 }),
    fc.constantFrom(...STREETS),
    fc.constantFrom(...WARDS),
    fc.constantFrom(...CITIES),
  )
  .map(([no, street, ward, city]) => `${no} ${street}, ${ward}, ${city}`);

const isoOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const DAY = 86_400_000;

export function buildPersonalId(province: string, gender: Gender, birthYear: number, serial: number): string {
  return `${province}${genderCenturyDigit(gender, birthYear)}${String(birthYear % 100).padStart(2, '0')}${String(serial).padStart(6, '0')}`;
}

/** A card valid by construction; `extra` holds the fields of a new card, possibly none. */
export const cardArb: fc.Arbitrary<CardData> = fc
  .record({
    province: fc.constantFrom(...PROVINCE_CODES.keys()),
    gender: fc.constantFrom<Gender>('male', 'female'),
    birthMs: fc.integer({ min: Date.UTC(1930, 0, 1), max: AS_OF.getTime() }),
    issueFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    serial: fc.integer({ min: 0, max: 999_999 }),
    legacyId: fc.option(fc.stringMatching(/^\d{9}$/), { nil: null }),
    fullName: fullNameArb,
    address: addressArb,
    extra: fc.array(
      fc.oneof(
        fc.constant(''),
        fullNameArb,
        fc.stringMatching(/^\d{12}$/),
        fc.stringMatching(/^\d{8}$/),
        addressArb,
      ),
      { maxLength: 4 },
    ),
  })
  .map(({ province, gender, birthMs, issueFraction, serial, legacyId, fullName, address, extra }) => {
    const birthDate = isoOf(birthMs);
    const birthDay = Date.parse(`${birthDate}T00:00:00Z`);
    const issueDate = isoOf(
      birthDay + Math.floor(((AS_OF.getTime() - birthDay) / DAY) * issueFraction) * DAY,
    );
    const birthYear = Number(birthDate.slice(0, 4));
    // A reader drops trailing empty fields (they carry nothing), so a generated card has none.
    const kept = [...extra];
    while (kept.at(-1) === '') kept.pop();
    return {
      personalId: buildPersonalId(province, gender, birthYear, serial),
      legacyId,
      fullName,
      birthDate,
      gender,
      address,
      issueDate,
      extra: kept,
    };
  });
