/** Thời khóa biểu: canonical `timetableSlot` → one lesson of a class's weekly timetable. */
import { z } from 'zod';
import { SUBJECT_CODES, type TimetableSlot } from '../../../src/model/index.ts';
import { classCode, code, conform, dmy, schoolYearOut, toDmy, toWeekday, unmappable } from './common.ts';

export const CityTimetableSlotSchema = z.strictObject({
  MaTruong: code(),
  NamHoc: schoolYearOut(),
  MaLop: code(),
  /** Thứ: 2 = Thứ Hai … 7 = Thứ Bảy, 8 = Chủ nhật (`mappings/codes/weekdays.json`). */
  Thu: z.int().min(2).max(8),
  /** Buổi: 1 sáng (morning), 2 chiều (afternoon). */
  Buoi: z.union([z.literal(1), z.literal(2)]),
  Tiet: z.int().min(1).max(5),
  MaMonHoc: code(),
  MaCanBo: code(),
  Phong: z.string().max(50).optional(),
  TuNgay: dmy(),
  DenNgay: dmy().optional(),
});
export type CityTimetableSlot = z.infer<typeof CityTimetableSlotSchema>;

export function mapTimetableSlot(t: TimetableSlot): CityTimetableSlot {
  if (!SUBJECT_CODES.has(t.subjectCode))
    throw unmappable('subjectCode', `Môn "${t.subjectCode}" không có trong danh mục`, 'Unknown subject');
  return conform(
    CityTimetableSlotSchema,
    {
      MaTruong: t.schoolCode,
      NamHoc: t.schoolYear,
      MaLop: classCode(t.schoolCode, t.schoolYear, t.className),
      Thu: toWeekday(t.weekday, 'weekday'),
      Buoi: t.session === 'morning' ? 1 : 2,
      Tiet: t.period,
      MaMonHoc: t.subjectCode,
      MaCanBo: t.teacherCode,
      ...(t.room !== undefined ? { Phong: t.room } : {}),
      TuNgay: toDmy(t.validFrom, 'validFrom'),
      ...(t.validTo !== undefined ? { DenNgay: toDmy(t.validTo, 'validTo') } : {}),
    },
    { MaTruong: 'schoolCode', MaCanBo: 'teacherCode', Phong: 'room' },
  );
}
