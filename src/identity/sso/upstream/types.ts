import type { UpstreamCitizen, UpstreamPersonality } from '../types.ts';

/** What the relay keeps, server-side, between sending the browser to VNeID and its return. */
export interface UpstreamTransaction {
  state: string;
  nonce?: string;
  codeVerifier?: string;
}

/** One VNeID personality seen from the relay: build the redirect, then turn the callback into a citizen. */
export interface Upstream {
  readonly personality: UpstreamPersonality;
  begin(request: { requiredLevel: 1 | 2 }): Promise<{ url: string; transaction: UpstreamTransaction }>;
  /**
   * Redeems the callback. `rawQuery` is the query string exactly as received (without `?`); the
   * state was already checked against the transaction. Throws `SsoRefusal` on every failure.
   */
  complete(rawQuery: string, transaction: UpstreamTransaction): Promise<UpstreamCitizen>;
}
