#!/usr/bin/env node
// Runs vitest and closes with one plain line, `tests: N passed, N failed[, N skipped]`, read by CI
// (vitest's own summary is not in a form it reads). Fails when vitest fails or when nothing ran, so a
// run that tested nothing cannot pass. Extra arguments go to vitest: `node scripts/test-summary.mjs test/`.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const vitestBin = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');

const dir = await mkdtemp(join(tmpdir(), 'edubridge-vitest-'));
const reportPath = join(dir, 'report.json');

try {
  const exitCode = await run(process.execPath, [
    vitestBin,
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile=${reportPath}`,
    ...process.argv.slice(2),
  ]);
  const report = await readReport(reportPath);
  const passed = report?.numPassedTests ?? 0;
  const skipped = (report?.numPendingTests ?? 0) + (report?.numTodoTests ?? 0);
  // A file that fails to load (syntax error, failing hook) has no failed test of its own: count it.
  const brokenFiles = (report?.testResults ?? []).filter(
    (file) => file.status === 'failed' && !file.assertionResults?.some((test) => test.status === 'failed'),
  ).length;
  const failed = (report?.numFailedTests ?? 0) + brokenFiles;

  if (report === undefined) console.log('vitest wrote no report (it crashed before the end)');
  if (brokenFiles > 0) console.log(`${brokenFiles} test file(s) failed outside any test`);
  if (passed + failed === 0) console.log('no test ran');
  console.log(`tests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);

  process.exitCode = exitCode !== 0 || failed > 0 || passed === 0 ? exitCode || 1 : 0;
} finally {
  await rm(dir, { recursive: true, force: true });
}

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function readReport(path) {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}
