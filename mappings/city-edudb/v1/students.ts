/**
 * Học sinh: canonical `student` → the city's student record (C1-HocSinh columns, C06 codes).
 * Parents travel inline, as on the template: father, mother, and one other guardian.
 */
import { z } from 'zod';
import type { Guardian, Student } from '../../../src/model/index.ts';
import {
  classCode,
  code,
  conform,
  dmy,
  ethnicityOut,
  genderOut,
  personalIdOut,
  phoneOut,
  schoolYearOut,
  text,
  toDmy,
  toEthnicity,
  toGender,
  toPersonalId,
  toPhone,
  toStudentStatus,
  unmappable,
} from './common.ts';

export const CityStudentSchema = z.strictObject({
  MaTruong: code(),
  MaHocSinh: code(),
  HoTen: text(),
  NgaySinh: dmy(),
  GioiTinh: genderOut(),
  MaDanToc: ethnicityOut().optional(),
  SoDinhDanh: personalIdOut().optional(),
  NamHoc: schoolYearOut().optional(),
  MaLop: code().optional(),
  TrangThai: text().optional(),
  HoTenCha: text().optional(),
  SoDinhDanhCha: personalIdOut().optional(),
  SoDienThoaiCha: phoneOut().optional(),
  NamSinhCha: z.int().min(1900).max(2100).optional(),
  HoTenMe: text().optional(),
  SoDinhDanhMe: personalIdOut().optional(),
  SoDienThoaiMe: phoneOut().optional(),
  NamSinhMe: z.int().min(1900).max(2100).optional(),
  HoTenNguoiGiamHo: text().optional(),
  SoDinhDanhNguoiGiamHo: personalIdOut().optional(),
  SoDienThoaiNguoiGiamHo: phoneOut().optional(),
  NamSinhNguoiGiamHo: z.int().min(1900).max(2100).optional(),
});
export type CityStudent = z.infer<typeof CityStudentSchema>;

const PREFIX = { father: 'Cha', mother: 'Me', guardian: 'NguoiGiamHo' } as const;

function parentFields(guardians: readonly Guardian[]): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  guardians.forEach((g, i) => {
    const p = PREFIX[g.relationship];
    // The template has one slot per relationship: a second "guardian" cannot be carried.
    if (out[`HoTen${p}`] !== undefined)
      throw unmappable(
        `guardians.${i}.relationship`,
        `Mẫu chỉ có một chỗ cho ${p}`,
        `The template holds one ${g.relationship} only`,
      );
    out[`HoTen${p}`] = g.fullName;
    if (g.personalId !== undefined)
      out[`SoDinhDanh${p}`] = toPersonalId(g.personalId, `guardians.${i}.personalId`);
    if (g.phone !== undefined) out[`SoDienThoai${p}`] = toPhone(g.phone, `guardians.${i}.phone`);
    if (g.birthDate !== undefined) out[`NamSinh${p}`] = Number(g.birthDate.slice(0, 4));
  });
  return out;
}

/** Output field → canonical field, so a schema failure names what to fix at the source. */
const STUDENT_FIELDS = {
  MaTruong: 'schoolCode',
  MaHocSinh: 'studentCode',
  HoTen: 'fullName',
  NgaySinh: 'birthDate',
  MaLop: 'className',
};

export function mapStudent(s: Student): CityStudent {
  if ((s.className === undefined) !== (s.schoolYear === undefined))
    throw unmappable(
      s.className === undefined ? 'className' : 'schoolYear',
      'Lớp và năm học phải đi cùng nhau',
      'Class and school year go together',
    );
  return conform(
    CityStudentSchema,
    {
      MaTruong: s.schoolCode,
      MaHocSinh: s.studentCode,
      HoTen: s.fullName,
      NgaySinh: toDmy(s.birthDate, 'birthDate'),
      GioiTinh: toGender(s.gender, 'gender'),
      ...(s.ethnicityCode !== undefined ? { MaDanToc: toEthnicity(s.ethnicityCode, 'ethnicityCode') } : {}),
      ...(s.personalId !== undefined ? { SoDinhDanh: toPersonalId(s.personalId, 'personalId') } : {}),
      ...(s.className !== undefined && s.schoolYear !== undefined
        ? { NamHoc: s.schoolYear, MaLop: classCode(s.schoolCode, s.schoolYear, s.className) }
        : {}),
      ...(s.status !== undefined ? { TrangThai: toStudentStatus(s.status, 'status') } : {}),
      ...parentFields(s.guardians ?? []),
    },
    STUDENT_FIELDS,
  );
}
