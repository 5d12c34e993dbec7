/** Ghi danh: canonical `enrollment` → the student's status in a class for a year (operational data). */
import { z } from 'zod';
import type { Enrollment } from '../../../src/model/index.ts';
import { classCode, code, conform, dmy, schoolYearOut, text, toDmy, toStudentStatus } from './common.ts';

export const CityEnrollmentSchema = z.strictObject({
  MaTruong: code(),
  NamHoc: schoolYearOut(),
  MaLop: code(),
  MaHocSinh: code(),
  /** Trạng thái HS, the template's label ("Đang học"). */
  TrangThai: text(),
  /** Ngày nhập trạng thái. */
  NgayTrangThai: dmy(),
});
export type CityEnrollment = z.infer<typeof CityEnrollmentSchema>;

export function mapEnrollment(e: Enrollment): CityEnrollment {
  return conform(
    CityEnrollmentSchema,
    {
      MaTruong: e.schoolCode,
      NamHoc: e.schoolYear,
      MaLop: classCode(e.schoolCode, e.schoolYear, e.className),
      MaHocSinh: e.studentCode,
      TrangThai: toStudentStatus(e.status, 'status'),
      NgayTrangThai: toDmy(e.statusDate, 'statusDate'),
    },
    { MaTruong: 'schoolCode', MaHocSinh: 'studentCode' },
  );
}
