/**
 * Rules across records of one school's data: no two people share a personal ID, no two records
 * share a key, no two students share a student code, no student code is short of the zeros Excel
 * drops. Records arrive as a stream, so the checker keeps only compact numeric fingerprints (a few
 * dozen bytes per person), never the records; and for the codes, a count per length and the
 * caller's references to at most 50 records per length.
 */
import type { z } from 'zod';
import { NumberTable } from './number-table.ts';
import { error, type Problem, warning } from './problem.ts';
import {
  type CanonicalRecord,
  GuardianshipSchema,
  PersonSchema,
  type RecordType,
  StudentSchema,
  TeacherSchema,
} from './records.ts';
import { ageOn } from './rules.ts';

/** FNV-1a over UTF-16 code units, 32 bits. */
function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A 53-bit fingerprint (two independent 32-bit hashes), so collisions among millions are negligible. */
function fingerprint(text: string): number {
  return (fnv1a(text) & 0x1fffff) * 0x100000000 + fnv1a(text, 0x9747b28c);
}

type Role = 'student' | 'teacher' | 'person' | 'guardian';
const ROLES: readonly Role[] = ['student', 'teacher', 'person', 'guardian'];
const ROLE_VI: Record<Role, string> = {
  student: 'học sinh',
  teacher: 'giáo viên',
  person: 'người',
  guardian: 'người giám hộ',
};

/**
 * Who holds an ID number, packed into one number: the name's 32-bit hash, the role (2 bits), and
 * 19 bits of the record key's fingerprint (0 for guardians, who may repeat across siblings).
 */
interface Holder {
  nameHash: number;
  role: Role;
  keyBits: number;
}
const KEY_BITS = 2 ** 19;
const pack = (h: Holder) => h.nameHash * 2 ** 21 + ROLES.indexOf(h.role) * KEY_BITS + h.keyBits;
function unpack(value: number): Holder {
  const low = value % 2 ** 21;
  return {
    nameHash: Math.floor(value / 2 ** 21),
    role: ROLES[Math.floor(low / KEY_BITS)]!,
    keyBits: low % KEY_BITS,
  };
}

/** Student codes made of digits, of one length: how many, how many start with 0, a few others. */
interface CodeLength<Ref> {
  count: number;
  zeroLed: number;
  /** The first records whose code does not start with 0 (those a lost zero may have shortened). */
  others: Array<Ref | undefined>;
}

/** Records of a code length kept to be told about a lost zero: more is another code scheme. */
const SHORT_CODES_KEPT = 50;

class SchoolState<Ref> {
  readonly personalIds = new NumberTable();
  /** Fingerprints of record keys and of student codes (told apart by a prefix). */
  readonly seen = new NumberTable();
  /** Digit-only student codes by length (at most 20 lengths). */
  readonly codeLengths = new Map<number, CodeLength<Ref>>();
}

const ADULT_AGE = 18;

/** A problem found only at the end, on a record checked earlier, with the caller's reference to it. */
export interface LateProblem<Ref> {
  ref: Ref;
  problem: Problem;
}

/**
 * Rules across the records of a data set, fed one record at a time. `Ref` is whatever the caller
 * uses to find a record again (file and line); it comes back with the problems that can only be
 * known at the end, from `finish()`.
 */
export class DatasetChecker<Ref = undefined> {
  private readonly schools = new Map<string, SchoolState<Ref>>();
  /** Students named by a guardianship record (fingerprints of their keys). */
  private readonly guarded = new NumberTable();
  /** Minors with no guardian on their record and no guardianship seen yet. */
  private readonly unguarded = new Map<number, Ref | undefined>();
  private readonly asOf: Date;

  constructor(options: { asOf?: Date } = {}) {
    this.asOf = options.asOf ?? new Date();
  }

  private school(code: string): SchoolState<Ref> {
    let state = this.schools.get(code);
    if (!state) {
      state = new SchoolState();
      this.schools.set(code, state);
    }
    return state;
  }

  /** Checks one record, as checkRecord returned it (normalised, valid), against those seen before it. */
  check(record: CanonicalRecord, ref?: Ref): Problem[] {
    const state = this.school(record.schoolCode);
    const problems: Problem[] = [];
    const keyHash = fingerprint(`${record.type}\u0000${record.key}`);
    if (state.seen.has(keyHash)) {
      problems.push(
        error(
          'RECORD_KEY_DUPLICATE',
          'key',
          `Khóa bản ghi ${record.key} đã xuất hiện trước đó`,
          `Record key ${record.key} appeared before`,
        ),
      );
    }
    state.seen.set(keyHash, 1);
    if (record.type === 'student') {
      const codeHash = fingerprint(`studentCode\u0000${record.studentCode}`);
      if (state.seen.has(codeHash)) {
        problems.push(
          error(
            'STUDENT_CODE_DUPLICATE',
            'studentCode',
            `Mã học sinh ${record.studentCode} đã có ở học sinh khác`,
            `Student code ${record.studentCode} belongs to another student already`,
          ),
        );
      }
      state.seen.set(codeHash, 1);
      this.countCode(state, record.studentCode, ref);
      // A minor's guardians may come inline or as guardianship records, before or after the student.
      if (record.guardians.length === 0 && ageOn(record.birthDate, this.asOf) < ADULT_AGE) {
        const studentHash = fingerprint(`student\u0000${record.key}`);
        if (!this.guarded.has(studentHash)) this.unguarded.set(studentHash, ref);
      }
      problems.push(
        ...this.claim(state, record.personalId, record.fullName, keyHash, 'student', 'personalId'),
      );
      record.guardians.forEach((g, i) => {
        problems.push(
          ...this.claim(state, g.personalId, g.fullName, 0, 'guardian', `guardians.${i}.personalId`),
        );
      });
    } else if (record.type === 'guardianship') {
      const studentHash = fingerprint(`student\u0000${record.studentKey}`);
      this.guarded.set(studentHash, 1);
      this.unguarded.delete(studentHash);
    } else if (record.type === 'teacher' || record.type === 'person') {
      problems.push(
        ...this.claim(state, record.personalId, record.fullName, keyHash, record.type, 'personalId'),
      );
    }
    return problems;
  }

  /** Problems that only the whole data set shows: minors left without any guardian, codes short of zeros. */
  finish(): Array<LateProblem<Ref | undefined>> {
    const late: Array<LateProblem<Ref | undefined>> = [...this.unguarded.values()].map((ref) => ({
      ref,
      problem: error(
        'STUDENT_GUARDIAN_MISSING',
        'guardians',
        'Học sinh dưới 18 tuổi phải có ít nhất một cha, mẹ hoặc người giám hộ',
        'A student under 18 must have at least one parent or guardian',
      ),
    }));
    for (const state of this.schools.values()) late.push(...shortCodes(state.codeLengths));
    return late;
  }

  private countCode(state: SchoolState<Ref>, code: string, ref: Ref | undefined): void {
    if (!/^\d{4,20}$/.test(code)) return;
    let entry = state.codeLengths.get(code.length);
    if (!entry) {
      entry = { count: 0, zeroLed: 0, others: [] };
      state.codeLengths.set(code.length, entry);
    }
    entry.count++;
    if (code.startsWith('0')) entry.zeroLed++;
    else if (entry.others.length < SHORT_CODES_KEPT) entry.others.push(ref);
  }

  /**
   * Records that a person holds an ID number. The same person may appear more than once (a
   * guardian of two siblings, a teacher who is also a parent); two different names on one number,
   * or one student entered twice under two keys, is a duplicate.
   */
  private claim(
    state: SchoolState<Ref>,
    personalId: string | undefined,
    fullName: string,
    keyHash: number,
    role: Role,
    field: string,
  ): Problem[] {
    if (!personalId || !/^\d{12}$/.test(personalId)) return [];
    const id = Number(personalId);
    // Records reach here after checkRecord, with names already NFC and single-spaced: lower case
    // is all nameMatchKey would still do.
    const nameHash = fnv1a(fullName.toLowerCase());
    const keyBits = keyHash % KEY_BITS;
    const packed = state.personalIds.get(id);
    if (packed === undefined) {
      state.personalIds.set(id, pack({ nameHash, role, keyBits }));
      return [];
    }
    const holder = unpack(packed);
    const samePerson = holder.nameHash === nameHash;
    const twiceInSameRole =
      samePerson && holder.role === role && role !== 'guardian' && holder.keyBits !== keyBits;
    if (samePerson && !twiceInSameRole) return [];
    return [
      error(
        'PERSONAL_ID_DUPLICATE',
        field,
        samePerson
          ? `Cùng một ${ROLE_VI[role]} xuất hiện hai lần với hai mã khác nhau (trùng số định danh)`
          : `Số định danh đã thuộc về ${ROLE_VI[holder.role]} khác trong dữ liệu của trường`,
        samePerson
          ? `The same ${role} appears twice under two keys (same personal ID)`
          : `The personal ID already belongs to another ${holder.role} in this school's data`,
      ),
    ];
  }
}

/**
 * Student codes one or two digits shorter than the school's usual length (the most common length
 * of its digit-only codes, held by at least 5 codes and half of them), when codes of that length
 * start with 0: what Excel leaves of a code typed into a General column. Said as a warning,
 * never restored: a student code is the school's own (its structure is not known), and the record's
 * key is made from it.
 */
function shortCodes<Ref>(lengths: ReadonlyMap<number, CodeLength<Ref>>): Array<LateProblem<Ref | undefined>> {
  let total = 0;
  let usual: [number, CodeLength<Ref>] | undefined;
  for (const entry of lengths) {
    total += entry[1].count;
    if (!usual || entry[1].count > usual[1].count) usual = entry;
  }
  if (!usual) return [];
  const [length, { count, zeroLed }] = usual;
  if (count < 5 || count < total / 2 || zeroLed === 0) return [];
  const late: Array<LateProblem<Ref | undefined>> = [];
  for (const lost of [1, 2]) {
    for (const ref of lengths.get(length - lost)?.others ?? []) {
      late.push({
        ref,
        problem: warning(
          'STUDENT_CODE_LEADING_ZERO',
          'studentCode',
          `Mã học sinh có ${length - lost} chữ số, các mã khác của trường có ${length} và có mã bắt đầu bằng 0: có thể Excel đã bỏ ${lost === 1 ? 'số 0' : 'hai số 0'} đầu; đối chiếu mã và sửa — trong Excel, định dạng cột là Text (Văn bản) trước khi nhập hoặc dán`,
          `The student code has ${length - lost} digits where the school's others have ${length}, some starting with 0: Excel may have dropped ${lost === 1 ? 'a leading zero' : 'two leading zeros'}; check the code and fix it — in Excel, format the column as Text before typing or pasting`,
        ),
      });
    }
  }
  return late;
}

const person = { type: true, key: true, schoolCode: true, personalId: true, fullName: true } as const;
/** The fields `DatasetChecker.check` reads, per record type that has any beyond the key. */
const VIEWS: Partial<Record<RecordType, z.ZodType>> = {
  student: StudentSchema.pick({
    ...person,
    studentCode: true,
    birthDate: true,
    guardians: true,
  }),
  teacher: TeacherSchema.pick(person),
  person: PersonSchema.pick(person),
  guardianship: GuardianshipSchema.pick({ type: true, key: true, schoolCode: true, studentKey: true }),
};

/**
 * What `DatasetChecker.check` needs of a record the rules passed before with no problem at all,
 * parsed from the source's record by the record schema's own fields (so trimmed and typed exactly
 * as `checkRecord` would give them) without the rules: a scan that skips an unchanged record still
 * lets the dataset rules see it, so a new record sharing its ID or code is still caught. A clean
 * record's rules changed nothing the checker reads (a name or ID they would have changed comes
 * with a warning, and the record would not be clean). Undefined when the parse fails.
 */
export function datasetView(item: unknown): CanonicalRecord | undefined {
  const type = (item as { type?: unknown } | null)?.type as RecordType | undefined;
  const schema = type ? VIEWS[type] : undefined;
  if (!schema) {
    const { key, schoolCode } = item as { key?: unknown; schoolCode?: unknown };
    return typeof key === 'string' && typeof schoolCode === 'string'
      ? ({ type, key, schoolCode } as CanonicalRecord)
      : undefined;
  }
  const parsed = schema.safeParse(item);
  return parsed.success ? (parsed.data as CanonicalRecord) : undefined;
}
