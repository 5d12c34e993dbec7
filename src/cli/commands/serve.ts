import type { Command } from 'commander';
import { buildApp } from '../../app/index.ts';
import { loadConfig } from '../../config/index.ts';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Chạy máy chủ API EduBridge / Run the EduBridge API server')
    .action(async () => {
      const config = loadConfig();
      const app = await buildApp(config);
      const close = async () => {
        await app.close();
        process.exit(0);
      };
      process.once('SIGINT', close);
      process.once('SIGTERM', close);
      await app.listen({ host: config.HOST, port: config.PORT });
    });
}
