/**
 * `npm run faults`: the hub under the failures a deployment meets (workers killed, Redis and
 * PostgreSQL restarted, the city down, answers lost, a broken page, the API without Redis), each
 * scenario against real processes and ending with the same reconciliation. One line a scenario,
 * then `faults: N passed, N failed`; exit code 0 only when every scenario passed.
 *
 *   npm run faults                         every scenario (CI runs this after npm test)
 *   npm run faults -- --only a,b           the named scenarios
 *   npm run faults -- --list               their names and what each does
 *   npm run faults -- --keep               leave the temp dir (logs, PostgreSQL data) for a look
 *   npm run faults -- --soak 10            faults at random for 10 minutes while a large district syncs
 */
import { cpSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { killAllChildren, killChildrenOnExit } from './children.ts';
import { runScenario, type ScenarioReport } from './scenario.ts';
import { SCENARIOS } from './scenarios.ts';
import { startPostgres } from './services.ts';
import { soak } from './soak.ts';

const usage = 'usage: npm run faults -- [--only name,…] [--list] [--keep] [--soak MINUTES]';

function fail(message: string): never {
  process.stderr.write(`faults: ${message}\n${usage}\n`);
  process.exit(2);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      only: { type: 'string' },
      list: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      soak: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
}
try {
  args = parse();
} catch (error) {
  fail((error as Error).message);
}
const { values } = args;
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
if (values.list) {
  for (const s of SCENARIOS) process.stdout.write(`${s.name.padEnd(32)} ${s.about}\n`);
  process.exit(0);
}
const only = values.only
  ?.split(',')
  .map((n) => n.trim())
  .filter(Boolean);
const unknown = only?.filter((n) => !SCENARIOS.some((s) => s.name === n)) ?? [];
if (unknown.length > 0) fail(`no scenario named ${unknown.join(', ')} (--list shows them)`);
const soakMinutes = values.soak === undefined ? undefined : Number(values.soak);
if (soakMinutes !== undefined && !(Number.isFinite(soakMinutes) && soakMinutes > 0 && soakMinutes <= 24 * 60))
  fail('--soak takes a number of minutes, more than 0');

const root = resolve(import.meta.dirname, '..', '..');
const dir = await mkdtemp(join(tmpdir(), 'edubridge-faults-'));
killChildrenOnExit((error) => process.stderr.write(`faults: ${(error as Error)?.stack ?? String(error)}\n`));
// After the children are killed (their handler came first): on Ctrl-C or a crash too, no temp dir
// of PostgreSQL data is left behind unless asked for.
process.on('exit', () => {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
});

const started = performance.now();
const pg = await startPostgres(dir);
const suite = { dir, pg, root };
let failed = 0;
let passed = 0;
try {
  if (soakMinutes !== undefined) {
    const report = await soak(suite, soakMinutes, values.keep);
    print(report);
  } else {
    const chosen = only ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS;
    for (const scenario of chosen) {
      // Every scenario starts with PostgreSQL up, whatever the one before did to it.
      if (!pg.running) await pg.start();
      print(await runScenario(suite, scenario, values.keep));
    }
  }
} finally {
  await pg.close();
  killAllChildren();
  if (values.keep) process.stdout.write(`faults: logs and data kept in ${dir}\n`);
  else {
    // A failure's process logs are what the next person needs: they stay (not the data).
    if (failed > 0) {
      const logs = `${dir}-logs`;
      cpSync(dir, logs, {
        recursive: true,
        filter: (from) => statSync(from).isDirectory() || from.endsWith('.log'),
      });
      process.stdout.write(`faults: the hub processes' logs kept in ${logs}\n`);
    }
    await rm(dir, { recursive: true, force: true });
  }
}
process.stdout.write(`faults: wall clock ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
process.stdout.write(`faults: ${passed} passed, ${failed} failed\n`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;

function print(report: ScenarioReport) {
  if (report.passed) passed++;
  else failed++;
  process.stdout.write(`${report.line}\n`);
  for (const line of report.details) process.stdout.write(`${line}\n`);
}
