import { describe, expect, it } from 'vitest';
import type { CanonicalRecord } from '../../../src/model/index.ts';
import { RecordError } from '../../../src/sdk/errors.ts';
import { CITY_EDUDB_MAPPING_VERSION, CITY_RECORD_SCHEMAS, mapToCityEduDb } from './index.ts';

const source = {
  adapter: 'smas',
  schoolCode: '79NB0001',
  pulledAt: '2026-06-15T00:00:00+07:00',
};
const head = { source, schoolCode: '79NB0001' };

const student = {
  type: 'student',
  key: 'smas-nbk:HS-000123',
  ...head,
  studentCode: '7900123456',
  personalId: '079213004567',
  fullName: 'Nguyễn Gia Bảo',
  birthDate: '2013-04-09',
  gender: 'male',
  ethnicityCode: '01',
  className: '7A2',
  schoolYear: '2025-2026',
  status: 'studying',
  guardians: [
    {
      relationship: 'father',
      fullName: 'Nguyễn Văn Hùng',
      personalId: '079083001234',
      phone: '090 812 3456',
      birthDate: '1983-02-01',
    },
    { relationship: 'mother', fullName: 'Trần Thị Mai', phone: '0938.123.456' },
  ],
} as const;

const teacher = {
  type: 'teacher',
  key: 'smas-nbk:GV-0042',
  ...head,
  teacherCode: 'GV0042',
  fullName: 'Lê Thị Hồng',
  birthDate: '1988-11-30',
  gender: 'female',
  email: 'hong.lt@thcsnbk.edu.vn',
  position: 'Giáo viên THCS hạng II',
  subjectCodes: ['TOAN', 'TIN'],
  status: 'working',
} as const;

const klass = {
  type: 'class',
  key: 'smas-nbk:LOP-7A2',
  ...head,
  schoolYear: '2025-2026',
  className: '7A2',
  grade: 7,
  homeroomTeacherCode: 'GV0042',
} as const;

const enrollment = {
  type: 'enrollment',
  key: 'smas-nbk:GD-000123',
  ...head,
  schoolYear: '2025-2026',
  studentCode: '7900123456',
  className: '7A2',
  status: 'transferred_in',
  statusDate: '2025-09-05',
} as const;

const scored = {
  type: 'assessment',
  key: 'smas-nbk:DG-1',
  ...head,
  schoolYear: '2025-2026',
  semester: 1,
  studentCode: '7900123456',
  className: '7A2',
  subjectCode: 'TOAN',
  evaluation: 'scored',
  regular: [5.9, 5.1, 4.9, 6],
  midterm: 6.2,
  final: 5.2,
  average: 9.9,
} as const;

const commented = {
  type: 'assessment',
  key: 'smas-nbk:DG-2',
  ...head,
  schoolYear: '2025-2026',
  semester: 2,
  studentCode: '7900123456',
  className: '7A2',
  subjectCode: 'GDTC',
  evaluation: 'commented',
  regular: ['Đ', 'Đ'],
  midterm: 'Đ',
  final: 'CĐ',
  result: 'Đ',
} as const;

const result = {
  type: 'learningResult',
  key: 'smas-nbk:KQ-1',
  ...head,
  schoolYear: '2025-2026',
  period: 'year',
  studentCode: '7900123456',
  className: '7A2',
  subjects: [
    ...['NV', 'NN1', 'GDCD', 'LSDL', 'KHTN'].map((subjectCode) => ({
      subjectCode,
      evaluation: 'scored',
      average: 8,
      semester1: 8,
      semester2: 8,
    })),
    { subjectCode: 'TOAN', evaluation: 'scored', average: 7.6, semester1: 6.5, semester2: 8.0 },
    { subjectCode: 'CN', evaluation: 'scored', average: 3 },
    { subjectCode: 'GDTC', evaluation: 'commented', result: 'Đ' },
  ],
  level: 'Tốt',
  conduct: 'Tốt',
} as const;

const slot = {
  type: 'timetableSlot',
  key: 'smas-nbk:TKB-1',
  ...head,
  schoolYear: '2025-2026',
  className: '7A2',
  weekday: 6,
  session: 'morning',
  period: 3,
  subjectCode: 'TOAN',
  teacherCode: 'GV0042',
  room: 'P.204',
  validFrom: '2025-09-08',
} as const;

const as = (r: unknown) => r as CanonicalRecord;

describe('city Education DB mapping v1', () => {
  it('is version v1', () => {
    expect(CITY_EDUDB_MAPPING_VERSION).toBe('v1');
  });

  it.each([
    [
      'student',
      student,
      'HocSinh',
      {
        MaTruong: '79NB0001',
        MaHocSinh: '7900123456',
        HoTen: 'Nguyễn Gia Bảo',
        NgaySinh: '09/04/2013',
        GioiTinh: '1',
        MaDanToc: '01',
        SoDinhDanh: '079213004567',
        NamHoc: '2025-2026',
        MaLop: '79NB0001.2025.7A2',
        TrangThai: 'Đang học',
        HoTenCha: 'Nguyễn Văn Hùng',
        SoDinhDanhCha: '079083001234',
        SoDienThoaiCha: '0908123456',
        NamSinhCha: 1983,
        HoTenMe: 'Trần Thị Mai',
        SoDienThoaiMe: '0938123456',
      },
    ],
    [
      'teacher',
      teacher,
      'GiaoVien',
      {
        MaTruong: '79NB0001',
        MaCanBo: 'GV0042',
        HoTen: 'Lê Thị Hồng',
        NgaySinh: '30/11/1988',
        GioiTinh: '2',
        Email: 'hong.lt@thcsnbk.edu.vn',
        ViTriViecLam: 'Giáo viên THCS hạng II',
        MonDay: ['TOAN', 'TIN'],
        TrangThaiCanBo: 'Đang làm việc',
      },
    ],
    [
      'class',
      klass,
      'LopHoc',
      {
        MaTruong: '79NB0001',
        NamHoc: '2025-2026',
        MaLop: '79NB0001.2025.7A2',
        TenLop: '7A2',
        Khoi: 7,
        MaGVCN: 'GV0042',
      },
    ],
    [
      'enrollment',
      enrollment,
      'GhiDanh',
      {
        MaTruong: '79NB0001',
        NamHoc: '2025-2026',
        MaLop: '79NB0001.2025.7A2',
        MaHocSinh: '7900123456',
        TrangThai: 'Chuyển đến',
        NgayTrangThai: '05/09/2025',
      },
    ],
    [
      'scored assessment (average recomputed: 49.9/9 → 5.5, not the source 9.9)',
      scored,
      'DiemMonHoc',
      {
        MaTruong: '79NB0001',
        NamHoc: '2025-2026',
        MaLop: '79NB0001.2025.7A2',
        MaHocSinh: '7900123456',
        HocKy: 1,
        MaMonHoc: 'TOAN',
        HinhThucDanhGia: 'DiemSo',
        DiemDDGtx: [5.9, 5.1, 4.9, 6],
        DiemDDGgk: 6.2,
        DiemDDGck: 5.2,
        DiemTBmhk: 5.5,
      },
    ],
    [
      'commented assessment (result recomputed: one CĐ → CĐ)',
      commented,
      'DiemMonHoc',
      {
        MaTruong: '79NB0001',
        NamHoc: '2025-2026',
        MaLop: '79NB0001.2025.7A2',
        MaHocSinh: '7900123456',
        HocKy: 2,
        MaMonHoc: 'GDTC',
        HinhThucDanhGia: 'NhanXet',
        DanhGiaDDGtx: ['Đ', 'Đ'],
        DanhGiaDDGgk: 'Đ',
        DanhGiaDDGck: 'CĐ',
        KetQuaHK: 'CĐ',
      },
    ],
    [
      'learning result (year average and level recomputed: one subject at 3.0 → Đạt)',
      result,
      'KetQuaHocTap',
      {
        MaTruong: '79NB0001',
        NamHoc: '2025-2026',
        MaLop: '79NB0001.2025.7A2',
        MaHocSinh: '7900123456',
        KyDanhGia: 'CN',
        MonHoc: [
          ...['NV', 'NN1', 'GDCD', 'LSDL', 'KHTN'].map((MaMonHoc) => ({ MaMonHoc, DiemTB: 8 })),
          { MaMonHoc: 'TOAN', DiemTB: 7.5 },
          { MaMonHoc: 'CN', DiemTB: 3 },
          { MaMonHoc: 'GDTC', KetQua: 'Đ' },
        ],
        KetQuaHocTap: 'Đạt',
        KetQuaRenLuyen: 'Tốt',
      },
    ],
    [
      'timetable slot (Saturday = Thứ 7)',
      slot,
      'ThoiKhoaBieu',
      {
        MaTruong: '79NB0001',
        NamHoc: '2025-2026',
        MaLop: '79NB0001.2025.7A2',
        Thu: 7,
        Buoi: 1,
        Tiet: 3,
        MaMonHoc: 'TOAN',
        MaCanBo: 'GV0042',
        Phong: 'P.204',
        TuNgay: '08/09/2025',
      },
    ],
  ])('maps a %s', (_name, input, kind, expected) => {
    const mapped = mapToCityEduDb(as(input));
    expect(mapped?.kind).toBe(kind);
    expect(mapped?.record).toEqual(expected);
    expect(
      CITY_RECORD_SCHEMAS[kind as keyof typeof CITY_RECORD_SCHEMAS].safeParse(mapped?.record).success,
    ).toBe(true);
  });

  it.each([
    [
      'a school',
      {
        type: 'school',
        key: 's:1',
        ...head,
        name: 'THCS NBK',
        level: 'lower_secondary',
        commune: 'xã Nhà Bè',
        provinceCode: '79',
      },
    ],
    [
      'a subject',
      {
        type: 'subject',
        key: 's:2',
        ...head,
        subjectCode: 'TOAN',
        name: 'Toán',
        grade: 7,
        periodsPerYear: 140,
        evaluation: 'scored',
      },
    ],
    [
      'a fee item',
      {
        type: 'feeItem',
        key: 's:3',
        ...head,
        schoolYear: '2025-2026',
        feeCode: 'BHYT',
        name: 'BHYT',
        amount: 884520,
        period: 'year',
        mandatory: true,
      },
    ],
  ])('takes no %s', (_name, input) => {
    expect(mapToCityEduDb(as(input))).toBeUndefined();
  });

  it.each([
    ['student with an 11-digit ID', { ...student, personalId: '79213004567' }, 'personalId'],
    ['student with a 9-digit CMND', { ...student, personalId: '025123456' }, 'personalId'],
    ['student with an unknown ethnicity', { ...student, ethnicityCode: '77' }, 'ethnicityCode'],
    ['student with a bad birth date', { ...student, birthDate: '09/04/2013' }, 'birthDate'],
    ['student with a class but no year', { ...student, schoolYear: undefined }, 'schoolYear'],
    [
      'student with two fathers',
      { ...student, guardians: [student.guardians[0], student.guardians[0]] },
      'guardians.1.relationship',
    ],
    [
      'guardian with a short ID',
      { ...student, guardians: [{ ...student.guardians[0], personalId: '0790830012' }] },
      'guardians.0.personalId',
    ],
    ['student with an empty name', { ...student, fullName: '  ' }, 'fullName'],
    ['teacher with an unknown subject', { ...teacher, subjectCodes: ['TOAN', 'XYZ'] }, 'subjectCodes.1'],
    ['teacher with a bad phone', { ...teacher, phone: '12' }, 'phone'],
    ['class whose name is not its grade', { ...klass, grade: 8 }, 'grade'],
    ['class with a name that cannot form a code', { ...klass, className: '7A2 (chiều)' }, 'className'],
    ['enrollment with an unknown status', { ...enrollment, status: 'expelled' }, 'status'],
    ['assessment with two decimals', { ...scored, regular: [5.9, 5.15, 4.9, 6] }, 'regular.1'],
    ['assessment with a final of 11', { ...scored, final: 11 }, 'final'],
    ['assessment of a subject not taught in grade 7', { ...scored, subjectCode: 'VL' }, 'subjectCode'],
    ['scored assessment of a commented subject', { ...scored, subjectCode: 'GDTC' }, 'evaluation'],
    [
      'learning result with a bad semester score',
      {
        ...result,
        subjects: [{ subjectCode: 'TOAN', evaluation: 'scored', average: 7, semester1: 12, semester2: 7 }],
      },
      'subjects.0.semester1',
    ],
    ['timetable slot with an unknown subject', { ...slot, subjectCode: 'XYZ' }, 'subjectCode'],
    ['timetable slot on weekday 9', { ...slot, weekday: 9 }, 'weekday'],
  ])('refuses a %s, naming the field', (_name, input, field) => {
    let thrown: unknown;
    try {
      mapToCityEduDb(as(input));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(RecordError);
    expect((thrown as RecordError).code).toBe('FIELD_UNMAPPABLE');
    expect((thrown as RecordError).field).toBe(field);
  });

  it('leaves the semester average empty until midterm and final are in', () => {
    const { final: _f, ...incomplete } = scored;
    expect(mapToCityEduDb(as(incomplete))?.record).toMatchObject({ DiemDDGck: null, DiemTBmhk: null });
  });
});
