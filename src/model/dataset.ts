/**
 * Rules across records of one school's data: no two people share a personal ID, no two records
 * share a key, no two students share a student code. Records arrive as a stream, so the checker
 * keeps only compact numeric fingerprints (a few dozen bytes per person), never the records.
 */
import { NumberTable } from './number-table.ts';
import { error, type Problem } from './problem.ts';
import type { CanonicalRecord } from './records.ts';
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

class SchoolState {
  readonly personalIds = new NumberTable();
  /** Fingerprints of record keys and of student codes (told apart by a prefix). */
  readonly seen = new NumberTable();
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
  private readonly schools = new Map<string, SchoolState>();
  /** Students named by a guardianship record (fingerprints of their keys). */
  private readonly guarded = new NumberTable();
  /** Minors with no guardian on their record and no guardianship seen yet. */
  private readonly unguarded = new Map<number, Ref | undefined>();
  private readonly asOf: Date;

  constructor(options: { asOf?: Date } = {}) {
    this.asOf = options.asOf ?? new Date();
  }

  private school(code: string): SchoolState {
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

  /** Problems that only the whole data set shows: minors left without any guardian. */
  finish(): Array<LateProblem<Ref | undefined>> {
    return [...this.unguarded.values()].map((ref) => ({
      ref,
      problem: error(
        'STUDENT_GUARDIAN_MISSING',
        'guardians',
        'Học sinh dưới 18 tuổi phải có ít nhất một cha, mẹ hoặc người giám hộ',
        'A student under 18 must have at least one parent or guardian',
      ),
    }));
  }

  /**
   * Records that a person holds an ID number. The same person may appear more than once (a
   * guardian of two siblings, a teacher who is also a parent); two different names on one number,
   * or one student entered twice under two keys, is a duplicate.
   */
  private claim(
    state: SchoolState,
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
