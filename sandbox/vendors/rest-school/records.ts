/**
 * The vendor's own record shapes: a Vietnamese school-management system whose API names fields
 * in Vietnamese camelCase, writes dates as dd/MM/yyyy, genders as "Nam"/"Nữ", relationships as
 * "Cha"/"Mẹ", statuses by their labels, and stamps every record with `ngayCapNhat` and `daXoa`.
 * Built from the generator's canonical records; the REST and SOAP simulators serve these shapes.
 */
import { STUDENT_STATUSES } from '../../../src/model/index.ts';
import type { Class, School, Student, Teacher } from '../../../src/model/records.ts';

export interface VendorStamped {
  ngayCapNhat: string;
  daXoa: boolean;
}

export interface VendorGuardian {
  quanHe: string;
  hoTen: string;
  soDinhDanh?: string;
  dienThoai?: string;
  ngaySinh?: string;
}

export interface VendorStudent extends VendorStamped {
  maHocSinh: string;
  maTruong: string;
  hoTen: string;
  ngaySinh: string;
  gioiTinh: string;
  soDinhDanh?: string;
  maDanToc?: string;
  maLop?: string;
  namHoc?: string;
  trangThai?: string;
  ngayNhapTrangThai?: string;
  phuHuynh: VendorGuardian[];
}

export interface VendorTeacher extends VendorStamped {
  maGiaoVien: string;
  maTruong: string;
  hoTen: string;
  ngaySinh?: string;
  gioiTinh?: string;
  soDinhDanh?: string;
  maDanToc?: string;
  email?: string;
  dienThoai?: string;
  viTriViecLam?: string;
  monDay: string[];
  trangThai: string;
}

export interface VendorClass extends VendorStamped {
  maLop: string;
  maTruong: string;
  namHoc: string;
  tenLop: string;
  khoi: number;
  maGVCN?: string;
  soBuoiHoc?: number;
}

export interface VendorSchool {
  maTruong: string;
  tenTruong: string;
  capHoc: string;
  xaPhuong: string;
  maTinh: string;
  diaChi?: string;
}

export const GENDER_LABELS = { male: 'Nam', female: 'Nữ' } as const;
export const RELATIONSHIP_LABELS = { father: 'Cha', mother: 'Mẹ', guardian: 'Người giám hộ' } as const;
export const TEACHER_STATUS_LABELS = {
  working: 'Đang công tác',
  on_leave: 'Tạm nghỉ',
  retired: 'Nghỉ hưu',
  transferred: 'Chuyển công tác',
  left: 'Thôi việc',
} as const;
const LEVEL_LABELS: Record<School['level'], string> = {
  primary: 'Tiểu học',
  lower_secondary: 'THCS',
  upper_secondary: 'THPT',
  multi_level: 'Liên cấp',
};

/** `2013-09-05` → `05/09/2013`. */
export function vnDate(iso: string): string {
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

export function stampRecord(record: VendorStamped, updatedAt: number, deleted: boolean): void {
  record.ngayCapNhat = new Date(updatedAt).toISOString();
  record.daXoa = deleted;
}

/** Leaves out fields the source has no value for, as the vendor's JSON does. */
function defined<T extends object>(record: T): T {
  for (const [k, v] of Object.entries(record))
    if (v === undefined) delete (record as Record<string, unknown>)[k];
  return record;
}

export function vendorStudent(s: Student, statusDate: string | undefined): VendorStudent {
  return defined({
    maHocSinh: s.studentCode,
    maTruong: s.schoolCode,
    hoTen: s.fullName,
    ngaySinh: vnDate(s.birthDate),
    gioiTinh: GENDER_LABELS[s.gender],
    soDinhDanh: s.personalId,
    maDanToc: s.ethnicityCode,
    maLop: s.className,
    namHoc: s.schoolYear,
    trangThai: s.status ? STUDENT_STATUSES.get(s.status)?.name : undefined,
    ngayNhapTrangThai: statusDate ? vnDate(statusDate) : undefined,
    phuHuynh: s.guardians.map((g) =>
      defined({
        quanHe: RELATIONSHIP_LABELS[g.relationship],
        hoTen: g.fullName,
        soDinhDanh: g.personalId,
        dienThoai: g.phone,
        ngaySinh: g.birthDate ? vnDate(g.birthDate) : undefined,
      }),
    ),
    ngayCapNhat: '',
    daXoa: false,
  });
}

export function vendorTeacher(t: Teacher): VendorTeacher {
  return defined({
    maGiaoVien: t.teacherCode,
    maTruong: t.schoolCode,
    hoTen: t.fullName,
    ngaySinh: t.birthDate ? vnDate(t.birthDate) : undefined,
    gioiTinh: t.gender ? GENDER_LABELS[t.gender] : undefined,
    soDinhDanh: t.personalId,
    maDanToc: t.ethnicityCode,
    email: t.email,
    dienThoai: t.phone,
    viTriViecLam: t.position,
    monDay: t.subjectCodes,
    trangThai: TEACHER_STATUS_LABELS[t.status],
    ngayCapNhat: '',
    daXoa: false,
  });
}

export function vendorClass(c: Class): VendorClass {
  return defined({
    maLop: c.className,
    maTruong: c.schoolCode,
    namHoc: c.schoolYear,
    tenLop: `Lớp ${c.className}`,
    khoi: c.grade,
    maGVCN: c.homeroomTeacherCode,
    soBuoiHoc: c.sessionsPerDay,
    ngayCapNhat: '',
    daXoa: false,
  });
}

export function vendorSchool(s: School): VendorSchool {
  return defined({
    maTruong: s.schoolCode,
    tenTruong: s.name,
    capHoc: LEVEL_LABELS[s.level],
    xaPhuong: s.commune,
    maTinh: s.provinceCode,
    diaChi: s.address,
  });
}
