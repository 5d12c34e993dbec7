import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ScheduleService } from '../pipeline/schedules.ts';
import type { RunService } from '../pipeline/service.ts';
import type { Database, Keyring } from '../store/index.ts';
import { installApiKeyAuth, type Principal } from './auth.ts';
import type { ApiLimits } from './limits.ts';
import { auditRoutes } from './routes/audit.ts';
import { deadLettersRoutes } from './routes/dead-letters.ts';
import { eventsRoutes } from './routes/events.ts';
import { type IdentityRuntime, identityRoutes } from './routes/identity.ts';
import { overviewRoutes } from './routes/overview.ts';
import { paymentsRoutes } from './routes/payments.ts';
import { peopleRoutes } from './routes/people.ts';
import { recordsRoutes } from './routes/records.ts';
import { replayRequestsRoutes } from './routes/replay-requests.ts';
import { reportsRoutes } from './routes/reports.ts';
import { runsRoutes } from './routes/runs.ts';
import { schedulesRoutes } from './routes/schedules.ts';
import { whoamiRoutes } from './routes/whoami.ts';
import type { RouteStores, StoreGuard } from './stores.ts';

export {
  API_KEY_HEADER,
  type ApiKeyAuthOptions,
  type AuthAction,
  type AuthorizeCheck,
  authorize,
  installApiKeyAuth,
  type Principal,
  refusal,
  refusalRule,
  type ScopeRule,
  SECURED,
  SECURITY_SCHEMES,
} from './auth.ts';
export { QUEUES_WORK, type RouteStores } from './stores.ts';

export interface ApiV1Options {
  database: Database;
  /** The hub's keyring: refused input is audited as a keyed hash of it (src/api/auth.ts). */
  keyring: Keyring;
  /** The run service, built when first needed. */
  runs: () => RunService;
  /** Schools' schedules; without it the schedule routes answer 503 `SCHEDULES_UNAVAILABLE`. */
  schedules?: () => ScheduleService;
  /** Identity checks; without it the identity routes are not registered. */
  identity?: () => IdentityRuntime;
  /**
   * Answers 503 at once while a store a route needs is away (see app/store-guard.ts). A route
   * names the stores it needs in its `config.stores`; PostgreSQL by default.
   */
  guard?: StoreGuard;
  /** Rate limits (failed authentication, identity checks); none without. */
  limits?: ApiLimits;
  /** Dead letters one replay may send before a second district user must approve; default 100. */
  replayApprovalThreshold?: number;
  /** Who holds an SSO access token (the console signed in with VNeID); API keys only without. */
  bearerToken?: (token: string) => Promise<Principal | undefined>;
}

/**
 * The versioned API: register with `{ prefix: '/v1' }`. Every route registered here, directly or in
 * a child plugin, sits behind the API-key check and must call `authorize`.
 */
export const apiV1: FastifyPluginAsyncZod<ApiV1Options> = async (
  app,
  { database, keyring, runs, schedules, identity, guard, limits, bearerToken, replayApprovalThreshold = 100 },
) => {
  // Before the API-key check, which reads the database itself.
  if (guard) {
    app.addHook('onRequest', async (request) => {
      const stores = (request.routeOptions.config as RouteStores | undefined)?.stores ?? ['database'];
      await guard.ensure(stores);
    });
  }
  installApiKeyAuth(app, {
    database,
    keyring,
    ...(limits ? { limits } : {}),
    ...(bearerToken ? { bearerToken } : {}),
  });
  await app.register(whoamiRoutes);
  await app.register(auditRoutes, { database });
  await app.register(runsRoutes, { database, runs });
  await app.register(recordsRoutes, { database, runs });
  await app.register(deadLettersRoutes, { database, runs, replayApprovalThreshold });
  await app.register(replayRequestsRoutes, { database, runs });
  await app.register(eventsRoutes, { database });
  await app.register(schedulesRoutes, { runs, schedules });
  await app.register(paymentsRoutes, { database, runs });
  await app.register(overviewRoutes, { database, runs });
  await app.register(peopleRoutes, { database, keyring });
  await app.register(reportsRoutes, { database });
  if (identity)
    await app.register(identityRoutes, { database, identity, ...(limits ? { limit: limits.identity } : {}) });
};
