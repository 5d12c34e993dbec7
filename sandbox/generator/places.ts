/**
 * Schools of a synthetic HCMC district. The pilot school comes first; then schools of xã Nhà Bè and
 * xã Hiệp Phước (the communes that replaced Nhà Bè district on 1 Jul 2025); then schools spread
 * over wards of the city. Names follow the custom of naming lower-secondary schools (THCS) after
 * historical figures; none claims to be a real school's data.
 */
import type { School } from '../../src/model/records.ts';

export interface Commune {
  /** `xã Nhà Bè`, `phường Tân Định`. */
  name: string;
  /** Two letters used in the (opaque) school code. */
  letters: string;
  /** A street of the commune, for addresses. */
  streets: readonly string[];
  /** Share of Hoa families (Chợ Lớn wards are far above the city's average). */
  hoaShare: number;
}

const NHA_BE: Commune = {
  name: 'xã Nhà Bè',
  letters: 'NB',
  streets: ['Huỳnh Tấn Phát', 'Lê Văn Lương', 'Nguyễn Hữu Thọ', 'Phạm Hữu Lầu', 'Nguyễn Bình', 'Đào Sư Tích'],
  hoaShare: 0.02,
};

const HIEP_PHUOC: Commune = {
  name: 'xã Hiệp Phước',
  letters: 'HP',
  streets: ['Nguyễn Văn Tạo', 'Dương Cát Lợi', 'Nguyễn Văn Tạo nối dài'],
  hoaShare: 0.01,
};

const CITY_STREETS = [
  'Nguyễn Thị Minh Khai',
  'Hai Bà Trưng',
  'Điện Biên Phủ',
  'Cách Mạng Tháng Tám',
  'Lý Thường Kiệt',
  'Nguyễn Trãi',
  'Trần Hưng Đạo',
  'Lê Văn Sỹ',
  'Phan Đăng Lưu',
  'Nơ Trang Long',
  'Quang Trung',
  'Âu Cơ',
  'Hậu Giang',
  'Võ Văn Kiệt',
];

const ward = (name: string, letters: string, hoaShare = 0.04): Commune => ({
  name: `phường ${name}`,
  letters,
  streets: CITY_STREETS,
  hoaShare,
});

const WARDS: readonly Commune[] = [
  ward('Sài Gòn', 'SG'),
  ward('Tân Định', 'TD'),
  ward('Bến Thành', 'BT'),
  ward('Chợ Lớn', 'CL', 0.3),
  ward('Bình Thạnh', 'BH'),
  ward('Cầu Ông Lãnh', 'CO'),
  ward('Bàn Cờ', 'BC'),
  ward('Xuân Hòa', 'XH'),
  ward('Nhiêu Lộc', 'NL'),
  ward('An Đông', 'AD', 0.25),
  ward('Bình Tây', 'BY', 0.25),
  ward('Phú Lâm', 'PL', 0.12),
  ward('Gia Định', 'GD'),
  ward('Thạnh Mỹ Tây', 'TM'),
  ward('Bình Lợi Trung', 'BL'),
  ward('Phú Nhuận', 'PN'),
  ward('Đức Nhuận', 'DN'),
  ward('Gò Vấp', 'GV'),
  ward('Hạnh Thông', 'HT'),
  ward('An Hội Đông', 'AH'),
  ward('Tân Sơn Nhất', 'TS'),
  ward('Tân Bình', 'TB'),
  ward('Bảy Hiền', 'BV'),
  ward('Tân Phú', 'TP', 0.08),
  ward('Phú Thạnh', 'PT', 0.08),
  ward('Chánh Hưng', 'CH', 0.06),
  ward('Bình Đông', 'BD', 0.06),
  ward('Tân Thuận', 'TT'),
  ward('Tân Mỹ', 'TY'),
  ward('Tân Hưng', 'TH'),
  ward('Thủ Đức', 'TU'),
  ward('Linh Xuân', 'LX'),
  ward('Tăng Nhơn Phú', 'TN'),
  ward('Bình Tân', 'BN', 0.06),
  ward('An Lạc', 'AL'),
];

/** Historical figures lower-secondary schools are named after (the pilot's name comes first). */
const NAMESAKES = [
  'Nguyễn Bình Khiêm',
  'Hai Bà Trưng',
  'Lê Lợi',
  'Trần Hưng Đạo',
  'Lý Thường Kiệt',
  'Ngô Quyền',
  'Quang Trung',
  'Nguyễn Trãi',
  'Lê Quý Đôn',
  'Chu Văn An',
  'Nguyễn Du',
  'Phan Bội Châu',
  'Phan Châu Trinh',
  'Võ Trường Toản',
  'Nguyễn Đình Chiểu',
  'Bà Triệu',
  'Lý Tự Trọng',
  'Nguyễn Văn Trỗi',
  'Võ Thị Sáu',
  'Nguyễn Thị Minh Khai',
  'Trần Quốc Toản',
  'Đinh Tiên Hoàng',
  'Lý Công Uẩn',
  'Trần Nhân Tông',
  'Lê Thánh Tông',
  'Hàm Nghi',
  'Hồ Xuân Hương',
  'Đoàn Thị Điểm',
  'Huỳnh Khương Ninh',
  'Trần Văn Ơn',
  'Nguyễn Hiền',
  'Lương Thế Vinh',
  'Tô Hiến Thành',
  'Mạc Đĩnh Chi',
  'Phạm Ngũ Lão',
  'Yết Kiêu',
  'Trần Quang Khải',
  'Lê Lai',
  'Phan Đình Phùng',
  'Hoàng Hoa Thám',
  'Trương Định',
  'Nguyễn Trung Trực',
  'Thủ Khoa Huân',
  'Võ Văn Tần',
  'Nguyễn An Ninh',
  'Phan Văn Trị',
  'Tôn Thất Tùng',
  'Nguyễn Hữu Cảnh',
  'Trịnh Hoài Đức',
  'Nguyễn Tri Phương',
  'Cao Bá Quát',
  'Nguyễn Khuyến',
  'Ngô Sĩ Liên',
  'Lê Anh Xuân',
  'Hoàng Diệu',
  'Nguyễn Văn Tố',
  'Lê Ngọc Hân',
  'Ngô Thời Nhiệm',
  'Nguyễn Gia Thiều',
  'Huỳnh Thúc Kháng',
  'Trần Phú',
  'Lê Hồng Phong',
  'Nguyễn Văn Cừ',
  'Hà Huy Tập',
  'Phan Đăng Lưu',
  'Nguyễn Thái Bình',
  'Hùng Vương',
  'An Dương Vương',
  'Lý Nam Đế',
  'Mai Thúc Loan',
  'Phùng Hưng',
].map((n) => n.normalize('NFC'));

/** How many of the first schools are in each former-Nhà Bè commune. */
const NHA_BE_SCHOOLS = 5;
const HIEP_PHUOC_SCHOOLS = 3;

export interface SchoolPlace {
  commune: Commune;
  namesake: string;
  schoolCode: string;
}

/** The commune, namesake and code of the school at `index` (0 is the pilot). */
export function schoolPlace(index: number): SchoolPlace {
  const commune =
    index < NHA_BE_SCHOOLS
      ? NHA_BE
      : index < NHA_BE_SCHOOLS + HIEP_PHUOC_SCHOOLS
        ? HIEP_PHUOC
        : WARDS[(index - NHA_BE_SCHOOLS - HIEP_PHUOC_SCHOOLS) % WARDS.length]!;
  // 71 namesakes and 35 wards are coprime: a name repeats in the same ward only after 2,485 schools.
  const namesake = NAMESAKES[index % NAMESAKES.length]!;
  const schoolCode = `79${commune.letters}${String(index + 1).padStart(4, '0')}`;
  return { commune, namesake, schoolCode };
}

/** `79NB0001` → `sandbox-79nb0001`: the source system of a school's record keys. */
export const keySystem = (schoolCode: string): string => `sandbox-${schoolCode.toLowerCase()}`;

export function schoolRecordFields(place: SchoolPlace, houseNumber: number) {
  const street = place.commune.streets[houseNumber % place.commune.streets.length]!;
  return {
    schoolCode: place.schoolCode,
    name: `THCS ${place.namesake}`,
    level: 'lower_secondary',
    commune: place.commune.name,
    provinceCode: '79',
    address: `${houseNumber} ${street}, ${place.commune.name}, TP. Hồ Chí Minh`,
  } satisfies Omit<School, 'type' | 'key' | 'source'>;
}
