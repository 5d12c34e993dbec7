/**
 * Code lists as spreadsheets spell them: subjects by name ("Toán", "Tiếng Anh", "LS&ĐL"), ethnic
 * groups by name or code ("Kinh", "01", 1), student and staff statuses by their Vietnamese label.
 * Labels are compared folded and without spaces, so "Khơ-me", "Khơ me" and "KHƠME" are one.
 */

import type { Teacher } from '../../src/model/index.ts';
import { ETHNICITY_CODES, STUDENT_STATUSES, SUBJECT_CODES, subjectFor } from '../../src/model/index.ts';
import { fold, genderCode } from '../../src/sdk/index.ts';

const key = (text: string) => fold(text).replace(/ /g, '');

/**
 * Remembers a lookup by the cell's exact text: a column holds a handful of distinct labels ("Nam",
 * "Kinh", "Đang học") repeated on every row. Bounded, in case a column holds free text.
 */
export function memo<T>(lookup: (text: string) => T, max = 4096): (text: string) => T {
  const cache = new Map<string, T>();
  return (text) => {
    const hit = cache.get(text);
    if (hit !== undefined || cache.has(text)) return hit as T;
    const value = lookup(text);
    if (cache.size < max) cache.set(text, value);
    return value;
  };
}

function lookup<T extends string>(entries: Iterable<readonly [T, readonly string[]]>): Map<string, T> {
  const map = new Map<string, T>();
  for (const [code, names] of entries) {
    for (const name of names) {
      const k = key(name);
      if (k && !map.has(k)) map.set(k, code);
    }
  }
  return map;
}

/** Names schools use for the 2018 curriculum's subjects, beyond the code list's own names. */
const SUBJECT_NAMES: Record<string, readonly string[]> = {
  NV: ['Ngữ văn', 'Văn', 'Tiếng Việt'],
  TOAN: ['Toán', 'Toán học'],
  NN1: ['Ngoại ngữ 1', 'Ngoại ngữ', 'Tiếng Anh', 'Anh văn', 'Anh', 'NN'],
  NN2: ['Ngoại ngữ 2'],
  GDCD: ['Giáo dục công dân', 'GDCD', 'Công dân'],
  LSDL: [
    'Lịch sử và Địa lí',
    'Lịch sử và Địa lý',
    'Lịch sử - Địa lí',
    'Lịch sử & Địa lí',
    'LS&ĐL',
    'LSĐL',
    'Sử - Địa',
  ],
  KHTN: ['Khoa học tự nhiên', 'KHTN'],
  CN: ['Công nghệ'],
  TIN: ['Tin học', 'Tin'],
  GDTC: ['Giáo dục thể chất', 'Thể dục', 'GDTC', 'TD'],
  AN: ['Âm nhạc', 'Nhạc'],
  MT: ['Mĩ thuật', 'Mỹ thuật'],
  HDTN: [
    'Hoạt động trải nghiệm, hướng nghiệp',
    'Hoạt động trải nghiệm hướng nghiệp',
    'Hoạt động trải nghiệm',
    'HĐTN',
    'HĐTN-HN',
    'HĐTNHN',
    // The flag salute and the class meeting are the homeroom teacher's HĐTN periods.
    'Chào cờ',
    'Sinh hoạt lớp',
    'SHL',
    'SH lớp',
  ],
  GDDP: ['Nội dung giáo dục địa phương', 'Giáo dục địa phương', 'GDĐP', 'GD địa phương'],
  TDT: ['Tiếng dân tộc thiểu số', 'Tiếng dân tộc'],
  LS: ['Lịch sử', 'Sử'],
  DL: ['Địa lí', 'Địa lý', 'Địa'],
  GDKTPL: ['Giáo dục kinh tế và pháp luật', 'GDKT&PL', 'GDKTPL'],
  GDQPAN: ['Giáo dục quốc phòng và an ninh', 'GDQP-AN', 'GDQPAN', 'Quốc phòng'],
  VL: ['Vật lí', 'Vật lý', 'Lý'],
  HH: ['Hóa học', 'Hoá học', 'Hóa'],
  SH: ['Sinh học', 'Sinh'],
};

/**
 * Each subject of the curriculum with the names schools write for it (the curriculum's name first,
 * then the other spellings, then the code): the column headers of a learning-result sheet.
 */
export function subjectAliases(): Array<[code: string, names: readonly string[]]> {
  return [...SUBJECT_CODES].map((code) => [code, [...new Set([...(SUBJECT_NAMES[code] ?? []), code])]]);
}

/** Subject names and codes (a profile may add its own names) → subject code. */
export class SubjectNames {
  private readonly map: Map<string, string>;

  constructor(extra: Readonly<Record<string, readonly string[]>> = {}) {
    this.map = lookup<string>([
      ...Object.entries(extra),
      ...[...SUBJECT_CODES].map((code) => [code, [code]] as const),
      ...Object.entries(SUBJECT_NAMES),
    ]);
  }

  /** The code of a subject named in a cell, a sheet name or a title, or undefined. */
  readonly find = memo((text: string): string | undefined => this.map.get(key(text)));
}

/** How a subject is assessed in a grade (Circular 22), when the curriculum knows it there. */
export function evaluationOf(subjectCode: string, grade: number | null): 'scored' | 'commented' | undefined {
  if (grade === null) return undefined;
  return subjectFor(subjectCode, grade)?.evaluation;
}

const ETHNICITY_NAMES = lookup<string>([
  ...[...ETHNICITY_CODES.values()].map((e) => [e.code, [e.name]] as const),
  ['05', ['Khmer', 'Khơ Me', 'Khơme']],
  ['08', ['Mông', "H'Mông", 'HMông', 'Mèo']],
  ['04', ['Hoa (Hán)', 'Hán']],
  ['12', ['Êđê', 'Ê Đê']],
  ['55', ['Nước ngoài']],
]);

const ethnicityOfText = memo((text: string): string | undefined => {
  if (/^\d{1,2}$/.test(text)) {
    const code = text.padStart(2, '0');
    return ETHNICITY_CODES.has(code) ? code : undefined;
  }
  return ETHNICITY_NAMES.get(key(text));
});

/** An ethnicity code from a name ("Kinh"), a code ("01") or a number (1), or undefined. */
export function ethnicityCodeOf(value: string | number): string | undefined {
  return ethnicityOfText(String(value).trim());
}

const STUDENT_STATUS_NAMES = lookup<string>([
  ...[...STUDENT_STATUSES.values()].map((s) => [s.code, [s.name, s.code, s.nameEn ?? s.code]] as const),
  ['readmitted', ['Xin học lại', 'Học lại']],
  ['graduated', ['Tốt nghiệp']],
]);

/** A student status code from its label ("Đang học") or code ("studying"), or undefined. */
export const studentStatusOf = memo((text: string): string | undefined =>
  STUDENT_STATUS_NAMES.get(key(text)),
);

/** The labels people may write, for messages. */
export const STUDENT_STATUS_LABELS = [...STUDENT_STATUSES.values()].map((s) => s.name);

const TEACHER_STATUS_NAMES = lookup<Teacher['status']>([
  ['working', ['Đang làm việc', 'Đang công tác', 'Đang làm', 'Đương nhiệm', 'Đang dạy', 'working']],
  ['on_leave', ['Tạm nghỉ', 'Nghỉ phép', 'Nghỉ thai sản', 'Nghỉ ốm', 'Nghỉ không lương', 'on_leave']],
  ['retired', ['Nghỉ hưu', 'Đã nghỉ hưu', 'retired']],
  ['transferred', ['Chuyển công tác', 'Chuyển đi', 'Điều động', 'Luân chuyển', 'transferred']],
  ['left', ['Thôi việc', 'Nghỉ việc', 'Đã nghỉ việc', 'left']],
]);

/** A staff status from its label ("Đang làm việc"), or undefined. */
export const teacherStatusOf = memo((text: string): Teacher['status'] | undefined =>
  TEACHER_STATUS_NAMES.get(key(text)),
);

export const TEACHER_STATUS_LABELS = [
  'Đang làm việc',
  'Tạm nghỉ',
  'Nghỉ hưu',
  'Chuyển công tác',
  'Thôi việc',
];

/** Gender from "Nam"/"Nữ" (and the SDK's other spellings), or undefined. */
export const genderOf = memo((text: string): 'male' | 'female' | undefined => {
  try {
    return genderCode(text);
  } catch {
    return undefined;
  }
});
