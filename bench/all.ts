/**
 * `npm run bench [-- validate|rest|excel|bomb|sync|floor|overview|reports … [--option value …]]`: runs the named benchmarks (all
 * of them when none is named), each in its own process, so one's memory never counts in another's
 * figures. Options after the names go to each benchmark (`npm run bench -- sync --workers 0`).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const BENCHES: Record<string, { file: string; flags: string[]; args?: string[] }> = {
  validate: { file: 'run.ts', flags: ['--expose-gc'] },
  rest: { file: 'rest-read.ts', flags: [] },
  excel: { file: 'excel-import.ts', flags: [] },
  bomb: { file: 'excel-bomb.ts', flags: [] },
  sync: { file: 'sync.ts', flags: [] },
  // The hub's first sync and the plain-fetch floor on the same district in the same run, and their ratio.
  floor: { file: 'sync.ts', flags: [], args: ['--floor-only'] },
  'auth-flood': { file: 'auth-flood.ts', flags: [] },
  overview: { file: 'overview.ts', flags: [] },
  reports: { file: 'reports.ts', flags: [] },
};

const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('-'));
const asked = firstOption < 0 ? args : args.slice(0, firstOption);
const options = firstOption < 0 ? [] : args.slice(firstOption);
const unknown = asked.filter((a) => !(a in BENCHES));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown benchmark(s): ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}\n`,
  );
  process.exit(2);
}
for (const name of asked.length > 0 ? asked : Object.keys(BENCHES)) {
  const { file, flags, args: own = [] } = BENCHES[name]!;
  process.stdout.write(`\n== ${name} ==\n`);
  const r = spawnSync(
    process.execPath,
    [...flags, '--import', 'tsx', join(import.meta.dirname, file), ...own, ...options],
    {
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}
