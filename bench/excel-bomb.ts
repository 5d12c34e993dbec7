/**
 * A zip bomb imported as `edubridge import` imports a file (issue 14, finding 4): a 1.3 MB
 * C1-HocSinh `.xlsx` whose sheet inflates to 600 MiB, each run in a fresh process with the DEFAULT
 * bounds. Time from the start of the import to its refusal, and the process's peak RSS, median of 5
 * runs; beside them, what a process that only loads the same modules weighs, and the second line of
 * defence alone (the compression ratio's bound raised out of the way, so the inflated size stops
 * it). Results in bench/results/excel-bomb.{json,md}.
 *
 *   node --import tsx bench/excel-bomb.ts
 *
 * Target (issue 14): refused in under 2 s with RSS under 300 MB.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import excel from '../adapters/excel/index.ts';
import { writeXlsxBomb } from '../sandbox/generator/excel/bomb.ts';
import { importFile } from '../src/cli/commands/import.ts';
import { DEFAULT_INPUT_LIMITS, type InputLimitError } from '../src/sdk/index.ts';
import { machine, median } from './machine.ts';

const ROOT = join(import.meta.dirname, '..');
const DATA = join(ROOT, 'bench', '.data', 'excel');
const RESULTS = join(ROOT, 'bench', 'results');
const BOMB = join(DATA, 'C1-HocSinh-bomb.xlsx');
const INFLATED = 600 * 1024 * 1024;
const RUNS = 5;
const MiB = 1024 * 1024;

type Scenario = 'defaults' | 'inflated-size-only' | 'idle';

interface ChildRun {
  refusedAfterSeconds: number | null;
  code: string | null;
  limit: string | null;
  measured: number | null;
  rows: number;
  peakRssMiB: number;
  peakHeapMiB: number;
}

/** Child: one import of the bomb, timed to its refusal, with its peak memory. */
async function child(scenario: Scenario): Promise<void> {
  let peakHeap = process.memoryUsage().heapUsed;
  const sample = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 10);
  const out: ChildRun = {
    refusedAfterSeconds: null,
    code: null,
    limit: null,
    measured: null,
    rows: 0,
    peakRssMiB: 0,
    peakHeapMiB: 0,
  };
  if (scenario !== 'idle') {
    const inputLimits =
      scenario === 'defaults'
        ? DEFAULT_INPUT_LIMITS
        : { ...DEFAULT_INPUT_LIMITS, maxCompressionRatio: 100_000 };
    const started = process.hrtime.bigint();
    try {
      const result = await importFile(excel, {
        file: BOMB,
        kind: 'students',
        schoolCode: '79NB0001',
        asOf: new Date('2026-11-27T00:00:00Z'),
        inputLimits,
        onProgress: ({ rows }) => {
          out.rows = rows;
        },
      });
      out.rows = result.summary.total;
    } catch (error) {
      const e = error as InputLimitError & { code?: string };
      out.refusedAfterSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      out.code = e.code ?? null;
      // importFile passes the message on (InputError); the bound is named in it.
      out.limit = /\(raised by (\w+)\)/.exec(e.message)?.[1] ?? null;
      const reached = /reached ([\d,.]+\d)/.exec(e.message)?.[1];
      out.measured = reached ? Number(reached.replaceAll(',', '')) : null;
    }
  }
  clearInterval(sample);
  out.peakHeapMiB = Math.max(peakHeap, process.memoryUsage().heapUsed) / MiB;
  out.peakRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

async function ensureBomb(): Promise<{ bytes: number; inflatedBytes: number }> {
  if (!existsSync(BOMB)) {
    process.stderr.write('writing the zip bomb (once) …\n');
    await mkdir(DATA, { recursive: true });
    await writeXlsxBomb(`${BOMB}.partial`, { inflatedBytes: INFLATED });
    await rename(`${BOMB}.partial`, BOMB);
  }
  return { bytes: (await stat(BOMB)).size, inflatedBytes: INFLATED };
}

function runChildren(scenario: Scenario, runs: number) {
  return Array.from({ length: runs }, () => {
    const started = process.hrtime.bigint();
    const run = JSON.parse(
      execFileSync(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'bench', 'excel-bomb.ts'), '--child', scenario],
        {
          encoding: 'utf8',
        },
      ),
    ) as ChildRun;
    return { ...run, processSeconds: Number(process.hrtime.bigint() - started) / 1e9 };
  });
}

const summary = (runs: ReturnType<typeof runChildren>) => ({
  code: runs[0]!.code,
  limit: runs[0]!.limit,
  refusedAfterSeconds: runs.every((r) => r.refusedAfterSeconds !== null)
    ? Number(median(runs.map((r) => r.refusedAfterSeconds!)).toFixed(3))
    : null,
  processSeconds: Number(median(runs.map((r) => r.processSeconds)).toFixed(2)),
  rowsBeforeRefusal: median(runs.map((r) => r.rows)),
  peakRssMiB: Math.round(median(runs.map((r) => r.peakRssMiB))),
  peakHeapMiB: Math.round(median(runs.map((r) => r.peakHeapMiB))),
  runs,
});

async function main(): Promise<void> {
  const bomb = await ensureBomb();
  const idle = summary(runChildren('idle', 3));
  const defaults = summary(runChildren('defaults', RUNS));
  const sizeOnly = summary(runChildren('inflated-size-only', 3));
  const result = {
    machine: machine(),
    // Other work on the machine slows every figure: the 1-minute load average when they were taken.
    loadAverage: Number(loadavg()[0]!.toFixed(1)),
    bomb: {
      megabytes: Number((bomb.bytes / 1e6).toFixed(2)),
      inflatedMiB: bomb.inflatedBytes / MiB,
      ratio: Math.round(bomb.inflatedBytes / bomb.bytes),
    },
    limits: DEFAULT_INPUT_LIMITS,
    defaults,
    inflatedSizeOnly: sizeOnly,
    modulesOnly: { peakRssMiB: idle.peakRssMiB, peakHeapMiB: idle.peakHeapMiB },
  };
  const m = result.machine;
  const line = (what: string, s: typeof defaults, runs: number) =>
    `| ${what} | ${s.code} (${s.limit}) | ${s.refusedAfterSeconds} s | ${s.processSeconds} s | ${s.rowsBeforeRefusal.toLocaleString('en-US')} | ${s.peakRssMiB} MiB | ${runs} |`;
  const md = [
    '# Excel zip bomb',
    '',
    `A C1-HocSinh .xlsx of ${result.bomb.megabytes} MB whose sheet inflates to ${result.bomb.inflatedMiB} MiB (${result.bomb.ratio}:1), imported as \`edubridge import\` does, each run in a fresh process; medians. Target (issue 14): refused in under 2 s with RSS under 300 MB.`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; measured ${m.date}, load average ${result.loadAverage}.`,
    '',
    '| bounds | refused with | import start → refusal | whole process | rows read before | peak RSS | runs |',
    '|---|---|---:|---:|---:|---:|---:|',
    line('defaults', defaults, RUNS),
    line('ratio bound raised to 100,000:1 (the inflated size alone)', sizeOnly, 3),
    '',
    `A process that only loads the same modules peaks at ${idle.peakRssMiB} MiB RSS.`,
    '',
  ].join('\n');
  await mkdir(RESULTS, { recursive: true });
  await writeFile(join(RESULTS, 'excel-bomb.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(RESULTS, 'excel-bomb.md'), md);
  process.stdout.write(`${md}\n`);
}

const childAt = process.argv.indexOf('--child');
if (childAt > 0) await child(process.argv[childAt + 1] as Scenario);
else await main();
