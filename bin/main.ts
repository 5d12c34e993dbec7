/**
 * Composition root of the `edubridge` command: the hub's commands from src/, plus the sandbox's
 * (generator, demo), which live outside src/ because the hub itself never depends on simulators.
 */
import { registerSandboxCommands } from '../sandbox/cli.ts';
import { buildProgram, type CliContext, runProgram } from '../src/cli/program.ts';

const ctx: CliContext = { exitCode: 0 };
const program = buildProgram(ctx);
registerSandboxCommands(program, ctx);
const code = await runProgram(program, ctx);
// Let stdout drain before leaving, so piped JSON is never cut short.
process.stdout.write('', () => process.exit(code));
