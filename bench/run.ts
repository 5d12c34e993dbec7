/**
 * `npm run bench`: canonical validation of generated students.
 *  1. throughput: records per second on one core (JSON.parse + record rules + dataset rules),
 *     over the first 50,000 students of the district, median of 5 passes after a warm-up;
 *  2. memory: peak RSS and heap of `validatePath` on files of 50,000, 100,000 and 200,000 students,
 *     each in a fresh process, median of 3 runs.
 *  3. generation: a 10-school district with every stream, fresh process each, median of 3 runs.
 * Results go to bench/results/validate.json and validate.md.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { generateDistrict } from '../sandbox/generator/index.ts';
import { checkRecord, DatasetChecker } from '../src/model/index.ts';
import { machine, median } from './machine.ts';

const ROOT = join(import.meta.dirname, '..');
const DATA = join(ROOT, 'bench', '.data');
const RESULTS = join(ROOT, 'bench', 'results');
const STUDENTS_PER_SCHOOL = 4 * 8 * 42;
const TARGET_STUDENTS = 200_000;
const SIZES = [50_000, 100_000, 200_000];
const asOf = new Date('2026-11-27T00:00:00Z');

async function ensureDistrict(): Promise<string> {
  const dir = join(DATA, 'district-200k');
  const students = join(dir, 'students.jsonl');
  if (!existsSync(students)) {
    process.stderr.write('generating a 200,000-student district (once) …\n');
    await generateDistrict({
      outDir: dir,
      schools: Math.ceil(TARGET_STUDENTS / STUDENTS_PER_SCHOOL),
      seed: 42,
      streams: ['students'],
    });
  }
  return students;
}

async function firstLines(file: string, n: number, out?: string): Promise<string[]> {
  const lines: string[] = [];
  const writer = out ? createWriteStream(out) : null;
  for await (const line of createInterface({
    input: createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    if (lines.length >= n) break;
    if (writer) {
      if (!writer.write(`${line}\n`)) await new Promise<void>((r) => writer.once('drain', () => r()));
      lines.push('');
    } else {
      lines.push(line);
    }
  }
  if (writer) await new Promise<void>((r) => writer.end(() => r()));
  return lines;
}

function throughputPass(lines: readonly string[]): number {
  const dataset = new DatasetChecker();
  const started = process.hrtime.bigint();
  let invalid = 0;
  for (const line of lines) {
    const check = checkRecord(JSON.parse(line), { asOf });
    if (check.record && check.valid) invalid += dataset.check(check.record).length;
    else invalid++;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (invalid > 0) throw new Error(`benchmark data has ${invalid} invalid records`);
  return lines.length / seconds;
}

const studentsFile = await ensureDistrict();
const sample = await firstLines(studentsFile, 50_000);
throughputPass(sample.slice(0, 5_000)); // warm-up
const rates: number[] = [];
for (let i = 0; i < 5; i++) rates.push(throughputPass(sample));

const memory: Array<Record<string, number>> = [];
for (const size of SIZES) {
  const file = join(DATA, `students-${size}.jsonl`);
  if (!existsSync(file)) await firstLines(studentsFile, size, file);
  const runs = [0, 1, 2].map(
    () =>
      JSON.parse(
        execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'validate-memory.ts'), file], {
          encoding: 'utf8',
        }),
      ) as Record<string, number>,
  );
  memory.push({
    students: size,
    records: runs[0]!.records!,
    seconds: median(runs.map((r) => r.seconds!)),
    recordsPerSecond: Math.round(size / median(runs.map((r) => r.seconds!))),
    peakRssMiB: Math.round(median(runs.map((r) => r.peakRssMiB!))),
    peakHeapMiB: Math.round(median(runs.map((r) => r.peakHeapMiB!))),
  });
}

const GENERATE_SCHOOLS = 10;
const generation = [0, 1, 2].map(
  () =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(ROOT, 'bench', 'generate-child.ts'),
          join(DATA, 'generate-run'),
          String(GENERATE_SCHOOLS),
        ],
        { encoding: 'utf8' },
      ),
    ) as Record<string, number>,
);
const generateSeconds = median(generation.map((g) => g.seconds!));
const generate = {
  schools: GENERATE_SCHOOLS,
  students: generation[0]!.students!,
  lines: generation[0]!.lines!,
  megabytes: Math.round(generation[0]!.megabytes!),
  seconds: Number(generateSeconds.toFixed(2)),
  studentsPerSecond: Math.round(generation[0]!.students! / generateSeconds),
  linesPerSecond: Math.round(generation[0]!.lines! / generateSeconds),
  peakRssMiB: Math.round(median(generation.map((g) => g.peakRssMiB!))),
  peakHeapMiB: Math.round(median(generation.map((g) => g.peakHeapMiB!))),
};

const result = {
  machine: machine(),
  throughput: {
    records: sample.length,
    passes: rates.length,
    medianRecordsPerSecond: Math.round(median(rates)),
  },
  memory,
  generate,
};
await mkdir(RESULTS, { recursive: true });
await writeFile(join(RESULTS, 'validate.json'), `${JSON.stringify(result, null, 2)}\n`);
const m = result.machine;
const md = [
  '# Canonical validation of generated students',
  '',
  `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; measured ${m.date}.`,
  '',
  `Throughput on one core (JSON.parse + record rules + dataset rules, ${result.throughput.records.toLocaleString('en-US')} students, median of ${result.throughput.passes} passes): **${result.throughput.medianRecordsPerSecond.toLocaleString('en-US')} records/s**.`,
  '',
  '`validatePath` on a file, fresh process each, median of 3 runs:',
  '',
  '| students | seconds | records/s | peak RSS (MiB) | peak heap (MiB) |',
  '|---:|---:|---:|---:|---:|',
  ...memory.map(
    (r) =>
      `| ${r.students!.toLocaleString('en-US')} | ${r.seconds!.toFixed(2)} | ${r.recordsPerSecond!.toLocaleString('en-US')} | ${r.peakRssMiB} | ${r.peakHeapMiB} |`,
  ),
  '',
  `Generating a district with every stream (${generate.schools} schools, ${generate.students.toLocaleString('en-US')} students, ${generate.lines.toLocaleString('en-US')} records, ${generate.megabytes} MiB of JSONL), fresh process each, median of 3 runs: **${generate.seconds} s**, ${generate.studentsPerSecond.toLocaleString('en-US')} students/s (${generate.linesPerSecond.toLocaleString('en-US')} records/s); peak RSS ${generate.peakRssMiB} MiB, peak heap ${generate.peakHeapMiB} MiB.`,
  '',
].join('\n');
await writeFile(join(RESULTS, 'validate.md'), md);
process.stdout.write(`${md}\n`);
