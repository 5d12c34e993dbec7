/**
 * Excel import of 200,000 students: a C1-HocSinh workbook of one 200,000-row sheet, saved with a
 * shared-string table as Excel saves it, imported as `edubridge import` does (excel adapter read,
 * record rules, dataset rules), each run in a fresh process. Rows per second and peak RSS, median
 * of 3 runs; results in bench/results/excel-import.{json,md}.
 *
 *   node --import tsx bench/excel-import.ts
 *
 * Targets (issue 3): ≥ 20,000 rows/s, peak RSS under 300 MB.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import excel from '../adapters/excel/index.ts';
import { jsonlLines, writeStudentsWorkbook } from '../sandbox/generator/excel/index.ts';
import { generateDistrict } from '../sandbox/generator/index.ts';
import { importFile } from '../src/cli/commands/import.ts';
import type { Student } from '../src/model/index.ts';
import { machine, median } from './machine.ts';

const ROOT = join(import.meta.dirname, '..');
const DATA = join(ROOT, 'bench', '.data');
const RESULTS = join(ROOT, 'bench', 'results');
const STUDENTS = 200_000;
const STUDENTS_PER_SCHOOL = 4 * 8 * 42;
const WORKBOOK = join(DATA, 'excel', 'C1-HocSinh-200k.xlsx');
const asOf = new Date('2026-11-27T00:00:00Z');

/** Child: one import, timed, with its peak memory. */
async function child(file: string): Promise<void> {
  let peakHeap = 0;
  const sample = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 20);
  const started = process.hrtime.bigint();
  const result = await importFile(excel, { file, kind: 'students', schoolCode: '79NB0001', asOf });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sample);
  const cpu = process.cpuUsage();
  process.stdout.write(
    `${JSON.stringify({
      rows: result.summary.total,
      invalid: result.summary.invalid,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      peakHeapMiB: peakHeap / 1024 / 1024,
    })}\n`,
  );
}

/** The workbook, written once from the 200,000-student district the validation bench uses. */
async function ensureWorkbook(): Promise<void> {
  if (existsSync(WORKBOOK)) return;
  const district = join(DATA, 'district-200k');
  const students = join(district, 'students.jsonl');
  if (!existsSync(students)) {
    process.stderr.write('generating a 200,000-student district (once) …\n');
    await generateDistrict({
      outDir: district,
      schools: Math.ceil(STUDENTS / STUDENTS_PER_SCHOOL),
      seed: 42,
      streams: ['students'],
    });
  }
  process.stderr.write('writing the 200,000-row C1-HocSinh workbook (once) …\n');
  await mkdir(join(DATA, 'excel'), { recursive: true });
  async function* records() {
    for await (const { record } of jsonlLines<Student>(students)) yield record;
  }
  const partial = `${WORKBOOK}.partial`;
  await writeStudentsWorkbook({
    students: records(),
    output: partial,
    schoolName: 'Các trường THCS (dữ liệu mẫu)',
    schoolYear: '2025-2026',
    statusDate: '2025-09-05',
    created: new Date('2026-06-15T00:00:00Z'),
    sharedStrings: true,
  });
  await rename(partial, WORKBOOK);
}

async function main(): Promise<void> {
  await ensureWorkbook();
  const runs = [0, 1, 2].map(
    () =>
      JSON.parse(
        execFileSync(
          process.execPath,
          ['--import', 'tsx', join(ROOT, 'bench', 'excel-import.ts'), '--child', WORKBOOK],
          {
            encoding: 'utf8',
          },
        ),
      ) as {
        rows: number;
        invalid: number;
        seconds: number;
        cpuSeconds: number;
        peakRssMiB: number;
        peakHeapMiB: number;
      },
  );
  const seconds = median(runs.map((r) => r.seconds));
  const result = {
    machine: machine(),
    workbook: {
      rows: runs[0]!.rows,
      megabytes: Number(((await stat(WORKBOOK)).size / 1024 / 1024).toFixed(1)),
      sharedStrings: true,
    },
    invalid: runs[0]!.invalid,
    runs,
    seconds: Number(seconds.toFixed(2)),
    rowsPerSecond: Math.round(runs[0]!.rows / seconds),
    peakRssMiB: Math.round(median(runs.map((r) => r.peakRssMiB))),
    peakHeapMiB: Math.round(median(runs.map((r) => r.peakHeapMiB))),
  };
  const m = result.machine;
  const line = `| Excel import (C1-HocSinh, ${result.workbook.rows.toLocaleString('en-US')} rows, ${result.workbook.megabytes} MiB .xlsx): adapter read + record and dataset rules | ${result.rowsPerSecond.toLocaleString('en-US')} rows/s | ${result.seconds} s | peak RSS ${result.peakRssMiB} MiB | ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.date} |`;
  await mkdir(RESULTS, { recursive: true });
  await writeFile(join(RESULTS, 'excel-import.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(
    join(RESULTS, 'excel-import.md'),
    `# Excel import\n\nFresh process each, median of 3 runs; targets ≥ 20,000 rows/s, peak RSS < 300 MB.\n\n| what | rows/s | time | memory | machine |\n|---|---:|---:|---:|---|\n${line}\n`,
  );
  process.stdout.write(`${line}\n`);
  if (result.invalid > 0) process.stderr.write(`note: ${result.invalid} rows were invalid (expected 0)\n`);
}

const childAt = process.argv.indexOf('--child');
if (childAt > 0) await child(process.argv[childAt + 1]!);
else await main();
