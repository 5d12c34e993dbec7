import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './breaker.ts';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('CircuitBreaker', () => {
  it('stays closed below the threshold and opens at it', () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 10_000, now: c.now });
    b.failure();
    b.failure();
    expect(b.acquire()).toEqual({ allowed: true });
    b.failure();
    expect(b.state).toBe('open');
    expect(b.acquire()).toEqual({ allowed: false, waitMs: 10_000 });
    c.advance(4_000);
    expect(b.acquire()).toEqual({ allowed: false, waitMs: 6_000 });
  });

  it('lets one probe through after the cooldown, and closes when it passes', () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 10_000, now: c.now });
    b.failure();
    c.advance(10_000);
    expect(b.state).toBe('half-open');
    expect(b.acquire()).toEqual({ allowed: true });
    expect(b.acquire().allowed).toBe(false); // a second request waits for the probe
    b.success();
    expect(b.state).toBe('closed');
    expect(b.acquire()).toEqual({ allowed: true });
  });

  it('reopens for twice as long when the probe fails, up to the cap', () => {
    const c = clock();
    const b = new CircuitBreaker({
      failureThreshold: 1,
      cooldownMs: 10_000,
      maxCooldownMs: 25_000,
      now: c.now,
    });
    b.failure();
    c.advance(10_000);
    b.acquire();
    b.failure();
    expect(b.acquire()).toEqual({ allowed: false, waitMs: 20_000 });
    c.advance(20_000);
    b.acquire();
    b.failure();
    expect(b.acquire()).toEqual({ allowed: false, waitMs: 25_000 });
  });

  it('a success in between resets the count of failures in a row', () => {
    const b = new CircuitBreaker({ failureThreshold: 2 });
    b.failure();
    b.success();
    b.failure();
    expect(b.state).toBe('closed');
  });
});
