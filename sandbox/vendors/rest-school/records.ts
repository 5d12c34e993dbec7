/**
 * The vendor's own record shapes: a Vietnamese school-management system whose API names fields
 * in Vietnamese camelCase, writes dates as dd/MM/yyyy, genders as "Nam"/"Nữ", relationships as
 * "Cha"/"Mẹ", statuses by their labels, and stamps every record with `ngayCapNhat` and `daXoa`.
 * Built from the generator's canonical records; the REST and SOAP simulators serve these shapes.
 */
import { STUDENT_STATUSES } from '../../../src/model/index.ts';
import type {
  Assessment,
  Class,
  FeeItem,
  LearningResult,
  Receivable,
  School,
  Student,
  Teacher,
} from '../../../src/model/records.ts';

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

/** Khoản thu: a fee the school collects in a school year. */
export interface VendorFeeItem extends VendorStamped {
  maKhoanThu: string;
  maTruong: string;
  namHoc: string;
  tenKhoanThu: string;
  /** Đồng per `kyThu`. */
  soTien: number;
  /** "Tháng", "Học kỳ", "Năm", "Một lần". */
  kyThu: string;
  /** "Bắt buộc" or "Tự nguyện". */
  loaiKhoanThu: string;
  khoiApDung?: number[];
}

/** One line of a notice: a fee item and what the student owes for it. */
export interface VendorFeeLine {
  maKhoanThu: string;
  tenKhoanThu?: string;
  soTien: number;
}

/** Phiếu báo thu: what one student owes for a billing period, line by line. */
export interface VendorFeeNotice extends VendorStamped {
  soPhieu: string;
  maTruong: string;
  namHoc: string;
  hocKy?: number;
  maHocSinh: string;
  chiTiet: VendorFeeLine[];
  tongTien: number;
  /** Due date, dd/MM/yyyy. */
  hanNop: string;
  /** What a parent writes on a transfer so the school finds the notice. */
  noiDungChuyenKhoan: string;
  /** "Chưa thu", "Đã thu", "Thu một phần", "Đã hủy". */
  trangThai: string;
}

/** What identifies a row of the grade book: a student's subject in one semester. */
interface VendorBookRow extends VendorStamped {
  maTruong: string;
  namHoc: string;
  hocKy: number;
  maLop: string;
  maHocSinh: string;
  maMon: string;
}

/**
 * Sổ điểm: a scored subject's marks for one student and semester (ĐĐGtx, ĐĐGgk, ĐĐGck and the
 * school's ĐTBmhk). Scored and commented subjects are two books in the vendor, as in the city's
 * own schema: marks are numbers, comments Đ/CĐ.
 */
export interface VendorMarks extends VendorBookRow {
  diemTX: number[];
  diemGK?: number;
  diemCK?: number;
  diemTBHK?: number;
}

/** Sổ nhận xét: a commented subject's Đ/CĐ for one student and semester, and its result. */
export interface VendorComments extends VendorBookRow {
  nhanXetTX: string[];
  nhanXetGK?: string;
  nhanXetCK?: string;
  ketQua?: string;
}

/** One subject's line of a learning result. */
export interface VendorSubjectResult {
  maMon: string;
  /** "Điểm số" or "Nhận xét". */
  hinhThuc: string;
  diemTB?: number;
  diemHK1?: number;
  diemHK2?: number;
  ketQua?: string;
}

/** Kết quả học tập: a student's semester or year, subject by subject, with the levels. */
export interface VendorLearningResult extends VendorStamped {
  maTruong: string;
  namHoc: string;
  /** "HK1", "HK2" or "CN" (cả năm). */
  ky: string;
  maLop: string;
  maHocSinh: string;
  chiTiet: VendorSubjectResult[];
  /** Học lực: Tốt, Khá, Đạt, Chưa đạt. */
  hocLuc?: string;
  /** Rèn luyện (hạnh kiểm). */
  renLuyen?: string;
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
export const FEE_PERIOD_LABELS: Record<FeeItem['period'], string> = {
  month: 'Tháng',
  semester: 'Học kỳ',
  year: 'Năm',
  once: 'Một lần',
};
export const FEE_KIND_LABELS = { mandatory: 'Bắt buộc', voluntary: 'Tự nguyện' } as const;
export const NOTICE_STATUS_LABELS: Record<Receivable['status'], string> = {
  open: 'Chưa thu',
  paid: 'Đã thu',
  partially_paid: 'Thu một phần',
  cancelled: 'Đã hủy',
};
export const PERIOD_LABELS: Record<LearningResult['period'], string> = {
  semester1: 'HK1',
  semester2: 'HK2',
  year: 'CN',
};
export const EVALUATION_LABELS = { scored: 'Điểm số', commented: 'Nhận xét' } as const;
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

export function vendorFeeItem(f: FeeItem): VendorFeeItem {
  return defined({
    maKhoanThu: f.feeCode,
    maTruong: f.schoolCode,
    namHoc: f.schoolYear,
    tenKhoanThu: f.name,
    soTien: f.amount,
    kyThu: FEE_PERIOD_LABELS[f.period],
    loaiKhoanThu: f.mandatory ? FEE_KIND_LABELS.mandatory : FEE_KIND_LABELS.voluntary,
    khoiApDung: f.grades,
    ngayCapNhat: '',
    daXoa: false,
  });
}

/**
 * A notice as the vendor keeps it: lines named after the school's fee items, the semester read
 * from the notice number (`…-HK2-…`), and `status` as the school shows it (see data.ts).
 */
export function vendorFeeNotice(
  r: Receivable,
  feeNames: ReadonlyMap<string, string>,
  status: Receivable['status'] = r.status,
): VendorFeeNotice {
  // Built field by field rather than through defined(): a district has two notices a student.
  const semester = /-HK([12])-/.exec(r.receivableNo)?.[1];
  return {
    soPhieu: r.receivableNo,
    maTruong: r.schoolCode,
    namHoc: r.schoolYear,
    ...(semester ? { hocKy: Number(semester) } : {}),
    maHocSinh: r.studentCode,
    chiTiet: r.items.map((i) => {
      const name = feeNames.get(i.feeCode);
      return name === undefined
        ? { maKhoanThu: i.feeCode, soTien: i.amount }
        : { maKhoanThu: i.feeCode, tenKhoanThu: name, soTien: i.amount };
    }),
    tongTien: r.total,
    hanNop: vnDate(r.dueDate),
    noiDungChuyenKhoan: r.paymentReference,
    trangThai: NOTICE_STATUS_LABELS[status],
    ngayCapNhat: '',
    daXoa: false,
  };
}

/** A grade book row, in the marks book or the comments book by the subject's evaluation. */
export function vendorBookRow(a: Assessment): VendorMarks | VendorComments {
  const head = {
    maTruong: a.schoolCode,
    namHoc: a.schoolYear,
    hocKy: a.semester,
    maLop: a.className,
    maHocSinh: a.studentCode,
    maMon: a.subjectCode,
  };
  if (a.evaluation === 'scored') {
    return defined({
      ...head,
      diemTX: a.regular,
      diemGK: a.midterm,
      diemCK: a.final,
      diemTBHK: a.average,
      ngayCapNhat: '',
      daXoa: false,
    });
  }
  return defined({
    ...head,
    nhanXetTX: a.regular,
    nhanXetGK: a.midterm,
    nhanXetCK: a.final,
    ketQua: a.result,
    ngayCapNhat: '',
    daXoa: false,
  });
}

export function vendorLearningResult(r: LearningResult): VendorLearningResult {
  return defined({
    maTruong: r.schoolCode,
    namHoc: r.schoolYear,
    ky: PERIOD_LABELS[r.period],
    maLop: r.className,
    maHocSinh: r.studentCode,
    chiTiet: r.subjects.map((s) =>
      s.evaluation === 'scored'
        ? defined({
            maMon: s.subjectCode,
            hinhThuc: EVALUATION_LABELS.scored,
            diemTB: s.average,
            diemHK1: s.semester1,
            diemHK2: s.semester2,
          })
        : { maMon: s.subjectCode, hinhThuc: EVALUATION_LABELS.commented, ketQua: s.result },
    ),
    hocLuc: r.level,
    renLuyen: r.conduct,
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
