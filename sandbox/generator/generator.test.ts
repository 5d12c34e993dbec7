import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fc, test as propTest } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVINCE_CODES } from '../../src/model/codes.ts';
import { DatasetChecker } from '../../src/model/dataset.ts';
import { readPersonalIdFacts } from '../../src/model/personal-id.ts';
import type { Problem } from '../../src/model/problem.ts';
import type { Student, Teacher } from '../../src/model/records.ts';
import { checkRecord } from '../../src/model/rules.ts';
import {
  TEXT_FIELDS,
  TEXT_KIND_NAMES,
  TEXT_KINDS,
  type TextKindName,
  textLength,
} from '../../src/model/text-limits.ts';
import {
  DEFECT_KIND_NAMES,
  type DefectEntry,
  type GenerateOptions,
  type GenerationSummary,
  GeneratorOptionsError,
  generateDistrict,
  RECORD_STREAMS,
  streamFile,
} from './index.ts';
import { type Ethnicity, familyName, fullName, type Generation } from './names.ts';
import { Random } from './random.ts';

const ASOF = new Date('2026-11-27T00:00:00Z');
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'edubridge-generator-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let runs = 0;
async function generate(
  options: Omit<GenerateOptions, 'outDir'>,
): Promise<{ dir: string; summary: GenerationSummary }> {
  const dir = join(root, `run-${++runs}`);
  return { dir, summary: await generateDistrict({ outDir: dir, ...options }) };
}

async function lines(dir: string, file: string): Promise<string[]> {
  const text = await readFile(join(dir, file), 'utf8');
  return text === '' ? [] : text.slice(0, -1).split('\n');
}

interface Found {
  file: string;
  line: number;
  problems: Problem[];
}

/** Every problem of every record, checked as the hub checks files: record rules, then dataset rules. */
async function checkDistrict(dir: string): Promise<Found[]> {
  const dataset = new DatasetChecker<{ file: string; line: number }>({ asOf: ASOF });
  const found: Found[] = [];
  const written = new Set(await readdir(dir));
  for (const stream of RECORD_STREAMS) {
    const file = streamFile(stream);
    if (!written.has(file)) continue;
    (await lines(dir, file)).forEach((text, i) => {
      const check = checkRecord(JSON.parse(text), { asOf: ASOF });
      const ref = { file, line: i + 1 };
      const problems = check.record
        ? [...check.problems, ...dataset.check(check.record, ref)]
        : check.problems;
      if (problems.length > 0) found.push({ ...ref, problems });
    });
  }
  for (const { ref, problem } of dataset.finish()) {
    if (ref) found.push({ ...ref, problems: [problem] });
  }
  return found;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const parse = <T>(rows: string[]) => rows.map((r) => JSON.parse(r) as T);

describe('generateDistrict', () => {
  describe('determinism', () => {
    it('writes byte-identical files for the same options, and other students for another seed', async () => {
      const options = { schools: 2, seed: 11, classesPerGrade: 1, classSize: 20, defects: 0.1 };
      const a = await generate(options);
      const b = await generate(options);
      const files = (await readdir(a.dir)).sort();
      expect(files).toEqual((await readdir(b.dir)).sort());
      expect(files).toHaveLength(RECORD_STREAMS.length + 2);
      for (const file of files) {
        expect(sha256(await readFile(join(b.dir, file))), file).toBe(
          sha256(await readFile(join(a.dir, file))),
        );
      }

      const c = await generate({ ...options, seed: 12 });
      const who = async (dir: string) =>
        new Set(
          parse<Student>(await lines(dir, 'students.jsonl')).map((s) => `${s.fullName}|${s.birthDate}`),
        );
      const [first, other] = [await who(a.dir), await who(c.dir)];
      const shared = [...first].filter((x) => other.has(x)).length;
      expect(first.size).toBeGreaterThan(100);
      expect(shared / first.size).toBeLessThan(0.05);
    });

    it('writes the same students whichever other files are asked for', async () => {
      const options = { schools: 1, seed: 5, classesPerGrade: 1, classSize: 25 };
      const all = await generate(options);
      const some = await generate({ ...options, streams: ['students', 'timetable'] });
      expect((await readdir(some.dir)).sort()).toEqual(
        ['defects.json', 'manifest.json', 'students.jsonl', 'timetable.jsonl'].sort(),
      );
      expect(Object.keys(some.summary.files)).toEqual(['students.jsonl', 'timetable.jsonl']);
      for (const file of ['students.jsonl', 'timetable.jsonl']) {
        expect(await readFile(join(some.dir, file), 'utf8')).toBe(
          await readFile(join(all.dir, file), 'utf8'),
        );
      }
    });
  });

  describe('size and shape', () => {
    let run: { dir: string; summary: GenerationSummary };
    beforeAll(async () => {
      run = await generate({ schools: 2, seed: 3, classesPerGrade: 3, classSize: 30 });
    });

    it('makes 4 × classesPerGrade classes per school, 6A1 … 9A3', async () => {
      const classes = parse<{ schoolCode: string; className: string; grade: number }>(
        await lines(run.dir, 'classes.jsonl'),
      );
      expect(classes).toHaveLength(2 * 4 * 3);
      expect(run.summary.classes).toBe(24);
      const first = classes.filter((c) => c.schoolCode === classes[0]!.schoolCode).map((c) => c.className);
      expect(first).toEqual([
        '6A1',
        '6A2',
        '6A3',
        '7A1',
        '7A2',
        '7A3',
        '8A1',
        '8A2',
        '8A3',
        '9A1',
        '9A2',
        '9A3',
      ]);
    });

    it('fills each class with classSize ± 3 students, each enrolled once', async () => {
      const students = parse<Student>(await lines(run.dir, 'students.jsonl'));
      expect(students).toHaveLength(run.summary.students);
      const perClass = new Map<string, number>();
      for (const s of students)
        perClass.set(
          `${s.schoolCode}/${s.className}`,
          (perClass.get(`${s.schoolCode}/${s.className}`) ?? 0) + 1,
        );
      expect(perClass.size).toBe(24);
      expect(Math.min(...perClass.values())).toBeGreaterThanOrEqual(27);
      expect(Math.max(...perClass.values())).toBeLessThanOrEqual(33);
      expect(await lines(run.dir, 'enrollments.jsonl')).toHaveLength(students.length);
      expect(new Set(students.map((s) => s.studentCode)).size).toBe(students.length);
    });

    it('writes a full year of grades: 13 subjects × 2 semesters and 3 learning results per student', async () => {
      const n = run.summary.students;
      expect(run.summary.files['assessments.jsonl']).toBe(n * 13 * 2);
      expect(run.summary.files['learning-results.jsonl']).toBe(n * 3);
      expect(run.summary.files['subjects.jsonl']).toBe(2 * 4 * 13);
      expect(run.summary.files['school-years.jsonl']).toBe(2 * 3);
    });

    it('bills every student each semester and issues one receipt or invoice per payment', async () => {
      const fees = parse<{ type: string; status?: string }>(await lines(run.dir, 'fees.jsonl'));
      const receivables = fees.filter((f) => f.type === 'receivable');
      expect(receivables).toHaveLength(run.summary.students * 2);
      const paid = receivables.filter((r) => r.status === 'paid').length;
      expect(paid / receivables.length).toBeGreaterThan(0.85);
      expect(paid / receivables.length).toBeLessThan(0.97);
      expect(run.summary.files['payments.jsonl']).toBe(paid);
      expect(run.summary.files['invoices.jsonl']).toBe(paid);
    });

    it('staffs about one teacher per 18 students, covering every subject, with no teacher in two rooms at once', async () => {
      const teachers = parse<Teacher>(await lines(run.dir, 'teachers.jsonl'));
      expect(teachers.length).toBeGreaterThanOrEqual(Math.round(run.summary.students / 18) - 2);
      expect(teachers.length).toBeLessThanOrEqual(Math.round(run.summary.students / 18) + 2);
      const taught = new Set(teachers.flatMap((t) => t.subjectCodes));
      expect([...taught].sort()).toEqual(
        ['AN', 'CN', 'GDCD', 'GDDP', 'GDTC', 'HDTN', 'KHTN', 'LSDL', 'MT', 'NN1', 'NV', 'TIN', 'TOAN'].sort(),
      );
      const slots = parse<{ schoolCode: string; teacherCode: string; weekday: number; period: number }>(
        await lines(run.dir, 'timetable.jsonl'),
      );
      const hours = slots.map((s) => `${s.schoolCode}/${s.teacherCode}/${s.weekday}/${s.period}`);
      expect(new Set(hours).size).toBe(hours.length);
      expect(run.summary.timetableClashes).toBe(0);
    });

    it('starts with the pilot school in xã Nhà Bè', async () => {
      const [pilot] = parse<{ name: string; commune: string; schoolCode: string; provinceCode: string }>(
        await lines(run.dir, 'schools.jsonl'),
      );
      expect(pilot).toMatchObject({
        name: 'THCS Nguyễn Bình Khiêm',
        commune: 'xã Nhà Bè',
        provinceCode: '79',
      });
      expect(pilot!.schoolCode).toBe('79NB0001');
    });
  });

  describe('a clean district', () => {
    let dir: string;
    beforeAll(async () => {
      ({ dir } = await generate({ schools: 1, seed: 2026, classesPerGrade: 2 }));
    });

    it('passes every record rule and every dataset rule with no problem at all', async () => {
      expect(await checkDistrict(dir)).toEqual([]);
      expect(JSON.parse(await readFile(join(dir, 'defects.json'), 'utf8'))).toEqual([]);
    });

    it('gives every student and guardian an ID number consistent with birth date and gender', async () => {
      const students = parse<Student & { guardians: Array<{ birthDate: string }> }>(
        await lines(dir, 'students.jsonl'),
      );
      for (const s of students) {
        const facts = readPersonalIdFacts(s.personalId!);
        expect(PROVINCE_CODES.has(facts.provinceCode), s.personalId).toBe(true);
        expect(facts.birthYear).toBe(Number(s.birthDate.slice(0, 4)));
        expect(facts.gender).toBe(s.gender);
        for (const g of s.guardians) {
          const gf = readPersonalIdFacts(g.personalId!);
          expect(gf.birthYear).toBe(Number(g.birthDate.slice(0, 4)));
          if (g.relationship !== 'guardian')
            expect(gf.gender).toBe(g.relationship === 'father' ? 'male' : 'female');
        }
      }
    });

    it('keeps every text within its default limit', async () => {
      const longest = new Map<TextKindName, number>();
      const measure = (kind: TextKindName, value: unknown) => {
        if (typeof value === 'string') longest.set(kind, Math.max(longest.get(kind) ?? 0, textLength(value)));
      };
      for (const stream of RECORD_STREAMS) {
        for (const line of await lines(dir, streamFile(stream))) {
          const record = JSON.parse(line) as Record<string, unknown> & { type: keyof typeof TEXT_FIELDS };
          for (const [path, kind] of Object.entries(TEXT_FIELDS[record.type] ?? {})) {
            const [list, name] = path.split('[].');
            if (name === undefined) measure(kind, record[path]);
            else
              for (const item of record[list!] as Array<Record<string, unknown>>) measure(kind, item[name]);
          }
        }
      }
      // Every kind but the room: the generator's lessons name none.
      expect([...longest.keys()].sort()).toEqual(TEXT_KIND_NAMES.filter((k) => k !== 'room').sort());
      for (const [kind, length] of longest)
        expect(length, kind).toBeLessThanOrEqual(TEXT_KINDS[kind].default);
    });

    it('never gives one ID number to two people (siblings share their parents)', async () => {
      const students = parse<Student>(await lines(dir, 'students.jsonl'));
      const teachers = parse<Teacher>(await lines(dir, 'teachers.jsonl'));
      const holder = new Map<string, string>();
      let shared = 0;
      const claim = (id: string, name: string) => {
        const before = holder.get(id);
        if (before === undefined) holder.set(id, name);
        else {
          expect(before).toBe(name);
          shared++;
        }
      };
      for (const s of students) {
        claim(s.personalId!, s.fullName);
        for (const g of s.guardians) claim(g.personalId!, g.fullName);
      }
      for (const t of teachers) claim(t.personalId!, t.fullName);
      // Only guardians repeat, and only for siblings (about 4 % of students).
      expect(shared).toBeGreaterThan(0);
      expect(shared).toBeLessThan(students.length * 0.2);
    });
  });

  propTest.prop([
    fc.integer(),
    fc.constantFrom('male', 'female'),
    fc.constantFrom<Generation>('child', 'adult', 'elder'),
    fc.constantFrom<Ethnicity>('01', '04', '05', '17'),
  ])('never makes a full name over its limit, whatever the draw', (seed, gender, generation, ethnicity) => {
    const random = new Random(seed);
    const name = fullName(random, familyName(random, ethnicity), gender, generation, ethnicity);
    expect(textLength(name)).toBeLessThanOrEqual(TEXT_KINDS.fullName.default);
  });

  it('names students like an HCMC school: NFC, Nguyễn about 38 %, boys and girls about even', async () => {
    const { dir } = await generate({ schools: 1, seed: 9, streams: ['students'] });
    const students = parse<Student>(await lines(dir, 'students.jsonl'));
    expect(students.length).toBeGreaterThan(1200);
    const share = (f: (s: Student) => boolean) => students.filter(f).length / students.length;
    expect(share((s) => s.fullName.normalize('NFC') === s.fullName)).toBe(1);
    expect(share((s) => s.fullName.startsWith('Nguyễn '))).toBeGreaterThan(0.32);
    expect(share((s) => s.fullName.startsWith('Nguyễn '))).toBeLessThan(0.44);
    expect(share((s) => s.gender === 'female')).toBeGreaterThan(0.45);
    expect(share((s) => s.gender === 'female')).toBeLessThan(0.55);
    expect(share((s) => s.ethnicityCode === '01')).toBeGreaterThan(0.9);
    expect(share((s) => s.personalId!.startsWith('079'))).toBeGreaterThan(0.75);
  });

  describe('injected defects', () => {
    let faulty: { dir: string; summary: GenerationSummary };
    let clean: { dir: string; summary: GenerationSummary };
    let defects: DefectEntry[];
    beforeAll(async () => {
      const options = { schools: 1, seed: 77, classesPerGrade: 2 };
      faulty = await generate({ ...options, defects: 0.2 });
      clean = await generate(options);
      defects = JSON.parse(await readFile(join(faulty.dir, 'defects.json'), 'utf8'));
    });

    it('injects every kind, about the rate asked, and counts them', () => {
      expect(new Set(defects.map((d) => d.type))).toEqual(new Set(DEFECT_KIND_NAMES));
      expect(defects.length / faulty.summary.students).toBeGreaterThan(0.12);
      expect(defects.length / faulty.summary.students).toBeLessThan(0.28);
      expect(faulty.summary.defects).toBe(defects.length);
      for (const kind of DEFECT_KIND_NAMES) {
        expect(faulty.summary.defectsByKind[kind]).toBe(defects.filter((d) => d.type === kind).length);
      }
    });

    it('lists each defect where the rules report it, with its code and field', async () => {
      const found = await checkDistrict(faulty.dir);
      const at = new Map(found.map((f) => [`${f.file}:${f.line}`, f.problems]));
      for (const d of defects) {
        const problems = at.get(`${d.file}:${d.line}`) ?? [];
        const hit = problems.find(
          (p) => p.code === d.code && (p.field === d.field || p.field.startsWith(`${d.field}.`)),
        );
        expect(
          hit,
          `${d.type} at ${d.file}:${d.line} (${d.field}) → ${JSON.stringify(problems)}`,
        ).toBeDefined();
      }
    });

    it('raises nothing but the listed problems', async () => {
      const listed = new Map(defects.map((d) => [`${d.file}:${d.line}`, d]));
      for (const f of await checkDistrict(faulty.dir)) {
        const d = listed.get(`${f.file}:${f.line}`);
        expect(d, `unlisted ${f.file}:${f.line} ${f.problems.map((p) => p.code)}`).toBeDefined();
        expect(f.problems.map((p) => p.code)).toEqual([d!.code]);
      }
    });

    it('changes only the records it lists: every other line is the clean run’s', async () => {
      for (const stream of RECORD_STREAMS) {
        const file = streamFile(stream);
        const touched = new Set(defects.filter((d) => d.file === file).map((d) => d.line));
        const duplicates = new Set(
          defects.filter((d) => d.file === file && d.type === 'student_duplicate').map((d) => d.line),
        );
        const kept = (await lines(faulty.dir, file)).filter((_, i) => !duplicates.has(i + 1));
        const original = await lines(clean.dir, file);
        expect(kept, file).toHaveLength(original.length);
        let lineNo = 0;
        let differing = 0;
        (await lines(faulty.dir, file)).forEach((text, i) => {
          if (duplicates.has(i + 1)) return;
          if (text !== original[lineNo]) {
            expect(touched.has(i + 1), `${file}:${i + 1}`).toBe(true);
            differing++;
          }
          lineNo++;
        });
        expect(differing, file).toBe(touched.size - duplicates.size);
      }
    });
  });

  it('holds one school at a time: memory stays flat while the output grows', async () => {
    const gc = exposeGc();
    const heap: number[] = [];
    const { summary } = await generate({
      schools: 30,
      seed: 1,
      streams: ['students'],
      onProgress: () => {
        gc?.();
        heap.push(process.memoryUsage().heapUsed);
      },
    });
    expect(heap).toHaveLength(30);
    const written = summary.bytes['students.jsonl']!;
    expect(written).toBeGreaterThan(25_000_000);
    // From school 5 to school 30 the files grow by some 20 MB; the heap must not follow.
    const growth = Math.max(...heap.slice(5)) - heap[4]!;
    expect(growth).toBeLessThan(gc ? written / 20 : written / 4);
    // 25 MB of output: about 15 s alone, more on a two-core machine running other suites.
  }, 120_000);

  it('names a bad option', async () => {
    await expect(
      generateDistrict({ outDir: join(root, 'bad'), schools: 1, seed: 1, defects: 1.5 }),
    ).rejects.toThrow(GeneratorOptionsError);
    await expect(generateDistrict({ outDir: join(root, 'bad'), schools: 0, seed: 1 })).rejects.toThrow(
      /schools/,
    );
    await expect(
      generateDistrict({ outDir: join(root, 'bad'), schools: 1, seed: 1, schoolYear: '2025-2027' }),
    ).rejects.toThrow(/schoolYear/);
  });
});

/** The V8 collector, when it can be had without a command-line flag. */
function exposeGc(): (() => void) | null {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}
