/**
 * The vendor's database: a generated district turned into the vendor's records, one table per
 * kind, with the mutations a school's staff would make between two syncs (a phone number
 * corrected, a student removed). The SOAP simulator serves the same database.
 */
import type { Class, School, SchoolYear, Student, Teacher } from '../../../src/model/records.ts';
import { type DistrictOptions, districtDir, readStream } from '../shared/district.ts';
import { RecordTable, StampClock } from '../shared/table.ts';
import {
  stampRecord,
  type VendorClass,
  type VendorSchool,
  type VendorStudent,
  type VendorTeacher,
  vendorClass,
  vendorSchool,
  vendorStudent,
  vendorTeacher,
} from './records.ts';

export type VendorKind = 'students' | 'teachers' | 'classes';
export const VENDOR_KINDS: readonly VendorKind[] = ['students', 'teachers', 'classes'];

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
}

export interface MutationRequest {
  /** For each kind: how many records to change (evenly spread) or which ids; how many to delete. */
  students?: { update?: number | string[]; delete?: number | string[] };
  teachers?: { update?: number | string[]; delete?: number | string[] };
  classes?: { update?: number | string[]; delete?: number | string[] };
}

export type MutationResult = Partial<Record<VendorKind, { updated: string[]; deleted: string[] }>>;

/** The id a table knows a record by. Class names repeat across schools, so classes carry both. */
export const classId = (c: { maTruong: string; namHoc: string; maLop: string }) =>
  `${c.maTruong}/${c.namHoc}/${c.maLop}`;

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
  private changes = 0;

  private constructor(now: () => number) {
    this.clock = new StampClock(now);
  }

  table(
    kind: VendorKind,
  ): RecordTable<VendorStudent> | RecordTable<VendorTeacher> | RecordTable<VendorClass> {
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
    return data;
  }

  /**
   * Changes and deletes records as school staff would between two syncs: a changed record gets a
   * new phone number (students: the first guardian's) and a new `ngayCapNhat`; a deleted one
   * becomes a tombstone. Deterministic for the same data and request.
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

  private change(kind: VendorKind, record: object): void {
    const phone = `09${String(10_000_000 + ((this.changes++ * 7_919) % 89_999_999)).slice(-8)}`;
    if (kind === 'students') {
      const s = record as VendorStudent;
      if (s.phuHuynh[0]) s.phuHuynh[0].dienThoai = phone;
    } else if (kind === 'teachers') {
      (record as VendorTeacher).dienThoai = phone;
    } else {
      const c = record as VendorClass;
      c.soBuoiHoc = c.soBuoiHoc === 2 ? 1 : 2;
    }
  }
}
