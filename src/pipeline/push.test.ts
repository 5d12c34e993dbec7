import { describe, expect, it } from 'vitest';
import { GatewayRetryableError, GatewayThrottledError } from '../gateway/errors.ts';
import { PermanentError, RetryableError, ThrottledError } from '../sdk/errors.ts';
import { isThrottle, isUnavailable } from './push.ts';

const details = { target: 'city-edudb', personality: 'wso2' } as const;

describe('isThrottle', () => {
  it('is the throttled errors the clients throw, whatever their code', () => {
    expect(isThrottle(new ThrottledError('HTTP_429', 'quota'))).toBe(true);
    expect(isThrottle(new GatewayThrottledError('GATEWAY_900800', 'quota', details))).toBe(true);
  });

  it('is not a retryable error merely coded like one: the class says it, not the code', () => {
    expect(isThrottle(new GatewayRetryableError('HTTP_503', 'busy', details))).toBe(false);
    expect(isThrottle(new RetryableError('HTTP_429', 'said by hand'))).toBe(false);
    expect(isThrottle(new PermanentError('HTTP_429', 'refused'))).toBe(false);
  });
});

describe('isUnavailable', () => {
  it('is a retryable error whose code the catalogue calls unavailable', () => {
    for (const code of [
      'UNREACHABLE',
      'TIMEOUT',
      'TOKEN_UNREACHABLE',
      'HTTP_502',
      'HTTP_503',
      'HTTP_504',
      'GATEWAY_101503',
      'GATEWAY_101504',
      'GATEWAY_101505',
      'GATEWAY_Server.ServerProxy.NetworkError',
    ]) {
      expect(isUnavailable(new RetryableError(code, 'away')), code).toBe(true);
    }
  });

  it('is not a failure that spends an attempt, a throttle, or a permanent error', () => {
    for (const code of [
      'HTTP_500',
      'HTTP_408',
      'MESSAGE_MALFORMED',
      'TOKEN_FAILED',
      'GATEWAY_99',
      'NEW_CODE',
    ]) {
      expect(isUnavailable(new RetryableError(code, 'failed')), code).toBe(false);
    }
    expect(isUnavailable(new ThrottledError('HTTP_429', 'quota'))).toBe(false);
    expect(isUnavailable(new PermanentError('HTTP_503', 'refused'))).toBe(false);
  });
});
