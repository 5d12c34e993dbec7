/** The `edubridge` command: the program of bin/cli.ts, run on this process's arguments. */
import { runProgram } from '../src/cli/program.ts';
import { buildCli } from './cli.ts';

const ctx = { exitCode: 0 };
const code = await runProgram(buildCli(ctx), ctx);
// Let stdout drain before leaving, so piped JSON is never cut short.
process.stdout.write('', () => process.exit(code));
