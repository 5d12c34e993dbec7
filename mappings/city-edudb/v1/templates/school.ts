/**
 * One school's canonical records, as a template needs them together: a student with the class of
 * their enrollment and the people their guardianships point to, or with their assessments. Only
 * the record types a template reads are added, for one school, so this never holds a district.
 * A record seen twice under the same key is the later version (JSONL appended to is an update).
 */
import type {
  Assessment,
  CanonicalRecord,
  Enrollment,
  Guardianship,
  LearningResult,
  Person,
  RecordType,
  School,
  Student,
  Teacher,
} from '../../../../src/model/index.ts';

type RecordOf<T extends RecordType> = Extract<CanonicalRecord, { type: T }>;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

interface Indexes {
  enrollments: Map<string, Enrollment[]>;
  guardianships: Map<string, Guardianship[]>;
  assessments: Map<string, Assessment[]>;
  classes: Map<string, Set<string>>;
  learningResults: Map<string, LearningResult>;
  students: Map<string, Student>;
}

export class SchoolRecords {
  school: School | undefined;
  /** The school years the records added name. */
  readonly schoolYears = new Set<string>();
  private readonly byType = new Map<RecordType, Map<string, CanonicalRecord>>();
  private indexes: Indexes | undefined;

  constructor(readonly schoolCode: string) {}

  add(record: CanonicalRecord): void {
    if (record.type === 'school') {
      this.school = record;
      return;
    }
    if ('schoolYear' in record && typeof record.schoolYear === 'string')
      this.schoolYears.add(record.schoolYear);
    let map = this.byType.get(record.type);
    if (!map) {
      map = new Map();
      this.byType.set(record.type, map);
    }
    map.set(record.key, record);
    this.indexes = undefined;
  }

  /** The records of a type, in the order their keys were first seen. */
  all<T extends RecordType>(type: T): RecordOf<T>[] {
    return [...(this.byType.get(type)?.values() ?? [])] as RecordOf<T>[];
  }

  count(): number {
    let n = this.school ? 1 : 0;
    for (const map of this.byType.values()) n += map.size;
    return n;
  }

  private index(): Indexes {
    if (this.indexes) return this.indexes;
    const ix: Indexes = {
      enrollments: new Map(),
      guardianships: new Map(),
      assessments: new Map(),
      classes: new Map(),
      learningResults: new Map(),
      students: new Map(),
    };
    for (const e of this.all('enrollment')) push(ix.enrollments, `${e.schoolYear}|${e.studentCode}`, e);
    for (const g of this.all('guardianship')) push(ix.guardianships, g.studentKey, g);
    for (const a of this.all('assessment')) push(ix.assessments, `${a.schoolYear}|${a.studentCode}`, a);
    for (const c of this.all('class')) {
      const names = ix.classes.get(c.schoolYear) ?? new Set<string>();
      names.add(c.className);
      ix.classes.set(c.schoolYear, names);
    }
    for (const r of this.all('learningResult')) {
      ix.learningResults.set(`${r.schoolYear}|${r.period}|${r.studentCode}`, r);
    }
    for (const s of this.all('student'))
      if (!ix.students.has(s.studentCode)) ix.students.set(s.studentCode, s);
    this.indexes = ix;
    return ix;
  }

  /** A student's enrollments in a school year, in input order. */
  enrollmentsOf(studentCode: string, schoolYear: string): readonly Enrollment[] {
    return this.index().enrollments.get(`${schoolYear}|${studentCode}`) ?? [];
  }

  guardianshipsOf(studentKey: string): readonly Guardianship[] {
    return this.index().guardianships.get(studentKey) ?? [];
  }

  person(key: string): Person | undefined {
    return this.byType.get('person')?.get(key) as Person | undefined;
  }

  /** The first student record with this code. */
  student(studentCode: string): Student | undefined {
    return this.index().students.get(studentCode);
  }

  assessmentsOf(studentCode: string, schoolYear: string): readonly Assessment[] {
    return this.index().assessments.get(`${schoolYear}|${studentCode}`) ?? [];
  }

  /** Codes of the students with assessments in a school year, in input order. */
  assessedStudents(schoolYear: string): string[] {
    const prefix = `${schoolYear}|`;
    return [...this.index().assessments.keys()]
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length));
  }

  /** The school's classes in a year, or undefined when the input holds no class records for it. */
  classNames(schoolYear: string): ReadonlySet<string> | undefined {
    return this.index().classes.get(schoolYear);
  }

  learningResult(studentCode: string, schoolYear: string, period: string): LearningResult | undefined {
    return this.index().learningResults.get(`${schoolYear}|${period}|${studentCode}`);
  }

  teachers(): Teacher[] {
    return this.all('teacher');
  }
}
