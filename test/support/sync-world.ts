/**
 * A school, a city and a database of a test's own, for tests that run syncs end to end in this
 * process: the sandbox REST school system, the city Education DB behind its gateway (some students
 * unknown to it when `unknownEvery` says so) and an in-memory PGlite with the hub's schema.
 */
import rest from '../../adapters/rest/index.ts';
import { type CitySandbox, startCitySandbox } from '../../sandbox/city-edudb/index.ts';
import { type RestSchool, startRestSchool } from '../../sandbox/vendors/rest-school/index.ts';
import { createGatewayClient, type GatewayClientOptions } from '../../src/gateway/index.ts';
import type { CanonicalRecord } from '../../src/model/index.ts';
import type { Adapter, ReadItem } from '../../src/sdk/index.ts';
import type { Database } from '../../src/store/index.ts';
import { createCityEduDbTarget } from '../../src/targets/city-edudb.ts';
import { memoryDatabase } from './memory-database.ts';

export const SYNC_WORLD_API_KEY = 'sync-world-key';

export interface SyncWorld {
  city: CitySandbox;
  school: RestSchool;
  db: Database;
  /** The REST adapter's config for this school. */
  adapterConfig: { baseUrl: string; profile: string; auth: { type: 'apiKey'; key: string } };
  /** A city Education DB target through this world's gateway (a new client each call). */
  target(): ReturnType<typeof createCityEduDbTarget>;
  close(): Promise<void>;
}

export async function startSyncWorld(
  district: { seed: number; classesPerGrade: number; classSize: number },
  unknownEvery: number,
): Promise<SyncWorld> {
  const whole = { schools: 1, ...district };
  const city = await startCitySandbox({ personality: 'wso2', district: { ...whole, unknownEvery } });
  const school = await startRestSchool({ ...whole, auth: { type: 'apiKey', key: SYNC_WORLD_API_KEY } });
  const db = await memoryDatabase();
  return {
    city,
    school,
    db,
    adapterConfig: {
      baseUrl: school.url,
      profile: 'sandbox-school',
      auth: { type: 'apiKey', key: SYNC_WORLD_API_KEY },
    },
    target: () =>
      createCityEduDbTarget({
        gateway: createGatewayClient(city.gatewayClientOptions() as unknown as GatewayClientOptions),
      }),
    async close() {
      await db.close();
      await school.close();
      await city.close();
    },
  };
}

/** The REST adapter with its read reshaped: the school's software as it behaves in the test. */
export function reshaped(reshape: (items: AsyncIterable<ReadItem>) => AsyncIterable<ReadItem>): Adapter {
  return { ...rest, read: (stream, ctx) => reshape(rest.read(stream as never, ctx as never)) } as Adapter;
}

export const isStudent = (item: ReadItem): item is Extract<CanonicalRecord, { type: 'student' }> =>
  !('kind' in item) && item.type === 'student';
