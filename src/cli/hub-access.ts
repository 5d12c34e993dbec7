/**
 * Where a CLI command that reads or changes a hub's state (runs, dead letters, held runs) finds
 * it: through the running hub's API when EDUBRIDGE_URL and EDUBRIDGE_API_KEY are set, otherwise in
 * the configured database, opened through the composition root like every other entry point.
 *
 * A database in memory (no DATABASE_URL, no PGLITE_DIR) is a new, empty one made for this process:
 * whatever it answered ("no dead letters") would be about nothing, so the command says so instead.
 */
import type { Hub } from '../app/hub.ts';
import { HubClient, hubUrl } from './hub-client.ts';
import { usageError } from './io.ts';

export type HubAccess = { kind: 'remote'; client: HubClient } | { kind: 'local'; hub: Hub };

/** Runs `work` against the hub as the environment says, and closes what was opened for it. */
export async function withHubAccess<T>(work: (access: HubAccess) => Promise<T>): Promise<T> {
  const { environment } = await import('../config/index.ts');
  const env = environment();
  const url = nonEmpty(env.EDUBRIDGE_URL);
  const apiKey = nonEmpty(env.EDUBRIDGE_API_KEY);
  if (url !== undefined || apiKey !== undefined) {
    if (url === undefined || apiKey === undefined)
      throw usageError('HUB_ACCESS_INCOMPLETE', {
        given: url === undefined ? 'EDUBRIDGE_API_KEY' : 'EDUBRIDGE_URL',
        missing: url === undefined ? 'EDUBRIDGE_URL' : 'EDUBRIDGE_API_KEY',
      });
    const httpHosts = (env.EDUBRIDGE_HTTP_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    return work({ kind: 'remote', client: new HubClient({ url: hubUrl(url, httpHosts), apiKey }) });
  }
  const { loadConfig } = await import('../config/index.ts');
  const config = loadConfig();
  if (!config.DATABASE_URL && !config.PGLITE_DIR) throw usageError('HUB_DATABASE_IN_MEMORY', {});
  const { createHub } = await import('../app/hub.ts');
  const { migrateToLatest } = await import('../store/index.ts');
  const hub = await createHub(config, { logger: quietLogger });
  try {
    await migrateToLatest(hub.database);
    return await work({ kind: 'local', hub });
  } finally {
    await hub.close();
  }
}

const nonEmpty = (value: string | undefined) =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

/** A command's own output is its answer: the hub's warnings (a slow close) go to stderr, one line. */
const quietLogger = {
  debug: () => {},
  info: () => {},
  warn: (msg: string) => process.stderr.write(`${msg}\n`),
  error: (msg: string) => process.stderr.write(`${msg}\n`),
};
