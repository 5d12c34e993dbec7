/**
 * Child process of the generator benchmark: generates one district (every stream) and prints the
 * time, output size and peak memory, so each run starts fresh.
 */
import { rmSync } from 'node:fs';
import { generateDistrict } from '../sandbox/generator/index.ts';

const [outDir, schools] = process.argv.slice(2);
if (!outDir || !schools) throw new Error('usage: generate-child.ts <outDir> <schools>');
rmSync(outDir, { recursive: true, force: true });
let peakHeap = 0;
const sample = setInterval(() => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}, 20);
const started = process.hrtime.bigint();
const summary = await generateDistrict({ outDir, schools: Number(schools), seed: 7 });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
clearInterval(sample);
rmSync(outDir, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({
    students: summary.students,
    lines: Object.values(summary.files).reduce((a, b) => a + b, 0),
    megabytes: Object.values(summary.bytes).reduce((a, b) => a + b, 0) / 1024 / 1024,
    seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    peakHeapMiB: peakHeap / 1024 / 1024,
  })}\n`,
);
