/**
 * Child process of the validation benchmark: validates one file and prints its peak memory, so
 * each size is measured in a fresh process.
 */
import { validatePath } from '../src/quality/validate-files.ts';

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: validate-memory.ts <file.jsonl>');
let peakHeap = 0;
const sample = setInterval(() => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}, 20);
const started = process.hrtime.bigint();
const report = await validatePath(file, { asOf: new Date('2026-11-27T00:00:00Z'), maxProblems: 1000 });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
clearInterval(sample);
peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
process.stdout.write(
  `${JSON.stringify({
    records: report.totals.records,
    invalid: report.totals.invalid,
    seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    peakHeapMiB: peakHeap / 1024 / 1024,
  })}\n`,
);
