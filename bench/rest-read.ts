/**
 * REST adapter throughput: the sandbox REST school system serving about 100,000 students (in a
 * child process, so its memory is not counted), read through the `rest` adapter with the shipped
 * profile, no rules. Each read runs in a fresh process; records/s and peak RSS, median of 3.
 *
 *   node --import tsx bench/rest-read.ts [--students 100000] [--page-size 1000] [--runs 3]
 *
 * Prints a markdown line (and the runs as JSON on stderr).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { machine, median } from './machine.ts';

const STUDENTS_PER_SCHOOL = 4 * 8 * 42;
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const API_KEY = 'bench-api-key';

async function serve(): Promise<void> {
  const { startRestSchool } = await import('../sandbox/vendors/rest-school/index.ts');
  const students = option('--students', 100_000);
  const school = await startRestSchool({
    seed: 42,
    schools: Math.ceil(students / STUDENTS_PER_SCHOOL),
    auth: { type: 'apiKey', key: API_KEY },
  });
  process.stdout.write(`${JSON.stringify({ url: school.url, students: school.state.data.students.size })}\n`);
  process.on('SIGTERM', () => void school.close().then(() => process.exit(0)));
}

async function readOnce(url: string): Promise<void> {
  const { default: adapter } = await import('../adapters/rest/index.ts');
  const { isSignal, parseAdapterConfig } = await import('../src/sdk/index.ts');
  const { readContext, silentLogger } = await import('../src/sdk/conformance/index.ts');
  const config = parseAdapterConfig(
    adapter.configSchema,
    {
      baseUrl: url,
      profile: 'sandbox-school',
      auth: { type: 'apiKey', key: API_KEY },
      pageSize: option('--page-size', 1000),
    },
    'rest',
  );
  const ctx = readContext(
    { logger: silentLogger, signal: new AbortController().signal, now: () => new Date() },
    config,
    undefined,
  );
  const started = process.hrtime.bigint();
  let records = 0;
  let rejected = 0;
  for await (const item of adapter.read('students', ctx)) {
    if (!isSignal(item)) records++;
    else if (item.kind === 'rejected') rejected++;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    `${JSON.stringify({ records, rejected, seconds, rate: records / seconds, peakRssMiB })}\n`,
  );
}

function child(extra: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', import.meta.filename, ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

async function firstLine(proc: ChildProcess): Promise<string> {
  const lines = createInterface({ input: proc.stdout! });
  for await (const line of lines) return line;
  throw new Error('child process printed nothing');
}

async function main(): Promise<void> {
  const server = child(['--serve', '--students', String(option('--students', 100_000))]);
  try {
    const { url, students } = JSON.parse(await firstLine(server)) as { url: string; students: number };
    const runs: Array<{
      records: number;
      rejected: number;
      seconds: number;
      rate: number;
      peakRssMiB: number;
    }> = [];
    for (let i = 0; i < option('--runs', 3); i++) {
      const reader = child(['--read', url, '--page-size', String(option('--page-size', 1000))]);
      const run = JSON.parse(await firstLine(reader)) as (typeof runs)[number];
      await once(reader, 'exit');
      if (run.records !== students || run.rejected !== 0) {
        throw new Error(`read ${run.records} records (${run.rejected} rejected) of ${students}`);
      }
      runs.push(run);
    }
    const rate = median(runs.map((r) => r.rate));
    const rss = median(runs.map((r) => r.peakRssMiB));
    const secs = median(runs.map((r) => r.seconds));
    const line = `| REST adapter, sandbox school system, ${students.toLocaleString('en-US')} students (page size ${option('--page-size', 1000)}, no rules, median of ${runs.length}) | ${secs.toFixed(2)} s | **${Math.round(rate).toLocaleString('en-US')} records/s** | peak RSS ${Math.round(rss)} MiB |`;
    const results = join(import.meta.dirname, 'results');
    await mkdir(results, { recursive: true });
    await writeFile(
      join(results, 'rest-read.json'),
      `${JSON.stringify({ machine: machine(), students, recordsPerSecond: Math.round(rate), seconds: secs, peakRssMiB: Math.round(rss), runs }, null, 2)}\n`,
    );
    process.stdout.write(`${line}\n`);
  } finally {
    server.kill('SIGTERM');
  }
}

if (args.includes('--serve')) await serve();
else if (args.includes('--read')) await readOnce(args[args.indexOf('--read') + 1]!);
else await main();
