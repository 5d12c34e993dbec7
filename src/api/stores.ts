import type { StoreName } from '../app/store-guard.ts';

/** What a route's `config` may say: the stores it needs to answer (default: the database). */
export interface RouteStores {
  stores?: readonly StoreName[];
}

/** The `config` of a route that queues work: it needs Redis as well as the database. */
export const QUEUES_WORK = { stores: ['database', 'redis'] } as const satisfies RouteStores;
