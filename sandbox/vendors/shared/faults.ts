/**
 * Misbehaviour on demand, the same for every simulator: a plan of faults (slow answers, 429 with
 * Retry-After, bursts of 5xx, broken, short, empty or hollow pages, vendor errors such as SOAP
 * faults, revoked tokens)
 * that a test sets through the simulator's options, its `state`, or `POST /_admin/faults`, and
 * counters of what was injected, so a test can show that a client survived it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface FaultPlan {
  /** Added before every matching answer. */
  latencyMs?: number;
  /** The next `count` matching requests answer 429 with `Retry-After`. */
  rateLimit?: { count: number; retryAfterSeconds?: number };
  /** The next `count` matching requests answer `status` (default 503). */
  serverErrors?: { count: number; status?: number; retryAfterSeconds?: number };
  /** The next `count` data pages are cut short, so their body does not parse. */
  brokenPages?: number;
  /**
   * The next `count` list pages leave out the second half of their items, well-formed, with the
   * total and next link they would have had (a 1-item page comes back empty).
   */
  shortPages?: number;
  /** The next `count` list pages hold no items, with the total and next link they would have had. */
  emptyPages?: number;
  /** The next `count` data pages answer without their content: `{}`, an empty SOAP result. */
  hollowPages?: number;
  /** The next `count` matching requests answer the vendor's own error (a SOAP fault, say). */
  vendorErrors?: number;
  /** Let this many matching requests through untouched before the counted faults start. */
  after?: number;
  /** Only requests whose path starts with one of these (default: all but `exclude`). */
  paths?: string[];
}

export interface FaultCounts {
  delayed: number;
  rateLimited: number;
  serverErrors: number;
  brokenPages: number;
  shortPages: number;
  emptyPages: number;
  hollowPages: number;
  vendorErrors: number;
}

/** Faults the route renders itself, on an answer that is otherwise 200 and normal. */
export const PAGE_FAULTS = ['brokenPages', 'shortPages', 'emptyPages', 'hollowPages'] as const;
export type PageFault = (typeof PAGE_FAULTS)[number];

export type FaultKind = 'rateLimited' | 'serverErrors' | 'vendorErrors' | PageFault;

export class FaultInjector {
  private plan: FaultPlan = {};
  private skip = 0;
  readonly injected: FaultCounts = {
    delayed: 0,
    rateLimited: 0,
    serverErrors: 0,
    brokenPages: 0,
    shortPages: 0,
    emptyPages: 0,
    hollowPages: 0,
    vendorErrors: 0,
  };

  constructor(plan: FaultPlan = {}) {
    this.set(plan);
  }

  /** Replaces the plan (an empty plan ends all misbehaviour). */
  set(plan: FaultPlan): void {
    this.plan = structuredClone(plan);
    this.skip = plan.after ?? 0;
  }

  /** The plan as it stands (counts go down as faults are injected). */
  current(): FaultPlan {
    return structuredClone(this.plan);
  }

  applies(path: string): boolean {
    return !this.plan.paths || this.plan.paths.some((p) => path.startsWith(p));
  }

  get latencyMs(): number {
    return this.plan.latencyMs ?? 0;
  }

  /**
   * Decides the fate of one matching request: undefined to answer normally, or the fault to
   * inject. Counts down the plan and up the counters.
   */
  next(): { kind: FaultKind; status: number; retryAfterSeconds?: number } | undefined {
    if (this.skip > 0) {
      this.skip--;
      return undefined;
    }
    const p = this.plan;
    if (p.rateLimit && p.rateLimit.count > 0) {
      p.rateLimit.count--;
      this.injected.rateLimited++;
      return { kind: 'rateLimited', status: 429, retryAfterSeconds: p.rateLimit.retryAfterSeconds ?? 1 };
    }
    if (p.serverErrors && p.serverErrors.count > 0) {
      p.serverErrors.count--;
      this.injected.serverErrors++;
      return {
        kind: 'serverErrors',
        status: p.serverErrors.status ?? 503,
        ...(p.serverErrors.retryAfterSeconds !== undefined
          ? { retryAfterSeconds: p.serverErrors.retryAfterSeconds }
          : {}),
      };
    }
    if (p.vendorErrors && p.vendorErrors > 0) {
      p.vendorErrors--;
      this.injected.vendorErrors++;
      return { kind: 'vendorErrors', status: 500 };
    }
    for (const kind of PAGE_FAULTS) {
      const left = p[kind];
      if (left && left > 0) {
        p[kind] = left - 1;
        this.injected[kind]++;
        return { kind, status: 200 };
      }
    }
    return undefined;
  }
}

/** Cuts a body in the middle, as a connection dropped mid-page would. */
export function breakBody(body: string): string {
  return body.slice(0, Math.max(1, Math.floor(body.length / 2)));
}

export interface FaultHookOptions {
  /** Paths never touched (admin, token endpoint). */
  exclude?: string[];
  /** Further narrows which requests the plan touches (the SOAP simulator: calls, not the WSDL). */
  applies?: (request: FastifyRequest) => boolean;
  /**
   * Renders an injected error in the vendor's own way (a problem document, a SOAP fault). A
   * page fault (broken, short, empty, hollow) is not rendered here: the route asks
   * `request.fault` and spoils its own answer.
   */
  render: (kind: FaultKind, status: number, request: FastifyRequest) => { contentType: string; body: string };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the fault plan wants this request's page broken, short, empty or hollow. */
    fault?: PageFault;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Installs the injector in a Fastify app: delays and error answers happen in `onRequest`, before
 * authentication, as a proxy or overloaded server would; a page fault is left to the route
 * (`request.fault`, e.g. `'brokenPages'`).
 */
export function installFaults(app: FastifyInstance, faults: FaultInjector, options: FaultHookOptions): void {
  const exclude = options.exclude ?? [];
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '';
    if (exclude.some((p) => path.startsWith(p)) || !faults.applies(path)) return;
    if (options.applies && !options.applies(request)) return;
    if (faults.latencyMs > 0) {
      faults.injected.delayed++;
      await sleep(faults.latencyMs);
    }
    const fault = faults.next();
    if (!fault) return;
    if ((PAGE_FAULTS as readonly string[]).includes(fault.kind)) {
      request.fault = fault.kind as PageFault;
      return;
    }
    const { contentType, body } = options.render(fault.kind, fault.status, request);
    if (fault.retryAfterSeconds !== undefined) reply.header('retry-after', String(fault.retryAfterSeconds));
    return reply.code(fault.status).type(contentType).send(body);
  });
}
