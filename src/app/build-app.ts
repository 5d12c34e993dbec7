/**
 * `buildApp`: the hub's HTTP app from the configuration alone, over a hub of its own. Apart from
 * build.ts because it starts from the composition root (hub.ts), which builds its app with
 * build.ts: the two would import each other.
 */
import type { DestinationStream } from 'pino';
import type { Config } from '../config/index.ts';
import type { App } from './app.ts';
import { createHub, type HubOverrides } from './hub.ts';

/**
 * What a caller brings to `buildApp` instead of the hub's own parts (see `HubOverrides`): a part
 * given stays the caller's to close; the rest is made from the config and closed with the app.
 */
export interface AppDeps extends HubOverrides {
  /** Where logs go instead of stdout (tests read them). */
  logStream?: DestinationStream;
}

/**
 * The hub's HTTP app, not yet listening: `await app.listen(...)` or `app.inject(...)`. A hub of
 * its own (see `createHub`), closed with the app.
 *
 * @example
 * const app = await buildApp(loadConfig());
 * await app.listen({ host: config.HOST, port: config.PORT });
 */
export async function buildApp(config: Config, deps: AppDeps = {}): Promise<App> {
  const { logStream, ...overrides } = deps;
  const hub = await createHub(config, overrides);
  try {
    return await hub.app({ closesHub: true, ...(logStream ? { logStream } : {}) });
  } catch (error) {
    await hub.close();
    throw error;
  }
}
