/**
 * generateDistrict: a synthetic HCMC district of lower-secondary schools, written as canonical
 * JSONL records, school by school, with optional injected faults. The same options always give
 * the same bytes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RULE_CODES } from '../../src/model/rules.ts';
import { schoolCalendar } from './calendar.ts';
import { DEFECT_KIND_NAMES, type DefectKind } from './defects.ts';
import { CodeSequence, PersonalIdAllocator } from './ids.ts';
import { hash32 } from './random.ts';
import { type District, GENERATOR_ADAPTER, GENERATOR_VERSION, writeSchool } from './school.ts';
import { Sink } from './sink.ts';
import { DEFECTS_FILE, MANIFEST_FILE, RECORD_STREAMS, type RecordStreamName } from './streams.ts';

export interface GenerateOptions {
  /** Directory to write into (created if missing). */
  outDir: string;
  schools: number;
  seed: number;
  /** Share of students (0–1) given one injected fault; default 0. */
  defects?: number;
  /** Default `2025-2026`. */
  schoolYear?: string;
  /** Default 8: classes 6A1 … 9A8. */
  classesPerGrade?: number;
  /** Default 42; each class varies by up to 3 either way. */
  classSize?: number;
  /** Which files to write; default all. */
  streams?: readonly RecordStreamName[];
  /** Called after each school. */
  onProgress?: (progress: { school: number; schools: number; students: number }) => void;
}

export interface GenerationSummary {
  seed: number;
  schoolYear: string;
  /** The date the data is meant to be checked on (ages, future dates): `asOf` for checkRecord. */
  checkAsOf: string;
  schools: number;
  classes: number;
  teachers: number;
  /** Students generated (a duplicated student counts once). */
  students: number;
  /**
   * The JSONL files written, in canonical order, with their line (record) counts. `defects.json`
   * and `manifest.json` are always written as well.
   */
  files: Record<string, number>;
  /** Bytes per JSONL file. */
  bytes: Record<string, number>;
  /** Injected faults listed in defects.json (only faults in files that were written). */
  defects: number;
  /** The same, per kind. */
  defectsByKind: Record<DefectKind, number>;
  /** Timetable lessons that had to share a teacher's hour with another class. */
  timetableClashes: number;
}

/** A bad option, named. */
export class GeneratorOptionsError extends Error {
  readonly code = 'GENERATOR_OPTIONS';
  constructor(message: string) {
    super(message);
    this.name = 'GeneratorOptionsError';
  }
}

function positiveInt(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new GeneratorOptionsError(`${name} must be an integer from 1 to ${max} (got ${value})`);
  }
  return value;
}

function settle(options: GenerateOptions) {
  const streams = options.streams ?? RECORD_STREAMS;
  for (const s of streams) {
    if (!(RECORD_STREAMS as readonly string[]).includes(s)) {
      throw new GeneratorOptionsError(`unknown stream "${s}"; streams are ${RECORD_STREAMS.join(', ')}`);
    }
  }
  const defects = options.defects ?? 0;
  if (!(defects >= 0 && defects <= 1)) {
    throw new GeneratorOptionsError(`defects must be a rate from 0 to 1 (got ${defects})`);
  }
  if (!Number.isSafeInteger(options.seed)) {
    throw new GeneratorOptionsError(`seed must be an integer (got ${options.seed})`);
  }
  return {
    schools: positiveInt('schools', options.schools, 100_000),
    seed: options.seed,
    defects,
    schoolYear: options.schoolYear ?? '2025-2026',
    classesPerGrade: positiveInt('classesPerGrade', options.classesPerGrade ?? 8, 99),
    classSize: positiveInt('classSize', options.classSize ?? 42, 200),
    // Written in the canonical order whatever order they were asked in.
    streams: RECORD_STREAMS.filter((s) => streams.includes(s)),
  };
}

/**
 * Writes a synthetic district to `outDir` and returns what it wrote.
 *
 * @example
 * const summary = await generateDistrict({ outDir: 'out/district', schools: 3, seed: 1, defects: 0.05 });
 * summary.files['students.jsonl'] // about 3 × 32 × 42 lines
 */
export async function generateDistrict(options: GenerateOptions): Promise<GenerationSummary> {
  const o = settle(options);
  let calendar: ReturnType<typeof schoolCalendar>;
  try {
    calendar = schoolCalendar(o.schoolYear);
  } catch (e) {
    throw new GeneratorOptionsError((e as Error).message);
  }
  await mkdir(options.outDir, { recursive: true });
  const sink = new Sink(options.outDir, o.streams, DEFECTS_FILE);
  const district: District = {
    seed: o.seed,
    calendar,
    classesPerGrade: o.classesPerGrade,
    classSize: o.classSize,
    defectRate: o.defects,
    sink,
    ids: new PersonalIdAllocator(o.seed),
    // mã học sinh: 10 digits; mã cán bộ: GV + 8 digits. Multipliers coprime with 10.
    studentCodes: new CodeSequence(o.seed, '79', 8, 61_803_399),
    teacherCodes: new CodeSequence(o.seed, 'GV', 8, 38_196_601),
    faulty: 0,
    faultStart: hash32(o.seed, 0xfa17) % DEFECT_KIND_NAMES.length,
    totals: { schools: 0, classes: 0, teachers: 0, students: 0, timetableClashes: 0 },
  };
  try {
    for (let i = 0; i < o.schools; i++) {
      await writeSchool(district, i);
      options.onProgress?.({ school: i + 1, schools: o.schools, students: district.totals.students });
    }
  } finally {
    await sink.close();
  }

  const stats = sink.stats();
  const defectsByKind = { ...sink.defectCounts };
  const summary: GenerationSummary = {
    seed: o.seed,
    schoolYear: o.schoolYear,
    checkAsOf: calendar.checkAsOf,
    ...district.totals,
    files: Object.fromEntries(stats.map((f) => [f.file, f.records])),
    bytes: Object.fromEntries(stats.map((f) => [f.file, f.bytes])),
    defects: Object.values(defectsByKind).reduce((a, b) => a + b, 0),
    defectsByKind,
    timetableClashes: district.totals.timetableClashes,
  };
  const manifest = {
    generator: GENERATOR_ADAPTER,
    version: GENERATOR_VERSION,
    model:
      'Canonical records of src/model (RECORD_SCHEMAS in records.ts); defects.json names codes of RULE_CODES in src/model/rules.ts ' +
      `(${Object.keys(RULE_CODES).length} codes when written). Check with checkRecord and DatasetChecker at asOf = checkAsOf.`,
    options: {
      schools: o.schools,
      seed: o.seed,
      defects: o.defects,
      schoolYear: o.schoolYear,
      classesPerGrade: o.classesPerGrade,
      classSize: o.classSize,
      streams: o.streams,
    },
    checkAsOf: calendar.checkAsOf,
    totals: {
      schools: summary.schools,
      classes: summary.classes,
      teachers: summary.teachers,
      students: summary.students,
    },
    files: Object.fromEntries(stats.map((f) => [f.file, { records: f.records, bytes: f.bytes }])),
    defects: { total: summary.defects, ...defectsByKind },
    timetableClashes: summary.timetableClashes,
  };
  await writeFile(join(options.outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return summary;
}
