/**
 * A circuit breaker per target. After `failureThreshold` retryable failures in a row the circuit
 * opens: nothing is sent for `cooldownMs`; then one probe goes (half-open). A probe that passes
 * closes it; one that fails opens it again for twice as long (up to `maxCooldownMs`).
 *
 * Why: a city system that is down answers every batch with 503 after its timeout. Without a
 * breaker every queued batch would burn its attempts against it and land in dead letters; with it
 * the batches wait (parked, attempts intact) and flow again once the target is back.
 */
export interface BreakerOptions {
  failureThreshold?: number;
  cooldownMs?: number;
  maxCooldownMs?: number;
  now?: () => number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export type BreakerDecision = { allowed: true } | { allowed: false; waitMs: number };

export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private probing = false;
  private cooldown: number;
  private readonly threshold: number;
  private readonly baseCooldown: number;
  private readonly maxCooldown: number;
  private readonly now: () => number;

  constructor(options: BreakerOptions = {}) {
    this.threshold = options.failureThreshold ?? 5;
    this.baseCooldown = options.cooldownMs ?? 30_000;
    this.maxCooldown = options.maxCooldownMs ?? 300_000;
    this.cooldown = this.baseCooldown;
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.openUntil === 0) return 'closed';
    return this.now() < this.openUntil ? 'open' : 'half-open';
  }

  /** May a request go now? In half-open, only one (the probe) at a time. */
  acquire(): BreakerDecision {
    const state = this.state;
    if (state === 'closed') return { allowed: true };
    if (state === 'open') return { allowed: false, waitMs: this.openUntil - this.now() };
    if (this.probing) return { allowed: false, waitMs: Math.min(1_000, this.baseCooldown) };
    this.probing = true;
    return { allowed: true };
  }

  success(): void {
    this.failures = 0;
    this.openUntil = 0;
    this.probing = false;
    this.cooldown = this.baseCooldown;
  }

  /** A retryable failure (the target is unwell); a refusal of bad data is not one. */
  failure(): void {
    if (this.probing || this.state === 'half-open') {
      this.probing = false;
      this.cooldown = Math.min(this.cooldown * 2, this.maxCooldown);
      this.openUntil = this.now() + this.cooldown;
      return;
    }
    this.failures++;
    if (this.failures >= this.threshold) {
      this.failures = 0;
      this.openUntil = this.now() + this.cooldown;
    }
  }

  /** A request that ended neither way (aborted): frees the probe slot. */
  release(): void {
    this.probing = false;
  }
}
