/**
 * The rate limits the API applies (made by the app from RATE_LIMIT_* on the shared Redis; see
 * app/rate-limits.ts). A limit counts a request of a source and gives the error to throw (a 429
 * with Retry-After) when the source is over it.
 */
export interface Limit {
  hit(source: string): Promise<Error | undefined>;
  /**
   * The error to throw when this process already knows `source` is over the limit (its window not
   * ended), without counting or asking Redis; undefined otherwise. Cheap enough to ask first.
   */
  blocked(source: string): Error | undefined;
}

export interface ApiLimits {
  /** Failed authentications, by client address. */
  authFailuresByAddress: Limit;
  /** Failed authentications, by the key prefix presented (`key:<prefix>`). */
  authFailuresByKey: Limit;
  /** Identity checks, by API key (`key:<prefix>`). */
  identity: Limit;
}
