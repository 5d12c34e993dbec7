/**
 * The vendor's database: a generated district turned into the vendor's records, one table per
 * kind (students, teachers, classes, fee items and fee notices, and on demand the grade books:
 * marks, comments and learning results), with the mutations a school's
 * staff would make between two syncs (a phone number corrected, a student removed, a due date
 * extended). The SOAP simulator serves the same database (people and classes only).
 */
import { type Comment, commentedSemesterResult, semesterAverage } from '../../../src/model/grading.ts';
import type { Class, Receivable, School, SchoolYear, Student, Teacher } from '../../../src/model/records.ts';
import { type DistrictOptions, districtDir, readStream } from '../shared/district.ts';
import { RecordTable, StampClock } from '../shared/table.ts';
import { assessmentRecords, feeRecords, feesDir, gradesDir, learningResultRecords } from './fees-dir.ts';
import {
  stampRecord,
  type VendorClass,
  type VendorComments,
  type VendorFeeItem,
  type VendorFeeNotice,
  type VendorLearningResult,
  type VendorMarks,
  type VendorSchool,
  type VendorStudent,
  type VendorTeacher,
  vendorBookRow,
  vendorClass,
  vendorFeeItem,
  vendorFeeNotice,
  vendorLearningResult,
  vendorSchool,
  vendorStudent,
  vendorTeacher,
  vnDate,
} from './records.ts';

export type VendorKind =
  | 'students'
  | 'teachers'
  | 'classes'
  | 'feeItems'
  | 'feeNotices'
  | 'marks'
  | 'comments'
  | 'learningResults';
export const VENDOR_KINDS: readonly VendorKind[] = [
  'students',
  'teachers',
  'classes',
  'feeItems',
  'feeNotices',
  'marks',
  'comments',
  'learningResults',
];

/** A record made unmappable on purpose, for reference inputs with known errors. */
export interface Corruption {
  kind: VendorKind;
  /** 0-based position in the kind's table. */
  index: number;
  /** Fields to overwrite (`undefined`/null deletes the field). */
  set: Record<string, unknown>;
}

export interface VendorDataOptions extends DistrictOptions {
  corrupt?: Corruption[];
  /** Clock for `ngayCapNhat` of changes (default `Date.now`). */
  now?: () => number;
  /** `ngayCapNhat` of the first loaded record; the others follow a second apart (default 2026-06-15). */
  loadedAt?: number;
  /**
   * Serve the notices of each school's latest billing period (its latest due date: semester II)
   * as unpaid, as the school's books stand while that period's notices are out (default true).
   * The generator writes the year as it ended, with about 92 % of all notices paid; `false`
   * serves its statuses as they are.
   */
  latestNoticesOpen?: boolean;
  /**
   * Keep fee items and notices (default true). Two notices a student add about a second per
   * 20,000 students to the start: `false` for a large district whose fees nobody reads.
   */
  fees?: boolean;
  /**
   * Keep the grade books: the marks and comments of every student, subject and semester, and
   * the learning results of each semester and the year (default false: 29 records a student,
   * generated and loaded for a district whose grades someone reads, as the demo's).
   */
  grades?: boolean;
}

export interface MutationRequest {
  /** For each kind: how many records to change (evenly spread) or which ids; how many to delete. */
  students?: { update?: number | string[]; delete?: number | string[] };
  teachers?: { update?: number | string[]; delete?: number | string[] };
  classes?: { update?: number | string[]; delete?: number | string[] };
  /** Fee items by `feeItemId`; notices by `soPhieu`. */
  feeItems?: { update?: number | string[]; delete?: number | string[] };
  feeNotices?: { update?: number | string[]; delete?: number | string[] };
  /** Grade book rows by `bookRowId`; learning results by `learningResultId`. */
  marks?: { update?: number | string[]; delete?: number | string[] };
  comments?: { update?: number | string[]; delete?: number | string[] };
  learningResults?: { update?: number | string[]; delete?: number | string[] };
}

export type MutationResult = Partial<Record<VendorKind, { updated: string[]; deleted: string[] }>>;

/** The id a table knows a record by. Class names repeat across schools, so classes carry both. */
export const classId = (c: { maTruong: string; namHoc: string; maLop: string }) =>
  `${c.maTruong}/${c.namHoc}/${c.maLop}`;
/** Fee codes repeat across schools and years too. */
export const feeItemId = (f: { maTruong: string; namHoc: string; maKhoanThu: string }) =>
  `${f.maTruong}/${f.namHoc}/${f.maKhoanThu}`;

/** A grade book row: a student's subject in one semester of a school year. */
export const bookRowId = (r: {
  maTruong: string;
  namHoc: string;
  hocKy: number;
  maHocSinh: string;
  maMon: string;
}) => `${r.maTruong}/${r.namHoc}/${r.hocKy}/${r.maHocSinh}/${r.maMon}`;
/** A learning result: a student's semester (HK1, HK2) or year (CN). */
export const learningResultId = (r: { maTruong: string; namHoc: string; ky: string; maHocSinh: string }) =>
  `${r.maTruong}/${r.namHoc}/${r.ky}/${r.maHocSinh}`;

const DAY_MS = 86_400_000;

function pick(ids: string[], n: number, phase: number, taken: Set<string>): string[] {
  const out: string[] = [];
  if (n <= 0 || ids.length === 0) return out;
  for (let k = 0; k < n && k < ids.length; k++) {
    let i = Math.floor(((k + phase) * ids.length) / n) % ids.length;
    while (taken.has(ids[i]!)) i = (i + 1) % ids.length;
    taken.add(ids[i]!);
    out.push(ids[i]!);
  }
  return out;
}

export class VendorData {
  readonly clock: StampClock;
  readonly schools: VendorSchool[] = [];
  readonly students = new RecordTable<VendorStudent>(stampRecord);
  readonly teachers = new RecordTable<VendorTeacher>(stampRecord);
  readonly classes = new RecordTable<VendorClass>(stampRecord);
  /** Khoản thu, by `feeItemId`. */
  readonly feeItems = new RecordTable<VendorFeeItem>(stampRecord);
  /** Phiếu báo thu, by `soPhieu`. */
  readonly feeNotices = new RecordTable<VendorFeeNotice>(stampRecord);
  /** Sổ điểm (scored subjects) and sổ nhận xét (commented ones), by `bookRowId`. */
  readonly marks = new RecordTable<VendorMarks>(stampRecord);
  readonly comments = new RecordTable<VendorComments>(stampRecord);
  /** Kết quả học tập, by `learningResultId`. */
  readonly learningResults = new RecordTable<VendorLearningResult>(stampRecord);
  private changes = 0;

  private constructor(now: () => number) {
    this.clock = new StampClock(now);
  }

  table(
    kind: VendorKind,
  ):
    | RecordTable<VendorStudent>
    | RecordTable<VendorTeacher>
    | RecordTable<VendorClass>
    | RecordTable<VendorFeeItem>
    | RecordTable<VendorFeeNotice>
    | RecordTable<VendorMarks>
    | RecordTable<VendorComments>
    | RecordTable<VendorLearningResult> {
    return this[kind];
  }

  /** Loads (generating first if need be) a district. 100,000 students take a few seconds. */
  static async load(options: VendorDataOptions = {}): Promise<VendorData> {
    const dir = await districtDir(options);
    const data = new VendorData(options.now ?? Date.now);
    let stamp = options.loadedAt ?? Date.parse('2026-06-15T00:00:00Z');
    const next = () => {
      stamp += 1000;
      data.clock.observe(stamp);
      return stamp;
    };
    const corrupt = new Map<string, Record<string, unknown>>();
    for (const c of options.corrupt ?? []) corrupt.set(`${c.kind}#${c.index}`, c.set);
    const apply = <T extends object>(kind: VendorKind, index: number, record: T): T => {
      const set = corrupt.get(`${kind}#${index}`);
      if (set) {
        for (const [k, v] of Object.entries(set)) {
          if (v === undefined || v === null) delete (record as Record<string, unknown>)[k];
          else (record as Record<string, unknown>)[k] = v;
        }
      }
      return record;
    };

    for await (const s of readStream<School>(dir, 'schools')) data.schools.push(vendorSchool(s));
    const yearStart = new Map<string, string>();
    for await (const y of readStream<SchoolYear | { type: string }>(dir, 'school-years')) {
      if (y.type === 'schoolYear') {
        const sy = y as SchoolYear;
        yearStart.set(`${sy.schoolCode}/${sy.schoolYear}`, sy.startDate);
      }
    }
    let i = 0;
    for await (const c of readStream<Class>(dir, 'classes')) {
      const v = apply('classes', i++, vendorClass(c));
      data.classes.add(classId(v), v, next(), v.maTruong);
    }
    i = 0;
    for await (const t of readStream<Teacher>(dir, 'teachers')) {
      const v = apply('teachers', i++, vendorTeacher(t));
      data.teachers.add(v.maGiaoVien, v, next(), v.maTruong);
    }
    i = 0;
    for await (const s of readStream<Student>(dir, 'students')) {
      const v = apply('students', i++, vendorStudent(s, yearStart.get(`${s.schoolCode}/${s.schoolYear}`)));
      data.students.add(v.maHocSinh, v, next(), v.maTruong);
    }
    if (options.fees ?? true) await data.loadFees(dir, next, apply, options.latestNoticesOpen ?? true);
    if (options.grades ?? false) await data.loadGrades(dir, next, apply);
    return data;
  }

  /** The grade books, after everything else so that no earlier record's update time moves. */
  private async loadGrades(
    dir: string,
    next: () => number,
    apply: <T extends object>(kind: VendorKind, index: number, record: T) => T,
  ): Promise<void> {
    const grades = await gradesDir(dir);
    if (!grades) return;
    let marks = 0;
    let comments = 0;
    for await (const batch of assessmentRecords(grades)) {
      for (const a of batch) {
        const row = vendorBookRow(a);
        if ('diemTX' in row) {
          const v = apply('marks', marks++, row);
          this.marks.add(bookRowId(v), v, next(), v.maTruong);
        } else {
          const v = apply('comments', comments++, row);
          this.comments.add(bookRowId(v), v, next(), v.maTruong);
        }
      }
    }
    let results = 0;
    for await (const batch of learningResultRecords(grades)) {
      for (const r of batch) {
        const v = apply('learningResults', results++, vendorLearningResult(r));
        this.learningResults.add(learningResultId(v), v, next(), v.maTruong);
      }
    }
  }

  /**
   * Fee items and notices, after the people so their update times do not move. The generator
   * writes a school's fee items, then its notices; a school's notices are held until the next
   * school starts, to know its latest due date.
   */
  private async loadFees(
    dir: string,
    next: () => number,
    apply: <T extends object>(kind: VendorKind, index: number, record: T) => T,
    latestOpen: boolean,
  ): Promise<void> {
    const fees = await feesDir(dir);
    if (!fees) return;
    let items = 0;
    let notices = 0;
    let names = new Map<string, string>();
    let school = '';
    let pending: Receivable[] = [];
    const flush = () => {
      const latest = pending
        .map((r) => r.dueDate)
        .sort()
        .at(-1);
      for (const r of pending) {
        const status = latestOpen && r.dueDate === latest && r.status === 'paid' ? 'open' : r.status;
        const v = apply('feeNotices', notices++, vendorFeeNotice(r, names, status));
        this.feeNotices.add(v.soPhieu, v, next(), v.maTruong);
      }
      pending = [];
    };
    for await (const batch of feeRecords(fees)) {
      for (const f of batch) {
        if (f.schoolCode !== school) {
          flush();
          school = f.schoolCode;
          names = new Map();
        }
        if (f.type === 'feeItem') {
          names.set(f.feeCode, f.name);
          const v = apply('feeItems', items++, vendorFeeItem(f));
          this.feeItems.add(feeItemId(v), v, next(), v.maTruong);
        } else {
          pending.push(f);
        }
      }
    }
    flush();
  }

  /**
   * Changes and deletes records as school staff would between two syncs: a changed record gets a
   * new value (see `change`) and a new `ngayCapNhat`; a deleted one becomes a tombstone.
   * Deterministic for the same data and request.
   */
  mutate(request: MutationRequest): MutationResult {
    const result: MutationResult = {};
    for (const kind of VENDOR_KINDS) {
      const r = request[kind];
      if (!r) continue;
      const table = this.table(kind) as RecordTable<object>;
      const live = table.idList();
      const taken = new Set<string>();
      const updated = Array.isArray(r.update) ? r.update : pick(live, r.update ?? 0, 0.25, taken);
      for (const id of updated) taken.add(id);
      const deleted = Array.isArray(r.delete) ? r.delete : pick(live, r.delete ?? 0, 0.75, taken);
      for (const id of updated) table.update(id, (record) => this.change(kind, record), this.clock.next());
      for (const id of deleted) table.remove(id, this.clock.next());
      result[kind] = { updated, deleted };
    }
    return result;
  }

  /**
   * What staff change: a phone number (a student's first guardian's, a teacher's); a class's
   * sessions a day; a fee item's amount (1,000 đ more); a notice's due date (extended by 15
   * days, gia hạn); a regular mark corrected by half a point and a regular comment turned over,
   * with the semester's ĐTBmhk or result recomputed as the school's software does; a learning
   * result's conduct.
   */
  private change(kind: VendorKind, record: object): void {
    const phone = `09${String(10_000_000 + ((this.changes++ * 7_919) % 89_999_999)).slice(-8)}`;
    switch (kind) {
      case 'students': {
        const s = record as VendorStudent;
        if (s.phuHuynh[0]) s.phuHuynh[0].dienThoai = phone;
        break;
      }
      case 'teachers':
        (record as VendorTeacher).dienThoai = phone;
        break;
      case 'classes': {
        const c = record as VendorClass;
        c.soBuoiHoc = c.soBuoiHoc === 2 ? 1 : 2;
        break;
      }
      case 'feeItems':
        (record as VendorFeeItem).soTien += 1_000;
        break;
      case 'feeNotices': {
        const n = record as VendorFeeNotice;
        const [dd, mm, yyyy] = n.hanNop.split('/');
        n.hanNop = vnDate(new Date(Date.parse(`${yyyy}-${mm}-${dd}T00:00:00Z`) + 15 * DAY_MS).toISOString());
        break;
      }
      case 'marks': {
        const m = record as VendorMarks;
        const last = m.diemTX.length - 1;
        if (last >= 0) m.diemTX[last] = m.diemTX[last]! >= 10 ? 9.5 : m.diemTX[last]! + 0.5;
        if (m.diemGK !== undefined && m.diemCK !== undefined)
          m.diemTBHK = semesterAverage(m.diemTX, m.diemGK, m.diemCK);
        break;
      }
      case 'comments': {
        const c = record as VendorComments;
        const last = c.nhanXetTX.length - 1;
        if (last >= 0) c.nhanXetTX[last] = c.nhanXetTX[last] === 'Đ' ? 'CĐ' : 'Đ';
        if (c.nhanXetGK !== undefined && c.nhanXetCK !== undefined) {
          const all = [...c.nhanXetTX, c.nhanXetGK, c.nhanXetCK] as Comment[];
          c.ketQua = commentedSemesterResult(all, all.length);
        }
        break;
      }
      case 'learningResults': {
        const r = record as VendorLearningResult;
        r.renLuyen = r.renLuyen === 'Tốt' ? 'Khá' : 'Tốt';
        break;
      }
    }
  }
}
