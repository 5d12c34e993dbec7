/**
 * Composition root of the `edubridge` command: the hub's commands from src/, plus the sandbox's
 * (generator, demo), which live outside src/ because the hub itself never depends on simulators,
 * and the built-in adapters of adapters/, which src/ reaches only through the SDK contract.
 * `bin/main.ts` runs it; `npm run commands-doc` writes docs/commands.md from it.
 */
import type { Command } from 'commander';
import { BUILT_IN_ADAPTERS, loadBuiltInAdapter } from '../adapters/index.ts';
import { registerSandboxCommands } from '../sandbox/cli.ts';
import { registerDemoCommand } from '../sandbox/demo.ts';
import { registerAdapterReadCommand } from '../src/cli/commands/adapter-read.ts';
import { registerImportCommand } from '../src/cli/commands/import.ts';
import { registerServeCommand } from '../src/cli/commands/serve.ts';
import { registerSourcesCommands } from '../src/cli/commands/sources.ts';
import { registerSyncCommand } from '../src/cli/commands/sync.ts';
import { registerWorkerCommand } from '../src/cli/commands/worker.ts';
import { buildProgram, type CliContext } from '../src/cli/program.ts';
import { createAdapterCatalogue } from '../src/pipeline/sources/adapters.ts';

export function buildCli(ctx: CliContext): Command {
  const program = buildProgram(ctx);
  // The built-in adapters are handed to the commands that use them, loaded only when they run.
  registerImportCommand(
    program,
    (code) => {
      ctx.exitCode = code;
    },
    { excel: () => loadBuiltInAdapter('excel') },
  );
  // Every adapter a sources file may name: the built-in ones by id, any other by path or package.
  const adapters = createAdapterCatalogue(
    Object.fromEntries(BUILT_IN_ADAPTERS.map((id) => [id, () => loadBuiltInAdapter(id)])),
  );
  registerSyncCommand(
    program,
    (code) => {
      ctx.exitCode = code;
    },
    adapters,
  );
  registerWorkerCommand(program, adapters);
  registerServeCommand(program, adapters);
  registerSourcesCommands(program, ctx, adapters);
  registerAdapterReadCommand(program, ctx, adapters);
  registerSandboxCommands(program, ctx);
  registerDemoCommand(program, ctx, adapters);
  return program;
}
