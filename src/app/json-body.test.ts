import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from './json-body.ts';

/** Nesting of a parsed value, the plain recursive way (the values here are small). */
function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (value !== null && typeof value === 'object')
    return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

describe('nestsDeeperThan', () => {
  propTest.prop([fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 10 })])(
    'agrees with the parsed value’s depth, whatever the strings hold',
    (value, max) => {
      expect(nestsDeeperThan(JSON.stringify(value), max)).toBe(depthOf(value) > max);
    },
  );

  it('does not count brackets, quotes or escapes inside strings', () => {
    expect(nestsDeeperThan('{"a":"[[{{\\"[[","b":["\\\\"]}', 2)).toBe(false);
    expect(nestsDeeperThan('{"a":"\\\\",  "b":[[[]]]}', 3)).toBe(true);
  });

  it('reads a body nested a million deep without recursion', () => {
    const deep = `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`;
    expect(nestsDeeperThan(deep, 32)).toBe(true);
    expect(nestsDeeperThan(deep, 1_000_000)).toBe(false);
  });
});
