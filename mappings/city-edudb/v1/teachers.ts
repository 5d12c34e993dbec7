/** Giáo viên: canonical `teacher` → the city's staff record (CSDL_GiaoVien columns, C06 codes). */
import { z } from 'zod';
import { SUBJECT_CODES, type Teacher } from '../../../src/model/index.ts';
import {
  code,
  conform,
  dmy,
  ethnicityOut,
  genderOut,
  personalIdOut,
  phoneOut,
  text,
  toDmy,
  toEthnicity,
  toGender,
  toPersonalId,
  toPhone,
  toTeacherStatus,
  unmappable,
} from './common.ts';

export const CityTeacherSchema = z.strictObject({
  MaTruong: code(),
  MaCanBo: code(),
  HoTen: text(),
  NgaySinh: dmy().optional(),
  GioiTinh: genderOut().optional(),
  MaDanToc: ethnicityOut().optional(),
  SoDinhDanh: personalIdOut().optional(),
  Email: z.email().optional(),
  SoDienThoai: phoneOut().optional(),
  ViTriViecLam: text().optional(),
  /** Môn dạy: EduBridge subject codes (MOET publishes no list, ❓). */
  MonDay: z.array(code()),
  TrangThaiCanBo: text(),
});
export type CityTeacher = z.infer<typeof CityTeacherSchema>;

export function mapTeacher(t: Teacher): CityTeacher {
  (t.subjectCodes ?? []).forEach((s, i) => {
    if (!SUBJECT_CODES.has(s))
      throw unmappable(`subjectCodes.${i}`, `Môn "${s}" không có trong danh mục`, `Unknown subject "${s}"`);
  });
  return conform(
    CityTeacherSchema,
    {
      MaTruong: t.schoolCode,
      MaCanBo: t.teacherCode,
      HoTen: t.fullName,
      ...(t.birthDate !== undefined ? { NgaySinh: toDmy(t.birthDate, 'birthDate') } : {}),
      ...(t.gender !== undefined ? { GioiTinh: toGender(t.gender, 'gender') } : {}),
      ...(t.ethnicityCode !== undefined ? { MaDanToc: toEthnicity(t.ethnicityCode, 'ethnicityCode') } : {}),
      ...(t.personalId !== undefined ? { SoDinhDanh: toPersonalId(t.personalId, 'personalId') } : {}),
      ...(t.email !== undefined ? { Email: t.email } : {}),
      ...(t.phone !== undefined ? { SoDienThoai: toPhone(t.phone, 'phone') } : {}),
      ...(t.position !== undefined ? { ViTriViecLam: t.position } : {}),
      MonDay: [...(t.subjectCodes ?? [])],
      TrangThaiCanBo: toTeacherStatus(t.status ?? 'working', 'status'),
    },
    {
      MaTruong: 'schoolCode',
      MaCanBo: 'teacherCode',
      HoTen: 'fullName',
      Email: 'email',
      ViTriViecLam: 'position',
    },
  );
}
