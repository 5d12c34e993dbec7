/**
 * Composition root of the `edubridge` command: the hub's commands from src/, plus the sandbox's
 * (generator, demo), which live outside src/ because the hub itself never depends on simulators,
 * and the built-in adapters of adapters/, which src/ reaches only through the SDK contract.
 */
import { BUILT_IN_ADAPTERS, type BuiltInAdapterId, loadBuiltInAdapter } from '../adapters/index.ts';
import { registerSandboxCommands } from '../sandbox/cli.ts';
import { registerDemoCommand } from '../sandbox/demo.ts';
import { registerImportCommand } from '../src/cli/commands/import.ts';
import { registerServeCommand } from '../src/cli/commands/serve.ts';
import { registerSyncCommand } from '../src/cli/commands/sync.ts';
import { registerWorkerCommand } from '../src/cli/commands/worker.ts';
import { usageError } from '../src/cli/io.ts';
import { buildProgram, type CliContext, runProgram } from '../src/cli/program.ts';

const ctx: CliContext = { exitCode: 0 };
const program = buildProgram(ctx);
// The built-in adapters are handed to the commands that use them, loaded only when they run.
registerImportCommand(
  program,
  (code) => {
    ctx.exitCode = code;
  },
  { excel: () => loadBuiltInAdapter('excel') },
);
const builtInAdapters = {
  load: (id: string) => {
    if (!(BUILT_IN_ADAPTERS as string[]).includes(id)) {
      throw usageError('ADAPTER_UNKNOWN', { adapter: id, known: BUILT_IN_ADAPTERS.join(', ') });
    }
    return loadBuiltInAdapter(id as BuiltInAdapterId);
  },
};
registerSyncCommand(
  program,
  (code) => {
    ctx.exitCode = code;
  },
  builtInAdapters,
);
registerWorkerCommand(program, builtInAdapters);
registerServeCommand(program, builtInAdapters);
registerSandboxCommands(program, ctx);
registerDemoCommand(program, ctx, builtInAdapters.load);
const code = await runProgram(program, ctx);
// Let stdout drain before leaving, so piped JSON is never cut short.
process.stdout.write('', () => process.exit(code));
