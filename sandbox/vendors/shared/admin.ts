/**
 * The simulators' admin endpoints, for tests and demos driving a simulator in another process:
 * `GET /_admin/state`, `POST /_admin/faults` (a FaultPlan), `POST /_admin/mutate` (the
 * simulator's own mutation request), `POST /_admin/revoke-tokens`. Loopback only, no auth: the
 * simulators serve synthetic data.
 */
import type { FastifyInstance } from 'fastify';
import type { FaultInjector, FaultPlan } from './faults.ts';

export const ADMIN_PREFIX = '/_admin';

export interface AdminHooks {
  faults: FaultInjector;
  /** Applies a mutation request and returns what changed. */
  mutate?: (request: unknown) => unknown;
  revokeTokens?: () => void;
  /** Counters and sizes worth showing. */
  describe: () => Record<string, unknown>;
}

export function registerAdmin(app: FastifyInstance, hooks: AdminHooks): void {
  app.get(`${ADMIN_PREFIX}/state`, async () => ({
    ...hooks.describe(),
    faults: { plan: hooks.faults.current(), injected: hooks.faults.injected },
  }));
  app.post(`${ADMIN_PREFIX}/faults`, async (request) => {
    hooks.faults.set((request.body ?? {}) as FaultPlan);
    return { plan: hooks.faults.current() };
  });
  if (hooks.mutate) {
    const mutate = hooks.mutate;
    app.post(`${ADMIN_PREFIX}/mutate`, async (request) => mutate(request.body ?? {}));
  }
  if (hooks.revokeTokens) {
    const revoke = hooks.revokeTokens;
    app.post(`${ADMIN_PREFIX}/revoke-tokens`, async () => {
      revoke();
      return { revoked: true };
    });
  }
}
