/** The stores a request may need (the app's store guard checks them before the route runs). */
export type StoreName = 'database' | 'redis';

/** What the API is given to check the stores a route needs; the app makes it (store-guard.ts). */
export interface StoreGuard {
  /** Resolves when every named store answers; else throws a 503 ProblemError naming the ones away. */
  ensure(stores: readonly StoreName[]): Promise<void>;
  /** Drops what is known of a store (its connection just closed): the next request probes it. */
  forget(store: StoreName): void;
}

/** What a route's `config` may say: the stores it needs to answer (default: the database). */
export interface RouteStores {
  stores?: readonly StoreName[];
}

/** The `config` of a route that queues work: it needs Redis as well as the database. */
export const QUEUES_WORK = { stores: ['database', 'redis'] } as const satisfies RouteStores;
