import type { Command } from 'commander';
import type { AdapterCatalogue } from '../../pipeline/sources/index.ts';

/** `adapters` lets the API read a school's source (reconciliation); the composition root gives it. */
export function registerServeCommand(program: Command, adapters?: AdapterCatalogue): void {
  program
    .command('serve')
    .description('Chạy máy chủ API EduBridge / Run the EduBridge API server')
    .action(async () => {
      // Loaded here, not at the top: the server's modules take a second to load, and no other
      // command needs them.
      const { loadConfig } = await import('../../config/index.ts');
      const { createHub } = await import('../../app/hub.ts');
      const { checkServeSettings } = await import('../../app/startup.ts');
      const config = loadConfig();
      const problems = await checkServeSettings(config, adapters);
      const hub = await createHub(config, adapters ? { adapters } : {});
      // The API is all this process serves: closing it closes the hub.
      const app = await hub.app({ closesHub: true });
      for (const p of problems) {
        app.log.error({ school: p.school, code: p.code }, `school source unusable: ${p.message}`);
      }
      // The command lives as long as the server: it resolves when the server closes, which a
      // SIGINT or SIGTERM asks for after in-flight requests finish.
      let signalled = false;
      const closed = new Promise<void>((resolve) =>
        app.server.once('close', () => {
          // A server that closes without a signal is a fault to chase (the 30-minute soak saw an
          // API leave with exit 0 and no word): say so, with where the close came from.
          if (!signalled)
            app.log.error({ stack: new Error('closed').stack }, 'server closed without a signal');
          resolve();
        }),
      );
      process.once('beforeExit', () => {
        if (!signalled)
          app.log.error({ listening: app.server.listening }, 'process leaving with nothing left to do');
      });
      const stop = () => {
        signalled = true;
        void app.close();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await app.listen({ host: config.HOST, port: config.PORT });
      await closed;
    });
}
