/**
 * City Education DB mapping, version 1: canonical record → `{ kind, record }`, where `kind` names
 * the city's record type and `record` is its body in the city's field names. A change of the
 * city's format is a new folder (`v2/`), never an edit here.
 *
 * @example
 * const mapped = mapToCityEduDb(student); // { stream: 'students', kind: 'HocSinh', record: { MaHocSinh, HoTen, … } }
 */
import type { z } from 'zod';
import type { CanonicalRecord } from '../../../src/model/index.ts';
import {
  CityAssessmentSchema,
  CityLearningResultSchema,
  mapAssessment,
  mapLearningResult,
} from './assessments.ts';
import { CityClassSchema, mapClass } from './classes.ts';
import { CityEnrollmentSchema, mapEnrollment } from './enrollments.ts';
import { CityStudentSchema, mapStudent } from './students.ts';
import { CityTeacherSchema, mapTeacher } from './teachers.ts';
import { CityTimetableSlotSchema, mapTimetableSlot } from './timetable.ts';

export {
  CityAssessmentSchema,
  CityLearningResultSchema,
  mapAssessment,
  mapLearningResult,
} from './assessments.ts';
export { CityClassSchema, mapClass } from './classes.ts';
export { classCode, conform, toDmy } from './common.ts';
export { CityEnrollmentSchema, mapEnrollment } from './enrollments.ts';
export { CityStudentSchema, mapStudent } from './students.ts';
export { CityTeacherSchema, mapTeacher } from './teachers.ts';
export { CityTimetableSlotSchema, mapTimetableSlot } from './timetable.ts';

export const CITY_EDUDB_MAPPING_VERSION = 'v1';

/** The city's record types and their schemas (what the city accepts, as we model it). */
export const CITY_RECORD_SCHEMAS = {
  HocSinh: CityStudentSchema,
  GiaoVien: CityTeacherSchema,
  LopHoc: CityClassSchema,
  GhiDanh: CityEnrollmentSchema,
  DiemMonHoc: CityAssessmentSchema,
  KetQuaHocTap: CityLearningResultSchema,
  ThoiKhoaBieu: CityTimetableSlotSchema,
} as const satisfies Record<string, z.ZodType>;
export type CityRecordKind = keyof typeof CITY_RECORD_SCHEMAS;

/** The streams the city takes, the batch operation of each, and the record kinds it carries. */
export const CITY_STREAMS = {
  students: { operation: 'hocsinh', kinds: ['HocSinh'] },
  teachers: { operation: 'giaovien', kinds: ['GiaoVien'] },
  classes: { operation: 'lophoc', kinds: ['LopHoc'] },
  enrollments: { operation: 'ghidanh', kinds: ['GhiDanh'] },
  assessments: { operation: 'ketquahoctap', kinds: ['DiemMonHoc', 'KetQuaHocTap'] },
  timetable: { operation: 'thoikhoabieu', kinds: ['ThoiKhoaBieu'] },
} as const satisfies Record<string, { operation: string; kinds: readonly CityRecordKind[] }>;
export type CityStream = keyof typeof CITY_STREAMS;

/**
 * Master data: created only in the city DB (domain README §0). The city refuses such a record
 * whose code it does not know, and never deletes one (Circular 42/2021 Art. 10: IDs are immutable).
 */
export const MASTER_KINDS: ReadonlySet<CityRecordKind> = new Set(['HocSinh', 'GiaoVien', 'LopHoc']);

export interface CityMappedRecord {
  stream: CityStream;
  kind: CityRecordKind;
  record: Record<string, unknown>;
}

/**
 * Maps one canonical record, or undefined when the city takes no such record (schools, subjects,
 * guardianships, fees …). Throws a RecordError naming the canonical field when it cannot map.
 */
export function mapToCityEduDb(record: CanonicalRecord): CityMappedRecord | undefined {
  switch (record.type) {
    case 'student':
      return { stream: 'students', kind: 'HocSinh', record: mapStudent(record) };
    case 'teacher':
      return { stream: 'teachers', kind: 'GiaoVien', record: mapTeacher(record) };
    case 'class':
      return { stream: 'classes', kind: 'LopHoc', record: mapClass(record) };
    case 'enrollment':
      return { stream: 'enrollments', kind: 'GhiDanh', record: mapEnrollment(record) };
    case 'assessment':
      return { stream: 'assessments', kind: 'DiemMonHoc', record: mapAssessment(record) };
    case 'learningResult':
      return { stream: 'assessments', kind: 'KetQuaHocTap', record: mapLearningResult(record) };
    case 'timetableSlot':
      return { stream: 'timetable', kind: 'ThoiKhoaBieu', record: mapTimetableSlot(record) };
    default:
      return undefined;
  }
}
