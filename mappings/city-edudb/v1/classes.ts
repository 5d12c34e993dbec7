/** Lớp học: canonical `class` → the city's class record. */
import { z } from 'zod';
import { type Class, gradeOfClassName } from '../../../src/model/index.ts';
import { classCode, code, conform, schoolYearOut, text, unmappable } from './common.ts';

export const CityClassSchema = z.strictObject({
  MaTruong: code(),
  NamHoc: schoolYearOut(),
  MaLop: code(),
  TenLop: text(),
  /** Khối (grade). */
  Khoi: z.int().min(1).max(12),
  /** Mã cán bộ of the homeroom teacher (giáo viên chủ nhiệm). */
  MaGVCN: code().optional(),
  SoBuoiHocTrenNgay: z.union([z.literal(1), z.literal(2)]).optional(),
});
export type CityClass = z.infer<typeof CityClassSchema>;

export function mapClass(c: Class): CityClass {
  const fromName = gradeOfClassName(c.className);
  if (fromName !== null && fromName !== c.grade)
    throw unmappable(
      'grade',
      `Lớp ${c.className} không thuộc khối ${c.grade}`,
      `Class ${c.className} is not in grade ${c.grade}`,
    );
  return conform(
    CityClassSchema,
    {
      MaTruong: c.schoolCode,
      NamHoc: c.schoolYear,
      MaLop: classCode(c.schoolCode, c.schoolYear, c.className),
      TenLop: c.className,
      Khoi: c.grade,
      ...(c.homeroomTeacherCode ? { MaGVCN: c.homeroomTeacherCode } : {}),
      ...(c.sessionsPerDay !== undefined ? { SoBuoiHocTrenNgay: c.sessionsPerDay } : {}),
    },
    { MaTruong: 'schoolCode', MaGVCN: 'homeroomTeacherCode' },
  );
}
