/**
 * Vietnamese full names: family name, middle name(s), given name, all NFC. Family-name weights
 * follow the usual national estimates (Nguyễn about 38 %, Trần 11 %, Lê 9.5 % …), leaning to the
 * South for Huỳnh/Hoàng and Võ/Vũ. Children born in the 2010s rarely get Văn/Thị; their parents
 * (born 1972–1992) and grandparents mostly do. Hoa, Khơ-me and Chăm families draw from their own
 * family names.
 */
import type { Gender } from '../../src/model/personal-id.ts';
import { type Random, Weighted } from './random.ts';

const nfc = (words: string): string[] => words.normalize('NFC').split(',');

const KINH_FAMILY = new Weighted<string>([
  ['Nguyễn', 38],
  ['Trần', 11],
  ['Lê', 9.5],
  ['Phạm', 7],
  ['Huỳnh', 4.2],
  ['Hoàng', 1.6],
  ['Phan', 4.5],
  ['Võ', 4],
  ['Vũ', 1.5],
  ['Đặng', 2.1],
  ['Bùi', 2],
  ['Đỗ', 1.4],
  ['Hồ', 1.3],
  ['Ngô', 1.3],
  ['Dương', 1],
  ['Lý', 0.5],
  ['Trương', 0.9],
  ['Đinh', 0.6],
  ['Lâm', 0.6],
  ['Mai', 0.5],
  ['Tô', 0.4],
  ['Cao', 0.4],
  ['Lương', 0.4],
  ['Châu', 0.3],
  ['Tạ', 0.3],
  ['Hà', 0.3],
  ['Đoàn', 0.5],
  ['Thái', 0.2],
]);

const HOA_FAMILY = nfc('Lâm,Lý,Trương,Quách,Châu,Tăng,Hứa,Mã,La,Diệp,Lưu,Thái,Trần,Hồng,Quan');
const KHMER_FAMILY = nfc('Thạch,Sơn,Kim,Danh,Lâm,Châu,Huỳnh,Trịnh');
const CHAM_FAMILY = nfc('Đàng,Thiên,Quảng,Bá,Lưu,Thổ,Từ,Trượng');

/** A weighted list: the first `common` names weigh 3, the rest 1, any in `rare` 0.6. */
function tiered(words: string, common: number, rare: readonly string[] = []): Weighted<string> {
  return new Weighted<string>(
    nfc(words).map((w, i) => [w, rare.includes(w) ? 0.6 : i < common ? 3 : 1] as const),
  );
}

const CHILD_MIDDLE: Record<Gender, Weighted<string>> = {
  male: tiered(
    'Minh,Gia,Quốc,Hoàng,Anh,Đức,Thanh,Bảo,Nhật,Tuấn,Khánh,Văn,Hữu,Đăng,Duy,Thành,Trọng,Phúc,Công,Tấn',
    11,
    ['Văn'],
  ),
  female: tiered(
    'Ngọc,Bảo,Khánh,Thanh,Minh,Gia,Phương,Thảo,Anh,Thị,Mai,Thu,Như,Hoài,Thùy,Kim,Quỳnh,Yến,Tường,Cát',
    9,
    ['Thị'],
  ),
};

const CHILD_GIVEN: Record<Gender, string[]> = {
  male: nfc(
    'An,Bảo,Khang,Khôi,Minh,Phúc,Huy,Nam,Long,Duy,Quân,Kiệt,Thịnh,Tài,Đạt,Hưng,Khoa,Lâm,Nhân,Phát,Quang,Sơn,Tín,Trí,Tuấn,Vinh,Vũ,Hiếu,Hoàng,Kiên,Lộc,Nguyên,Phong,Thiện,Thắng,Toàn,Trung,Tùng,Việt,Đăng,Dũng,Hải,Hào,Khải,Khánh,Luân,Nhật,Thành,Tâm,Thái,Khiêm,Hậu,Tú,Vĩnh,Quý',
  ),
  female: nfc(
    'Anh,Ngọc,Vy,Nhi,Trâm,Hân,Linh,Thư,Như,Trân,Uyên,My,Ngân,Quỳnh,Tiên,Thảo,Hương,Hà,Mai,Lan,Chi,Diệp,Giang,Hằng,Khuê,Loan,Nga,Nhung,Oanh,Phương,Quyên,Thanh,Thủy,Trang,Tú,Vân,Xuân,Yến,Hạnh,Huyền,Châu,Đan,Diệu,Hiền,Khanh,Lam,Nhiên,Tâm,Thy,Ý',
  ),
};

const ADULT_MIDDLE: Record<Gender, Weighted<string>> = {
  male: new Weighted<string>(
    nfc('Văn,Hữu,Minh,Thanh,Quốc,Đức,Công,Ngọc,Hoàng,Tấn,Thành,Trọng,Xuân,Quang').map(
      (m) => [m, m === 'Văn' ? 30 : 4] as const,
    ),
  ),
  female: new Weighted<string>(
    nfc('Thị,Ngọc,Thanh,Kim,Thu,Bích,Mỹ,Hồng,Thúy,Phương,Hoàng,Minh').map(
      (m) => [m, m === 'Thị' ? 40 : 4] as const,
    ),
  ),
};

const ADULT_GIVEN: Record<Gender, string[]> = {
  male: nfc(
    'Hùng,Dũng,Tuấn,Minh,Hải,Sơn,Phong,Thành,Tâm,Hòa,Bình,Cường,Quang,Tùng,Lâm,Nam,Hiếu,Long,Tài,Phúc,Trung,Vinh,Thắng,Đức,Hưng,Lộc,Khánh,Thuận,Nghĩa,Hoàng,Tú,Kiệt,Toàn,Thái,Hậu,Nhân,Sang,Tiến,Phương,Lợi',
  ),
  female: nfc(
    'Lan,Hương,Hoa,Mai,Hạnh,Thảo,Trang,Hà,Hằng,Nga,Phương,Linh,Loan,Dung,Thủy,Tuyết,Yến,Vân,Nhung,Oanh,Liên,Hồng,Xuân,Thu,Ngọc,Diễm,Trinh,Hiền,Huệ,Nguyệt,Tâm,Kiều,Phượng,Thắm,Ánh',
  ),
};

const ELDER_GIVEN: Record<Gender, string[]> = {
  male: nfc('Ba,Bảy,Tám,Chín,Mười,Năm,Sáu,Hai,Lợi,Phước,Tư,Thới,Đực,Hên,Lực,Sanh'),
  female: nfc('Bảy,Tám,Chín,Sáu,Năm,Tư,Hai,Lài,Cúc,Mận,Đào,Lựu,Huê,Nết,Hường,Thơm'),
};

const KHMER_GIVEN: Record<Gender, string[]> = {
  male: nfc('Sa Rươn,Phol,Sóc Kha,Vi Sal,Ra Tha,Sa Ri,Kim Sang,Chanh Na,Sô Phát'),
  female: nfc('Sô Phi,Srây Nít,Sa Ly,Chanh Thu,Sóc Kim,Sa Vên,Thy Da,Pha La'),
};

export type Ethnicity = '01' | '04' | '05' | '17';
export type Generation = 'child' | 'adult' | 'elder';

/** A family name for a family of this ethnicity. */
export function familyName(random: Random, ethnicity: Ethnicity): string {
  switch (ethnicity) {
    case '04':
      return random.pick(HOA_FAMILY);
    case '05':
      return random.pick(KHMER_FAMILY);
    case '17':
      return random.pick(CHAM_FAMILY);
    default:
      return KINH_FAMILY.draw(random);
  }
}

/** Middle name(s) and given name, e.g. `Gia Bảo`, `Ngọc Bảo Trân`. */
function personalNames(random: Random, gender: Gender, generation: Generation, ethnicity: Ethnicity) {
  if (ethnicity === '05' && random.chance(0.6)) {
    const middle = gender === 'female' ? 'Thị ' : '';
    return `${middle}${random.pick(KHMER_GIVEN[gender])}`;
  }
  if (generation === 'child') {
    const middle = CHILD_MIDDLE[gender].draw(random);
    // About one child in ten has two middle names (Nguyễn Ngọc Bảo Trân).
    const second = random.chance(0.1) ? CHILD_MIDDLE[gender].draw(random) : middle;
    let given = random.pick(CHILD_GIVEN[gender]);
    if (given === middle || given === second) given = random.pick(CHILD_GIVEN[gender]);
    return second === middle ? `${middle} ${given}` : `${middle} ${second} ${given}`;
  }
  const middle = ADULT_MIDDLE[gender].draw(random);
  const given = random.pick(generation === 'elder' ? ELDER_GIVEN[gender] : ADULT_GIVEN[gender]);
  return `${middle} ${given}`;
}

/** A whole name for someone whose family name is already known (a child takes the father's). */
export function fullName(
  random: Random,
  family: string,
  gender: Gender,
  generation: Generation,
  ethnicity: Ethnicity,
): string {
  return `${family} ${personalNames(random, gender, generation, ethnicity)}`;
}

/** ASCII form for e-mail addresses: `Nguyễn Thị Ánh` → `nguyen thi anh`. */
export function asciiFold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
}
