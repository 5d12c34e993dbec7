/** The files the generator writes, one JSONL stream of canonical records each. */
export const RECORD_STREAMS = [
  'schools',
  'school-years',
  'subjects',
  'classes',
  'teachers',
  'students',
  'enrollments',
  'assessments',
  'learning-results',
  'timetable',
  'fees',
  'payments',
  'invoices',
] as const;

export type RecordStreamName = (typeof RECORD_STREAMS)[number];

/** `students` → `students.jsonl`. */
export const streamFile = (stream: RecordStreamName): string => `${stream}.jsonl`;

export const DEFECTS_FILE = 'defects.json';
export const MANIFEST_FILE = 'manifest.json';
