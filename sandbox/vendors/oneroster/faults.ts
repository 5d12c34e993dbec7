/**
 * Misbehaviour on demand: the ways a real OneRoster provider fails, queued by a test and served to
 * the next matching requests.
 */

export type FaultKind =
  /** Answer with this HTTP status (429, 500, 502, 503 …), with `Retry-After` if given. */
  | { kind: 'status'; status: number; retryAfter?: number | string }
  /** Wait this long before answering normally. */
  | { kind: 'slow'; delayMs: number }
  /** Answer 200 with a page cut off in the middle of its JSON. */
  | { kind: 'malformed' }
  /** Answer a collection's page with no items, its `X-Total-Count` and links as they would be. */
  | { kind: 'empty' }
  /** Drop the connection without answering. */
  | { kind: 'reset' }
  /** Send the headers and part of the body, then drop the connection. */
  | { kind: 'truncated' }
  /** The bearer token the request carries expires now: 401, as a token that lapses mid-read. */
  | { kind: 'expireToken' };

export type Fault = FaultKind & {
  /** How many matching requests get the fault (default 1). */
  times?: number;
  /** Only requests whose path contains this text (default: every OneRoster API path). */
  path?: string;
  /** Let this many matching requests through before the first fault (default 0). */
  after?: number;
};

interface Armed {
  fault: Fault;
  remaining: number;
  skip: number;
}

export class FaultQueue {
  private armed: Armed[] = [];
  /** Faults served so far, by kind (and status). */
  readonly served: Record<string, number> = {};

  add(fault: Fault): void {
    this.armed.push({ fault, remaining: fault.times ?? 1, skip: fault.after ?? 0 });
  }

  clear(): void {
    this.armed = [];
  }

  /** The fault for a request to `path`, if one is armed for it; counts it as served. */
  take(path: string, isApi: boolean): Fault | undefined {
    for (const a of this.armed) {
      if (a.remaining <= 0) continue;
      if (a.fault.path !== undefined ? !path.includes(a.fault.path) : !isApi) continue;
      if (a.skip > 0) {
        a.skip--;
        continue;
      }
      a.remaining--;
      const name = a.fault.kind === 'status' ? `status:${a.fault.status}` : a.fault.kind;
      this.served[name] = (this.served[name] ?? 0) + 1;
      this.armed = this.armed.filter((x) => x.remaining > 0);
      return a.fault;
    }
    return undefined;
  }

  get pending(): number {
    return this.armed.reduce((n, a) => n + a.remaining, 0);
  }
}
