/**
 * A school's teaching plan: its classes, its teachers and who teaches what, and each class's weekly
 * timetable (CTGDPT 2018: one morning session, Monday to Saturday, periods 1–5). Everything here is
 * per school and small (classes × subjects), so it is planned up front.
 */
import { type SubjectDefinition, subjectsOfGrade } from '../../src/model/codes.ts';
import { Purpose, Random } from './random.ts';

export const GRADES = [6, 7, 8, 9] as const;
export const WEEKDAYS = 6;
export const PERIODS_PER_SESSION = 5;
/** Lesson hours a week: Monday–Saturday × periods 1–5. */
export const SLOTS = WEEKDAYS * PERIODS_PER_SESSION;
/** Teaching weeks in a school year (CTGDPT 2018). */
const WEEKS = 35;
/** Homeroom teachers teach the class's HĐTN: flag salute on Monday, class meeting on Saturday. */
const HOMEROOM_SUBJECT = 'HDTN';
const STUDENTS_PER_TEACHER = 18;

/** Subjects a teacher of one subject often also teaches (giáo viên dạy kiêm nhiệm). */
const SECOND_SUBJECT: Record<string, string> = {
  NV: 'GDDP',
  LSDL: 'GDCD',
  GDCD: 'GDDP',
  TOAN: 'TIN',
  TIN: 'CN',
  KHTN: 'CN',
  CN: 'KHTN',
};

export interface ClassPlan {
  index: number;
  grade: number;
  /** `6A1`. */
  className: string;
  /** Its number within the grade, 1-based. */
  number: number;
  size: number;
  homeroom: number;
  /** Subject code → index of the teacher who teaches it to this class. */
  teacherOf: Map<string, number>;
}

export interface TeacherPlan {
  index: number;
  subjectCodes: string[];
  /** Periods a week assigned so far. */
  load: number;
}

export interface SchoolPlan {
  classes: ClassPlan[];
  teachers: TeacherPlan[];
  students: number;
}

const subjectCache = new Map<number, SubjectDefinition[]>();

/** The compulsory subjects of a grade, in the code list's order. */
export function gradeSubjects(grade: number): SubjectDefinition[] {
  let list = subjectCache.get(grade);
  if (!list) {
    list = subjectsOfGrade(grade);
    subjectCache.set(grade, list);
  }
  return list;
}

export const periodsPerYear = (subject: SubjectDefinition, grade: number): number =>
  subject.periodsPerYear[String(grade)]!;

/**
 * Periods a week for a subject: periods a year over 35 weeks, rounded; a subject halfway between
 * two counts (Công nghệ 8–9, 52 periods = 1.5 a week) alternates 1 and 2 between classes.
 */
export function periodsPerWeek(subject: SubjectDefinition, grade: number, classNumber: number): number {
  const exact = periodsPerYear(subject, grade) / WEEKS;
  const base = Math.floor(exact);
  const fraction = exact - base;
  if (fraction < 0.25) return base;
  if (fraction > 0.75) return base + 1;
  return classNumber % 2 === 1 ? base + 1 : base;
}

/** Splits `total` into parts proportional to `weights`, each at least 1 (largest remainder). */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const spare = Math.max(0, total - weights.length);
  const exact = weights.map((w) => (w / sum) * spare);
  const parts = exact.map((x) => 1 + Math.floor(x));
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) parts[order[k]![1]]!++;
  return parts;
}

export function planSchool(
  seed: number,
  schoolIndex: number,
  classesPerGrade: number,
  classSize: number,
): SchoolPlan {
  const random = new Random(seed, Purpose.plan, schoolIndex);
  const classes: ClassPlan[] = [];
  for (const grade of GRADES) {
    for (let n = 1; n <= classesPerGrade; n++) {
      // Classes vary by a few students around the target size.
      const size = Math.max(1, classSize + random.between(-3, 3));
      classes.push({
        index: classes.length,
        grade,
        className: `${grade}A${n}`,
        number: n,
        size,
        homeroom: 0,
        teacherOf: new Map(),
      });
    }
  }
  const students = classes.reduce((a, c) => a + c.size, 0);

  // Weekly demand per subject across the school (HĐTN goes to homeroom teachers).
  const demand = new Map<string, number>();
  for (const c of classes) {
    for (const s of gradeSubjects(c.grade)) {
      if (s.code === HOMEROOM_SUBJECT) continue;
      demand.set(s.code, (demand.get(s.code) ?? 0) + periodsPerWeek(s, c.grade, c.number));
    }
  }
  const codes = [...demand.keys()];
  const teacherCount = Math.max(Math.round(students / STUDENTS_PER_TEACHER), codes.length, classes.length);
  const perSubject = apportion(
    teacherCount,
    codes.map((c) => demand.get(c)!),
  );
  const teachers: TeacherPlan[] = [];
  const pools = new Map<string, number[]>();
  codes.forEach((code, i) => {
    const pool: number[] = [];
    for (let k = 0; k < perSubject[i]!; k++) {
      const second = SECOND_SUBJECT[code];
      const subjectCodes = second && random.chance(0.3) ? [code, second] : [code];
      pool.push(teachers.length);
      teachers.push({ index: teachers.length, subjectCodes, load: 0 });
    }
    pools.set(code, pool);
  });

  // Homeroom teachers: a deterministic shuffle of all teachers, one class each.
  const order = teachers.map((t) => t.index);
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (const c of classes) {
    const t = teachers[order[c.index % order.length]!]!;
    c.homeroom = t.index;
    if (!t.subjectCodes.includes(HOMEROOM_SUBJECT)) t.subjectCodes.push(HOMEROOM_SUBJECT);
  }

  // Each class's subject goes to the least-loaded teacher of that subject.
  for (const c of classes) {
    for (const s of gradeSubjects(c.grade)) {
      const periods = periodsPerWeek(s, c.grade, c.number);
      if (s.code === HOMEROOM_SUBJECT) {
        c.teacherOf.set(s.code, c.homeroom);
        teachers[c.homeroom]!.load += periods;
        continue;
      }
      let best = -1;
      for (const t of pools.get(s.code)!) {
        if (best < 0 || teachers[t]!.load < teachers[best]!.load) best = t;
      }
      c.teacherOf.set(s.code, best);
      teachers[best]!.load += periods;
    }
  }
  return { classes, teachers, students };
}

/** Teachers who can teach each subject (first or second subject), for stand-ins. */
export function colleaguesOf(plan: SchoolPlan): Map<string, number[]> {
  const map = new Map<string, number[]>();
  for (const t of plan.teachers) {
    for (const code of t.subjectCodes) {
      if (code === HOMEROOM_SUBJECT) continue;
      const list = map.get(code) ?? [];
      map.set(code, list);
      list.push(t.index);
    }
  }
  return map;
}

export interface Lesson {
  weekday: number;
  period: number;
  subjectCode: string;
  teacher: number;
}

const ATTEMPTS = 24;

/**
 * Places a class's lessons in the week, avoiding a teacher's other classes at the same hour.
 * `busy` is the school's teacher × slot occupancy (a count per hour), updated in place. A greedy
 * placement can corner itself, so a few seeded attempts are made and the first without a clash
 * (or else the one with fewest) is kept. Returns the lessons, sorted by day and period, and how
 * many had to share a teacher's hour with another class.
 */
export function timetableFor(
  seed: number,
  schoolIndex: number,
  plan: ClassPlan,
  busy: Uint8Array,
  colleagues: ReadonlyMap<string, readonly number[]>,
): { lessons: Lesson[]; clashes: number } {
  let best: { lessons: Lesson[]; clashes: number; busy: Uint8Array } | null = null;
  for (let attempt = 0; attempt < ATTEMPTS && best?.clashes !== 0; attempt++) {
    const trial = busy.slice();
    const random = new Random(seed, Purpose.timetable, schoolIndex, plan.index, attempt);
    const result = placeLessons(random, plan, trial, colleagues);
    if (!best || result.clashes < best.clashes) best = { ...result, busy: trial };
  }
  busy.set(best!.busy);
  return { lessons: best!.lessons, clashes: best!.clashes };
}

function placeLessons(
  random: Random,
  plan: ClassPlan,
  busy: Uint8Array,
  colleagues: ReadonlyMap<string, readonly number[]>,
): { lessons: Lesson[]; clashes: number } {
  const taken: (Lesson | null)[] = new Array(SLOTS).fill(null);
  const isBusy = (teacher: number, slot: number) => busy[teacher * SLOTS + slot]! > 0;
  let clashes = 0;
  const place = (slot: number, subjectCode: string, teacher: number) => {
    if (isBusy(teacher, slot)) clashes++;
    busy[teacher * SLOTS + slot]!++;
    taken[slot] = {
      weekday: Math.floor(slot / PERIODS_PER_SESSION) + 1,
      period: (slot % PERIODS_PER_SESSION) + 1,
      subjectCode,
      teacher,
    };
  };
  const free = (slot: number) => {
    const l = taken[slot]!;
    busy[l.teacher * SLOTS + slot]!--;
    taken[slot] = null;
    return l;
  };
  // When every free hour of the class is taken in the teacher's week, move one of the class's
  // lessons (not the fixed HĐTN ones) to a free hour, so the teacher gets the hour it held.
  const swapFor = (teacher: number): number | null => {
    for (let a = 1; a < SLOTS - 1; a++) {
      const other = taken[a];
      if (!other || isBusy(teacher, a)) continue;
      const to = pickSlot(random, taken, (f) => !isBusy(other.teacher, f));
      if (to === null) continue;
      const moved = free(a);
      place(to, moved.subjectCode, moved.teacher);
      return a;
    }
    return null;
  };
  // HĐTN first: chào cờ (Monday, period 1) and sinh hoạt lớp (Saturday, period 5) are fixed.
  const subjects = gradeSubjects(plan.grade)
    .map((s) => ({ code: s.code, count: periodsPerWeek(s, plan.grade, plan.number) }))
    .sort(
      (a, b) =>
        Number(b.code === HOMEROOM_SUBJECT) - Number(a.code === HOMEROOM_SUBJECT) ||
        b.count - a.count ||
        (a.code < b.code ? -1 : 1),
    );
  for (const { code, count } of subjects) {
    const teacher = plan.teacherOf.get(code)!;
    let left = count;
    if (code === HOMEROOM_SUBJECT) {
      for (const slot of [0, SLOTS - 1]) {
        if (left > 0) {
          place(slot, code, teacher);
          left--;
        }
      }
    }
    const days = new Set<number>();
    for (const l of taken) if (l?.subjectCode === code) days.add(l.weekday);
    for (; left > 0; left--) {
      let by = teacher;
      let slot =
        pickSlot(random, taken, (s) => {
          const day = Math.floor(s / PERIODS_PER_SESSION) + 1;
          return !days.has(day) && !isBusy(teacher, s);
        }) ??
        pickSlot(random, taken, (s) => !isBusy(teacher, s)) ??
        swapFor(teacher);
      if (slot === null && code !== HOMEROOM_SUBJECT) {
        // Another teacher of the subject stands in for this hour (KHTN and LS&ĐL are often
        // shared between teachers anyway).
        for (const other of colleagues.get(code) ?? []) {
          slot = pickSlot(random, taken, (s) => !isBusy(other, s));
          if (slot !== null) {
            by = other;
            break;
          }
        }
      }
      slot ??= pickSlot(random, taken, () => true);
      if (slot === null) throw new Error(`class ${plan.className} has more lessons than ${SLOTS} periods`);
      place(slot, code, by);
      days.add(Math.floor(slot / PERIODS_PER_SESSION) + 1);
    }
  }
  return { lessons: taken.filter((l): l is Lesson => l !== null), clashes };
}

/** A free slot that passes `ok`, scanning from a random start; null when none does. */
function pickSlot(
  random: Random,
  taken: readonly (Lesson | null)[],
  ok: (slot: number) => boolean,
): number | null {
  const start = random.int(SLOTS);
  for (let k = 0; k < SLOTS; k++) {
    const slot = (start + k * 7) % SLOTS;
    if (!taken[slot] && ok(slot)) return slot;
  }
  return null;
}
